#!/usr/bin/env bash
# kubectl gitops sync and a canary Rollout paused at a step (issue 6,
# "Integration with sync"): the fixture canary, under the child app canary,
# pauses at its first pause step after an image change.  The progress and
# the summary must say where it is paused and how to promote it; the sync
# keeps waiting (a human may promote) until --health-timeout, and goes on
# when someone promotes it meanwhile.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/cli/sync_lib.sh

jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# new_image TAG: a commit that changes the canary's image, seen by the controller
new_image() {
	sed -i "s/canary:[0-9][0-9.]*/canary:$1/" "$tap_tmp/repos/platform/canary/rollout.yaml"
	kubectl gitops refresh canary >/dev/null
}
pause_line='paused at step 1/5 \(CanaryPauseStep\) — promote with `kubectl gitops rollout promote canary -n platform`'

sim_platform_manual_repos "$tap_tmp/repos"
sim_start "$tap_tmp/repos"
kubectl gitops sync platform --timeout 30s >/dev/null 2>&1
ok $? "the platform is synced first (the canary's first version needs no steps)"

new_image 1.1.0
n0=$(wc -l <"$sim_log")
run kubectl gitops sync platform --health-timeout 3s --timeout 40s -o json
expect_rc 3 "a Rollout left paused ends in --health-timeout (exit 3)"
expect_eq "$(printf '%s' "$out" | jq_ '" ".join(a["name"] + "=" + a["result"] for a in d["apps"])')" \
	"platform=TimedOut infra=Skipped api=Skipped web=Skipped canary=TimedOut worker=Skipped" \
	"canary timed out; its parent times out with it (not a failure)"
expect_out "\"message\": \"not Synced and Healthy within --health-timeout \\(Synced, Suspended\\): $pause_line\"" \
	"the summary says where the Rollout is paused and the command that promotes it"
expect_err "^20[0-9-]+T[0-9:]+Z +canary +1 +Settling +Succeeded +Synced +Suspended +$pause_line$" \
	"the progress says so while waiting"
gets=$(tail -n +$((n0 + 1)) "$sim_log" | grep -c '"GET","ms":[0-9]*,"path":"/apis/argoproj.io/v1alpha1/namespaces/platform/rollouts/canary"')
[ "$gets" -ge 1 ] && [ "$gets" -le 4 ]
ok $? "the Rollout is read when the app changes, not polled ($gets GETs)"

new_image 1.2.0
kubectl gitops sync platform --health-timeout 40s --timeout 50s >"$tap_tmp/bg.out" 2>"$tap_tmp/bg.err" &
pid=$!
for _ in $(seq 100); do grep -q 'paused at step' "$tap_tmp/bg.err" && break; sleep 0.1; done
grep -Eq "$pause_line" "$tap_tmp/bg.err"
ok $? "the running sync shows the paused step"
kubectl gitops rollout promote canary -n platform --full >/dev/null
wait $pid
rc=$?
out=$(cat "$tap_tmp/bg.out")
expect_rc 0 "promoted meanwhile, the same sync then succeeds"
expect_out '^├─ canary +1 +Succeeded +Succeeded +Synced +Healthy ' "canary ends Synced and Healthy"
expect_eq "$(kubectl get rollouts.argoproj.io -n platform canary -o 'jsonpath={.status.phase}')" "Healthy" \
	"the Rollout is Healthy"

done_testing
