#!/usr/bin/env bash
# The HTTPS server end to end, on 127.0.0.1 with certificates made here:
# TLS 1.2+ with the right CA only, routing and 4xx answers, the body cap,
# slow and silent clients, certificate rotation under load with no failed
# request, 5,000 garbage requests, metrics, and a graceful SIGTERM.
# Runs the ASan build of the server when there is one.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/webhook.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# logged PATTERN: the log has a matching line within 2 s (a background
# thread writes the server's log in batches, tens of milliseconds late).
logged() {
	for _ in $(seq 40); do
		grep -q "$1" "$tmp/log" && return 0
		sleep 0.05
	done
	return 1
}

# --- certificates: a CA, two leaves it signed, and a stranger CA ---------
mkcert() { # mkcert NAME CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
		-keyout "$tmp/$1.key" -out "$tmp/$1.csr" 2>/dev/null &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tmp/$1.ext" &&
		openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.crt" -CAkey "$tmp/$2.key" \
			-CAcreateserial -days 2 -extfile "$tmp/$1.ext" -out "$tmp/$1.crt" 2>/dev/null
}
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=$1" -keyout "$tmp/$1.key" -out "$tmp/$1.crt" 2>/dev/null
}
mkca ca && mkca stranger && mkcert leaf1 ca && mkcert leaf2 ca || { echo "1..0 # SKIP openssl failed"; exit 0; }
cp "$tmp/leaf1.crt" "$tmp/tls.crt"
cp "$tmp/leaf1.key" "$tmp/tls.key"

mkdir "$tmp/state"
cat >"$tmp/state/apps.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook, namespace: argocd}
spec: {project: default}
YAML
printf 'server: {idleTimeout: 2s, threads: 2, maxConnections: 200}\n' >"$tmp/config.yaml"

webhook_start --metrics-listen 127.0.0.1:0 --config "$tmp/config.yaml" --state "$tmp/state"
t "the server starts and logs its ports" test -n "$port" -a -n "$mport"
[ -n "$port" ] || { cat "$tmp/log" | sed 's/^/# /'; echo "1..$n"; exit 1; }
url=https://127.0.0.1:$port
C() { curl -sS --max-time 20 --cacert "$tmp/ca.crt" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 --cacert "$tmp/ca.crt" "$@"; }
alive() { kill -0 "$pid" 2>/dev/null && [ "$(code "$url/healthz")" = 200 ]; }

# --- TLS ------------------------------------------------------------------
t "/healthz over TLS with the CA" test "$(C "$url/healthz")" = ok
t "/readyz: certificate loaded and state synced" test "$(code "$url/readyz")" = 200
curl -s -o /dev/null --max-time 10 --cacert "$tmp/stranger.crt" "$url/healthz"
t "a client trusting another CA fails verification" test $? -eq 60
curl -s -o /dev/null --max-time 10 --cacert "$tmp/ca.crt" --tls-max 1.1 "$url/healthz"
t "TLS 1.1 is refused" test $? -ne 0
t "TLS 1.2 is served" test "$(code --tlsv1.2 --tls-max 1.2 "$url/healthz")" = 200
t "TLS 1.3 is served" test "$(code --tlsv1.3 "$url/healthz")" = 200

# --- routing and answers -------------------------------------------------
review='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"abc-1","kind":{"group":"","version":"v1","kind":"ConfigMap"},"operation":"DELETE","namespace":"prod","name":"cm","userInfo":{"username":"alice"},"oldObject":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"prod","annotations":{"argocd.argoproj.io/sync-options":"Delete=false"}}}}}'
out=$(C -H 'Content-Type: application/json' --data-binary "$review" "$url/validate?timeout=10s")
t "POST /validate?timeout=10s answers (query ignored)" \
	grep -q '"response":{"uid":"abc-1","allowed":false,"status":{"code":403,"reason":"Forbidden"' <<<"$out"
t "GET /validate is 405" test "$(code "$url/validate")" = 405
t "an unknown path is 404" test "$(code -X POST -H 'Content-Type: application/json' -d '{}' "$url/mutate")" = 404
t "a wrong content type is 415" test "$(code -H 'Content-Type: text/plain' -d "$review" "$url/validate")" = 415
t "a v1beta1 review is 400" test "$(code -H 'Content-Type: application/json' \
	-d '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"}' "$url/validate")" = 400
t "4xx answers are logged" logged '"msg":"rejected HTTP request","error":"Content-Type must be application/json","code":415'
t "decisions are logged" logged '"msg":"admission decision","uid":"abc-1"'

# --- body cap ------------------------------------------------------------
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/big"
t "a 10 MiB body is 413" test "$(code -H 'Content-Type: application/json' --data-binary @"$tmp/big" "$url/validate")" = 413
c=$(code -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "$url/validate")
t "a chunked 10 MiB body is cut off (got $c)" test "$c" != 200
t "the server is fine after big bodies" alive

# --- Python clients: slowloris, rotation under load, garbage, drain ------
py() { python3 - "$port" "$tmp" "$pid" "$@"; }
slow=$(py <<'PY'
import socket, ssl, sys, threading, time
port, tmp = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=tmp + "/ca.crt")
def drip(stop):
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
        s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\n")
        while not stop.is_set():
            s.sendall(b"X")
            time.sleep(0.2)
    except OSError:
        pass
stop = threading.Event()
ths = [threading.Thread(target=drip, args=(stop,)) for _ in range(40)]
for th in ths: th.start()
time.sleep(0.5)
good = 0
for _ in range(20):
    import http.client
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    c.request("GET", "/healthz")
    good += c.getresponse().status == 200
    c.close()
stop.set()
for th in ths: th.join()
# A silent client (TCP only, no TLS hello) is dropped after the idle timeout.
# (It may send a TLS alert first; what matters is the end of the stream.)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
closed = False
try:
    while s.recv(64):
        pass
    closed = True
except socket.timeout:
    pass
except OSError:
    closed = True
print(good, "closed" if closed else "open")
PY
)
t "40 slow-dripping clients do not stop others (${slow% *}/20 served)" test "${slow% *}" = 20
t "a silent connection is closed by the idle timeout" test "${slow#* }" = closed

serial2=$(openssl x509 -in "$tmp/leaf2.crt" -noout -serial)
rot=$(py <<'PY'
import http.client, json, os, shutil, socket, ssl, sys, threading, time
port, tmp = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=tmp + "/ca.crt")
body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "load", "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                "operation": "CREATE", "userInfo": {"username": "u"}}})
stop = threading.Event()
counts = {"ok": 0, "fail": 0}
lock = threading.Lock()
def client(keepalive):
    c = None
    while not stop.is_set():
        try:
            if c is None:
                c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
            c.request("POST", "/validate", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            good = r.status == 200 and b'"allowed":true' in r.read()
        except Exception as e:
            good = False
        with lock:
            counts["ok" if good else "fail"] += 1
        if not keepalive or not good:
            if c: c.close()
            c = None
ths = [threading.Thread(target=client, args=(i % 2 == 0,)) for i in range(4)]
for th in ths: th.start()
def install(name, split):
    # Copy next to the target, then rename: each file changes atomically,
    # but between the two renames the pair does not match.
    for ext in ("crt", "key"):
        shutil.copy(f"{tmp}/{name}.{ext}", f"{tmp}/tls.{ext}.new")
    os.rename(f"{tmp}/tls.crt.new", f"{tmp}/tls.crt")
    time.sleep(split)
    os.rename(f"{tmp}/tls.key.new", f"{tmp}/tls.key")
time.sleep(0.5)
install("leaf2", 1.5)      # a mismatched pair for over a second: must be refused
time.sleep(1.5)
install("leaf1", 0)
time.sleep(1.5)
install("leaf2", 0)
time.sleep(2.5)
stop.set()
for th in ths: th.join()
print(counts["ok"], counts["fail"])
PY
)
t "requests during three certificate rotations: ${rot% *} served, ${rot#* } failed" \
	test "${rot#* }" = 0 -a "${rot% *}" -gt 0
served=$(openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null |
	openssl x509 -noout -serial)
t "the new certificate is in service" test "$served" = "$serial2"
t "the mismatched pair was refused and logged" logged 'new certificate refused; still serving the old one'
t "reloads are logged" logged '"msg":"serving certificate reloaded"'

garbage=$(py <<'PY'
import http.client, json, random, socket, ssl, sys, threading
port, tmp = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=tmp + "/ca.crt")
rnd = random.Random(4242)
valid = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "g", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                "operation": "DELETE", "name": "x", "namespace": "y", "userInfo": {"username": "u", "groups": ["a"]},
                "oldObject": {"metadata": {"annotations": {"argocd.argoproj.io/sync-options": "Prune=false",
                              "argocd.argoproj.io/tracking-id": "guestbook:apps/Deployment:y/x"}}}}}).encode()
def body(i):
    k = i % 4
    if k == 0:
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 3000)))
    if k == 1:
        b = bytearray(valid)
        for _ in range(rnd.randrange(1, 8)):
            b[rnd.randrange(len(b))] = rnd.choice(b'{}[]",:0\\ \x00\xff')
        return bytes(b)
    if k == 2:
        return valid[: rnd.randrange(len(valid))]
    return rnd.choice([b"null", b"[]", b"{}", b'{"apiVersion":1}', b'"x"', b"1e999", b"[" * 5000])
statuses = {}
lock = threading.Lock()
def worker(w):
    c = None
    for i in range(w, 5000, 4):
        try:
            if c is None:
                c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
            c.request("POST", "/validate", body(i), {"Content-Type": "application/json"})
            r = c.getresponse(); r.read(); s = r.status
        except Exception:
            s = "conn"; c = None
        with lock:
            statuses[s] = statuses.get(s, 0) + 1
ths = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
for th in ths: th.start()
for th in ths: th.join()
# Raw garbage instead of a TLS hello.
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(bytes(rnd.getrandbits(8) for _ in range(512)))
    s.close()
print(statuses.get(400, 0) + statuses.get(200, 0), sum(statuses.values()), sorted(statuses.items(), key=str))
PY
)
read -r g_ok g_all _ <<<"$garbage"
t "5,000 garbage bodies get 400 or a verdict ($garbage)" test "$g_all" = 5000 -a "$g_ok" = 5000
t "the server is healthy after the garbage" alive

m=$(curl -sS --max-time 10 "http://127.0.0.1:$mport/metrics")
t "metrics over plain HTTP: requests by policy and decision" \
	grep -q 'gitops_webhook_admission_requests_total{operation="DELETE",kind="ConfigMap",policy="deletion-protection",decision="deny",mode="enforce",dry_run="false"} 1' <<<"$m"
t "metrics: latency histogram" grep -q 'gitops_webhook_admission_duration_seconds_bucket{le="0.0005"}' <<<"$m"
t "metrics: 4xx counted" grep -q 'gitops_webhook_http_responses_total{code="400"}' <<<"$m"
t "metrics: certificate expiry and reloads" \
	grep -q 'gitops_webhook_certificate_reloads_total{result="failure"}' <<<"$m"
t "metrics: state synced" grep -q '^gitops_webhook_state_synced 1$' <<<"$m"
t "readyz over plain HTTP" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/readyz")" = 200
t "plain HTTP does not serve /validate" \
	test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$mport/validate")" = 404

# --- SIGTERM with a request in flight -------------------------------------
drain=$(py <<'PY'
import json, os, signal, socket, ssl, sys, time
port, tmp, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=tmp + "/ca.crt")
body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
    "request": {"uid": "inflight", "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                "operation": "CREATE", "userInfo": {"username": "u"}}}).encode()
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body[:20])
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(0.3)
s.sendall(body[20:])
resp = b""
while True:
    try:
        chunk = s.recv(65536)
    except OSError:
        break
    if not chunk:
        break
    resp += chunk
print("answered" if b" 200 " in resp and b'"uid":"inflight"' in resp else "lost",
      "close" if b"Connection: close" in resp else "keep")
PY
)
t "a request in flight at SIGTERM is answered" grep -q '^answered' <<<"$drain"
t "with Connection: close" grep -q 'close$' <<<"$drain"
for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
rc=$?
pid=
t "SIGTERM: clean exit (status $rc, no sanitizer report)" test "$rc" -eq 0
t "the log says it drained and stopped" grep -q '"msg":"stopped"' "$tmp/log"
t "no sanitizer report in the log" bash -c "! grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' '$tmp/log'"
t "no private key material in the log" bash -c "! grep -q 'PRIVATE KEY' '$tmp/log'"
echo "1..$n"
