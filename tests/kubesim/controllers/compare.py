"""Desired-versus-live comparison of one Application (controller/state.go in
miniature): renders the sources, finds the live objects the app tracks,
diffs them, and summarises sync status, health and status.resources."""

import json

from . import health as H
from . import project as P
from . import repo
from .common import (annotations, deep, dig, group_version, labels, obj_key)
from .kinds import COMMON_RESOURCES

TRACKING_ANN = 'argocd.argoproj.io/tracking-id'
INSTANCE_LABEL = 'app.kubernetes.io/instance'
SYNC_WAVE_ANN = 'argocd.argoproj.io/sync-wave'
HELM_WEIGHT_ANN = 'helm.sh/hook-weight'
SYNC_OPTIONS_ANN = 'argocd.argoproj.io/sync-options'
HOOK_ANN = 'argocd.argoproj.io/hook'
HELM_HOOK_ANN = 'helm.sh/hook'
IGNORE_HEALTH_ANN = 'argocd.argoproj.io/ignore-healthcheck'
LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
APPS = 'applications.argoproj.io'
PROJECTS = 'appprojects.argoproj.io'

HOOK_TYPES = ('PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip', 'PreDelete', 'PostDelete')


def instance_name(app, control_ns):
    m = app['metadata']
    if m.get('namespace') and m['namespace'] != control_ns:
        return '%s_%s' % (m['namespace'], m['name'])
    return m['name']


def parse_instance(inst, control_ns):
    if '_' in inst:
        ns, name = inst.split('_', 1)
        return ns, name
    return control_ns, inst


def tracking_value(inst, key, dest_ns):
    g, kind, ns, name = key
    return '%s:%s/%s:%s/%s' % (inst, g, kind, ns or dest_ns or '', name)


def tracked_instance(obj, method):
    """The app instance an object is tracked by, or None."""
    if method == 'label':
        return labels(obj).get(INSTANCE_LABEL) or None
    v = annotations(obj).get(TRACKING_ANN)
    if not v:
        return None
    parts = v.split(':')
    if len(parts) != 3:
        return None
    gk, nn = parts[1].split('/'), parts[2].split('/')
    if len(gk) != 2 or len(nn) != 2:
        return None
    g, kind, ns, name = obj_key(obj)
    if gk[0] != g or gk[1] != kind or nn[1] != name or (ns and nn[0] != ns):
        return None
    return parts[0]


def sync_options(obj):
    v = annotations(obj).get(SYNC_OPTIONS_ANN) or ''
    return [o.strip() for o in v.split(',') if o.strip()]


def has_option(opts, opt):
    return opt in (opts or [])


def option_value(opts, key):
    for o in opts or []:
        if o.startswith(key + '='):
            return o[len(key) + 1:]
    return None


def wave_of(obj):
    ann = annotations(obj)
    for k in (SYNC_WAVE_ANN, HELM_WEIGHT_ANN):
        try:
            return int(str(ann.get(k)).strip())
        except (TypeError, ValueError):
            continue
    return 0


def hook_types(obj):
    v = annotations(obj).get(HOOK_ANN)
    if v is None:
        return []
    return [t.strip() for t in str(v).split(',') if t.strip() in HOOK_TYPES]


def is_hook(obj):
    return bool(hook_types(obj))


# --- diff and three-way merge ---------------------------------------------

def _subset(want, have):
    if isinstance(want, dict):
        return isinstance(have, dict) and all(
            k in have and _subset(v, have[k]) for k, v in want.items() if v is not None)
    if isinstance(want, list):
        return isinstance(have, list) and len(want) == len(have) and all(
            _subset(a, b) for a, b in zip(want, have))
    if isinstance(want, (int, float)) and not isinstance(want, bool) and \
            isinstance(have, (int, float)) and not isinstance(have, bool):
        return want == have
    return want == have


def _share(o):
    return o


def merge3(live, last, desired, _copy=deep):
    """kubectl apply's three-way merge, with JSON-merge semantics (lists are
    atomic, but a list the server only defaulted is kept): the object that
    applying `desired` over `live` produces, given the last applied one.
    With _copy=_share the result shares what it keeps with live and
    desired: a view to compare, never to modify."""
    if not isinstance(desired, dict) or not isinstance(live, dict):
        if isinstance(desired, list) and _subset(desired, live):
            return _copy(live)
        return _copy(desired)
    last = last if isinstance(last, dict) else {}
    # live's keys in live's order, then desired's new ones; each value is
    # copied once (copying live whole and then each merged member again
    # would copy the deepest values once per level)
    out = {}
    for k, v in live.items():
        if k in desired:
            if desired[k] is not None:
                out[k] = merge3(v, last.get(k), desired[k], _copy)
        elif k not in last:
            out[k] = _copy(v)
    for k, v in desired.items():
        if v is not None and k not in live:
            out[k] = _copy(v)
    return out


SKIP_META = ('resourceVersion', 'uid', 'creationTimestamp', 'generation',
             'managedFields', 'selfLink', 'deletionTimestamp',
             'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers')


def applied_form(desired):
    """What `kubectl apply` sends: the manifest minus status and server-set
    metadata (and the last-applied annotation itself)."""
    o = deep(desired)
    o.pop('status', None)
    m = o.get('metadata') or {}
    for k in SKIP_META:
        if k != 'finalizers':
            m.pop(k, None)
    ann = m.get('annotations')
    if ann:
        ann.pop(LAST_APPLIED, None)
    return o


def last_applied(live):
    v = annotations(live).get(LAST_APPLIED)
    if not v:
        return None
    try:
        return json.loads(v)
    except ValueError:
        return None


def merged_object(live, desired):
    """The object an apply writes; equal to live (modulo the last-applied
    annotation) when the resource is in sync."""
    want = applied_form(desired)
    out = merge3(live, last_applied(live), want)
    out.setdefault('metadata', {}).setdefault('annotations', {})[LAST_APPLIED] = \
        json.dumps(want, sort_keys=True, separators=(',', ':'))
    for k in ('resourceVersion', 'uid', 'creationTimestamp', 'generation'):
        if k in (live.get('metadata') or {}):
            out['metadata'][k] = live['metadata'][k]
    return out


def _without_last_applied(o):
    """o without the last-applied annotation (and without annotations when
    that was the only one), for comparing only: copies just the dicts on
    the way to the annotation and shares everything else with o."""
    md = o.get('metadata') or {}
    ann = md.get('annotations')
    if ann is None or LAST_APPLIED not in ann and ann:
        return o
    o = dict(o)
    md = o['metadata'] = dict(md)
    ann = {k: v for k, v in ann.items() if k != LAST_APPLIED}
    if ann:
        md['annotations'] = ann
    else:
        md.pop('annotations')
    return o


def same_but_last_applied(a, b):
    """a == b once both lose the last-applied annotation."""
    return _without_last_applied(a) == _without_last_applied(b)


def in_sync(live, desired):
    """merged_object(live, desired) equals live, the last-applied annotation
    aside; without copying live (a comparison of an app-of-apps would
    otherwise copy every child's status)."""
    if live is None:
        return False
    out = merge3(live, last_applied(live), applied_form(desired), _share)
    # merged_object's metadata, minus the annotation it adds (ignored here)
    md = out['metadata'] = dict(out.get('metadata') or {})
    for k in ('resourceVersion', 'uid', 'creationTimestamp', 'generation'):
        if k in (live.get('metadata') or {}):
            md[k] = live['metadata'][k]
    return same_but_last_applied(out, live)


# --- comparison -------------------------------------------------------------

class Target:
    def __init__(self, obj, resource, namespaced):
        self.obj = obj
        self.key = obj_key(obj)
        self.resource = resource
        self.namespaced = namespaced
        self.wave = wave_of(obj)
        self.hooks = hook_types(obj)
        self.options = sync_options(obj)


class Comparison:
    def __init__(self):
        self.project = None
        self.project_name = ''
        self.conditions = []     # (type, message)
        self.targets = {}        # key -> Target (non-hooks)
        self.hooks = []          # Targets
        self.live = {}           # key -> live object
        self.live_resource = {}  # key -> resource name
        self.revisions = []
        self.multi = False
        self.sources = []
        self.sync_status = 'Unknown'
        self.health = {'status': H.UNKNOWN}
        self.resources = []      # status.resources entries
        self.out_of_sync = set()  # keys

    @property
    def revision(self):
        return self.revisions[0] if self.revisions else ''

    def errors(self):
        return [c for c in self.conditions
                if c[0] in ('InvalidSpecError', 'ComparisonError')]


class Comparer:
    def __init__(self, store, kinds, settings):
        self.store = store
        self.kinds = kinds
        self.s = settings
        self._seen = {}   # (resource, method) -> {id(obj): (obj, instance)}

    def project(self, name):
        return self.store.get(PROJECTS, self.s.control_ns, name or 'default')

    def compare(self, app, op_sync=None):
        c = Comparison()
        spec = app.get('spec') or {}
        c.project_name = spec.get('project') or 'default'
        c.project = self.project(c.project_name)
        for m in P.spec_conditions(c.project, c.project_name, app):
            c.conditions.append(('InvalidSpecError', m))
        c.sources, c.multi = repo.app_sources(app, op_sync)
        dest_ns = dig(spec, 'destination', 'namespace', default='')
        inst = instance_name(app, self.s.control_ns)
        manifests = []
        try:
            manifests, c.revisions, c.multi = repo.load_app(self.s.repos, app, op_sync)
        except repo.RepoError as e:
            c.conditions.append(('ComparisonError', str(e)))
        for m in manifests:
            t = self._target(m, dest_ns, inst)
            if 'Skip' in t.hooks:
                continue
            if t.hooks:
                c.hooks.append(t)
            else:
                c.targets[t.key] = t
        self._find_live(app, inst, c)
        self._summarise(app, c)
        return c

    def _target(self, m, dest_ns, inst):
        """The manifest as the controller applies it: namespaced into the
        destination and marked with the app's tracking id."""
        obj = deep(m)
        av, kind = obj.get('apiVersion', ''), obj.get('kind', '')
        res = self.kinds.resource(av, kind)
        namespaced = self.kinds.namespaced(av, kind, res)
        md = obj.setdefault('metadata', {})
        if namespaced:
            if not md.get('namespace'):
                md['namespace'] = dest_ns
        else:
            md.pop('namespace', None)
        if self.s.tracking == 'label':
            md.setdefault('labels', {})[INSTANCE_LABEL] = inst
        elif md.get('name'):
            md.setdefault('annotations', {})[TRACKING_ANN] = \
                tracking_value(inst, obj_key(obj), dest_ns)
        return Target(obj, res, namespaced)

    def candidate_resources(self, app, c):
        out = set()
        for av, kind in COMMON_RESOURCES:
            r = self.kinds.resource(av, kind)
            if r:
                out.add(r)
        for t in list(c.targets.values()) + c.hooks:
            if t.resource:
                out.add(t.resource)
        for r in dig(app, 'status', 'resources', default=[]) or []:
            av = '%s/%s' % (r['group'], r.get('version', '')) if r.get('group') \
                else r.get('version', 'v1')
            res = self.kinds.resource(av, r.get('kind', ''))
            if res:
                out.add(res)
        return sorted(out)

    def _find_live(self, app, inst, c):
        method = self.s.tracking
        sel = '%s=%s' % (INSTANCE_LABEL, inst) if method == 'label' else None
        self_key = obj_key(app)
        for res in self.candidate_resources(app, c):
            # the store's own objects, read-only: only the tracked ones are
            # copied (a list would copy every object of the kind, the app
            # itself and its siblings included)
            rt = self.store.registry.get(res)
            if rt is None:
                continue
            try:
                objs, _, _, _ = self.store.list_raw(rt, None, sel)
            except Exception:  # noqa: BLE001 - resource not served
                continue
            for o, tracked in self._tracked(res, objs, method, sel):
                if tracked != inst:
                    continue
                k = obj_key(o)
                if k == self_key:
                    continue
                c.live[k] = deep(o)
                c.live_resource[k] = res

    def _tracked(self, res, objs, method, sel):
        """(object, tracked_instance(object)) for each of the store's
        objects.  Stored objects are replaced, never modified, so the answer
        is remembered for as long as the same object is listed: every app's
        comparison scans all objects of the common kinds, and would
        otherwise parse every tracking id of an app-of-apps' siblings each
        time (quadratic in the number of apps)."""
        if sel is not None:     # already narrowed by the label selector
            return [(o, tracked_instance(o, method)) for o in objs]
        old = self._seen.get((res, method)) or {}
        new = {}
        for o in objs:
            hit = old.get(id(o))
            if hit is None or hit[0] is not o:
                hit = (o, tracked_instance(o, method))
            new[id(o)] = hit
        self._seen[(res, method)] = new   # holds the objects: ids stay theirs
        return new.values()

    def _summarise(self, app, c):
        errors = c.errors()
        hook_keys = {t.key for t in c.hooks}
        entries = []
        for k, t in c.targets.items():
            live = c.live.get(k)
            synced = in_sync(live, t.obj)
            if not synced:
                c.out_of_sync.add(k)
            entries.append(self._entry(t.obj, live, 'Synced' if synced else 'OutOfSync',
                                       t.wave, False, False))
        for k, live in c.live.items():
            if k in c.targets:
                continue
            hook = k in hook_keys or is_hook(live)
            if not hook:
                c.out_of_sync.add(k)
            entries.append(self._entry(live, live, '' if hook else 'OutOfSync',
                                       wave_of(live), hook, not hook))
        entries.sort(key=lambda e: (e['group'], e['kind'], e['namespace'], e['name']))
        c.resources = [{k: v for k, v in e.items() if k not in ('_h', '_ignore')}
                       for e in entries]
        if errors:
            c.sync_status = 'Unknown'
        else:
            c.sync_status = 'OutOfSync' if c.out_of_sync else 'Synced'
        c.health = self._app_health(entries, errors)

    def _entry(self, obj, live, status, wave, hook, prune):
        g, v = group_version(obj.get('apiVersion', ''))
        md = obj.get('metadata') or {}
        e = {'group': g, 'version': v, 'kind': obj.get('kind', ''),
             'namespace': md.get('namespace', ''), 'name': md.get('name', '')}
        if status:
            e['status'] = status
        h = H.resource_health(live, g, obj.get('kind', ''))
        if h is not None:
            e['health'] = {k: v for k, v in h.items() if v}
        if hook:
            e['hook'] = True
        if prune:
            e['requiresPruning'] = True
        if wave:
            e['syncWave'] = wave
        opts = sync_options(live or obj)
        if has_option(opts, 'Delete=confirm') or has_option(opts, 'Prune=confirm'):
            e['requiresDeletionConfirmation'] = True
        e['_h'] = h
        e['_ignore'] = hook or str(annotations(live or obj).get(IGNORE_HEALTH_ANN)) == 'true'
        return e

    def _app_health(self, entries, errors):
        if errors:
            return {'status': H.UNKNOWN}
        worst = H.HEALTHY
        message = ''
        considered = 0
        missing = 0
        for e in entries:
            h = e['_h']
            if e['_ignore'] or h is None:
                continue
            if h['status'] == H.MISSING:
                missing += 1
                continue
            if (e['group'], e['kind']) == ('argoproj.io', 'Application') and \
                    h['status'] in (H.MISSING, H.UNKNOWN):
                continue
            considered += 1
            if H.worse(h['status'], worst):
                worst, message = h['status'], h.get('message', '')
        if missing and not considered:
            return {'status': H.MISSING}
        out = {'status': worst}
        if message:
            out['message'] = message
        return out
