#!/usr/bin/env bash
# The webhook benchmark (issue 4, "Performance"): gitops-webhook against
# nginx, over TLS with keep-alive, on 127.0.0.1, with the 1,000 AppProjects
# and 20,000 Applications of bench/gen_state.py loaded.  A benchmark, not a
# test: it prints figures next to their targets and never fails on them; it
# exits non-zero only when something could not run (a tool is missing, a
# server does not start, or the webhook judges the requests wrongly).
#
#   bench/webhook.sh            (make bench runs it)
#
# Knobs (environment): BENCH_SECONDS (each measured run, default 6),
# BENCH_ROUNDS (peak runs of each server, alternating, default 3),
# BENCH_THREADS / BENCH_CONNECTIONS (wrk's -t/-c, the same for both
# servers, default: the cores / 16), BENCH_KEEP=1 keeps the work directory,
# BENCH_PERF=1 records a perf profile of the webhook's peak run and prints
# its top functions, WEBHOOK_BIN (default bin/gitops-webhook).
# bench/README.md explains the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

secs=${BENCH_SECONDS:-6}
rounds=${BENCH_ROUNDS:-3}
cores=$(nproc)
threads=${BENCH_THREADS:-$cores}
conns=${BENCH_CONNECTIONS:-16}
bin=${WEBHOOK_BIN:-bin/gitops-webhook}
warm=2

# --- what it needs ---------------------------------------------------------
if ! scripts/bench-deps.sh --check >/dev/null 2>&1; then
	scripts/bench-deps.sh || die "missing packages (see above); run scripts/bench-deps.sh as root"
fi
for tool in wrk nginx openssl curl python3 cc pkg-config; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x "$bin" ] || die "$bin not built (run make)"

wpid='' npid=''
bench_workdir webhook wpid npid

# The load generator for a fixed rate, built like the project's own code.
mkdir -p build/bench
fixed=build/bench/fixed-rate
if [ ! -x "$fixed" ] || [ bench/fixed_rate.c -nt "$fixed" ]; then
	# shellcheck disable=SC2046
	cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -o "$fixed" bench/fixed_rate.c \
		$(pkg-config --cflags --libs openssl) -lpthread || die "cannot build $fixed"
fi

# --- certificate (EC P-256, SAN localhost and 127.0.0.1), state, bodies -----
mkcert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=bench-ca -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null || return
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
		-keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null || return
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tmp/tls.ext"
	openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
		-CAcreateserial -days 2 -extfile "$tmp/tls.ext" -out "$tmp/tls.crt" 2>/dev/null
}
mkcert || die "openssl could not make the certificate"
bench/gen_state.py "$tmp" | sed 's/^/generated /' || die "gen_state.py failed"
bodies=("$tmp/bodies/deployment-update.json" "$tmp/bodies/application-sync.json"
	"$tmp/bodies/pvc-delete.json")

# --- start both servers -------------------------------------------------------
t0=$(date +%s.%N)
"$bin" serve --tls-cert-file "$tmp/tls.crt" --tls-private-key-file "$tmp/tls.key" \
	--listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --state "$tmp/state" \
	2>"$tmp/webhook.log" &
wpid=$!
bench_wait_log 600 "$wpid" "$tmp/webhook.log" '"serving HTTPS' || true
wport=$(sed -n 's/.*"serving HTTPS on [^ ]* (port \([0-9]*\)).*/\1/p' "$tmp/webhook.log")
mport=$(sed -n 's/.*metrics on [^ ]* (port \([0-9]*\)).*/\1/p' "$tmp/webhook.log")
if [ -z "$wport" ] || [ -z "$mport" ]; then
	sed 's/^/webhook: /' "$tmp/webhook.log" | head -20 >&2
	die "the webhook did not start"
fi
load_s=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
	"$t0" "$(date +%s.%N)")
loaded=$(sed -n 's/.*"msg":"\(state loaded: [^"]*\)".*/\1/p' "$tmp/webhook.log" | head -1)

nport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s|@DIR@|$tmp|g" -e "s|@PORT@|$nport|g" -e "s|@WORKERS@|$cores|g" \
	-e "s|@CERT@|$tmp/tls.crt|g" -e "s|@KEY@|$tmp/tls.key|g" bench/nginx.conf.in >"$tmp/nginx.conf"
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" 2>"$tmp/nginx-stderr.log" &
npid=$!

wurl="https://127.0.0.1:$wport/validate?timeout=10s"
nurl="https://127.0.0.1:$nport/validate?timeout=10s"
post() { # post URL BODY -> the response body
	curl -sS --max-time 10 --cacert "$tmp/ca.crt" -H 'Content-Type: application/json' \
		--data-binary @"$2" "$1"
}
for _ in $(seq 50); do
	post "$nurl" "${bodies[0]}" >/dev/null 2>&1 && break
	kill -0 "$npid" 2>/dev/null || break
	sleep 0.1
done
post "$nurl" "${bodies[0]}" 2>/dev/null | grep -q '"allowed":true' ||
	{ cat "$tmp/nginx-stderr.log" "$tmp/nginx-error.log" >&2; die "nginx did not start"; }

# --- the webhook must judge the bodies as gen_state.py says -----------------
while read -r name want; do
	got=$(post "$wurl" "$tmp/bodies/$name.json") || die "POST $name to the webhook failed"
	case $want:$got in
	allow:*'"allowed":true'* | deny:*'"allowed":false'*) ;;
	*) die "the webhook answered $name with $got; expected $want" ;;
	esac
done <"$tmp/expected"

status_kb() { # status_kb PID FIELD -> kB
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
cpu_ticks() { # cpu_ticks PID... -> utime+stime of the processes, in clock ticks
	local total=0 p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
	done
	echo "$total"
}
nginx_cpu_ticks() { # the master and its workers
	local pids
	read -ra pids <<<"$npid $(ps --ppid "$npid" -o pid= 2>/dev/null | tr '\n' ' ')"
	cpu_ticks "${pids[@]}"
}
rss_idle=$(status_kb "$wpid" VmRSS)
metric_sum() { # metric_sum REGEX: the sum of the matching samples in /metrics
	curl -sS --max-time 10 "http://127.0.0.1:$mport/metrics" |
		awk -v re="$1" '$0 ~ re { s += $NF } END { printf "%d\n", s }'
}

wrk_run() { # wrk_run URL SECONDS -> wrk's output (the BENCH line last)
	wrk -t"$threads" -c"$conns" -d"$2"s --latency -s bench/wrk_post.lua "$1" -- "${bodies[@]}"
}

echo "webhook: $loaded in ${load_s}s, port $wport; nginx $(nginx -v 2>&1 | sed 's/.*\///'), port $nport"
for u in "$wport:webhook" "$nport:nginx"; do
	tlsinfo=$(openssl s_client -connect "127.0.0.1:${u%%:*}" -servername localhost -brief \
		</dev/null 2>&1 | sed -n 's/^Protocol version: \(.*\)/\1/p; s/^Ciphersuite: \(.*\)/\1/p' |
		paste -sd' ' -)
	echo "${u#*:} TLS: ${tlsinfo:-unknown}"
done
echo "machine: $cores cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs" \
	"(other processes compete with servers and clients)"
echo "load: wrk -t$threads -c$conns, $rounds rounds of ${secs}s per server after a ${warm}s warm-up," \
	"keep-alive, the 3 bodies in rotation; $cores cores shared by servers and clients"

# --- peak: wrk against each, same settings ----------------------------------
wrk_run "$wurl" "$warm" >/dev/null
wrk_run "$nurl" "$warm" >/dev/null
allow0=$(metric_sum '^gitops_webhook_admission_requests_total.*decision="allow"')
deny0=$(metric_sum '^gitops_webhook_admission_requests_total.*decision="deny"')
http0=$(metric_sum '^gitops_webhook_http_responses_total')
ok0=$(metric_sum '^gitops_webhook_http_responses_total\{code="200"\}')

# With BENCH_PERF, 3 s in the middle of the peak run are sampled.  The
# build has no frame pointers, so the call graphs come from DWARF unwinding.
perf_pid=
if [ -n "${BENCH_PERF:-}" ] && command -v perf >/dev/null; then
	(sleep 2 && perf record -F 499 --call-graph dwarf,16384 -o "$tmp/perf.data" \
		-p "$wpid" -- sleep 3) >/dev/null 2>&1 &
	perf_pid=$!
fi
# The machine's speed drifts over a minute; the servers take turns, and the
# first to run alternates, so that both see the same drift.
run_webhook() {
	local c0 c1
	c0=$(cpu_ticks "$wpid")
	wrk_run "$wurl" "$secs" >"$tmp/wrk-webhook-$1.txt" || die "wrk against the webhook failed"
	c1=$(cpu_ticks "$wpid")
	echo "$(grep '^BENCH ' "$tmp/wrk-webhook-$1.txt") ticks=$((c1 - c0))" >>"$tmp/peak-webhook"
}
run_nginx() {
	local n0 n1
	n0=$(nginx_cpu_ticks)
	wrk_run "$nurl" "$secs" >"$tmp/wrk-nginx-$1.txt" || die "wrk against nginx failed"
	n1=$(nginx_cpu_ticks)
	echo "$(grep '^BENCH ' "$tmp/wrk-nginx-$1.txt") ticks=$((n1 - n0))" >>"$tmp/peak-nginx"
}
: >"$tmp/peak-webhook"
: >"$tmp/peak-nginx"
for r in $(seq "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then
		run_webhook "$r"
		run_nginx "$r"
	else
		run_nginx "$r"
		run_webhook "$r"
	fi
done
[ -z "$perf_pid" ] || wait "$perf_pid" || true
[ "$(grep -c '^BENCH ' "$tmp/peak-webhook")" -eq "$rounds" ] || die "no figures from wrk (webhook)"
[ "$(grep -c '^BENCH ' "$tmp/peak-nginx")" -eq "$rounds" ] || die "no figures from wrk (nginx)"

allow=$(($(metric_sum '^gitops_webhook_admission_requests_total.*decision="allow"') - allow0))
deny=$(($(metric_sum '^gitops_webhook_admission_requests_total.*decision="deny"') - deny0))
http=$(($(metric_sum '^gitops_webhook_http_responses_total') - http0))
ok=$(($(metric_sum '^gitops_webhook_http_responses_total\{code="200"\}') - ok0))

# --- the webhook at half of its own peak, open loop ------------------------
half=$(python3 -c "import sys, statistics
rps = [float(w.split('=')[1]) for l in open(sys.argv[1]) for w in l.split() if w.startswith('rps=')]
print(max(1, int(statistics.median(rps) / 2)))" "$tmp/peak-webhook")
F=$("$fixed" --port "$wport" --rate "$half" --connections "$conns" --duration "$secs" \
	--warmup 1 --cacert "$tmp/ca.crt" "${bodies[@]}") || die "fixed-rate against the webhook failed"
FN=$("$fixed" --port "$nport" --rate "$half" --connections "$conns" --duration "$secs" \
	--warmup 1 --cacert "$tmp/ca.crt" "${bodies[@]}") || die "fixed-rate against nginx failed"

rss=$(status_kb "$wpid" VmRSS)
hwm=$(status_kb "$wpid" VmHWM)
log_bytes=$(stat -c %s "$tmp/webhook.log")
kill -0 "$wpid" 2>/dev/null || die "the webhook died during the run"

# --- report -----------------------------------------------------------------
python3 - "$tmp/peak-webhook" "$tmp/peak-nginx" "$F" "$FN" "$allow" "$deny" "$http" "$ok" \
	"$rss_idle" "$rss" "$hwm" "$(getconf CLK_TCK)" "$half" "$log_bytes" <<'PY'
import statistics
import sys

def kv(line):
    return {k: float(v) for k, v in (w.split("=", 1) for w in line.split()[1:])}

def rounds(path):
    return [kv(line) for line in open(path) if line.startswith("BENCH ")]

def median_of(runs):
    """Each figure's median over the rounds; requests and CPU ticks summed."""
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    for k in ("requests", "ticks", "errors", "non2xx"):
        out[k] = sum(r[k] for r in runs)
    return out

WR, NR = rounds(sys.argv[1]), rounds(sys.argv[2])
W, N = median_of(WR), median_of(NR)
F, FN = kv(sys.argv[3]), kv(sys.argv[4])
allow, deny, http, ok, rss_idle, rss, hwm, hz, half, logb = map(int, sys.argv[5:15])
wt, nt = W["ticks"], N["ticks"]
# Round by round, the webhook's rate against nginx's right next to it.
ratios = [w["rps"] / n["rps"] for w, n in zip(WR, NR) if n["rps"]]
ms = lambda us: "%.2f ms" % (us / 1000.0)
mib = lambda kb: "%.1f MiB" % (kb / 1024.0)
ok_mark = lambda good: "met" if good else "MISSED"

print()
print("%-34s %14s %14s %8s" % ("", "gitops-webhook", "nginx", "ratio"))
print("%-34s %14.0f %14.0f %8.2f" % ("requests/s (peak, wrk, median)", W["rps"], N["rps"],
                                      statistics.median(ratios) if ratios else 0))
print("%-34s %s" % ("  ratio round by round", " ".join("%.2f" % r for r in ratios)))
print("%-34s %14s %14s %8.2f" % ("p50 latency at peak", ms(W["p50_us"]), ms(N["p50_us"]),
                                  W["p50_us"] / N["p50_us"] if N["p50_us"] else 0))
print("%-34s %14s %14s %8.2f" % ("p99 latency at peak", ms(W["p99_us"]), ms(N["p99_us"]),
                                  W["p99_us"] / N["p99_us"] if N["p99_us"] else 0))
wcpu = wt / hz * 1e6 / W["requests"] if W["requests"] else 0
ncpu = nt / hz * 1e6 / N["requests"] if N["requests"] else 0
print("%-34s %11.0f us %11.0f us %8.2f" % ("server CPU per request at peak", wcpu, ncpu,
                                            wcpu / ncpu if ncpu else 0))
print("%-34s %14d %14d" % ("errors / non-2xx at peak", W["errors"] + W["non2xx"],
                            N["errors"] + N["non2xx"]))
label = "at %d req/s (half webhook peak)" % half
print("%-34s %14s %14s" % ("p50 " + label, ms(F["p50_us"]), ms(FN["p50_us"])))
print("%-34s %14s %14s" % ("p99 " + label, ms(F["p99_us"]), ms(FN["p99_us"])))
print("%-34s %14s %14s" % ("p99.9 " + label, ms(F["p999_us"]), ms(FN["p999_us"])))
print("%-34s %14.0f %14.0f" % ("achieved req/s " + label.split(" (")[0], F["achieved"],
                                FN["achieved"]))
print("%-34s %14d %14d" % ("errors / non-200 at that rate", F["errors"] + F["non200"],
                            FN["errors"] + FN["non200"]))
print()
print("webhook resident memory: VmRSS %s after loading the state, %s after the run; "
      "VmHWM %s" % (mib(rss_idle), mib(rss), mib(hwm)))
judged = allow + deny
print("webhook decisions during the peak run (from /metrics): %d allowed, %d denied "
      "(%.1f%% denied; the bodies make 33.3%%), %d of %d HTTP answers were 200"
      % (allow, deny, 100.0 * deny / judged if judged else 0, ok, http))
print("webhook decision log: %.1f MiB written during the whole run" % (logb / 1048576.0))
print()
ratio = statistics.median(ratios) if ratios else 0
print("targets:")
print("  throughput >= 0.7 of nginx:       %.2f  %s (median of %d rounds)"
      % (ratio, ok_mark(ratio >= 0.7), len(ratios)))
print("  p99 < 2 ms at half peak:          %s  %s" % (ms(F["p99_us"]),
                                                      ok_mark(F["p99_us"] < 2000)))
print("  resident memory < 40 MiB:         %s  %s" % (mib(max(rss, hwm)),
                                                      ok_mark(max(rss, hwm) < 40 * 1024)))
if judged and abs(deny / judged - 1 / 3.0) > 0.03:
    print("WARNING: the share of denials is not the bodies' third; the decisions are not "
          "the ones bench/gen_state.py expects")
if judged == 0 or ok * 10 < http * 9:
    print("WARNING: the webhook did not judge most requests; the figures are not of the "
          "policy path")
PY

if [ -n "${BENCH_PERF:-}" ] && [ -s "$tmp/perf.data" ]; then
	echo
	echo "perf: the webhook at peak, user-space functions by inclusive share (children, self):"
	perf report -i "$tmp/perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
		grep -E '^ +[0-9]' | grep -v '\[k\]' | grep -v ' 0x0000' | head -40 || true
fi
