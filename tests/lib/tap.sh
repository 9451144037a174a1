# tap.sh - TAP helpers for test scripts that read like user sessions.
#
#   . tests/lib/tap.sh
#   run kubectl gitops list         # runs, keeps $out, $err and $rc
#   expect_rc 0 "list succeeds"
#   expect_out 'guestbook +default' "the app is listed"
#   done_testing
#
# Patterns are extended regular expressions matched line by line (grep -E).

tap_n=0
tap_failed=0
tap_tmp=$(mktemp -d)
trap 'tap_cleanup' EXIT

tap_cleanup() {
	[ -n "${tap_on_exit:-}" ] && eval "$tap_on_exit"
	rm -rf "$tap_tmp"
}

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
		[ -n "${out+x}" ] && printf '%s\n' "$out" | sed 's/^/#   out: /' | head -20
		[ -n "${err+x}" ] && printf '%s\n' "$err" | sed 's/^/#   err: /' | head -20
	fi
}

# run CMD...: runs the command, capturing stdout in $out, stderr in $err, status in $rc.
run() {
	"$@" >"$tap_tmp/out" 2>"$tap_tmp/err"
	rc=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
}

expect_rc() {
	[ "$rc" -eq "$1" ]
	ok $? "$2 (exit $rc, want $1)"
}

expect_out() {
	printf '%s\n' "$out" | grep -Eq -- "$1"
	ok $? "$2"
}

expect_no_out() {
	! printf '%s\n' "$out" | grep -Eq -- "$1"
	ok $? "$2"
}

expect_err() {
	printf '%s\n' "$err" | grep -Eq -- "$1"
	ok $? "$2"
}

expect_eq() {
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
