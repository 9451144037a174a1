#!/usr/bin/env bash
# `gitops-webhook serve` without --state: Applications and AppProjects come
# from LIST+WATCH against tests/lib/kubetest_server.py.  /readyz waits for
# the first lists (the first LIST fails and is retried), a watch event
# (a fresh deletion approval) changes a decision, and a request is never
# answered from the API server.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/webhook.sh

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	-keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
app='{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
      "metadata": {"name": "guestbook", "namespace": "argocd", "resourceVersion": "RV"ANN},
      "spec": {"project": "default"}}'
listed=${app//ANN/}
listed=${listed//RV/10}
approved=${app//ANN/, \"annotations\": {\"argocd.argoproj.io/deletion-approved\": \"$now\"\}}
approved=${approved//RV/11}
cat >"$tmp/script.json" <<JSON
{"routes": [
  {"path": "/apis/argoproj.io/v1alpha1/applications", "query": {"watch": null},
   "responses": [{"status": 500, "status_error": {"reason": "InternalError", "message": "etcd is sad"}},
                 {"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
                           "resourceVersion": "10", "items": [$listed]}}]},
  {"path": "/apis/argoproj.io/v1alpha1/applications", "query": {"watch": "*"},
   "responses": [{"stream": [{"data": {"type": "MODIFIED", "object": $approved}, "delay": 1.5}],
                  "hold": 60}]},
  {"path": "/apis/argoproj.io/v1alpha1/appprojects", "query": {"watch": null},
   "responses": [{"list": {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProjectList",
                           "resourceVersion": "5", "items": [
     {"metadata": {"name": "default", "namespace": "argocd"}, "spec": {}}]}}]},
  {"path": "/apis/argoproj.io/v1alpha1/appprojects", "query": {"watch": "*"},
   "responses": [{"stream": [], "hold": 60}]}
]}
JSON
python3 tests/lib/kubetest_server.py --script "$tmp/script.json" --log "$tmp/requests.log" \
	>"$tmp/port" 2>"$tmp/api.err" &
api=$!
webhook_on_exit="kill $api 2>/dev/null"
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
aport=$(head -1 "$tmp/port")
cat >"$tmp/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: sim, cluster: {server: "http://127.0.0.1:$aport"}}]
users: [{name: u, user: {}}]
contexts: [{name: sim, context: {cluster: sim, user: u}}]
current-context: sim
YAML

webhook_start --kubeconfig "$tmp/kubeconfig"
url=https://127.0.0.1:$port
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$tmp/tls.crt" "$@"; }
t "the server starts with a kubeconfig and no --state" test -n "$port"

ready=
for _ in $(seq 100); do
	[ "$(code "$url/readyz")" = 200 ] && ready=1 && break
	sleep 0.1
done
t "/readyz turns 200 once both lists are in (after a failed LIST)" test -n "$ready"
t "the failed LIST was retried" test "$(grep -c '"path": "/apis/argoproj.io/v1alpha1/applications"' "$tmp/requests.log")" -ge 3

review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"w-1","kind":{"group":"apps","version":"v1","kind":"Deployment"},"operation":"DELETE","namespace":"prod","name":"web","userInfo":{"username":"alice"},"oldObject":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod","annotations":{"argocd.argoproj.io/tracking-id":"guestbook:apps/Deployment:prod/web","argocd.argoproj.io/sync-options":"Delete=confirm"}}}}}'
post() { curl -sS --max-time 10 --cacert "$tmp/tls.crt" -H 'Content-Type: application/json' --data-binary "$review" "$url/validate"; }
allowed=
for _ in $(seq 100); do
	post | grep -q '"allowed":true' && allowed=1 && break
	sleep 0.1
done
t "the approval from a watch event allows the deletion" test -n "$allowed"
before=$(wc -l <"$tmp/requests.log")
post >/dev/null
post >/dev/null
t "requests are judged from memory, with no API calls" test "$(wc -l <"$tmp/requests.log")" -eq "$before"

kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
rc=$?
pid=
t "SIGTERM stops the watches and the server cleanly" test "$rc" -eq 0
echo "1..$n"
