#!/usr/bin/env python3
"""kubetest_server.py - a scripted Kubernetes API server for tests.

Test scaffolding, Python 3 standard library only.  It listens on
127.0.0.1:<free port>, prints that port on stdout followed by a newline once
it is ready, and serves until killed.  Every request is appended, before it
is answered, to a JSON-lines log that the test reads back.

Usage:
  kubetest_server.py --script FILE --log FILE
                     [--cert server.crt --key server.key [--client-ca ca.crt]]
  (without --cert it speaks plain http)

Scenario (the --script JSON file):
  {
    "tokens": {"TOKEN": "USER"},   bearer tokens the server accepts
    "basic": {"USER": "PASSWORD"}, basic-auth accounts
    "auth": "none",                default route auth: none | any | token | cert
    "routes": [ROUTE, ...]         the first route that matches wins; a request
                                   no route matches gets a 404 NotFound Status
  }
  ROUTE:
  {
    "method": "GET",               default GET; "*" matches any method
    "path": "/api/v1/pods",        exact, or a prefix when it ends with "*"
    "query": {"watch": "1", "continue": null, "limit": "*"},
                                   each named parameter must have that value;
                                   "*" = present with any value, null = absent
    "auth": "token",               overrides the default: "token" needs a valid
                                   bearer token, "cert" a client certificate
                                   signed by --client-ca, "any" either (or
                                   basic auth), "none" nothing.  A bad bearer
                                   token or password is refused with a 401
                                   Unauthorized Status on every route.
    "responses": [RESPONSE, ...]   answered in order; the last one repeats
  }
  RESPONSE (every key optional):
  {
    "status": 200,
    "headers": {"Retry-After": "1"},
    "body": {...} or "text",       a JSON value is sent as JSON, a string as is
    "status_error": {"reason": "NotFound", "message": "x not found"},
                                   sends a metav1 Status with code = status
    "delay": 0.2,                  seconds to wait before answering
    "reset": true,                 read the request, then reset the connection
    "stall": 30,                   read the request, then say nothing for N s
    "list": LIST,                  a paged List, see below
    "stream": [CHUNK, ...],        a chunked body, for watches:
                                   CHUNK = {"data": VALUE, "delay": 0.1}; a
                                   JSON value is sent as one line (a watch
                                   event), a string exactly as given (so an
                                   event can be split across chunks)
    "hold": 5,                     after the stream, keep it open N seconds
    "drop": true                   then close it without the final chunk, as
                                   a lost connection would
  }
  LIST: {"apiVersion": "v1", "kind": "PodList", "resourceVersion": "100",
         "items": [...], "expire_continue": false}
    Serves ?limit=N pages with continue tokens; every page carries the same
    resourceVersion.  labelSelector (k=v, k!=v, k, !k) and fieldSelector
    (metadata.name=, metadata.namespace=) filter the items.  With
    "expire_continue" the first request with a continue token gets a 410
    Expired Status, as when etcd compacted the snapshot.

Log line (one JSON object per request):
  {"method", "path", "query": {name: first value}, "headers": {lowercased
   name: value, repeated ones joined by ", "}, "body", "user" (who the
   credentials mapped to, or null), "auth" ("token", "basic", "cert" or
   null), "sni" (the TLS server name the client sent, or null), "route"
   (index of the matched route, or null)}
"""

import argparse
import base64
import json
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def status_body(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message, "reason": reason,
            "code": code}


def label_match(labels, selector):
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.split("=", 1)
            if labels.get(k.rstrip("=")) != v.lstrip("="):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def field_match(item, selector):
    meta = item.get("metadata", {})
    for term in filter(None, selector.split(",")):
        k, _, v = term.partition("=")
        if k == "metadata.name" and meta.get("name") != v:
            return False
        if k == "metadata.namespace" and meta.get("namespace") != v:
            return False
    return True


class Route:
    def __init__(self, spec):
        self.spec = spec
        self.next = 0
        self.expired_once = False
        self.lock = threading.Lock()

    def matches(self, method, path, query):
        m = self.spec.get("method", "GET")
        if m != "*" and m != method:
            return False
        p = self.spec["path"]
        if p.endswith("*"):
            if not path.startswith(p[:-1]):
                return False
        elif p != path:
            return False
        for k, v in self.spec.get("query", {}).items():
            if v is None:
                if k in query:
                    return False
            elif k not in query or (v != "*" and query[k] != v):
                return False
        return True

    def take(self):
        with self.lock:
            rs = self.spec.get("responses", [{}])
            r = rs[min(self.next, len(rs) - 1)]
            self.next += 1
            return r


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, script, log_path, ssl_ctx):
        super().__init__(addr, Handler)
        self.script = script
        self.routes = [Route(r) for r in script.get("routes", [])]
        self.log_file = open(log_path, "a", encoding="utf-8")
        self.log_lock = threading.Lock()
        self.ssl_ctx = ssl_ctx

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_ctx:
            # The handshake runs in the handler's thread, not the accept loop.
            sock = self.ssl_ctx.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        err = sys.exc_info()[1]
        # Clients that reject our certificate or hang up are part of the tests.
        if not isinstance(err, (ssl.SSLError, ConnectionError, TimeoutError)):
            print("kubetest_server: %r" % err, file=sys.stderr)

    def record(self, entry):
        with self.log_lock:
            self.log_file.write(json.dumps(entry) + "\n")
            self.log_file.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kubetest"

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, fmt, *args):
        pass

    # -- who is calling --

    def identify(self):
        """Returns (user, how, refused)."""
        authz = self.headers.get("Authorization", "")
        script = self.server.script
        if authz.startswith("Bearer "):
            user = script.get("tokens", {}).get(authz[7:])
            return (user, "token", user is None)
        if authz.startswith("Basic "):
            try:
                name, _, pw = base64.b64decode(authz[6:]).decode().partition(":")
            except ValueError:
                return (None, "basic", True)
            ok = script.get("basic", {}).get(name) == pw
            return (name if ok else None, "basic", not ok)
        cert = None
        if isinstance(self.connection, ssl.SSLSocket):
            cert = self.connection.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return (v, "cert", False)
        return (None, None, False)

    def authorised(self, route, user, how, refused):
        if refused:
            return False
        need = (route.spec.get("auth") if route else None) or \
            self.server.script.get("auth", "none")
        if need == "none":
            return True
        if need == "any":
            return user is not None
        return user is not None and how == need

    # -- answering --

    def send_json(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def serve_list(self, route, spec, query):
        items = spec.get("items", [])
        if "labelSelector" in query:
            items = [i for i in items if label_match(
                i.get("metadata", {}).get("labels", {}), query["labelSelector"])]
        if "fieldSelector" in query:
            items = [i for i in items if field_match(i, query["fieldSelector"])]
        start = 0
        if "continue" in query:
            with route.lock:
                expire = spec.get("expire_continue") and not route.expired_once
                route.expired_once = route.expired_once or expire
            if expire:
                return self.send_json(410, status_body(
                    410, "Expired", "The provided continue parameter is too old "
                    "to display a consistent list result. You can start a new "
                    "list without the continue parameter."))
            start = int(query["continue"].split("-", 1)[1])
        limit = int(query.get("limit", "0") or "0")
        end = start + limit if limit > 0 else len(items)
        meta = {"resourceVersion": spec.get("resourceVersion", "1")}
        if end < len(items):
            meta["continue"] = "page-%d" % end
            meta["remainingItemCount"] = len(items) - end
        self.send_json(200, {"apiVersion": spec.get("apiVersion", "v1"),
                             "kind": spec.get("kind", "List"),
                             "metadata": meta, "items": items[start:end]})

    def serve_stream(self, resp):
        self.send_response(resp.get("status", 200))
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in resp.get("headers", {}).items():
            self.send_header(k, v)
        self.end_headers()
        for chunk in resp["stream"]:
            time.sleep(chunk.get("delay", 0))
            data = chunk.get("data", "")
            if not isinstance(data, str):
                data = json.dumps(data) + "\n"
            raw = data.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
            self.wfile.flush()
        time.sleep(resp.get("hold", 0))
        if resp.get("drop"):
            self.close_connection = True
            self.connection.close()
            return
        self.wfile.write(b"0\r\n\r\n")

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in
                 urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        route_i = next((i for i, r in enumerate(self.server.routes)
                        if r.matches(self.command, url.path, query)), None)
        route = self.server.routes[route_i] if route_i is not None else None
        user, how, refused = self.identify()
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = headers[k] + ", " + v if k in headers else v
        sni = getattr(self.connection, "kubetest_sni", None)
        self.server.record({"method": self.command, "path": url.path, "query": query,
                            "headers": headers, "body": body, "user": user,
                            "auth": how if user else None, "sni": sni,
                            "route": route_i})

        if not self.authorised(route, user, how, refused):
            return self.send_json(401, status_body(401, "Unauthorized", "Unauthorized"))
        if route is None:
            return self.send_json(404, status_body(
                404, "NotFound", "the server could not find the requested resource"))
        resp = route.take()
        time.sleep(resp.get("delay", 0))
        if resp.get("reset"):
            return self.reset()
        if "stall" in resp:
            time.sleep(resp["stall"])
            self.close_connection = True
            return
        if "list" in resp:
            return self.serve_list(route, resp["list"], query)
        if "stream" in resp:
            return self.serve_stream(resp)
        status = resp.get("status", 200)
        if "status_error" in resp:
            e = resp["status_error"]
            payload = status_body(status, e.get("reason", ""), e.get("message", ""))
        else:
            payload = resp.get("body", {})
        if isinstance(payload, str):
            payload = payload.encode()
        self.send_json(status, payload, resp.get("headers"))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    args = ap.parse_args()
    with open(args.script, encoding="utf-8") as f:
        script = json.load(f)

    ctx = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.load_verify_locations(args.client_ca)

        def remember_sni(sock, name, _ctx):
            sock.kubetest_sni = name
        ctx.sni_callback = remember_sni

    srv = Server(("127.0.0.1", 0), script, args.log, ctx)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
