#!/usr/bin/env python3
"""The simulated Argo Rollouts controller, in-process against the real
store: canary steps and promote, pause durations, abort and retry,
promoteFull, analysis results, blue-green promotion, restart."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import yamlmini  # noqa: E402
from controllers.common import dig  # noqa: E402
from controllers.testing import ROLLOUTS, Env  # noqa: E402
from taplib import Tap  # noqa: E402

t = Tap()
NS = 'demo'


def load(env, path, mutate=None):
    with open(env.repo_path(*path.split('/'))) as f:
        docs = [d for d in yamlmini.load_all(f.read()) if d]
    for d in docs:
        d['metadata']['namespace'] = NS
        if mutate:
            mutate(d)
        env.create(d)


def ro(env, name):
    return env.get(ROLLOUTS, NS, name)


def wait_ro(env, name, pred, timeout=8.0):
    def check():
        r = ro(env, name)
        return r if r and pred(r.get('status') or {}, r) else None
    return env.wait(check, timeout)


def set_image(env, name, image):
    r = ro(env, name)
    r['spec']['template']['spec']['containers'][0]['image'] = image
    env.store.update(r, {'username': 'me', 'groups': ['system:masters']})


def status_patch(env, name, patch):
    return env.patch(ROLLOUTS, NS, name, {'status': patch}, subresource='status')


def rs_for(env, name, h):
    return env.get('replicasets.apps', NS, '%s-%s' % (name, h))


def pods_of(env, rs):
    uid = rs['metadata']['uid']
    return [p for p in env.store.list('pods', NS)
            if any(o.get('uid') == uid for o in p['metadata'].get('ownerReferences') or [])]


def canary(env):
    load(env, 'platform/canary/rollout.yaml')
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Healthy')
    t.ok(r is not None, 'canary: initial deploy becomes Healthy without steps')
    if r is None:
        return
    st = r['status']
    t.is_eq(st.get('currentStepIndex'), 5, 'canary: first revision skips to the last step')
    t.ok(st['stableRS'] == st['currentPodHash'], 'canary: stableRS is the current hash')
    t.is_eq(st.get('observedGeneration'), str(r['metadata']['generation']),
            'canary: observedGeneration is a string of the generation')
    t.is_eq(st.get('selector'), 'app=canary', 'canary: status.selector')
    rs = rs_for(env, 'canary', st['currentPodHash'])
    t.ok(rs is not None and rs['metadata']['ownerReferences'][0]['uid'] == r['metadata']['uid']
         and rs['metadata']['annotations']['rollout.argoproj.io/revision'] == '1',
         'canary: ReplicaSet owned by the rollout, revision 1')
    t.is_eq(len(pods_of(env, rs)) if rs else 0, 4, 'canary: four pods owned by the ReplicaSet')
    stable = st['stableRS']

    set_image(env, 'canary', 'registry.example.com/platform/canary:1.1.0')
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Paused')
    st = (r or {}).get('status') or {}
    t.is_eq((st.get('phase'), st.get('message')), ('Paused', 'CanaryPauseStep'),
            'canary: new template pauses at the pause step')
    t.is_eq(st.get('currentStepIndex'), 1, 'canary: paused at step index 1')
    t.is_eq([c.get('reason') for c in st.get('pauseConditions') or []], ['CanaryPauseStep'],
            'canary: a CanaryPauseStep pause condition')
    t.ok(st.get('controllerPause') is True, 'canary: controllerPause is set')
    t.is_eq(dig(st, 'canary', 'weights', 'canary', 'weight'), 25, 'canary: canary weight 25')
    t.is_eq(dig(st, 'canary', 'weights', 'stable', 'podTemplateHash'), stable,
            'canary: stable weight points at the old hash')
    t.is_eq((st.get('updatedReplicas'), st.get('replicas')), (1, 4),
            'canary: 1 of 4 replicas updated at 25%')

    # promote as the plugin does: clear the pause conditions on /status
    status_patch(env, 'canary', {'pauseConditions': None})
    r = wait_ro(env, 'canary', lambda s, r: s.get('currentStepIndex') == 3 and
                s.get('pauseConditions'))
    t.ok(r is not None, 'canary: promote advances to the timed pause (step 3)')
    t1 = time.time()
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Healthy')
    t.ok(r is not None and time.time() - t1 >= 0.3,
         'canary: the 10s pause (scaled) ends by itself, then Healthy')
    st = (r or {}).get('status') or {}
    t.ok(st.get('stableRS') == st.get('currentPodHash') != stable,
         'canary: the new hash became stable')
    old = rs_for(env, 'canary', stable)
    t.is_eq(old['spec']['replicas'] if old else None, 0, 'canary: old ReplicaSet scaled to 0')
    new = rs_for(env, 'canary', st.get('currentPodHash'))
    t.is_eq((new or {}).get('metadata', {}).get('annotations', {}).get(
        'rollout.argoproj.io/revision'), '2', 'canary: new ReplicaSet is revision 2')

    # abort, then retry
    set_image(env, 'canary', 'registry.example.com/platform/canary:1.2.0')
    wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Paused')
    status_patch(env, 'canary', {'abort': True})
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Degraded')
    st = (r or {}).get('status') or {}
    t.is_eq(st.get('message'), 'RolloutAborted: Rollout aborted update to revision 3',
            'canary: abort gives Degraded with the upstream message')
    t.ok(st.get('abortedAt') and st.get('abort') is True, 'canary: abortedAt recorded')
    t.is_eq(dig(st, 'canary', 'weights', 'canary', 'weight'), 0, 'canary: weight back to 0')
    cur = rs_for(env, 'canary', st.get('currentPodHash', ''))
    t.is_eq((cur or {}).get('spec', {}).get('replicas'), 0, 'canary: canary ReplicaSet scaled down')
    status_patch(env, 'canary', {'abort': False})
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Paused' and not s.get('abort'))
    st = (r or {}).get('status') or {}
    t.ok(r is not None and st.get('currentStepIndex') == 1 and 'abortedAt' not in st,
         'canary: retry restarts the steps and pauses again')

    # promote --full
    status_patch(env, 'canary', {'promoteFull': True})
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Healthy')
    st = (r or {}).get('status') or {}
    t.ok(r is not None and st.get('stableRS') == st.get('currentPodHash') and
         'promoteFull' not in st and st.get('currentStepIndex') == 5,
         'canary: promoteFull skips the remaining steps and is reset')

    # manual pause / unpause
    env.patch(ROLLOUTS, NS, 'canary', {'spec': {'paused': True}})
    r = wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Paused')
    t.is_eq((r or {}).get('status', {}).get('message'), 'manually paused',
            'canary: spec.paused shows "manually paused"')
    env.patch(ROLLOUTS, NS, 'canary', {'spec': {'paused': False}})
    t.ok(wait_ro(env, 'canary', lambda s, r: s.get('phase') == 'Healthy') is not None,
         'canary: unpaused rollout is Healthy again')


def restart(env):
    r = ro(env, 'canary')
    if r is None:
        return t.skip('no canary rollout', 1)
    h = r['status']['currentPodHash']
    before = {p['metadata']['name'] for p in pods_of(env, rs_for(env, 'canary', h))}
    at = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 1))
    env.patch(ROLLOUTS, NS, 'canary', {'spec': {'restartAt': at}})
    r = wait_ro(env, 'canary', lambda s, r: s.get('restartedAt') == at and s.get('phase') == 'Healthy')
    after = {p['metadata']['name'] for p in pods_of(env, rs_for(env, 'canary', h))}
    t.ok(r is not None and after and not (before & after),
         'restart: pods older than restartAt are replaced, restartedAt recorded')


def bluegreen(env):
    load(env, 'scenarios/bluegreen/bluegreen.yaml')
    r = wait_ro(env, 'bluegreen', lambda s, r: s.get('phase') == 'Healthy')
    st = (r or {}).get('status') or {}
    first = st.get('currentPodHash')
    t.ok(r is not None and dig(st, 'blueGreen', 'activeSelector') == first,
         'bluegreen: first revision is active at once')
    svc = env.get('services', NS, 'bluegreen-active')
    t.is_eq(dig(svc, 'spec', 'selector', 'rollouts-pod-template-hash'), first,
            'bluegreen: active service selects the active hash')
    set_image(env, 'bluegreen', 'registry.example.com/bluegreen:2.0')
    r = wait_ro(env, 'bluegreen', lambda s, r: s.get('phase') == 'Paused')
    st = (r or {}).get('status') or {}
    t.is_eq([c.get('reason') for c in st.get('pauseConditions') or []], ['BlueGreenPause'],
            'bluegreen: autoPromotionEnabled false pauses with BlueGreenPause')
    t.ok(dig(st, 'blueGreen', 'activeSelector') == first and
         dig(st, 'blueGreen', 'previewSelector') == st.get('currentPodHash') != first,
         'bluegreen: preview selects the new hash, active the old')
    svc = env.get('services', NS, 'bluegreen-preview')
    t.is_eq(dig(svc, 'spec', 'selector', 'rollouts-pod-template-hash'), st.get('currentPodHash'),
            'bluegreen: preview service points at the new hash')
    status_patch(env, 'bluegreen', {'pauseConditions': None})
    r = wait_ro(env, 'bluegreen', lambda s, r: s.get('phase') == 'Healthy')
    st = (r or {}).get('status') or {}
    t.ok(r is not None and dig(st, 'blueGreen', 'activeSelector') == st.get('currentPodHash')
         == st.get('stableRS') != first, 'bluegreen: promote switches the active service')
    svc = env.get('services', NS, 'bluegreen-active')
    t.is_eq(dig(svc, 'spec', 'selector', 'rollouts-pod-template-hash'), st.get('currentPodHash'),
            'bluegreen: active service now selects the new hash')


def analysis(env):
    load(env, 'scenarios/analysis/analysis.yaml')
    wait_ro(env, 'analysed', lambda s, r: s.get('phase') == 'Healthy')
    set_image(env, 'analysed', 'registry.example.com/analysed:2.0')
    r = wait_ro(env, 'analysed', lambda s, r: s.get('phase') == 'Healthy' and
                s.get('stableRS') == s.get('currentPodHash') and
                dig(s, 'canary', 'currentStepAnalysisRunStatus', 'status') == 'Successful')
    t.ok(r is not None, 'analysis: a Successful run lets the rollout finish')
    name = dig(r or {}, 'status', 'canary', 'currentStepAnalysisRunStatus', 'name')
    ar = env.get('analysisruns.argoproj.io', NS, name) if name else None
    t.is_eq(dig(ar, 'status', 'phase'), 'Successful', 'analysis: the AnalysisRun object exists')
    env.patch(ROLLOUTS, NS, 'analysed', {'metadata': {'annotations': {
        'kubesim.dev/analysis-result': 'Failed'}}})
    set_image(env, 'analysed', 'registry.example.com/analysed:3.0')
    r = wait_ro(env, 'analysed', lambda s, r: s.get('phase') == 'Degraded')
    st = (r or {}).get('status') or {}
    t.ok(r is not None and st.get('abort') is True and
         st.get('message', '').startswith('RolloutAborted: Rollout aborted update to revision'),
         'analysis: a Failed run aborts the rollout')


def main():
    with Env(enabled=('rollouts',)) as env:
        env.create({'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': NS}})
        t.run('canary', canary, env)
        t.run('restart', restart, env)
        t.run('bluegreen', bluegreen, env)
        t.run('analysis', analysis, env)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
