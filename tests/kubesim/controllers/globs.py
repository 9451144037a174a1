"""The two glob dialects Argo CD uses, as regular expressions.

gobwas/glob (sync windows, sourceRepos, destinations): `*` any run of
non-separator characters, `**` any run, `?` one non-separator character,
`[abc]` `[a-z]` `[!abc]`, `{a,b}` alternatives, `\\` escapes.
Go path/filepath.Match (resource whitelists): `*` and `?` never match `/`,
classes negate with `^`.  A malformed pattern matches nothing in both.
"""

import functools
import re


class _Bad(Exception):
    pass


def _class(p, i, neg_chars):
    # p[i] == '['
    i += 1
    neg = False
    if i < len(p) and p[i] in neg_chars:
        neg = True
        i += 1
    items = []
    while i < len(p) and p[i] != ']':
        c = p[i]
        if c == '\\':
            i += 1
            if i >= len(p):
                raise _Bad()
            c = p[i]
        if i + 2 < len(p) and p[i + 1] == '-' and p[i + 2] != ']':
            hi = p[i + 2]
            if hi == '\\':
                if i + 3 >= len(p):
                    raise _Bad()
                hi = p[i + 3]
                i += 1
            if hi < c:
                raise _Bad()
            items.append(re.escape(c) + '-' + re.escape(hi))
            i += 3
        else:
            items.append(re.escape(c))
            i += 1
    if i >= len(p) or not items:
        raise _Bad()
    return ('[^' if neg else '[') + ''.join(items) + ']', i + 1


def _gobwas(p, i, seps, stop):
    out = []
    notsep = '[^%s]' % re.escape(seps) if seps else '.'
    while i < len(p):
        c = p[i]
        if c in stop:
            return ''.join(out), i
        if c == '\\':
            if i + 1 >= len(p):
                raise _Bad()
            out.append(re.escape(p[i + 1]))
            i += 2
        elif c == '*':
            if p.startswith('**', i):
                out.append('.*')
                i += 2
            else:
                out.append(notsep + '*')
                i += 1
        elif c == '?':
            out.append(notsep)
            i += 1
        elif c == '[':
            s, i = _class(p, i, '!')
            out.append(s)
        elif c == '{':
            alts = []
            i += 1
            while True:
                s, i = _gobwas(p, i, seps, ',}')
                alts.append(s)
                if i >= len(p):
                    raise _Bad()
                if p[i] == '}':
                    i += 1
                    break
                i += 1
            out.append('(?:' + '|'.join(alts) + ')')
        else:
            out.append(re.escape(c))
            i += 1
    if stop:
        raise _Bad()
    return ''.join(out), i


@functools.lru_cache(maxsize=512)
def _gobwas_re(pattern, seps):
    try:
        s, _ = _gobwas(pattern, 0, seps, '')
    except _Bad:
        return None
    return re.compile('(?s)' + s + r'\Z')


def gobwas_match(pattern, value, separators=''):
    r = _gobwas_re(pattern, separators)
    return bool(r and r.match(value))


def glob_match(pattern, value, allow_negation=False, separators=''):
    """Argo CD's globMatch (app_project_types.go)."""
    if allow_negation and pattern.startswith('!'):
        return not gobwas_match(pattern[1:], value, separators)
    if pattern == '*':
        return True
    return gobwas_match(pattern, value, separators)


@functools.lru_cache(maxsize=512)
def _filepath_re(pattern):
    out = []
    i = 0
    p = pattern
    try:
        while i < len(p):
            c = p[i]
            if c == '\\':
                if i + 1 >= len(p):
                    raise _Bad()
                out.append(re.escape(p[i + 1]))
                i += 2
            elif c == '*':
                out.append('[^/]*')
                i += 1
            elif c == '?':
                out.append('[^/]')
                i += 1
            elif c == '[':
                s, i = _class(p, i, '^')
                out.append(s)
            else:
                out.append(re.escape(c))
                i += 1
    except _Bad:
        return None
    return re.compile('(?s)' + ''.join(out) + r'\Z')


def filepath_match(pattern, value):
    r = _filepath_re(pattern)
    return bool(r and r.match(value))
