#!/usr/bin/env bash
# sim-setup.sh - the e2e cluster without a container engine: the Kubernetes
# API simulator with its Argo CD and Argo Rollouts controllers, and the real
# webhook binary registered in it over TLS, the way the chart registers it
# on a real cluster.
#
#   e2e/sim-setup.sh start DIR         start both, register, apply the platform
#   e2e/sim-setup.sh stop DIR          stop what `start` started
#   e2e/sim-setup.sh webhook-stop DIR  kill the webhook (the "webhook down" case)
#   e2e/sim-setup.sh webhook-start DIR start it again on the same port
#   e2e/sim-setup.sh register DIR      (re)create the ValidatingWebhookConfiguration
#   e2e/sim-setup.sh rotate-cert DIR   new CA and serving certificate, under traffic
#   e2e/sim-setup.sh webhook-log DIR   the webhook's log (every start appends)
#   e2e/sim-setup.sh logs DIR          for a failure report: the ends of the
#                                      webhook log and the request log
#
# DIR holds everything of one run: kubeconfig, the simulator's output and
# request log (requests.log), the webhook's log (webhook.log), tls/, the
# pids, and `env`, a file of shell assignments that e2e/lib.sh reads
# (KUBECONFIG, E2E_TARGET=sim, E2E_STATE).
#
# How the pieces meet: the webhook is registered as Service
# gitops-system/gitops-webhook, port 443, path /validate, with the CA in
# caBundle, exactly as charts/gitops-webhook renders it.  kubesim's
# --service-map sends calls for that Service to the webhook's loopback
# port and checks the certificate against the name
# gitops-webhook.gitops-system.svc, as kube-apiserver would.  The port is
# chosen before either process starts, because the map is fixed when the
# simulator starts and the webhook needs the simulator to watch.
#
# Environment: E2E_WEBHOOK_BIN (default bin/gitops-webhook),
# E2E_FAILURE_POLICY (Fail or Ignore, default Fail).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

NS=gitops-system
SVC=gitops-webhook
VWC=gitops-webhook
HOOK_NAME=validate.$SVC.$NS.svc

die() {
	echo "sim-setup: $*" >&2
	exit 1
}

usage() {
	sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd) || die "cannot use $2"
webhook_bin=${E2E_WEBHOOK_BIN:-$top/bin/gitops-webhook}

# The value of KEY in DIR/env.
getenv() {
	sed -n "s/^$1=//p" "$dir/env" 2>/dev/null | tail -1
}

kc() {
	kubectl --kubeconfig "$dir/kubeconfig" "$@"
}

alive() {
	[ -s "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null
}

# Stops the process whose pid is in DIR/NAME.pid: TERM, then KILL after 5 s.
stop_pid() {
	local pid i
	[ -s "$dir/$1.pid" ] || return 0
	pid=$(cat "$dir/$1.pid")
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$dir/$1.pid"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# mkca NAME: a CA (EC P-256, two days: made afresh each run).
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=e2e-$1" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$dir/tls/$1.key" -out "$dir/tls/$1.crt" 2>/dev/null
}

# mkleaf NAME CA: the serving certificate, with the Service's DNS names as
# SANs (the chart's list) and the loopback address.
mkleaf() {
	local t=$dir/tls
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$SVC.$NS.svc" -keyout "$t/$1.key" -out "$t/$1.csr" 2>/dev/null &&
		printf '%s\n' "basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
			"subjectAltName=DNS:$SVC,DNS:$SVC.$NS,DNS:$SVC.$NS.svc,DNS:$SVC.$NS.svc.cluster.local,IP:127.0.0.1" \
			>"$t/$1.ext" &&
		openssl x509 -req -in "$t/$1.csr" -CA "$t/$2.crt" -CAkey "$t/$2.key" \
			-CAcreateserial -days 2 -extfile "$t/$1.ext" -out "$t/$1.crt" 2>/dev/null &&
		rm -f "$t/$1.csr" "$t/$1.ext"
}

# install_leaf NAME: make NAME the served pair.  Each file is replaced by a
# rename, so the webhook never reads half a file; between the two renames
# the pair does not match, which the webhook refuses (it keeps serving the
# old pair until the new one is whole).
install_leaf() {
	local t=$dir/tls
	cp "$t/$1.key" "$t/tls.key.new" && cp "$t/$1.crt" "$t/tls.crt.new" &&
		mv "$t/tls.key.new" "$t/tls.key" && mv "$t/tls.crt.new" "$t/tls.crt"
}

b64() {
	cat "$@" | base64 | tr -d '\n'
}

# The serial number of the certificate the webhook serves now.
served_serial() {
	openssl s_client -connect "127.0.0.1:$(getenv E2E_WEBHOOK_PORT)" \
		-servername "$SVC.$NS.svc" </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null
}

set_ca_bundle() {
	kc patch validatingwebhookconfiguration "$VWC" --type json \
		-p "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$1\"}]" >/dev/null
}

webhook_start() {
	local port i
	port=$(getenv E2E_WEBHOOK_PORT)
	alive webhook && return 0
	"$webhook_bin" serve --listen "127.0.0.1:$port" \
		--tls-cert-file "$dir/tls/tls.crt" --tls-private-key-file "$dir/tls/tls.key" \
		--kubeconfig "$dir/kubeconfig" --shutdown-grace 2s \
		</dev/null >>"$dir/webhook.log" 2>&1 &
	echo $! >"$dir/webhook.pid"
	# Ready means the certificate is loaded and the AppProjects and
	# Applications are listed: only then may the API server call it.
	for i in $(seq 100); do
		curl -s -o /dev/null --max-time 2 --cacert "$dir/tls/ca.crt" \
			--resolve "$SVC.$NS.svc:$port:127.0.0.1" "https://$SVC.$NS.svc:$port/readyz" &&
			return 0
		alive webhook || break
		sleep 0.1
	done
	tail -5 "$dir/webhook.log" >&2
	die "the webhook did not become ready on port $port"
}

register() {
	local policy=${E2E_FAILURE_POLICY:-Fail}
	kc apply -f - >/dev/null <<YAML || die "cannot register the webhook"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: $VWC
  labels:
    app.kubernetes.io/name: gitops-webhook
    app.kubernetes.io/part-of: kubectl-gitops
webhooks:
- name: $HOOK_NAME
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: $policy
  matchPolicy: Equivalent
  timeoutSeconds: 3
  clientConfig:
    service: {name: $SVC, namespace: $NS, path: /validate, port: 443}
    caBundle: $(b64 "$dir/tls/ca.crt")
  namespaceSelector:
    matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: [kube-system, $NS]
  rules:
  - apiGroups: [argoproj.io]
    apiVersions: ['*']
    operations: [CREATE, UPDATE, DELETE]
    resources: [applications, appprojects]
    scope: Namespaced
  - apiGroups: ['*']
    apiVersions: ['*']
    operations: [UPDATE, DELETE]
    resources: ['*']
    scope: '*'
YAML
}

# The fixture platform without its root Application: scenario 1 applies
# that, as a user bootstrapping the platform would.
platform_base() {
	python3 - "$top/tests/fixtures/platform.yaml" <<'PY'
import re, sys
docs = re.split(r'(?m)^---\s*$', open(sys.argv[1]).read())
print('\n---\n'.join(d for d in docs if not re.search(r'(?m)^kind:\s*Application\s*$', d)))
PY
}

start() {
	local port i
	command -v kubectl >/dev/null || die "kubectl is not installed"
	[ -x "$webhook_bin" ] || die "$webhook_bin is not built (run make)"
	alive kubesim && die "already started in $dir (run: $0 stop $dir)"
	mkdir -p "$dir/tls"
	mkca ca && mkleaf leaf ca && install_leaf leaf || die "openssl failed"
	port=$(free_port)
	: >"$dir/requests.log"
	"$top/tests/kubesim/kubesim" --listen 127.0.0.1:0 --kubeconfig-out "$dir/kubeconfig" \
		--repos "$top/tests/fixtures/repos" --request-log "$dir/requests.log" \
		--service-map "$NS/$SVC=127.0.0.1:$port" \
		</dev/null >"$dir/kubesim.out" 2>"$dir/kubesim.err" &
	echo $! >"$dir/kubesim.pid"
	for i in $(seq 100); do
		grep -q 'listening' "$dir/kubesim.out" 2>/dev/null && break
		alive kubesim || break
		sleep 0.1
	done
	grep -q 'listening' "$dir/kubesim.out" 2>/dev/null ||
		die "kubesim did not start: $(tail -3 "$dir/kubesim.err")"
	cat >"$dir/env" <<EOF
E2E_TARGET=sim
E2E_STATE=$dir
KUBECONFIG=$dir/kubeconfig
E2E_WEBHOOK_PORT=$port
E2E_API=$(sed -n 's/.*listening on //p' "$dir/kubesim.out")
EOF
	platform_base | kc apply -f - >/dev/null || die "cannot apply the platform's projects"
	kc create namespace "$NS" >/dev/null || die "cannot create namespace $NS"
	webhook_start
	register
}

stop() {
	stop_pid webhook
	stop_pid kubesim
}

rotate_cert() {
	local n want
	n=$(( $(ls "$dir"/tls/ca*.crt | wc -l) + 1 ))
	mkca "ca$n" && mkleaf "leaf$n" "ca$n" || die "openssl failed"
	# Trust both CAs while the serving certificate changes (Kyverno appends
	# the new CA too), so calls made with either certificate succeed.
	set_ca_bundle "$(b64 "$dir/tls/ca.crt" "$dir/tls/ca$n.crt")"
	want=$(openssl x509 -in "$dir/tls/leaf$n.crt" -noout -serial)
	install_leaf "leaf$n"
	for _ in $(seq 100); do
		[ "$(served_serial)" = "$want" ] && break
		sleep 0.1
	done
	[ "$(served_serial)" = "$want" ] || die "the webhook still serves the old certificate"
	cp "$dir/tls/ca$n.crt" "$dir/tls/ca.crt"
	set_ca_bundle "$(b64 "$dir/tls/ca.crt")"
}

case $cmd in
start) start ;;
stop) stop ;;
webhook-stop) stop_pid webhook ;;
webhook-start) webhook_start ;;
register) register ;;
rotate-cert) rotate_cert ;;
webhook-log) cat "$dir/webhook.log" 2>/dev/null ;;
logs)
	# What explains a failure: the webhook's denials, warnings and errors
	# (its allow decisions are most of its log), the webhook calls that
	# did not allow, and the requests that failed.
	echo "--- webhook log: everything but allow decisions (last 25) ---"
	grep -v '"decision":"allow"' "$dir/webhook.log" 2>/dev/null | tail -25
	echo "--- simulator request log: webhook denials and errors, failed requests (last 25) ---"
	grep -E '"result":"(denied|error)"|"code":[45]' "$dir/requests.log" 2>/dev/null |
		grep -v '"method":"GET"' | tail -25
	echo "--- simulator stderr (last 10 lines) ---"
	tail -10 "$dir/kubesim.err" 2>/dev/null
	;;
*) usage ;;
esac
