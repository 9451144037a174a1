#!/usr/bin/env bash
# kubectl gitops rollout promote/abort/retry/pause/restart/undo against a
# request-recording HTTPS server: for every branch of promote (§1.2) and
# every action, the exact method, path, content type and body sent.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/kubetest.sh

top=$PWD
tests/lib/certs.sh "$tap_tmp" || exit 1
base=/apis/argoproj.io/v1alpha1/namespaces/demo/rollouts
CANARY='"strategy":{"canary":{"steps":[{"setWeight":25},{"pause":{}},{"analysis":{"templates":[{"templateName":"t"}]}},{"setWeight":75}]}}'
BG='"strategy":{"blueGreen":{"activeService":"a","autoPromotionEnabled":false}}'
TMPL_V1='{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:1"}]}}'
TMPL_V2='{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:2"}]}}'

ro() { # name rv spec-extra status
	echo "{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Rollout\",\"metadata\":{\"name\":\"$1\",\"namespace\":\"demo\",\"uid\":\"uid-$1\",\"resourceVersion\":\"$2\",\"generation\":1},\"spec\":{$3},\"status\":$4}"
}
get() { # name body...: GET route answering the bodies in order
	local name=$1; shift
	local rs="" b
	for b in "$@"; do rs="$rs${rs:+,}{\"body\":$b}"; done
	echo "{\"method\":\"GET\",\"path\":\"$base/$name\",\"responses\":[$rs]},"
}
patch() { # name subpath responses-json
	echo "{\"method\":\"PATCH\",\"path\":\"$base/$1$2\",\"responses\":$3},"
}
rs() { # name revision hash template
	echo "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web-$3\",\"namespace\":\"demo\",\"labels\":{\"app\":\"web\",\"rollouts-pod-template-hash\":\"$3\"},\"annotations\":{\"rollout.argoproj.io/revision\":\"$2\"},\"ownerReferences\":[{\"kind\":\"Rollout\",\"name\":\"$1\",\"uid\":\"uid-$1\",\"controller\":true}]},\"spec\":{\"template\":$4}}"
}
with_hash() { # template hash
	echo "$1" | sed "s/\"app\":\"web\"/\"app\":\"web\",\"rollouts-pod-template-hash\":\"$2\"/"
}

PAUSED=$(ro paused 10 "\"paused\":true,$CANARY" '{"currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-01-01T00:00:00Z"}]}')
PAUSECOND=$(ro pausecond 10 "$CANARY" '{"currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-01-01T00:00:00Z"}]}')
INCONCL=$(ro inconclusive 10 "$CANARY" '{"currentStepIndex":2,"controllerPause":true,"pauseConditions":[{"reason":"InconclusiveAnalysisRun","startTime":"2024-01-01T00:00:00Z"}],"canary":{"currentStepAnalysisRunStatus":{"name":"ar","status":"Inconclusive"}}}')
MIDSTEP=$(ro midstep 10 "$CANARY" '{"currentStepIndex":2,"canary":{"currentStepAnalysisRunStatus":{"name":"ar","status":"Running"}}}')
LAST=$(ro last 10 "$CANARY" '{"currentStepIndex":4,"currentPodHash":"b","stableRS":"a"}')
BLUEGREEN=$(ro bluegreen 10 "$BG" '{"controllerPause":true,"pauseConditions":[{"reason":"BlueGreenPause","startTime":"2024-01-01T00:00:00Z"}],"currentPodHash":"b","stableRS":"a"}')
BGIDLE=$(ro bgidle 10 "$BG" '{"currentPodHash":"a","stableRS":"a"}')
FULL=$(ro full 10 "$CANARY" '{"currentStepIndex":1,"currentPodHash":"b","stableRS":"a"}')
DONE=$(ro done 10 "$CANARY" '{"currentStepIndex":4,"currentPodHash":"a","stableRS":"a"}')
V09=$(ro v09 10 "$CANARY" '{"currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep"}]}')
LOCKED=$(ro locked 10 "$CANARY" '{"currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep"}]}')
RACE1=$(ro race 20 "$CANARY" '{"currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep"}]}')
RACE2=$(ro race 21 "$CANARY" '{"currentStepIndex":3,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep"}]}')
WEB=$(ro web 30 "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":$TMPL_V2,$CANARY" '{}')
SAME=$(ro same 30 "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":$TMPL_V2,$CANARY" '{}')
conflict='{"status":409,"status_error":{"reason":"Conflict","message":"Operation cannot be fulfilled on rollouts.argoproj.io \"race\": the object has been modified; please apply your changes to the latest version and try again"}}'
forbidden='{"status":403,"status_error":{"reason":"Forbidden","message":"rollouts.argoproj.io \"locked\" is forbidden: User \"alice\" cannot patch resource \"rollouts/status\" in API group \"argoproj.io\" in the namespace \"demo\""}}'
ok200() { echo "[{\"body\":$1}]"; }

cat >"$tap_tmp/script.json" <<JSON
{"tokens": {"s3cret-token": "alice"}, "auth": "token",
 "routes": [
  {"path": "/version", "auth": "none",
   "responses": [{"body": {"major": "1", "minor": "32", "gitVersion": "v1.32.0"}}]},
  $(get paused "$PAUSED")
  $(patch paused /status "$(ok200 "$(ro paused 11 "\"paused\":true,$CANARY" '{}')")")
  $(patch paused "" "$(ok200 "$(ro paused 12 "$CANARY" '{}')")")
  $(get pausecond "$PAUSECOND")
  $(patch pausecond /status "$(ok200 "$(ro pausecond 11 "$CANARY" '{}')")")
  $(get inconclusive "$INCONCL")
  $(patch inconclusive /status "$(ok200 "$(ro inconclusive 11 "$CANARY" '{}')")")
  $(get midstep "$MIDSTEP")
  $(patch midstep /status "$(ok200 "$(ro midstep 11 "$CANARY" '{}')")")
  $(get last "$LAST")
  $(patch last /status "$(ok200 "$(ro last 11 "$CANARY" '{}')")")
  $(get bluegreen "$BLUEGREEN")
  $(patch bluegreen /status "$(ok200 "$(ro bluegreen 11 "$BG" '{}')")")
  $(get bgidle "$BGIDLE")
  $(get full "$FULL")
  $(patch full /status "$(ok200 "$(ro full 11 "$CANARY" '{}')")")
  $(get done "$DONE")
  $(get v09 "$V09")
  $(patch v09 "" "$(ok200 "$(ro v09 11 "$CANARY" '{}')")")
  $(get locked "$LOCKED")
  $(patch locked /status "[$forbidden]")
  $(get race "$RACE1" "$RACE2")
  $(patch race /status "[$conflict, {\"body\": $(ro race 22 "$CANARY" '{}')}]")
  {"method": "GET", "path": "$base/missing", "responses": [{"status": 404,
    "status_error": {"reason": "NotFound", "message": "rollouts.argoproj.io \"missing\" not found"}}]},
  $(patch a /status "$(ok200 "$(ro a 2 "$CANARY" '{}')")")
  $(patch b "" "$(ok200 "$(ro b 2 "$CANARY" '{}')")")
  $(patch c "" "$(ok200 "$(ro c 2 "$CANARY" '{}')")")
  $(patch web "" "$(ok200 "$WEB")")
  $(get web "$WEB")
  $(get same "$SAME")
  {"method": "GET", "path": "/apis/apps/v1/namespaces/demo/replicasets",
   "responses": [{"list": {"apiVersion": "apps/v1", "kind": "ReplicaSetList", "resourceVersion": "5",
     "items": [$(rs web 1 h1 "$(with_hash "$TMPL_V1" h1)"), $(rs web 2 h2 "$(with_hash "$TMPL_V2" h2)"),
               $(rs other 3 h3 "$TMPL_V1"), $(rs same 1 s1 "$(with_hash "$TMPL_V2" s1)"),
               $(rs same 2 s2 "$(with_hash "$TMPL_V1" s2)")]}}]},
  {"method": "PATCH", "path": "$base/*", "responses": [{"status": 404,
    "status_error": {"reason": "NotFound", "message": "rollouts.argoproj.io \"x\" not found"}}]}
 ]}
JSON
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tap_tmp/script.json" || { echo "Bail out! bad script"; exit 1; }

kubetest_start
kubetest_kubeconfig "$tap_tmp/kubeconfig" demo
export PATH="${GITOPS_BIN_DIR:-$top/bin}:$PATH" KUBECONFIG="$tap_tmp/kubeconfig"

# requests NAME: "METHOD PATH CONTENT-TYPE BODY" for every request about rollout NAME, in order.
requests() {
	python3 - "$tap_tmp/requests.log" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    p = r["path"]
    if not (p + "/").count("/rollouts/" + sys.argv[2] + "/"):
        continue
    print(r["method"], p.split("/rollouts/", 1)[1], r["headers"].get("content-type", "-"),
          r["body"] or "-")
PY
}
R=/apis/argoproj.io/v1alpha1/namespaces/demo/rollouts
MP=application/merge-patch+json

run kubectl gitops rollout promote paused
expect_rc 0 "promote a manually paused canary"
expect_eq "$out" "rollout 'paused' promoted" "upstream's message"
expect_eq "$(requests paused)" "GET paused - -
PATCH paused/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null}}
PATCH paused $MP {\"metadata\":{\"resourceVersion\":\"11\"},\"spec\":{\"paused\":false}}" \
	"paused: status patch then spec patch, each guarded by the resourceVersion it follows"

run kubectl gitops rollout promote pausecond
expect_eq "$(requests pausecond)" "GET pausecond - -
PATCH pausecond/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null}}" \
	"pause condition: only the pause conditions are cleared"

run kubectl gitops rollout promote inconclusive
expect_eq "$(requests inconclusive)" "GET inconclusive - -
PATCH inconclusive/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null, \"controllerPause\":false, \"currentStepIndex\":3}}" \
	"inconclusive analysis: clear, release controllerPause, next step"

run kubectl gitops rollout promote midstep
expect_eq "$(requests midstep)" "GET midstep - -
PATCH midstep/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null, \"currentStepIndex\":3}}" \
	"canary mid analysis step: advance one step"

run kubectl gitops rollout promote last
expect_eq "$(requests last)" "GET last - -
PATCH last/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null, \"currentStepIndex\":4}}" \
	"never past the last step"

run kubectl gitops rollout promote bluegreen
expect_rc 0 "promote a blue-green rollout"
expect_eq "$(requests bluegreen)" "GET bluegreen - -
PATCH bluegreen/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null}}" \
	"blue-green: the BlueGreenPause condition is cleared"

run kubectl gitops rollout promote bgidle
expect_eq "$out" "rollout 'bgidle' promoted" "blue-green with nothing to promote still says promoted"
expect_eq "$(requests bgidle)" "GET bgidle - -" "and sends nothing"

run kubectl gitops rollout promote full --full
expect_eq "$out" "rollout 'full' fully promoted" "--full message"
expect_eq "$(requests full)" "GET full - -
PATCH full/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"promoteFull\":true}}" \
	"--full mid rollout sets promoteFull on /status"

run kubectl gitops rollout promote done --full
expect_rc 0 "--full on a fully promoted rollout succeeds"
expect_eq "$out" "rollout 'done' fully promoted" "and says so"
expect_eq "$(requests done)" "GET done - -" "without sending anything"

run kubectl gitops rollout promote v09
expect_rc 0 "promote against a controller without the status subresource"
expect_eq "$(requests v09)" "GET v09 - -
PATCH v09/status $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"status\":{\"pauseConditions\":null}}
PATCH v09 $MP {\"metadata\":{\"resourceVersion\":\"10\"},\"spec\":{\"paused\":false},\"status\":{\"pauseConditions\":null}}" \
	"404 on /status: the unified patch goes to the main resource"

run kubectl gitops rollout promote locked
expect_rc 1 "a 403 on /status is an error"
expect_err '^error: forbidden: RBAC does not allow verb "patch" on resource "rollouts/status" in API group "argoproj.io" in namespace "demo"' \
	"the error names the RBAC verb and resource"
expect_eq "$(requests locked | grep -c PATCH)" "1" "no fallback after a 403"

run kubectl gitops rollout promote race
expect_rc 0 "promote survives a concurrent write"
expect_eq "$(requests race)" "GET race - -
PATCH race/status $MP {\"metadata\":{\"resourceVersion\":\"20\"},\"status\":{\"pauseConditions\":null}}
GET race - -
PATCH race/status $MP {\"metadata\":{\"resourceVersion\":\"21\"},\"status\":{\"pauseConditions\":null}}" \
	"409: read again, recompute, send with the new resourceVersion"

run kubectl gitops rollout promote missing
expect_rc 1 "a missing rollout fails"
expect_eq "$err" 'error: rollouts.argoproj.io "missing" not found' "with the Kubernetes wording"

run kubectl gitops rollout promote
expect_rc 2 "promote needs a name"
run kubectl gitops rollout promote a b
expect_rc 2 "promote takes one name"
run kubectl gitops rollout promote x -c -a
expect_rc 2 "both skip flags are a usage error"

: >"$tap_tmp/requests.log"
run kubectl gitops rollout abort a b
expect_rc 0 "abort two rollouts"
expect_eq "$out" "rollout 'a' aborted
rollout 'b' aborted" "one message per rollout"
expect_eq "$(requests a; requests b)" "PATCH a/status $MP {\"status\":{\"abort\":true}}
PATCH b/status $MP {\"status\":{\"abort\":true}}
PATCH b $MP {\"status\":{\"abort\":true}}" \
	"abort: /status, and the main resource when /status is 404; no GET"

: >"$tap_tmp/requests.log"
run kubectl gitops rollout retry a
expect_eq "$out" "rollout 'a' retried" "retry message"
expect_eq "$(requests a)" "PATCH a/status $MP {\"status\":{\"abort\":false}}" "retry clears abort on /status"

: >"$tap_tmp/requests.log"
run kubectl gitops rollout pause c
expect_eq "$out" "rollout 'c' paused" "pause message"
expect_eq "$(requests c)" "PATCH c $MP {\"spec\":{\"paused\":true}}" "pause patches spec.paused"

run kubectl gitops rollout abort gone
expect_rc 1 "abort of a missing rollout fails"
expect_err '^error: rollouts.argoproj.io "x" not found$' "with the server's message"

: >"$tap_tmp/requests.log"
before=$(date -u +%s)
run kubectl gitops rollout restart c --in 1m
expect_rc 0 "restart --in 1m"
expect_eq "$out" "rollout 'c' restarts in 1m0s" "restart message with a Go duration"
body=$(requests c | sed -n 's/^PATCH c application\/merge-patch+json //p')
expect_out '.' "restart sent a merge patch"
at=$(printf '%s' "$body" | python3 -c 'import json,sys,calendar,time; print(calendar.timegm(time.strptime(json.load(sys.stdin)["spec"]["restartAt"], "%Y-%m-%dT%H:%M:%SZ")))')
[ "$((at - before))" -ge 59 ] && [ "$((at - before))" -le 65 ]
ok $? "restartAt is now + 1m, UTC, second precision ($body)"

run kubectl gitops rollout restart c --in soon
expect_rc 2 "a bad --in is a usage error, not a crash"
expect_err 'invalid argument "soon"' "naming the bad value"

: >"$tap_tmp/requests.log"
run kubectl gitops rollout undo web
expect_rc 0 "undo to the previous revision"
expect_eq "$out" "rollout 'web' undo" "undo message"
expect_eq "$(requests web | sed -n 2p)" "PATCH web application/json-patch+json [{\"op\":\"replace\",\"path\":\"/spec/template\",\"value\":$TMPL_V1}]" \
	"undo sends a JSON patch with revision 1's template, hash label removed"
grep -q '"labelSelector": "app=web"' "$tap_tmp/requests.log"
ok $? "ReplicaSets are listed with the rollout's selector"

run kubectl gitops rollout undo web --to-revision 3
expect_rc 1 "a revision owned by another rollout is not found"
expect_err 'unable to find specified revision 3 in history' "upstream's message"

run kubectl gitops rollout undo same
expect_rc 0 "undo when the template already matches"
expect_eq "$out" "skipped rollback (current template already matches revision 1)" "is skipped"

done_testing
