"""The simulated repo-server: Git repositories are plain directories.

A source {repoURL, path, targetRevision} names the directory
<repos>/<last segment of repoURL without .git>/<path>.  Every *.yaml, *.yml
and *.json file below it (recursively, in sorted order) holds manifests,
several YAML documents per file allowed; a `kind: List` is flattened.
targetRevision is ignored: each repository has one revision, a fake commit
SHA computed from the contents of every file in it, so that editing a file
is "pushing a commit".  Tests that change a repo copy the fixtures first.
"""

import hashlib
import json
import os
import sys

try:
    import yamlmini
except ImportError:  # imported as a package from elsewhere
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import yamlmini

from .common import deep

MANIFEST_EXT = ('.yaml', '.yml', '.json')


class RepoError(Exception):
    pass


def repo_name(repo_url):
    u = (repo_url or '').rstrip('/')
    name = u.rsplit('/', 1)[-1]
    if ':' in name and '/' not in u:   # scp-style git@host:repo
        name = name.rsplit(':', 1)[-1]
    if name.endswith('.git'):
        name = name[:-4]
    return name


def _walk(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith('.'))
        for f in filenames:
            if not f.startswith('.'):
                out.append(os.path.join(dirpath, f))
    return sorted(out, key=lambda p: os.path.relpath(p, root))


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def _revision_of(root, files, contents):
    h = hashlib.sha1()
    for p in files:
        h.update(os.path.relpath(p, root).encode() + b'\0')
        h.update(contents[p] if p in contents else _read(p))
        h.update(b'\0')
    return h.hexdigest()


def revision(repos_root, repo_url):
    """40-hex fake commit SHA of the whole repository."""
    root = os.path.join(repos_root, repo_name(repo_url))
    if not os.path.isdir(root):
        raise RepoError('repository not found')
    return _revision_of(root, _walk(root), {})


# path -> (file contents, parsed YAML documents): yamlmini is pure Python,
# and an app is rendered again on every event of every object it tracks;
# the file is still read each time, so an edit is seen at once.
_yaml_cache = {}


def _parse_yaml(path, data, text):
    hit = _yaml_cache.get(path)
    if hit is not None and hit[0] == data:
        return deep(hit[1])
    docs = yamlmini.load_all(text)
    if len(_yaml_cache) >= 1024:    # test runs make many short-lived repos
        _yaml_cache.clear()
    _yaml_cache[path] = (data, deep(docs))
    return docs


def _docs(path, data=None):
    if data is None:
        data = _read(path)
    # as open(path, encoding='utf-8').read() decodes: universal newlines
    text = data.decode('utf-8').replace('\r\n', '\n').replace('\r', '\n')
    try:
        if path.endswith('.json'):
            docs = [json.loads(text)] if text.strip() else []
        else:
            docs = _parse_yaml(path, data, text)
    except ValueError as e:
        raise RepoError('failed to unmarshal %s: %s' % (os.path.basename(path), e))
    out = []
    for d in docs:
        if d is None:
            continue
        if not isinstance(d, dict):
            raise RepoError('%s: manifest is not an object' % os.path.basename(path))
        if d.get('kind') == 'List' and isinstance(d.get('items'), list):
            out.extend(i for i in d['items'] if isinstance(i, dict))
        else:
            out.append(d)
    return out


def load_source(repos_root, source):
    """(manifests, revision) for one source; raises RepoError with a message
    modelled on the repo-server's."""
    url = source.get('repoURL', '')
    root = os.path.join(repos_root or '', repo_name(url))
    if not repos_root or not os.path.isdir(root):
        raise RepoError('rpc error: code = Unknown desc = repository not found: %s' % url)
    rel = (source.get('path') or '.').strip('/') or '.'
    path = os.path.normpath(os.path.join(root, rel))
    if not (path == root or path.startswith(root + os.sep)):
        raise RepoError('rpc error: code = Unknown desc = %s: app path is outside '
                        'the repository' % rel)
    if not os.path.isdir(path):
        raise RepoError('rpc error: code = Unknown desc = %s: app path does not exist'
                        % rel)
    objs = []
    files = _walk(path)
    contents = {}
    for p in files:
        if p.endswith(MANIFEST_EXT):
            contents[p] = _read(p)
            for d in _docs(p, contents[p]):
                if not d.get('kind') or not d.get('apiVersion'):
                    raise RepoError('rpc error: code = Unknown desc = %s: Object '
                                    "'Kind' is missing" % os.path.relpath(p, root))
                objs.append(d)
    if path != root:
        return objs, revision(repos_root, url)
    # the whole repository was just listed and its manifests read
    return objs, _revision_of(root, files, contents)


def app_sources(app, op_sync=None):
    """The sources to render: the operation's override, else the spec's."""
    spec = app.get('spec') or {}
    if op_sync:
        if op_sync.get('sources'):
            return list(op_sync['sources']), True
        if op_sync.get('source'):
            return [op_sync['source']], False
    if spec.get('sources'):
        return list(spec['sources']), True
    return ([spec['source']] if spec.get('source') else []), False


def load_app(repos_root, app, op_sync=None):
    """(manifests, revisions, multi) for all of an app's sources; raises
    RepoError prefixed as Argo CD's ComparisonError is."""
    sources, multi = app_sources(app, op_sync)
    objs = []
    revs = []
    for i, s in enumerate(sources):
        try:
            o, r = load_source(repos_root, s)
        except RepoError as e:
            raise RepoError('Failed to load target state: failed to generate '
                            'manifest for source %d of %d: %s'
                            % (i + 1, len(sources), e))
        objs.extend(o)
        revs.append(r)
    return objs, revs, multi
