# kubetest.sh - start tests/lib/kubetest_server.py for a TAP script and
# point a kubeconfig at it.  Source after tests/lib/tap.sh and after
# writing "$tap_tmp/script.json" and certificates (tests/lib/certs.sh).
#
#   kubetest_start               starts the server; sets $port and $server,
#                                kills it on exit; requests go to
#                                "$tap_tmp/requests.log"
#   kubetest_kubeconfig FILE [NAMESPACE]
#                                writes a kubeconfig with the test CA and
#                                the bearer token s3cret-token (user alice)

kubetest_start() {
	python3 tests/lib/kubetest_server.py --script "$tap_tmp/script.json" \
		--log "$tap_tmp/requests.log" --cert "$tap_tmp/server.crt" \
		--key "$tap_tmp/server.key" >"$tap_tmp/port" 2>"$tap_tmp/server.err" &
	server=$!
	tap_on_exit="kill $server 2>/dev/null"
	for _ in $(seq 50); do [ -s "$tap_tmp/port" ] && break; sleep 0.1; done
	port=$(head -1 "$tap_tmp/port")
	[ -n "$port" ] || { echo "Bail out! test server did not start: $(tail -1 "$tap_tmp/server.err")"; exit 1; }
}

kubetest_kubeconfig() {
	cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: t
  cluster: {server: "https://127.0.0.1:$port", certificate-authority: "$tap_tmp/ca.crt"}
users:
- name: alice
  user: {token: s3cret-token}
contexts:
- name: t
  context: {cluster: t, user: alice${2:+, namespace: $2}}
current-context: t
YAML
}
