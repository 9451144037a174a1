"""Label and field selectors, as kube-apiserver parses and applies them.

    parse_label_selector("a=b,c!=d,e in (x,y),!f")  -> LabelSelector
    label_selector_from_dict({"matchLabels": ..., "matchExpressions": ...})
    parse_field_selector("metadata.name=x", extra_fields) -> FieldSelector

A selector object is callable: LabelSelector(labels_dict) -> bool,
FieldSelector(obj) -> bool.  Parse errors raise SelectorError, which the
server turns into 400 BadRequest.  Semantics follow k8s.io/apimachinery
labels.Parse: `!=` and `notin` also match objects without the key; `in`,
`=`, `==` and `key` require it; `!key` requires its absence; `>`/`<` compare
integers.
"""

import re

__all__ = ["SelectorError", "LabelSelector", "FieldSelector",
           "parse_label_selector", "label_selector_from_dict",
           "parse_field_selector"]


class SelectorError(ValueError):
    pass


_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$")
_PREFIX_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _check_key(key):
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _PREFIX_RE.match(prefix)):
        raise SelectorError('unable to parse requirement: invalid label key "%s": prefix part '
                            'must be a lowercase RFC 1123 subdomain' % key)
    if not name or len(name) > 63 or not _NAME_RE.match(name):
        raise SelectorError('unable to parse requirement: invalid label key "%s": name part must '
                            "consist of alphanumeric characters, '-', '_' or '.', and must start "
                            "and end with an alphanumeric character" % key)


def _check_value(value):
    if len(value) > 63 or not _VALUE_RE.match(value):
        raise SelectorError('unable to parse requirement: invalid label value: "%s": a valid label '
                            "must be an empty string or consist of alphanumeric characters, '-', "
                            "'_' or '.', and must start and end with an alphanumeric character"
                            % value)


class LabelSelector:
    """A conjunction of (key, op, values) requirements."""

    def __init__(self, reqs=None, nothing=False):
        self.reqs = reqs or []
        self.nothing = nothing  # a selector that matches no object

    def empty(self):
        return not self.reqs and not self.nothing

    def __call__(self, labels):
        if self.nothing:
            return False
        labels = labels or {}
        for key, op, values in self.reqs:
            has = key in labels
            v = labels.get(key)
            if op == "exists":
                if not has:
                    return False
            elif op == "!":
                if has:
                    return False
            elif op == "in":
                if not has or v not in values:
                    return False
            elif op == "notin":
                if has and v in values:
                    return False
            elif op == "gt" or op == "lt":
                try:
                    n = int(v)
                except (TypeError, ValueError):
                    return False
                if op == "gt" and not n > values[0]:
                    return False
                if op == "lt" and not n < values[0]:
                    return False
        return True


def _split_top(s):
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


_SET_RE = re.compile(r"^\s*(\S+)\s+(in|notin)\s*\((.*)\)\s*$")
_OP_RE = re.compile(r"^\s*([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(.*?)\s*$")


def parse_label_selector(text):
    if text is None:
        return LabelSelector()
    text = text.strip()
    if not text:
        return LabelSelector()
    reqs = []
    for part in _split_top(text):
        part = part.strip()
        if not part:
            raise SelectorError("found '', expected: !, identifier, or 'end of string'")
        m = _SET_RE.match(part)
        if m:
            key, op, vals = m.group(1), m.group(2), m.group(3)
            _check_key(key)
            values = [v.strip() for v in vals.split(",")]
            for v in values:
                _check_value(v)
            reqs.append((key, op, set(values)))
            continue
        if part.startswith("!"):
            key = part[1:].strip()
            _check_key(key)
            reqs.append((key, "!", None))
            continue
        m = _OP_RE.match(part)
        if m:
            key, op, val = m.group(1), m.group(2), m.group(3)
            _check_key(key)
            if op in ("<", ">"):
                try:
                    n = int(val)
                except ValueError:
                    raise SelectorError("unable to parse requirement: for 'Gt', 'Lt' operators, "
                                        "the value must be an integer")
                reqs.append((key, "gt" if op == ">" else "lt", [n]))
                continue
            _check_value(val)
            reqs.append((key, "notin" if op == "!=" else "in", {val}))
            continue
        key = part
        if " " in key or "(" in key:
            raise SelectorError("unable to parse requirement: found '%s', expected: "
                                "'=', '!=', '==', 'in', notin'" % key.split()[-1])
        _check_key(key)
        reqs.append((key, "exists", None))
    return LabelSelector(reqs)


def label_selector_from_dict(sel):
    """metav1.LabelSelector -> LabelSelector.  None matches nothing (as a
    nil selector in a dependent object does); {} matches everything."""
    if sel is None:
        return LabelSelector(nothing=True)
    reqs = []
    for k, v in sorted((sel.get("matchLabels") or {}).items()):
        reqs.append((k, "in", {str(v)}))
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        key = e.get("key")
        vals = set(str(v) for v in (e.get("values") or []))
        if op == "In":
            reqs.append((key, "in", vals))
        elif op == "NotIn":
            reqs.append((key, "notin", vals))
        elif op == "Exists":
            reqs.append((key, "exists", None))
        elif op == "DoesNotExist":
            reqs.append((key, "!", None))
        else:
            raise SelectorError('"%s" is not a valid label selector operator' % op)
    return LabelSelector(reqs)


def label_selector_to_string(sel):
    """metav1.LabelSelector -> the string form kubectl shows (Scale.status.selector)."""
    if not sel:
        return ""
    parts = ["%s=%s" % (k, v) for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        vals = ",".join(sorted(e.get("values") or []))
        if op == "In":
            parts.append("%s in (%s)" % (e["key"], vals))
        elif op == "NotIn":
            parts.append("%s notin (%s)" % (e["key"], vals))
        elif op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append("!" + e["key"])
    return ",".join(parts)


def _lookup(obj, path):
    cur = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


class FieldSelector:
    def __init__(self, reqs=None):
        self.reqs = reqs or []

    def empty(self):
        return not self.reqs

    def name_equals(self):
        """The name when the selector pins metadata.name (used for watches)."""
        for f, op, v in self.reqs:
            if f == "metadata.name" and op == "=":
                return v
        return None

    def __call__(self, obj):
        for field, op, want in self.reqs:
            got = _lookup(obj, field)
            got = "" if got is None else (str(got).lower() if isinstance(got, bool) else str(got))
            if (got == want) != (op == "="):
                return False
        return True


BASE_FIELDS = ("metadata.name", "metadata.namespace")


def parse_field_selector(text, extra_fields=()):
    if text is None or not text.strip():
        return FieldSelector()
    reqs = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "!=" in part:
            field, val = part.split("!=", 1)
            op = "!="
        elif "==" in part:
            field, val = part.split("==", 1)
            op = "="
        elif "=" in part:
            field, val = part.split("=", 1)
            op = "="
        else:
            raise SelectorError("invalid selector: '%s'; can't understand '%s'" % (text, part))
        field = field.strip()
        if field not in BASE_FIELDS and field not in extra_fields:
            raise SelectorError('field label not supported: %s' % field)
        reqs.append((field, op, val.strip()))
    return FieldSelector(reqs)
