#!/usr/bin/env bash
# Scenario 2: selective sync.  Someone changed things by hand; the team
# puts back only what it means to: first one child app of the platform
# (`--app`), then one resource of another child (`--resource`).
. "$(dirname "$0")/lib.sh"
require_commands sync

need_platform
ok $? "the platform is bootstrapped"

say "drift: two ConfigMaps and a Deployment of two apps are edited by hand"
kubectl patch configmap api-config -n platform --type merge -p '{"data":{"LOG_LEVEL":"debug"}}' >/dev/null &&
	kubectl patch configmap worker-config -n platform --type merge -p '{"data":{"CONCURRENCY":"16"}}' >/dev/null &&
	kubectl scale deployment worker -n platform --replicas 3 >/dev/null
ok $? "the edits are allowed (no sync window blocks them)"
expect_eventually 30 "api turns OutOfSync" app_is api OutOfSync/Healthy
expect_eventually 30 "worker turns OutOfSync" app_is worker OutOfSync/Healthy

cm() { # cm NAME KEY
	kubectl get configmap "$1" -n platform -o "jsonpath={.data.$2}"
}

say "\$ kubectl gitops sync platform --app api"
run kubectl gitops sync platform --app api
expect_rc 0 "the sync succeeds"
expect_out '(^|[^a-z-])api +0 +Succeeded +Succeeded +Synced +Healthy' "the summary shows api synced"
expect_no_out '(^|[^a-z-])(infra|web|worker|canary) ' "and no other child"
expect_eq "$(cm api-config LOG_LEVEL)" info "api-config is back to what Git says"
expect_eq "$(app_state api)" Synced/Healthy "api is Synced"
expect_eq "$(cm worker-config CONCURRENCY)" 16 "worker-config keeps the hand edit"
expect_eq "$(app_state worker)" OutOfSync/Healthy "worker is still OutOfSync"

say "\$ kubectl gitops sync worker --resource :ConfigMap:worker-config"
run kubectl gitops sync worker --resource :ConfigMap:worker-config
expect_rc 0 "the sync of one resource succeeds"
run kubectl get applications.argoproj.io worker -n argocd \
	-o 'jsonpath={range .status.operationState.operation.sync.resources[*]}{.kind}/{.name} {end}'
expect_eq "$out" "ConfigMap/worker-config " "the operation named only that resource"
expect_eq "$(cm worker-config CONCURRENCY)" 4 "worker-config is back to what Git says"
run kubectl get deployment worker -n platform -o 'jsonpath={.spec.replicas}'
expect_eq "$out" 3 "the worker Deployment was not touched (3 replicas)"
expect_eq "$(app_state worker)" OutOfSync/Healthy "so worker is still OutOfSync"

say "\$ kubectl gitops sync worker"
run kubectl gitops sync worker
expect_rc 0 "a full sync of worker succeeds"
run kubectl get deployment worker -n platform -o 'jsonpath={.spec.replicas}'
expect_eq "$out" 1 "the worker Deployment is back to 1 replica"
expect_eventually 30 "every app is Synced and Healthy again" platform_healthy

done_testing
