"""A small, safe YAML reader for the subset Kubernetes manifests use.

Handles block mappings and sequences (including sequences at the same
indentation as their parent key), plain/single/double-quoted scalars
(multi-line plain scalars are folded as YAML does), `|` and `>` block
scalars with chomping and indentation indicators, flow `[...]` and `{...}`
collections (possibly spread over lines), comments, and `---` / `...`
document markers.  Scalars are resolved like go-yaml v2 (YAML 1.1, which is
what sigs.k8s.io/yaml uses): null/~, true/false/yes/no/on/off, ints
(decimal, 0x, 0o), floats, everything else a string.

Not supported (raises YamlError): anchors and aliases, tags other than the
standard `!!str`/`!!int`/... ones (which are ignored), complex keys.
No object is ever constructed from a tag, so untrusted input is safe.

    load_all(text) -> list of documents (empty documents are dropped)
    load(text)     -> the single document (None when empty)
"""

import re

__all__ = ["YamlError", "load", "load_all"]


class YamlError(ValueError):
    pass


_INT_RE = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")
_HEX_RE = re.compile(r"0x[0-9a-fA-F_]+$")
_OCT_RE = re.compile(r"0o?[0-7_]+$")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}
_NULL = {"", "~", "null", "Null", "NULL"}


def _resolve(s):
    """Type a plain scalar the way YAML 1.1 does."""
    if s in _NULL:
        return None
    c = s[0]
    if c.isalpha() and c not in "nNtTfFyYoO.":
        return s
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    if c.isdigit() or c in "-+.":
        if _INT_RE.match(s):
            return int(s.replace("_", ""))
        if _HEX_RE.match(s):
            return int(s[2:].replace("_", ""), 16)
        if len(s) > 1 and _OCT_RE.match(s):
            return int(s.lstrip("0o").replace("_", "") or "0", 8)
        if _FLOAT_RE.match(s) and any(ch.isdigit() for ch in s):
            return float(s.replace("_", ""))
        low = s.lower()
        if low in (".inf", "+.inf"):
            return float("inf")
        if low == "-.inf":
            return float("-inf")
        if low == ".nan":
            return float("nan")
    return s


_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
    "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"',
    "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}


def _unescape_double(body):
    if "\\" not in body:
        return body
    out = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            raise YamlError("bad escape at end of double-quoted string")
        e = body[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            hexs = body[i + 2:i + 2 + width]
            try:
                out.append(chr(int(hexs, 16)))
            except ValueError:
                raise YamlError("bad escape \\%s%s" % (e, hexs))
            i += 2 + width
        else:
            raise YamlError("unknown escape \\%s" % e)
    return "".join(out)


def _fold_lines(parts):
    """Join the physical lines of a multi-line flow scalar: a single line
    break becomes a space, each empty line a newline."""
    out = ""
    pending_newlines = 0
    first = True
    for p in parts:
        if p == "":
            pending_newlines += 1
            continue
        if first:
            out = p
            first = False
        elif pending_newlines:
            out += "\n" * pending_newlines + p
        else:
            out += " " + p
        pending_newlines = 0
    if pending_newlines and not first:
        out += "\n" * pending_newlines
    return out


class _FlowParser:
    """Recursive descent over one flow collection or quoted scalar."""

    def __init__(self, text):
        self.s = text
        self.i = 0

    def ws(self):
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c in " \t\n\r":
                self.i += 1
            elif c == "#" and (self.i == 0 or s[self.i - 1] in " \t\n"):
                while self.i < n and s[self.i] != "\n":
                    self.i += 1
            else:
                break

    def value(self):
        self.ws()
        if self.i >= len(self.s):
            raise YamlError("unexpected end of flow collection")
        c = self.s[self.i]
        if c == "[":
            return self.seq()
        if c == "{":
            return self.map()
        if c == '"':
            return self.dquoted()
        if c == "'":
            return self.squoted()
        return self.plain()

    def seq(self):
        self.i += 1
        out = []
        while True:
            self.ws()
            if self.i >= len(self.s):
                raise YamlError("unterminated flow sequence")
            if self.s[self.i] == "]":
                self.i += 1
                return out
            item = self.value()
            self.ws()
            if self.i < len(self.s) and self.s[self.i] == ":":
                # single-pair mapping inside a sequence: [a: 1]
                self.i += 1
                item = {_key(item): self.value()}
                self.ws()
            out.append(item)
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
            elif self.i < len(self.s) and self.s[self.i] != "]":
                raise YamlError("expected , or ] in flow sequence")

    def map(self):
        self.i += 1
        out = {}
        while True:
            self.ws()
            if self.i >= len(self.s):
                raise YamlError("unterminated flow mapping")
            if self.s[self.i] == "}":
                self.i += 1
                return out
            k = self.value()
            self.ws()
            v = None
            if self.i < len(self.s) and self.s[self.i] == ":":
                self.i += 1
                self.ws()
                if self.i < len(self.s) and self.s[self.i] not in ",}":
                    v = self.value()
            out[_key(k)] = v
            self.ws()
            if self.i < len(self.s) and self.s[self.i] == ",":
                self.i += 1
            elif self.i < len(self.s) and self.s[self.i] != "}":
                raise YamlError("expected , or } in flow mapping")

    def dquoted(self):
        s = self.s
        j = self.i + 1
        n = len(s)
        while j < n:
            if s[j] == "\\":
                j += 2
                continue
            if s[j] == '"':
                break
            j += 1
        if j >= n:
            raise YamlError("unterminated double-quoted string")
        body = s[self.i + 1:j]
        self.i = j + 1
        if "\n" in body:
            body = _fold_quoted(body, True)
        return _unescape_double(body)

    def squoted(self):
        s = self.s
        j = self.i + 1
        n = len(s)
        while j < n:
            if s[j] == "'":
                if j + 1 < n and s[j + 1] == "'":
                    j += 2
                    continue
                break
            j += 1
        if j >= n:
            raise YamlError("unterminated single-quoted string")
        body = s[self.i + 1:j]
        self.i = j + 1
        if "\n" in body:
            body = _fold_quoted(body, False)
        return body.replace("''", "'")

    def plain(self):
        s = self.s
        j = self.i
        n = len(s)
        while j < n:
            c = s[j]
            if c in ",[]{}":
                break
            if c == ":" and (j + 1 >= n or s[j + 1] in " ,[]{}\n"):
                break
            if c == "#" and j > 0 and s[j - 1] in " \t":
                break
            j += 1
        text = " ".join(p.strip() for p in s[self.i:j].split("\n")).strip()
        self.i = j
        return _resolve(text)


def _fold_quoted(body, double):
    lines = body.split("\n")
    parts = [lines[0].rstrip(" \t")]
    for ln in lines[1:-1]:
        parts.append(ln.strip(" \t"))
    parts.append(lines[-1].lstrip(" \t"))
    if double:
        # an escaped line break joins lines without a space
        out = parts[0]
        for p in parts[1:]:
            if out.endswith("\\") and not out.endswith("\\\\"):
                out = out[:-1] + p
            elif p == "":
                out += "\n"
            elif out.endswith("\n") or out == "":
                out += p
            else:
                out += " " + p
        return out
    return _fold_lines(parts)


def _key(k):
    if isinstance(k, (dict, list)):
        raise YamlError("complex mapping keys are not supported")
    if k is None:
        return "null" if k is None else k
    if isinstance(k, bool):
        return "true" if k else "false"
    return str(k) if not isinstance(k, str) else k


def _strip_comment(text):
    """Remove a trailing ` # comment` from a plain scalar."""
    if "#" not in text:
        return text
    if text.startswith("#"):
        return ""
    idx = text.find(" #")
    if idx < 0:
        idx = text.find("\t#")
    return text[:idx].rstrip() if idx >= 0 else text


def _find_colon(text):
    """Index of the `:` that separates a block mapping key from its value,
    or -1.  The key may be quoted."""
    c = text[0]
    if c == '"' or c == "'":
        j = 1
        n = len(text)
        while j < n:
            if c == '"' and text[j] == "\\":
                j += 2
                continue
            if text[j] == c:
                if c == "'" and j + 1 < n and text[j + 1] == "'":
                    j += 2
                    continue
                break
            j += 1
        rest = text[j + 1:].lstrip()
        if rest.startswith(":") and (len(rest) == 1 or rest[1] in " \t"):
            return j + 1 + text[j + 1:].index(":")
        return -1
    if c in "[{":
        return -1
    idx = text.find(": ")
    hashpos = text.find(" #")
    if idx >= 0 and (hashpos < 0 or idx < hashpos):
        return idx
    if text.endswith(":"):
        return len(text) - 1
    if hashpos >= 0:
        head = text[:hashpos].rstrip()
        if head.endswith(":"):
            return len(head) - 1
    idx = text.find(":\t")
    return idx


class _BlockParser:
    def __init__(self, lines):
        # each entry: [indent, text] for content lines; raw kept for block scalars
        self.raw = lines
        self.n = len(lines)
        self.pos = 0

    # -- line navigation -------------------------------------------------
    def _skip_blank(self):
        raw = self.raw
        while self.pos < self.n:
            ln = raw[self.pos]
            st = ln.lstrip(" ")
            if st == "" or st[0] == "#" or st.strip() == "":
                self.pos += 1
                continue
            return
        return

    def _peek(self):
        """(indent, text) of the next content line or None."""
        self._skip_blank()
        if self.pos >= self.n:
            return None
        ln = self.raw[self.pos]
        st = ln.lstrip(" ")
        return len(ln) - len(st), st.rstrip()

    # -- nodes -----------------------------------------------------------
    def parse_document(self):
        p = self._peek()
        if p is None:
            return None
        node = self.parse_node(p[0], p[1])
        p = self._peek()
        if p is not None:
            raise YamlError("unexpected content at line %d: %r" % (self.pos + 1, p[1][:40]))
        return node

    def parse_node(self, indent, text):
        if text == "-" or text.startswith("- ") or text.startswith("-\t"):
            return self.parse_seq(indent)
        if _find_colon(text) >= 0:
            return self.parse_map(indent)
        # a bare scalar document or value on its own lines
        self.pos += 1
        return self.scalar_value(text, indent - 1)

    def parse_seq(self, indent):
        out = []
        while True:
            p = self._peek()
            if p is None or p[0] != indent:
                break
            text = p[1]
            if not (text == "-" or text.startswith("- ") or text.startswith("-\t")):
                break
            rest = text[1:].lstrip(" \t")
            if rest == "" or rest.startswith("#"):
                self.pos += 1
                nxt = self._peek()
                if nxt is None or nxt[0] <= indent:
                    out.append(None)
                else:
                    out.append(self.parse_node(nxt[0], nxt[1]))
                continue
            inner = indent + (len(text) - len(rest))
            if rest == "-" or rest.startswith("- ") or _is_block_key(rest):
                # nested block node starting on the dash line: re-read the
                # line as if it began at the content's column
                self.raw[self.pos] = " " * inner + rest
                out.append(self.parse_node(inner, rest))
                continue
            self.pos += 1
            out.append(self.scalar_value(rest, indent))
        return out

    def parse_map(self, indent):
        out = {}
        while True:
            p = self._peek()
            if p is None or p[0] != indent:
                break
            text = p[1]
            if text.startswith("- ") or text == "-":
                break
            ci = _find_colon(text)
            if ci < 0:
                raise YamlError("expected a mapping key at line %d: %r" % (self.pos + 1, text[:60]))
            kt = text[:ci].rstrip()
            if kt.startswith("? "):
                raise YamlError("complex mapping keys are not supported")
            if kt[:1] in ('"', "'"):
                key = _FlowParser(kt).value()
                key = _key(key)
            else:
                key = kt
                if key == "<<":
                    raise YamlError("merge keys are not supported")
            rest = text[ci + 1:].lstrip(" \t")
            self.pos += 1
            if rest == "" or rest.startswith("#"):
                nxt = self._peek()
                if nxt is None:
                    out[key] = None
                elif nxt[0] > indent:
                    out[key] = self.parse_node(nxt[0], nxt[1])
                elif nxt[0] == indent and (nxt[1] == "-" or nxt[1].startswith("- ")):
                    out[key] = self.parse_seq(indent)
                else:
                    out[key] = None
            else:
                out[key] = self.scalar_value(rest, indent)
        return out

    def scalar_value(self, rest, indent):
        """The value text that followed `key:` or `- ` on the current line
        (already consumed); continuation lines are those indented more than
        `indent`."""
        c = rest[0]
        if c == "&" or c == "*":
            raise YamlError("anchors and aliases are not supported (line %d)" % self.pos)
        if c == "!":
            tag, _, rest = rest.partition(" ")
            if not tag.startswith("!!"):
                raise YamlError("tag %s is not supported" % tag)
            rest = rest.lstrip()
            if rest == "":
                nxt = self._peek()
                if nxt is not None and nxt[0] > indent:
                    return self.parse_node(nxt[0], nxt[1])
                return "" if tag == "!!str" else None
            v = self.scalar_value(rest, indent)
            if tag == "!!str" and not isinstance(v, str):
                return rest
            return v
        if c == "|" or c == ">":
            return self.block_scalar(rest, indent)
        if c == '"' or c == "'" or c == "[" or c == "{":
            text = rest
            while True:
                try:
                    fp = _FlowParser(text)
                    v = fp.value()
                    fp.ws()
                    if fp.i != len(fp.s):
                        raise YamlError("trailing characters after %r" % rest[:40])
                    return v
                except YamlError as e:
                    if "unterminated" not in str(e) and "unexpected end" not in str(e):
                        raise
                    if self.pos >= self.n:
                        raise
                    text += "\n" + self.raw[self.pos]
                    self.pos += 1
        value = _strip_comment(rest)
        # multi-line plain scalar: fold continuation lines
        parts = None
        while self.pos < self.n:
            ln = self.raw[self.pos]
            st = ln.lstrip(" ")
            if st.strip() == "":
                if parts is None:
                    parts = [value]
                parts.append("")
                self.pos += 1
                continue
            ind = len(ln) - len(st)
            if ind <= indent or st.startswith("#"):
                break
            if _find_colon(st.rstrip()) >= 0 and st[0] not in "\"'[{":
                raise YamlError("mapping values are not allowed here (line %d)" % (self.pos + 1))
            if parts is None:
                parts = [value]
            parts.append(_strip_comment(st.rstrip()))
            self.pos += 1
        if parts is not None:
            while parts and parts[-1] == "":
                parts.pop()
            if len(parts) > 1:
                return _fold_lines(parts)
        return _resolve(value)

    def block_scalar(self, header, indent):
        header = _strip_comment(header)
        style = header[0]
        chomp = "clip"
        explicit = 0
        for ch in header[1:]:
            if ch == "-":
                chomp = "strip"
            elif ch == "+":
                chomp = "keep"
            elif ch.isdigit():
                explicit = int(ch)
            elif ch in " \t":
                continue
            else:
                raise YamlError("bad block scalar header %r" % header)
        lines = []
        block_indent = indent + explicit if explicit else None
        raw = self.raw
        while self.pos < self.n:
            ln = raw[self.pos]
            st = ln.lstrip(" ")
            if st.strip() == "":
                lines.append(ln)
                self.pos += 1
                continue
            ind = len(ln) - len(st)
            if block_indent is None:
                if ind <= indent:
                    break
                block_indent = ind
            if ind < block_indent:
                break
            lines.append(ln)
            self.pos += 1
        if block_indent is None:
            block_indent = indent + 1
        body = [ln[block_indent:] if ln.strip() != "" else "" for ln in lines]
        # trailing blank lines: kept only with "+"
        trailing = 0
        while body and body[-1] == "":
            body.pop()
            trailing += 1
        if style == "|":
            text = "\n".join(body)
        else:
            text = ""
            prev_more = False
            for i, b in enumerate(body):
                more = b.startswith(" ") or b.startswith("\t")
                if i == 0:
                    text = b
                elif b == "":
                    text += "\n"
                elif more or prev_more or text.endswith("\n"):
                    if not text.endswith("\n") or more or prev_more:
                        text += "\n"
                    text += b
                else:
                    text += " " + b
                if b != "":
                    prev_more = more
        if not body:
            return "" if chomp != "keep" else "\n" * trailing
        if chomp == "strip":
            return text
        if chomp == "keep":
            return text + "\n" + "\n" * trailing
        return text + "\n"


def _is_block_key(text):
    c = text[0]
    if c in "[{":
        return False
    if c in "\"'":
        return _find_colon(text) >= 0
    if c in "|>":
        return False
    return _find_colon(text) >= 0


def _split_documents(text):
    docs = []
    cur = []
    for ln in text.split("\n"):
        if ln.startswith("---") and (len(ln) == 3 or ln[3] in " \t"):
            docs.append(cur)
            rest = ln[3:].strip()
            cur = [rest] if rest and not rest.startswith("#") else []
            continue
        if ln.startswith("...") and ln[3:].strip() == "":
            docs.append(cur)
            cur = []
            continue
        if ln.startswith("%") and not cur:
            continue  # directive
        cur.append(ln.rstrip("\r"))
    docs.append(cur)
    return docs


def load_all(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\t" in text:
        # tabs are only legal inside scalars; expand none, but refuse tab indentation
        for ln in text.split("\n"):
            if ln.startswith("\t"):
                raise YamlError("tabs are not allowed as indentation")
    out = []
    for lines in _split_documents(text):
        doc = _BlockParser(lines).parse_document()
        if doc is not None:
            out.append(doc)
    return out


def load(text):
    docs = load_all(text)
    if not docs:
        return None
    if len(docs) > 1:
        raise YamlError("expected one document, found %d" % len(docs))
    return docs[0]
