#!/usr/bin/env python3
"""Validating admission through the simulator, as kube-apiserver does it: a
small TLS webhook in this process, registered with a
ValidatingWebhookConfiguration through kubectl."""

import base64
import http.server
import json
import os
import shutil
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Sim, Tap  # noqa: E402

t = Tap()
tmp = tempfile.mkdtemp(prefix="kubesim-hook-")


def openssl(*args):
    subprocess.run(("openssl",) + args, check=True, capture_output=True)


def make_ca(name):
    key, crt = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".crt")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "2", "-keyout", key, "-out", crt, "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE")
    return key, crt


ca_key, ca_crt = make_ca("hook-ca")
_, other_ca = make_ca("other-ca")
hook_key, hook_crt = os.path.join(tmp, "hook.key"), os.path.join(tmp, "hook.crt")
openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-keyout", hook_key, "-out", hook_crt, "-subj", "/CN=hook", "-CA", ca_crt, "-CAkey", ca_key,
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "subjectAltName=DNS:hook.webhooks.svc,IP:127.0.0.1")


def b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


# -- the test webhook -------------------------------------------------------------

calls = []            # (path, sni, AdmissionReview request)
calls_lock = threading.Lock()
slow_started = threading.Event()


class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        req = body["request"]
        path = self.path.split("?")[0]
        with calls_lock:
            calls.append((self.path, getattr(self.connection, "sni", None), req))
        resp = {"uid": req["uid"], "allowed": True}
        if path == "/deny":
            resp = {"uid": req["uid"], "allowed": False,
                    "status": {"code": 403, "reason": "Forbidden", "message": "no way"}}
        elif path == "/deny-bare":
            resp = {"uid": req["uid"], "allowed": False, "status": {"message": "bare denial"}}
        elif path == "/warn":
            resp["warnings"] = ["be careful"]
            resp["auditAnnotations"] = {"policy": "warned"}
        elif path == "/slow":
            slow_started.set()
            time.sleep(2.5)
        elif path == "/baduid":
            resp["uid"] = "something-else"
        out = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                          "response": resp}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        except OSError:
            pass


class HookServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(hook_crt, hook_key)
        seen = {}
        ctx.sni_callback = lambda sock, name, c: seen.update(sni=name)
        try:
            tls = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        tls.sni = seen.get("sni")
        self.RequestHandlerClass(tls, client_address, self)


hook_srv = HookServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook_srv.serve_forever, daemon=True).start()
hook_port = hook_srv.server_address[1]

sim = Sim("--service-map", "webhooks/hook=127.0.0.1:%d" % hook_port)


def webhook(name, path, label, **extra):
    h = {"name": name, "admissionReviewVersions": ["v1"], "sideEffects": "None",
         "clientConfig": {"service": {"namespace": "webhooks", "name": "hook", "path": path, "port": 443},
                          "caBundle": b64file(ca_crt)},
         "rules": [{"operations": ["CREATE", "UPDATE", "DELETE"], "apiGroups": [""],
                    "apiVersions": ["v1"], "resources": ["configmaps"], "scope": "Namespaced"}],
         "objectSelector": {"matchLabels": {"hook": label}}}
    h.update(extra)
    return h


VWC = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
       "metadata": {"name": "test-hooks"},
       "webhooks": [
           webhook("allow.example.com", "/allow", "allow"),
           webhook("deny.example.com", "/deny", "deny"),
           webhook("deny-bare.example.com", "/deny-bare", "deny-bare"),
           webhook("warn.example.com", "/warn", "warn"),
           webhook("slow-fail.example.com", "/slow", "slow-fail", timeoutSeconds=1),
           webhook("slow-ignore.example.com", "/slow", "slow-ignore", timeoutSeconds=1,
                   failurePolicy="Ignore"),
           webhook("badca.example.com", "/allow", "badca",
                   clientConfig={"service": {"namespace": "webhooks", "name": "hook", "path": "/allow"},
                                 "caBundle": b64file(other_ca)}),
           webhook("baduid.example.com", "/baduid", "baduid"),
           webhook("ns.example.com", "/allow", "ns",
                   namespaceSelector={"matchExpressions": [{"key": "team", "operator": "In",
                                                            "values": ["x"]}]}),
           webhook("url.example.com", "/url", "url",
                   clientConfig={"url": "https://127.0.0.1:%d/url" % hook_port,
                                 "caBundle": b64file(ca_crt)}),
           webhook("status.example.com", "/allow", "status",
                   rules=[{"operations": ["UPDATE"], "apiGroups": ["apps"], "apiVersions": ["v1"],
                           "resources": ["deployments/status"]}], objectSelector={}),
       ]}


def cm_yaml(name, label, ns="default"):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": name, "namespace": ns, "labels": {"hook": label}},
                       "data": {"k": "v"}})


def taken():
    with calls_lock:
        out = list(calls)
        calls.clear()
    return out


def register():
    rc, out, err = sim.kubectl("apply", "-f", "-", input=json.dumps(VWC))
    t.ok(rc == 0 and "created" in out, "kubectl apply of a ValidatingWebhookConfiguration")
    t.is_eq(taken(), [], "webhook configurations are never sent to webhooks")


def allow_and_request_shape():
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("a1", "allow"))
    got = taken()
    t.ok(rc == 0 and len(got) == 1, "allowed CREATE goes through, webhook called once")
    path, sni, req = got[0]
    t.is_eq(path, "/allow?timeout=10s", "URL path carries ?timeout=10s (default timeoutSeconds)")
    t.is_eq(sni, "hook.webhooks.svc", "TLS server name is NAME.NS.svc")
    t.is_eq((req["kind"], req["resource"], req["operation"], req["name"], req["namespace"]),
            ({"group": "", "version": "v1", "kind": "ConfigMap"},
             {"group": "", "version": "v1", "resource": "configmaps"}, "CREATE", "a1", "default"),
            "request kind, resource, operation, name, namespace")
    t.ok(req["requestKind"] == req["kind"] and req["requestResource"] == req["resource"],
         "requestKind and requestResource")
    t.is_eq(req["userInfo"]["username"], "kubernetes-admin", "userInfo of the token user")
    t.ok("system:masters" in req["userInfo"]["groups"], "userInfo groups")
    t.ok(req["object"]["metadata"]["name"] == "a1" and req["oldObject"] is None
         and req["dryRun"] is False and req["options"]["kind"] == "CreateOptions",
         "CREATE: object, oldObject null, dryRun false, CreateOptions")
    sim.kubectl("label", "cm", "a1", "extra=1")
    (_, _, req), = taken() or [(None, None, {})]
    t.ok(req.get("operation") == "UPDATE" and req["oldObject"]["metadata"].get("labels") == {"hook": "allow"}
         and req["object"]["metadata"]["labels"]["extra"] == "1" and req["options"]["kind"] == "PatchOptions",
         "UPDATE (from PATCH) carries object and oldObject")
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("a2", "allow"), context="kubesim-cert")
    (_, _, req), = taken() or [(None, None, {})]
    t.is_eq(req.get("userInfo", {}).get("username"), "kubesim-cert-user", "userInfo of the certificate user")
    sim.kubectl("delete", "cm", "a2")
    (_, _, req), = taken() or [(None, None, {})]
    t.ok(req.get("operation") == "DELETE" and req["object"] is None
         and req["oldObject"]["metadata"]["name"] == "a2" and req["options"]["kind"] == "DeleteOptions",
         "DELETE: object null, oldObject set, DeleteOptions")
    code, _, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
                             json.loads(cm_yaml("dry", "allow")))
    (_, _, req), = taken() or [(None, None, {})]
    t.ok(code == 201 and req.get("dryRun") is True
         and sim.request("GET", "/api/v1/namespaces/default/configmaps/dry")[0] == 404,
         "dryRun=All: webhook sees dryRun true, nothing stored")
    sim.kubectl("create", "-f", "-", input=cm_yaml("u1", "url"))
    got = taken()
    t.ok(len(got) == 1 and got[0][0] == "/url?timeout=10s",
         "clientConfig.url is called with ?timeout, verified against the URL host (IP SAN)")


def deny_and_warn():
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("d1", "deny"))
    t.ok(rc != 0 and 'admission webhook "deny.example.com" denied the request: no way' in err,
         "denial: kubectl shows the webhook's message")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", json.loads(cm_yaml("d1", "deny")))
    t.is_eq((code, st["reason"], st["message"]),
            (403, "Forbidden", 'admission webhook "deny.example.com" denied the request: no way'),
            "denial keeps the webhook's code and reason")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps",
                              json.loads(cm_yaml("d2", "deny-bare")))
    t.is_eq((code, st["message"]), (400, 'admission webhook "deny-bare.example.com" denied the request: bare denial'),
            "denial without a code is 400 (ToStatusErr)")
    t.is_eq(sim.request("GET", "/api/v1/namespaces/default/configmaps/d1")[0], 404, "denied object is not stored")
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("w1", "warn"))
    t.ok(rc == 0 and "Warning: be careful" in err, "warnings: kubectl prints them")
    code, _, headers = sim.request("PATCH", "/api/v1/namespaces/default/configmaps/w1", {"data": {"x": "y"}},
                                   ctype="application/merge-patch+json")
    t.is_eq(headers.get_all("Warning"), ['299 - "be careful"'], "warnings arrive as Warning: 299 headers")
    time.sleep(0.1)
    with open(sim.request_log) as f:
        log = [json.loads(line) for line in f]
    t.ok(any((r.get("auditAnnotations") or {}).get("warn.example.com/policy") == "warned" for r in log),
         "auditAnnotations are recorded in the request log, prefixed with the webhook name")
    taken()


def failures():
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("s1", "slow-fail"))
    t.ok(rc != 0 and 'failed calling webhook "slow-fail.example.com"' in err and "deadline" in err,
         "timeout with failurePolicy Fail: the request fails")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", json.loads(cm_yaml("s1", "slow-fail")))
    t.is_eq((code, st["reason"]), (500, "InternalError"), "timeout with Fail is 500 InternalError")
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("s2", "slow-ignore"))
    t.ok(rc == 0, "timeout with failurePolicy Ignore: the request goes on")
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("b1", "badca"))
    t.ok(rc != 0 and 'failed calling webhook "badca.example.com"' in err and "certificate" in err,
         "a caBundle that does not verify the webhook fails the call")
    rc, out, err = sim.kubectl("create", "-f", "-", input=cm_yaml("u1x", "baduid"))
    t.ok(rc != 0 and "expected response.uid" in err, "a response with the wrong uid is a call error")
    # a slow webhook does not block the server
    slow_started.clear()
    res = {}
    th = threading.Thread(target=lambda: res.update(r=sim.request(
        "POST", "/api/v1/namespaces/default/configmaps", json.loads(cm_yaml("s3", "slow-fail")))))
    th.start()
    slow_started.wait(10)
    code, _, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps")
    t.ok(code == 200 and th.is_alive(), "other requests are served while a webhook call is pending")
    th.join()
    taken()


def selectors():
    sim.kubectl("create", "-f", "-", input=cm_yaml("plain", "none"))
    t.is_eq(taken(), [], "objectSelector: objects without the label skip the webhook")
    sim.kubectl("create", "namespace", "team-x")
    sim.kubectl("label", "namespace", "team-x", "team=x")
    sim.kubectl("create", "namespace", "team-y")
    sim.kubectl("create", "-f", "-", input=cm_yaml("n1", "ns", ns="team-y"))
    t.is_eq(taken(), [], "namespaceSelector: namespaces without the label skip the webhook")
    sim.kubectl("create", "-f", "-", input=cm_yaml("n1", "ns", ns="team-x"))
    got = taken()
    t.ok(len(got) == 1 and got[0][2]["namespace"] == "team-x", "namespaceSelector: matching namespace calls it")
    sim.request("POST", "/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                 "spec": {"containers": [{"name": "c", "image": "i"}]}}}})
    t.is_eq(taken(), [], "a deployments/status rule does not match the main resource")
    sim.request("PATCH", "/apis/apps/v1/namespaces/default/deployments/d/status",
                {"status": {"replicas": 1}}, ctype="application/merge-patch+json")
    got = taken()
    t.ok(len(got) == 1 and got[0][2].get("subResource") == "status" and got[0][2]["operation"] == "UPDATE",
         "a deployments/status rule matches /status writes (subResource status)")


try:
    for name, fn in [("register", register), ("allow", allow_and_request_shape),
                     ("deny", deny_and_warn), ("failures", failures), ("selectors", selectors)]:
        t.run(name, fn)
finally:
    sim.close()
    hook_srv.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
