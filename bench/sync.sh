#!/usr/bin/env bash
# The sync benchmark (issue 5, "Performance"): `kubectl gitops sync` of an
# app-of-apps with 500 manual children in 5 waves, each child's sync taking a
# fixed time in the simulated controller, against a shell loop of kubectl
# patch / kubectl wait doing the same (bench/sync_shell_loop.sh), in the same
# run and on the same simulator; then `kubectl gitops tree` (or `list`) of the
# 500 apps.  A benchmark, not a test: it prints figures next to their targets
# and never fails on them; it exits non-zero only when something could not
# run (the simulator does not start, a sync fails, the apps do not end up
# synced).
#
#   bench/sync.sh             (make bench runs it)
#
# Knobs (environment): BENCH_APPS (500), BENCH_WAVES (5), BENCH_LATENCY (the
# per-app sync latency, a Go duration in ms or s, default 300ms),
# BENCH_PARALLEL (the --parallel values to measure, default 100; the shell
# loop runs with each too; "8 100" measures both, several minutes more),
# BENCH_SHELL_LOOP=0 skips the shell loop, BENCH_ROUNDS (runs of tree/list,
# default 7), BENCH_KEEP=1 keeps the work directory (repos, request log,
# outputs), PLUGIN_BIN (default bin/kubectl-gitops), KUBESIM_BIN (default
# tests/kubesim/kubesim).  bench/README.md explains the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

apps=${BENCH_APPS:-500}
waves=${BENCH_WAVES:-5}
latency=${BENCH_LATENCY:-300ms}
parallels=${BENCH_PARALLEL:-100}
shell_loop=${BENCH_SHELL_LOOP:-1}
rounds=${BENCH_ROUNDS:-7}
plugin=${PLUGIN_BIN:-bin/kubectl-gitops}
kubesim=${KUBESIM_BIN:-tests/kubesim/kubesim}

for tool in kubectl python3; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x "$plugin" ] || die "$plugin not built (run make)"
case $latency in
*ms) lat_s=$(python3 -c "import sys; print(float(sys.argv[1][:-2]) / 1000)" "$latency") ;;
*s) lat_s=${latency%s} ;;
*) die "BENCH_LATENCY must end in ms or s" ;;
esac

spid=''
bench_workdir sync spid

# --- the simulator, with the root synced once (release 1) --------------------
bench/gen_apps.py "$tmp" --apps "$apps" --waves "$waves" --latency "$latency" --release 1 |
	sed 's/^/generated /' || die "gen_apps.py failed"
# No periodic resync (the benchmark refreshes the apps itself, as a Git
# webhook would); Argo CD's 2 s pause between the root's own waves scaled
# to 20 ms.
KUBESIM_RESYNC=3600 KUBESIM_TIME_SCALE=0.01 "$kubesim" --listen 127.0.0.1:0 \
	--kubeconfig-out "$tmp/kubeconfig" --controllers argocd --repos "$tmp/repos" \
	--state "$tmp/state.json" --request-log "$tmp/requests.log" \
	>"$tmp/sim.out" 2>"$tmp/sim.err" &
spid=$!
bench_wait_log 300 "$spid" "$tmp/sim.out" listening ||
	{ cat "$tmp/sim.err" >&2; die "kubesim did not start"; }
export KUBECONFIG=$tmp/kubeconfig
# kubectl's discovery cache and the plugin's caches go here, not to ~/.kube
export HOME=$tmp/home
mkdir -p "$HOME"
k() { kubectl -n argocd "$@"; }

t0=$(date +%s.%N)
"$plugin" sync root -n argocd --parallel 100 --timeout 300s >"$tmp/setup.out" 2>"$tmp/setup.err" ||
	{ tail -5 "$tmp/setup.out" "$tmp/setup.err" >&2; die "the first sync of root failed"; }
echo "setup: first sync of root and its $apps children (kubectl gitops sync --parallel 100):" \
	"$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" \
		"$t0" "$(date +%s.%N)") s"

# --- helpers ---------------------------------------------------------------------
log_lines() { # the request log's length once it stops growing (watches end late)
	local n m
	n=$(wc -l <"$tmp/requests.log")
	while sleep 0.3; m=$(wc -l <"$tmp/requests.log"); [ "$m" != "$n" ]; do
		n=$m
	done
	echo "$n"
}
sim_ticks() {
	sed 's/.*) //' "/proc/$spid/stat" | awk '{ print $12 + $13 }'
}
# A new release in Git: every child's ConfigMap changes, the apps are
# refreshed (as by a Git webhook) and become OutOfSync.
release() {
	bench/gen_apps.py "$tmp" --apps "$apps" --waves "$waves" --latency "$latency" \
		--release "$1" >/dev/null
	k annotate applications -l app.kubernetes.io/part-of=root --overwrite \
		argocd.argoproj.io/refresh=normal >/dev/null
	# (one LIST every 0.5 s: `kubectl wait -l` on 500 apps throttles itself)
	local n=0 _
	for _ in $(seq 240); do
		n=$(k get applications -l app.kubernetes.io/part-of=root \
			-o jsonpath='{range .items[*]}{.status.sync.status}{"\n"}{end}' | grep -cx OutOfSync || true)
		[ "$n" = "$apps" ] && return
		sleep 0.5
	done
	die "release $1: only $n of $apps children became OutOfSync"
}
# Every child Synced and Healthy with the ConfigMap of release $1.
check_release() {
	local n bad
	n=$(kubectl get configmaps -n bench -o jsonpath='{range .items[*]}{.data.release}{"\n"}{end}' |
		grep -cx "$1" || true)
	bad=$(k get applications -l app.kubernetes.io/part-of=root -o \
		jsonpath='{range .items[*]}{.status.sync.status}/{.status.health.status}{"\n"}{end}' |
		grep -cvx 'Synced/Healthy' || true)
	if [ "$n" != "$apps" ] || [ "$bad" != 0 ]; then
		die "after release $1: $n of $apps ConfigMaps updated, $bad apps not Synced/Healthy"
	fi
}
# timed OUT CMD...: runs CMD; writes "wall_s user_s sys_s rc" to OUT.
timed() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
rc = subprocess.call(cmd)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write("%.3f %.3f %.3f %d\n" % (wall, ru.ru_utime, ru.ru_stime, rc))
PY
}

# --- the runs -----------------------------------------------------------------------
rel=1
results=$tmp/results
: >"$results"
measure() { # measure NAME PARALLEL CMD...
	local name=$1 par=$2 r0 r1 c0 c1 fig
	shift 2
	rel=$((rel + 1))
	release "$rel"
	r0=$(log_lines)
	c0=$(sim_ticks)
	timed "$tmp/time" "$@" >"$tmp/$name-$par.out" 2>"$tmp/$name-$par.err"
	c1=$(sim_ticks)
	r1=$(log_lines)
	read -r -a fig <"$tmp/time"
	if [ "${fig[3]}" != 0 ]; then
		tail -5 "$tmp/$name-$par.out" "$tmp/$name-$par.err" >&2
		die "$name --parallel $par exited with ${fig[3]}"
	fi
	check_release "$rel"
	sed -n "$((r0 + 1)),${r1}p" "$tmp/requests.log" >"$tmp/$name-$par.requests"
	echo "$name $par ${fig[0]} ${fig[1]} ${fig[2]} $((c1 - c0)) $tmp/$name-$par.requests" >>"$results"
	echo "ran: $name --parallel $par: ${fig[0]} s"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
for par in $parallels; do
	measure plugin "$par" "$plugin" sync root -n argocd --parallel "$par" --timeout 600s
	if [ "$shell_loop" != 0 ]; then
		measure shell-loop "$par" bench/sync_shell_loop.sh root "$par" "release-$((rel + 1))"
	fi
done

# --- tree (or list) of the 500 apps --------------------------------------------------
if "$plugin" tree --help >/dev/null 2>&1; then
	view=(tree root -n argocd)
else
	view=(list -n argocd)
fi
"$plugin" "${view[@]}" >/dev/null 2>&1 || true   # warm-up
: >"$tmp/views"
for _ in $(seq "$rounds"); do
	timed "$tmp/time" "$plugin" "${view[@]}" >"$tmp/view.out" 2>"$tmp/view.err"
	read -r -a fig <"$tmp/time"
	[ "${fig[3]}" = 0 ] || { cat "$tmp/view.err" >&2; die "kubectl gitops ${view[*]} failed"; }
	echo "${fig[0]}" >>"$tmp/views"
done
view_lines=$(wc -l <"$tmp/view.out")

# --- report ---------------------------------------------------------------------------
python3 - "$results" "$tmp/views" "$apps" "$waves" "$lat_s" "$(getconf CLK_TCK)" \
	"kubectl gitops ${view[*]}" "$view_lines" <<'PY'
import collections, json, math, statistics, sys

results, views, apps, waves, lat, hz, view, view_lines = sys.argv[1:9]
apps, waves, lat, hz, view_lines = int(apps), int(waves), float(lat), int(hz), int(view_lines)
runs = {}
for line in open(results):
    name, par, wall, user, sys_, ticks, log = line.split()
    reqs = [json.loads(x) for x in open(log)]
    runs[(name, int(par))] = dict(wall=float(wall), cpu=float(user) + float(sys_),
                                  sim=int(ticks) / hz, reqs=reqs)

per_wave = [apps // waves + (1 if w < apps % waves else 0) for w in range(waves)]


def ideal(par):
    return sum(math.ceil(n / par) for n in per_wave) * lat


def what(r):
    """The method, GETs split into discovery, one object and a collection
    (a list or a watch: the log has no query string to tell them apart)."""
    if r["method"] != "GET":
        return r["method"]
    parts = [p for p in r["path"].split("/") if p]
    if not parts or parts[0] not in ("api", "apis"):
        return "GET other"
    rest = parts[2 if parts[0] == "api" else 3:]
    if len(rest) >= 3 and rest[0] == "namespaces":
        rest = rest[2:]
    return {0: "GET discovery", 1: "GET collection"}.get(len(rest), "GET object")


def kinds(reqs):
    c = collections.Counter(what(r) for r in reqs)
    return ", ".join("%d %s" % (n, m) for m, n in c.most_common())


ok = lambda good: "met" if good else "MISSED"
synced = apps + 1   # the children and root
print()
print("%d child Applications in %d waves (%s per wave), sync latency %.0f ms each, "
      "plus the root; each run syncs a new release of all of them"
      % (apps, waves, "/".join(map(str, sorted(set(per_wave)))), lat * 1000))
print("ideal(P) = sum over waves of ceil(apps in wave / P) x latency: the children's "
      "syncs alone, nothing else")
print()
print("%-20s %4s %8s %8s %9s %9s %8s %10s %8s %8s" % (
    "", "P", "wall s", "ideal s", "overhead", "requests", "req/app", "client CPU", "sim CPU",
    "sim busy"))
for (name, par), r in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0] != "plugin")):
    i = ideal(par)
    label = "kubectl gitops sync" if name == "plugin" else "shell loop"
    print("%-20s %4d %8.2f %8.2f %8.0f%% %9d %8.2f %9.1fs %7.1fs %7.0f%%" % (
        label, par, r["wall"], i, 100.0 * (r["wall"] - i) / i, len(r["reqs"]),
        len(r["reqs"]) / synced, r["cpu"], r["sim"], 100.0 * r["sim"] / r["wall"]))
busy = max([r["sim"] / r["wall"] for r in runs.values()] + [0])
if busy > 0.8:
    print("sim busy = the simulator's CPU time / wall time.  At %.0f%% the simulated "
          "controller (Python, one\nworker thread) is the bottleneck: the wall times "
          "measure the simulator more than the clients." % (100 * busy))
print()
for (name, par), r in sorted(runs.items()):
    print("requests, %s P=%d: %s" % (name, par, kinds(r["reqs"])))
print()
v = sorted(float(x) for x in open(views))
best, med = v[0], statistics.median(v)
print("%s (%d lines of output): best %.0f ms, median %.0f ms of %d runs (process start "
      "included)" % (view, view_lines, best * 1000, med * 1000, len(v)))
print()
print("targets:")
for (name, par), r in sorted(runs.items()):
    if name != "plugin":
        continue
    i = ideal(par)
    over = 100.0 * (r["wall"] - i) / i
    print("  P=%-3d overhead < 5%% of the ideal:      %6.1f%%  %s" % (par, over, ok(over < 5)))
    print("  P=%-3d requests O(apps), no polling:    %6.2f per app  (%d in all)"
          % (par, len(r["reqs"]) / synced, len(r["reqs"])))
    s = runs.get(("shell-loop", par))
    if s:
        ratio = s["wall"] / r["wall"]
        print("  P=%-3d >= 3x faster than the shell loop: %5.2fx  %s" % (par, ratio, ok(ratio >= 3)))
print("  %s < 150 ms:  best %.0f ms  %s%s" % (
    view.split()[2], best * 1000, ok(best < 0.150),
    "" if "tree" in view else "  (tree does not exist yet: list measured instead)"))
PY
