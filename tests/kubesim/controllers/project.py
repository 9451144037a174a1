"""AppProject restrictions as the application controller applies them
(argocd.md section 6.2): source repos, destinations, resource kinds."""

import re
import urllib.parse

from .globs import filepath_match, glob_match

IN_CLUSTER_SERVER = 'https://kubernetes.default.svc'
IN_CLUSTER_NAME = 'in-cluster'


def normalize_git_url(url):
    """git.NormalizeGitURL: lowercase, scp-style to ssh, no ssh://, no .git."""
    u = (url or '').strip().lower()
    m = re.match(r'^([\w.-]+@[\w.-]+):(?!//)(.*)$', u)
    if m:
        u = 'ssh://%s/%s' % (m.group(1), m.group(2))
    if u.startswith('ssh://'):
        u = u[len('ssh://'):]
    if u.endswith('.git'):
        u = u[:-4]
    try:
        p = urllib.parse.urlsplit(u)
        u = urllib.parse.urlunsplit(p)
    except ValueError:
        pass
    return u


def source_permitted(proj, repo_url):
    norm = normalize_git_url(repo_url)
    any_matched = False
    for pat in (proj.get('spec') or {}).get('sourceRepos') or []:
        neg = pat.startswith('!')
        p = normalize_git_url(pat[1:] if neg else pat)
        if neg:
            p = '!' + p
        if glob_match(p, norm, allow_negation=True, separators='/'):
            any_matched = True
        elif neg:
            return False
    return any_matched


def resolve_cluster(dest):
    """(server, name) of the destination cluster, or None when unknown: the
    simulator has exactly one cluster, the in-cluster one."""
    server = dest.get('server') or ''
    name = dest.get('name') or ''
    if server and server.rstrip('/') == IN_CLUSTER_SERVER:
        return IN_CLUSTER_SERVER, IN_CLUSTER_NAME
    if not server and name == IN_CLUSTER_NAME:
        return IN_CLUSTER_SERVER, IN_CLUSTER_NAME
    return None


def destination_permitted(proj, namespace, cluster=(IN_CLUSTER_SERVER, IN_CLUSTER_NAME)):
    server, cname = cluster
    ns = namespace or ''
    any_matched = False
    for d in (proj.get('spec') or {}).get('destinations') or []:
        ename = d.get('name') or ''
        eserver = d.get('server') or ''
        ens = d.get('namespace') or ''
        name_ok = bool(cname) and bool(ename) and glob_match(ename, cname, True)
        server_ok = bool(server) and bool(eserver) and glob_match(eserver, server, True)
        ns_ok = _empty_or_glob(ens, ns)
        if (server_ok or name_ok) and ns_ok:
            any_matched = True
        elif (not name_ok and ename.startswith('!')) or \
                (not server_ok and eserver.startswith('!') and ns_ok):
            return False
        elif not ns_ok and ens.startswith('!') and server_ok:
            return False
    return any_matched


def _empty_or_glob(pattern, value):
    if pattern == '':
        return value == ''
    return glob_match(pattern, value, allow_negation=True)


def _in_list(entries, group, kind, name=None):
    for e in entries or []:
        if not filepath_match(e.get('kind', ''), kind):
            continue
        if not filepath_match(e.get('group', ''), group):
            continue
        if name is not None and e.get('name') and not filepath_match(e['name'], name):
            continue
        return True
    return False


def resource_permitted(proj, group, kind, namespaced, name=''):
    spec = proj.get('spec') or {}
    if namespaced:
        wl = spec.get('namespaceResourceWhitelist')
        white = wl is None or (len(wl) > 0 and _in_list(wl, group, kind))
        bl = spec.get('namespaceResourceBlacklist') or []
        return white and not (bl and _in_list(bl, group, kind))
    wl = spec.get('clusterResourceWhitelist') or []
    white = len(wl) > 0 and _in_list(wl, group, kind, name)
    bl = spec.get('clusterResourceBlacklist') or []
    return white and not (bl and _in_list(bl, group, kind, name))


def app_namespace_permitted(proj, app_ns, control_ns):
    if not app_ns or app_ns == control_ns:
        return True
    for p in (proj.get('spec') or {}).get('sourceNamespaces') or []:
        if len(p) > 1 and p.startswith('/') and p.endswith('/'):
            try:
                if re.search(p[1:-1], app_ns):
                    return True
            except re.error:
                pass
        elif glob_match(p, app_ns):
            return True
    return False


def spec_conditions(proj, proj_name, app):
    """InvalidSpecError messages for an app against its project."""
    spec = app.get('spec') or {}
    if proj is None:
        return ['Application referencing project %s which does not exist' % proj_name]
    msgs = []
    sources = spec.get('sources') or ([spec['source']] if spec.get('source') else [])
    if not sources:
        msgs.append('spec.source or spec.sources must be specified')
    for s in sources:
        url = s.get('repoURL', '')
        if not source_permitted(proj, url):
            msgs.append("application repo %s is not permitted in project '%s'"
                        % (url, proj_name))
    dest = spec.get('destination') or {}
    cluster = resolve_cluster(dest)
    if cluster is None:
        if dest.get('server'):
            msgs.append('application destination {%s %s} is invalid: unable to '
                        'find destination server: there are no clusters with '
                        'this URL: %s' % (dest.get('server'), dest.get('namespace', ''),
                                          dest.get('server')))
        else:
            msgs.append('application destination {%s %s} is invalid: unable to '
                        'find destination server: there are no clusters with '
                        'this name: %s' % (dest.get('name', ''), dest.get('namespace', ''),
                                           dest.get('name', '')))
    elif not destination_permitted(proj, dest.get('namespace', ''), cluster):
        msgs.append("application destination server '%s' and namespace '%s' do "
                    "not match any of the allowed destinations in project '%s'"
                    % (dest.get('server') or cluster[0], dest.get('namespace', ''),
                       proj_name))
    return msgs
