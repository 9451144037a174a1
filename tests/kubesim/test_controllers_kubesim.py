#!/usr/bin/env python3
"""End to end through the simulator process and the real kubectl: the
platform fixture applies cleanly (CRD schemas included), a sync triggered
with `kubectl patch` runs the whole app-of-apps, and the Rollout, its
ReplicaSet and Pods are visible to kubectl."""

import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Sim, Tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

t = Tap()


def get_json(sim, *args):
    rc, out, _ = sim.kubectl('get', '-o', 'json', *args)
    try:
        return json.loads(out) if rc == 0 else None
    except ValueError:
        return None


def wait(fn, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    return None


def main():
    tmp = tempfile.mkdtemp(prefix='kubesim-ctl-e2e-')
    repos = os.path.join(tmp, 'repos')
    shutil.copytree(os.path.join(ROOT, 'tests', 'fixtures', 'repos'), repos)
    os.environ['KUBESIM_TIME_SCALE'] = '0.05'
    os.environ['KUBESIM_WORKLOAD_DELAY'] = '0.1'
    sim = Sim('--controllers', 'argocd,rollouts', '--repos', repos)
    try:
        rc, out, err = sim.kubectl('apply', '-f', os.path.join(ROOT, 'tests', 'fixtures',
                                                                'platform.yaml'))
        t.is_eq(rc, 0, 'kubectl apply of the platform fixture')
        if rc:
            t.diag(err)
        app = wait(lambda: (get_json(sim, 'app', 'platform', '-n', 'argocd') or {})
                   .get('status', {}).get('sync', {}).get('status'))
        t.is_eq(app, 'OutOfSync', 'the root app is compared against its repo')
        rc, _, err = sim.kubectl('patch', 'app', 'platform', '-n', 'argocd', '--type', 'merge',
                                 '-p', json.dumps({'operation': {
                                     'initiatedBy': {'username': 'me'},
                                     'sync': {'prune': True}}}))
        t.is_eq(rc, 0, 'kubectl patch sets .operation')

        def all_healthy():
            apps = get_json(sim, 'apps', '-n', 'argocd') or {}
            items = apps.get('items') or []
            ok = len(items) == 6 and all(
                a.get('status', {}).get('health', {}).get('status') == 'Healthy' and
                a.get('status', {}).get('sync', {}).get('status') == 'Synced' and
                not a.get('operation') for a in items)
            return items if ok else None
        items = wait(all_healthy, 25)
        t.ok(items, 'root and five children end Synced and Healthy')
        rc, out, _ = sim.kubectl('get', 'apps', '-n', 'argocd')
        t.like(out, 'Synced', 'kubectl get apps prints the sync column')
        ro = get_json(sim, 'rollout', 'canary', '-n', 'platform') or {}
        t.is_eq(ro.get('status', {}).get('phase'), 'Healthy', 'the canary Rollout is Healthy')
        rs = get_json(sim, 'rs', '-n', 'platform', '-l', 'app=canary') or {}
        pods = get_json(sim, 'pods', '-n', 'platform', '-l', 'app=canary') or {}
        t.ok(len(rs.get('items') or []) == 1 and len(pods.get('items') or []) == 4,
             'the Rollout owns one ReplicaSet and four Pods')
        rc, _, _ = sim.kubectl('patch', 'rollout', 'canary', '-n', 'platform', '--type', 'merge',
                               '-p', json.dumps({'spec': {'template': {'spec': {'containers': [
                                   {'name': 'canary',
                                    'image': 'registry.example.com/platform/canary:1.1.0'}]}}}}))
        paused = wait(lambda: (get_json(sim, 'rollout', 'canary', '-n', 'platform') or {})
                      .get('status', {}).get('phase') == 'Paused')
        t.ok(paused, 'a new template pauses the canary at its pause step')
        rc, _, err = sim.kubectl('patch', 'rollout', 'canary', '-n', 'platform',
                                 '--subresource', 'status', '--type', 'merge',
                                 '-p', '{"status":{"pauseConditions":null}}')
        t.is_eq(rc, 0, 'promote through the status subresource')
        done = wait(lambda: (get_json(sim, 'rollout', 'canary', '-n', 'platform') or {})
                    .get('status', {}).get('phase') == 'Healthy')
        t.ok(done, 'the promoted canary finishes its steps')
        t.ok('Traceback' not in sim.stderr(), 'no controller exception in the simulator log')
    finally:
        sim.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
