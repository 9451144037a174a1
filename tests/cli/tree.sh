#!/usr/bin/env bash
# kubectl gitops tree: the app-of-apps tree from status.resources, first
# against a scripted API server (a cycle, a self-reference, a child not
# created yet, cluster text with control characters; -o json/yaml/wide;
# -w with --timeout and Ctrl-C), then against the simulator (-w follows a
# real sync of the fixture platform and exits once it is Synced and Healthy).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/kubetest.sh

top=$PWD
tests/lib/certs.sh "$tap_tmp" || exit 1
export PATH="$top/bin:$PATH"
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

apps=/apis/argoproj.io/v1alpha1/namespaces/argocd/applications
child() { # name [syncWave]
	printf '{"group":"argoproj.io","version":"v1alpha1","kind":"Application","namespace":"argocd","name":"%s"%s}' \
		"$1" "${2:+,\"syncWave\":$2}"
}
app() { # name wave sync health phase message resources
	cat <<JSON
{"apiVersion":"argoproj.io/v1alpha1","kind":"Application",
 "metadata":{"name":"$1","namespace":"argocd","resourceVersion":"5",
   "annotations":{"argocd.argoproj.io/sync-wave":"$2"}},
 "spec":{"project":"default"},
 "status":{"sync":{"status":"$3","revision":"abc123"},"health":{"status":"$4"},
   "operationState":{"phase":"$5","message":"$6"},"resources":[$7]}}
JSON
}
cm='{"version":"v1","kind":"ConfigMap","namespace":"x","name":"cfg"}'
items="$(app root 0 Synced Healthy Succeeded 'successfully synced' "$(child a),$(child b 2),$(child root),$cm"),
 $(app a 1 Synced Degraded Failed 'one or more objects failed\u001b[31m' "$(child root),$(child c)"),
 $(app c 0 OutOfSync Missing '' '' "$(child a)")"

cat >"$tap_tmp/script.json" <<JSON
{"tokens": {"s3cret-token": "alice"}, "auth": "token",
 "routes": [
  {"path": "$apps", "query": {"watch": "1"},
   "responses": [{"stream": [{"data": {"type": "BOOKMARK", "object": {"kind": "Application",
     "metadata": {"resourceVersion": "6"}}}}], "hold": 20}]},
  {"path": "$apps", "query": {"watch": null},
   "responses": [{"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
     "resourceVersion": "5", "items": [$items]}}]},
  {"path": "$apps/nosuch", "responses": [{"status": 404, "status_error": {"reason": "NotFound",
     "message": "applications.argoproj.io \"nosuch\" not found"}}]}
 ]}
JSON

kubetest_start
kubetest_kubeconfig "$tap_tmp/kubeconfig"
export KUBECONFIG="$tap_tmp/kubeconfig"

run kubectl gitops tree root
expect_rc 0 "tree succeeds"
expect_eq "$(printf '%s\n' "$out" | sed 's/ *$//')" \
"APP       WAVE   SYNC        HEALTH     OPERATION   MESSAGE
root      0      Synced      Healthy    Succeeded   successfully synced
├─ a      1      Synced      Degraded   Failed      one or more objects failed^[[31m
│  └─ c   0      OutOfSync   Missing    -
└─ b      2      -           Missing    -           application not found" \
	"children by wave, each app once (cycle and self-reference), a child not created yet, escaped text"
expect_no_out $'\033' "no raw escape byte reaches the terminal"
expect_eq "$(grep -c '"GET"' "$tap_tmp/requests.log")" "1" "one LIST reads the whole tree"

run kubectl gitops tree root -o json
expect_rc 0 "-o json succeeds"
expect_eq "$(printf '%s' "$out" | jq_ 'd["name"], [k["name"] for k in d["children"]], [k["name"] for k in d["children"][0]["children"]], d["children"][0]["children"][0]["children"], d["children"][1]["exists"], d["children"][1]["wave"], d["children"][0]["phase"]')" \
	"root ['a', 'b'] ['c'] [] False 2 Failed" "-o json is the tree, nested"
run kubectl gitops tree root -o yaml
expect_out '^children:$' "-o yaml"
expect_out '^  name: a$' "-o yaml has the children"
run kubectl gitops tree root -o wide
expect_out '^APP +NAMESPACE +PROJECT +WAVE +SYNC +HEALTH +OPERATION +REVISION +MESSAGE$' "-o wide header"
expect_out '^root +argocd +default +0 +Synced +Healthy +Succeeded +abc123 ' "-o wide row"

run kubectl gitops tree nosuch
expect_rc 1 "an unknown app fails"
expect_err 'Error from server \(NotFound\): applications.argoproj.io "nosuch" not found' "as kubectl says it"
run kubectl gitops tree
expect_rc 2 "an APP is required"
run kubectl gitops tree root -o table
expect_rc 2 "an unknown output format is a usage error"
run kubectl gitops tree root -w -o json
expect_rc 2 "-w with -o json is a usage error"
run kubectl gitops tree root --timeout 5s
expect_rc 2 "--timeout without -w is a usage error"

run timeout 20 kubectl gitops tree root -w --timeout 1s
expect_rc 3 "-w on a tree that does not converge ends at --timeout with exit 3"
expect_out '^TIMESTAMP +APP +WAVE +SYNC +HEALTH +OPERATION +MESSAGE$' "-w off a terminal prints change lines"
expect_out '^20[0-9-]+T[0-9:]+Z +c +0 +OutOfSync +Missing +- *$' "one timestamped line per app"
expect_err 'timed out waiting for the tree of .root. to be Synced and Healthy' "the timeout is explained"

kubectl gitops tree root -w >"$tap_tmp/w.out" 2>"$tap_tmp/w.err" &
pid=$!
for _ in $(seq 50); do grep -q ' b ' "$tap_tmp/w.out" && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
expect_rc 130 "Ctrl-C ends -w with exit 130"
kill $server; wait $server 2>/dev/null

# --- the simulator: -w follows a real sync ------------------------------------
. tests/cli/sync_lib.sh
sim_start
run kubectl gitops tree platform
expect_out '^└─ worker +1 +- +Missing +- +application not found' "before any sync the children are missing"
kubectl gitops sync platform --cascade=false --async >/dev/null 2>&1
run timeout 50 kubectl gitops tree platform -w
expect_rc 0 "-w exits 0 once the tree is Synced and Healthy with no operation running"
for a in platform infra api web canary worker; do
	[ "$(printf '%s\n' "$out" | grep -E "Z +$a " | tail -1 | awk '{print $4, $5, $6}')" = "Synced Healthy Succeeded" ]
	ok $? "the last line for $a says Synced Healthy Succeeded"
done
[ "$(printf '%s\n' "$out" | grep -c 'Z ')" -gt 6 ]
ok $? "changes were followed, not only the final state"

done_testing
