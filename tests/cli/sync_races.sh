#!/usr/bin/env bash
# kubectl gitops sync against a scripted, request-recording API server:
# the PUT of the operation answered 409 Conflict once (someone changed the
# app between our GET and PUT), and the watch that follows the operation
# dropped mid-sync.  The sync must re-read the app, write again with the new
# resourceVersion, resume the watch from the last event, and still succeed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/kubetest.sh

top=$PWD
tests/lib/certs.sh "$tap_tmp" || exit 1
export PATH="$top/bin:$PATH"

apps=/apis/argoproj.io/v1alpha1/namespaces/argocd/applications

app() { # rv [extra status fields] [extra top-level fields]
	cat <<JSON
{"apiVersion":"argoproj.io/v1alpha1","kind":"Application"$3,
 "metadata":{"name":"shop","namespace":"argocd","resourceVersion":"$1"},
 "spec":{"project":"default","destination":{"server":"https://kubernetes.default.svc","namespace":"shop"},
   "source":{"repoURL":"https://git.example.com/shop.git","path":"."}},
 "status":{"sync":{"status":"OutOfSync"},"health":{"status":"Healthy"}$2}}
JSON
}
running=',"operationState":{"phase":"Running","startedAt":"2030-01-01T00:00:00Z","message":"applying"}'
done_=',"operationState":{"phase":"Succeeded","startedAt":"2030-01-01T00:00:00Z","finishedAt":"2030-01-01T00:00:05Z","message":"successfully synced (all tasks run)","operation":{"sync":{}}},"reconciledAt":"2030-01-01T00:00:06Z"'
synced() { app "$1" "$2" | sed 's/"OutOfSync"/"Synced"/'; }

cat >"$tap_tmp/script.json" <<JSON
{"tokens": {"s3cret-token": "alice"}, "auth": "token",
 "routes": [
  {"method": "POST", "path": "/apis/authentication.k8s.io/v1/selfsubjectreviews",
   "responses": [{"status": 201, "body": {"kind": "SelfSubjectReview",
     "apiVersion": "authentication.k8s.io/v1", "status": {"userInfo": {"username": "alice"}}}}]},
  {"path": "/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects/default",
   "responses": [{"body": {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
     "metadata": {"name": "default", "namespace": "argocd"}, "spec": {}}}]},
  {"path": "$apps", "query": {"watch": "1"},
   "responses": [
    {"stream": [{"data": {"type": "MODIFIED", "object": $(app 13 "$running")}, "delay": 0.2}],
     "hold": 0.3, "drop": true},
    {"stream": [{"data": {"type": "MODIFIED", "object": $(synced 14 "$done_")}, "delay": 0.2}],
     "hold": 20}]},
  {"path": "$apps", "query": {"watch": null},
   "responses": [{"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
     "resourceVersion": "10", "items": [$(app 10)]}}]},
  {"method": "GET", "path": "$apps/shop",
   "responses": [{"body": $(app 10)}, {"body": $(app 10)}, {"body": $(app 11)}]},
  {"method": "PUT", "path": "$apps/shop",
   "responses": [
    {"status": 409, "status_error": {"reason": "Conflict",
     "message": "Operation cannot be fulfilled on applications.argoproj.io \"shop\": the object has been modified; please apply your changes to the latest version and try again"}},
    {"body": $(app 12 "" ',"operation":{"sync":{},"initiatedBy":{"username":"alice"}}')}]}
 ]}
JSON

kubetest_start
kubetest_kubeconfig "$tap_tmp/kubeconfig"
export KUBECONFIG="$tap_tmp/kubeconfig"

run timeout 30 kubectl gitops sync shop --cascade=false -o json
expect_rc 0 "the sync succeeds despite a 409 on its write and a dropped watch"
expect_out '"result": "Succeeded"' "-o json says Succeeded"

# requests METHOD PATH-SUFFIX: the recorded requests, one line each
# "METHOD PATH resourceVersion-query body-resourceVersion".
requests() {
	python3 - "$tap_tmp/requests.log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    body_rv = ""
    if r["body"]:
        try:
            body_rv = json.loads(r["body"]).get("metadata", {}).get("resourceVersion", "")
        except ValueError:
            pass
    print(r["method"], r["path"].rsplit("/", 1)[1], "watch" if "watch" in r["query"] else "-",
          r["query"].get("resourceVersion", "-"), body_rv or "-")
PY
}
reqs=$(requests)
expect_eq "$(printf '%s\n' "$reqs" | grep -E '^(GET|PUT) shop ' | tr '\n' ';')" \
	"GET shop - - -;GET shop - - -;PUT shop - - 10;GET shop - - -;PUT shop - - 11;" \
	"409: the app is read again and written with the new resourceVersion (argocd's retry)"
put=$(python3 - "$tap_tmp/requests.log" <<'PY'
import json, sys
puts = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["method"] == "PUT"]
b = json.loads(puts[-1]["body"])
print(b["operation"]["initiatedBy"]["username"], b["operation"]["initiatedBy"]["automated"],
      "operationState" in b["status"])
PY
)
expect_eq "$put" "alice False False" "the retried write carries the operation, not the old operationState"
expect_eq "$(printf '%s\n' "$reqs" | grep ' watch ' | awk '{print $4}' | tr '\n' ' ')" "10 13 " \
	"after the drop the watch resumes from the last event's resourceVersion"
expect_eq "$(printf '%s\n' "$reqs" | grep -c '^GET applications - ')" "2" \
	"one LIST to prepare, one to start the watch: no relist, no polling"

done_testing
