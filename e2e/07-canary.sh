#!/usr/bin/env bash
# Scenario 7: a canary release of the platform's `canary` Rollout (steps:
# 25%, pause, 50%, pause 10s, 75%).  A new image is walked through its
# steps with promote; the next one is aborted, retried, and promoted in one
# go with --full.  At the end the app is synced back to Git.
. "$(dirname "$0")/lib.sh"
require_commands rollout sync

need_platform
ok $? "the platform is bootstrapped"

ro() {
	kubectl gitops rollout "$@" -n platform
}
set_image() {
	kubectl patch rollout canary -n platform --type json -p "[{\"op\":\"replace\",
		\"path\":\"/spec/template/spec/containers/0/image\",
		\"value\":\"registry.example.com/platform/canary:$1\"}]"
}
field() {
	kubectl get rollout canary -n platform -o "jsonpath=$1"
}
paused_at() { # paused_at STEP
	[ "$(field '{.status.phase}/{.status.currentStepIndex}')" = "Paused/$1" ]
}
healthy_on() { # healthy_on TAG
	[ "$(field '{.status.phase}')" = Healthy ] &&
		[ "$(field '{.status.stableRS}')" = "$(field '{.status.currentPodHash}')" ] &&
		[ "$(field '{.spec.template.spec.containers[0].image}')" = "registry.example.com/platform/canary:$1" ]
}

say "\$ kubectl gitops rollout list -n platform"
run ro list
expect_rc 0 "list succeeds"
expect_out '^canary +Canary +Healthy ' "the canary Rollout is Healthy before the release"

say "release 1.1.0"
run set_image 1.1.0
expect_rc 0 "the new image is set"
run ro status canary --timeout 60s --success-on-pause
expect_rc 0 "\$ kubectl gitops rollout status canary --success-on-pause returns at the first pause"
expect_out '^Paused' "it says Paused"
expect_eventually 30 "the rollout waits at step 1 (after setWeight 25)" paused_at 1

say "\$ kubectl gitops rollout promote canary"
run ro promote canary
expect_rc 0 "promote succeeds"
expect_out "^rollout 'canary' promoted$" "with the message users know"
expect_eventually 30 "the rollout leaves step 1" eval '! paused_at 1'
# The second pause has a duration (10s); promote it too when it is still
# there (the simulator runs pauses faster, so it may already be over).
if wait_for 10 paused_at 3; then
	run ro promote canary
	expect_rc 0 "promote skips the timed pause at step 3"
fi
run ro status canary --timeout 90s
expect_rc 0 "\$ kubectl gitops rollout status canary waits until it is Healthy"
expect_out '^Healthy' "it says Healthy"
expect_eventually 30 "1.1.0 is the stable image" healthy_on 1.1.0

say "release 1.2.0, which goes wrong: abort"
set_image 1.2.0 >/dev/null
expect_eventually 60 "the rollout waits at step 1" paused_at 1
run ro abort canary
expect_rc 0 "\$ kubectl gitops rollout abort canary succeeds"
expect_out "^rollout 'canary' aborted$" "with the message users know"
run ro status canary --timeout 30s
expect_rc 1 "status exits 1 for the aborted rollout"
expect_out 'Degraded - RolloutAborted' "and says Degraded - RolloutAborted"
run field '{.status.stableRS}/{.spec.template.spec.containers[0].image}'
expect_out '/registry.example.com/platform/canary:1.2.0$' "the spec still asks for 1.2.0"
run ro list
expect_out '^canary +Canary +Degraded ' "list shows the rollout Degraded"

say "\$ kubectl gitops rollout retry canary"
run ro retry canary
expect_rc 0 "retry succeeds"
expect_out "^rollout 'canary' restarted$|retr" "with the message users know"
expect_eventually 60 "the rollout starts over and waits at step 1" paused_at 1

say "\$ kubectl gitops rollout promote canary --full"
run ro promote canary --full
expect_rc 0 "promote --full succeeds"
expect_out "^rollout 'canary' fully promoted$" "with the message users know"
run ro status canary --timeout 90s
expect_rc 0 "status waits until it is Healthy"
expect_eventually 30 "1.2.0 is the stable image, with no step left" healthy_on 1.2.0
run field '{.status.currentStepIndex}'
expect_eq "$out" 5 "the rollout is past its last step (5/5)"

say "back to what Git says: sync the canary app, and promote the rollback at once"
run kubectl gitops sync canary --async
expect_rc 0 "\$ kubectl gitops sync canary --async starts the sync"
expect_eventually 60 "the rollback to 1.0.0 waits at step 1" paused_at 1
run ro promote canary --full
expect_rc 0 "promote --full"
expect_eventually 60 "1.0.0, from Git, is the stable image again" healthy_on 1.0.0
expect_eventually 60 "the canary app is Synced and Healthy" app_is canary Synced/Healthy

done_testing
