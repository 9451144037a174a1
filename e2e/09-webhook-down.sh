#!/usr/bin/env bash
# Scenario 9: no webhook replica answers.  What happens to writes is the
# registration's failurePolicy: Ignore lets them through unchecked, Fail
# refuses them.  And the emergency procedure the chart's NOTES print —
# deleting the ValidatingWebhookConfiguration — always works, because the
# API server never sends webhook configurations to webhooks.
. "$(dirname "$0")/lib.sh"

need_platform
ok $? "the platform is bootstrapped"

vwc=validatingwebhookconfiguration/$WEBHOOK_CONFIGURATION
write() {
	run kubectl annotate configmap platform-config -n platform --overwrite \
		"e2e.kubectl-gitops.dev/when=$1"
}
set_policy() {
	kubectl patch "$vwc" --type json \
		-p "[{\"op\":\"replace\",\"path\":\"/webhooks/0/failurePolicy\",\"value\":\"$1\"}]"
}
restore() {
	webhook_start
	webhook_register
}
tap_on_exit=restore

say "the webhook goes down"
webhook_stop
ok $? "every webhook replica is stopped"

say "\$ kubectl patch $vwc ... failurePolicy: Ignore"
run set_policy Ignore
expect_rc 0 "the failure policy is set to Ignore"
write ignore
expect_rc 0 "with Ignore, a write to a tracked object passes unchecked"

say "\$ kubectl patch $vwc ... failurePolicy: Fail"
run set_policy Fail
expect_rc 0 "the failure policy is set to Fail"
write fail
expect_rc 1 "with Fail, the same write is refused"
expect_err "Internal error occurred: failed calling webhook \"$WEBHOOK_NAME\"" \
	"the error says the webhook could not be called"
run kubectl get configmap platform-config -n platform \
	-o 'jsonpath={.metadata.annotations.e2e\.kubectl-gitops\.dev/when}'
expect_eq "$out" ignore "the refused write changed nothing"

say "emergency: \$ kubectl delete $vwc"
run kubectl delete "$vwc"
expect_rc 0 "the webhook configuration is deleted although the webhook is down"
write emergency
expect_rc 0 "writes pass again"

say "repair: the webhook is started and registered again"
restore
ok $? "the webhook is back"
tap_on_exit=
run kubectl get "$vwc" -o 'jsonpath={.webhooks[0].failurePolicy}'
expect_eq "$out" Fail "it is registered with failurePolicy Fail"
run kubectl delete pvc data -n platform --dry-run=server
expect_denied deletion-protection "and enforces its policies again"

kubectl annotate configmap platform-config -n platform e2e.kubectl-gitops.dev/when- >/dev/null 2>&1
done_testing
