#!/usr/bin/env bash
# kubectl gitops sync when things go wrong: a degrading child stops later
# waves, a child that stays Progressing hits --health-timeout, Ctrl-C (with
# and without --terminate-on-interrupt), an operation already running; and
# selective syncs (--app, -l, --resource with !) and --parallel 1.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/cli/sync_lib.sh

jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
results() { printf '%s' "$out" | jq_ '" ".join(a["name"] + "=" + a["result"] for a in d["apps"])'; }

# repos_with_api_health DIR HEALTH: the manual fixture, api's Deployment
# forced to HEALTH by the simulator.
repos_with_api_health() {
	sim_platform_manual_repos "$1"
	sed -i '0,/^  annotations:/s//  annotations:\n    kubesim.dev\/health: '"$2"'/' \
		"$1/platform/api/api.yaml"
}

# --- a child that degrades -------------------------------------------------
repos_with_api_health "$tap_tmp/degraded" Degraded
sim_start "$tap_tmp/degraded"
run kubectl gitops sync platform --timeout 60s -o json
expect_rc 1 "a degraded child fails the sync"
expect_eq "$(results)" \
	"platform=Failed infra=Succeeded api=Failed web=Succeeded canary=NotStarted worker=NotStarted" \
	"wave 0 fails on api; wave 1 is not started"
expect_eq "$(printf '%s' "$out" | jq_ 'd["apps"][2]["message"].startswith("health Degraded"), d["apps"][4]["message"]')" \
	"True not started: an earlier wave failed" "the summary says why"
expect_eq "$(app_field worker '{.status.operationState.phase}')" "" "worker was never synced"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null

# --- a child that stays Progressing; Ctrl-C ----------------------------------
repos_with_api_health "$tap_tmp/slow" Progressing
sim_start "$tap_tmp/slow"
kubectl gitops sync platform --terminate-on-interrupt >"$tap_tmp/int.out" 2>"$tap_tmp/int.err" &
pid=$!
for _ in $(seq 50); do grep -q '^[0-9TZ:-]* api .*Settling' "$tap_tmp/int.err" && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
err=$(cat "$tap_tmp/int.err")
expect_rc 130 "Ctrl-C exits 130"
expect_err '^interrupted; still running in the cluster:$' "it says what is still running"
expect_err '^  platform \(operation Running\)$' "the parent's operation is listed"
expect_err "^application 'platform' operation terminating$" "--terminate-on-interrupt terminates it"
for _ in $(seq 50); do
	[ "$(app_field platform '{.status.operationState.phase}')" = Failed ] && break; sleep 0.1
done
expect_eq "$(app_field platform '{.status.operationState.phase}') $(app_field platform '{.status.operationState.message}')" \
	"Failed Operation terminated" "the controller terminated the operation"
run kubectl gitops sync platform --health-timeout 1s --timeout 6s -o json
expect_rc 3 "--health-timeout ends in exit 3"
expect_eq "$(results)" \
	"platform=TimedOut infra=Skipped api=TimedOut web=Skipped canary=NotStarted worker=NotStarted" \
	"api (still Progressing) is synced again and times out, later waves do not start, the parent hits --timeout"
expect_out '"message": "not Synced and Healthy within --health-timeout \(Synced, Progressing\)"' \
	"the message says what the app was waiting for"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null

# --- selective sync and --parallel ----------------------------------------------
sim_platform_manual_repos "$tap_tmp/sel"
sim_start "$tap_tmp/sel"
kubectl gitops sync platform --timeout 30s >/dev/null 2>&1
kubectl label applications.argoproj.io -n argocd web tier=front >/dev/null
kubectl label applications.argoproj.io -n argocd infra tier=base >/dev/null
run kubectl gitops sync platform --force-children -l tier=front -o json
expect_rc 0 "a cascade restricted by -l succeeds"
expect_eq "$(results)" "platform=Succeeded web=Succeeded" "-l selects the labelled child only"
run kubectl gitops sync platform --force-children --app 'w*' --exclude-app web -o json
expect_eq "$(results)" "platform=Succeeded worker=Succeeded" "--app and --exclude-app globs"
run kubectl gitops sync api --resource '!apps:Deployment:*' -o json
expect_rc 0 "--resource with ! syncs the rest"
expect_eq "$(app_field api '{.status.operationState.operation.sync.resources[*].kind}')" "ConfigMap Service" \
	"the exclusion became a concrete sync.resources list"
run kubectl gitops sync api --resource 'apps:StatefulSet:*'
expect_rc 1 "a --resource matching nothing fails"
expect_err 'no matching app resources found for resource filter: apps:StatefulSet:\*' "with argocd's message"
run kubectl gitops sync platform --force-children --app api --app web --parallel 1 -o json
expect_rc 0 "--parallel 1 succeeds"
s1=$(app_field api '{.status.operationState.startedAt}'); f1=$(app_field api '{.status.operationState.finishedAt}')
s2=$(app_field web '{.status.operationState.startedAt}'); f2=$(app_field web '{.status.operationState.finishedAt}')
[[ ! "$s2" < "$f1" || ! "$s1" < "$f2" ]]
ok $? "--parallel 1: the two syncs of wave 0 did not overlap (api $s1-$f1, web $s2-$f2)"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null

# --- an operation already running (no controller to finish it) ---------------------
sim_start "$top/tests/fixtures/repos" --controllers none
kubectl patch applications.argoproj.io -n argocd platform --type merge \
	-p '{"operation":{"sync":{},"initiatedBy":{"username":"bob"}}}' >/dev/null
rv=$(app_field platform '{.metadata.resourceVersion}')
run kubectl gitops sync platform
expect_rc 1 "a sync while another operation runs is refused"
expect_out '^platform .*Refused .*another operation is already in progress' "with argocd's words"
expect_eq "$(app_field platform '{.metadata.resourceVersion}')" "$rv" "nothing was written"
expect_eq "$(app_field platform '{.operation.initiatedBy.username}')" "bob" "the other operation is untouched"
run kubectl gitops sync platform --async
expect_rc 1 "--async is refused the same way"

done_testing
