"""Stand-ins for kube-controller-manager's workload controllers, so that
health checks read real-looking status: after a delay a Deployment,
StatefulSet, ReplicaSet (not owned by a Rollout), PVC, Job or bare Pod gets
the status its controller would write once everything is ready.

The delay is the kubesim.dev/health-delay annotation (a Go duration) or the
workload_delay setting, counted from when this controller first saw the
object's current generation.  kubesim.dev/health: Degraded makes the object
fail the way its kind fails (ProgressDeadlineExceeded, ReplicaFailure, Lost,
Failed); kubesim.dev/health: Progressing keeps it from ever becoming ready.
"""

import hashlib
import json

from .common import (ANN_HEALTH, ANN_HEALTH_MESSAGE, WORKLOADS_USER, Ticker,
                     WorkQueue, annotations, api_code, dig, now, rfc3339,
                     update_with_retry)
from .health import delay_of

HANDLED = {
    ('apps/v1', 'Deployment'), ('apps/v1', 'StatefulSet'), ('apps/v1', 'ReplicaSet'),
    ('v1', 'PersistentVolumeClaim'), ('v1', 'Pod'), ('batch/v1', 'Job'),
}


def _replicas(obj):
    r = dig(obj, 'spec', 'replicas')
    return 1 if r is None else int(r)


def _cond(ctype, status, reason, message, t):
    return {'type': ctype, 'status': status, 'reason': reason, 'message': message,
            'lastUpdateTime': t, 'lastTransitionTime': t}


class WorkloadController:
    def __init__(self, store, settings):
        self.store = store
        self.settings = settings
        self.queue = WorkQueue('workloads', self._process)
        self.seen = {}      # (uid, generation) -> first time seen
        self.written = set()  # (uid, generation) whose final status is written
        self.resources = {}
        self.ticker = Ticker('workloads-gc', 30.0, self._gc)

    def start(self):
        for av, kind in HANDLED:
            try:
                self.resources[(av, kind)] = self.store.resource_for(av, kind)
            except Exception:  # noqa: BLE001 - kind not served by this simulator
                pass
        self.store.subscribe(self._on_event)
        self.queue.start()
        self.ticker.start()
        for (av, kind), res in self.resources.items():
            for o in self.store.list(res):
                self._on_event('ADDED', o)

    def stop(self):
        self.ticker.stop()
        self.queue.stop()

    def _gc(self):
        if len(self.seen) > 10000:
            self.seen.clear()
            self.written.clear()

    def _on_event(self, event, obj):
        res = self.resources.get((obj.get('apiVersion'), obj.get('kind')))
        if res is None or event == 'DELETED':
            return
        md = obj.get('metadata') or {}
        if any(o.get('kind') == 'Rollout' for o in md.get('ownerReferences') or []):
            return   # the Rollouts controller owns these
        if obj.get('kind') == 'Pod' and md.get('ownerReferences'):
            return
        self.queue.add((res, md.get('namespace'), md.get('name')))

    def _process(self, key):
        res, ns, name = key
        obj = self.store.get(res, ns, name)
        if obj is None or obj['metadata'].get('deletionTimestamp'):
            return
        gen = obj['metadata'].get('generation') or 1
        sk = (obj['metadata'].get('uid') or name, gen)
        if sk in self.written or self._done(obj, gen):
            return
        first = self.seen.setdefault(sk, now())
        due = first + delay_of(obj, self.settings.workload_delay)
        if now() < due:
            self.queue.add(key, due - now())
            return
        mark = annotations(obj).get(ANN_HEALTH, 'Healthy')

        def mutate(o):
            if (o['metadata'].get('generation') or 1) != gen:
                return False
            new = self._status(o, gen, mark)
            if new == o.get('status'):
                return False
            o['status'] = new
            return True
        try:
            update_with_retry(self.store, res, ns, name, mutate, WORKLOADS_USER,
                              subresource='status')
        except Exception as e:  # noqa: BLE001
            if api_code(e) not in (404, 405):
                raise
            update_with_retry(self.store, res, ns, name, mutate, WORKLOADS_USER)
        self.written.add(sk)

    @staticmethod
    def _done(obj, gen):
        st = obj.get('status') or {}
        kind = obj.get('kind')
        if kind in ('Deployment', 'StatefulSet', 'ReplicaSet'):
            return st.get('observedGeneration') == gen
        if kind == 'PersistentVolumeClaim':
            return st.get('phase') in ('Bound', 'Lost')
        if kind == 'Pod':
            return st.get('phase') in ('Succeeded', 'Failed') or (
                st.get('phase') == 'Running' and
                dig(obj, 'spec', 'restartPolicy', default='Always') == 'Always')
        if kind == 'Job':
            return any(c.get('type') in ('Complete', 'Failed') and c.get('status') == 'True'
                       for c in st.get('conditions') or [])
        return True

    def _status(self, o, gen, mark):
        t = rfc3339()
        msg = annotations(o).get(ANN_HEALTH_MESSAGE)
        fn = getattr(self, '_' + o['kind'].lower())
        return fn(o, gen, mark, t, msg)

    def _deployment(self, o, gen, mark, t, msg):
        n = _replicas(o)
        name = o['metadata']['name']
        ready = 0 if mark in ('Degraded', 'Progressing') else n
        st = {'observedGeneration': gen, 'replicas': n, 'updatedReplicas': n,
              'readyReplicas': ready, 'availableReplicas': ready}
        if ready < n:
            st['unavailableReplicas'] = n - ready
        rs = '%s-%s' % (name, _hash(o.get('spec', {}).get('template')))
        if mark == 'Degraded':
            st['conditions'] = [
                _cond('Available', 'False', 'MinimumReplicasUnavailable',
                      'Deployment does not have minimum availability.', t),
                _cond('Progressing', 'False', 'ProgressDeadlineExceeded',
                      msg or 'ReplicaSet "%s" has timed out progressing.' % rs, t)]
        elif mark == 'Progressing':
            st['conditions'] = [_cond('Progressing', 'True', 'ReplicaSetUpdated',
                                      'ReplicaSet "%s" is progressing.' % rs, t)]
        else:
            st['conditions'] = [
                _cond('Available', 'True', 'MinimumReplicasAvailable',
                      'Deployment has minimum availability.', t),
                _cond('Progressing', 'True', 'NewReplicaSetAvailable',
                      'ReplicaSet "%s" has successfully progressed.' % rs, t)]
        return st

    def _statefulset(self, o, gen, mark, t, msg):
        n = _replicas(o)
        rev = '%s-%s' % (o['metadata']['name'], _hash(o.get('spec', {}).get('template')))
        ready = 0 if mark in ('Degraded', 'Progressing') else n
        return {'observedGeneration': gen, 'replicas': n, 'readyReplicas': ready,
                'currentReplicas': n, 'updatedReplicas': n, 'availableReplicas': ready,
                'currentRevision': rev, 'updateRevision': rev, 'collisionCount': 0}

    def _replicaset(self, o, gen, mark, t, msg):
        n = _replicas(o)
        ready = 0 if mark in ('Degraded', 'Progressing') else n
        st = {'observedGeneration': gen, 'replicas': n, 'fullyLabeledReplicas': n,
              'readyReplicas': ready, 'availableReplicas': ready}
        if mark == 'Degraded':
            st['conditions'] = [{'type': 'ReplicaFailure', 'status': 'True',
                                 'reason': 'FailedCreate', 'lastTransitionTime': t,
                                 'message': msg or 'simulated replica failure'}]
        return st

    def _persistentvolumeclaim(self, o, gen, mark, t, msg):
        if mark == 'Progressing':
            return {'phase': 'Pending'}
        if mark == 'Degraded':
            return {'phase': 'Lost'}
        st = {'phase': 'Bound',
              'accessModes': dig(o, 'spec', 'accessModes', default=['ReadWriteOnce'])}
        size = dig(o, 'spec', 'resources', 'requests', 'storage')
        if size:
            st['capacity'] = {'storage': size}
        return st

    def _pod(self, o, gen, mark, t, msg):
        policy = dig(o, 'spec', 'restartPolicy', default='Always')
        if mark == 'Degraded':
            return {'phase': 'Failed', 'message': msg or 'simulated failure',
                    'startTime': t}
        if mark == 'Progressing':
            return {'phase': 'Pending', 'startTime': t}
        if policy == 'Always':
            return {'phase': 'Running', 'startTime': t, 'conditions': [
                {'type': 'Ready', 'status': 'True', 'lastTransitionTime': t}]}
        return {'phase': 'Succeeded', 'startTime': t}

    def _job(self, o, gen, mark, t, msg):
        if mark == 'Progressing':
            return {'active': 1, 'startTime': t}
        if mark == 'Degraded':
            return {'failed': 1, 'startTime': t, 'conditions': [
                {'type': 'Failed', 'status': 'True', 'reason': 'BackoffLimitExceeded',
                 'message': msg or 'Job has reached the specified backoff limit',
                 'lastTransitionTime': t}]}
        return {'succeeded': 1, 'startTime': t, 'completionTime': t, 'conditions': [
            {'type': 'Complete', 'status': 'True', 'lastTransitionTime': t}]}


def _hash(template):
    h = hashlib.sha1(json.dumps(template, sort_keys=True).encode()).hexdigest()
    return ''.join(c for c in h if c in 'bcdfghjklmnpqrstvwxz2456789')[:10] or h[:10]
