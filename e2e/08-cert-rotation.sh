#!/usr/bin/env bash
# Scenario 8: the webhook's serving certificate is replaced (a new CA and a
# new certificate, as after a cert-manager renewal) while writes keep
# flowing through it.  The webhook reloads the files without a restart;
# during the change the API server trusts both CAs.  No write may fail.
. "$(dirname "$0")/lib.sh"

need_platform
ok $? "the platform is bootstrapped"

# Writes that the API server sends to the webhook: annotating a ConfigMap
# Argo CD tracks (an UPDATE of a tracked object is always judged).
traffic() {
	local i=0
	while [ ! -e "$tap_tmp/stop" ]; do
		i=$((i + 1))
		if kubectl annotate configmap platform-config -n platform --overwrite \
			"e2e.kubectl-gitops.dev/ping=$i" >/dev/null 2>>"$tap_tmp/traffic.err"; then
			echo ok >>"$tap_tmp/traffic"
		else
			echo fail >>"$tap_tmp/traffic"
		fi
	done
}

reloads() {
	webhook_log | grep -c '"msg":"serving certificate reloaded"'
}

before_decisions=$(webhook_decisions)
before_reloads=$(reloads)
say "writes start; the certificate is rotated twice under them"
traffic &
traffic_pid=$!
tap_on_exit="touch '$tap_tmp/stop'; wait $traffic_pid 2>/dev/null"
sleep 1
webhook_rotate_cert
ok $? "first rotation: the webhook serves the new certificate"
webhook_rotate_cert
ok $? "second rotation: the webhook serves the newer certificate"
sleep 1
touch "$tap_tmp/stop"
wait "$traffic_pid"
tap_on_exit=

writes=$(grep -c ok "$tap_tmp/traffic" 2>/dev/null)
failures=$(grep -c fail "$tap_tmp/traffic" 2>/dev/null)
ok $((writes < 5)) "writes went on during the rotations ($writes)"
ok "$failures" "no write failed ($failures failed)"
[ "$failures" -eq 0 ] || sed 's/^/#   /' "$tap_tmp/traffic.err" | head -5
# The webhook writes its decision lines in batches, a few milliseconds late.
for _ in $(seq 50); do
	judged=$(($(webhook_decisions) - before_decisions))
	[ "$judged" -ge "$writes" ] && break
	sleep 0.1
done
ok $((judged < writes)) "every write was judged by the webhook ($judged decisions)"
ok $(($(reloads) - before_reloads < 2)) "the webhook logged its certificate reloads"

say "and it still enforces its policies with the new certificate"
run kubectl delete pvc data -n platform --dry-run=server
expect_denied deletion-protection "deleting the Prune=false claim is still denied"

kubectl annotate configmap platform-config -n platform e2e.kubectl-gitops.dev/ping- >/dev/null 2>&1
done_testing
