# shellcheck shell=bash
# webhook.sh - run `gitops-webhook serve` for a TAP script in
# tests/integration/.  Source it from the repository's top directory; it
# sets (and a script may use):
#
#   $bin                  $WEBHOOK_BIN, else the ASan build when there is
#                         one, else bin/gitops-webhook
#   $tmp                  a fresh directory, removed on exit
#   $pid                  the server (webhook_start); killed on exit unless
#                         the script empties it after stopping the server
#   $webhook_on_exit      more to do on exit (eval'd after killing $pid)
#   t DESCRIPTION CMD...  one TAP line: ok when CMD succeeds
#   webhook_start ARGS... starts "$bin" serve with $tmp/tls.crt and
#                         $tmp/tls.key on 127.0.0.1 (any port) and ARGS, its
#                         log in $tmp/log; waits up to 10 s for it to serve
#                         and sets $port and $mport (the metrics port, when
#                         --metrics-listen is given); empty when missing

bin=${WEBHOOK_BIN:-}
if [ -z "$bin" ]; then
	bin=bin/gitops-webhook
	[ -x build/asan/bin/gitops-webhook ] && bin=build/asan/bin/gitops-webhook
fi
tmp=$(mktemp -d)
pid=
webhook_on_exit=
webhook_cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$webhook_on_exit" ] && eval "$webhook_on_exit"
	rm -rf "$tmp"
}
trap webhook_cleanup EXIT
n=0
t() {
	local d=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}

webhook_start() {
	"$bin" serve --tls-cert-file "$tmp/tls.crt" --tls-private-key-file "$tmp/tls.key" \
		--listen 127.0.0.1:0 "$@" 2>"$tmp/log" &
	pid=$!
	for _ in $(seq 100); do grep -q '"serving HTTPS' "$tmp/log" 2>/dev/null && break; sleep 0.1; done
	port=$(sed -n 's/.*"serving HTTPS on [^ ]* (port \([0-9]*\)).*/\1/p' "$tmp/log")
	mport=$(sed -n 's/.*metrics on [^ ]* (port \([0-9]*\)).*/\1/p' "$tmp/log")
}
