#!/usr/bin/env bash
# demo.sh - `make demo`: a newcomer's first minute with kubectl-gitops.
#
# Starts the simulated cluster (tests/kubesim: a Kubernetes API with
# simulated Argo CD and Argo Rollouts controllers) with the fixture
# platform, starts the admission webhook over TLS and registers it, then
# walks through the main uses with real commands and their real output:
#   1. bootstrap an app-of-apps with one `kubectl gitops sync`
#   2. a sync window freezes changes, for the plugin and for kubectl alike
#   3. Prune=false: nobody deletes the data volume by hand
#   4. Delete=confirm: deleting needs an approval first
#   5. a canary release: promote, abort, retry, promote --full
# Everything it starts is stopped at the end, also on failure or Ctrl-C.
#
#   scripts/demo.sh            (make demo builds first)
#   DEMO_PAUSE=1 scripts/demo.sh   wait for Enter between the parts
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	B=$'\e[1m' C=$'\e[36m' D=$'\e[2m' R=$'\e[0m'
else
	B='' C='' D='' R=''
fi

state=
cleanup() {
	if [ -n "$state" ]; then
		e2e/sim-setup.sh stop "$state" >/dev/null 2>&1
		rm -rf "$state"
	fi
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up" >&2; exit 130' INT TERM

die() {
	echo "demo: $*" >&2
	exit 1
}

part() {
	echo
	echo "${B}== $1${R}"
	shift
	local line
	for line in "$@"; do
		echo "${D}   $line${R}"
	done
	if [ -n "${DEMO_PAUSE:-}" ] && [ -t 0 ]; then
		read -r -p "${D}   (Enter)${R}" _
	fi
}

# An argument as a shell would need it typed.
quote() {
	case $1 in
	*[!A-Za-z0-9_./:=@,+-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# show CMD...: prints the command as the user would type it, then runs it.
show() {
	local a line=
	for a in "$@"; do
		line+="${line:+ }$(quote "$a")"
	done
	echo "${C}\$ $line${R}"
	"$@"
	local rc=$?
	[ "$rc" -ne 0 ] && echo "${D}   (exit status $rc)${R}"
	return 0
}

note() {
	echo "${D}   $*${R}"
}

has() {
	kubectl gitops "$1" --help >/dev/null 2>&1
}

wait_for() {
	local secs=$1 end
	shift
	end=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

app_is() {
	[ "$(kubectl get applications.argoproj.io -n argocd "$1" \
		-o 'jsonpath={.status.sync.status}/{.status.health.status}' 2>/dev/null)" = "$2" ]
}

rollout_is() {
	[ "$(kubectl get rollout canary -n platform \
		-o 'jsonpath={.status.phase}/{.status.currentStepIndex}' 2>/dev/null)" = "$1" ]
}

# Patches for the project's window 0 (tests/fixtures/platform.yaml).
window0() { # window0 SCHEDULE DURATION MANUALSYNC
	printf '[{"op":"replace","path":"/spec/syncWindows/0/schedule","value":"%s"},%s%s]' "$1" \
		"{\"op\":\"replace\",\"path\":\"/spec/syncWindows/0/duration\",\"value\":\"$2\"}," \
		"{\"op\":\"replace\",\"path\":\"/spec/syncWindows/0/manualSync\",\"value\":$3}"
}

# The webhook learns about the project through its watch; a server-side
# dry run of a manual sync tells when it judges by the new window.
webhook_allows_sync() {
	kubectl patch applications.argoproj.io worker -n argocd --type merge --dry-run=server \
		-p '{"operation":{"initiatedBy":{"username":"demo"},"sync":{"revision":"HEAD"}}}'
}

canary_image() {
	printf '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"%s"}]' \
		"registry.example.com/platform/canary:$1"
}

# --- setup ------------------------------------------------------------------

for b in bin/kubectl-gitops bin/gitops-webhook; do
	[ -x "$b" ] || make --no-print-directory all >&2 || die "build failed"
done
command -v kubectl >/dev/null || die "kubectl is needed (the plugin runs as \`kubectl gitops\`)"
export PATH=$top/bin:$PATH

part "Setting up" \
	"A simulated Kubernetes API server with simulated Argo CD and Argo Rollouts" \
	"controllers, the fixture platform's projects, and the admission webhook" \
	"(bin/gitops-webhook) serving TLS and registered like the Helm chart does."
state=$(mktemp -d "${TMPDIR:-/tmp}/gitops-demo.XXXXXX")
e2e/sim-setup.sh start "$state" || die "setup failed"
export KUBECONFIG=$state/kubeconfig
show kubectl get validatingwebhookconfiguration
show kubectl get appprojects -n argocd

# --- 1 ------------------------------------------------------------------------

part "1. Bootstrap an app-of-apps" \
	"The root app 'platform' has five children in three sync waves: infra (-1)," \
	"api and web (0), worker and canary (1).  One command syncs the root and" \
	"cascades into the children, wave by wave, each wave Healthy before the next."
show kubectl apply -f tests/fixtures/platform.yaml
show kubectl gitops sync platform --timeout 2m
if has tree; then
	show kubectl gitops tree platform
else
	note "(kubectl gitops tree is not in this build; kubectl shows the apps instead)"
	show kubectl get applications -n argocd
fi

# --- 2 ------------------------------------------------------------------------

part "2. A sync window freezes changes" \
	"The platform project gets a deny window for worker and canary, active now." \
	"The plugin refuses to sync, and the webhook refuses a direct kubectl change" \
	"to what Argo CD manages.  With manualSync: true, manual syncs may go ahead."
show kubectl patch appproject platform -n argocd --type json -p "$(window0 '* * * * *' 1h false)"
wait_for 20 eval '! webhook_allows_sync'
show kubectl gitops windows platform --app worker
show kubectl gitops sync worker
show kubectl set image deployment/worker -n platform worker=registry.example.com/platform/worker:0.9.1
show kubectl patch appproject platform -n argocd --type json -p "$(window0 '* * * * *' 1h true)"
wait_for 20 webhook_allows_sync
show kubectl gitops sync worker
kubectl patch appproject platform -n argocd --type json -p "$(window0 '0 0 1 1 *' 1m false)" >/dev/null
note "(the window is switched off again)"

# --- 3 ------------------------------------------------------------------------

part "3. Prune=false protects the data" \
	"The claim 'data' carries argocd.argoproj.io/sync-options: Prune=false." \
	"Argo CD never prunes it; the webhook makes sure nobody deletes it by hand," \
	"and that the protection can only be removed through Git."
show kubectl delete pvc data -n platform
show kubectl annotate pvc data -n platform argocd.argoproj.io/sync-options-

# --- 4 ------------------------------------------------------------------------

part "4. Delete=confirm needs an approval" \
	"The namespace 'platform' carries Delete=confirm.  Deleting it is refused" \
	"until the owning app is approved.  (--dry-run=server: the webhook judges a" \
	"dry run like the real thing, and the demo keeps its namespace.)"
show kubectl delete namespace platform --dry-run=server
if has confirm-deletion; then
	show kubectl gitops confirm-deletion infra
	show kubectl delete namespace platform --dry-run=server
else
	note "(kubectl gitops confirm-deletion is not in this build; the approval it"
	note " writes is the annotation argocd.argoproj.io/deletion-approved on the app)"
fi

# --- 5 ------------------------------------------------------------------------

part "5. A canary release" \
	"The canary Rollout goes 25% -> pause -> 50% -> pause 10s -> 75% -> 100%." \
	"Release 1.1.0 and promote it; release 1.2.0, abort it, retry, and promote" \
	"it all the way with --full."
show kubectl patch rollout canary -n platform --type json -p "$(canary_image 1.1.0)"
show kubectl gitops rollout status canary -n platform --timeout 30s --success-on-pause
show kubectl gitops rollout promote canary -n platform
show kubectl gitops rollout status canary -n platform --timeout 30s
show kubectl patch rollout canary -n platform --type json -p "$(canary_image 1.2.0)"
wait_for 30 rollout_is Paused/1
show kubectl gitops rollout abort canary -n platform
show kubectl gitops rollout status canary -n platform --timeout 10s
show kubectl gitops rollout retry canary -n platform
wait_for 30 rollout_is Paused/1
show kubectl gitops rollout list -n platform
show kubectl gitops rollout promote canary -n platform --full
show kubectl gitops rollout status canary -n platform --timeout 30s
show kubectl gitops rollout get canary -n platform

part "Done" \
	"The webhook decided every write above; its log is one JSON line per decision:"
grep '"decision":"deny"' "$state/webhook.log" | tail -2 | cut -c1-200
echo
echo "Next: README.md (install, configuration, the emergency procedure)," \
	"make e2e (the whole suite), make sim (a cluster to play with)."
