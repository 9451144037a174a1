"""The three patch formats of the Kubernetes API.

    merge_patch(doc, patch)                 RFC 7386 JSON merge patch
    json_patch(doc, ops)                    RFC 6902 JSON patch
    strategic_merge_patch(doc, patch, kind) strategic merge patch (built-in kinds)

All return a new document and never modify their arguments.  Errors raise
PatchError(code, message): 400 for a malformed patch, 422 for a patch that
does not apply (a failing `test`, a missing path), as kube-apiserver answers.

The strategic merge patch knows the merge keys of the lists commonly
patched (containers, env, ports, volumes, volumeMounts, ...), the
`$patch: delete|replace|merge` directives, `$retainKeys`,
`$deleteFromPrimitiveList/<field>` and ignores `$setElementOrder/<field>`.
A list without a known merge key is replaced, as for atomic lists.
"""

import copy

__all__ = ["PatchError", "merge_patch", "json_patch", "strategic_merge_patch"]


class PatchError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def merge_patch(doc, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            out[k] = merge_patch(out.get(k), v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# -- JSON patch -----------------------------------------------------------

def _pointer(path):
    if not isinstance(path, str):
        raise PatchError(400, "invalid JSON pointer %r" % (path,))
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(422, 'JSON pointer must be empty or start with a "/": %s' % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container, token, path, allow_end=False):
    if token == "-" and allow_end:
        return len(container)
    try:
        if token != str(int(token)) or int(token) < 0:
            raise ValueError
        i = int(token)
    except ValueError:
        raise PatchError(422, "invalid array index %r in %s" % (token, path))
    limit = len(container) + (1 if allow_end else 0)
    if i >= limit:
        raise PatchError(422, "array index %d out of bounds in %s" % (i, path))
    return i


def _parent(doc, tokens, path):
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict):
            if t not in cur:
                raise PatchError(422, "doc is missing path: %s: missing value" % path)
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, path)]
        else:
            raise PatchError(422, "doc is missing path: %s: missing value" % path)
    return cur


def _get(doc, tokens, path):
    if not tokens:
        return doc
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(422, "doc is missing path: %s: missing value" % path)
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, path)]
    raise PatchError(422, "doc is missing path: %s: missing value" % path)


def _add(doc, tokens, value, path):
    if not tokens:
        return value
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, path, allow_end=True), value)
    else:
        raise PatchError(422, "doc is missing path: %s: missing value" % path)
    return doc


def _remove(doc, tokens, path):
    if not tokens:
        raise PatchError(422, "unable to remove the whole document")
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(422, "Unable to remove nonexistent key: %s: missing value" % last)
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, path))
    raise PatchError(422, "doc is missing path: %s: missing value" % path)


def json_patch(doc, ops):
    if not isinstance(ops, list):
        raise PatchError(400, "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError(400, "invalid JSON patch operation %r" % (op,))
        kind = op["op"]
        path = op.get("path")
        if path is None:
            raise PatchError(400, "operation %s is missing path" % kind)
        tokens = _pointer(path)
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(400, "operation %s at %s is missing value" % (kind, path))
        if kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(op["value"]), path)
        elif kind == "remove":
            _remove(doc, tokens, path)
        elif kind == "replace":
            if not tokens:
                doc = copy.deepcopy(op["value"])
                continue
            _get(doc, tokens, path)
            parent = _parent(doc, tokens, path)
            if isinstance(parent, dict):
                parent[tokens[-1]] = copy.deepcopy(op["value"])
            else:
                parent[_index(parent, tokens[-1], path)] = copy.deepcopy(op["value"])
        elif kind in ("move", "copy"):
            src = op.get("from")
            if src is None:
                raise PatchError(400, "operation %s is missing from" % kind)
            ftokens = _pointer(src)
            if kind == "move":
                value = _remove(doc, ftokens, src)
            else:
                value = copy.deepcopy(_get(doc, ftokens, src))
            doc = _add(doc, tokens, value, path)
        elif kind == "test":
            try:
                got = _get(doc, tokens, path)
            except PatchError:
                got = _MISSING
            if got is _MISSING or not _json_equal(got, op["value"]):
                raise PatchError(422, "testing value %s failed: test failed" % path)
        else:
            raise PatchError(400, "Unexpected kind: %s" % kind)
    return doc


_MISSING = object()


def _json_equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


# -- strategic merge patch ------------------------------------------------

# list field name -> merge key (k8s.io/api struct tags, patchStrategy=merge)
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "ownerReferences": "uid",
    "conditions": "type",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
}
# lists of scalars merged as sets
_PRIMITIVE_MERGE = {"finalizers"}


def _merge_key_for(field, kind, parent_field):
    if field == "ports":
        return "port" if kind == "Service" else "containerPort"
    if field == "conditions" and parent_field != "status":
        return None
    return _MERGE_KEYS.get(field)


def strategic_merge_patch(doc, patch, kind):
    if not isinstance(patch, dict):
        raise PatchError(400, "strategic merge patch must be a JSON object")
    return _smp_map(copy.deepcopy(doc) if isinstance(doc, dict) else {}, patch, kind, None)


def _smp_map(orig, patch, kind, parent_field):
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise PatchError(400, "unknown patch type: %s in map: %r" % (directive, patch))
    out = dict(orig)
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys"):
            continue
        if k.startswith("$setElementOrder/"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(out.get(field), list):
                drop = v or []
                out[field] = [x for x in out[field] if x not in drop]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            cur = out.get(k)
            merged = _smp_map(cur if isinstance(cur, dict) else {}, v, kind, k)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list):
            out[k] = _smp_list(out.get(k), v, kind, k, parent_field)
        else:
            out[k] = copy.deepcopy(v)
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _smp_list(orig, patch, kind, field, parent_field):
    orig = orig if isinstance(orig, list) else []
    if field in _PRIMITIVE_MERGE:
        out = list(orig)
        for x in patch:
            if x not in out:
                out.append(x)
        return out
    key = _merge_key_for(field, kind, parent_field)
    if key is None:
        for item in patch:
            if isinstance(item, dict) and item.get("$patch") == "replace":
                return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
        return copy.deepcopy([i for i in patch if not (isinstance(i, dict) and "$patch" in i)])
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    out = [copy.deepcopy(i) for i in orig]
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(400, "expected a map in list %s, got %r" % (field, item))
        if key not in item:
            raise PatchError(400, "map: %r does not contain declared merge key: %s" % (item, key))
        pos = next((i for i, o in enumerate(out) if isinstance(o, dict) and o.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if pos is not None:
                out.pop(pos)
            continue
        if pos is None:
            out.append(_smp_map({}, item, kind, field))
        else:
            out[pos] = _smp_map(out[pos], item, kind, field)
    return out
