"""A tiny TAP producer for the simulator's Python tests.

    from taplib import Tap
    t = Tap()
    t.ok(cond, "name")            # returns cond
    t.is_eq(got, want, "name")    # prints both on mismatch
    t.diag("text")
    sys.exit(t.done())            # prints the plan, 0 when all passed

Exceptions escaping a test body should be caught by the caller with
t.run("name", fn) which counts them as one failure and goes on.
"""

import sys
import traceback


class Tap:
    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.n = 0
        self.failed = 0

    def _emit(self, line):
        self.out.write(line + "\n")
        self.out.flush()

    def ok(self, cond, name=""):
        self.n += 1
        if cond:
            self._emit("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            self._emit("not ok %d - %s" % (self.n, name))
        return bool(cond)

    def is_eq(self, got, want, name=""):
        good = self.ok(got == want, name)
        if not good:
            self.diag("     got: %r" % (got,))
            self.diag("expected: %r" % (want,))
        return good

    def like(self, got, fragment, name=""):
        good = self.ok(isinstance(got, str) and fragment in got, name)
        if not good:
            self.diag("     got: %r" % (got,))
            self.diag("expected to contain: %r" % (fragment,))
        return good

    def skip(self, reason, count=1):
        for _ in range(count):
            self.n += 1
            self._emit("ok %d - # SKIP %s" % (self.n, reason))

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self._emit("# " + line)

    def run(self, name, fn, *args):
        """Run one group of assertions; an exception is one failure."""
        try:
            return fn(*args)
        except Exception:
            self.ok(False, "%s raised" % name)
            self.diag(traceback.format_exc())
            return None

    def done(self):
        self._emit("1..%d" % self.n)
        return 1 if self.failed else 0


# -- a simulator to test against ------------------------------------------------

import base64
import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class Sim:
    """One kubesim process for a test file.

        sim = Sim("--controllers", "none")
        rc, out, err = sim.kubectl("get", "ns")
        code, body, headers = sim.request("GET", "/api/v1/namespaces")
        sim.close()

    kubectl runs with HOME set to a private directory (its discovery cache
    lands there) and the generated kubeconfig."""

    def __init__(self, *args, timeout=15):
        self.dir = tempfile.mkdtemp(prefix="kubesim-test-")
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        self.request_log = os.path.join(self.dir, "requests.log")
        argv = [os.path.join(HERE, "kubesim"), "--listen", "127.0.0.1:0",
                "--kubeconfig-out", self.kubeconfig, "--request-log", self.request_log]
        if "--controllers" not in args:
            argv += ["--controllers", "none"]
        argv += list(args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=open(
            os.path.join(self.dir, "stderr"), "w"), text=True)
        self.url = None
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.match(r"kubesim listening on (https://\S+)", line)
            if m:
                self.url = m.group(1)
                break
        if self.url is None:
            self.close()
            raise RuntimeError("kubesim did not start: %s" % self.stderr())
        with open(self.kubeconfig) as f:
            kc = f.read()

        def field(name):
            return re.search(r"%s: \"([^\"]*)\"" % name, kc).group(1)
        self.token = field("token")
        self.ca = os.path.join(self.dir, "ca.crt")
        self.client_crt = os.path.join(self.dir, "client.crt")
        self.client_key = os.path.join(self.dir, "client.key")
        for path, name in ((self.ca, "certificate-authority-data"),
                           (self.client_crt, "client-certificate-data"),
                           (self.client_key, "client-key-data")):
            with open(path, "wb") as f:
                f.write(base64.b64decode(field(name)))
        self.env = dict(os.environ, HOME=self.dir, NO_COLOR="1")

    def stderr(self):
        try:
            with open(os.path.join(self.dir, "stderr")) as f:
                return f.read()
        except OSError:
            return ""

    def kubectl(self, *args, input=None, context=None, timeout=30):
        argv = ["kubectl", "--kubeconfig", self.kubeconfig]
        if context:
            argv += ["--context", context]
        p = subprocess.run(argv + list(args), input=input, capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ssl_context(self, cert=False):
        ctx = ssl.create_default_context(cafile=self.ca)
        if cert:
            ctx.load_cert_chain(self.client_crt, self.client_key)
        return ctx

    def open(self, method, path, body=None, ctype="application/json", headers=None,
             token=True, cert=False, timeout=30):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        if token:
            req.add_header("Authorization", "Bearer " + (self.token if token is True else token))
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            return urllib.request.urlopen(req, context=self.ssl_context(cert), timeout=timeout)
        except urllib.error.HTTPError as e:
            return e

    def request(self, method, path, body=None, **kw):
        """-> (status code, parsed JSON body or text, headers)."""
        resp = self.open(method, path, body, **kw)
        raw = resp.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        return resp.status if hasattr(resp, "status") else resp.code, parsed, resp.headers

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)
