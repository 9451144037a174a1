#!/usr/bin/env bash
# The webhook's Helm chart, checked the way a cluster would see it: helm
# lint, helm template with the default values and every ci/*-values.yaml,
# assertions on what the rendered manifests promise (HA, a locked-down pod,
# a webhook configuration that cannot wedge the cluster, certificates that
# verify and survive upgrades), and the manifests applied with
# --dry-run=server to the simulator.  CHART=DIR tests another copy of the
# chart (to check that a broken template makes these tests fail).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

chart=${CHART:-charts/gitops-webhook}
if ! helm=$(scripts/helm.sh 2>"$tap_tmp/helm.err"); then
	echo "Bail out! no helm: $(tail -1 "$tap_tmp/helm.err")"
	exit 1
fi

# q FILE EXPR: evaluates a Python expression over the documents of a
# rendered manifest.  Helpers: all_(kind), one(kind[, name]), dep (the
# Deployment), ctr (its container), vwc (the first webhook), hook(doc).
cat >"$tap_tmp/q.py" <<'PY'
import json, os, sys
sys.path.insert(0, "tests/kubesim")
import yamlmini

# Parsing is the slow part: keep each rendering's documents as JSON.
cache = sys.argv[1] + ".json"
if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(sys.argv[1]):
    docs = json.load(open(cache))
else:
    docs = [d for d in yamlmini.load_all(open(sys.argv[1]).read()) if d]
    json.dump(docs, open(cache, "w"))

def all_(kind):
    return [d for d in docs if d.get("kind") == kind]

def one(kind, name=None):
    found = [d for d in all_(kind) if name is None or d["metadata"]["name"] == name]
    if len(found) != 1:
        raise SystemExit("%d %s named %s" % (len(found), kind, name))
    return found[0]

def first(kind):
    found = all_(kind)
    return found[0] if found else None

def hook(d):
    a = d["metadata"].get("annotations") or {}
    return (a.get("helm.sh/hook"), int(a.get("helm.sh/hook-weight", "0")))

def labels_match(sel, labels):
    return all(labels.get(k) == v for k, v in sel.items())

dep = first("Deployment")
ctr = dep["spec"]["template"]["spec"]["containers"][0] if dep else None
pod = dep["spec"]["template"]["spec"] if dep else None
vwc = first("ValidatingWebhookConfiguration")
wh = vwc["webhooks"][0] if vwc else None
val = eval(sys.argv[2])
print(val if isinstance(val, str) else json.dumps(val, sort_keys=True))
PY
q() { python3 "$tap_tmp/q.py" "$@" 2>&1; }

# render NAME ARGS...: helm template into $tap_tmp/NAME.yaml.
render() {
	local name=$1
	shift
	run "$helm" template rel "$chart" --namespace gw "$@"
	printf '%s\n' "$out" >"$tap_tmp/$name.yaml"
}

# --- lint -------------------------------------------------------------------
run "$helm" lint --strict "$chart"
expect_rc 0 "helm lint --strict with the default values"
for f in "$chart"/ci/*-values.yaml; do
	run "$helm" lint --strict "$chart" -f "$f"
	expect_rc 0 "helm lint --strict -f ${f#"$chart"/}"
done

# --- values the schema must refuse ------------------------------------------
while IFS='|' read -r set why; do
	run "$helm" template rel "$chart" --set "$set"
	[ "$rc" -ne 0 ] && printf '%s\n' "$err" | grep -q 'values don.t meet the specifications of the schema'
	ok $? "the schema refuses $set ($why)"
done <<'EOF'
replicas=0|no replica would serve
validatingWebhookFailurePolicy=Sometimes|not Fail or Ignore
validatingWebhookTimeoutSeconds=31|the API server's maximum is 30
config.policies.sync-windows.mode=block|not a policy mode
config.policies.no-such-policy.mode=enforce|unknown policy
config.tracking.method=guess|not a tracking method
config.deletionApproval.ttl=soon|not a duration
config.typo=1|the webhook rejects unknown keys
replica=3|a misspelt top-level key
EOF
run "$helm" template rel "$chart" --kube-version 1.24.0
expect_rc 1 "the chart refuses Kubernetes older than 1.25"

# --- default values ---------------------------------------------------------
render default
expect_rc 0 "helm template with the default values"
d=$tap_tmp/default.yaml
expect_eq "$(q "$d" 'dep["spec"]["replicas"]')" 3 "three replicas by default"
expect_eq "$(q "$d" 'labels_match(one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"], pod and dep["spec"]["template"]["metadata"]["labels"]) and one("PodDisruptionBudget")["spec"].get("minAvailable")')" 1 \
	"a PodDisruptionBudget keeps one replica up, and selects the webhook's pods"
expect_eq "$(q "$d" 'pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]["topologyKey"]')" \
	kubernetes.io/hostname "replicas prefer different nodes"
expect_eq "$(q "$d" '[c["topologyKey"] for c in pod["topologySpreadConstraints"] if labels_match(c["labelSelector"]["matchLabels"], dep["spec"]["template"]["metadata"]["labels"])]')" \
	'["topology.kubernetes.io/zone"]' "replicas spread over zones, with a selector that matches them"
expect_eq "$(q "$d" '[pod["securityContext"]["runAsNonRoot"], ctr["securityContext"]["readOnlyRootFilesystem"], ctr["securityContext"]["allowPrivilegeEscalation"], ctr["securityContext"]["capabilities"]["drop"], ctr["securityContext"]["seccompProfile"]["type"]]')" \
	'[true, true, false, ["ALL"], "RuntimeDefault"]' "restricted: non-root, read-only root, no privilege escalation, no capabilities, seccomp"
expect_eq "$(q "$d" '["cpu" in ctr["resources"].get("limits", {}), "memory" in ctr["resources"]["limits"], "cpu" in ctr["resources"]["requests"]]')" \
	'[false, true, true]' "resources: CPU requested but never limited, memory limited"
expect_eq "$(q "$d" '[(p["httpGet"]["path"], p["httpGet"]["scheme"], p["httpGet"]["port"]) for p in (ctr["livenessProbe"], ctr["readinessProbe"])]')" \
	'[["/healthz", "HTTPS", "https"], ["/readyz", "HTTPS", "https"]]' "liveness on /healthz and readiness on /readyz, over TLS"
expect_eq "$(q "$d" '[p["containerPort"] for p in ctr["ports"] if p["name"] == "https"] + ["--listen=0.0.0.0:8443" in ctr["args"]]')" \
	'[8443, true]' "the container listens on 8443 and names the port https"
expect_eq "$(q "$d" '[(p["port"], p["targetPort"]) for p in one("Service", "rel-gitops-webhook")["spec"]["ports"]]')" \
	'[[443, "https"]]' "the Service maps 443 to the container's https port"
expect_eq "$(q "$d" 'labels_match(one("Service", "rel-gitops-webhook")["spec"]["selector"], dep["spec"]["template"]["metadata"]["labels"])')" \
	true "the Service selects the webhook's pods"
expect_eq "$(q "$d" 'one("ClusterRole", "rel-gitops-webhook")["rules"]')" \
	'[{"apiGroups": ["argoproj.io"], "resources": ["applications", "appprojects"], "verbs": ["get", "list", "watch"]}]' \
	"the webhook may only get, list and watch Applications and AppProjects"
expect_eq "$(q "$d" 'one("ClusterRoleBinding", "rel-gitops-webhook")["subjects"][0]["name"] == pod["serviceAccountName"] == one("ServiceAccount", "rel-gitops-webhook")["metadata"]["name"]')" \
	true "the role is bound to the pods' ServiceAccount"
expect_eq "$(q "$d" '[a for a in ctr["args"] if a.startswith("--config=")] + [m["mountPath"] for m in ctr["volumeMounts"] if m["name"] == "config"]')" \
	'["--config=/etc/gitops-webhook/config/config.yaml", "/etc/gitops-webhook/config"]' "the webhook reads the ConfigMap it mounts"
expect_eq "$(q "$d" 'dep["spec"]["template"]["metadata"]["annotations"]["checksum/config"] != ""')" true \
	"a config checksum rolls the pods when the policy changes"

# The webhook configuration.
expect_eq "$(q "$d" '[wh["sideEffects"], wh["admissionReviewVersions"], wh["timeoutSeconds"], wh["failurePolicy"], wh["matchPolicy"]]')" \
	'["None", ["v1"], 3, "Fail", "Equivalent"]' "webhook: sideEffects None, v1 reviews, 3 s timeout, Fail"
expect_eq "$(q "$d" 'wh["clientConfig"]["service"]')" \
	'{"name": "rel-gitops-webhook", "namespace": "gw", "path": "/validate", "port": 443}' "webhook: called on the Service's /validate"
expect_eq "$(q "$d" 'wh["namespaceSelector"]["matchExpressions"]')" \
	'[{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", "gw"]}]' \
	"webhook: kube-system and its own namespace are never sent"
expect_eq "$(q "$d" 'sorted(set(op for r in wh["rules"] for op in r["operations"] if "applications" in r["resources"] or "*" in r["resources"]))')" \
	'["CREATE", "DELETE", "UPDATE"]' "webhook: Applications are judged on create, update and delete"
expect_eq "$(q "$d" '[r["operations"] for r in wh["rules"] if r["resources"] == ["*"] and r["apiGroups"] == ["*"]]')" \
	'[["UPDATE", "DELETE"]]' "webhook: any object on update and delete (never CREATE, never subresources)"
expect_eq "$(q "$d" '[c["name"] for c in wh["matchConditions"]]')" \
	'["exclude-kubelets", "exclude-leases-and-events", "argocd-objects-only"]' "webhook: matchConditions on Kubernetes 1.30+"
expect_eq "$(q "$d" '"argocd.argoproj.io/tracking-id" in wh["matchConditions"][2]["expression"] and "oldObject" in wh["matchConditions"][2]["expression"]')" \
	true "webhook: only objects tracked before or after the change are sent"
expect_eq "$(q "$d" '[hook(vwc), hook(one("Job", "rel-gitops-webhook-probe"))]')" \
	'[["post-install,post-upgrade", 10], ["post-install,post-upgrade", 0]]' \
	"the configuration is registered after the probe Job, once a replica answers"
expect_eq "$(q "$d" 'one("Job", "rel-gitops-webhook-probe")["spec"]["template"]["spec"]["containers"][0]["args"][-1]')" \
	https://rel-gitops-webhook.gw.svc:443/readyz "the probe asks /readyz through the Service"
expect_eq "$(q "$d" '[hook(one("Job", "rel-gitops-webhook-cleanup"))[0], one("Job", "rel-gitops-webhook-cleanup")["spec"]["template"]["spec"]["containers"][0]["command"][1:4]]')" \
	'["pre-delete", ["delete", "validatingwebhookconfiguration", "rel-gitops-webhook"]]' \
	"helm uninstall deletes the configuration first (pre-delete Job)"
expect_eq "$(q "$d" 'one("ClusterRole", "rel-gitops-webhook-cleanup")["rules"]')" \
	'[{"apiGroups": ["admissionregistration.k8s.io"], "resourceNames": ["rel-gitops-webhook"], "resources": ["validatingwebhookconfigurations"], "verbs": ["delete"]}]' \
	"the cleanup Job may delete that one configuration and nothing else"
expect_eq "$(q "$d" '[len(all_(k)) for k in ("ServiceMonitor", "Certificate", "ResourceQuota")] + [len([c for c in all_("ConfigMap") if "grafana_dashboard" in c["metadata"]["labels"]])]')" \
	'[0, 0, 0, 0]' "no ServiceMonitor, cert-manager objects, quota or dashboard by default"

# The generated certificate: the caBundle is the Secret's CA, and the
# serving certificate verifies against it for the Service's DNS name.
q "$d" 'one("Secret")["data"]["ca.crt"]' | base64 -d >"$tap_tmp/ca.pem"
q "$d" 'one("Secret")["data"]["tls.crt"]' | base64 -d >"$tap_tmp/tls.pem"
q "$d" 'one("Secret")["data"]["tls.key"]' | base64 -d >"$tap_tmp/tls.key"
expect_eq "$(q "$d" 'wh["clientConfig"]["caBundle"] == one("Secret", "rel-gitops-webhook-tls")["data"]["ca.crt"]')" true \
	"the caBundle is the CA in the serving Secret"
run openssl verify -CAfile "$tap_tmp/ca.pem" -verify_hostname rel-gitops-webhook.gw.svc "$tap_tmp/tls.pem"
expect_rc 0 "the serving certificate verifies for rel-gitops-webhook.gw.svc"
[ "$(openssl x509 -noout -pubkey -in "$tap_tmp/tls.pem" | sha256sum)" = "$(openssl pkey -pubout -in "$tap_tmp/tls.key" 2>/dev/null | sha256sum)" ]
ok $? "the Secret's key belongs to its certificate"

# The rendered policy configuration is one the webhook itself accepts.
cat >"$tap_tmp/review.json" <<'JSON'
{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
 "request": {"uid": "u1", "operation": "UPDATE", "name": "x", "namespace": "default",
  "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
  "resource": {"group": "", "version": "v1", "resource": "configmaps"},
  "userInfo": {"username": "alice"},
  "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}},
  "oldObject": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}}}}
JSON
webhook_accepts() { # rendered.yaml: the webhook loads the ConfigMap's config.yaml
	q "$1" 'one("ConfigMap", "rel-gitops-webhook")["data"]["config.yaml"]' >"$tap_tmp/config.yaml"
	bin/gitops-webhook check --config "$tap_tmp/config.yaml" --review "$tap_tmp/review.json" >/dev/null
}
if [ -x bin/gitops-webhook ]; then
	webhook_accepts "$d"
	ok $? "gitops-webhook loads the default policy configuration"
else
	ok 0 "gitops-webhook loads the default policy configuration # SKIP bin/gitops-webhook not built"
fi

# NOTES.txt, rendered through tpl (helm template does not print NOTES).
notes() { # ARGS...: NOTES for those helm args, into $out
	rm -rf "$tap_tmp/notes-chart"
	cp -r "$chart" "$tap_tmp/notes-chart"
	cp "$chart/templates/NOTES.txt" "$tap_tmp/notes-chart/notes.txt"
	printf '%s\n' 'apiVersion: v1' 'kind: ConfigMap' 'metadata: {name: notes}' \
		'data: {notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}}' \
		>"$tap_tmp/notes-chart/templates/zz-notes.yaml"
	run "$helm" template rel "$tap_tmp/notes-chart" --namespace gw --show-only templates/zz-notes.yaml "$@"
	printf '%s\n' "$out" >"$tap_tmp/notes.yaml"
	out=$(q "$tap_tmp/notes.yaml" 'one("ConfigMap")["data"]["notes"]')
}
notes
expect_out '^  kubectl delete validatingwebhookconfiguration rel-gitops-webhook$' "NOTES give the emergency removal command"
expect_no_out 'older than 1.30' "NOTES: no matchConditions warning on 1.32"

# --- Kubernetes 1.29: no matchConditions, no preStop sleep action -------------
render k129 --kube-version 1.29.0
expect_rc 0 "helm template for Kubernetes 1.29"
expect_eq "$(q "$tap_tmp/k129.yaml" '["matchConditions" in wh, "lifecycle" in ctr]')" '[false, false]' \
	"1.29: neither matchConditions nor the preStop sleep action are rendered"
notes --kube-version 1.29.0
expect_out 'older than 1.30' "1.29: NOTES warn that every UPDATE and DELETE is sent"

# --- ci/cert-manager-values.yaml --------------------------------------------
render cm -f "$chart/ci/cert-manager-values.yaml"
expect_rc 0 "helm template with ci/cert-manager-values.yaml"
c=$tap_tmp/cm.yaml
expect_eq "$(q "$c" '[len(all_("Secret")), len(all_("Issuer")), len(all_("Certificate")), len(all_("PodDisruptionBudget"))]')" \
	'[0, 2, 2, 0]' "cert-manager: no generated Secret, a CA and a serving Certificate; one replica, so no PDB"
expect_eq "$(q "$c" 'one("Certificate", "rel-gitops-webhook-tls")["spec"]["secretName"] == [v["secret"]["secretName"] for v in pod["volumes"] if v["name"] == "tls"][0]')" \
	true "cert-manager: the pods mount the Secret the Certificate fills"
expect_eq "$(q "$c" '"rel-gitops-webhook.gw.svc" in one("Certificate", "rel-gitops-webhook-tls")["spec"]["dnsNames"]')" true \
	"cert-manager: the certificate names the Service"
expect_eq "$(q "$c" '[vwc["metadata"]["annotations"]["cert-manager.io/inject-ca-from"], "caBundle" in wh["clientConfig"]]')" \
	'["gw/rel-gitops-webhook-tls", false]' "cert-manager: the cainjector fills the caBundle from the Certificate"
expect_eq "$(q "$c" 'one("Certificate", "rel-gitops-webhook-tls")["spec"]["issuerRef"]["name"] == one("Issuer", "rel-gitops-webhook-ca")["metadata"]["name"] and one("Issuer", "rel-gitops-webhook-ca")["spec"]["ca"]["secretName"] == one("Certificate", "rel-gitops-webhook-ca")["spec"]["secretName"]')" \
	true "cert-manager: the serving certificate is signed by the chart's CA issuer"
expect_eq "$(q "$c" '[wh["failurePolicy"], wh["timeoutSeconds"], wh["namespaceSelector"]["matchExpressions"][0]["values"]]')" \
	'["Ignore", 5, ["kube-system", "kube-public", "cert-manager", "gw"]]' "failurePolicy, timeout and exempt namespaces follow the values"
expect_eq "$(q "$c" '[c["name"] for c in wh["matchConditions"]][-1:] + ["'"'"'argocd.argoproj.io/instance'"'"' in object.metadata.labels" in wh["matchConditions"][2]["expression"], "tracking-id" in wh["matchConditions"][2]["expression"]]')" \
	'["breakglass", true, false]' "label tracking selects on the label key; extra matchConditions are appended"
expect_eq "$(q "$c" 'labels_match(one("ServiceMonitor")["spec"]["selector"]["matchLabels"], one("Service", "rel-gitops-webhook-metrics")["metadata"]["labels"]) and [e["port"] for e in one("ServiceMonitor")["spec"]["endpoints"]] == [p["name"] for p in one("Service", "rel-gitops-webhook-metrics")["spec"]["ports"]]')" \
	true "the ServiceMonitor scrapes the metrics Service's port"
expect_eq "$(q "$c" 'one("ServiceMonitor")["metadata"]["labels"]["release"]')" kube-prometheus-stack \
	"the ServiceMonitor carries the additional labels"
expect_eq "$(q "$c" '[c for c in all_("ConfigMap") if c["metadata"]["labels"].get("grafana_dashboard") == "1"][0]["data"]["gitops-webhook.json"]' |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["uid"], any("gitops_webhook_admission_duration_seconds_bucket" in t["expr"] for p in d["panels"] for t in p["targets"]))')" \
	"gitops-webhook True" "the Grafana dashboard ConfigMap has the sidecar label and charts the latency histogram"
expect_eq "$(q "$c" '[one("ResourceQuota")["spec"]["scopeSelector"]["matchExpressions"][0]["values"], pod["priorityClassName"]]')" \
	'[["system-cluster-critical"], "system-cluster-critical"]' "system-cluster-critical comes with the ResourceQuota that admits it"
if [ -x bin/gitops-webhook ]; then
	webhook_accepts "$c"
	ok $? "gitops-webhook loads the policy configuration of ci/cert-manager-values.yaml"
fi

# --- ci/issuer-ref-values.yaml ----------------------------------------------
render ir -f "$chart/ci/issuer-ref-values.yaml"
expect_rc 0 "helm template with ci/issuer-ref-values.yaml"
i=$tap_tmp/ir.yaml
expect_eq "$(q "$i" '[len(all_("Issuer")), one("Certificate")["spec"]["issuerRef"]]')" \
	'[0, {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "platform-ca"}]' "an existing ClusterIssuer signs; no Issuer is created"
expect_eq "$(q "$i" 'ctr["image"]')" \
	registry.example.com/platform/gitops-webhook@sha256:0000000000000000000000000000000000000000000000000000000000000001 "an image pinned by digest"
expect_eq "$(q "$i" '[[r["resources"] for r in wh["rules"]], [c["name"] for c in wh["matchConditions"]]]')" \
	'[[["applications"], ["*"]], ["exclude-kubelets", "exclude-leases-and-events"]]' "custom rules replace the built-in ones; tracked-only can be switched off"
expect_eq "$(q "$i" '[one("PodDisruptionBudget")["spec"].get("maxUnavailable"), "minAvailable" in one("PodDisruptionBudget")["spec"], "affinity" in pod, "topologySpreadConstraints" in pod]')" \
	'[1, false, false, false]' "PDB by maxUnavailable; anti-affinity and spread can be switched off"

# --- ci/external-secret-values.yaml -----------------------------------------
render ext -f "$chart/ci/external-secret-values.yaml"
expect_rc 0 "helm template with ci/external-secret-values.yaml"
e=$tap_tmp/ext.yaml
expect_eq "$(q "$e" 'sorted(set(x["kind"] for x in docs))')" \
	'["ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "ValidatingWebhookConfiguration"]' \
	"no Secret, Jobs, RBAC or metrics Service when they are switched off"
expect_eq "$(q "$e" '[pod["serviceAccountName"], pod["hostNetwork"], [p["containerPort"] for p in ctr["ports"]], any(a.startswith("--metrics-listen") for a in ctr["args"]), ctr["args"][-1]]')" \
	'["existing-sa", true, [10250], false, "--shutdown-grace=20s"]' "existing ServiceAccount, host network on 10250, extra args last"

# --- the manifests, applied with --dry-run=server to the simulator ----------
mkdir -p "$tap_tmp/sim"
tests/kubesim/kubesim --listen 127.0.0.1:0 --kubeconfig-out "$tap_tmp/sim/kubeconfig" \
	--controllers none >"$tap_tmp/sim/out" 2>"$tap_tmp/sim/err" &
sim=$!
tap_on_exit="kill $sim 2>/dev/null; wait $sim 2>/dev/null"
for _ in $(seq 100); do grep -q listening "$tap_tmp/sim/out" 2>/dev/null && break; sleep 0.1; done
export KUBECONFIG=$tap_tmp/sim/kubeconfig
run kubectl create namespace gw
expect_rc 0 "the simulator is up"

# Stand-ins for the cert-manager and prometheus-operator CRDs (schemaless,
# just enough for the simulator to serve the kinds).
crd() { # group kind plural
	cat <<JSON
{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
 "metadata": {"name": "$3.$1"},
 "spec": {"group": "$1", "scope": "Namespaced",
  "names": {"kind": "$2", "plural": "$3", "singular": "$(echo "$2" | tr '[:upper:]' '[:lower:]')", "listKind": "$2List"},
  "versions": [{"name": "v1", "served": true, "storage": true,
   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}
JSON
}
{ crd cert-manager.io Certificate certificates; crd cert-manager.io Issuer issuers
  crd monitoring.coreos.com ServiceMonitor servicemonitors; } >"$tap_tmp/crds.json"
run kubectl apply -f "$tap_tmp/crds.json"
expect_rc 0 "stand-in CRDs for Certificate, Issuer and ServiceMonitor"
served=$(kubectl api-resources --no-headers 2>/dev/null | awk '{print $NF}' | sort -u | tr '\n' ' ')

# split RENDERED DIR: one JSON file per document the simulator serves; the
# kinds it does not serve are listed on stdout.
split() {
	python3 - "$1" "$2" "$served" <<'PY'
import json, os, sys
sys.path.insert(0, "tests/kubesim")
import yamlmini
src, out, served = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
os.makedirs(out, exist_ok=True)
skipped = set()
for i, d in enumerate(x for x in yamlmini.load_all(open(src).read()) if x):
    if d["kind"] not in served:
        skipped.add(d["kind"])
        continue
    with open(os.path.join(out, "%02d.json" % i), "w") as f:
        json.dump(d, f)
print(" ".join(sorted(skipped)))
PY
}
for r in default k129 cm ir ext; do
	skipped=$(split "$tap_tmp/$r.yaml" "$tap_tmp/apply-$r")
	n=$(find "$tap_tmp/apply-$r" -name "*.json" | wc -l)
	run kubectl apply --dry-run=server -f "$tap_tmp/apply-$r"
	[ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '(server dry run)$')" -eq "$n" ]
	ok $? "$r: the API server accepts all $n objects (dry run)"
	[ -z "$skipped" ]
	ok $? "$r: every rendered kind was applied (not served: ${skipped:-none})"
done

# Kept across upgrades: once the Secret exists, an upgrade renders the same
# certificate (helm reads it back with lookup) and the same caBundle.
run "$helm" template rel "$chart" --namespace gw --dry-run=server
printf '%s\n' "$out" >"$tap_tmp/first.yaml"
q "$tap_tmp/first.yaml" 'json.dumps(one("Secret"))' >"$tap_tmp/secret.json"
run kubectl apply -f "$tap_tmp/secret.json"
expect_rc 0 "install: the generated Secret is stored"
run "$helm" template rel "$chart" --namespace gw --dry-run=server --set validatingWebhookTimeoutSeconds=5
printf '%s\n' "$out" >"$tap_tmp/upgrade.yaml"
expect_eq "$(q "$tap_tmp/upgrade.yaml" 'one("Secret")["data"]')" "$(q "$tap_tmp/first.yaml" 'one("Secret")["data"]')" \
	"upgrade: the CA, certificate and key are kept"
expect_eq "$(q "$tap_tmp/upgrade.yaml" '[wh["timeoutSeconds"], wh["clientConfig"]["caBundle"] == one("Secret")["data"]["ca.crt"]]')" \
	'[5, true]' "upgrade: the new values apply and the caBundle is still the kept CA"
run "$helm" template rel "$chart" --namespace gw --dry-run=server -f "$chart/ci/cert-manager-values.yaml"
printf '%s\n' "$out" >"$tap_tmp/cm-upgrade.yaml"
expect_eq "$(q "$tap_tmp/cm-upgrade.yaml" 'wh["clientConfig"]["caBundle"] == json.loads(open(sys.argv[1].replace("cm-upgrade.yaml", "secret.json")).read())["data"]["ca.crt"]')" \
	true "cert-manager: an existing Secret's CA is filled in until the cainjector takes over"

done_testing
