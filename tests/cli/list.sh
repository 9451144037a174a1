#!/usr/bin/env bash
# kubectl gitops list, run the way users run it: through the real kubectl,
# which finds the plugin on PATH, against a loopback HTTPS API server that
# checks the bearer token.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

top=$PWD
tests/lib/certs.sh "$tap_tmp" || exit 1

app() { # name namespace project sync health wave phase
	cat <<JSON
{"apiVersion":"argoproj.io/v1alpha1","kind":"Application",
 "metadata":{"name":"$1","namespace":"$2","creationTimestamp":"2020-01-01T00:00:00Z",
   "annotations":{"argocd.argoproj.io/sync-wave":"$6"}},
 "spec":{"project":"$3","destination":{"server":"https://kubernetes.default.svc","namespace":"$1"},
   "source":{"repoURL":"https://git.example.com/platform.git","path":"apps/$1"}},
 "status":{"sync":{"status":"$4","revision":"abc123"},"health":{"status":"$5"},
   "operationState":{"phase":"$7"}}}
JSON
}

cat >"$tap_tmp/script.json" <<JSON
{"tokens": {"s3cret-token": "alice"}, "auth": "token",
 "routes": [
  {"path": "/version", "auth": "none",
   "responses": [{"body": {"major": "1", "minor": "32", "gitVersion": "v1.32.0"}}]},
  {"path": "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications",
   "responses": [{"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
     "resourceVersion": "42", "items": [
       $(app root argocd platform Synced Healthy 0 Succeeded),
       $(app api argocd platform OutOfSync Progressing 1 Running),
       $(app 'evil\u001b[31m' argocd platform Synced Healthy 2 Succeeded)]}}]},
  {"path": "/apis/argoproj.io/v1alpha1/applications",
   "responses": [{"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
     "resourceVersion": "42", "items": [
       $(app root argocd platform Synced Healthy 0 Succeeded),
       $(app web team-a default Synced Degraded 0 Failed)]}}]},
  {"path": "/apis/argoproj.io/v1alpha1/namespaces/empty/applications",
   "responses": [{"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
     "resourceVersion": "42", "items": []}}]},
  {"path": "/apis/argoproj.io/v1alpha1/namespaces/warned/applications",
   "responses": [{"headers": {"Warning": "299 - \\"deprecated \u001b]0;pwned\u0007 api\\""},
     "body": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
       "metadata": {"resourceVersion": "42"}, "items": []}}]},
  {"path": "/apis/argoproj.io/v1alpha1/namespaces/hostile/applications",
   "responses": [{"status": 409, "status_error": {"reason": "Conflict",
     "message": "no \u001b[2Jway\r"}}]},
  {"path": "/apis/argoproj.io/v1alpha1/namespaces/locked/applications",
   "responses": [{"status": 403, "status_error": {"reason": "Forbidden",
     "message": "applications.argoproj.io is forbidden: User \"alice\" cannot list resource \"applications\" in API group \"argoproj.io\" in the namespace \"locked\""}}]}
 ]}
JSON

python3 tests/lib/kubetest_server.py --script "$tap_tmp/script.json" --log "$tap_tmp/requests.log" \
	--cert "$tap_tmp/server.crt" --key "$tap_tmp/server.key" >"$tap_tmp/port" 2>"$tap_tmp/server.err" &
server=$!
tap_on_exit="kill $server 2>/dev/null"
for _ in $(seq 50); do [ -s "$tap_tmp/port" ] && break; sleep 0.1; done
port=$(head -1 "$tap_tmp/port"); echo "# server on port $port"

kubeconfig() { # file token ca
	cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $3
users:
- name: alice
  user:
    token: $2
contexts:
- name: sim
  context: {cluster: sim, user: alice}
current-context: sim
YAML
}
kubeconfig "$tap_tmp/kubeconfig" s3cret-token "$tap_tmp/ca.crt"
kubeconfig "$tap_tmp/badtoken" wrong-token "$tap_tmp/ca.crt"
kubeconfig "$tap_tmp/wrongca" s3cret-token "$tap_tmp/wrong-ca.crt"
kubeconfig "$tap_tmp/noca" s3cret-token "$tap_tmp/missing-ca.crt"

export PATH="$top/bin:$PATH" KUBECONFIG="$tap_tmp/kubeconfig"

run kubectl gitops list
expect_rc 0 "kubectl finds the plugin on PATH and lists"
expect_out '^NAME +PROJECT +SYNC +HEALTH +WAVE +OPERATION +AGE$' "kubectl-style header"
expect_out '^root +platform +Synced +Healthy +0 +Succeeded +[0-9]+y' "root app row with an age in years"
expect_out '^api +platform +OutOfSync +Progressing +1 +Running' "an app mid-sync shows Running"
expect_out '^evil\^\[\[31m ' "control characters from the cluster are escaped (ESC shown as ^[)"
expect_no_out $'\033' "no raw escape byte reaches the terminal"

run kubectl gitops list -A
expect_out '^NAMESPACE +NAME +PROJECT' "-A adds a NAMESPACE column"
expect_out '^team-a +web +default +Synced +Degraded' "-A lists other namespaces"

run kubectl gitops list -o wide
expect_out 'CLUSTER +NAMESPACE +REPO +PATH +REVISION$' "-o wide adds destination and source columns"
expect_out 'https://git.example.com/platform.git +apps/root +abc123$' "wide row shows repo, path and revision"

run kubectl gitops list -o name
expect_eq "$(printf '%s\n' "$out" | head -2)" $'application.argoproj.io/root\napplication.argoproj.io/api' "-o name prints kind.group/name"

run kubectl gitops list -o json
expect_eq "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["kind"], len(d["items"]), d["items"][1]["metadata"]["name"])')" "List 3 api" "-o json is a kubectl List of the items"

run kubectl gitops list -o yaml
expect_out '^kind: List$' "-o yaml prints a List"
expect_out '^    name: root$' "-o yaml has the items"

run kubectl gitops list -n empty
expect_rc 0 "an empty namespace is not an error"
expect_err '^No resources found in empty namespace\.$' "empty result is said on stderr"

run kubectl gitops list -n locked
expect_rc 1 "a forbidden list fails"
expect_err '^Error from server \(Forbidden\): applications.argoproj.io is forbidden: User "alice"' "403 printed as kubectl prints it"

run kubectl gitops list -n warned
expect_rc 0 "a warned list succeeds"
expect_err '^Warning: deprecated \^\[\]0;pwned\^G api$' "server warnings are shown as kubectl shows them, escaped"
! grep -q $'\033' "$tap_tmp/err"; ok $? "no raw escape byte from a warning"

run kubectl gitops list -n hostile
expect_rc 1 "a 409 fails"
expect_err '^Error from server \(Conflict\): no \^\[\[2Jway\\r$' "control characters in a Status message are escaped"
! grep -q $'\033' "$tap_tmp/err"; ok $? "no raw escape byte from an error"

run kubectl gitops list --kubeconfig "$tap_tmp/badtoken"
expect_rc 1 "a wrong token fails"
expect_err 'You must be logged in to the server' "401 is worded as kubectl words it"

run kubectl gitops list --kubeconfig "$tap_tmp/wrongca"
expect_rc 1 "a server certificate from another CA is refused"
expect_err 'certificate|verify|SSL' "the TLS failure is named"

run kubectl gitops list --kubeconfig "$tap_tmp/noca"
expect_rc 1 "a kubeconfig whose CA file is missing fails"
expect_err 'missing-ca.crt' "the error names the missing file"

run kubectl gitops list -v 9
expect_rc 0 "-v 9 still lists"
expect_err 'GET https://127.0.0.1:[0-9]+/apis/argoproj.io/v1alpha1/namespaces/argocd/applications' "-v shows the request"
! grep -q 's3cret-token' "$tap_tmp/err"
ok $? "the token never appears at -v 9"

grep '"path": "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications"' "$tap_tmp/requests.log" | head -1 >"$tap_tmp/req"
grep -q '"authorization": "Bearer s3cret-token"' "$tap_tmp/req"
ok $? "the server saw the bearer token"
grep -q '"user-agent": "kubectl-gitops/' "$tap_tmp/req"
ok $? "the User-Agent names the plugin"
grep -q '"limit": "500"' "$tap_tmp/req"
ok $? "lists are chunked by 500 as kubectl does"

before=$(wc -l <"$tap_tmp/requests.log")
run kubectl gitops list --token $'s3cret-token\r\nX-Injected: 1'
expect_rc 1 "a token with a line break is refused"
expect_err 'credentials contain a line break' "and the error says why"
! grep -q 's3cret' "$tap_tmp/err"
ok $? "without showing the token"
expect_eq "$(wc -l <"$tap_tmp/requests.log")" "$before" "nothing was sent to the server"
run kubectl gitops list --as $'alice\nX-Injected: 1'
expect_rc 1 "an impersonation value with a line break is refused"

run kubectl gitops list extra-arg
expect_rc 2 "a stray argument is a usage error"
run kubectl gitops list --output=table
expect_rc 2 "an unknown output format is a usage error"
expect_err "See 'kubectl gitops list -h'" "usage errors point at the help"

done_testing
