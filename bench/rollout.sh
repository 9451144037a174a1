#!/usr/bin/env bash
# The rollout benchmark (issue 6, "Performance"): `kubectl gitops rollout
# status NAME --watch=false` and `rollout get NAME` in a namespace of 200
# Rollouts, 2,000 ReplicaSets, 10,000 Pods and 400 AnalysisRuns
# (bench/gen_rollouts.py) held by the simulator, against the reads the
# upstream plugin makes for the same commands: namespace-wide LISTs of
# rollouts, replicasets, pods, analysisruns, experiments and deployments
# (its view controller's informers), done in the same run with curl (and,
# on request, `kubectl get -o json`).  Wall time (best and median of N runs), the
# simulator's CPU per command, requests, and the bytes on the wire counted
# by a relay between client and server.  A benchmark, not a test: it prints
# figures next to their targets and never fails on them; it exits non-zero
# only when something could not run or a command printed the wrong thing.
#
#   bench/rollout.sh            (make bench runs it)
#
# Knobs (environment): BENCH_RUNS (timed runs of each plugin command,
# default 10), BENCH_BASE_RUNS (of each namespace-wide baseline, default 3),
# BENCH_ROLLOUT (default svc-000, a canary paused at a step; svc-001 is a
# Healthy one), BENCH_KUBECTL=1 adds the `kubectl get -o json` baseline
# (10-15 s a run), BENCH_KEEP=1 keeps the work directory,
# GITOPS_BIN_DIR (default bin).  bench/README.md explains the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

runs=${BENCH_RUNS:-10}
base_runs=${BENCH_BASE_RUNS:-3}
name=${BENCH_ROLLOUT:-svc-000}
bin_dir=$(cd "${GITOPS_BIN_DIR:-bin}" 2>/dev/null && pwd) || bin_dir=
ns=bench

for tool in python3 curl kubectl; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/kubectl-gitops" ]; then
	die "kubectl-gitops not built (run make)"
fi
case $runs$base_runs in *[!0-9]*) die "BENCH_RUNS and BENCH_BASE_RUNS are counts" ;; esac
if [ "$runs" -lt 1 ] || [ "$base_runs" -lt 1 ]; then
	die "BENCH_RUNS and BENCH_BASE_RUNS must be >= 1"
fi

spid=''
bench_workdir rollout spid

# --- state --------------------------------------------------------------------
bench/gen_rollouts.py --namespace "$ns" "$tmp/state.json" >"$tmp/generated" ||
	die "gen_rollouts.py failed"
sed 's/^ */generated /' "$tmp/generated"

# --- the simulator ------------------------------------------------------------
t0=$(date +%s%N)
tests/kubesim/kubesim --listen 127.0.0.1:0 --controllers none \
	--state "$tmp/state.json" --kubeconfig-out "$tmp/kubeconfig" \
	--request-log "$tmp/requests.log" >"$tmp/sim.out" 2>"$tmp/sim.err" &
spid=$!
bench_wait_log 1200 "$spid" "$tmp/sim.out" listening ||
	{ tail -20 "$tmp/sim.err" >&2; die "kubesim did not start"; }
echo "kubesim: state loaded in $((($(date +%s%N) - t0) / 1000000)) ms," \
	"resident $(awk '$1 == "VmRSS:" { printf "%.0f MiB", $2 / 1024 }' "/proc/$spid/status")"

export KUBECONFIG="$tmp/kubeconfig" PATH="$bin_dir:$PATH"
ro_uid=$(kubectl get rollouts.argoproj.io "$name" -n "$ns" -o jsonpath='{.metadata.uid}') ||
	die "no rollout $name"
rs_owner=$(kubectl get replicasets -n "$ns" -l "app=$name" \
	-o jsonpath='{.items[0].metadata.ownerReferences[0].uid}')
[ "$ro_uid" = "$rs_owner" ] ||
	die "the simulator did not keep the state's uids: the ReplicaSets have lost their owner"

# --- measure ------------------------------------------------------------------
python3 - "$tmp" "$ns" "$name" "$runs" "$base_runs" "$spid" "${BENCH_KUBECTL:-}" <<'PY'
import base64
import gzip
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time

tmp, ns, name = sys.argv[1:4]
runs, base_runs, spid = map(int, sys.argv[4:7])
with_kubectl = bool(sys.argv[7])
kubeconfig = os.path.join(tmp, "kubeconfig")
reqlog = os.path.join(tmp, "requests.log")


def die(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.exit(1)


def private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(data)


# kubesim writes its kubeconfig in one fixed layout.  The token goes only
# into files of mode 0600, never onto a command line or the output.
kc = open(kubeconfig).read()
server = re.search(r'server: "(https://[^"]+)"', kc).group(1)
token = re.search(r'\btoken: "([^"]+)"', kc).group(1)
ca = os.path.join(tmp, "ca.crt")
with open(ca, "wb") as f:
    f.write(base64.b64decode(re.search(r'certificate-authority-data: "([^"]+)"', kc).group(1)))
curlcfg = os.path.join(tmp, "curl.cfg")
private(curlcfg, 'header = "Authorization: Bearer %s"\n' % token)
token = None
up_host, up_port = server[len("https://"):].rsplit(":", 1)


class Relay:
    """A TCP relay that counts the bytes each way.  TLS passes through it
    untouched (the server's certificate names 127.0.0.1, whatever the port),
    so the counts are what crosses the wire: handshakes, HTTP headers,
    bodies."""

    def __init__(self):
        self.down = self.up = self.active = 0
        self.cond = threading.Condition()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            c, _ = self.sock.accept()
            s = socket.create_connection((up_host, int(up_port)))
            for x in (c, s):
                x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.cond:
                self.active += 2
            threading.Thread(target=self._pump, args=(c, s, "up"), daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, "down"), daemon=True).start()

    def _pump(self, src, dst, way):
        n = 0
        try:
            while True:
                b = src.recv(262144)
                if not b:
                    break
                dst.sendall(b)
                n += len(b)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        with self.cond:
            setattr(self, way, getattr(self, way) + n)
            self.active -= 1
            self.cond.notify_all()
        if way == "down":
            for x in (src, dst):
                try:
                    x.close()
                except OSError:
                    pass

    def measure(self, fn):
        """Runs fn() and returns (its result, bytes down, bytes up)."""
        with self.cond:
            d0, u0 = self.down, self.up
        r = fn()
        with self.cond:
            if not self.cond.wait_for(lambda: self.active == 0, timeout=30):
                die("the relay's connections did not close")
            return r, self.down - d0, self.up - u0


relay = Relay()
relayed_kc = os.path.join(tmp, "kubeconfig.relay")
private(relayed_kc, kc.replace(server, "https://127.0.0.1:%d" % relay.port))
kc = None
direct_env = dict(os.environ, KUBECONFIG=kubeconfig)
relay_env = dict(os.environ, KUBECONFIG=relayed_kc)


def run(cmd, env, what):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        die("%s exited %d: %s" % (what, p.returncode, p.stderr.decode(errors="replace")[-500:]))
    return dt, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def sim_cpu():
    with open("/proc/%d/stat" % spid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def log_lines():
    with open(reqlog) as f:
        return sum(1 for _ in f)


api = {"rollouts": "/apis/argoproj.io/v1alpha1", "replicasets": "/apis/apps/v1",
       "pods": "/api/v1", "analysisruns": "/apis/argoproj.io/v1alpha1",
       "experiments": "/apis/argoproj.io/v1alpha1", "deployments": "/apis/apps/v1"}
lists = ["%s/namespaces/%s/%s" % (api[r], ns, r) for r in api]


def curl_cmd(urls, outs):
    cmd = ["curl", "-sS", "--fail", "-K", curlcfg, "--cacert", ca]
    for u, o in zip(urls, outs):
        cmd += ["-o", o, u]
    return cmd


cases = [
    ("status", "kubectl-gitops rollout status --watch=false",
     ["kubectl-gitops", "rollout", "status", name, "-n", ns, "--watch=false"], runs),
    ("get", "kubectl-gitops rollout get",
     ["kubectl-gitops", "rollout", "get", name, "-n", ns], runs),
    ("kstatus", "kubectl gitops rollout status (via kubectl)",
     ["kubectl", "gitops", "rollout", "status", name, "-n", ns, "--watch=false"], runs),
    ("kget", "kubectl gitops rollout get (via kubectl)",
     ["kubectl", "gitops", "rollout", "get", name, "-n", ns], runs),
    ("curl", "namespace-wide LISTs (curl)",
     lambda base: curl_cmd([base + p for p in lists], [os.devnull] * len(lists)), base_runs),
    ("kubectl", "namespace-wide kubectl get -o json",
     ["kubectl", "get", ",".join(["rollouts.argoproj.io", "replicasets.apps", "pods",
                                  "analysisruns.argoproj.io", "experiments.argoproj.io",
                                  "deployments.apps"]),
      "-n", ns, "-o", "json", "--cache-dir", os.path.join(tmp, "kube-cache")], base_runs),
]
if not with_kubectl:       # 10-15 s a run here, most of it kubectl decoding and printing
    cases.pop()

res = {}
for key, label, cmd, n in cases:
    direct = cmd(server) if callable(cmd) else cmd
    relayed = cmd("https://127.0.0.1:%d" % relay.port) if callable(cmd) else cmd
    run(direct, direct_env, label)            # warm-up: page cache, kubectl's discovery cache
    c0, k0 = sim_cpu(), children_cpu()
    times, out = [], ""
    for _ in range(n):
        dt, out, _ = run(direct, direct_env, label)
        times.append(dt)
    cpu, ccpu = (sim_cpu() - c0) / n, (children_cpu() - k0) / n
    l0 = log_lines()
    _, down, up = relay.measure(lambda: run(relayed, relay_env, label))
    time.sleep(0.05)        # kubesim logs a request after answering it
    res[key] = {"label": label, "n": n, "best": min(times), "median": statistics.median(times),
                "cpu": cpu, "ccpu": ccpu, "requests": log_lines() - l0, "down": down, "up": up,
                "out": out}

# --- what came back: the commands must show this rollout --------------------
bodies = {}
outs = [os.path.join(tmp, "list-%d.json" % i) for i in range(len(lists))]
run(curl_cmd([server + p for p in lists], outs), direct_env, "curl")
for p, o in zip(lists, outs):
    with open(o, "rb") as f:
        bodies[p.rsplit("/", 1)[1]] = f.read()
pods = json.loads(bodies["pods"])["items"]
want_pods = sum(1 for p in pods if p["metadata"].get("labels", {}).get("app") == name)
all_pods = len(pods)
pods = None
got_pods = sum(1 for line in res["get"]["out"].splitlines() if re.search(r"□ \S+ +Pod ", line))
if got_pods != want_pods:
    die("rollout get showed %d pods; the rollout has %d" % (got_pods, want_pods))
if not res["status"]["out"].strip():
    die("rollout status printed nothing")

# The simulator never compresses.  kube-apiserver gzips (level 1) responses
# over 128 KiB to clients that accept it, as kubectl and kubectl-gitops do.
def gz(b):
    return len(gzip.compress(b, 1)) if len(b) > 131072 else len(b)


def bodies_of(sub):
    """The response bodies of `kubectl-gitops rollout SUB`, fetched again
    by curl from the URLs its -v 6 log names."""
    _, _, err = run(["kubectl-gitops", "rollout", sub, name, "-n", ns, "-v", "6"] +
                    (["--watch=false"] if sub == "status" else []), direct_env, sub + " -v 6")
    urls = re.findall(r"^GET (https://\S+) 200 ", err, re.M)
    files = [os.path.join(tmp, "%s-%d.json" % (sub, i)) for i in range(len(urls))]
    if not urls:
        die("rollout %s -v 6 logged no request" % sub)
    run(curl_cmd(urls, files), direct_env, "curl")
    out = []
    for o in files:
        with open(o, "rb") as f:
            out.append(f.read())
        os.unlink(o)
    return out


plugin_bodies = {sub: bodies_of(sub) for sub in ("status", "get")}
ns_body = sum(len(b) for b in bodies.values())
ns_gz = sum(gz(b) for b in bodies.values())
for o in outs:
    os.unlink(o)


# --- report -------------------------------------------------------------------
def ms(s):
    return "%.0f ms" % (s * 1000) if s < 10 else "%.1f s" % s


def size(n):
    for unit, k in (("MB", 1e6), ("KB", 1e3)):
        if n >= k:
            return "%.1f %s" % (n / k, unit)
    return "%d B" % n


print("measured: rollout %s, %d of the namespace's %d pods; %s, %d cores, load average %s"
      % (name, want_pods, all_pods, time.strftime("%Y-%m-%d"), os.cpu_count(),
         " ".join(open("/proc/loadavg").read().split()[:3])))
print()
print("%-44s %4s %7s %7s %7s %7s %4s %11s %9s"
      % ("", "runs", "best", "median", "client", "kubesim", "reqs", "from server", "to server"))
for key, _, _, _ in cases:
    r = res[key]
    print("%-44s %4d %7s %7s %7s %7s %4d %11s %9s"
          % (r["label"], r["n"], ms(r["best"]), ms(r["median"]), ms(r["ccpu"]), ms(r["cpu"]),
             r["requests"], size(r["down"]), size(r["up"])))
print("(client and kubesim: CPU time per run, user+system)")
print()
print("response bodies (JSON): namespace-wide %s (%s)"
      % (size(ns_body), ", ".join("%s %s" % (k, size(len(v))) for k, v in bodies.items())))
for sub, bl in plugin_bodies.items():
    print("  rollout %-7s %9s, %.0fx less; gzipped as kube-apiserver does (level 1, over "
          "128 KiB): %s against %s, %.0fx less"
          % (sub, size(sum(map(len, bl))), ns_body / sum(map(len, bl)),
             size(sum(map(gz, bl))), size(ns_gz), ns_gz / sum(map(gz, bl))))
print()
base = res["curl"]
print("against the namespace-wide reads (curl), in bytes from the server / median time:")
for key in ("status", "get"):
    r = res[key]
    print("  rollout %-7s %8.0fx fewer bytes   %6.1fx less time%s"
          % (key, base["down"] / r["down"], base["median"] / r["median"],
             "   (kubectl get -o json: %.0fx)" % (res["kubectl"]["median"] / r["median"])
             if with_kubectl else ""))
print()
print("targets:")
for key in ("status", "get"):
    r, k = res[key], res["k" + key]
    ratio = base["down"] / r["down"]
    print("  rollout %-7s >= 10x fewer bytes: %.0fx %s;  < 100 ms: %s %s (through kubectl %s %s)"
          % (key, ratio, "met" if ratio >= 10 else "MISSED", ms(r["median"]),
             "met" if r["median"] < 0.1 else "MISSED", ms(k["median"]),
             "met" if k["median"] < 0.1 else "MISSED"))
PY
