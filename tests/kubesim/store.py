"""Object storage with kube-apiserver semantics, and the internal API the
simulated controllers use.

Public API (the controllers code against exactly this):

    ApiError(code, reason, message, details=None)   .status() -> Status dict
    Store(registry, admission=None, history=1000)
      get(resource, namespace, name) -> dict | None            (deep copy)
      list(resource, namespace=None, label_selector=None) -> [dict]
      create(obj, user) -> dict
      update(obj, user, subresource=None) -> dict     PUT; RV checked if set
      patch(resource, namespace, name, patch_type, patch, user, subresource=None) -> dict
            patch_type: 'merge' | 'json' | 'strategic' | 'apply'
      delete(resource, namespace, name, user, propagation='Background') -> dict | None
      subscribe(fn)         fn(event_type, obj) after each commit, outside the
                            store lock, in commit order.  fn gets its own copy
                            and must not block (queue work, return).
      resource_for(api_version, kind) -> 'deployments.apps'

`resource` is plural + '.' + group ('configmaps', 'deployments.apps',
'applications.argoproj.io').  `user` is {'username': .., 'groups': [..]}.
Every write goes through admission as that user (webhooks are called without
holding the store lock) and raises ApiError the way the HTTP API answers.

Semantics: uid, creationTimestamp, one global increasing resourceVersion,
metadata.generation (bumped on non-metadata changes; status changes only when
the kind has no status subresource), status written only via /status when
the kind has that subresource, finalizers and deletionTimestamp, ownerReference
garbage collection (Background / Foreground / Orphan), namespace deletion,
dry run, label/field selectors, paging with continue tokens, and watches
over a bounded history (older resourceVersions get 410 Expired).

Stored objects are never modified in place (every write stores a new dict),
so readers inside this package may serialise them without copying.
"""

import base64
import collections
import datetime
import json
import random
import re
import threading
import uuid

import patch as patchlib
from labelsel import (SelectorError, label_selector_to_string, parse_field_selector,
                       parse_label_selector)

GC_USER = {"username": "system:serviceaccount:kube-system:generic-garbage-collector",
           "uid": "", "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system",
                                 "system:authenticated"]}
NS_USER = {"username": "system:serviceaccount:kube-system:namespace-controller",
           "uid": "", "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system",
                                 "system:authenticated"]}
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


# -- errors ---------------------------------------------------------------------

class ApiError(Exception):
    """An API failure with its HTTP code, Status reason and message."""

    def __init__(self, code, reason, message, details=None, retry_after=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retry_after = retry_after

    def status(self):
        st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": self.message}
        if self.reason:
            st["reason"] = self.reason
        if self.details is not None:
            st["details"] = self.details
        st["code"] = self.code
        return st

    def __repr__(self):
        return "ApiError(%d, %r, %r)" % (self.code, self.reason, self.message)


def _details(rt, name):
    d = {"name": name}
    if rt is not None:
        if rt.group:
            d["group"] = rt.group
        d["kind"] = rt.plural
    return d


def not_found(rt, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (rt.key, name), _details(rt, name))


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(rt, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (rt.key, name),
                    _details(rt, name))


def conflict(rt, name, why="the object has been modified; please apply your changes to the "
             "latest version and try again"):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s'
                    % (rt.key, name, why), _details(rt, name))


def invalid(rt, name, causes):
    """causes: [(field, 'Invalid value: ...' | 'Required value: ...', reason)]."""
    msgs = ["%s: %s" % (f, m) for f, m, _ in causes]
    text = msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    d = _details(rt, name)
    d["kind"] = rt.kind
    d["causes"] = [{"reason": r, "message": m, "field": f} for f, m, r in causes]
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (rt.kind, name, text), d)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def forbidden(rt, name, why):
    return ApiError(403, "Forbidden", '%s "%s" is forbidden: %s' % (rt.key, name, why),
                    _details(rt, name))


def expired(message):
    return ApiError(410, "Expired", message)


# -- small helpers -------------------------------------------------------------

def clone(o):
    """Deep copy of JSON data; much faster than copy.deepcopy."""
    t = type(o)
    if t is dict:
        return {k: clone(v) for k, v in o.items()}
    if t is list:
        return [clone(v) for v in o]
    return o


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789"

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                 "characters, '-' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
             "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
             "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")

# kinds whose names must be DNS-1123 labels rather than subdomains
_LABEL_NAMED = {"namespaces", "services"}
# kinds whose names are path segments (RBAC allows ':' etc.)
_PATH_NAMED = {"roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io",
               "rolebindings.rbac.authorization.k8s.io",
               "clusterrolebindings.rbac.authorization.k8s.io"}


def _meta(obj):
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _labels_ok(labels, field):
    causes = []
    if labels is None:
        return causes
    if not isinstance(labels, dict):
        return [(field, "Invalid value: must be a map of strings", "FieldValueInvalid")]
    for k, v in labels.items():
        prefix, _, name = k.rpartition("/")
        if (not name or len(name) > 63 or not _LABEL_NAME.match(name)
                or (prefix and not _DNS1123_SUBDOMAIN.match(prefix))):
            causes.append((field, 'Invalid value: "%s": name part must consist of alphanumeric '
                           "characters, '-', '_' or '.', and must start and end with an "
                           "alphanumeric character" % k, "FieldValueInvalid"))
        if field.endswith("labels") and (not isinstance(v, str) or len(v) > 63
                                         or not _LABEL_VALUE.match(v)):
            causes.append(("%s" % field, 'Invalid value: "%s": a valid label must be an empty '
                           "string or consist of alphanumeric characters, '-', '_' or '.', and "
                           "must start and end with an alphanumeric character" % (v,),
                           "FieldValueInvalid"))
        elif not isinstance(v, str):
            causes.append((field, "Invalid value: values must be strings", "FieldValueInvalid"))
    return causes


def validate_object(rt, obj):
    meta = _meta(obj)
    name = meta.get("name") or ""
    causes = []
    if not name:
        causes.append(("metadata.name", "Required value: name or generateName is required",
                       "FieldValueRequired"))
    elif rt.key in _PATH_NAMED:
        if name in (".", "..") or "/" in name or "%" in name:
            causes.append(("metadata.name", 'Invalid value: "%s": may not contain \'/\'' % name,
                           "FieldValueInvalid"))
    elif rt.key in _LABEL_NAMED:
        if len(name) > 63 or not _DNS1123_LABEL.match(name):
            causes.append(("metadata.name", 'Invalid value: "%s": %s' % (name, LABEL_MSG),
                           "FieldValueInvalid"))
    elif len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        causes.append(("metadata.name", 'Invalid value: "%s": %s' % (name, SUBDOMAIN_MSG),
                       "FieldValueInvalid"))
    causes += _labels_ok(meta.get("labels"), "metadata.labels")
    causes += _labels_ok(meta.get("annotations"), "metadata.annotations")
    fins = meta.get("finalizers")
    if fins is not None and (not isinstance(fins, list) or not all(isinstance(f, str) for f in fins)):
        causes.append(("metadata.finalizers", "Invalid value: must be a list of strings",
                       "FieldValueInvalid"))
    if causes:
        raise invalid(rt, name, causes)


def _generation_view(rt, obj):
    """The part of an object whose change bumps metadata.generation."""
    skip = {"metadata", "apiVersion", "kind"}
    if "status" in rt.subresources or rt.builtin:
        skip.add("status")
    return {k: v for k, v in obj.items() if k not in skip}


def _get_path(obj, path):
    cur = obj
    for p in [x for x in path.split(".") if x]:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


def _set_path(obj, path, value):
    parts = [x for x in path.split(".") if x]
    cur = obj
    for p in parts[:-1]:
        nxt = cur.get(p)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[p] = nxt
        cur = nxt
    cur[parts[-1]] = value


def _default_pod_spec(spec):
    if not isinstance(spec, dict):
        return
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if isinstance(c, dict):
            for p in c.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")


# -- watch ----------------------------------------------------------------------

Event = collections.namedtuple("Event", "rv type key namespace obj prev")


class Watcher:
    """One watch stream: events are pushed under the store lock, taken by the
    serving thread with next()."""

    def __init__(self, store, rt, namespace, label_sel, field_sel):
        self.store = store
        self.rt = rt
        self.namespace = namespace
        self.label_sel = label_sel
        self.field_sel = field_sel
        self._q = collections.deque()
        self._cond = threading.Condition()
        self.closed = False

    def _match(self, obj):
        if obj is None:
            return False
        if self.namespace and _meta(obj).get("namespace") != self.namespace:
            return False
        if self.label_sel is not None and not self.label_sel(_meta(obj).get("labels")):
            return False
        if self.field_sel is not None and not self.field_sel(obj):
            return False
        return True

    def offer(self, ev):
        """Translate a store event for this watcher (called under store lock)."""
        if ev.key != self.rt.key:
            return
        now_m = self._match(ev.obj)
        if ev.type == "MODIFIED":
            was_m = self._match(ev.prev)
            if now_m and was_m:
                t = "MODIFIED"
            elif now_m:
                t = "ADDED"
            elif was_m:
                t = "DELETED"
            else:
                return
        elif not now_m:
            return
        else:
            t = ev.type
        self.push((t, ev.obj))

    def push(self, item):
        with self._cond:
            self._q.append(item)
            self._cond.notify()

    def next(self, timeout):
        """(type, obj) or None on timeout / close."""
        with self._cond:
            if not self._q and not self.closed:
                self._cond.wait(timeout)
            if self._q:
                return self._q.popleft()
            return None

    def idle(self):
        with self._cond:
            return not self._q

    def close(self):
        self.store._unwatch(self)
        with self._cond:
            self.closed = True
            self._cond.notify_all()


# -- the store ----------------------------------------------------------------

class Store:
    def __init__(self, registry, admission=None, history=1000, background=True):
        self.registry = registry
        self.admission = admission     # object with .review(attrs) -> warnings list
        self._lock = threading.RLock()
        self._objects = {}             # key -> {(ns, name): obj}
        self._uids = {}                # uid -> (key, ns, name)
        self._owners = {}              # owner uid -> {(key, ns, name)} of dependents
        self._rv = 0
        self._history = collections.deque()
        self._history_max = history
        self._window_start = 0         # events with rv > this are in _history
        self._watchers = set()
        self._subscribers = []
        self._pending = collections.deque()
        self._dispatch_lock = threading.Lock()
        self._janitor_q = collections.deque()
        self._janitor_cond = threading.Condition()
        self._stopping = False
        self._ip_next = 1
        for ns in INITIAL_NAMESPACES:
            self._insert(self._prepare_create(registry.get("namespaces"),
                                              {"apiVersion": "v1", "kind": "Namespace",
                                               "metadata": {"name": ns}}, None))
        self._janitor = None
        if background:
            self._janitor = threading.Thread(target=self._janitor_loop, name="kubesim-janitor",
                                             daemon=True)
            self._janitor.start()

    def stop(self):
        self._stopping = True
        with self._janitor_cond:
            self._janitor_cond.notify_all()
        for w in list(self._watchers):
            w.close()

    # -- public API: reads ---------------------------------------------------
    def resource_for(self, api_version, kind):
        rt = self.registry.by_gvk(api_version, kind)
        if rt is None:
            raise ApiError(404, "NotFound", 'no matches for kind "%s" in version "%s"'
                           % (kind, api_version))
        return rt.key

    def _rt(self, resource):
        rt = self.registry.get(resource)
        if rt is None:
            raise path_not_found()
        return rt

    def get(self, resource, namespace, name):
        rt = self._rt(resource)
        with self._lock:
            obj = self._objects.get(rt.key, {}).get((namespace if rt.namespaced else None, name))
        return clone(obj) if obj is not None else None

    def list(self, resource, namespace=None, label_selector=None):
        rt = self._rt(resource)
        items, _, _, _ = self.list_raw(rt, namespace, label_selector)
        return [clone(o) for o in items]

    def get_raw(self, rt, namespace, name):
        """The stored object itself (never modify it) or None."""
        with self._lock:
            return self._objects.get(rt.key, {}).get((namespace if rt.namespaced else None, name))

    @property
    def resource_version(self):
        with self._lock:
            return self._rv

    def list_raw(self, rt, namespace=None, label_selector=None, field_selector=None,
                 limit=None, cont=None):
        """-> (items, list_rv, continue_token, remaining).  Items are the stored
        objects (do not modify).  Raises ApiError 400 on bad selectors and 410
        on an expired continue token."""
        try:
            lsel = parse_label_selector(label_selector) if isinstance(label_selector, (str, type(None))) else label_selector
            fsel = parse_field_selector(field_selector, rt.field_selectors) if isinstance(field_selector, (str, type(None))) else field_selector
        except SelectorError as e:
            raise bad_request(str(e))
        start_after = None
        list_rv = None
        if cont:
            try:
                tok = json.loads(base64.urlsafe_b64decode(cont.encode() + b"==").decode())
                list_rv = int(tok["rv"])
                start_after = tuple(tok["start"])
            except (ValueError, KeyError, TypeError):
                raise bad_request("continue key is not valid: invalid continue token")
        with self._lock:
            if list_rv is not None and list_rv < self._window_start:
                raise expired(
                    "The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use the "
                    "continue token in this response to retrieve the remainder of the results. "
                    "Continuing with the provided token results in an inconsistent list - objects "
                    "that were created, modified, or deleted between the time the first chunk was "
                    "returned and now may show up in the list.")
            rv = self._rv if list_rv is None else list_rv
            bucket = self._objects.get(rt.key, {})
            keys = sorted(bucket, key=lambda k: (k[0] or "", k[1]))
            objs = [bucket[k] for k in keys]
        out = []
        next_key = None
        remaining = 0
        for k, o in zip(keys, objs):
            kk = (k[0] or "", k[1])
            if start_after is not None and kk <= start_after:
                continue
            if namespace and rt.namespaced and k[0] != namespace:
                continue
            if not lsel.empty() and not lsel(_meta(o).get("labels")):
                continue
            if not fsel.empty() and not fsel(o):
                continue
            if limit and len(out) >= limit:
                remaining += 1
                continue
            out.append(o)
            next_key = kk
        token = None
        if remaining:
            token = base64.urlsafe_b64encode(json.dumps(
                {"rv": rv, "start": list(next_key)}).encode()).decode().rstrip("=")
        return out, rv, token, remaining

    # -- public API: writes ------------------------------------------------
    def create(self, obj, user, **kw):
        rt = kw.pop("rt", None) or self._rt(self._resource_of(obj))
        return self.create_in(rt, obj, user, **kw)

    def update(self, obj, user, subresource=None, **kw):
        rt = kw.pop("rt", None) or self._rt(self._resource_of(obj))
        m = _meta(obj)
        return self.update_in(rt, m.get("namespace") if rt.namespaced else None, m.get("name"),
                              obj, user, subresource=subresource, **kw)

    def patch(self, resource, namespace, name, patch_type, patch, user, subresource=None, **kw):
        return self.patch_in(self._rt(resource), namespace, name, patch_type, patch, user,
                             subresource=subresource, **kw)

    def delete(self, resource, namespace, name, user, propagation="Background", **kw):
        return self.delete_in(self._rt(resource), namespace, name, user,
                              propagation=propagation, **kw)

    def subscribe(self, fn):
        with self._lock:
            self._subscribers.append(fn)

    def _resource_of(self, obj):
        if not isinstance(obj, dict):
            raise bad_request("object is not a JSON object")
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if not kind:
            raise bad_request("Object 'Kind' is missing in '%s'" % json.dumps(obj)[:200])
        return self.resource_for(av or "", kind)

    # -- create ----------------------------------------------------------------
    def _check_kind(self, rt, obj):
        if not isinstance(obj, dict):
            raise bad_request("the body of the request was not a JSON object")
        kind = obj.get("kind")
        av = obj.get("apiVersion")
        if kind and kind != rt.kind:
            raise bad_request("the kind in the data (%s) does not match the expected kind (%s)"
                              % (kind, rt.kind))
        if av:
            g, _, v = av.rpartition("/")
            if g != rt.group or v not in rt.versions:
                raise bad_request("the API version in the data (%s) does not match the expected "
                                  "API version (%s)" % (av, rt.api_version))

    def _prepare_create(self, rt, obj, namespace):
        new = clone(obj)
        new["apiVersion"] = new.get("apiVersion") or rt.api_version
        new["kind"] = rt.kind
        meta = new.get("metadata")
        if not isinstance(meta, dict):
            meta = new["metadata"] = {}
        if rt.namespaced:
            ns = meta.get("namespace") or namespace
            if namespace and ns != namespace:
                raise bad_request("the namespace of the provided object does not match the "
                                  "namespace sent on the request")
            if not ns:
                raise bad_request("an empty namespace may not be set during creation")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                random.choice(_GENERATE_CHARS) for _ in range(5))
        for k in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"):
            meta.pop(k, None)
        validate_object(rt, new)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        if rt.has_generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        if "status" in rt.subresources and rt.key != "namespaces":
            new.pop("status", None)
        self._defaults(rt, new)
        return new

    def _defaults(self, rt, obj):
        """The few defaults users notice in `kubectl get` output."""
        k = rt.key
        if k == "namespaces":
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}
            _meta(obj).setdefault("labels", {})["kubernetes.io/metadata.name"] = _meta(obj)["name"]
        elif k == "services":
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            if "clusterIP" not in spec:
                with self._lock:
                    n = self._ip_next
                    self._ip_next += 1
                spec["clusterIP"] = "10.96.%d.%d" % (n // 250, n % 250 + 2)
                spec["clusterIPs"] = [spec["clusterIP"]]
            for p in spec.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
                    p.setdefault("targetPort", p.get("port"))
            obj.setdefault("status", {"loadBalancer": {}})
        elif k == "secrets":
            obj.setdefault("type", "Opaque")
            sd = obj.pop("stringData", None)
            if isinstance(sd, dict):
                data = obj.setdefault("data", {})
                for key, val in sd.items():
                    data[key] = base64.b64encode(str(val).encode()).decode()
        elif k == "pods":
            obj.setdefault("status", {}).setdefault("phase", "Pending")
            _default_pod_spec(obj.get("spec"))
        elif k in ("deployments.apps", "replicasets.apps", "statefulsets.apps"):
            spec = obj.setdefault("spec", {})
            spec.setdefault("replicas", 1)
            _default_pod_spec(((spec.get("template") or {}).get("spec")))
            if k == "deployments.apps":
                spec.setdefault("revisionHistoryLimit", 10)
                spec.setdefault("progressDeadlineSeconds", 600)
                spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate":
                                             {"maxSurge": "25%", "maxUnavailable": "25%"}})
        elif k == "customresourcedefinitions.apiextensions.k8s.io":
            names = (obj.get("spec") or {}).get("names") or {}
            obj["status"] = {"acceptedNames": clone(names), "storedVersions": [
                v.get("name") for v in (obj.get("spec") or {}).get("versions") or [] if v.get("storage")],
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                     "message": "no conflicts found", "lastTransitionTime": now_rfc3339()},
                    {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                     "message": "the initial names have been accepted",
                     "lastTransitionTime": now_rfc3339()}]}

    def _check_namespace(self, rt, ns, name):
        if not rt.namespaced:
            return
        nsobj = self._objects.get("namespaces", {}).get((None, ns))
        if nsobj is None:
            raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns,
                           {"name": ns, "kind": "namespaces"})
        if _meta(nsobj).get("deletionTimestamp"):
            e = forbidden(rt, name, "unable to create new content in namespace %s because it is "
                          "being terminated" % ns)
            e.details["causes"] = [{"reason": "NamespaceTerminating", "message":
                                    "namespace %s is being terminated" % ns, "field":
                                    "metadata.namespace"}]
            raise e

    def create_in(self, rt, obj, user, namespace=None, dry_run=False, ctx=None,
                  subresource=None):
        if "create" not in rt.verbs:
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        self._check_kind(rt, obj)
        if _meta(obj).get("resourceVersion"):
            raise ApiError(500, "InternalError", "Internal error occurred: resourceVersion should "
                           "not be set on objects to be created")
        if rt.key == "selfsubjectreviews.authentication.k8s.io":
            info = {"username": user.get("username", "")}
            if user.get("uid"):
                info["uid"] = user["uid"]
            info["groups"] = list(user.get("groups") or [])
            if user.get("extra"):
                info["extra"] = user["extra"]
            return {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                    "metadata": {"creationTimestamp": None}, "status": {"userInfo": info}}
        new = self._prepare_create(rt, obj, namespace)
        meta = new["metadata"]
        ns = meta.get("namespace")
        for _attempt in range(5):
            with self._lock:
                self._check_namespace(rt, ns, meta["name"])
                if (ns, meta["name"]) in self._objects.get(rt.key, {}):
                    raise already_exists(rt, meta["name"])
            self._admit("CREATE", rt, ns, meta["name"], new, None, user, dry_run, subresource,
                        {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}, ctx)
            if dry_run:
                return new
            with self._lock:
                if (ns, meta["name"]) in self._objects.get(rt.key, {}):
                    raise already_exists(rt, meta["name"])
                self._check_namespace(rt, ns, meta["name"])
                stored = self._commit(rt, "ADDED", new, None)
            self._dispatch()
            return clone(stored)
        raise conflict(rt, meta["name"])

    # -- update ----------------------------------------------------------------
    def _merge_update(self, rt, old, new, subresource):
        """The object that a PUT of `new` over `old` stores (not yet committed)."""
        om = _meta(old)
        if subresource == "status":
            result = clone(old)
            if "status" in new:
                result["status"] = clone(new["status"])
            else:
                result.pop("status", None)
            return result
        result = clone(new)
        result["apiVersion"] = old["apiVersion"] if not new.get("apiVersion") else new["apiVersion"]
        result["kind"] = rt.kind
        meta = result.get("metadata")
        if not isinstance(meta, dict):
            meta = result["metadata"] = {}
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "generation", "namespace", "name"):
            if k in om:
                meta[k] = om[k]
            else:
                meta.pop(k, None)
        meta.pop("managedFields", None)
        meta.pop("selfLink", None)
        if "status" in rt.subresources:
            if "status" in old:
                result["status"] = clone(old["status"])
            else:
                result.pop("status", None)
        if rt.key == "namespaces":
            result["spec"] = clone(old.get("spec") or {})
        if rt.key == "secrets":
            sd = result.pop("stringData", None)
            if isinstance(sd, dict):
                data = result.setdefault("data", {})
                for key, val in sd.items():
                    data[key] = base64.b64encode(str(val).encode()).decode()
        if rt.has_generation and _generation_view(rt, old) != _generation_view(rt, result):
            meta["generation"] = om.get("generation", 0) + 1
        if om.get("deletionTimestamp"):
            added = set(meta.get("finalizers") or []) - set(om.get("finalizers") or [])
            if added:
                raise invalid(rt, om.get("name"), [(
                    "metadata.finalizers", "Forbidden: no new finalizers can be added if the "
                    "object is being deleted, found new finalizers %s" % json.dumps(sorted(added)),
                    "FieldValueForbidden")])
        return result

    def update_in(self, rt, namespace, name, obj, user, subresource=None, dry_run=False,
                  ctx=None):
        if "update" not in rt.verbs:
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        if subresource and subresource not in rt.subresources:
            raise path_not_found()
        self._check_kind(rt, obj)
        ns = namespace if rt.namespaced else None
        bm = _meta(obj)
        if name is None or name == "":
            raise invalid(rt, "", [("metadata.name", "Required value: name is required",
                                    "FieldValueRequired")])
        if bm.get("name") and bm["name"] != name:
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (bm["name"], name))
        if rt.namespaced and bm.get("namespace") and bm["namespace"] != ns:
            raise bad_request("the namespace of the provided object does not match the namespace "
                              "sent on the request")
        want_rv = bm.get("resourceVersion")

        def compute(old):
            if old is None:
                raise not_found(rt, name)
            if want_rv and want_rv != _meta(old).get("resourceVersion"):
                raise conflict(rt, name)
            body = clone(obj)
            body.setdefault("metadata", {})["name"] = name
            validate_object(rt, body)
            return self._merge_update(rt, old, body, subresource)

        return self._guaranteed_update(rt, ns, name, compute, user, subresource, dry_run, ctx,
                                       {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1"})

    def _guaranteed_update(self, rt, ns, name, compute, user, subresource, dry_run, ctx, options,
                           create_fn=None):
        """Read, compute, admit (unlocked), then commit if nothing changed in
        between; otherwise recompute.  compute(old) -> new object."""
        for _attempt in range(8):
            with self._lock:
                old = self._objects.get(rt.key, {}).get((ns, name))
                if old is None and create_fn is not None:
                    new, op = create_fn(), "CREATE"
                    self._check_namespace(rt, ns, name)
                else:
                    new, op = compute(old), "UPDATE"
            if op == "CREATE":
                self._admit("CREATE", rt, ns, name, new, None, user, dry_run, subresource,
                            {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}, ctx)
            else:
                self._admit("UPDATE", rt, ns, name, new, old, user, dry_run, subresource,
                            options, ctx)
            if dry_run:
                return new
            with self._lock:
                cur = self._objects.get(rt.key, {}).get((ns, name))
                if cur is not old:
                    continue
                if op == "CREATE":
                    stored = self._commit(rt, "ADDED", new, None)
                elif _meta(new).get("deletionTimestamp") and not _meta(new).get("finalizers") \
                        and not (rt.key == "namespaces" and (new.get("spec") or {}).get("finalizers")):
                    stored = self._commit(rt, "DELETED", new, old)
                elif self._same(old, new):
                    stored = old     # no-op writes do not bump resourceVersion
                else:
                    stored = self._commit(rt, "MODIFIED", new, old)
            self._dispatch()
            return clone(stored)
        raise conflict(rt, name)

    @staticmethod
    def _same(old, new):
        a = dict(old)
        a["metadata"] = {k: v for k, v in _meta(old).items() if k != "resourceVersion"}
        b = dict(new)
        b["metadata"] = {k: v for k, v in _meta(new).items() if k != "resourceVersion"}
        return a == b

    # -- patch -----------------------------------------------------------------
    def patch_in(self, rt, namespace, name, patch_type, patch, user, subresource=None,
                 dry_run=False, ctx=None, field_manager=None, force=False):
        if "patch" not in rt.verbs:
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        if subresource and subresource not in rt.subresources:
            raise path_not_found()
        ns = namespace if rt.namespaced else None
        if patch_type == "strategic" and not rt.builtin:
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media "
                           "types include: application/json-patch+json, "
                           "application/merge-patch+json, application/apply-patch+yaml")
        if patch_type not in ("merge", "json", "strategic", "apply"):
            raise ApiError(415, "UnsupportedMediaType", "unsupported patch type %r" % patch_type)
        if patch_type == "apply" and not field_manager:
            raise bad_request("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required "
                              "value: is required for apply patch")
        if patch_type in ("merge", "strategic", "apply") and not isinstance(patch, dict):
            raise bad_request("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                              % type(patch).__name__)
        if subresource == "scale":
            return self._patch_scale(rt, ns, name, patch_type, patch, user, dry_run, ctx)

        def apply_patch(base):
            try:
                if patch_type == "json":
                    return patchlib.json_patch(base, patch)
                if patch_type == "strategic":
                    return patchlib.strategic_merge_patch(base, patch, rt.kind)
                return patchlib.merge_patch(base, patch)
            except patchlib.PatchError as e:
                if e.code == 400:
                    raise bad_request(e.message)
                raise ApiError(e.code, "Invalid", e.message)

        def compute(old):
            if old is None:
                raise not_found(rt, name)
            patched = apply_patch(old)
            if not isinstance(patched, dict):
                raise bad_request("patch did not produce an object")
            pm = _meta(patched)
            if pm.get("resourceVersion") != _meta(old).get("resourceVersion"):
                raise conflict(rt, name)
            if pm.get("name") != name:
                raise bad_request("the name of the object (%s) does not match the name on the URL "
                                  "(%s)" % (pm.get("name"), name))
            if pm.get("uid") != _meta(old).get("uid"):
                raise conflict(rt, name, "Precondition failed: UID in precondition: %s, UID in "
                               "object meta: %s" % (pm.get("uid"), _meta(old).get("uid")))
            self._check_kind(rt, patched)
            validate_object(rt, patched)
            return self._merge_update(rt, old, patched, subresource)

        create_fn = None
        if patch_type == "apply":
            def create_fn():
                body = clone(patch)
                body.setdefault("metadata", {})["name"] = name
                if rt.namespaced:
                    body["metadata"].setdefault("namespace", ns)
                self._check_kind(rt, body)
                return self._prepare_create(rt, body, ns)
        return self._guaranteed_update(rt, ns, name, compute, user, subresource, dry_run, ctx,
                                       {"kind": "PatchOptions", "apiVersion": "meta.k8s.io/v1"},
                                       create_fn=create_fn)

    # -- scale -------------------------------------------------------------------
    def _scale_paths(self, rt):
        s = rt.subresources.get("scale")
        if s is None:
            raise path_not_found()
        return (s.get("specReplicasPath", ".spec.replicas"),
                s.get("statusReplicasPath", ".status.replicas"), s.get("labelSelectorPath"))

    def scale_of(self, rt, obj):
        spec_p, status_p, sel_p = self._scale_paths(rt)
        m = _meta(obj)
        sel = _get_path(obj, sel_p) if sel_p else None
        if isinstance(sel, dict):
            sel = label_selector_to_string(sel)
        if rt.builtin and sel is None:
            sel = label_selector_to_string(_get_path(obj, ".spec.selector")) or None
        status = {"replicas": _get_path(obj, status_p) or 0}
        if sel:
            status["selector"] = sel
        meta = {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                  "creationTimestamp") if k in m}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
                "spec": {"replicas": _get_path(obj, spec_p) or 0}, "status": status}

    def get_scale(self, rt, ns, name):
        obj = self.get_raw(rt, ns, name)
        if obj is None:
            raise not_found(rt, name)
        return self.scale_of(rt, obj)

    def _scale_compute(self, rt, name, scale_fn):
        spec_p, _, _ = self._scale_paths(rt)

        def compute(old):
            if old is None:
                raise not_found(rt, name)
            scale = scale_fn(self.scale_of(rt, old))
            want_rv = _meta(scale).get("resourceVersion")
            if want_rv and want_rv != _meta(old).get("resourceVersion"):
                raise conflict(rt, name)
            replicas = (scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise ApiError(422, "Invalid", 'Scale.autoscaling "%s" is invalid: spec.replicas: '
                               "Invalid value: %s: must be greater than or equal to 0"
                               % (name, json.dumps(replicas)))
            new = clone(old)
            _set_path(new, spec_p, replicas)
            if rt.has_generation and _generation_view(rt, old) != _generation_view(rt, new):
                new["metadata"]["generation"] = _meta(old).get("generation", 0) + 1
            return new
        return compute

    def update_scale(self, rt, ns, name, scale, user, dry_run=False, ctx=None):
        compute = self._scale_compute(rt, name, lambda cur: scale)
        obj = self._guaranteed_update(rt, ns, name, compute, user, "scale", dry_run, ctx,
                                      {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1"})
        return self.scale_of(rt, obj)

    def _patch_scale(self, rt, ns, name, patch_type, patch, user, dry_run, ctx):
        def fn(cur):
            try:
                if patch_type == "json":
                    return patchlib.json_patch(cur, patch)
                return patchlib.merge_patch(cur, patch)
            except patchlib.PatchError as e:
                raise ApiError(e.code, "Invalid" if e.code == 422 else "BadRequest", e.message)
        compute = self._scale_compute(rt, name, fn)
        obj = self._guaranteed_update(rt, ns, name, compute, user, "scale", dry_run, ctx,
                                      {"kind": "PatchOptions", "apiVersion": "meta.k8s.io/v1"})
        return self.scale_of(rt, obj)

    # -- delete ----------------------------------------------------------------
    def delete_in(self, rt, namespace, name, user, propagation="Background", dry_run=False,
                  ctx=None, preconditions=None, options=None):
        """-> the object (still present with deletionTimestamp, or as last
        seen when removed).  Removal of dependents happens in the background."""
        if "delete" not in rt.verbs:
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        ns = namespace if rt.namespaced else None
        propagation = propagation or "Background"
        if propagation not in ("Background", "Foreground", "Orphan"):
            raise invalid(rt, name, [("propagationPolicy", 'Unsupported value: "%s": supported '
                                      'values: "Foreground", "Background", "Orphan"' % propagation,
                                      "FieldValueNotSupported")])
        opts = {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1",
                "propagationPolicy": propagation}
        if options:
            opts.update(options)
        for _attempt in range(8):
            with self._lock:
                old = self._objects.get(rt.key, {}).get((ns, name))
                if old is None:
                    raise not_found(rt, name)
                om = _meta(old)
                pre = preconditions or {}
                if pre.get("uid") and pre["uid"] != om.get("uid"):
                    raise conflict(rt, name, "Precondition failed: UID in precondition: %s, UID in "
                                   "object meta: %s" % (pre["uid"], om.get("uid")))
                if pre.get("resourceVersion") and pre["resourceVersion"] != om.get("resourceVersion"):
                    raise conflict(rt, name, "Precondition failed: ResourceVersion in precondition: "
                                   "%s, ResourceVersion in object meta: %s"
                                   % (pre["resourceVersion"], om.get("resourceVersion")))
                fins = list(om.get("finalizers") or [])
                if propagation == "Foreground" and "foregroundDeletion" not in fins:
                    if self._dependents(om.get("uid")):
                        fins.append("foregroundDeletion")
                elif propagation == "Orphan" and "orphan" not in fins:
                    if self._dependents(om.get("uid")):
                        fins.append("orphan")
                ns_pending = rt.key == "namespaces" and bool((old.get("spec") or {}).get("finalizers"))
                if om.get("deletionTimestamp") and fins == list(om.get("finalizers") or []):
                    return clone(old)       # already being deleted
                if fins or ns_pending:
                    new = clone(old)
                    nm = new["metadata"]
                    nm.setdefault("deletionTimestamp", now_rfc3339())
                    nm.setdefault("deletionGracePeriodSeconds", 0)
                    if fins:
                        nm["finalizers"] = fins
                    if "generation" in nm and not om.get("deletionTimestamp"):
                        nm["generation"] += 1
                    if rt.key == "namespaces":
                        new["status"] = {"phase": "Terminating"}
                    kind = "MODIFIED"
                else:
                    new, kind = dict(old), "DELETED"
            self._admit("DELETE", rt, ns, name, None, old, user, dry_run, None, opts, ctx)
            if dry_run:
                return clone(new)
            with self._lock:
                if self._objects.get(rt.key, {}).get((ns, name)) is not old:
                    continue
                stored = self._commit(rt, kind, new, old)
            self._dispatch()
            return clone(stored)
        raise conflict(rt, name)

    def delete_collection(self, rt, namespace, user, label_selector=None, field_selector=None,
                          propagation="Background", dry_run=False, ctx=None):
        items, _, _, _ = self.list_raw(rt, namespace, label_selector, field_selector)
        out = []
        for o in items:
            m = _meta(o)
            try:
                out.append(self.delete_in(rt, m.get("namespace"), m.get("name"), user, propagation,
                                          dry_run, ctx))
            except ApiError as e:
                if e.code != 404:
                    raise
        return out

    # -- commit, history, watchers ------------------------------------------
    def _insert(self, obj):
        """Bootstrap insert without admission or events (initial state)."""
        rt = self.registry.by_gvk(obj["apiVersion"], obj["kind"])
        with self._lock:
            self._rv += 1
            obj["metadata"]["resourceVersion"] = str(self._rv)
            m = obj["metadata"]
            self._objects.setdefault(rt.key, {})[(m.get("namespace"), m["name"])] = obj
            self._uids[m["uid"]] = (rt.key, m.get("namespace"), m["name"])
            self._index_owners(rt.key, None, obj)
            self._window_start = self._rv

    def _commit(self, rt, kind, new, old):
        """Store `new` (a private dict) under the lock; record and fan out."""
        self._rv += 1
        rv = self._rv
        meta = new["metadata"] = dict(new["metadata"])
        meta["resourceVersion"] = str(rv)
        ns, name = meta.get("namespace"), meta["name"]
        bucket = self._objects.setdefault(rt.key, {})
        if kind == "DELETED":
            bucket.pop((ns, name), None)
            self._uids.pop(meta.get("uid"), None)
            self._index_owners(rt.key, old, None)
        else:
            bucket[(ns, name)] = new
            self._uids[meta["uid"]] = (rt.key, ns, name)
            self._index_owners(rt.key, old, new)
        ev = Event(rv, kind, rt.key, ns, new, old)
        if self._history_max:
            if len(self._history) >= self._history_max:
                self._window_start = self._history.popleft().rv
            self._history.append(ev)
        else:
            self._window_start = rv
        for w in self._watchers:
            w.offer(ev)
        self._pending.append(ev)
        self._after_commit(rt, ev)
        return new

    def _index_owners(self, key, old, new):
        for obj, add in ((old, False), (new, True)):
            if obj is None:
                continue
            m = _meta(obj)
            ident = (key, m.get("namespace"), m.get("name"))
            for ref in m.get("ownerReferences") or []:
                uid = ref.get("uid") if isinstance(ref, dict) else None
                if not uid:
                    continue
                if add:
                    self._owners.setdefault(uid, set()).add(ident)
                else:
                    deps = self._owners.get(uid)
                    if deps is not None:
                        deps.discard(ident)
                        if not deps:
                            del self._owners[uid]

    def _after_commit(self, rt, ev):
        """Registry changes for CRDs, and work for the janitor."""
        if rt.key == "customresourcedefinitions.apiextensions.k8s.io":
            if ev.type == "DELETED":
                key = self.registry.remove_crd(ev.obj)
                if key:
                    for (ns, name), o in list(self._objects.pop(key, {}).items()):
                        self._uids.pop(_meta(o).get("uid"), None)
                        self._index_owners(key, o, None)
            else:
                self.registry.add_crd(ev.obj)
        m = _meta(ev.obj)
        work = None
        if ev.type == "DELETED":
            work = ("gc", m.get("uid"))
            if ev.namespace:
                work2 = ("ns", ev.namespace)
                self._janitor_q.append(work2)
        elif m.get("deletionTimestamp"):
            if rt.key == "namespaces":
                work = ("ns", m["name"])
            elif {"orphan", "foregroundDeletion"} & set(m.get("finalizers") or []):
                work = ("fin", rt.key, ev.namespace, m["name"])
        if work is not None:
            self._janitor_q.append(work)
        if work is not None or ev.type == "DELETED":
            with self._janitor_cond:
                self._janitor_cond.notify()

    def compact(self):
        """Forget all history: watches and continue tokens from before now get 410."""
        with self._lock:
            self._history.clear()
            self._window_start = self._rv
            return self._rv

    def watch(self, rt, namespace=None, label_selector=None, field_selector=None,
              resource_version=None, send_initial_events=None):
        """Start a watch; returns a Watcher whose queue holds the initial
        events.  A too old resourceVersion yields one ERROR (410) event."""
        try:
            lsel = parse_label_selector(label_selector)
            fsel = parse_field_selector(field_selector, rt.field_selectors)
        except SelectorError as e:
            raise bad_request(str(e))
        w = Watcher(self, rt, namespace if rt.namespaced else None,
                    None if lsel.empty() else lsel, None if fsel.empty() else fsel)
        rv = resource_version
        if rv not in (None, "", "0"):
            try:
                rv = int(rv)
            except ValueError:
                raise bad_request('invalid resource version: "%s"' % resource_version)
        with self._lock:
            initial = rv in (None, "", "0")
            if send_initial_events is not None:
                initial = send_initial_events
            if initial:
                bucket = self._objects.get(rt.key, {})
                for k in sorted(bucket, key=lambda k: (k[0] or "", k[1])):
                    o = bucket[k]
                    if w._match(o):
                        w.push(("ADDED", o))
                if send_initial_events:
                    w.push(("BOOKMARK-INITIAL", str(self._rv)))
            if isinstance(rv, int):
                if rv < self._window_start:
                    w.push(("ERROR", ApiError(410, "Expired", "too old resource version: %d (%d)"
                                              % (rv, self._window_start + 1)).status()))
                    w.closed = True
                    return w
                for ev in self._history:
                    if ev.rv > rv:
                        w.offer(ev)
            self._watchers.add(w)
        return w

    def _unwatch(self, w):
        with self._lock:
            self._watchers.discard(w)

    def bookmark_rv(self, w):
        """The RV a bookmark may announce for `w`, or None while it has
        undelivered events."""
        with self._lock:
            return str(self._rv) if w.idle() else None

    # -- subscribers -------------------------------------------------------------
    def _dispatch(self):
        """Deliver pending events to subscribers in commit order, outside
        the store lock; one thread delivers at a time, the others leave their
        events to it."""
        while self._pending:
            if not self._dispatch_lock.acquire(blocking=False):
                return
            try:
                while True:
                    try:
                        ev = self._pending.popleft()
                    except IndexError:
                        break
                    for fn in list(self._subscribers):
                        try:
                            fn(ev.type, clone(ev.obj))
                        except Exception:
                            import traceback
                            traceback.print_exc()
            finally:
                self._dispatch_lock.release()

    # -- admission -----------------------------------------------------------
    def _admit(self, operation, rt, ns, name, obj, old, user, dry_run, subresource, options, ctx):
        if self.admission is None:
            return
        if subresource == "scale":
            kind = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
            obj = self.scale_of(rt, obj) if obj is not None else None
            old = self.scale_of(rt, old) if old is not None else None
        else:
            kind = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        warnings, annotations = self.admission.review({
            "operation": operation, "rt": rt, "kind": kind, "subresource": subresource or "",
            "namespace": ns or "", "name": name or "", "object": obj, "old_object": old,
            "user": user or {}, "dry_run": bool(dry_run), "options": options,
            "namespace_labels": self._namespace_labels(rt, ns, obj, old)})
        if ctx is not None:
            ctx.setdefault("warnings", []).extend(warnings or [])
            ctx.setdefault("audit", {}).update(annotations or {})

    def _namespace_labels(self, rt, ns, obj, old):
        if rt.key == "namespaces":
            src = obj if obj is not None else old
            return dict(_meta(src).get("labels") or {})
        if not rt.namespaced or not ns:
            return None
        nsobj = self.get_raw(self.registry.get("namespaces"), None, ns)
        return dict(_meta(nsobj).get("labels") or {}) if nsobj else {}

    # -- garbage collection and namespace cleanup -----------------------------
    def _dependents(self, uid):
        """[(rt_key, ns, name)] of objects owned by uid (store lock held)."""
        return sorted(self._owners.get(uid, ()), key=lambda d: (d[0], d[1] or "", d[2]))

    def _janitor_loop(self):
        retry = []
        while not self._stopping:
            with self._janitor_cond:
                if not self._janitor_q:
                    self._janitor_cond.wait(0.2 if retry else None)
            if self._stopping:
                return
            self._janitor_q.extend(retry)
            retry = []
            seen = set()
            while self._janitor_q:
                work = self._janitor_q.popleft()
                if work in seen:
                    continue
                seen.add(work)
                try:
                    if not self._janitor_step(work):
                        retry.append(work)
                except ApiError:
                    retry.append(work)
                except Exception:
                    import traceback
                    traceback.print_exc()

    def _janitor_step(self, work):
        """One unit of background work; False to retry later."""
        if work[0] == "gc":
            with self._lock:
                deps = self._dependents(work[1])
            for key, ns, name in deps:
                rt = self.registry.get(key)
                if rt is None:
                    continue
                obj = self.get_raw(rt, ns, name)
                if obj is None:
                    continue
                refs = _meta(obj).get("ownerReferences") or []
                with self._lock:
                    alive = [r for r in refs if r.get("uid") != work[1] and r.get("uid") in self._uids]
                try:
                    if alive:
                        self.patch_in(rt, ns, name, "json", [
                            {"op": "replace", "path": "/metadata/ownerReferences", "value": alive}],
                            GC_USER)
                    else:
                        self.delete_in(rt, ns, name, GC_USER, "Background")
                except ApiError as e:
                    if e.code != 404:
                        return False
            return True
        if work[0] == "fin":
            _, key, ns, name = work
            rt = self.registry.get(key)
            obj = self.get_raw(rt, ns, name) if rt else None
            if obj is None:
                return True
            fins = list(_meta(obj).get("finalizers") or [])
            uid = _meta(obj).get("uid")
            with self._lock:
                deps = self._dependents(uid)
            if "orphan" in fins:
                for dkey, dns, dname in deps:
                    drt = self.registry.get(dkey)
                    d = self.get_raw(drt, dns, dname)
                    if d is None:
                        continue
                    refs = [r for r in _meta(d).get("ownerReferences") or [] if r.get("uid") != uid]
                    try:
                        self.patch_in(drt, dns, dname, "merge",
                                      {"metadata": {"ownerReferences": refs or None}}, GC_USER)
                    except ApiError as e:
                        if e.code != 404:
                            return False
                fins.remove("orphan")
            elif "foregroundDeletion" in fins:
                if deps:
                    for dkey, dns, dname in deps:
                        try:
                            self.delete_in(self.registry.get(dkey), dns, dname, GC_USER, "Foreground")
                        except ApiError as e:
                            if e.code != 404:
                                return False
                    return False      # wait until they are gone
                fins.remove("foregroundDeletion")
            else:
                return True
            try:
                self.patch_in(rt, ns, name, "merge", {"metadata": {
                    "finalizers": fins or None, "resourceVersion": _meta(obj).get("resourceVersion")}},
                    GC_USER)
            except ApiError as e:
                return e.code == 404
            return True
        if work[0] == "ns":
            nsrt = self.registry.get("namespaces")
            nsobj = self.get_raw(nsrt, None, work[1])
            if nsobj is None or not _meta(nsobj).get("deletionTimestamp"):
                return True
            left = 0
            for rt in self.registry.all():
                if not rt.namespaced:
                    continue
                items, _, _, _ = self.list_raw(rt, work[1])
                for o in items:
                    if _meta(o).get("deletionTimestamp"):
                        left += 1
                        continue
                    try:
                        if self.delete_in(rt, work[1], _meta(o)["name"], NS_USER,
                                          "Background") is not None:
                            left += self.get_raw(rt, work[1], _meta(o)["name"]) is not None
                    except ApiError as e:
                        if e.code != 404:
                            left += 1   # e.g. denied by a webhook: stays Terminating
            if left:
                return False
            # content gone: drop the namespace's own finalizer, which removes it
            with self._lock:
                cur = self._objects.get("namespaces", {}).get((None, work[1]))
                if cur is None:
                    return True
                new = clone(cur)
                new.setdefault("spec", {})["finalizers"] = []
                if _meta(new).get("finalizers"):
                    self._commit(nsrt, "MODIFIED", new, cur)
                else:
                    self._commit(nsrt, "DELETED", new, cur)
            self._dispatch()
            return True
        return True

    # -- bulk loading ---------------------------------------------------------
    def load_objects(self, objs):
        """Insert initial objects (state files, CRDs) without admission.
        Missing namespaces are created; CRDs register their kinds first."""
        objs = [o for o in objs if isinstance(o, dict)]
        order = sorted(objs, key=lambda o: {"CustomResourceDefinition": 0, "Namespace": 1}.get(o.get("kind"), 2))
        for o in order:
            if o.get("kind") == "CustomResourceDefinition":
                self.registry.add_crd(o)
            rt = self.registry.by_gvk(o.get("apiVersion", ""), o.get("kind", ""))
            if rt is None:
                raise ValueError("unknown kind %s %s" % (o.get("apiVersion"), o.get("kind")))
            meta = _meta(o)
            ns = meta.get("namespace") or ("default" if rt.namespaced else None)
            if rt.namespaced and self.get_raw(self.registry.get("namespaces"), None, ns) is None:
                self._insert(self._prepare_create(self.registry.get("namespaces"), {
                    "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, None))
            if self.get_raw(rt, ns, meta.get("name")) is not None:
                continue
            status = o.get("status")
            new = self._prepare_create(rt, o, ns)
            if status is not None and rt.key != "namespaces":
                new["status"] = clone(status)
            # A state file describes a cluster as it was: keep its identities
            # and ages, or ownerReferences (by uid) would point at nothing.
            for k in ("uid", "creationTimestamp"):
                if meta.get(k):
                    new["metadata"][k] = meta[k]
            self._insert(new)
