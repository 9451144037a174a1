#!/usr/bin/env python3
"""The simulated Argo CD application controller, in-process against the real
store and the fixture repos: operations triggered the way `kubectl gitops
sync` does (a merge patch of .operation), observed through the app's status."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from controllers.common import dig, rfc3339  # noqa: E402
from controllers.testing import APPS, ROLLOUTS, DenyAdmission, Env  # noqa: E402
from taplib import Tap  # noqa: E402

t = Tap()
CTL = 'system:serviceaccount:argocd:argocd-application-controller'
PLATFORM = 'https://git.example.com/org/platform.git'
CHILDREN = ('infra', 'api', 'web', 'worker', 'canary')


def op_state(app):
    return dig(app, 'status', 'operationState') or {}


def result(app, kind, name):
    for r in dig(app, 'status', 'operationState', 'syncResult', 'resources', default=[]) or []:
        if r.get('kind') == kind and r.get('name') == name:
            return r
    return {}


def res_status(app, kind, name):
    for r in dig(app, 'status', 'resources', default=[]) or []:
        if r.get('kind') == kind and r.get('name') == name:
            return r
    return None


def res_status_all(app):
    return [(r['kind'], r['name'], r.get('status'), dig(r, 'health', 'status'))
            for r in dig(app, 'status', 'resources', default=[]) or []
            if r.get('status') != 'Synced' or dig(r, 'health', 'status') not in (None, 'Healthy')]


def sync_done(env, name, timeout=10.0, **sync):
    env.sync(name, **sync)
    return env.wait_op_done(name, timeout) or env.get_app(name)


def refresh(env, name):
    env.patch(APPS, 'argocd', name, {'metadata': {'annotations': {
        'argocd.argoproj.io/refresh': 'normal'}}})
    return env.wait_app(name, lambda a: 'argocd.argoproj.io/refresh' not in
                        (a['metadata'].get('annotations') or {}))


def app_of_apps(env):
    order = []

    def watch(ev, obj):
        if obj.get('kind') == 'Application' and obj['metadata']['name'] in CHILDREN:
            n = obj['metadata']['name']
            if ev == 'ADDED':
                order.append(('created', n))
            if obj.get('operation') and ('op', n) not in order:
                order.append(('op', n))
    env.store.subscribe(watch)
    env.apply_file('tests/fixtures/platform.yaml')
    a = env.wait_app('platform', lambda a: dig(a, 'status', 'sync', 'status') == 'OutOfSync')
    t.ok(a is not None, 'platform: root app compared and OutOfSync before any sync')
    env.sync('platform', prune=True)
    a = env.wait_app('platform', lambda a: op_state(a).get('phase') == 'Succeeded' and
                     dig(a, 'status', 'health', 'status') == 'Healthy' and
                     dig(a, 'status', 'sync', 'status') == 'Synced', timeout=15)
    t.ok(a is not None, 'platform: root sync succeeds, root Synced and Healthy')
    a = a or env.get_app('platform')
    st = op_state(a)
    t.is_eq(st.get('message'), 'successfully synced (all tasks run)', 'platform: final message')
    t.is_eq(st.get('operation', {}).get('initiatedBy'), {'username': 'me'},
            'platform: operationState keeps the operation')
    t.ok('operation' not in a, 'platform: .operation cleared when done')
    t.ok(st.get('startedAt') and st.get('finishedAt') >= st.get('startedAt'),
         'platform: startedAt and finishedAt set')
    waves = {r['name']: r.get('syncWave', 0) for r in dig(a, 'status', 'resources', default=[])
             if r.get('kind') == 'Application'}
    t.is_eq(waves, {'infra': -1, 'api': 0, 'web': 0, 'worker': 1, 'canary': 1},
            'platform: status.resources lists the children with their syncWave')
    created = [n for k, n in order if k == 'created']
    ops = [n for k, n in order if k == 'op']
    t.ok(created and created[0] == 'infra' and set(created[1:3]) == {'api', 'web'} and
         set(created[3:]) == {'worker', 'canary'}, 'platform: children created wave by wave')
    t.ok(ops and ops[0] == 'infra' and set(ops[1:3]) == {'api', 'web'} and
         set(ops[3:]) == {'worker', 'canary'},
         'platform: children auto-synced wave by wave (waves wait for health)')
    # the last wave is not waited for (as upstream): its apps finish later
    ok = env.wait(lambda: all(
        dig(env.get_app(c), 'status', 'health', 'status') == 'Healthy' and
        dig(env.get_app(c), 'status', 'sync', 'status') == 'Synced' and
        not env.get_app(c).get('operation') for c in CHILDREN))
    if not t.ok(ok, 'platform: every child Synced and Healthy'):
        for c in CHILDREN:
            ca = env.get_app(c)
            t.diag('%s %s %s %s' % (c, dig(ca, 'status', 'sync', 'status'),
                                    dig(ca, 'status', 'health'), res_status_all(ca)))
    child = env.get_app('api')
    t.is_eq(dig(child, 'metadata', 'annotations', 'argocd.argoproj.io/tracking-id'),
            'platform:argoproj.io/Application:argocd/api',
            'platform: child carries the tracking annotation')
    t.ok(dig(op_state(child), 'operation', 'initiatedBy', 'automated') is True,
         'platform: child operation initiated by automation')
    dep = env.get('deployments.apps', 'platform', 'api')
    t.is_eq(dig(dep, 'metadata', 'annotations', 'argocd.argoproj.io/tracking-id'),
            'api:apps/Deployment:platform/api', 'platform: workload tracked by its child app')
    t.ok(env.get(ROLLOUTS, 'platform', 'canary') is not None, 'platform: canary Rollout exists')
    hist = dig(a, 'status', 'history', default=[])
    t.ok(len(hist) == 1 and hist[0].get('revision') == dig(a, 'status', 'sync', 'revision'),
         'platform: a full sync is recorded in history')


def window(env):
    # enable the fixture's deny window for worker/canary, as tests are meant to
    env.patch('appprojects.argoproj.io', 'argocd', 'platform', [
        {'op': 'replace', 'path': '/spec/syncWindows/0/schedule', 'value': '* * * * *'},
        {'op': 'replace', 'path': '/spec/syncWindows/0/duration', 'value': '1h'}], kind='json')
    env.sync('worker')
    a = env.wait_app('worker', lambda a: op_state(a).get('message') ==
                     'Sync operation blocked by sync window')
    t.ok(a is not None and op_state(a).get('phase') == 'Running' and a.get('operation'),
         'window: a manual sync stays Running, blocked by the deny window')
    env.patch(APPS, 'argocd', 'worker', [
        {'op': 'test', 'path': '/status/operationState/phase', 'value': 'Running'},
        {'op': 'replace', 'path': '/status/operationState/phase', 'value': 'Terminating'}],
        kind='json')
    a = env.wait_op_done('worker')
    t.is_eq((op_state(a).get('phase'), op_state(a).get('message')),
            ('Failed', 'Operation terminated'), 'terminate: Terminating ends Failed')
    t.ok(a is not None and 'operation' not in a, 'terminate: .operation cleared')
    env.patch('appprojects.argoproj.io', 'argocd', 'platform', [
        {'op': 'replace', 'path': '/spec/syncWindows/0/manualSync', 'value': True}], kind='json')
    a = sync_done(env, 'worker')
    t.is_eq(op_state(a).get('phase'), 'Succeeded', 'window: manualSync lets a manual sync run')
    # automated syncs are still denied: change the repo, nothing happens
    with open(env.repo_path('platform', 'worker', 'worker.yaml'), 'a') as f:
        f.write('---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: worker-extra\n'
                'data: {a: b}\n')
    a = refresh(env, 'worker')
    time.sleep(0.3)
    a = env.get_app('worker')
    t.ok(dig(a, 'status', 'sync', 'status') == 'OutOfSync' and not a.get('operation'),
         'window: auto-sync does not start while the deny window is active')
    env.patch('appprojects.argoproj.io', 'argocd', 'platform', [
        {'op': 'replace', 'path': '/spec/syncWindows/0/schedule', 'value': '0 0 1 1 *'},
        {'op': 'replace', 'path': '/spec/syncWindows/0/duration', 'value': '1m'}], kind='json')
    a = env.wait_app('worker', lambda a: dig(a, 'status', 'sync', 'status') == 'Synced')
    t.ok(a is not None and env.get('configmaps', 'platform', 'worker-extra') is not None,
         'window: once the window closes, auto-sync applies the new commit')


def finalizer(env):
    env.delete(APPS, 'argocd', 'infra')
    time.sleep(0.4)
    a = env.get_app('infra')
    t.ok(a is not None and a['metadata'].get('deletionTimestamp') and
         env.get('namespaces', None, 'platform') is not None,
         'Delete=confirm: deletion waits for approval, namespace kept')
    t.ok(env.get('configmaps', 'platform', 'platform-config') is not None,
         'Delete=confirm: nothing is deleted before approval')
    env.patch(APPS, 'argocd', 'infra', {'metadata': {'annotations': {
        'argocd.argoproj.io/deletion-approved': rfc3339(time.time() + 1)}}})
    gone = env.wait(lambda: env.get_app('infra') is None, 8)
    t.ok(gone, 'finalizer: the app goes once its resources are deleted')
    t.ok(env.get('namespaces', None, 'platform') is None or
         env.get('namespaces', None, 'platform')['metadata'].get('deletionTimestamp'),
         'finalizer: the confirmed namespace is deleted')


def degraded(env):
    env.app('degraded', 'degraded', syncPolicy={'syncOptions': ['CreateNamespace=true']})
    a = sync_done(env, 'degraded')
    st = op_state(a)
    t.is_eq((st.get('phase'), st.get('message')),
            ('Failed', 'one or more synchronization tasks completed unsuccessfully'),
            'degraded: a Degraded wave fails the sync')
    t.is_eq(result(a, 'Deployment', 'broken').get('hookPhase'), 'Failed',
            'degraded: the Degraded resource result is Failed')
    t.ok(env.get('configmaps', 'demo', 'after-broken') is None,
         'degraded: the next wave is never applied')
    t.is_eq(dig(a, 'status', 'health', 'status'), 'Degraded', 'degraded: app health Degraded')
    t.like(dig(a, 'status', 'health', 'message'), 'exceeded its progress deadline',
           'degraded: the Deployment health message surfaces')


def sync_fail_retry(env):
    env.app('failing', 'sync-fail', syncPolicy={'syncOptions': ['CreateNamespace=true']})
    env.sync('failing', retry={'limit': 2, 'backoff': {'duration': '2s', 'factor': 2,
                                                        'maxDuration': '1m'}})
    seen = env.wait_app('failing', lambda a: 'Retrying attempt #1' in op_state(a).get('message', ''))
    t.ok(seen is not None and op_state(seen).get('phase') == 'Running' and
         op_state(seen).get('retryCount') == 1, 'retry: a failed attempt is retried (Running)')
    a = env.wait_op_done('failing', 10)
    st = op_state(a)
    t.is_eq(st.get('phase'), 'Failed', 'sync-fail: operation Failed after the retries')
    t.like(st.get('message'), 'one or more objects failed to apply, reason: admission webhook '
           '"policy.example.com" denied the request: configmap bad is not allowed',
           'sync-fail: message carries the apply error')
    t.like(st.get('message'), '(retried 2 times).', 'retry: exhausted retries are counted')
    t.is_eq(result(a, 'ConfigMap', 'bad').get('status'), 'SyncFailed',
            'sync-fail: the resource result is SyncFailed')


def webhook_denial(env):
    os.makedirs(env.repo_path('scenarios', 'denied'))
    with open(env.repo_path('scenarios', 'denied', 'cm.yaml'), 'w') as f:
        f.write('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: forbidden\n  labels:\n'
                '    policy.example.com/deny: "yes"\ndata: {x: y}\n')
    env.app('denied', 'denied', dest_ns='default')
    a = sync_done(env, 'denied')
    t.is_eq(op_state(a).get('message'), 'one or more objects failed to apply, reason: '
            'admission webhook "policy.example.com" denied the request: denied by label',
            'admission: a webhook denial fails the sync with its message')


def prune(env):
    env.app('prune', 'prune', syncPolicy={'syncOptions': ['CreateNamespace=true']})
    a = sync_done(env, 'prune')
    t.is_eq(dig(a, 'status', 'sync', 'status'), 'Synced', 'prune: initial sync Synced')
    os.remove(env.repo_path('scenarios', 'prune', 'extra.yaml'))
    a = refresh(env, 'prune')
    r = res_status(a, 'ConfigMap', 'plain') or {}
    t.ok(r.get('requiresPruning') and r.get('status') == 'OutOfSync',
         'prune: removed manifest shows requiresPruning')
    a = sync_done(env, 'prune')
    t.is_eq((result(a, 'ConfigMap', 'plain').get('status'),
             result(a, 'ConfigMap', 'plain').get('message')),
            ('PruneSkipped', 'ignored (requires pruning)'), 'prune: no prune flag, skipped')
    a = sync_done(env, 'prune', prune=True)
    t.is_eq(result(a, 'ConfigMap', 'plain').get('message'), 'pruned', 'prune: pruned with prune')
    t.is_eq((result(a, 'ConfigMap', 'no-prune').get('status'),
             result(a, 'ConfigMap', 'no-prune').get('message')),
            ('PruneSkipped', 'ignored (no prune)'), 'Prune=false: skipped with "ignored (no prune)"')
    t.ok(env.get('configmaps', 'demo', 'plain') is None and
         env.get('configmaps', 'demo', 'no-prune') is not None,
         'prune: plain deleted, Prune=false kept')
    t.is_eq(dig(a, 'status', 'sync', 'status'), 'OutOfSync', 'Prune=false: app stays OutOfSync')
    os.remove(env.repo_path('scenarios', 'prune', 'confirm.yaml'))
    refresh(env, 'prune')
    env.sync('prune', prune=True)
    a = env.wait_app('prune', lambda a: op_state(a).get('message', '').startswith('Waiting for'))
    t.is_eq(op_state(a).get('message'), 'Waiting for pruning confirmation of v1/ConfigMap/confirm',
            'Prune=confirm: the operation waits for confirmation')
    t.is_eq(op_state(a).get('phase'), 'Running', 'Prune=confirm: phase stays Running')
    env.patch(APPS, 'argocd', 'prune', {'metadata': {'annotations': {
        'argocd.argoproj.io/deletion-approved': rfc3339(time.time() + 1)}}})
    a = env.wait_op_done('prune')
    t.ok(op_state(a).get('phase') == 'Succeeded' and env.get('configmaps', 'demo', 'confirm') is None,
         'Prune=confirm: approval lets the prune run')


def options(env):
    env.app('waves', 'waves', syncPolicy={'syncOptions': ['CreateNamespace=true']})
    a = sync_done(env, 'waves', dryRun=True)
    t.is_eq(op_state(a).get('phase'), 'Succeeded', 'dryRun: succeeds')
    t.like(result(a, 'ConfigMap', 'first').get('message'), 'configmap/first created (dry run)',
           'dryRun: messages say dry run')
    t.ok(env.get('configmaps', 'demo', 'first') is None, 'dryRun: nothing created')
    a = sync_done(env, 'waves', resources=[{'kind': 'ConfigMap', 'name': 'third'}])
    t.ok(env.get('configmaps', 'demo', 'third') is not None and
         env.get('configmaps', 'demo', 'first') is None, 'selective: only the selected resource')
    t.ok(not dig(a, 'status', 'history'), 'selective: not recorded in history')
    a = sync_done(env, 'waves')
    msgs = [r.get('message') for r in dig(a, 'status', 'operationState', 'syncResult',
                                           'resources', default=[])]
    t.ok('configmap/third unchanged' in msgs and 'configmap/first created' in msgs,
         'apply: created and unchanged messages')
    # reconciledAt and finishedAt have second precision, so the reconcile that
    # wait_op_done accepts may have run just before the operation's last
    # write; the controller's next reconcile must then report Synced.
    a = env.wait_app('waves', lambda a: dig(a, 'status', 'sync', 'status') == 'Synced', 10.0) or a
    t.is_eq(dig(a, 'status', 'sync', 'status'), 'Synced', 'waves: Synced after a full sync')
    # drift without selfHeal stays
    env.patch('configmaps', 'demo', 'first', {'data': {'order': 'drifted'}})
    a = refresh(env, 'waves')
    t.is_eq((res_status(a, 'ConfigMap', 'first') or {}).get('status'), 'OutOfSync',
            'diff: a live change shows OutOfSync')
    t.ok(not dig(a, 'metadata', 'annotations', 'argocd.argoproj.io/refresh'),
         'refresh: the annotation is removed after the refresh')


def hooks(env):
    env.app('hooks', 'hooks', syncPolicy={'syncOptions': ['CreateNamespace=true']})
    a = sync_done(env, 'hooks')
    hook = [r for r in dig(a, 'status', 'operationState', 'syncResult', 'resources', default=[])
            if r.get('hookType')]
    t.ok(op_state(a).get('phase') == 'Succeeded' and len(hook) == 1 and
         hook[0]['hookType'] == 'PreSync' and hook[0]['hookPhase'] == 'Succeeded' and
         hook[0]['name'].startswith('migrate-'), 'hooks: the PreSync hook ran to completion')
    t.ok(env.get('pods', 'demo', hook[0]['name'] if hook else 'x') is None,
         'hooks: HookSucceeded deletes the hook afterwards')
    t.ok(env.get('configmaps', 'demo', 'after-hook') is not None, 'hooks: then the Sync phase ran')


def auto_sync(env):
    env.app('auto', 'waves', dest_ns='auto', syncPolicy={
        'automated': {'prune': True, 'selfHeal': True}, 'syncOptions': ['CreateNamespace=true']})
    a = env.wait_app('auto', lambda a: dig(a, 'status', 'sync', 'status') == 'Synced' and
                     op_state(a).get('phase') == 'Succeeded')
    t.ok(a is not None and dig(op_state(a), 'operation', 'initiatedBy') == {'automated': True},
         'auto-sync: OutOfSync app syncs itself, initiatedBy automated')
    t.is_eq(dig(op_state(a or {}), 'operation', 'retry'), {'limit': 5},
            'auto-sync: default retry limit 5')
    env.patch('configmaps', 'auto', 'second', {'data': {'order': 'drifted'}})
    healed = env.wait(lambda: dig(env.get('configmaps', 'auto', 'second'), 'data', 'order') == '2')
    t.ok(healed, 'selfHeal: drift is reverted')
    a = env.get_app('auto')
    t.is_eq(dig(op_state(a), 'operation', 'sync', 'resources'),
            [{'kind': 'ConfigMap', 'name': 'second', 'namespace': 'auto'}],
            'selfHeal: only the drifted resource is synced')


def errors(env):
    env.app('missing-path', 'no/such/dir')
    a = env.wait_app('missing-path', lambda a: dig(a, 'status', 'conditions'))
    c = (dig(a, 'status', 'conditions') or [{}])[0]
    t.is_eq(c.get('type'), 'ComparisonError', 'repo: missing path is a ComparisonError')
    t.like(c.get('message'), 'app path does not exist', 'repo: message names the problem')
    t.is_eq(dig(a, 'status', 'sync', 'status'), 'Unknown', 'repo: sync status Unknown')
    a = sync_done(env, 'missing-path')
    t.like(op_state(a).get('message'), 'ComparisonError: Failed to load target state',
           'repo: a sync ends in Error with the condition')
    t.is_eq(op_state(a).get('phase'), 'Error', 'repo: phase Error')
    env.app('wrong-repo', 'waves', project='platform', dest_ns='platform')
    a = env.wait_app('wrong-repo', lambda a: dig(a, 'status', 'conditions'))
    t.is_eq((dig(a, 'status', 'conditions') or [{}])[0].get('message'),
            "application repo https://git.example.com/org/scenarios.git is not permitted in "
            "project 'platform'", 'project: source repo restriction is an InvalidSpecError')
    os.makedirs(env.repo_path('platform', 'rbac'))
    with open(env.repo_path('platform', 'rbac', 'role.yaml'), 'w') as f:
        f.write('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n'
                '  name: reader\nrules: []\n')
    env.app('rbac', 'rbac', project='platform', dest_ns='platform', repo=PLATFORM)
    a = sync_done(env, 'rbac')
    t.is_eq((op_state(a).get('phase'), op_state(a).get('message')),
            ('Failed', 'one or more synchronization tasks are not valid'),
            'project: a resource kind outside the whitelist fails the sync')
    t.is_eq(result(a, 'ClusterRole', 'reader').get('message'),
            'resource rbac.authorization.k8s.io:ClusterRole is not permitted in project platform',
            'project: the resource result says why')


def label_tracking():
    with Env(enabled=('argocd',), tracking='label') as env:
        env.apply_file('tests/fixtures/platform.yaml')
        env.app('lbl', 'waves', syncPolicy={'syncOptions': ['CreateNamespace=true']})
        a = sync_done(env, 'lbl')
        cm = env.get('configmaps', 'demo', 'first')
        t.ok(op_state(a).get('phase') == 'Succeeded' and
             dig(cm, 'metadata', 'labels', 'app.kubernetes.io/instance') == 'lbl',
             'label tracking: managed objects carry app.kubernetes.io/instance')
        t.is_eq(dig(a, 'status', 'sync', 'status'), 'Synced', 'label tracking: app Synced')


def deny_labelled(attrs):
    obj = attrs.get('object') or {}
    if attrs['user'].get('username') == CTL and \
            dig(obj, 'metadata', 'labels', 'policy.example.com/deny') == 'yes':
        return 'denied by label'
    return None


def main():
    with Env(admission=DenyAdmission(deny_labelled)) as env:
        for name, fn in (('app-of-apps', app_of_apps), ('window', window),
                         ('finalizer', finalizer), ('degraded', degraded),
                         ('sync-fail', sync_fail_retry), ('admission', webhook_denial),
                         ('prune', prune), ('options', options), ('hooks', hooks),
                         ('auto-sync', auto_sync),
                         ('errors', errors)):
            t.run(name, fn, env)
    t.run('label', label_tracking)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
