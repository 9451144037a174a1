#!/usr/bin/env python3
"""Pure pieces of the simulated controllers, table-driven: cron and sync
windows, the two glob dialects, project restrictions, Go durations, the
apply diff, health checks and the repo reader."""

import calendar
import datetime
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from controllers import argocd, compare, health, project, repo, windows  # noqa: E402
from controllers.common import (WorkQueue, parse_backoff_duration,  # noqa: E402
                                parse_go_duration)
from controllers.globs import filepath_match, glob_match  # noqa: E402
from controllers.testing import APPS, Env  # noqa: E402
from taplib import Tap  # noqa: E402

t = Tap()


def ts(s):
    return calendar.timegm(datetime.datetime.strptime(s, '%Y-%m-%d %H:%M').timetuple())


def cron():
    nxt = [  # spec, after, first fire strictly after
        ('*/15 9-17 * * mon-fri', '2024-01-06 12:00', '2024-01-08 09:00'),
        ('0 0 * * *', '2024-01-01 00:00', '2024-01-02 00:00'),
        ('30 2 1 * *', '2024-02-01 02:29', '2024-02-01 02:30'),
        ('0 0 29 2 *', '2024-03-01 00:00', '2028-02-29 00:00'),
        # dom and dow both restricted: OR
        ('0 0 13 * 5', '2024-01-01 00:00', '2024-01-05 00:00'),
        # dow written as */2 is not "star": still OR with dom 1
        ('0 0 1 * */2', '2024-01-01 00:00', '2024-01-02 00:00'),
        ('0 12 * jan,JUL sun', '2024-02-01 00:00', '2024-07-07 12:00'),
        ('0 0 31 2 *', '2024-01-01 00:00', None),
    ]
    for spec, after, want in nxt:
        got = windows.Schedule(spec).next(datetime.datetime.strptime(after, '%Y-%m-%d %H:%M'))
        t.is_eq(got.strftime('%Y-%m-%d %H:%M') if got else None, want, 'cron next: %s' % spec)
    for bad in ('* * * *', '* * * * * *', '60 * * * *', '* * * * 7', '@daily x y z w',
                '*/0 * * * *', 'a * * * *', '5-1 * * * *'):
        try:
            windows.Schedule(bad)
            t.ok(False, 'cron rejects %r' % bad)
        except ValueError:
            t.ok(True, 'cron rejects %r' % bad)


def active():
    now = ts('2024-05-10 12:30')
    cases = [
        ({'schedule': '0 12 * * *', 'duration': '1h'}, True),
        ({'schedule': '0 12 * * *', 'duration': '30m'}, False),   # ends at 12:30
        ({'schedule': '0 13 * * *', 'duration': '1h'}, False),
        ({'schedule': '0 11 * * *', 'duration': '1h30m1s'}, True),
        ({'schedule': '0 0 31 2 *', 'duration': '1h'}, True),     # never fires: "always"
        ({'schedule': '0 14 * * *', 'duration': '1h', 'timeZone': 'Etc/GMT-2'}, True),
        ({'schedule': '30 14 * * *', 'duration': '1h', 'timeZone': 'Etc/GMT-2'}, False),
        ({'schedule': '0 12 * * *', 'duration': '1h', 'timeZone': 'No/Such_Zone'}, True),
    ]
    for w, want in cases:
        t.is_eq(windows.window_active(w, now), want, 'window active: %s' % w)
    for w in ({'schedule': 'x', 'duration': '1h'}, {'schedule': '* * * * *', 'duration': '3600'}):
        try:
            windows.window_active(w, now)
            t.ok(False, 'window error: %s' % w)
        except ValueError:
            t.ok(True, 'window error: %s' % w)


def can_sync():
    app = {'metadata': {'name': 'web'}, 'spec': {'destination': {
        'server': 'https://kubernetes.default.svc', 'namespace': 'prod'}}}
    on = {'schedule': '* * * * *', 'duration': '1h'}
    off = {'schedule': '0 0 1 1 *', 'duration': '1m'}
    now = ts('2024-05-10 12:30')

    def proj(*ws):
        return {'spec': {'syncWindows': list(ws)}}
    cases = [  # windows, manual, start, want
        ([], False, None, True),
        ([dict(on, kind='deny', applications=['web'])], True, None, False),
        ([dict(on, kind='deny', applications=['web'], manualSync=True)], True, None, True),
        ([dict(on, kind='deny', applications=['web'], manualSync=True)], False, None, False),
        ([dict(on, kind='deny', applications=['api'])], False, None, True),
        ([dict(on, kind='deny', namespaces=['pr*'])], False, None, False),
        ([dict(on, kind='deny', clusters=['https://kubernetes.default.svc'])], False, None, False),
        ([dict(on, kind='allow', applications=['web']),
          dict(on, kind='deny', applications=['*'])], True, None, False),
        ([dict(off, kind='allow', applications=['web'])], False, None, False),
        ([dict(off, kind='allow', applications=['web'], manualSync=True)], True, None, True),
        ([dict(on, kind='allow', applications=['web'])], False, None, True),
        ([dict(off, kind='deny', applications=['web'])], False, None, True),
        # AND operator: application matches but namespace does not
        ([dict(on, kind='deny', applications=['web'], namespaces=['dev'], andOperator=True)],
         False, None, True),
        ([dict(on, kind='deny', applications=['web'], namespaces=['dev'])], False, None, False),
        # overrun: allowed at the start, deny window became active since
        ([dict(on, kind='deny', applications=['web'], syncOverrun=True)], False,
         None, False),
        ([{'kind': 'deny', 'schedule': '20 12 * * *', 'duration': '1h',
           'applications': ['web'], 'syncOverrun': True}], False, ts('2024-05-10 12:10'), True),
    ]
    for i, (ws, manual, start, want) in enumerate(cases):
        t.is_eq(windows.can_sync(proj(*ws), app, manual, start, now), want,
                'CanSync case %d (manual=%s)' % (i, manual))


def globs():
    cases = [
        ('*', 'anything/at/all', '', True),
        ('https://github.com/org/*', 'https://github.com/org/repo', '/', True),
        ('https://github.com/org/*', 'https://github.com/org/sub/repo', '/', False),
        ('https://github.com/org/**', 'https://github.com/org/sub/repo', '/', True),
        ('web-?', 'web-1', '', True),
        ('web-[0-9]', 'web-a', '', False),
        ('web-[!0-9]', 'web-a', '', True),
        ('{api,web}', 'web', '', True),
        ('{api,web}', 'worker', '', False),
        ('[', '[', '', False),            # malformed: matches nothing
        ('pro*', 'prod/x', '', True),      # no separators: * crosses /
    ]
    for pat, val, sep, want in cases:
        t.is_eq(glob_match(pat, val, separators=sep), want, 'gobwas %r ~ %r' % (pat, val))
    t.is_eq(glob_match('!prod', 'dev', allow_negation=True), True, 'negated glob')
    t.is_eq(glob_match('!prod', 'prod', allow_negation=True), False, 'negated glob excludes')
    for pat, val, want in (('apps', 'apps', True), ('*', 'rbac.authorization.k8s.io', True),
                           ('*.k8s.io', 'rbac.authorization.k8s.io', True),
                           ('*', 'a/b', False), ('[^a]pps', 'apps', False), ('', '', True),
                           ('', 'apps', False)):
        t.is_eq(filepath_match(pat, val), want, 'filepath %r ~ %r' % (pat, val))


def projects():
    p = {'spec': {'sourceRepos': ['https://git.example.com/org/*', '!https://git.example.com/org/secret'],
                  'destinations': [{'server': 'https://kubernetes.default.svc', 'namespace': 'team-*'},
                                   {'name': 'in-cluster', 'namespace': '!kube-system'}],
                  'clusterResourceWhitelist': [{'group': '', 'kind': 'Namespace'}],
                  'namespaceResourceBlacklist': [{'group': '', 'kind': 'Secret'}]}}
    for url, want in (('https://git.example.com/org/app.git', True),
                      ('HTTPS://git.example.com/org/App', True),
                      ('https://git.example.com/org/secret.git', False),
                      # upstream quirk: a deny entry that misses sets anyMatched
                      ('https://git.example.com/other/app', True)):
        t.is_eq(project.source_permitted(p, url), want, 'sourceRepos: %s' % url)
    allow = {'spec': {'sourceRepos': ['https://git.example.com/org/*']}}
    for url, want in (('https://git.example.com/other/app', False),
                      ('git@git.example.com:org/app.git', False),
                      ('https://git.example.com/org/sub/app', False)):
        t.is_eq(project.source_permitted(allow, url), want, 'sourceRepos allow-only: %s' % url)
    t.is_eq(project.source_permitted({'spec': {'sourceRepos': ['!https://x/y']}}, 'https://a/b'),
            True, 'sourceRepos: deny-only list permits everything else (upstream quirk)')
    for ns, want in (('team-a', True), ('kube-system', False), ('default', True)):
        t.is_eq(project.destination_permitted(p, ns), want, 'destination namespace %s' % ns)
    for g, k, nsd, want in (('', 'ConfigMap', True, True), ('', 'Secret', True, False),
                            ('', 'Namespace', False, True),
                            ('rbac.authorization.k8s.io', 'ClusterRole', False, False)):
        t.is_eq(project.resource_permitted(p, g, k, nsd), want, 'resource %s/%s' % (g, k))
    t.is_eq(project.resource_permitted({'spec': {'namespaceResourceWhitelist': []}}, '', 'ConfigMap', True),
            False, 'an explicitly empty namespace whitelist permits nothing')
    app = {'spec': {'source': {'repoURL': 'https://git.example.com/org/app'},
                    'destination': {'server': 'https://elsewhere', 'namespace': 'team-a'}}}
    msgs = project.spec_conditions(p, 'p', app)
    t.like(msgs[0] if msgs else '', 'there are no clusters with this URL: https://elsewhere',
           'unknown destination cluster')
    t.is_eq(project.spec_conditions(None, 'gone', app),
            ['Application referencing project gone which does not exist'], 'missing project')


def durations():
    for s, want in (('1h30m', 5400.0), ('1.5h', 5400.0), ('90s', 90.0), ('300ms', 0.3),
                    ('0', 0.0), ('-1m', -60.0), ('1h1m1s', 3661.0)):
        t.is_eq(parse_go_duration(s), want, 'Go duration %s' % s)
    for bad in ('', '3600', '1d', 'h', '1.2.3s', '5 s'):
        try:
            parse_go_duration(bad)
            t.ok(False, 'Go duration rejects %r' % bad)
        except ValueError:
            t.ok(True, 'Go duration rejects %r' % bad)
    t.is_eq(parse_backoff_duration('7'), 7.0, 'retry backoff: a bare number is seconds')


def diff():
    desired = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a'},
               'data': {'k': 'v'}}
    t.ok(not compare.in_sync(None, desired), 'diff: missing live object is out of sync')
    live = compare.merged_object({'apiVersion': 'v1', 'kind': 'ConfigMap',
                                  'metadata': {'name': 'a', 'uid': 'u'}}, desired)
    t.ok(compare.in_sync(live, desired), 'diff: applied object is in sync')
    drift = dict(live, data={'k': 'changed'})
    t.ok(not compare.in_sync(drift, desired), 'diff: a changed field is drift')
    extra = dict(live, data={'k': 'v', 'server-added': 'x'})
    t.ok(compare.in_sync(extra, desired), 'diff: fields nobody applied are not drift')
    removed = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a'}, 'data': {}}
    t.ok(not compare.in_sync(live, removed), 'diff: a key removed from git is drift')
    t.is_eq(compare.merged_object(live, removed).get('data'), {},
            'diff: applying removes the key from live')
    dep = {'spec': {'template': {'spec': {'containers': [{'name': 'c', 'image': 'i'}]}}}}
    dlive = {'spec': {'template': {'spec': {'containers': [
        {'name': 'c', 'image': 'i', 'imagePullPolicy': 'IfNotPresent'}]}}}}
    t.is_eq(compare.merge3(dlive, dep, dep), dlive, 'diff: server-defaulted list items kept')
    t.is_eq(compare.wave_of({'metadata': {'annotations': {'argocd.argoproj.io/sync-wave': '-2'}}}),
            -2, 'sync-wave annotation parsed')
    t.is_eq(compare.wave_of({'metadata': {'annotations': {'argocd.argoproj.io/sync-wave': 'x',
                                                          'helm.sh/hook-weight': '3'}}}),
            3, 'unparseable wave falls back to helm hook-weight')
    trk = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {
        'name': 'web', 'namespace': 'prod', 'annotations': {
            'argocd.argoproj.io/tracking-id': 'app:apps/Deployment:prod/web'}}}
    t.is_eq(compare.tracked_instance(trk, 'annotation'), 'app', 'tracking id parsed')
    trk['metadata']['name'] = 'copy'
    t.is_eq(compare.tracked_instance(trk, 'annotation'), None,
            'tracking id of another object (a copy) is not tracked')


def queue():
    seen = []
    q = WorkQueue('test', seen.append)
    for _ in range(50):      # a burst of events for one parent
        q.add_soon('root', 0.05)
    q.add('child')
    q.add('child')
    t.ok(not q.idle(), 'queue: keys waiting for add_soon are not idle')
    q.start()
    deadline = time.time() + 5
    while not q.idle() and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    t.is_eq(seen, ['child', 'root'],
            'queue: a key queued twice runs once; a burst of add_soon runs once, later')
    q.add('x')
    q.add_soon('x', 0.05)
    deadline = time.time() + 5
    while len(seen) < 3 and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    t.is_eq(seen, ['child', 'root', 'x'], 'queue: add_soon of a key already ready adds nothing')
    q.stop()


def views():
    """in_sync compares without copying live: it must never change it."""
    desired = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a'},
               'data': {'k': 'v'}}
    cases = [  # live, desired, in sync
        (compare.merged_object({'apiVersion': 'v1', 'kind': 'ConfigMap',
                                'metadata': {'name': 'a'}}, desired), desired, True),
        ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {
            'name': 'a', 'annotations': {'x': 'y'}}, 'data': {'k': 'v'}}, desired, True),
        ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a', 'annotations': {}},
          'data': {'k': 'w'}, 'status': {'deep': [{'a': 1}]}}, desired, False),
        ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a'}},
         dict(desired, metadata={'name': 'a', 'labels': {'l': '1'}}), False),
    ]
    for i, (live, want, synced) in enumerate(cases):
        before = json.dumps(live, sort_keys=True)
        t.is_eq(compare.in_sync(live, want), synced, 'in_sync view: case %d' % i)
        t.is_eq(json.dumps(live, sort_keys=True), before, 'in_sync view: case %d leaves live' % i)
    merged = compare.merged_object(cases[1][0], desired)
    merged['data']['k'] = 'changed'
    merged['metadata']['annotations']['x'] = 'changed'
    t.is_eq(cases[1][0]['metadata']['annotations'], {'x': 'y'},
            'merged_object: the result shares nothing with live')


def healths():
    def dep(gen, st, **spec):
        return {'metadata': {'name': 'd', 'generation': gen}, 'spec': dict(replicas=2, **spec),
                'status': st}
    cases = [
        (dep(2, {'observedGeneration': 1}), 'apps', 'Deployment', 'Progressing'),
        (dep(1, {'observedGeneration': 1, 'updatedReplicas': 2, 'replicas': 2,
                 'availableReplicas': 2}), 'apps', 'Deployment', 'Healthy'),
        (dep(1, {'observedGeneration': 1, 'updatedReplicas': 2, 'replicas': 2,
                 'availableReplicas': 1}), 'apps', 'Deployment', 'Progressing'),
        (dep(1, {'observedGeneration': 1, 'conditions': [
            {'type': 'Progressing', 'reason': 'ProgressDeadlineExceeded'}]}),
         'apps', 'Deployment', 'Degraded'),
        (dep(1, {}, paused=True), 'apps', 'Deployment', 'Suspended'),
        ({'metadata': {}, 'status': {'phase': 'Bound'}}, '', 'PersistentVolumeClaim', 'Healthy'),
        ({'metadata': {}, 'status': {'phase': 'Pending'}}, '', 'PersistentVolumeClaim', 'Progressing'),
        ({'metadata': {}, 'status': {'phase': 'Lost'}}, '', 'PersistentVolumeClaim', 'Degraded'),
        ({'metadata': {}, 'status': {}}, 'argoproj.io', 'Application', 'Progressing'),
        ({'metadata': {}, 'status': {'health': {'status': 'Degraded'}}}, 'argoproj.io',
         'Application', 'Degraded'),
        ({'metadata': {'generation': 1}, 'status': {'phase': 'Paused', 'observedGeneration': '1'}},
         'argoproj.io', 'Rollout', 'Suspended'),
        ({'metadata': {'generation': 2}, 'status': {'phase': 'Healthy', 'observedGeneration': '1'}},
         'argoproj.io', 'Rollout', 'Progressing'),
        ({'metadata': {'deletionTimestamp': 'x'}}, '', 'Namespace', 'Progressing'),
        ({'metadata': {'annotations': {'kubesim.dev/health': 'Degraded'}}}, '', 'ConfigMap',
         'Degraded'),
        ({'metadata': {'creationTimestamp': '2999-01-01T00:00:00Z', 'annotations': {
            'kubesim.dev/health-delay': '1s'}}}, '', 'ConfigMap', 'Progressing'),
        (None, '', 'ConfigMap', 'Missing'),
    ]
    for obj, g, k, want in cases:
        h = health.resource_health(obj, g, k)
        t.is_eq(h and h['status'], want, 'health %s %s' % (k, want))
    t.is_eq(health.resource_health({'metadata': {}}, '', 'ConfigMap'), None,
            'a ConfigMap has no health')
    t.ok(health.worse('Degraded', 'Missing') and health.worse('Missing', 'Progressing') and
         not health.worse('Healthy', 'Suspended'), 'health order')


def repos():
    tmp = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(tmp, 'r', 'app', 'sub'))
        with open(os.path.join(tmp, 'r', 'app', 'b.yaml'), 'w') as f:
            f.write('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n'
                    'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, '
                    'metadata: {name: s}}\n')
        with open(os.path.join(tmp, 'r', 'app', 'sub', 'a.json'), 'w') as f:
            f.write('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}')
        with open(os.path.join(tmp, 'r', 'app', 'notes.txt'), 'w') as f:
            f.write('not a manifest')
        src = {'repoURL': 'https://git.example.com/org/r.git', 'path': 'app'}
        objs, rev = repo.load_source(tmp, src)
        t.is_eq([o['metadata']['name'] for o in objs], ['b', 's', 'a'],
                'repo: files sorted, multi-doc, List flattened, .txt ignored')
        t.ok(len(rev) == 40, 'repo: revision is a 40-hex SHA')
        with open(os.path.join(tmp, 'r', 'app', 'b.yaml'), 'a') as f:
            f.write('---\n')
        t.ok(repo.load_source(tmp, src)[1] != rev, 'repo: editing a file changes the revision')
        b = os.path.join(tmp, 'r', 'app', 'b.yaml')
        for name in ('x', 'y'):   # same size, same second: parsed YAML is not reused
            with open(b, 'w') as f:
                f.write('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n' % name)
            t.is_eq([o['metadata']['name'] for o in repo.load_source(tmp, src)[0]][0], name,
                    'repo: an edit of the same size is read at once (%s)' % name)
        objs = repo.load_source(tmp, src)[0]
        objs[0]['metadata']['name'] = 'mutated'
        t.is_eq(repo.load_source(tmp, src)[0][0]['metadata']['name'], 'y',
                'repo: callers may modify the manifests they get')
        whole = {'repoURL': src['repoURL'], 'path': '.'}
        t.is_eq(repo.load_source(tmp, whole)[1], repo.revision(tmp, src['repoURL']),
                'repo: the revision of a source at the root is the repository\'s')
        for s, frag in (({'repoURL': 'https://x/none', 'path': 'app'}, 'repository not found'),
                        (dict(src, path='nope'), 'app path does not exist'),
                        (dict(src, path='../..'), 'outside the repository')):
            try:
                repo.load_source(tmp, s)
                t.ok(False, 'repo error: %s' % frag)
            except repo.RepoError as e:
                t.like(str(e), frag, 'repo error: %s' % frag)
        with open(os.path.join(tmp, 'r', 'app', 'c.yaml'), 'w') as f:
            f.write('metadata: {name: nokind}\n')
        try:
            repo.load_source(tmp, src)
            t.ok(False, 'repo: manifest without kind rejected')
        except repo.RepoError as e:
            t.like(str(e), "Object 'Kind' is missing", 'repo: manifest without kind rejected')
        t.is_eq(repo.repo_name('git@github.com:org/platform.git'), 'platform', 'repo name scp-style')
    finally:
        shutil.rmtree(tmp)


def sync_latency():
    for v, want in (('500ms', 0.5), ('2s', 2.0), ('1m', 60.0), (None, 0.0), ('', 0.0),
                    ('soon', 0.0), ('-1s', 0.0), ('500', 0.0)):
        ann = {argocd.SYNC_LATENCY_ANN: v} if v is not None else {}
        t.is_eq(argocd.sync_latency({'metadata': {'annotations': ann}}), want,
                'sync-latency %r' % (v,))
    # the bench relies on it: Running at once, nothing applied before the latency
    with Env(enabled=('argocd',)) as env:
        os.makedirs(env.repo_path('bench'))
        with open(env.repo_path('bench', 'cm.json'), 'w') as f:
            f.write('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "lat"}}')
        env.create({'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'AppProject',
                    'metadata': {'name': 'default', 'namespace': 'argocd'},
                    'spec': {'sourceRepos': ['*'],
                             'destinations': [{'server': '*', 'namespace': '*'}],
                             'clusterResourceWhitelist': [{'group': '*', 'kind': '*'}]}})
        env.app('lat', '.', repo='https://git.example.com/org/bench.git',
                syncPolicy={'syncOptions': ['CreateNamespace=true']})
        env.patch(APPS, 'argocd', 'lat',
                  {'metadata': {'annotations': {argocd.SYNC_LATENCY_ANN: '1s'}}})
        t0 = time.time()
        env.sync('lat')
        seen = env.wait_app('lat', lambda a: a['status']['operationState']['phase'] == 'Running')
        t.ok(seen is not None and env.get('configmaps', 'demo', 'lat') is None,
             'sync-latency: the operation is Running and nothing is applied yet')
        done = env.wait_op_done('lat')
        t.is_eq(done and done['status']['operationState']['phase'], 'Succeeded',
                'sync-latency: the operation then succeeds')
        t.ok(time.time() - t0 >= 1.0 and env.get('configmaps', 'demo', 'lat') is not None,
             'sync-latency: not before the latency')


for name, fn in (('cron', cron), ('active', active), ('can_sync', can_sync), ('globs', globs),
                 ('projects', projects), ('durations', durations), ('diff', diff),
                 ('health', healths), ('repos', repos), ('sync_latency', sync_latency),
                 ('queue', queue), ('views', views)):
    t.run(name, fn)
sys.exit(t.done())
