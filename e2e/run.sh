#!/usr/bin/env bash
# run.sh - the e2e suite: every e2e/NN-name.sh scenario, in order, against
# one cluster with the real webhook registered over TLS.
#
#   e2e/run.sh [--target sim|kind] [--format tap|summary] [--keep] [PATTERN...]
#
#   --target sim    (default) the API simulator, set up by e2e/sim-setup.sh
#   --target kind   a kind cluster with Argo CD, Argo Rollouts and the chart,
#                   set up by e2e/kind-setup.sh (needs Docker, kind, helm)
#   --format tap    (default) one TAP line per assertion, numbered across
#                   the scenarios, each prefixed with its scenario's name
#   --format summary  one line per scenario and "N passed, N failed"
#   --keep          leave the cluster (and, for sim, its directory) behind
#   PATTERN         run only the scenarios whose file name contains one
#
# A scenario that needs a `kubectl gitops` command the plugin does not have
# yet reports one TAP skip ("# SKIP kubectl gitops tree not available"),
# never a pass.  When a scenario fails, the webhook's log and the
# simulator's request log (or the kind cluster's logs) are printed as TAP
# comments.  Exit status: 0 when nothing failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

target=sim format=tap keep=
patterns=()
while [ $# -gt 0 ]; do
	case $1 in
	--target) target=${2:-}; shift ;;
	--target=*) target=${1#*=} ;;
	--format) format=${2:-}; shift ;;
	--format=*) format=${1#*=} ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '4,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) patterns+=("$1") ;;
	esac
	shift
done
case $target in sim|kind) ;; *) echo "run.sh: --target is sim or kind" >&2; exit 2 ;; esac
case $format in tap|summary) ;; *) echo "run.sh: --format is tap or summary" >&2; exit 2 ;; esac

export E2E_TARGET=$target
export PATH=$top/bin:$PATH NO_COLOR=1 LC_ALL=C.UTF-8
if [ "$target" = kind ]; then
	export E2E_TIMEOUT_SCALE=${E2E_TIMEOUT_SCALE:-5}
	export E2E_STATE=${E2E_STATE:-$top/build/e2e-kind}
	scenario_timeout=${E2E_SCENARIO_TIMEOUT:-900}
else
	export E2E_TIMEOUT_SCALE=${E2E_TIMEOUT_SCALE:-1}
	export E2E_STATE=${E2E_STATE:-$(mktemp -d "${TMPDIR:-/tmp}/e2e-sim.XXXXXX")}
	scenario_timeout=${E2E_SCENARIO_TIMEOUT:-120}
fi
setup=$top/e2e/$target-setup.sh

n=0 passed=0 failed=0 skipped=0
emit() {
	[ "$format" = tap ] && printf '%s\n' "$*"
}

cleanup() {
	[ -n "$keep" ] && { echo "# kept: $E2E_STATE" >&2; return; }
	"$setup" stop "$E2E_STATE" >/dev/null 2>&1
	[ "$target" = sim ] && rm -rf "$E2E_STATE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wanted() {
	local p
	[ ${#patterns[@]} -eq 0 ] && return 0
	for p in "${patterns[@]}"; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}

echo "# $target: setting up (log: $E2E_STATE.setup.log)"
if ! "$setup" start "$E2E_STATE" >"$E2E_STATE.setup.log" 2>&1; then
	emit "not ok 1 - $target setup"
	sed 's/^/# /' "$E2E_STATE.setup.log"
	"$setup" logs "$E2E_STATE" 2>/dev/null | sed 's/^/# /'
	rm -f "$E2E_STATE.setup.log"
	emit "1..1"
	[ "$format" = summary ] && echo "0 passed, 1 failed"
	exit 1
fi
rm -f "$E2E_STATE.setup.log"

# run_scenario FILE: runs it, renumbers its TAP lines into ours.
run_scenario() {
	local f=$1 name log rc line s_pass=0 s_fail=0 skip_reason='' desc
	name=$(basename "$f" .sh)
	log=$E2E_STATE/$name.log
	timeout --kill-after=5 "$scenario_timeout" bash "$f" >"$log" 2>&1 </dev/null
	rc=$?
	while IFS= read -r line; do
		case $line in
		'1..0 # SKIP'*) skip_reason=${line#1..0 # SKIP } ;;
		'ok '[0-9]*)
			desc=${line#ok }
			desc=${desc#* }
			desc=${desc#- }
			n=$((n + 1)) s_pass=$((s_pass + 1))
			emit "ok $n - $name: $desc" ;;
		'not ok '[0-9]*)
			desc=${line#not ok }
			desc=${desc#* }
			desc=${desc#- }
			n=$((n + 1)) s_fail=$((s_fail + 1))
			emit "not ok $n - $name: $desc" ;;
		'1..'*) ;;
		'#'*) emit "$line" ;;
		*) emit "# $line" ;;
		esac
	done <"$log"
	if [ -n "$skip_reason" ]; then
		n=$((n + 1)) skipped=$((skipped + 1))
		emit "ok $n - $name # SKIP $skip_reason"
		[ "$format" = summary ] && printf '%-28s SKIP (%s)\n' "$name" "$skip_reason"
		return
	fi
	if [ "$rc" -ne 0 ] && [ "$s_fail" -eq 0 ]; then
		n=$((n + 1)) s_fail=1
		if [ "$rc" -eq 124 ]; then
			emit "not ok $n - $name: timed out after ${scenario_timeout}s"
		else
			emit "not ok $n - $name: exited with status $rc"
		fi
	fi
	passed=$((passed + s_pass))
	failed=$((failed + s_fail))
	if [ "$s_fail" -gt 0 ]; then
		if [ "$format" = summary ]; then
			printf '%-28s FAIL (%d passed, %d failed)\n' "$name" "$s_pass" "$s_fail"
			grep -E '^not ok|^#' "$log" | head -30 | sed 's/^/    /'
		fi
		"$setup" logs "$E2E_STATE" 2>&1 | sed 's/^/# /'
	elif [ "$format" = summary ]; then
		printf '%-28s ok (%d)\n' "$name" "$s_pass"
	fi
}

for f in "$top"/e2e/[0-9][0-9]-*.sh; do
	[ -f "$f" ] && wanted "$(basename "$f")" && run_scenario "$f"
done

if [ "$format" = tap ]; then
	echo "1..$n"
	echo "# $target: $passed passed, $failed failed, $skipped skipped"
elif [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
