# shellcheck shell=bash
# lib.sh - what the benchmarks share.  Source it from the repository's top
# directory (after `set -euo pipefail`).
#
#   die MESSAGE...                  "bench: MESSAGE" on stderr, exit 1
#   bench_workdir NAME PIDVAR...    sets $tmp to a new directory
#                                   ${TMPDIR:-/tmp}/NAME-bench.XXXXXX.  On exit
#                                   (Ctrl-C and SIGTERM exit 130) the processes
#                                   whose ids the variables PIDVAR... hold by
#                                   then are stopped (SIGTERM, waited for) and
#                                   the directory is removed, or kept and named
#                                   with BENCH_KEEP=1.
#   bench_wait_log TRIES PID FILE PATTERN
#                                   waits, 0.1 s a try, until FILE has a line
#                                   matching PATTERN (status 0) or process PID
#                                   is gone (status 1 unless the line is there)

die() {
	echo "bench: $*" >&2
	exit 1
}

bench_workdir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1-bench.XXXXXX")
	shift
	bench_pid_vars=("$@")
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cleanup() {
	local v p
	for v in "${bench_pid_vars[@]}"; do
		p=${!v:-}
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench: work directory kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}

bench_wait_log() {
	local _
	for _ in $(seq "$1"); do
		grep -q "$4" "$3" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "$4" "$3" 2>/dev/null
}
