"""Validating admission webhooks, called the way kube-apiserver calls them.

    adm = Admission(list_configs, service_map={"ns/name": ("127.0.0.1", 8443)}, log=fn)
    warnings, audit = adm.review(attrs)     # raises store.ApiError on denial

`list_configs()` returns the current ValidatingWebhookConfiguration objects.
`attrs` comes from the store: operation, rt (ResourceType), kind {group,
version, kind}, subresource, namespace, name, object, old_object, user,
dry_run, options, namespace_labels (labels of the object's namespace, of the
Namespace itself for namespaces, None for other cluster-scoped objects).

Matching: rules (operations, apiGroups, apiVersions, resources with `*`,
`x/status`, `*/*`, scope), namespaceSelector, objectSelector (old or new
labels).  matchConditions (CEL) are not evaluated: a webhook that has them
is called as if they were all true.  Matching webhooks are called in
parallel, each with its timeoutSeconds (default 10, at most 30) and
`?timeout=Ns` on the URL; TLS is verified against caBundle with the service
DNS name `NAME.NS.svc` as SNI and expected host.  Results are combined in
configuration order: the first denial or (failurePolicy Fail) call error
fails the request; warnings of all webhooks are returned.

Writes to validating/mutating webhook configurations are never sent to
webhooks, as in Kubernetes.
"""

import base64
import http.client
import json
import socket
import ssl
import threading
import urllib.parse
import uuid

from labelsel import SelectorError, label_selector_from_dict
from store import ApiError

_SKIP = {"validatingwebhookconfigurations.admissionregistration.k8s.io",
         "mutatingwebhookconfigurations.admissionregistration.k8s.io",
         "validatingadmissionpolicies.admissionregistration.k8s.io",
         "validatingadmissionpolicybindings.admissionregistration.k8s.io"}


class _CallError(Exception):
    pass


class _SNIConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address while presenting and verifying another name."""

    def __init__(self, address, port, server_name, context, timeout):
        super().__init__(address, port, context=context, timeout=timeout)
        self._server_name = server_name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


def _in(values, want):
    return values is not None and ("*" in values or want in values)


def rule_matches(rule, attrs):
    rt = attrs["rt"]
    if not _in(rule.get("operations"), attrs["operation"]):
        return False
    if not _in(rule.get("apiGroups"), rt.group):
        return False
    if not _in(rule.get("apiVersions"), attrs["kind"]["version"] if attrs["subresource"] != "scale"
               else rt.version):
        return False
    sub = attrs["subresource"]
    wanted = rt.plural + ("/" + sub if sub else "")
    ok = False
    for r in rule.get("resources") or []:
        if r == wanted or r == "*/*":
            ok = True
        elif r == "*" and not sub:
            ok = True
        elif sub and (r == "*/" + sub or r == rt.plural + "/*"):
            ok = True
    if not ok:
        return False
    scope = rule.get("scope") or "*"
    if scope == "Cluster" and rt.namespaced:
        return False
    if scope == "Namespaced" and not rt.namespaced:
        return False
    return True


def webhook_matches(hook, attrs):
    if not any(rule_matches(r, attrs) for r in hook.get("rules") or []):
        return False
    try:
        ns_sel = hook.get("namespaceSelector")
        if ns_sel and attrs.get("namespace_labels") is not None:
            if not label_selector_from_dict(ns_sel)(attrs["namespace_labels"]):
                return False
        obj_sel = hook.get("objectSelector")
        if obj_sel:
            sel = label_selector_from_dict(obj_sel)
            hit = False
            for o in (attrs.get("object"), attrs.get("old_object")):
                if o is not None and sel(((o.get("metadata") or {}).get("labels")) or {}):
                    hit = True
            if not hit:
                return False
    except SelectorError:
        return False
    return True


class Admission:
    def __init__(self, list_configs, service_map=None, log=None):
        self.list_configs = list_configs
        self.service_map = service_map or {}
        self.log = log or (lambda rec: None)

    # -- request body ------------------------------------------------------
    @staticmethod
    def request_body(attrs, uid):
        rt = attrs["rt"]
        user = attrs["user"] or {}
        ui = {"username": user.get("username", "")}
        if user.get("uid"):
            ui["uid"] = user["uid"]
        if user.get("groups"):
            ui["groups"] = list(user["groups"])
        if user.get("extra"):
            ui["extra"] = user["extra"]
        resource = {"group": rt.group, "version": attrs["kind"]["version"]
                    if attrs["subresource"] != "scale" else rt.version, "resource": rt.plural}
        req = {"uid": uid, "kind": attrs["kind"], "resource": resource}
        if attrs["subresource"]:
            req["subResource"] = attrs["subresource"]
        req["requestKind"] = attrs["kind"]
        req["requestResource"] = resource
        if attrs["subresource"]:
            req["requestSubResource"] = attrs["subresource"]
        if attrs["name"]:
            req["name"] = attrs["name"]
        if attrs["namespace"]:
            req["namespace"] = attrs["namespace"]
        elif rt.key == "namespaces" and attrs["name"]:
            req["namespace"] = attrs["name"]
        req.update({"operation": attrs["operation"], "userInfo": ui,
                    "object": attrs["object"], "oldObject": attrs["old_object"],
                    "dryRun": attrs["dry_run"], "options": attrs["options"]})
        return {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": req}

    # -- one call ----------------------------------------------------------
    def _target(self, cc, timeout):
        """-> (connect address, port, tls name, url text, path)."""
        q = "timeout=%ds" % timeout
        if cc.get("url"):
            u = urllib.parse.urlsplit(cc["url"])
            if u.scheme != "https":
                raise _CallError('failed to call webhook: Post "%s": unsupported protocol scheme'
                                 % cc["url"])
            path = (u.path or "/") + ("?" + u.query + "&" if u.query else "?") + q
            port = u.port or 443
            url = "https://%s%s" % (u.netloc, path)
            return u.hostname, port, u.hostname, url, path
        svc = cc.get("service")
        if not svc:
            raise _CallError("webhook has neither url nor service")
        name, ns = svc.get("name", ""), svc.get("namespace", "")
        port = svc.get("port") or 443
        path = (svc.get("path") or "/")
        path += ("&" if "?" in path else "?") + q
        host = "%s.%s.svc" % (name, ns)
        url = "https://%s:%d%s" % (host, port, path)
        mapped = self.service_map.get("%s/%s" % (ns, name))
        if mapped is None:
            raise _CallError('failed to call webhook: Post "%s": dial tcp: lookup %s: no such host'
                             % (url, host))
        return mapped[0], mapped[1], host, url, path

    def _call(self, hook, body, uid):
        """-> AdmissionResponse dict; raises _CallError."""
        timeout = hook.get("timeoutSeconds") or 10
        timeout = max(1, min(30, int(timeout)))
        cc = hook.get("clientConfig") or {}
        if "v1" not in (hook.get("admissionReviewVersions") or ["v1"]):
            raise _CallError("webhook does not accept v1 AdmissionReview")
        addr, port, tls_name, url, path = self._target(cc, timeout)
        ctx = ssl.create_default_context()
        if cc.get("caBundle"):
            try:
                pem = base64.b64decode(cc["caBundle"]).decode()
                ctx = ssl.create_default_context(cadata=pem)
            except (ValueError, ssl.SSLError, UnicodeDecodeError) as e:
                raise _CallError('failed to call webhook: Post "%s": tls: failed to parse caBundle: '
                                 '%s' % (url, e))
        data = json.dumps(body).encode()
        result = {}

        def run():
            try:
                conn = _SNIConnection(addr, port, tls_name, ctx, timeout)
                try:
                    conn.request("POST", path, body=data, headers={
                        "Content-Type": "application/json", "Accept": "application/json, */*"})
                    resp = conn.getresponse()
                    result["status"] = resp.status
                    result["body"] = resp.read()
                finally:
                    conn.close()
            except ssl.SSLCertVerificationError as e:
                result["error"] = "tls: failed to verify certificate: %s" % (e.verify_message or e)
            except (OSError, http.client.HTTPException) as e:
                if isinstance(e, socket.timeout):
                    result["error"] = "context deadline exceeded"
                else:
                    result["error"] = str(e) or e.__class__.__name__

        th = threading.Thread(target=run, daemon=True)
        th.start()
        th.join(timeout + 0.5)
        if th.is_alive():
            result = {"error": "context deadline exceeded"}
        if "error" in result:
            raise _CallError('failed to call webhook: Post "%s": %s' % (url, result["error"]))
        if result["status"] != 200:
            raise _CallError("failed to call webhook: the server responded with the status code %d "
                             "but did not return more information" % result["status"])
        try:
            review = json.loads(result["body"])
        except ValueError as e:
            raise _CallError("received invalid webhook response: %s" % e)
        if not isinstance(review, dict):
            raise _CallError("received invalid webhook response: not an object")
        if review.get("apiVersion") != "admission.k8s.io/v1" or review.get("kind") != "AdmissionReview":
            raise _CallError("received invalid webhook response: expected webhook response of "
                             "admission.k8s.io/v1, Kind=AdmissionReview, got %s, Kind=%s"
                             % (review.get("apiVersion", ""), review.get("kind", "")))
        resp = review.get("response")
        if not isinstance(resp, dict):
            raise _CallError("received invalid webhook response: response was absent")
        if resp.get("uid") != uid:
            raise _CallError('received invalid webhook response: expected response.uid="%s", got "%s"'
                             % (uid, resp.get("uid", "")))
        if resp.get("patch") is not None:
            raise _CallError("received invalid webhook response: validating webhook may not return "
                             "response.patch")
        if resp.get("patchType") is not None:
            raise _CallError("received invalid webhook response: validating webhook may not return "
                             "response.patchType")
        return resp

    # -- the dispatcher --------------------------------------------------
    def review(self, attrs):
        rt = attrs["rt"]
        if rt.key in _SKIP:
            return [], {}
        hooks = []
        for cfg in self.list_configs():
            for hook in cfg.get("webhooks") or []:
                if webhook_matches(hook, attrs):
                    hooks.append(hook)
        if not hooks:
            return [], {}
        for hook in hooks:
            if attrs["dry_run"] and hook.get("sideEffects") not in ("None", "NoneOnDryRun"):
                raise ApiError(400, "BadRequest", 'admission webhook "%s" does not support dry run'
                               % hook.get("name", ""))
        outcomes = [None] * len(hooks)

        def one(i, hook):
            uid = str(uuid.uuid4())
            try:
                outcomes[i] = ("ok", self._call(hook, self.request_body(attrs, uid), uid))
            except _CallError as e:
                outcomes[i] = ("error", str(e))
            except Exception as e:     # never let a webhook crash the request thread
                outcomes[i] = ("error", "failed to call webhook: %s" % e)

        threads = [threading.Thread(target=one, args=(i, h), daemon=True) for i, h in enumerate(hooks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        warnings, audit, failure = [], {}, None
        for hook, (kind, val) in zip(hooks, outcomes):
            name = hook.get("name", "")
            rec = {"webhook": name, "operation": attrs["operation"], "resource": rt.key,
                   "namespace": attrs["namespace"], "name": attrs["name"]}
            if kind == "error":
                policy = hook.get("failurePolicy") or "Fail"
                rec.update({"result": "error", "error": val, "failurePolicy": policy})
                self.log(rec)
                if policy == "Ignore":
                    continue
                if failure is None:
                    msg = 'failed calling webhook "%s": %s' % (name, val)
                    failure = ApiError(500, "InternalError", "Internal error occurred: " + msg,
                                       {"causes": [{"message": msg}]})
                continue
            resp = val
            warnings.extend(w for w in resp.get("warnings") or [] if isinstance(w, str))
            for k, v in (resp.get("auditAnnotations") or {}).items():
                audit["%s/%s" % (name, k)] = v
            rec.update({"result": "allowed" if resp.get("allowed") else "denied"})
            if resp.get("auditAnnotations"):
                rec["auditAnnotations"] = resp["auditAnnotations"]
            self.log(rec)
            if not resp.get("allowed") and failure is None:
                failure = self._denial(name, resp.get("status"))
        if failure is not None:
            failure.warnings = warnings
            raise failure
        return warnings, audit

    @staticmethod
    def _denial(name, st):
        """errors.ToStatusErr of k8s.io/apiserver's webhook admission."""
        st = st if isinstance(st, dict) else {}
        code = st.get("code") if isinstance(st.get("code"), int) else 0
        if code < 400:
            code = 400
        denied = 'admission webhook "%s" denied the request' % name
        if st.get("message"):
            msg = "%s: %s" % (denied, st["message"])
        elif st.get("reason"):
            msg = "%s: %s" % (denied, st["reason"])
        else:
            msg = denied + " without explanation"
        e = ApiError(code, st.get("reason", ""), msg, st.get("details"))
        return e
