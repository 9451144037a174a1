"""HTTPS front end of the simulator: routing, authentication, content
negotiation (JSON, Table), watch streaming, Status errors, Warning headers.

    certs = make_certs(tmpdir)                       # openssl CLI, EC P-256
    srv = ApiServer(("127.0.0.1", 0), store, registry, certs, users, version, request_log)
    threading.Thread(target=srv.serve_forever).start(); ...; srv.shutdown()
    write_kubeconfig(path, srv.url, certs, token)

Every connection is handled in its own thread; the TLS handshake happens in
that thread, so a slow client never blocks the others.
"""

import base64
import http.server
import json
import os
import select
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import kubeproto
import yamlmini
from store import ApiError, bad_request, not_found, path_not_found

MAX_BODY = 8 * 1024 * 1024
ANONYMOUS_PATHS = {"/version", "/healthz", "/livez", "/readyz"}


# -- certificates and kubeconfig -------------------------------------------

def _openssl(*args):
    subprocess.run(("openssl",) + args, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def make_certs(d, cert_user="kubesim-cert-user", cert_groups=("system:masters",)):
    """CA, serving cert (127.0.0.1, localhost) and a client cert, all EC P-256."""
    p = {k: os.path.join(d, k) for k in ("ca.crt", "ca.key", "server.crt", "server.key",
                                         "client.crt", "client.key")}
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650")
    _openssl("req", "-x509", *ec, "-keyout", p["ca.key"], "-out", p["ca.crt"],
             "-subj", "/CN=kubesim-ca", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature")
    _openssl("req", "-x509", *ec, "-keyout", p["server.key"], "-out", p["server.crt"],
             "-subj", "/CN=kubesim", "-CA", p["ca.crt"], "-CAkey", p["ca.key"],
             "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
             "-addext", "extendedKeyUsage=serverAuth",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
    subj = "/O=" + "/O=".join(cert_groups) + "/CN=" + cert_user if cert_groups else "/CN=" + cert_user
    _openssl("req", "-x509", *ec, "-keyout", p["client.key"], "-out", p["client.crt"],
             "-subj", subj, "-CA", p["ca.crt"], "-CAkey", p["ca.key"],
             "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", "keyUsage=critical,digitalSignature",
             "-addext", "extendedKeyUsage=clientAuth")
    for k in ("ca.key", "server.key", "client.key"):
        os.chmod(p[k], 0o600)
    return p


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def write_kubeconfig(path, url, certs, token):
    """Two contexts: `kubesim` (bearer token, current) and `kubesim-cert`."""
    text = """apiVersion: v1
kind: Config
clusters:
- name: kubesim
  cluster:
    server: "%s"
    certificate-authority-data: "%s"
users:
- name: kubesim-token
  user:
    token: "%s"
- name: kubesim-cert
  user:
    client-certificate-data: "%s"
    client-key-data: "%s"
contexts:
- name: kubesim
  context:
    cluster: kubesim
    user: kubesim-token
- name: kubesim-cert
  context:
    cluster: kubesim
    user: kubesim-cert
current-context: kubesim
preferences: {}
""" % (url, _b64file(certs["ca.crt"]), token, _b64file(certs["client.crt"]),
       _b64file(certs["client.key"]))
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# -- authentication -----------------------------------------------------------

class Users:
    """tokens: {token: {username, groups}}; certs: {CN: {username, groups}}.
    A certificate whose CN is not listed maps to user CN, groups O (as the
    real server does)."""

    def __init__(self, tokens=None, certs=None):
        self.tokens = tokens or {}
        self.certs = certs or {}

    @staticmethod
    def _complete(u):
        u = dict(u)
        groups = list(u.get("groups") or [])
        if "system:authenticated" not in groups:
            groups.append("system:authenticated")
        u["groups"] = groups
        return u

    def by_token(self, token):
        u = self.tokens.get(token)
        return self._complete(u) if u else None

    def by_cert(self, peer):
        cn, orgs = None, []
        for rdn in peer.get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    cn = v
                elif k == "organizationName":
                    orgs.append(v)
        if not cn:
            return None
        u = self.certs.get(cn) or {"username": cn, "groups": orgs}
        return self._complete(u)


# -- the server ---------------------------------------------------------------

class ApiServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, store, registry, certs, users, version="v1.32.0",
                 request_log=None, bookmark_interval=5.0, verbose=False):
        self.store = store
        self.registry = registry
        self.users = users
        self.version = version
        self.bookmark_interval = bookmark_interval
        self.verbose = verbose
        self._log_lock = threading.Lock()
        self._log_file = open(request_log, "a", buffering=1) if request_log else None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(certs["server.crt"], certs["server.key"])
        ctx.load_verify_locations(certs["ca.crt"])
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        self.ssl_context = ctx
        super().__init__(address, Handler)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return "https://%s:%d" % (host, port)

    def finish_request(self, request, client_address):
        request.settimeout(30)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        tls.settimeout(None)
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)

    def log_request_record(self, rec):
        if self._log_file is None:
            return
        rec = dict(rec)
        rec.setdefault("ts", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        line = json.dumps(rec, separators=(",", ":"), sort_keys=True)
        with self._log_lock:
            self._log_file.write(line + "\n")

    def server_close(self):
        super().server_close()
        if self._log_file:
            self._log_file.close()


def _warning_header(text):
    return '299 - "%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def _dump(obj):
    return json.dumps(obj, separators=(",", ":"))


class _Route:
    __slots__ = ("rt", "version", "namespace", "name", "sub", "watch_path")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body
    # waits ~40 ms for the client's delayed ACK.  kube-apiserver sets
    # TCP_NODELAY too.
    disable_nagle_algorithm = True
    server_version = "kubesim"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("kubesim: " + (fmt % args) + "\n")

    # -- plumbing ----------------------------------------------------------
    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_PATCH(self):
        self._serve("PATCH")

    def do_DELETE(self):
        self._serve("DELETE")

    def do_HEAD(self):
        self._serve("HEAD")

    def _serve(self, method):
        self._t0 = time.time()
        self._code = 0
        self._warnings = []
        self._audit = {}
        self._user = None
        self._body_cache = None
        u = urllib.parse.urlsplit(self.path)
        self._path = u.path.rstrip("/") or "/"
        self._q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        try:
            self._user = self._authenticate()
            if self._user is None and self._path not in ANONYMOUS_PATHS:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            self._dispatch(method)
        except ApiError as e:
            self._warnings.extend(getattr(e, "warnings", None) or [])
            self._send_status(e)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        except Exception as e:     # a bug: answer 500 rather than drop the connection
            import traceback
            traceback.print_exc()
            try:
                self._send_status(ApiError(500, "InternalError", "Internal error occurred: %s" % e))
            except OSError:
                pass
        finally:
            self._log(method)

    def _log(self, method):
        rec = {"method": method, "path": self._path, "code": self._code,
               "user": (self._user or {}).get("username"),
               "ms": int((time.time() - self._t0) * 1000)}
        if self._q.get("dryRun"):
            rec["dryRun"] = True
        if self._warnings:
            rec["warnings"] = self._warnings
        if self._audit:
            rec["auditAnnotations"] = self._audit
        self.server.log_request_record(rec)

    def _authenticate(self):
        auth = self.headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            u = self.server.users.by_token(auth[7:].strip())
            if u is None:
                raise ApiError(401, "Unauthorized", "Unauthorized")
            return u
        try:
            peer = self.connection.getpeercert()
        except (ValueError, AttributeError):
            peer = None
        if peer:
            return self.server.users.by_cert(peer)
        return None

    def _body(self):
        if self._body_cache is not None:
            return self._body_cache
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ApiError(413, "RequestEntityTooLarge", "the request is too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
            data = b"".join(parts)
        else:
            n = int(self.headers.get("Content-Length") or 0)
            if n > MAX_BODY:
                raise ApiError(413, "RequestEntityTooLarge", "the request is too large")
            data = self.rfile.read(n) if n else b""
        self._body_cache = data
        return data

    def _parsed_body(self, allow_empty=False):
        data = self._body()
        if not data.strip():
            if allow_empty:
                return None
            raise bad_request("the body of the request was empty")
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        if ctype == "application/vnd.kubernetes.protobuf":
            try:
                return kubeproto.decode(data)
            except kubeproto.ProtoError as e:
                raise ApiError(415, "UnsupportedMediaType", str(e))
        try:
            if "yaml" in ctype:
                try:
                    return json.loads(data)
                except ValueError:
                    return yamlmini.load(data.decode("utf-8"))
            return json.loads(data)
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request("couldn't get version/kind; json parse error: %s" % e)

    def _send(self, code, payload, ctype="application/json", extra_headers=None):
        body = payload if isinstance(payload, bytes) else _dump(payload).encode()
        if self._body_cache is None:
            # an unread request body would be taken for the next request
            try:
                self._body()
            except (ApiError, ValueError, OSError):
                self.close_connection = True
        self._code = code
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for w in self._warnings:
            self.send_header("Warning", _warning_header(w))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_status(self, err):
        self._send(err.code, err.status(),
                   extra_headers={"Retry-After": str(err.retry_after)} if err.retry_after else None)

    def _wants_table(self):
        acc = self.headers.get("Accept") or ""
        first = acc.split(",")[0]
        return "as=Table" in first

    # -- routing -------------------------------------------------------------
    def _dispatch(self, method):
        p = self._path
        reg = self.server.registry
        if p in ("/healthz", "/livez", "/readyz"):
            return self._send(200, b"ok", "text/plain; charset=utf-8")
        if p == "/version":
            return self._send(200, self._version())
        if p.startswith("/kubesim/"):
            return self._debug(method, p)
        if method not in ("GET", "HEAD") and p in ("/api", "/apis", "/api/v1") + tuple():
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        if p == "/api":
            host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
            return self._send(200, reg.api_versions(host))
        if p == "/apis":
            return self._send(200, reg.group_list())
        if p == "/openapi/v2":
            raise path_not_found()
        if p == "/openapi/v3":
            return self._send(200, reg.openapi_v3_root())
        if p.startswith("/openapi/v3/"):
            parts = p[len("/openapi/v3/"):].split("/")
            doc = None
            if parts[0] == "api" and len(parts) == 2:
                doc = reg.openapi_v3_gv("", parts[1])
            elif parts[0] == "apis" and len(parts) == 3:
                doc = reg.openapi_v3_gv(parts[1], parts[2])
            if doc is None:
                raise path_not_found()
            return self._send(200, doc)
        segs = p.strip("/").split("/")
        if segs[0] == "api":
            if len(segs) < 2:
                raise path_not_found()
            group, version, rest = "", segs[1], segs[2:]
        elif segs[0] == "apis":
            if len(segs) == 2:
                doc = reg.group(segs[1])
                if doc is None:
                    raise path_not_found()
                return self._send(200, doc)
            if len(segs) < 3:
                raise path_not_found()
            group, version, rest = segs[1], segs[2], segs[3:]
        else:
            raise path_not_found()
        if not rest:
            doc = reg.resource_list(group, version)
            if doc is None:
                raise path_not_found()
            return self._send(200, doc)
        route = self._route(group, version, rest)
        return self._resource(method, route)

    def _route(self, group, version, rest):
        reg = self.server.registry
        r = _Route()
        r.version = version
        r.namespace = r.name = r.sub = None
        r.watch_path = False
        if rest[0] == "watch":
            r.watch_path = True
            rest = rest[1:]
            if not rest:
                raise path_not_found()
        if rest[0] == "namespaces" and len(rest) >= 3:
            rt = reg.by_path(group, version, rest[2])
            if rt is not None and rt.namespaced:
                r.namespace = rest[1]
                rest = rest[2:]
        rt = reg.by_path(group, version, rest[0])
        if rt is None or (rt.namespaced and r.namespace is None and len(rest) > 1):
            raise path_not_found()
        r.rt = rt
        if len(rest) >= 2:
            r.name = rest[1]
        if len(rest) >= 3:
            r.sub = rest[2]
            if r.sub not in rt.subresources and not (rt.key == "namespaces" and r.sub == "finalize"):
                raise path_not_found()
        if len(rest) > 3:
            raise path_not_found()
        return r

    def _version(self):
        v = self.server.version.lstrip("v")
        major, minor = (v.split(".") + ["0"])[:2]
        return {"major": major, "minor": minor, "gitVersion": "v" + v,
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
                "platform": "linux/amd64", "emulationMajor": major, "emulationMinor": minor}

    def _debug(self, method, p):
        if self._user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if p == "/kubesim/compact" and method == "POST":
            return self._send(200, {"compactedResourceVersion": str(self.server.store.compact())})
        if p == "/kubesim/rv" and method == "GET":
            return self._send(200, {"resourceVersion": str(self.server.store.resource_version)})
        raise path_not_found()

    # -- resources -----------------------------------------------------------
    def _present(self, route, obj):
        """The object as served at the requested version."""
        rt = route.rt
        want = rt.group + "/" + route.version if rt.group else route.version
        if obj.get("apiVersion") != want:
            obj = dict(obj)
            obj["apiVersion"] = want
        return obj

    def _dry_run(self):
        dr = self._q.get("dryRun")
        if dr is None:
            return False
        if dr != "All":
            raise bad_request('dryRun: Unsupported value: "%s": supported values: "All"' % dr)
        return True

    def _resource(self, method, r):
        store = self.server.store
        rt = r.rt
        ctx = {}
        q = self._q
        try:
            if method in ("GET", "HEAD"):
                watch = r.watch_path or q.get("watch") in ("1", "true", "True")
                if r.name is None or (watch and r.sub is None):
                    if watch:
                        return self._watch(r)
                    return self._list(r)
                if r.sub == "scale":
                    return self._send(200, store.get_scale(rt, r.namespace, r.name))
                obj = store.get_raw(rt, r.namespace, r.name)
                if obj is None:
                    raise not_found(rt, r.name)
                if self._wants_table():
                    return self._send(200, self.server.registry.table(
                        rt, [obj], time.time(), obj["metadata"].get("resourceVersion", ""),
                        include_object=q.get("includeObject", "PartialObjectMetadata")))
                return self._send(200, self._present(r, obj))
            user = self._user
            dry = self._dry_run()
            if method == "POST":
                if r.name is not None:
                    raise ApiError(405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource")
                body = self._parsed_body()
                if rt.namespaced and r.namespace is None:
                    raise path_not_found()
                obj = store.create_in(rt, body, user, namespace=r.namespace, dry_run=dry, ctx=ctx)
                self._collect(ctx)
                return self._send(201, self._present(r, obj) if "metadata" in obj and obj.get("kind") == rt.kind else obj)
            if method == "PUT":
                if r.name is None:
                    raise ApiError(405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource")
                body = self._parsed_body()
                if r.sub == "scale":
                    out = store.update_scale(rt, r.namespace, r.name, body, user, dry_run=dry, ctx=ctx)
                    self._collect(ctx)
                    return self._send(200, out)
                if r.sub == "finalize":
                    sub = None
                else:
                    sub = r.sub
                obj = store.update_in(rt, r.namespace, r.name, body, user, subresource=sub,
                                      dry_run=dry, ctx=ctx)
                self._collect(ctx)
                return self._send(200, self._present(r, obj))
            if method == "PATCH":
                if r.name is None:
                    raise ApiError(405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource")
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                ptype = {"application/json-patch+json": "json",
                         "application/merge-patch+json": "merge",
                         "application/strategic-merge-patch+json": "strategic",
                         "application/apply-patch+yaml": "apply"}.get(ctype)
                if ptype is None:
                    raise ApiError(415, "UnsupportedMediaType",
                                   "the body of the request was in an unknown format - accepted "
                                   "media types include: application/json-patch+json, "
                                   "application/merge-patch+json, application/apply-patch+yaml, "
                                   "application/strategic-merge-patch+json")
                patch = self._parsed_body() if ptype != "apply" else self._apply_body()
                existed = store.get_raw(rt, r.namespace, r.name) is not None
                obj = store.patch_in(rt, r.namespace, r.name, ptype, patch, user,
                                     subresource=r.sub, dry_run=dry, ctx=ctx,
                                     field_manager=q.get("fieldManager"),
                                     force=q.get("force") == "true")
                self._collect(ctx)
                if r.sub == "scale":
                    return self._send(200, obj)
                return self._send(201 if (ptype == "apply" and not existed) else 200,
                                  self._present(r, obj))
            if method == "DELETE":
                return self._delete(r, dry, ctx)
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        except ApiError:
            self._collect(ctx)
            raise

    def _apply_body(self):
        data = self._body()
        try:
            try:
                return json.loads(data)
            except ValueError:
                return yamlmini.load(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request("error decoding YAML: %s" % e)

    def _collect(self, ctx):
        self._warnings.extend(ctx.get("warnings") or [])
        self._audit.update(ctx.get("audit") or {})
        ctx.clear()

    def _delete(self, r, dry, ctx):
        store = self.server.store
        rt = r.rt
        opts = self._parsed_body(allow_empty=True) or {}
        if not isinstance(opts, dict):
            raise bad_request("DeleteOptions must be an object")
        q = self._q
        propagation = q.get("propagationPolicy") or opts.get("propagationPolicy")
        orphan = q.get("orphanDependents") or opts.get("orphanDependents")
        if propagation is None and orphan is not None:
            propagation = "Orphan" if str(orphan).lower() == "true" else "Background"
        if opts.get("dryRun") == ["All"]:
            dry = True
        if r.name is None:
            items = store.delete_collection(rt, r.namespace, self._user, q.get("labelSelector"),
                                            q.get("fieldSelector"), propagation or "Background",
                                            dry, ctx)
            self._collect(ctx)
            return self._send(200, {"kind": rt.list_kind, "apiVersion": rt.api_version,
                                    "metadata": {"resourceVersion": str(store.resource_version)},
                                    "items": [self._present(r, o) for o in items]})
        options = {}
        if opts.get("gracePeriodSeconds") is not None:
            options["gracePeriodSeconds"] = opts["gracePeriodSeconds"]
        obj = store.delete_in(rt, r.namespace, r.name, self._user, propagation or "Background",
                              dry_run=dry, ctx=ctx, preconditions=opts.get("preconditions"),
                              options=options)
        self._collect(ctx)
        gone = store.get_raw(rt, r.namespace, r.name) is None and not obj["metadata"].get("deletionTimestamp")
        if gone and rt.builtin and rt.key != "namespaces":
            m = obj.get("metadata") or {}
            details = {"name": r.name, "kind": rt.plural, "uid": m.get("uid")}
            if rt.group:
                details["group"] = rt.group
            return self._send(200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                    "status": "Success", "details": details})
        return self._send(200, self._present(r, obj))

    def _list(self, r):
        store = self.server.store
        q = self._q
        limit = q.get("limit")
        try:
            limit = int(limit) if limit else None
        except ValueError:
            raise bad_request("limit: invalid value %r" % limit)
        items, rv, cont, remaining = store.list_raw(r.rt, r.namespace, q.get("labelSelector"),
                                                    q.get("fieldSelector"), limit, q.get("continue"))
        if self._wants_table():
            return self._send(200, self.server.registry.table(
                r.rt, items, time.time(), str(rv),
                include_object=q.get("includeObject", "PartialObjectMetadata"),
                cont=cont, remaining=remaining))
        gv = r.rt.group + "/" + r.version if r.rt.group else r.version
        meta = {"resourceVersion": str(rv)}
        if cont:
            meta["continue"] = cont
            meta["remainingItemCount"] = remaining
        # stream the items without building one big dict copy
        head = '{"kind":%s,"apiVersion":%s,"metadata":%s,"items":[' % (
            json.dumps(r.rt.list_kind), json.dumps(gv), _dump(meta))
        parts = [head]
        need_present = r.rt.version != r.version
        for i, o in enumerate(items):
            if i:
                parts.append(",")
            parts.append(_dump(self._present(r, o) if need_present else o))
        parts.append("]}")
        return self._send(200, "".join(parts).encode())

    # -- watch -----------------------------------------------------------------
    def _watch(self, r):
        store = self.server.store
        q = self._q
        fsel = q.get("fieldSelector")
        if r.name is not None:
            fsel = "metadata.name=%s" % r.name + ("," + fsel if fsel else "")
        sie = q.get("sendInitialEvents")
        sie = None if sie is None else sie == "true"
        w = store.watch(r.rt, r.namespace, q.get("labelSelector"), fsel,
                        q.get("resourceVersion"), sie)
        try:
            timeout = float(q.get("timeoutSeconds") or 1800)
        except ValueError:
            raise bad_request("timeoutSeconds: invalid value")
        deadline = time.time() + timeout
        bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
        table = self._wants_table()
        self._code = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.flush()
        interval = self.server.bookmark_interval
        next_bookmark = time.time() + interval
        headers_sent = False
        try:
            while True:
                now = time.time()
                if now >= deadline:
                    break
                wait = min(deadline - now, 1.0)
                if bookmarks:
                    wait = max(0.0, min(wait, next_bookmark - now))
                item = w.next(wait)
                if item is None:
                    if w.closed:
                        break
                    if bookmarks and time.time() >= next_bookmark:
                        rv = store.bookmark_rv(w)
                        if rv is not None:
                            self._chunk({"type": "BOOKMARK", "object": self._bookmark(r, rv)})
                        next_bookmark = time.time() + interval
                    elif self._client_gone():
                        break
                    continue
                etype, obj = item
                if etype == "ERROR":
                    self._chunk({"type": "ERROR", "object": obj})
                    continue
                if etype == "BOOKMARK-INITIAL":
                    b = self._bookmark(r, obj)
                    b["metadata"]["annotations"] = {"k8s.io/initial-events-end": "true"}
                    self._chunk({"type": "BOOKMARK", "object": b})
                    continue
                if table:
                    out = self.server.registry.table(
                        r.rt, [obj], time.time(), obj["metadata"].get("resourceVersion", ""),
                        include_object=q.get("includeObject", "PartialObjectMetadata"),
                        headers=not headers_sent)
                    headers_sent = True
                else:
                    out = self._present(r, obj)
                self._chunk({"type": etype, "object": out})
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            w.close()

    def _bookmark(self, r, rv):
        gv = r.rt.group + "/" + r.version if r.rt.group else r.version
        return {"kind": r.rt.kind, "apiVersion": gv, "metadata": {"resourceVersion": rv}}

    def _chunk(self, obj):
        data = (_dump(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _client_gone(self):
        """True when the peer closed a watch it no longer reads."""
        try:
            sock = self.connection
            if sock.pending():
                return False
            r, _, _ = select.select([sock], [], [], 0)
            if not r:
                return False
            sock.settimeout(0.05)
            try:
                data = sock.recv(1)
            finally:
                sock.settimeout(None)
            return data == b""
        except (ssl.SSLWantReadError, socket.timeout):
            return False
        except (OSError, ValueError):
            return True
