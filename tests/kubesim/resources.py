"""The resource table: built-in kinds, kinds from CustomResourceDefinitions,
and the discovery documents and Table columns derived from them.

    reg = Registry()                  # built-ins only
    reg.load_crd_dir(path)            # -> list of CRD objects read (yamlmini)
    reg.add_crd(crd_obj)              # (re)register the kinds a CRD serves
    reg.remove_crd(crd_obj)
    reg.get(key)                      # 'deployments.apps' -> ResourceType
    reg.by_gvk(api_version, kind)     # -> ResourceType or None
    reg.by_path(group, version, plural)
    reg.api_versions(), reg.group_list(), reg.group(name), reg.resource_list(group, version)
    reg.table(rt, objs, now, include_headers) -> meta.k8s.io/v1 Table

A ResourceType is plain data; the registry is safe to read from many
threads while the store lock serialises changes (see Store).
"""

import datetime
import glob
import json
import os
import re
import threading

import yamlmini
from labelsel import label_selector_to_string

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_VERBS = ["get", "patch", "update"]


class ResourceType:
    def __init__(self, group, version, plural, kind, namespaced, singular=None,
                 short_names=(), categories=(), verbs=None, subresources=None,
                 columns=None, builtin=True, has_generation=False, field_selectors=(),
                 versions=None, list_kind=None):
        self.group = group
        self.version = version            # preferred (storage) version
        self.versions = versions or [version]
        self.plural = plural
        self.kind = kind
        self.list_kind = list_kind or kind + "List"
        self.namespaced = namespaced
        self.singular = singular if singular is not None else kind.lower()
        self.short_names = list(short_names)
        self.categories = list(categories)
        self.verbs = list(verbs) if verbs is not None else list(ALL_VERBS)
        # {'status': {}, 'scale': {specReplicasPath, statusReplicasPath, labelSelectorPath}}
        self.subresources = subresources or {}
        self.columns = columns            # list of column dicts (with 'fn' or 'jsonPath')
        self.builtin = builtin
        # custom resources bump generation on every non-metadata change
        # (non-status change with a status subresource); built-ins only on spec
        self.has_generation = has_generation or not builtin
        self.field_selectors = tuple(field_selectors)
        self.key = plural + "." + group if group else plural

    @property
    def api_version(self):
        return self.group + "/" + self.version if self.group else self.version

    def group_resource(self):
        """The `configmaps` / `deployments.apps` form used in error messages."""
        return self.key

    def __repr__(self):
        return "<ResourceType %s>" % self.key


# -- Table columns -----------------------------------------------------------

def human_duration(seconds):
    """apimachinery duration.HumanDuration."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    s = int(seconds)
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60) if s % 60 else "%dm" % m
    if m < 180:
        return "%dm" % m
    h = s // 3600
    if h < 8:
        return "%dh%dm" % (h, m % 60) if m % 60 else "%dh" % h
    if h < 48:
        return "%dh" % h
    if h < 24 * 8:
        return "%dd%dh" % (h // 24, h % 24) if h % 24 else "%dd" % (h // 24)
    if h < 24 * 365 * 2:
        return "%dd" % (h // 24)
    if h < 24 * 365 * 8:
        y = h // (24 * 365)
        d = (h % (24 * 365)) // 24
        return "%dy%dd" % (y, d) if d else "%dy" % y
    return "%dy" % (h // (24 * 365))


def parse_time(ts):
    try:
        return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None


def _age(obj, now):
    t = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
    return "<unknown>" if t is None else human_duration(now - t)


def _path(obj, *keys, default=None):
    cur = obj
    for k in keys:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(k)
    return default if cur is None else cur


def _col(name, fn, type_="string", priority=0, fmt="", desc=""):
    return {"name": name, "type": type_, "format": fmt, "description": desc or name,
            "priority": priority, "fn": fn}


NAME_COL = _col("Name", lambda o, now: _path(o, "metadata", "name", default=""),
                fmt="name", desc="Name must be unique within a namespace.")
AGE_COL = _col("Age", _age, desc="CreationTimestamp is a timestamp representing the server "
               "time when this object was created.")


def _containers(o):
    return _path(o, "spec", "template", "spec", "containers", default=[])


def _pod_ready(o, now):
    cs = _path(o, "status", "containerStatuses", default=[])
    n = len(_path(o, "spec", "containers", default=[]))
    return "%d/%d" % (sum(1 for c in cs if c.get("ready")), n)


def _svc_ports(o, now):
    ports = _path(o, "spec", "ports", default=[])
    out = []
    for p in ports:
        s = "%s" % p.get("port")
        if p.get("nodePort"):
            s += ":%s" % p["nodePort"]
        out.append("%s/%s" % (s, p.get("protocol", "TCP")))
    return ",".join(out) or "<none>"


def _builtin_columns():
    c = {}
    c["namespaces"] = [NAME_COL, _col("Status", lambda o, n: _path(o, "status", "phase", default="")), AGE_COL]
    c["configmaps"] = [NAME_COL, _col("Data", lambda o, n: len(o.get("data") or {}) + len(o.get("binaryData") or {}), "integer"), AGE_COL]
    c["secrets"] = [NAME_COL, _col("Type", lambda o, n: o.get("type", "Opaque")),
                    _col("Data", lambda o, n: len(o.get("data") or {}) + len(o.get("stringData") or {}), "integer"), AGE_COL]
    c["serviceaccounts"] = [NAME_COL, _col("Secrets", lambda o, n: len(o.get("secrets") or []), "integer"), AGE_COL]
    c["services"] = [NAME_COL, _col("Type", lambda o, n: _path(o, "spec", "type", default="ClusterIP")),
                     _col("Cluster-IP", lambda o, n: _path(o, "spec", "clusterIP", default="<none>")),
                     _col("External-IP", lambda o, n: ",".join(_path(o, "spec", "externalIPs", default=[])) or "<none>"),
                     _col("Port(s)", _svc_ports), AGE_COL,
                     _col("Selector", lambda o, n: ",".join("%s=%s" % kv for kv in sorted((_path(o, "spec", "selector", default={})).items())) or "<none>", priority=1)]
    c["pods"] = [NAME_COL, _col("Ready", _pod_ready),
                 _col("Status", lambda o, n: _path(o, "status", "phase", default="Pending")),
                 _col("Restarts", lambda o, n: sum(cs.get("restartCount", 0) for cs in _path(o, "status", "containerStatuses", default=[])), "integer"),
                 AGE_COL,
                 _col("IP", lambda o, n: _path(o, "status", "podIP", default="<none>"), priority=1),
                 _col("Node", lambda o, n: _path(o, "spec", "nodeName", default="<none>"), priority=1)]
    c["deployments.apps"] = [
        NAME_COL,
        _col("Ready", lambda o, n: "%d/%d" % (_path(o, "status", "readyReplicas", default=0), _path(o, "spec", "replicas", default=1))),
        _col("Up-to-date", lambda o, n: _path(o, "status", "updatedReplicas", default=0), "integer"),
        _col("Available", lambda o, n: _path(o, "status", "availableReplicas", default=0), "integer"),
        AGE_COL,
        _col("Containers", lambda o, n: ",".join(x.get("name", "") for x in _containers(o)), priority=1),
        _col("Images", lambda o, n: ",".join(x.get("image", "") for x in _containers(o)), priority=1),
        _col("Selector", lambda o, n: label_selector_to_string(_path(o, "spec", "selector")) or "<none>", priority=1)]
    c["replicasets.apps"] = [
        NAME_COL,
        _col("Desired", lambda o, n: _path(o, "spec", "replicas", default=1), "integer"),
        _col("Current", lambda o, n: _path(o, "status", "replicas", default=0), "integer"),
        _col("Ready", lambda o, n: _path(o, "status", "readyReplicas", default=0), "integer"),
        AGE_COL]
    c["statefulsets.apps"] = [
        NAME_COL,
        _col("Ready", lambda o, n: "%d/%d" % (_path(o, "status", "readyReplicas", default=0), _path(o, "spec", "replicas", default=1))),
        AGE_COL]
    c["persistentvolumeclaims"] = [
        NAME_COL, _col("Status", lambda o, n: _path(o, "status", "phase", default="Pending")),
        _col("Volume", lambda o, n: _path(o, "spec", "volumeName", default="")),
        _col("Capacity", lambda o, n: _path(o, "status", "capacity", "storage", default="")),
        _col("Access Modes", lambda o, n: ",".join(_path(o, "status", "accessModes", default=[]))),
        _col("StorageClass", lambda o, n: _path(o, "spec", "storageClassName", default="<unset>")),
        AGE_COL]
    c["events"] = [
        _col("Last Seen", lambda o, n: human_duration(n - (parse_time(o.get("lastTimestamp") or _path(o, "metadata", "creationTimestamp")) or n))),
        _col("Type", lambda o, n: o.get("type", "")),
        _col("Reason", lambda o, n: o.get("reason", "")),
        _col("Object", lambda o, n: "%s/%s" % ((_path(o, "involvedObject", "kind", default="")).lower(), _path(o, "involvedObject", "name", default=""))),
        _col("Message", lambda o, n: o.get("message", ""))]
    c["customresourcedefinitions.apiextensions.k8s.io"] = [
        NAME_COL, _col("Created At", lambda o, n: _path(o, "metadata", "creationTimestamp", default=""), fmt="date")]
    c["clusterrolebindings.rbac.authorization.k8s.io"] = [
        NAME_COL, _col("Role", lambda o, n: "%s/%s" % (_path(o, "roleRef", "kind", default=""), _path(o, "roleRef", "name", default=""))), AGE_COL]
    c["rolebindings.rbac.authorization.k8s.io"] = list(c["clusterrolebindings.rbac.authorization.k8s.io"])
    c["clusterroles.rbac.authorization.k8s.io"] = [NAME_COL, _col("Created At", lambda o, n: _path(o, "metadata", "creationTimestamp", default=""), fmt="date")]
    c["roles.rbac.authorization.k8s.io"] = list(c["clusterroles.rbac.authorization.k8s.io"])
    c["validatingwebhookconfigurations.admissionregistration.k8s.io"] = [
        NAME_COL, _col("Webhooks", lambda o, n: len(o.get("webhooks") or []), "integer"), AGE_COL]
    return c


_BUILTIN_COLUMNS = _builtin_columns()


# -- JSONPath subset for additionalPrinterColumns -------------------------

_TOKEN_RE = re.compile(r"\.([A-Za-z0-9_\-$]+)|\[(\d+|\*)\]|\[\?\(@\.([A-Za-z0-9_.\-]+)\s*==\s*['\"]([^'\"]*)['\"]\)\]|\['([^']+)'\]")


def compile_jsonpath(expr):
    """'.status.conditions[?(@.type=="Ready")].status' -> list of steps."""
    e = expr.strip()
    if e.startswith("{") and e.endswith("}"):
        e = e[1:-1]
    if e.startswith("$"):
        e = e[1:]
    steps = []
    pos = 0
    while pos < len(e):
        m = _TOKEN_RE.match(e, pos)
        if not m:
            raise ValueError("unsupported JSONPath %r" % expr)
        if m.group(1) is not None:
            steps.append(("key", m.group(1)))
        elif m.group(2) is not None:
            steps.append(("idx", m.group(2)))
        elif m.group(3) is not None:
            steps.append(("filter", m.group(3), m.group(4)))
        else:
            steps.append(("key", m.group(5)))
        pos = m.end()
    return steps


def eval_jsonpath(steps, obj):
    cur = [obj]
    for st in steps:
        nxt = []
        for c in cur:
            if st[0] == "key":
                if isinstance(c, dict) and st[1] in c:
                    nxt.append(c[st[1]])
            elif st[0] == "idx":
                if isinstance(c, list):
                    if st[1] == "*":
                        nxt.extend(c)
                    elif int(st[1]) < len(c):
                        nxt.append(c[int(st[1])])
            else:
                if isinstance(c, list):
                    for item in c:
                        v = item
                        for k in st[1].split("."):
                            v = v.get(k) if isinstance(v, dict) else None
                        if v is not None and str(v) == st[2]:
                            nxt.append(item)
        cur = nxt
    return cur


def _crd_columns(printer_columns):
    cols = [NAME_COL]
    for pc in printer_columns:
        try:
            steps = compile_jsonpath(pc.get("jsonPath", ""))
        except ValueError:
            steps = None
        cols.append({"name": pc.get("name", ""), "type": pc.get("type", "string"),
                     "format": pc.get("format", ""), "description": pc.get("description", ""),
                     "priority": pc.get("priority", 0), "steps": steps})
    return cols


def _cell(col, obj, now):
    if "fn" in col:
        try:
            return col["fn"](obj, now)
        except Exception:
            return "<error>"
    if col.get("steps") is None:
        return None
    res = eval_jsonpath(col["steps"], obj)
    if not res or res[0] is None:
        return None
    v = res[0]
    t = col["type"]
    if t == "date":
        ts = parse_time(v) if isinstance(v, str) else None
        return "<invalid>" if ts is None else human_duration(now - ts)
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    if t == "integer" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v)
    if t == "string" and not isinstance(v, str):
        return json.dumps(v) if isinstance(v, bool) else str(v)
    return v


# -- built-in kinds ------------------------------------------------------------

def _builtins():
    B = ResourceType
    scale = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
             "labelSelectorPath": ".status.selector"}
    types = [
        B("", "v1", "namespaces", "Namespace", False, short_names=["ns"],
          verbs=["create", "delete", "get", "list", "patch", "update", "watch"],
          subresources={"status": {}}),
        B("", "v1", "configmaps", "ConfigMap", True, short_names=["cm"]),
        B("", "v1", "secrets", "Secret", True, field_selectors=["type"]),
        B("", "v1", "services", "Service", True, short_names=["svc"], categories=["all"],
          verbs=["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
          subresources={"status": {}}),
        B("", "v1", "serviceaccounts", "ServiceAccount", True, short_names=["sa"]),
        B("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, short_names=["pvc"],
          subresources={"status": {}}),
        B("", "v1", "events", "Event", True, short_names=["ev"],
          field_selectors=["involvedObject.kind", "involvedObject.name", "involvedObject.namespace",
                           "involvedObject.uid", "reason", "type", "source"]),
        B("", "v1", "pods", "Pod", True, short_names=["po"], categories=["all"],
          subresources={"status": {}}, field_selectors=["spec.nodeName", "status.phase"]),
        B("apps", "v1", "deployments", "Deployment", True, short_names=["deploy"],
          categories=["all"], subresources={"status": {}, "scale": scale}, has_generation=True),
        B("apps", "v1", "replicasets", "ReplicaSet", True, short_names=["rs"],
          categories=["all"], subresources={"status": {}, "scale": scale}, has_generation=True),
        B("apps", "v1", "statefulsets", "StatefulSet", True, short_names=["sts"],
          categories=["all"], subresources={"status": {}, "scale": scale}, has_generation=True),
        B("", "v1", "resourcequotas", "ResourceQuota", True, short_names=["quota"],
          subresources={"status": {}}),
        B("batch", "v1", "jobs", "Job", True, categories=["all"], subresources={"status": {}},
          has_generation=True),
        B("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, short_names=["pdb"],
          subresources={"status": {}}, has_generation=True),
        B("rbac.authorization.k8s.io", "v1", "roles", "Role", True),
        B("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
        B("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
        B("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
        B("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
          "ValidatingWebhookConfiguration", False, categories=["api-extensions"], has_generation=True),
        B("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", False,
          verbs=["create"]),
        B("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
          False, short_names=["crd", "crds"], categories=["api-extensions"],
          subresources={"status": {}}, has_generation=True),
    ]
    for t in types:
        t.columns = _BUILTIN_COLUMNS.get(t.key, [NAME_COL, AGE_COL])
    return types


# Group order of the real /apis answer, so `kubectl api-resources` reads familiar.
_GROUP_ORDER = ["", "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io",
                "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
                "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
                "admissionregistration.k8s.io", "apiextensions.k8s.io"]


class Registry:
    def __init__(self):
        self._lock = threading.Lock()
        self._by_key = {}
        self._crd_keys = {}        # crd name -> resource key
        for t in _builtins():
            self._by_key[t.key] = t
        self._rebuild()

    def _rebuild(self):
        by_gvk, by_path = {}, {}
        for t in self._by_key.values():
            for v in t.versions:
                gv = t.group + "/" + v if t.group else v
                by_gvk[(gv, t.kind)] = t
                by_path[(t.group, v, t.plural)] = t
        self._by_gvk, self._by_path = by_gvk, by_path

    # -- lookups ------------------------------------------------------------
    def get(self, key):
        return self._by_key.get(key)

    def all(self):
        return list(self._by_key.values())

    def by_gvk(self, api_version, kind):
        return self._by_gvk.get((api_version, kind))

    def by_path(self, group, version, plural):
        return self._by_path.get((group, version, plural))

    def group_versions(self):
        """{group: [versions]} in discovery order."""
        out = {}
        for t in self._by_key.values():
            for v in t.versions:
                vs = out.setdefault(t.group, [])
                if v not in vs:
                    vs.append(v)

        def order(g):
            return (_GROUP_ORDER.index(g) if g in _GROUP_ORDER else len(_GROUP_ORDER), g)
        return {g: out[g] for g in sorted(out, key=order)}

    # -- CRDs ---------------------------------------------------------------
    def load_crd_dir(self, path):
        crds = []
        for f in sorted(glob.glob(os.path.join(path, "*.yaml")) + glob.glob(os.path.join(path, "*.json"))):
            with open(f, encoding="utf-8") as fh:
                text = fh.read()
            docs = [json.loads(text)] if f.endswith(".json") else yamlmini.load_all(text)
            for d in docs:
                if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition":
                    self.add_crd(d)
                    crds.append(d)
        return crds

    def type_for_crd(self, crd):
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        served = [v for v in spec.get("versions") or [] if v.get("served", True)]
        if not served or not names.get("plural") or not names.get("kind"):
            return None
        storage = next((v for v in served if v.get("storage")), served[0])
        subs = storage.get("subresources") or {}
        cols = storage.get("additionalPrinterColumns")
        if cols is None:
            columns = [NAME_COL, AGE_COL]
        else:
            columns = _crd_columns(cols)
        return ResourceType(spec.get("group", ""), storage["name"], names["plural"], names["kind"],
                            spec.get("scope", "Namespaced") == "Namespaced",
                            singular=names.get("singular") or names["kind"].lower(),
                            short_names=names.get("shortNames") or [],
                            categories=names.get("categories") or [],
                            subresources={k: v or {} for k, v in subs.items() if k in ("status", "scale")},
                            columns=columns, builtin=False,
                            versions=[v["name"] for v in served],
                            list_kind=names.get("listKind"))

    def add_crd(self, crd):
        t = self.type_for_crd(crd)
        if t is None:
            return None
        with self._lock:
            old = self._by_key.get(t.key)
            if old is not None and old.builtin:
                return None
            self._by_key[t.key] = t
            self._crd_keys[(crd.get("metadata") or {}).get("name")] = t.key
            self._rebuild()
        return t

    def remove_crd(self, crd):
        with self._lock:
            key = self._crd_keys.pop((crd.get("metadata") or {}).get("name"), None)
            if key and key in self._by_key and not self._by_key[key].builtin:
                del self._by_key[key]
                self._rebuild()
            return key

    # -- discovery documents ---------------------------------------------
    def api_versions(self, address):
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}

    def _group_doc(self, group, versions):
        gvs = [{"groupVersion": group + "/" + v, "version": v} for v in versions]
        return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}

    def group_list(self):
        groups = [self._group_doc(g, vs) for g, vs in self.group_versions().items() if g]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def group(self, name):
        vs = self.group_versions().get(name)
        if not vs or not name:
            return None
        doc = self._group_doc(name, vs)
        doc.update({"kind": "APIGroup", "apiVersion": "v1"})
        return doc

    def resource_list(self, group, version):
        res = []
        for t in sorted(self._by_key.values(), key=lambda x: x.plural):
            if t.group != group or version not in t.versions:
                continue
            r = {"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
                 "kind": t.kind, "verbs": t.verbs}
            if t.short_names:
                r["shortNames"] = t.short_names
            if t.categories:
                r["categories"] = t.categories
            res.append(r)
            if "status" in t.subresources:
                res.append({"name": t.plural + "/status", "singularName": "", "namespaced": t.namespaced,
                            "kind": t.kind, "verbs": SUB_VERBS})
            if "scale" in t.subresources:
                res.append({"name": t.plural + "/scale", "singularName": "", "namespaced": t.namespaced,
                            "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": SUB_VERBS})
        if not res:
            return None
        gv = group + "/" + version if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res}

    def openapi_v3_root(self):
        paths = {}
        for g, vs in self.group_versions().items():
            for v in vs:
                p = "api/" + v if not g else "apis/%s/%s" % (g, v)
                paths[p] = {"serverRelativeURL": "/openapi/v3/" + p + "?hash=kubesim"}
        return {"paths": paths}

    def openapi_v3_gv(self, group, version):
        """Just enough OpenAPI v3 for kubectl to see that every kind accepts
        `fieldValidation` (so it validates on the server and does not need
        /openapi/v2)."""
        paths = {}
        for t in self._by_key.values():
            if t.group != group or version not in t.versions:
                continue
            gvk = {"group": group, "version": version, "kind": t.kind}
            base = "/api/" + version if not group else "/apis/%s/%s" % (group, version)
            path = base + ("/namespaces/{namespace}/" if t.namespaced else "/") + t.plural + "/{name}"
            params = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
                      for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
            paths[path] = {"patch": {"operationId": "patch" + t.kind, "parameters": params,
                                     "x-kubernetes-action": "patch",
                                     "x-kubernetes-group-version-kind": gvk,
                                     "responses": {"200": {"description": "OK"}}}}
        if not paths:
            return None
        return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "kubesim"},
                "paths": paths, "components": {"schemas": {}}}

    # -- tables -----------------------------------------------------------
    def table(self, t, objs, now, rv, wide=True, include_object="PartialObjectMetadata",
              headers=True, cont=None, remaining=None):
        cols = t.columns or [NAME_COL, AGE_COL]
        defs = [{"name": c["name"], "type": "string" if c["type"] == "date" else c["type"],
                 "format": c.get("format", ""), "description": c.get("description", ""),
                 "priority": c.get("priority", 0)} for c in cols] if headers else []
        rows = []
        for o in objs:
            row = {"cells": [_cell(c, o, now) for c in cols]}
            if include_object == "Object":
                row["object"] = o
            elif include_object != "None":
                row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                 "metadata": o.get("metadata", {})}
            rows.append(row)
        meta = {"resourceVersion": rv}
        if cont:
            meta["continue"] = cont
        if remaining:
            meta["remainingItemCount"] = remaining
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                "columnDefinitions": defs, "rows": rows}
