# shellcheck shell=bash
# lib.sh - sourced by every e2e scenario (e2e/NN-name.sh).
#
# A scenario reads like a user session: it runs `kubectl` and `kubectl
# gitops` and asserts what the user sees.  It never knows which cluster it
# runs on; the few things that differ (how to stop the webhook, how to
# rotate its certificate, where its log is) are the webhook_* helpers
# below, which hand over to e2e/$E2E_TARGET-setup.sh.
#
# Environment (set by e2e/run.sh): E2E_TARGET (sim | kind), E2E_STATE (the
# run's directory; its `env` file is read here), KUBECONFIG, PATH with
# bin/ first, E2E_TIMEOUT_SCALE (timeouts are multiplied by it; kind uses
# a larger one, its controllers are slower than the simulator's).
#
# TAP: run, expect_rc, expect_out, expect_err, expect_eq, ok and
# done_testing come from tests/lib/tap.sh.  Added here:
#
#   say TEXT                      a comment line: what the user does next
#   require_commands CMD...       skip the whole scenario unless
#                                 `kubectl gitops CMD` exists
#   wait_for SECS CMD...          retry CMD until it succeeds (status 1 on timeout)
#   expect_eventually SECS DESC CMD...   wait_for as a test line
#   expect_denied POLICY DESC     the last `run` was refused by the webhook
#                                 with that policy's name in the message
#   app_state APP                 "Sync/Health" of an Application (namespace argocd)
#   need_platform                 the platform bootstrapped (scenario 1), once
#   webhook_stop | webhook_start | webhook_register | webhook_rotate_cert
#   webhook_log                   the webhook's log, all replicas
#   webhook_decisions             how many admission decisions it logged so far

e2e_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=/dev/null
[ -n "${E2E_STATE:-}" ] && [ -f "$E2E_STATE/env" ] && . "$E2E_STATE/env" && export KUBECONFIG
E2E_TARGET=${E2E_TARGET:-sim}
E2E_TIMEOUT_SCALE=${E2E_TIMEOUT_SCALE:-1}
case ":$PATH:" in *":$e2e_top/bin:"*) ;; *) PATH=$e2e_top/bin:$PATH ;; esac
export PATH NO_COLOR=1
. "$e2e_top/tests/lib/tap.sh"

# The names the chart gives the webhook (release gitops-webhook in
# gitops-system); e2e/sim-setup.sh registers it under the same names.
WEBHOOK_CONFIGURATION=gitops-webhook
WEBHOOK_NAME=validate.gitops-webhook.gitops-system.svc
FIXTURES=$e2e_top/tests/fixtures

say() {
	printf '# %s\n' "$*"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# A command the plugin does not know yet skips the scenario; anything else
# (no plugin on PATH, a crash) fails it.
require_commands() {
	local c msg
	for c in "$@"; do
		msg=$(kubectl gitops "$c" --help 2>&1 >/dev/null) && continue
		case $msg in
		*"unknown command \"$c\" for \"kubectl gitops\""*)
			skip_all "kubectl gitops $c not available" ;;
		esac
		echo "not ok 1 - kubectl gitops $c --help fails: $msg"
		echo "1..1"
		exit 1
	done
}

wait_for() {
	local secs=$1 end
	shift
	end=$(($(date +%s) + secs * E2E_TIMEOUT_SCALE))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

expect_eventually() {
	local secs=$1 desc=$2
	shift 2
	wait_for "$secs" "$@"
	ok $? "$desc"
}

expect_denied() {
	local policy=$1 desc=$2
	[ "$rc" -ne 0 ] && printf '%s\n' "$err" |
		grep -Eq "admission webhook \"$WEBHOOK_NAME\" denied the request: $policy: "
	ok $? "$desc"
}

app_state() {
	kubectl get applications.argoproj.io -n "${2:-argocd}" "$1" \
		-o 'jsonpath={.status.sync.status}/{.status.health.status}' 2>/dev/null
}

# app_is APP STATE: for wait_for.
app_is() {
	[ "$(app_state "$1")" = "$2" ]
}

platform_apps="platform infra api web worker canary"

platform_healthy() {
	local a
	for a in $platform_apps; do
		app_is "$a" Synced/Healthy || return 1
	done
}

# The bootstrap of scenario 1, for scenarios run on their own: apply the
# root app and sync it (the children sync themselves), unless the root app
# has been synced already.  Later scenarios change things (a canary image,
# a window), so "bootstrapped" is not "everything Healthy now".
need_platform() {
	[ "$(kubectl get applications.argoproj.io -n argocd platform \
		-o 'jsonpath={.status.operationState.phase}' 2>/dev/null)" = Succeeded ] && return 0
	kubectl apply -f "$FIXTURES/platform.yaml" >/dev/null || return 1
	if kubectl gitops sync --help >/dev/null 2>&1; then
		kubectl gitops sync platform --timeout "$((120 * E2E_TIMEOUT_SCALE))s" >/dev/null 2>&1
	else
		# What `argocd app sync` writes, for a plugin without sync.
		kubectl patch applications.argoproj.io -n argocd platform --type merge \
			-p '{"operation":{"initiatedBy":{"username":"e2e"},"sync":{"revision":"HEAD"}}}' >/dev/null
	fi
	wait_for 90 platform_healthy
}

# --- the webhook: the part that differs per target -----------------------

e2e_setup() {
	"$e2e_top/e2e/$E2E_TARGET-setup.sh" "$@" "$E2E_STATE"
}

webhook_stop() { e2e_setup webhook-stop; }
webhook_start() { e2e_setup webhook-start; }
webhook_register() { e2e_setup register; }
webhook_rotate_cert() { e2e_setup rotate-cert; }
webhook_log() { e2e_setup webhook-log; }

webhook_decisions() {
	webhook_log | grep -c '"msg":"admission decision"'
}
