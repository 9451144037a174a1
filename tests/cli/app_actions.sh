#!/usr/bin/env bash
# kubectl gitops terminate, refresh and confirm-deletion against the
# simulator: terminating a running operation (and refusing when none runs),
# refresh normal/hard waiting for the controller (and timing out without
# one), and approving a Prune=confirm deletion a running sync waits for.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/cli/sync_lib.sh

# wait_for APP JSONPATH REGEX: up to 10 s until the field matches.
wait_for() {
	local _
	for _ in $(seq 100); do
		app_field "$1" "$2" | grep -Eq -- "$3" && return 0
		sleep 0.1
	done
	return 1
}

# --- terminate ----------------------------------------------------------------
# Children made manual: the root's sync waits for their health, so it keeps
# running until someone terminates it.
sim_platform_manual_repos "$tap_tmp/repos"
sim_start "$tap_tmp/repos"
kubectl gitops sync platform --async >/dev/null 2>&1
wait_for platform '{.status.operationState.phase}' '^Running$'
ok $? "the root's operation is running"
n0=$(wc -l <"$sim_log")
run kubectl gitops terminate platform
expect_rc 0 "terminate succeeds"
expect_eq "$out" "Application 'platform' operation terminating" "with argocd's message"
seq=$(tail -n +$((n0 + 1)) "$sim_log" | python3 -c '
import json, sys
print(" ".join("%s/%s" % (r["method"], r["code"]) for r in map(json.loads, sys.stdin)
               if r["path"].endswith("/applications/platform")))')
# a controller write between the GET and the PUT makes a 409: read again, write again
[[ "$seq" =~ ^(GET/200\ PUT/409\ )*GET/200\ PUT/200$ ]]
ok $? "it reads the app and updates it with the resourceVersion read, again on 409 ($seq)"
wait_for platform '{.status.operationState.phase}' '^Failed$'
expect_eq "$(app_field platform '{.status.operationState.phase} {.status.operationState.message}')" \
	"Failed Operation terminated" "the controller terminated the operation"
run kubectl gitops terminate platform
expect_rc 1 "terminate without an operation in progress fails"
expect_err '^error: Unable to terminate operation. No operation is in progress$' "with argocd's message"
run kubectl gitops terminate nosuch
expect_rc 1 "terminate of an unknown app fails"
expect_err 'Error from server \(NotFound\): applications.argoproj.io "nosuch" not found' "as kubectl says it"
run kubectl gitops terminate
expect_rc 2 "terminate needs an APP"

# --- refresh ------------------------------------------------------------------
# a new commit: the root's copy of web's Application manifest changes
rv=$(app_field platform '{.metadata.resourceVersion}')
sed -i 's/sync-wave: "0"/sync-wave: "2"/' "$tap_tmp/repos/platform/root/web.yaml"
run kubectl gitops refresh platform
expect_rc 0 "refresh succeeds"
expect_out "^Application 'platform' refreshed \(normal\)$" "it says what it did"
expect_out '^platform +OutOfSync +' "the status printed is the controller's new comparison (a commit changed the app)"
expect_eq "$(app_field platform '{.metadata.annotations.argocd\.argoproj\.io/refresh}')" "" \
	"the controller removed the annotation"
[ "$(app_field platform '{.metadata.resourceVersion}')" -gt "$rv" ]
ok $? "in a newer resourceVersion"
run kubectl gitops refresh infra --hard
expect_rc 0 "refresh --hard succeeds"
expect_out "^Application 'infra' refreshed \(hard\)$" "refresh --hard says so"
run kubectl gitops refresh api --timeout 1x
expect_rc 2 "a bad --timeout is a usage error"
run kubectl gitops refresh nosuch
expect_rc 1 "refresh of an unknown app fails"
expect_err 'Error from server \(NotFound\): applications.argoproj.io "nosuch" not found' "as kubectl says it"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null

sim_start "$top/tests/fixtures/repos" --controllers none
run kubectl gitops refresh platform --hard --timeout 1s
expect_rc 3 "without a controller the refresh times out (exit 3)"
expect_err "timed out waiting for the controller to refresh application 'platform'" "and says so"
expect_eq "$(app_field platform '{.metadata.annotations.argocd\.argoproj\.io/refresh}')" "hard" \
	"the annotation asks for a hard refresh"
kubectl annotate applications.argoproj.io -n argocd platform argocd.argoproj.io/refresh- >/dev/null
run timeout 20 kubectl gitops refresh platform --timeout 1s
expect_eq "$(app_field platform '{.metadata.annotations.argocd\.argoproj\.io/refresh}')" "normal" \
	"without --hard it asks for a normal refresh"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null

# --- confirm-deletion -----------------------------------------------------------
cp -r "$top/tests/fixtures/repos" "$tap_tmp/prune-repos"
sim_start "$tap_tmp/prune-repos"
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: prune, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://git.example.com/org/scenarios.git, path: prune, targetRevision: HEAD}
  destination: {server: https://kubernetes.default.svc, namespace: demo}
  syncPolicy: {syncOptions: [CreateNamespace=true]}
YAML
wait_for prune '{.status.sync.status}' 'OutOfSync'
kubectl gitops sync prune --timeout 30s >/dev/null 2>&1
ok $? "the prune scenario is synced"
rm "$tap_tmp/prune-repos/scenarios/prune/confirm.yaml"
kubectl gitops refresh prune >/dev/null
kubectl gitops sync prune --prune --timeout 30s -o json >"$tap_tmp/prune.out" 2>"$tap_tmp/prune.err" &
sync_pid=$!
wait_for prune '{.status.operationState.message}' '[Ww]aiting for pruning confirmation'
ok $? "the sync waits for the confirmation of the Prune=confirm ConfigMap"
before=$(date -u +%s)
run kubectl gitops confirm-deletion prune
after=$(date -u +%s)
expect_rc 0 "confirm-deletion succeeds"
expect_out "^Application 'prune' deletion approved at 20[0-9-]+T[0-9:]+Z$" "it says when"
expect_out '^  /ConfigMap demo/confirm$' "and what was waiting for confirmation"
expect_out 'the webhook accepts it for 15 minutes by default\.$' "and for how long the webhook counts it"
stamp=$(app_field prune '{.metadata.annotations.argocd\.argoproj\.io/deletion-approved}')
t=$(date -u -d "$stamp" +%s 2>/dev/null || echo 0)
[ "$t" -ge "$before" ] && [ "$t" -le "$after" ]
ok $? "the annotation is the current time in RFC 3339 ($stamp)"
wait $sync_pid
rc=$?
expect_rc 0 "the waiting sync then completes"
expect_eq "$(kubectl get configmap -n demo confirm -o name 2>&1)" \
	'Error from server (NotFound): configmaps "confirm" not found' "the approved ConfigMap was pruned"
run kubectl gitops confirm-deletion prune
expect_out '^no resource is waiting for deletion confirmation now$' "nothing left to approve"
run kubectl gitops confirm-deletion
expect_rc 2 "confirm-deletion needs an APP"

done_testing
