#!/usr/bin/env bash
# Scenario 1: bootstrap.  The platform team applies the root app of their
# app-of-apps and syncs it once: `kubectl gitops sync` cascades into the
# five children in their three waves (infra -1; api, web 0; worker,
# canary 1), each wave Healthy before the next starts, and `tree` shows the
# result.
. "$(dirname "$0")/lib.sh"
require_commands sync tree

say "\$ kubectl apply -f tests/fixtures/platform.yaml"
run kubectl apply -f "$FIXTURES/platform.yaml"
expect_rc 0 "the root app is applied"
expect_out '^application.argoproj.io/platform (created|unchanged|configured)$' "kubectl reports the root app"
run app_state platform
expect_no_out '^Synced/' "the root app is not synced yet (manual sync policy)"

say "\$ kubectl gitops sync platform"
run kubectl gitops sync platform --timeout 3m
expect_rc 0 "the sync of the root app and its children succeeds"
for a in platform infra api web worker canary; do
	expect_out "(^|[^a-z-])$a +(-?[0-9]+ +)?[A-Za-z]+ +Succeeded +Synced +Healthy" \
		"the summary shows $a Synced and Healthy"
done
expect_out '(^|[^a-z-])infra +-1 ' "infra is in wave -1"
expect_out '(^|[^a-z-])api +0 ' "api is in wave 0"
expect_out '(^|[^a-z-])worker +1 ' "worker is in wave 1"

say "the waves ran in order: each app's sync started after the previous wave's finished"
started() {
	kubectl get applications.argoproj.io -n argocd "$1" \
		-o 'jsonpath={.status.operationState.startedAt}'
}
finished() {
	kubectl get applications.argoproj.io -n argocd "$1" \
		-o 'jsonpath={.status.operationState.finishedAt}'
}
# RFC 3339 UTC timestamps of one format compare as strings.
in_order() {
	local a b
	for a in $1; do
		for b in $2; do
			[[ "$(finished "$a")" < "$(started "$b")" ]] ||
				[ "$(finished "$a")" = "$(started "$b")" ] || return 1
		done
	done
}
in_order infra "api web"
ok $? "wave 0 (api, web) started after wave -1 (infra) finished"
in_order "api web" "worker canary"
ok $? "wave 1 (worker, canary) started after wave 0 finished"

say "\$ kubectl gitops tree platform"
run kubectl gitops tree platform
expect_rc 0 "tree succeeds"
for a in platform infra api web worker canary; do
	expect_out "(^|[^a-z-])$a .*Synced +Healthy" "tree shows $a Synced and Healthy"
done
expect_no_out 'OutOfSync|Progressing|Degraded|Missing' "nothing in the tree is out of sync or unhealthy"

say "what the platform runs now"
run kubectl get deployments -n platform -o 'jsonpath={range .items[*]}{.metadata.name}={.status.availableReplicas} {end}'
expect_eq "$out" "api=2 web=2 worker=1 " "the Deployments of api, web and worker are available"
run kubectl get rollout canary -n platform -o 'jsonpath={.status.phase}'
expect_eq "$out" Healthy "the canary Rollout is Healthy"

done_testing
