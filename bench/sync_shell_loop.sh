#!/usr/bin/env bash
# The baseline of the sync benchmark (bench/sync.sh): what one would write
# without `kubectl gitops sync` to sync an app-of-apps and its children wave
# by wave, with kubectl only.
#
#   bench/sync_shell_loop.sh ROOT PARALLEL RUN-ID     (KUBECONFIG set; -n argocd)
#
# 1. Sync ROOT: `kubectl patch` its .operation, then `kubectl wait` until
#    that operation is the one recorded, it Succeeded and ROOT is Synced.
# 2. Read the children and their waves from ROOT's status.resources (one
#    kubectl get).
# 3. Wave after wave: `xargs -P PARALLEL` runs one worker per child, so at
#    most PARALLEL children sync at once, and a new one starts as soon as
#    one is done.  A worker `kubectl patch`es the child's .operation, then
#    runs one `kubectl wait` per condition: the recorded operation is ours,
#    it Succeeded, the app is Synced, it is Healthy.  The next wave starts
#    when every worker of the wave is done.
# 4. Wait for ROOT to be Healthy (its health follows its children's).
#
# Waiting for operationState.phase=Succeeded alone would be wrong: the
# phase of the previous sync is still there until the controller picks the
# new operation up.  So every operation carries the RUN-ID as an info item,
# and the first wait is for the recorded operation to carry it.
#
# Exits non-zero when a kubectl command fails or a wait times out
# (SHELL_LOOP_TIMEOUT, default 300s per wait).
set -euo pipefail

root=$1 parallel=$2
export run=$3
export timeout=${SHELL_LOOP_TIMEOUT:-300s}
# "applications.argoproj.io" would make kubectl redo its discovery every time
export kind=applications

sync_one() { # sync_one APP: trigger, then wait until done, Synced and Healthy
	local a=$1 op
	op=$(printf '{"operation":{"initiatedBy":{"username":"shell-loop"},"info":[{"name":"run","value":"%s"}],"sync":{"syncStrategy":{"hook":{}}}}}' "$run")
	kubectl -n argocd patch "$kind" "$a" --type merge -p "$op" >/dev/null || return
	for cond in '{.status.operationState.operation.info[0].value}'="$run" \
		'{.status.operationState.phase}'=Succeeded '{.status.sync.status}'=Synced \
		${2:+'{.status.health.status}'=Healthy}; do
		kubectl -n argocd wait "$kind" "$a" --timeout="$timeout" \
			--for=jsonpath="$cond" >/dev/null || return
	done
}
export -f sync_one

sync_one "$root"     # not Healthy yet, maybe: that depends on its children

# "WAVE NAME" per child; syncWave is omitted for wave 0.
children=$(kubectl -n argocd get "$kind" "$root" -o \
	jsonpath='{range .status.resources[?(@.kind=="Application")]}{.syncWave} {.name}{"\n"}{end}' |
	awk 'NF == 1 { print 0, $1; next } NF == 2 { print }' | sort -n -s -k1,1)
[ -n "$children" ] || { echo "sync_shell_loop: $root has no child Applications" >&2; exit 1; }

for wave in $(cut -d' ' -f1 <<<"$children" | uniq); do
	# shellcheck disable=SC2016 # $1 is the inner bash's argument
	awk -v w="$wave" '$1 == w { print $2 }' <<<"$children" |
		xargs -P "$parallel" -I{} bash -c 'sync_one "$1" healthy' _ {}
done

kubectl -n argocd wait "$kind" "$root" --timeout="$timeout" \
	--for=jsonpath='{.status.health.status}'=Healthy >/dev/null
