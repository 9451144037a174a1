#!/usr/bin/env bash
# kubectl gitops rollout … against the simulator's Argo Rollouts
# controller: a canary walked through its steps with promote, abort and
# retry, promote --full, blue-green promotion, status --success-on-pause,
# get -w exiting on Healthy, undo, and status watching only the Rollout.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

top=$PWD
export KUBESIM_TIME_SCALE=0.1 KUBESIM_WORKLOAD_DELAY=0.2
{
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n'
	sed 's/^metadata:$/metadata:\n  namespace: demo/' tests/fixtures/repos/platform/canary/rollout.yaml
	echo '---'
	sed 's/^metadata:$/metadata:\n  namespace: demo/' tests/fixtures/repos/scenarios/bluegreen/bluegreen.yaml
} >"$tap_tmp/state.yaml"

tests/kubesim/kubesim --listen 127.0.0.1:0 --kubeconfig-out "$tap_tmp/kubeconfig" \
	--state "$tap_tmp/state.yaml" --controllers rollouts --request-log "$tap_tmp/requests.log" \
	>"$tap_tmp/sim.out" 2>"$tap_tmp/sim.err" &
sim=$!
tap_on_exit="kill $sim 2>/dev/null"
for _ in $(seq 100); do grep -q 'listening' "$tap_tmp/sim.out" && break; sleep 0.1; done
grep -q listening "$tap_tmp/sim.out" || { echo "Bail out! kubesim did not start"; cat "$tap_tmp/sim.err"; exit 1; }
export PATH="${GITOPS_BIN_DIR:-$top/bin}:$PATH" KUBECONFIG="$tap_tmp/kubeconfig"

set_image() { # rollout container image
	kubectl -n demo patch rollout "$1" --type merge \
		-p "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"$2\",\"image\":\"$3\"}]}}}}" >/dev/null
}
image_of() {
	kubectl -n demo get rollout "$1" -o jsonpath='{.spec.template.spec.containers[0].image}'
}

run kubectl gitops rollout status canary -n demo -t 20s
expect_rc 0 "the fixture canary becomes Healthy"
expect_out '^Healthy$' "status prints Healthy"

run kubectl gitops rollout list -n demo
expect_out '^NAME +STRATEGY +STATUS +STEP +SET-WEIGHT +READY +DESIRED +UP-TO-DATE +AVAILABLE$' "list header"
expect_out '^canary +Canary +Healthy +5/5 +100 +4/4 +4 +4 +4$' "the canary row"

# --- a canary walked through its steps ---
set_image canary canary registry.example.com/platform/canary:2.0.0
run kubectl gitops rollout status canary -n demo -t 20s --success-on-pause
expect_rc 0 "--success-on-pause exits 0 at the first pause step"
expect_out '^Paused - CanaryPauseStep$' "the pause is named"

run kubectl gitops rollout get canary -n demo
expect_out '^Status: +॥ Paused$' "get: paused"
expect_out '^  Step: +1/5$' "get: at step 1 of 5"
expect_out '^  SetWeight: +25$' "get: 25% desired"
expect_out 'canary:2.0.0 \(canary\)$' "get: the new image is the canary"
expect_out '^├──# revision:2$' "get: newest revision first"
expect_out '^│  └──⧉ canary-[a-z0-9]+ +ReplicaSet +✔ Healthy +[0-9]+s +canary$' "get: the canary ReplicaSet"
expect_out '^      [├└]──□ canary-[a-z0-9]+-[a-z0-9]+ +Pod +✔ Running +[0-9]+s +ready:1/1$' "get: stable pods under revision 1"

run kubectl gitops rollout get canary -n demo -v 6
expect_err '^GET https://[^ ]*/apis/apps/v1/namespaces/demo/replicasets\?labelSelector=app%3Dcanary' "get lists ReplicaSets by the rollout's selector"
expect_err '^GET https://[^ ]*/api/v1/namespaces/demo/pods\?labelSelector=app%3Dcanary' "and Pods by it"
expect_err '^GET https://[^ ]*/analysisruns\?labelSelector=rollouts-pod-template-hash' "and AnalysisRuns by the ReplicaSets' hashes"
expect_eq "$(printf '%s\n' "$err" | grep -E '^GET https://' | grep -cv 'labelSelector=\|/rollouts/canary ')" 0 "get makes no unselected list"

run kubectl gitops rollout status canary -n demo --watch=false
expect_rc 0 "--watch=false on a paused rollout exits 0"
expect_eq "$out" "Paused - CanaryPauseStep" "and prints the state once"

run kubectl gitops rollout status canary -n demo -t 1s -v 6
expect_rc 3 "watching a paused rollout times out with exit 3"
expect_err '^error: rollout status watch exceeded timeout$' "and says so"
expect_err '^GET https://[^ ]*/rollouts\?watch=1&[^ ]*fieldSelector=metadata.name%3Dcanary' \
	"status watches the Rollout with fieldSelector metadata.name=canary"
printf '%s\n' "$err" | grep -E '^(GET|POST|PUT|PATCH) https://' | grep -qv '/namespaces/demo/rollouts'
ok $((!$?)) "status sends no request for anything but the Rollout"

: >"$tap_tmp/requests.log"
run kubectl gitops rollout promote canary -n demo
expect_eq "$out" "rollout 'canary' promoted" "promote past the pause step"
run kubectl gitops rollout status canary -n demo -t 30s
expect_rc 0 "the canary goes through its remaining steps to Healthy"
expect_out '^Healthy$' "ends Healthy"
grep -v '/rollouts' "$tap_tmp/requests.log" | grep -q '"path"'
ok $((!$?)) "promote and status read and wrote only the Rollout"
run kubectl gitops rollout get canary -n demo
expect_out 'canary:2.0.0 \(stable\)$' "the new image is now stable"

# --- abort, then retry ---
set_image canary canary registry.example.com/platform/canary:3.0.0
run kubectl gitops rollout status canary -n demo -t 20s --success-on-pause
expect_rc 0 "revision 3 pauses at its first pause"
run kubectl gitops rollout abort canary -n demo
expect_eq "$out" "rollout 'canary' aborted" "abort message"
run kubectl gitops rollout status canary -n demo -t 20s
expect_rc 1 "status of an aborted rollout exits 1"
expect_out '^Degraded - RolloutAborted: Rollout aborted update to revision 3$' "Degraded - RolloutAborted: …"
expect_err '^error: the rollout is in a degraded state with message: RolloutAborted: ' "the error repeats the message"
run kubectl gitops rollout list -n demo
expect_out '^canary +Canary +Degraded +0/5 +0 ' "list: aborted canary at step 0 with weight 0"

run kubectl gitops rollout retry canary -n demo
expect_eq "$out" "rollout 'canary' retried" "retry message"
run kubectl gitops rollout status canary -n demo -t 20s --success-on-pause
expect_rc 0 "after retry the canary steps again and pauses"
expect_out '^Paused - CanaryPauseStep$' "paused again"

# --- promote --full, with get -w following it to the end ---
kubectl gitops rollout get canary -n demo -w -t 30s >"$tap_tmp/getw.out" 2>"$tap_tmp/getw.err" &
getw=$!
sleep 0.5
run kubectl gitops rollout promote canary -n demo --full
expect_eq "$out" "rollout 'canary' fully promoted" "promote --full message"
wait $getw
ok $? "get -w exits 0 once the rollout is Healthy"
grep -q '^Status: *✔ Healthy$' "$tap_tmp/getw.out"
ok $? "get -w printed the Healthy state last"
expect_eq "$(grep -c '^Status:' "$tap_tmp/getw.out" | awk '{print ($1 >= 2)}')" 1 "get -w printed the states it saw, not just one"
! grep -q $'\033\\[2J' "$tap_tmp/getw.out"
ok $? "no screen clearing when stdout is not a terminal"
expect_eq "$(image_of canary)" "registry.example.com/platform/canary:3.0.0" "revision 3 is the template"

run kubectl gitops rollout get canary -n demo -o json
expect_eq "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["strategy"], [r["revision"] for r in d["revisions"]][:2], d["replicas"]["available"], d["images"][0]["tags"])')" \
	"Healthy Canary [3, 2] 4 stable" "get -o json: status, revisions, replicas, images"

# --- undo: back to revision 2's template ---
run kubectl gitops rollout undo canary -n demo
expect_rc 0 "undo"
expect_eq "$out" "rollout 'canary' undo" "undo message"
expect_eq "$(image_of canary)" "registry.example.com/platform/canary:2.0.0" "the template is revision 2's again"
run kubectl gitops rollout promote canary -n demo --full
run kubectl gitops rollout status canary -n demo -t 20s
expect_rc 0 "after undo and promote --full the rollout is Healthy"

# --- pause and restart ---
run kubectl gitops rollout pause canary -n demo
expect_eq "$out" "rollout 'canary' paused" "pause message"
run kubectl gitops rollout status canary -n demo --watch=false
expect_eq "$out" "Paused - manually paused" "a manually paused rollout"
run kubectl gitops rollout promote canary -n demo
run kubectl gitops rollout status canary -n demo -t 20s
expect_rc 0 "promote resumes a manually paused rollout"
run kubectl gitops rollout restart canary -n demo
expect_eq "$out" "rollout 'canary' restarts in 0s" "restart message"
run kubectl gitops rollout status canary -n demo -t 20s
expect_rc 0 "the restarted rollout becomes Healthy again"

# --- blue-green ---
set_image bluegreen app registry.example.com/bluegreen:2.0
run kubectl gitops rollout status bluegreen -n demo -t 20s --success-on-pause
expect_rc 0 "blue-green pauses before promotion"
expect_out '^Paused - BlueGreenPause$' "BlueGreenPause"
run kubectl gitops rollout get bluegreen -n demo
expect_out 'bluegreen:2.0 \(preview\)$' "the new version is the preview"
expect_out 'bluegreen:1.0 \(stable, active\)$' "the old one stable and active"
run kubectl gitops rollout promote bluegreen -n demo
expect_eq "$out" "rollout 'bluegreen' promoted" "blue-green promote"
run kubectl gitops rollout status bluegreen -n demo -t 20s
expect_rc 0 "blue-green is Healthy after promotion"
run kubectl gitops rollout get bluegreen -n demo
expect_out 'bluegreen:2.0 \(stable, active\)$' "the new version is stable and active"

# --- errors ---
run kubectl gitops rollout status nosuch -n demo
expect_rc 1 "status of a missing rollout fails"
expect_eq "$err" 'error: rollouts.argoproj.io "nosuch" not found' "with the Kubernetes wording"
run kubectl gitops rollout get nosuch -n demo
expect_rc 1 "get of a missing rollout fails"
run kubectl gitops rollout list -n empty
expect_err '^No resources found in empty namespace\.$' "an empty namespace"
run kubectl gitops ro list -n demo -A -o json
expect_eq "$(printf '%s' "$out" | python3 -c 'import json,sys; print(sorted(r["name"] for r in json.load(sys.stdin)["items"]))')" \
	"['bluegreen', 'canary']" "the ro alias and list -o json"

done_testing
