#!/usr/bin/env bash
# kind-setup.sh - the e2e cluster on kind (where Docker and kind exist; CI
# runs it, this repository's build machine cannot).  The same scenarios run
# on it as on the simulator: e2e/run.sh --target kind.
#
#   e2e/kind-setup.sh start DIR         create (or reuse) the cluster and install everything
#   e2e/kind-setup.sh stop DIR          delete the cluster
#   e2e/kind-setup.sh webhook-stop DIR  scale the webhook to 0 (the "webhook down" case)
#   e2e/kind-setup.sh webhook-start DIR scale it back and wait until it is ready
#   e2e/kind-setup.sh register DIR      helm upgrade: registers the webhook again
#   e2e/kind-setup.sh rotate-cert DIR   new CA and serving certificate, under traffic
#   e2e/kind-setup.sh webhook-log DIR   the logs of every webhook replica
#   e2e/kind-setup.sh logs DIR          for a failure report
#
# `start`, step by step (each step is idempotent, so a second run on an
# existing cluster only updates what changed):
#   1. kind create cluster from e2e/kind.yaml with the pinned node image
#   2. Argo CD and Argo Rollouts from their pinned release manifests
#   3. the fixture repositories (tests/fixtures/repos) as bare Git repos in
#      a small image (e2e/git-server), served over HTTPS in namespace
#      e2e-git; Argo CD's repo-server resolves git.example.com — the
#      repoURL the fixtures use — to that Service (hostAliases) and trusts
#      its CA (argocd-tls-certs-cm), so the fixtures need no change
#   4. the fixtures' container images (registry.example.com/platform/…)
#      are the pause image under those names, loaded into the nodes
#   5. the webhook image built from the repository's Dockerfile, tagged
#      with the commit, loaded into the nodes
#   6. helm upgrade --install --wait charts/gitops-webhook (release
#      gitops-webhook in gitops-system; the chart registers the webhook
#      after a replica answers through its Service)
#   7. the fixture platform's projects (not the root app: scenario 1
#      applies it), and DIR/env for e2e/lib.sh
#
# Needs: docker, kind, kubectl, openssl, git, curl; helm comes from
# scripts/helm.sh (pinned) unless HELM is set.
# Environment: KIND_CLUSTER (default kubectl-gitops-e2e), KIND_IMAGE.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

# Pinned versions.  Argo CD 3 tracks resources by annotation by default,
# which is what the webhook's default configuration expects.
KIND_IMAGE=${KIND_IMAGE:-kindest/node:v1.32.2}
KIND_CLUSTER=${KIND_CLUSTER:-kubectl-gitops-e2e}
ARGOCD_VERSION=v3.0.6
ROLLOUTS_VERSION=v1.8.3
PAUSE_IMAGE=registry.k8s.io/pause:3.10
ARGOCD_MANIFEST=https://raw.githubusercontent.com/argoproj/argo-cd/$ARGOCD_VERSION/manifests/install.yaml
ROLLOUTS_MANIFEST=https://github.com/argoproj/argo-rollouts/releases/download/$ROLLOUTS_VERSION/install.yaml

NS=gitops-system
RELEASE=gitops-webhook
GIT_NS=e2e-git
SELECTOR=app.kubernetes.io/instance=$RELEASE
# Every image the fixtures run; 1.1.0 and 1.2.0 are scenario 7's releases.
FIXTURE_IMAGES="api:1.4.2 web:2.0.1 worker:0.9.0 worker:0.9.1 canary:1.0.0 canary:1.1.0 canary:1.2.0"

die() {
	echo "kind-setup: $*" >&2
	exit 1
}

usage() {
	sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
export KUBECONFIG=$dir/kubeconfig

step() {
	echo "--- $*" >&2
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || die "$t is needed for the kind e2e path"
	done
}

cluster_exists() {
	kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"
}

helm_bin() {
	if [ -n "${HELM:-}" ]; then
		echo "$HELM"
	else
		"$top/scripts/helm.sh"
	fi
}

create_cluster() {
	step "1. kind cluster $KIND_CLUSTER ($KIND_IMAGE)"
	if ! cluster_exists; then
		kind create cluster --name "$KIND_CLUSTER" --image "$KIND_IMAGE" \
			--config "$top/e2e/kind.yaml" --wait 5m --kubeconfig "$KUBECONFIG"
	fi
	kind get kubeconfig --name "$KIND_CLUSTER" >"$KUBECONFIG"
	chmod 0600 "$KUBECONFIG"
}

install_argo() {
	step "2. Argo CD $ARGOCD_VERSION and Argo Rollouts $ROLLOUTS_VERSION"
	kubectl create namespace argocd --dry-run=client -o yaml | kubectl apply -f -
	kubectl create namespace argo-rollouts --dry-run=client -o yaml | kubectl apply -f -
	# Server-side: Argo CD's CRDs are too large for the last-applied annotation.
	kubectl apply -n argocd --server-side --force-conflicts -f "$ARGOCD_MANIFEST"
	kubectl apply -n argo-rollouts --server-side --force-conflicts -f "$ROLLOUTS_MANIFEST"
	kubectl wait --for condition=established --timeout 2m \
		crd/applications.argoproj.io crd/appprojects.argoproj.io crd/rollouts.argoproj.io
	kubectl -n argocd rollout status deployment/argocd-repo-server --timeout 5m
	kubectl -n argocd rollout status statefulset/argocd-application-controller --timeout 5m
	kubectl -n argo-rollouts rollout status deployment/argo-rollouts --timeout 5m
}

# git-server: bare repositories of the fixtures in an image, and TLS.
install_git_server() {
	local ctx repo name ip tls=$dir/git-tls
	step "3. Git server for tests/fixtures/repos (git.example.com)"
	ctx=$(mktemp -d)
	mkdir -p "$ctx/repos/org"
	for repo in "$top"/tests/fixtures/repos/*/; do
		name=$(basename "$repo")
		cp -r "$repo" "$ctx/work-$name"
		git -C "$ctx/work-$name" init -q -b main
		git -C "$ctx/work-$name" add -A
		git -C "$ctx/work-$name" -c user.name=e2e -c user.email=e2e@example.com \
			commit -q -m "fixtures: $name"
		git clone -q --bare "$ctx/work-$name" "$ctx/repos/org/$name.git"
		rm -rf "$ctx/work-$name"
	done
	cp "$top/e2e/git-server/Dockerfile" "$top/e2e/git-server/serve.py" "$ctx/"
	docker build -q -t e2e-git-server:latest "$ctx" >/dev/null
	rm -rf "$ctx"
	kind load docker-image --name "$KIND_CLUSTER" e2e-git-server:latest

	mkdir -p "$tls"
	if [ ! -s "$tls/tls.crt" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
			-subj /CN=e2e-git-ca -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj /CN=git.example.com -keyout "$tls/tls.key" -out "$tls/tls.csr" 2>/dev/null
		printf 'subjectAltName=DNS:git.example.com\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
		openssl x509 -req -in "$tls/tls.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
			-CAcreateserial -days 30 -extfile "$tls/ext" -out "$tls/tls.crt" 2>/dev/null
	fi
	kubectl create namespace "$GIT_NS" --dry-run=client -o yaml | kubectl apply -f -
	kubectl -n "$GIT_NS" create secret tls git-server-tls --cert "$tls/tls.crt" \
		--key "$tls/tls.key" --dry-run=client -o yaml | kubectl apply -f -
	kubectl apply -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: git-server, namespace: $GIT_NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: git-server}}
  template:
    metadata: {labels: {app: git-server}}
    spec:
      containers:
      - name: git
        image: e2e-git-server:latest
        imagePullPolicy: Never
        ports: [{containerPort: 8443}]
        readinessProbe: {tcpSocket: {port: 8443}}
        volumeMounts: [{name: tls, mountPath: /tls, readOnly: true}]
      volumes: [{name: tls, secret: {secretName: git-server-tls}}]
---
apiVersion: v1
kind: Service
metadata: {name: git-server, namespace: $GIT_NS}
spec:
  selector: {app: git-server}
  ports: [{port: 443, targetPort: 8443}]
YAML
	kubectl -n "$GIT_NS" rollout restart deployment/git-server
	kubectl -n "$GIT_NS" rollout status deployment/git-server --timeout 3m

	# git.example.com is the Service's address for Argo CD's repo-server,
	# the only component that talks to Git (a hostAliases entry: the
	# ClusterIP is fixed for the Service's lifetime, and the cluster's DNS
	# stays untouched).
	ip=$(kubectl -n "$GIT_NS" get service git-server -o 'jsonpath={.spec.clusterIP}')
	kubectl -n argocd patch deployment argocd-repo-server --type strategic -p "{\"spec\":{
		\"template\":{\"spec\":{\"hostAliases\":[{\"ip\":\"$ip\",\"hostnames\":[\"git.example.com\"]}]}}}}"
	kubectl -n argocd rollout status deployment/argocd-repo-server --timeout 3m
	# Argo CD trusts the Git server's CA for that host name.
	kubectl -n argocd create configmap argocd-tls-certs-cm \
		--from-file=git.example.com="$tls/ca.crt" --dry-run=client -o yaml |
		kubectl label --local -f - app.kubernetes.io/name=argocd-tls-certs-cm \
			app.kubernetes.io/part-of=argocd -o yaml | kubectl apply -f -
}

load_fixture_images() {
	local img
	step "4. fixture images (the pause image under the fixtures' names)"
	docker pull -q "$PAUSE_IMAGE" >/dev/null
	for img in $FIXTURE_IMAGES; do
		docker tag "$PAUSE_IMAGE" "registry.example.com/platform/$img"
		kind load docker-image --name "$KIND_CLUSTER" "registry.example.com/platform/$img"
	done
}

webhook_tag() {
	git -C "$top" rev-parse --short=12 HEAD 2>/dev/null || echo dev
}

build_webhook_image() {
	local tag
	tag=$(webhook_tag)
	step "5. webhook image gitops-webhook:e2e-$tag"
	# Tagged with the commit (Kyverno's rule), so a stale image cannot pass.
	docker build -q --build-arg VERSION="$tag" -t "gitops-webhook:e2e-$tag" "$top" >/dev/null
	kind load docker-image --name "$KIND_CLUSTER" "gitops-webhook:e2e-$tag"
}

helm_install() {
	local tag
	tag=$(webhook_tag)
	step "6. helm upgrade --install $RELEASE"
	"$(helm_bin)" upgrade --install "$RELEASE" "$top/charts/gitops-webhook" \
		--namespace "$NS" --create-namespace --wait --timeout 5m \
		--set image.registry= --set image.repository=gitops-webhook \
		--set image.tag="e2e-$tag" --set image.pullPolicy=Never \
		--set validatingWebhookFailurePolicy=Fail
}

apply_platform() {
	step "7. the fixture platform's namespaces and projects"
	python3 - "$top/tests/fixtures/platform.yaml" <<'PY' | kubectl apply -f -
import re, sys
docs = re.split(r'(?m)^---\s*$', open(sys.argv[1]).read())
print('\n---\n'.join(d for d in docs if not re.search(r'(?m)^kind:\s*Application\s*$', d)))
PY
	cat >"$dir/env" <<EOF
E2E_TARGET=kind
E2E_STATE=$dir
KUBECONFIG=$KUBECONFIG
EOF
}

start() {
	need docker kind kubectl openssl git curl python3
	create_cluster
	install_argo
	install_git_server
	load_fixture_images
	build_webhook_image
	helm_install
	apply_platform
}

replicas() {
	kubectl -n "$NS" get deployment "$RELEASE" -o 'jsonpath={.spec.replicas}'
}

webhook_stop() {
	replicas >"$dir/replicas"
	# The release namespace is never sent to the webhook, so this works
	# even with failurePolicy Fail.
	kubectl -n "$NS" scale deployment "$RELEASE" --replicas 0
	kubectl -n "$NS" wait --for delete pod -l "$SELECTOR" --timeout 3m
}

webhook_start() {
	local n=3
	[ -s "$dir/replicas" ] && n=$(cat "$dir/replicas")
	[ "$n" -gt 0 ] || n=3
	kubectl -n "$NS" scale deployment "$RELEASE" --replicas "$n"
	kubectl -n "$NS" rollout status deployment "$RELEASE" --timeout 3m
}

# The chart registers the webhook in a post-upgrade hook.
register() {
	"$(helm_bin)" upgrade "$RELEASE" "$top/charts/gitops-webhook" --namespace "$NS" \
		--reuse-values --wait --timeout 5m
}

vwc_patch_ca() {
	kubectl patch validatingwebhookconfiguration "$RELEASE" --type json \
		-p "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$1\"}]"
}

reload_counts() {
	local pod
	for pod in $(kubectl -n "$NS" get pods -l "$SELECTOR" -o name); do
		printf '%s=%s ' "$pod" \
			"$(kubectl -n "$NS" logs "$pod" | grep -c '"msg":"serving certificate reloaded"')"
	done
}

# A new CA and serving certificate into the chart's Secret.  The kubelet
# updates the mounted files (within about a minute), each replica reloads
# them; meanwhile the caBundle holds both CAs.
rotate_cert() {
	local t=$dir/rotate fqdn=$RELEASE.$NS.svc before pod count i
	mkdir -p "$t"
	kubectl get validatingwebhookconfiguration "$RELEASE" \
		-o 'jsonpath={.webhooks[0].clientConfig.caBundle}' | base64 -d >"$t/old-ca.crt"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
		-subj /CN=e2e-rotated-ca -addext basicConstraints=critical,CA:TRUE \
		-keyout "$t/ca.key" -out "$t/ca.crt" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$fqdn" \
		-keyout "$t/tls.key" -out "$t/tls.csr" 2>/dev/null
	printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' \
		"$RELEASE" "$RELEASE" "$NS" "$fqdn" "$fqdn" >"$t/ext"
	openssl x509 -req -in "$t/tls.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
		-days 30 -extfile "$t/ext" -out "$t/tls.crt" 2>/dev/null

	vwc_patch_ca "$(cat "$t/old-ca.crt" "$t/ca.crt" | base64 | tr -d '\n')"
	before=$(reload_counts)
	kubectl -n "$NS" patch secret "$RELEASE-tls" --type merge -p "{\"data\":{
		\"tls.crt\":\"$(base64 <"$t/tls.crt" | tr -d '\n')\",
		\"tls.key\":\"$(base64 <"$t/tls.key" | tr -d '\n')\",
		\"ca.crt\":\"$(base64 <"$t/ca.crt" | tr -d '\n')\"}}"
	# Every replica must have reloaded once more than before.
	for i in $(seq 180); do
		count=0
		for pod in $before; do
			[ "$(kubectl -n "$NS" logs "${pod%=*}" 2>/dev/null |
				grep -c '"msg":"serving certificate reloaded"')" -gt "${pod#*=}" ] &&
				count=$((count + 1))
		done
		[ "$count" -eq "$(echo "$before" | wc -w)" ] && break
		sleep 1
	done
	[ "$count" -eq "$(echo "$before" | wc -w)" ] || die "not every replica reloaded its certificate"
	vwc_patch_ca "$(base64 <"$t/ca.crt" | tr -d '\n')"
}

webhook_log() {
	kubectl -n "$NS" logs -l "$SELECTOR" --tail -1 --max-log-requests 10 2>/dev/null
}

logs() {
	echo "--- webhook logs: everything but allow decisions (last 25) ---"
	webhook_log | grep -v '"decision":"allow"' | tail -25
	echo "--- warning events (last 20) ---"
	kubectl get events -A --field-selector type=Warning --sort-by .lastTimestamp 2>/dev/null | tail -20
	echo "--- Argo CD application controller (last 20) ---"
	kubectl -n argocd logs statefulset/argocd-application-controller --tail 20 2>/dev/null
	echo "--- Applications ---"
	kubectl get applications.argoproj.io -A 2>/dev/null
}

case $cmd in
start) start ;;
stop) need kind; cluster_exists && kind delete cluster --name "$KIND_CLUSTER"; true ;;
webhook-stop) webhook_stop ;;
webhook-start) webhook_start ;;
register) register ;;
rotate-cert) rotate_cert ;;
webhook-log) webhook_log ;;
logs) set +e; logs ;;
*) usage ;;
esac
