#!/usr/bin/env bash
# Scenario 3: a change freeze.  The platform project's window 0 denies
# syncs of worker and canary; it is switched on (as tests/fixtures
# describes: schedule every minute, one hour long).  Then `kubectl gitops
# sync` refuses and says why, the webhook refuses both a hand-written sync
# operation and a direct `kubectl apply` to the managed Deployment, and
# once the window says manualSync: true the manual sync goes through.
. "$(dirname "$0")/lib.sh"
require_commands sync windows

need_platform
ok $? "the platform is bootstrapped"

window() { # window SCHEDULE DURATION MANUALSYNC
	kubectl patch appproject platform -n argocd --type json -p "[
	  {\"op\":\"replace\",\"path\":\"/spec/syncWindows/0/schedule\",\"value\":\"$1\"},
	  {\"op\":\"replace\",\"path\":\"/spec/syncWindows/0/duration\",\"value\":\"$2\"},
	  {\"op\":\"replace\",\"path\":\"/spec/syncWindows/0/manualSync\",\"value\":$3}]"
}
# Whatever happens, the freeze ends with the scenario.
tap_on_exit="window '0 0 1 1 *' 1m false >/dev/null 2>&1"

say "the deny window for worker and canary is switched on"
run window '* * * * *' 1h false
expect_rc 0 "the project's window 0 now denies syncs, all day"
frozen() {
	kubectl gitops windows platform --app worker 2>/dev/null | grep -q '^Manual sync: *denied'
}
expect_eventually 20 "kubectl gitops windows shows manual syncs of worker denied" frozen
# The webhook sees the project through its watch: wait until it judges by
# the new window (a server-side dry run is judged like the real thing).
manual_sync() {
	kubectl patch applications.argoproj.io worker -n argocd --type merge "$@" \
		-p '{"operation":{"initiatedBy":{"username":"alice"},"sync":{"revision":"HEAD"}}}'
}
wait_for 20 eval '! manual_sync --dry-run=server'

say "\$ kubectl gitops sync worker"
run kubectl gitops sync worker
expect_rc 1 "the sync is refused"
expect_out 'worker .*Refused' "the summary says Refused"
expect_out 'blocked by deny window 0 \(schedule "\* \* \* \* \*", duration 1h' \
	"and names the blocking window"

say "writing the sync operation by hand, as an old argocd CLI would, is refused by the webhook"
run manual_sync
expect_rc 1 "kubectl patch of .operation fails"
expect_denied sync-windows "the sync-windows policy denied it"
expect_err 'a manual sync of Application argocd/worker is not allowed now' "the message says what was refused"
expect_err 'deny window 0' "and names the window"

say "\$ kubectl apply -f worker.yaml   (a new image, straight to the cluster)"
kubectl get deployment worker -n platform -o json |
	python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d["metadata"]
d["metadata"] = {"name": m["name"], "namespace": m["namespace"],
                 "labels": m.get("labels", {}), "annotations": m.get("annotations", {})}
d["metadata"]["annotations"].pop("kubectl.kubernetes.io/last-applied-configuration", None)
d.pop("status", None)
d["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.com/platform/worker:0.9.1"
json.dump(d, sys.stdout)' >"$tap_tmp/worker.json"
run kubectl apply -f "$tap_tmp/worker.json"
expect_rc 1 "kubectl apply to the managed Deployment fails"
expect_denied change-freeze "the change-freeze policy denied it"
expect_err 'Deployment platform/worker is managed by Application argocd/worker, which is in a change freeze' \
	"the message names the Deployment and its Application"
expect_err 'change it through Git once the window allows syncs' "and what to do instead"
run kubectl get deployment worker -n platform -o 'jsonpath={.spec.template.spec.containers[0].image}'
expect_eq "$out" registry.example.com/platform/worker:0.9.0 "the Deployment still runs the image from Git"

say "apps the window does not name are not frozen"
run kubectl gitops sync api --force-children
expect_rc 0 "api still syncs"

say "the same window with manualSync: true"
run window '* * * * *' 1h true
expect_rc 0 "window 0 now allows manual syncs"
thawed() {
	kubectl gitops windows platform --app worker 2>/dev/null | grep -q '^Manual sync: *allowed'
}
expect_eventually 20 "kubectl gitops windows shows manual syncs of worker allowed" thawed
wait_for 20 manual_sync --dry-run=server
run kubectl gitops sync worker
expect_rc 0 "\$ kubectl gitops sync worker succeeds"
expect_out '(^|[^a-z-])worker .*Succeeded +Succeeded +Synced +Healthy' "worker is synced"
run kubectl get applications.argoproj.io worker -n argocd -o 'jsonpath={.status.operationState.operation.initiatedBy.automated}'
expect_no_out true "it was a manual sync"

say "the window is switched off again"
run window '0 0 1 1 *' 1m false
expect_rc 0 "window 0 is back to never"
tap_on_exit=

done_testing
