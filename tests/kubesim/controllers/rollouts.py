"""The simulated Argo Rollouts controller.

For each Rollout: a ReplicaSet per pod template (label
rollouts-pod-template-hash, annotation rollout.argoproj.io/revision, owned
by the Rollout) with Pods owned by it, and the status fields the real
controller writes (rollouts-and-kubectl.md part 1), through /status.

Canary: setWeight steps (basic canary replica split), pause {} and
pause {duration} (scaled by time_scale), analysis steps whose AnalysisRun
ends with the kubesim.dev/analysis-result annotation of the Rollout
(Successful, Failed, Error or Inconclusive; default Successful).
BlueGreen: activeService/previewService selectors, autoPromotionEnabled
false -> BlueGreenPause.  Reacts to promote (pauseConditions cleared, or
currentStepIndex moved), promoteFull, abort/retry, spec.paused and
spec.restartAt.  A new pod becomes ready workload_delay seconds after it is
created (kubesim.dev/health-delay on the Rollout overrides that).
"""

import hashlib
import json
import math

from .common import (ANN_ANALYSIS, ROLLOUTS_USER, Ticker, WorkQueue, annotations,
                     api_code, deep, dig, log, now, parse_go_duration, parse_time,
                     rfc3339)
from .health import delay_of

ROLLOUTS = 'rollouts.argoproj.io'
HASH_LABEL = 'rollouts-pod-template-hash'
REVISION_ANN = 'rollout.argoproj.io/revision'
SAFE = 'bcdfghjklmnpqrstvwxz2456789'


def template_hash(template):
    t = deep(template or {})
    (t.get('metadata') or {}).get('labels', {}).pop(HASH_LABEL, None)
    h = hashlib.sha1(json.dumps(t, sort_keys=True).encode()).digest()
    return ''.join(SAFE[b % len(SAFE)] for b in h[:10])


def _owner(obj):
    return {'apiVersion': obj['apiVersion'], 'kind': obj['kind'],
            'name': obj['metadata']['name'], 'uid': obj['metadata'].get('uid', ''),
            'controller': True, 'blockOwnerDeletion': True}


def _owned_by(obj, owner):
    uid = owner['metadata'].get('uid')
    return any(r.get('uid') == uid and r.get('controller')
               for r in obj['metadata'].get('ownerReferences') or [])


def _selector_string(sel):
    parts = ['%s=%s' % kv for kv in sorted(((sel or {}).get('matchLabels') or {}).items())]
    for e in (sel or {}).get('matchExpressions') or []:
        op = e.get('operator', '')
        if op in ('In', 'NotIn'):
            parts.append('%s %s (%s)' % (e['key'], op.lower(), ','.join(e.get('values') or [])))
        elif op == 'Exists':
            parts.append(e['key'])
        elif op == 'DoesNotExist':
            parts.append('!' + e['key'])
    return ','.join(parts)


class _View:
    """One rollout's state during a reconcile."""

    def __init__(self, ro):
        self.ro = ro
        self.spec = ro.get('spec') or {}
        self.old = ro.get('status') or {}
        self.st = deep(self.old)
        self.replicas = 1 if self.spec.get('replicas') is None else int(self.spec['replicas'])
        strat = self.spec.get('strategy') or {}
        self.canary = strat.get('canary')
        self.bluegreen = strat.get('blueGreen')
        self.steps = (self.canary or {}).get('steps') or []
        self.hash = template_hash(self.spec.get('template'))
        self.requeue = None

    def wake(self, delay):
        if delay is not None and (self.requeue is None or delay < self.requeue):
            self.requeue = max(0.02, delay)


class RolloutController:
    def __init__(self, store, settings):
        self.store = store
        self.settings = settings
        self.user = ROLLOUTS_USER
        self.queue = WorkQueue('rollouts', self._process)
        self.ticker = Ticker('rollouts-resync', settings.resync, self._resync)
        self.res = {}
        self.pause_started = {}   # (uid, reason, startTime) -> precise start
        self._seen = {}           # pod uid -> when it was first seen

    def start(self):
        for key, (av, kind) in {'rs': ('apps/v1', 'ReplicaSet'), 'pod': ('v1', 'Pod'),
                                'svc': ('v1', 'Service'),
                                'ar': ('argoproj.io/v1alpha1', 'AnalysisRun')}.items():
            try:
                self.res[key] = self.store.resource_for(av, kind)
            except Exception:  # noqa: BLE001 - not served
                self.res[key] = None
        self.store.subscribe(self._on_event)
        self.queue.start()
        self.ticker.start()
        self._resync()

    def stop(self):
        self.ticker.stop()
        self.queue.stop()

    def _on_event(self, event, obj):
        kind = obj.get('kind')
        md = obj.get('metadata') or {}
        if kind == 'Rollout' and obj.get('apiVersion', '').startswith('argoproj.io/'):
            self.queue.add((md.get('namespace'), md.get('name')))
        elif kind == 'ReplicaSet':
            for r in md.get('ownerReferences') or []:
                if r.get('kind') == 'Rollout':
                    self.queue.add((md.get('namespace'), r.get('name')))

    def _resync(self):
        try:
            ros = self.store.list(ROLLOUTS)
        except Exception:  # noqa: BLE001 - CRD not installed yet
            return
        for ro in ros:
            self.queue.add((ro['metadata'].get('namespace'), ro['metadata']['name']))

    # --- reconcile ------------------------------------------------------------------
    def _process(self, key):
        ns, name = key
        try:
            ro = self.store.get(ROLLOUTS, ns, name)
        except Exception:  # noqa: BLE001 - CRD gone
            return
        if ro is None or ro['metadata'].get('deletionTimestamp') or self.res['rs'] is None:
            return
        v = _View(ro)
        rsets = self._replica_sets(ro)
        self._new_revision(v, rsets)
        if self.bluegreen_or_canary(v):
            self._reconcile_steps(v)
        self._scale(v, rsets)
        self._restart(v, rsets)
        self._finish_status(v, rsets)
        if v.st != v.old:
            out = deep(ro)
            out['status'] = v.st
            try:
                self.store.update(out, self.user, subresource='status')
            except Exception as e:  # noqa: BLE001
                if api_code(e) is None:
                    raise
                if api_code(e) != 404:
                    self.queue.add(key, 0.05 if api_code(e) == 409 else 1.0)
                return
        if v.requeue is not None:
            self.queue.add(key, v.requeue)

    @staticmethod
    def bluegreen_or_canary(v):
        return v.canary is not None or v.bluegreen is not None

    def _replica_sets(self, ro):
        sel = _selector_string(dig(ro, 'spec', 'selector') or {})
        out = {}
        for rs in self.store.list(self.res['rs'], ro['metadata'].get('namespace'),
                                  label_selector=sel or None):
            if _owned_by(rs, ro):
                out[rs['metadata'].get('labels', {}).get(HASH_LABEL, '')] = rs
        return out

    def _revision(self, rs):
        try:
            return int(annotations(rs).get(REVISION_ANN, '0'))
        except ValueError:
            return 0

    def _new_revision(self, v, rsets):
        st = v.st
        st.setdefault('replicas', 0)
        if st.get('currentPodHash') == v.hash and v.hash in rsets:
            return
        top = max([self._revision(rs) for rs in rsets.values()] + [0])
        rs = rsets.get(v.hash)
        if rs is None:
            rs = self._create_rs(v, top + 1)
            if rs is None:
                return
            rsets[v.hash] = rs
        elif self._revision(rs) != top and st.get('currentPodHash') != v.hash:
            rs = self._set_rs(rs, annotations={REVISION_ANN: str(top + 1)})
            rsets[v.hash] = rs
        first = not st.get('stableRS')
        st['currentPodHash'] = v.hash
        st['currentStepHash'] = template_hash({'steps': v.steps})
        st.pop('pauseConditions', None)
        st['controllerPause'] = False
        if st.get('abort'):
            st['abort'] = False
            st.pop('abortedAt', None)
        if first:
            st['stableRS'] = v.hash
        if v.canary is not None:
            done = first or st.get('stableRS') == v.hash
            st['currentStepIndex'] = len(v.steps) if done else 0
            if st.get('canary'):
                st['canary'].pop('currentStepAnalysisRunStatus', None)

    def _create_rs(self, v, revision):
        ro = v.ro
        tmpl = deep(v.spec.get('template') or {})
        tmpl.setdefault('metadata', {}).setdefault('labels', {})[HASH_LABEL] = v.hash
        sel = deep(v.spec.get('selector') or {})
        sel.setdefault('matchLabels', {})[HASH_LABEL] = v.hash
        rs = {'apiVersion': 'apps/v1', 'kind': 'ReplicaSet',
              'metadata': {'name': '%s-%s' % (ro['metadata']['name'], v.hash),
                           'namespace': ro['metadata'].get('namespace'),
                           'labels': dict(tmpl['metadata']['labels']),
                           'annotations': {REVISION_ANN: str(revision)},
                           'ownerReferences': [_owner(ro)]},
              'spec': {'replicas': 0, 'selector': sel, 'template': tmpl}}
        try:
            return self.store.create(rs, self.user)
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise
            if api_code(e) == 409:
                return self.store.get(self.res['rs'], rs['metadata']['namespace'],
                                      rs['metadata']['name'])
            log('rollouts', 'creating %s: %s' % (rs['metadata']['name'], e))
            return None

    def _set_rs(self, rs, replicas=None, annotations=None):
        for _ in range(5):
            cur = self.store.get(self.res['rs'], rs['metadata'].get('namespace'),
                                 rs['metadata']['name'])
            if cur is None:
                return rs
            if replicas is not None:
                cur['spec']['replicas'] = replicas
            if annotations:
                cur['metadata'].setdefault('annotations', {}).update(annotations)
            try:
                return self.store.update(cur, self.user)
            except Exception as e:  # noqa: BLE001
                if api_code(e) != 409:
                    raise
        return rs

    # --- steps -----------------------------------------------------------------------
    def _reconcile_steps(self, v):
        st = v.st
        st['promoteFull'] = bool(st.get('promoteFull')) and \
            st.get('currentPodHash') != st.get('stableRS')
        if not st['promoteFull']:
            st.pop('promoteFull')
        if st.get('abort'):
            st.setdefault('abortedAt', rfc3339())
            st.pop('pauseConditions', None)
            st['controllerPause'] = False
            if v.canary is not None:
                st['currentStepIndex'] = 0
            return
        st.pop('abortedAt', None)
        if st.get('promoteFull'):
            self._promote(v)
            return
        if v.spec.get('paused'):
            return
        if v.canary is not None:
            self._canary_steps(v)
        else:
            self._bluegreen(v)

    def _promote(self, v):
        st = v.st
        st['stableRS'] = st['currentPodHash']
        st.pop('pauseConditions', None)
        st['controllerPause'] = False
        if v.canary is not None:
            st['currentStepIndex'] = len(v.steps)
        st.pop('promoteFull', None)

    def _canary_steps(self, v):
        st = v.st
        if st.get('stableRS') == st.get('currentPodHash'):
            st['currentStepIndex'] = len(v.steps)
            return
        while True:
            idx = int(st.get('currentStepIndex') or 0)
            if idx >= len(v.steps):
                self._promote(v)
                return
            step = v.steps[idx]
            if 'setWeight' in step:
                if not self._canary_ready(v, step['setWeight']):
                    return
            elif 'pause' in step:
                if not self._pause_done(v, step['pause'] or {}, 'CanaryPauseStep'):
                    return
            elif 'analysis' in step:
                if not self._analysis_done(v, idx):
                    return
            st['currentStepIndex'] = idx + 1

    def _canary_ready(self, v, weight):
        # scaling happens in _scale; here the step waits for the new pods.
        want = self._canary_count(v, weight)
        rs = self._current_rs(v)
        ready = self._ready_pods(rs) if rs else 0
        if ready >= want:
            return True
        v.wake(self.settings.poll)
        return False

    def _pause_done(self, v, pause, reason):
        st = v.st
        conds = st.get('pauseConditions') or []
        mine = [c for c in conds if c.get('reason') == reason]
        if mine:
            dur = pause.get('duration')
            if dur is None:
                return False
            try:
                secs = parse_go_duration(str(dur)) if not str(dur).isdigit() else float(dur)
            except ValueError:
                return False
            started = self.pause_started.get((v.ro['metadata'].get('uid'), reason,
                                              mine[0].get('startTime')))
            if started is None:
                started = parse_time(mine[0].get('startTime')) or now()
            due = started + self.settings.scaled(secs)
            if now() < due:
                v.wake(due - now())
                return False
            st.pop('pauseConditions', None)
            st['controllerPause'] = False
            return True
        if st.get('controllerPause'):
            # promoted: the plugin cleared our pause condition
            st['controllerPause'] = False
            return True
        start = now()
        st['pauseConditions'] = conds + [{'reason': reason, 'startTime': rfc3339(start)}]
        st['controllerPause'] = True
        # startTime has second precision; scaled pauses need better
        if len(self.pause_started) > 10000:
            self.pause_started.clear()
        self.pause_started[(v.ro['metadata'].get('uid'), reason, rfc3339(start))] = start
        dur = pause.get('duration')
        if dur is not None:
            try:
                secs = float(dur) if str(dur).isdigit() else parse_go_duration(str(dur))
                v.wake(self.settings.scaled(secs))
            except ValueError:
                pass
        return False

    def _analysis_done(self, v, idx):
        st = v.st
        ro = v.ro
        result = annotations(ro).get(ANN_ANALYSIS, 'Successful')
        canary = st.setdefault('canary', {})
        cur = canary.get('currentStepAnalysisRunStatus') or {}
        name = '%s-%s-%s-%d' % (ro['metadata']['name'], v.hash,
                                st.get('currentStepHash', '')[:5] or 'x', idx)
        if cur.get('name') != name:
            canary['currentStepAnalysisRunStatus'] = {'name': name, 'status': 'Running'}
            self._analysis_run(v, name, 'Running')
            v.wake(delay_of(ro, self.settings.workload_delay))
            return False
        if cur.get('status') == 'Running':
            ar = self._get_ar(ro, name)
            started = parse_time(dig(ar, 'status', 'startedAt')) if ar else None
            due = (started or 0) + delay_of(ro, self.settings.workload_delay)
            if started is not None and now() < due:
                v.wake(due - now())
                return False
            cur = {'name': name, 'status': result}
            if result != 'Successful':
                cur['message'] = 'Metric "kubesim" assessed %s' % result
            canary['currentStepAnalysisRunStatus'] = cur
            self._analysis_run(v, name, result)
        status = cur.get('status')
        if status == 'Successful':
            return True
        if status in ('Failed', 'Error'):
            st['abort'] = True
            st['abortedAt'] = rfc3339()
            st['currentStepIndex'] = 0
            return False
        if status == 'Inconclusive':
            conds = st.get('pauseConditions') or []
            if not any(c.get('reason') == 'InconclusiveAnalysisRun' for c in conds) and \
                    not st.get('controllerPause'):
                st['pauseConditions'] = conds + [{'reason': 'InconclusiveAnalysisRun',
                                                  'startTime': rfc3339()}]
                st['controllerPause'] = True
            return False
        return False

    def _get_ar(self, ro, name):
        if self.res['ar'] is None:
            return None
        return self.store.get(self.res['ar'], ro['metadata'].get('namespace'), name)

    def _analysis_run(self, v, name, phase):
        if self.res['ar'] is None:
            return
        ro = v.ro
        ns = ro['metadata'].get('namespace')
        t = rfc3339()
        status = {'phase': phase, 'startedAt': t,
                  'metricResults': [{'name': 'kubesim', 'phase': phase, 'count': 1}]}
        if phase != 'Running':
            key = {'Successful': 'successful', 'Failed': 'failed', 'Error': 'error',
                   'Inconclusive': 'inconclusive'}.get(phase, 'successful')
            status['metricResults'][0][key] = 1
            status['completedAt'] = t
            if phase != 'Successful':
                status['message'] = 'Metric "kubesim" assessed %s' % phase
        try:
            cur = self.store.get(self.res['ar'], ns, name)
            if cur is None:
                ar = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'AnalysisRun',
                      'metadata': {'name': name, 'namespace': ns,
                                   'labels': {HASH_LABEL: v.hash},
                                   'annotations': {REVISION_ANN: annotations(
                                       self._current_rs(v) or {}).get(REVISION_ANN, '')},
                                   'ownerReferences': [_owner(ro)]},
                      'spec': {'metrics': [{'name': 'kubesim', 'provider': {'web': {
                          'url': 'http://kubesim.invalid/analysis'}}}]},
                      'status': status}
                self.store.create(ar, self.user)
            else:
                status['startedAt'] = dig(cur, 'status', 'startedAt', default=t)
                cur['status'] = status
                self.store.update(cur, self.user)
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise
            log('rollouts', 'analysis run %s: %s' % (name, e))

    def _bluegreen(self, v):
        st = v.st
        bg = v.bluegreen
        st.setdefault('blueGreen', {})
        if st.get('stableRS') == st.get('currentPodHash'):
            return
        rs = self._current_rs(v)
        if rs is None or self._ready_pods(rs) < v.replicas:
            v.wake(self.settings.poll)
            return
        if bg.get('autoPromotionEnabled', True) is False:
            if not self._pause_done(v, {}, 'BlueGreenPause'):
                return
        elif bg.get('autoPromotionSeconds'):
            if not self._pause_done(v, {'duration': int(bg['autoPromotionSeconds'])},
                                    'BlueGreenPause'):
                return
        self._promote(v)

    # --- replica sets and pods ------------------------------------------------------
    def _current_rs(self, v):
        for rs in self._replica_sets(v.ro).values():
            if rs['metadata'].get('labels', {}).get(HASH_LABEL) == v.st.get('currentPodHash'):
                return rs
        return None

    def _canary_count(self, v, weight):
        return min(v.replicas, int(math.ceil(v.replicas * float(weight) / 100.0)))

    def _current_weight(self, v):
        st = v.st
        if st.get('abort'):
            return 0
        idx = int(st.get('currentStepIndex') or 0)
        if st.get('stableRS') == st.get('currentPodHash') or idx >= len(v.steps):
            return 100
        w = 0
        for s in v.steps[:idx + 1]:
            if 'setWeight' in s:
                w = int(s['setWeight'])
        return w

    def _targets(self, v):
        """hash -> desired replicas."""
        st = v.st
        cur, stable = st.get('currentPodHash'), st.get('stableRS')
        if v.canary is not None:
            w = self._current_weight(v)
            if cur == stable:
                return {cur: v.replicas}
            n = self._canary_count(v, w) if w < 100 else v.replicas
            return {cur: n, stable: v.replicas - n if w < 100 else 0}
        if st.get('abort'):
            return {stable: v.replicas, cur: 0}
        if cur == stable:
            return {cur: v.replicas}
        return {cur: v.replicas, stable: v.replicas}

    def _scale(self, v, rsets):
        rsets.update(self._replica_sets(v.ro))
        want = self._targets(v)
        for h, rs in list(rsets.items()):
            n = want.get(h, 0)
            if rs['spec'].get('replicas') != n:
                rs = self._set_rs(rs, replicas=n)
                rsets[h] = rs
            self._sync_pods(v, rs, n)
        if v.bluegreen is not None:
            self._services(v)

    def _pods(self, rs):
        if self.res['pod'] is None:
            return []
        return [p for p in self.store.list(self.res['pod'], rs['metadata'].get('namespace'))
                if _owned_by(p, rs) and not p['metadata'].get('deletionTimestamp')]

    def _ready_pods(self, rs):
        return sum(1 for p in self._pods(rs) if p.get('status', {}).get('phase') == 'Running')

    def _sync_pods(self, v, rs, n):
        if self.res['pod'] is None:
            return
        pods = sorted(self._pods(rs), key=lambda p: p['metadata']['name'])
        for p in pods[n:]:
            self._delete(self.res['pod'], p)
        pods = pods[:n]
        existing = {p['metadata']['name'] for p in pods}
        i = 0
        while len(pods) < n:
            name = '%s-%s' % (rs['metadata']['name'], SAFE[i % 27] + SAFE[(i // 27) % 27] +
                              hashlib.sha1(('%s%d%s' % (rs['metadata']['name'], i,
                                                        v.st.get('restartedAt', ''))).encode())
                              .hexdigest()[:3])
            i += 1
            if name in existing:
                continue
            p = self._create_pod(rs, name)
            if p is None:
                break
            pods.append(p)
            existing.add(name)
        delay = delay_of(v.ro, self.settings.workload_delay)
        for p in pods:
            if p.get('status', {}).get('phase') == 'Running':
                continue
            first = self._first_seen(p)
            if now() >= first + delay:
                self._pod_ready(p)
            else:
                v.wake(first + delay - now())

    def _first_seen(self, p):
        uid = p['metadata'].get('uid') or p['metadata']['name']
        if len(self._seen) > 20000:
            self._seen.clear()
        return self._seen.setdefault(uid, now())

    def _create_pod(self, rs, name):
        tmpl = rs['spec'].get('template') or {}
        pod = {'apiVersion': 'v1', 'kind': 'Pod',
               'metadata': {'name': name, 'namespace': rs['metadata'].get('namespace'),
                            'labels': dict((tmpl.get('metadata') or {}).get('labels') or {}),
                            'ownerReferences': [_owner(rs)]},
               'spec': deep(tmpl.get('spec') or {'containers': []})}
        try:
            return self.store.create(pod, self.user)
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise
            log('rollouts', 'creating pod %s: %s' % (name, e))
            return None

    def _pod_ready(self, p):
        t = rfc3339()
        cur = deep(p)
        cs = [{'name': c.get('name', ''), 'image': c.get('image', ''), 'ready': True,
               'restartCount': 0, 'started': True, 'state': {'running': {'startedAt': t}}}
              for c in (p.get('spec') or {}).get('containers') or []]
        cur['status'] = {'phase': 'Running', 'startTime': t, 'containerStatuses': cs,
                         'conditions': [{'type': 'Ready', 'status': 'True',
                                         'lastTransitionTime': t}]}
        try:
            self.store.update(cur, self.user, subresource='status')
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise

    def _delete(self, resource, obj):
        try:
            self.store.delete(resource, obj['metadata'].get('namespace'),
                              obj['metadata']['name'], self.user)
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise

    def _services(self, v):
        st = v.st
        bg = v.bluegreen
        active = st.get('stableRS') if st.get('stableRS') else st.get('currentPodHash')
        if st.get('stableRS') == st.get('currentPodHash'):
            active = st['currentPodHash']
        preview = st.get('currentPodHash')
        st.setdefault('blueGreen', {})['activeSelector'] = active
        if bg.get('previewService'):
            st['blueGreen']['previewSelector'] = preview
        for svc, h in ((bg.get('activeService'), active), (bg.get('previewService'), preview)):
            if svc and h and self.res['svc']:
                self._point_service(v.ro['metadata'].get('namespace'), svc, h)

    def _point_service(self, ns, name, h):
        for _ in range(5):
            svc = self.store.get(self.res['svc'], ns, name)
            if svc is None or (svc.get('spec') or {}).get('selector', {}).get(HASH_LABEL) == h:
                return
            svc.setdefault('spec', {}).setdefault('selector', {})[HASH_LABEL] = h
            ann = svc['metadata'].setdefault('annotations', {})
            ann['argo-rollouts.argoproj.io/managed-by-rollouts'] = 'true'
            try:
                self.store.update(svc, self.user)
                return
            except Exception as e:  # noqa: BLE001
                if api_code(e) != 409:
                    if api_code(e) is None:
                        raise
                    log('rollouts', 'service %s: %s' % (name, e))
                    return

    def _restart(self, v, rsets):
        at = v.spec.get('restartAt')
        if not at or v.st.get('restartedAt') == at:
            return
        t = parse_time(at)
        if t is None or t > now():
            if t is not None:
                v.wake(t - now())
            return
        for rs in rsets.values():
            for p in self._pods(rs):
                if (parse_time(p['metadata'].get('creationTimestamp')) or 0) < t:
                    self._delete(self.res['pod'], p)
        v.st['restartedAt'] = at
        v.wake(0.05)

    # --- status -----------------------------------------------------------------------
    def _finish_status(self, v, rsets):
        st = v.st
        rsets.update(self._replica_sets(v.ro))
        total = ready = updated = 0
        for h, rs in rsets.items():
            pods = self._pods(rs)
            r = sum(1 for p in pods if p.get('status', {}).get('phase') == 'Running')
            self._rs_status(rs, len(pods), r)
            total += len(pods)
            ready += r
            if h == st.get('currentPodHash'):
                updated = len(pods)
        st['replicas'] = total
        st['updatedReplicas'] = updated
        st['readyReplicas'] = ready
        st['availableReplicas'] = ready
        st['HPAReplicas'] = total
        st['observedGeneration'] = str(v.ro['metadata'].get('generation') or 1)
        sel = dict(dig(v.spec, 'selector', 'matchLabels') or {})
        st['selector'] = _selector_string({'matchLabels': sel,
                                           'matchExpressions': dig(v.spec, 'selector',
                                                                   'matchExpressions')})
        if v.canary is not None:
            self._weights(v)
        if not st.get('controllerPause'):
            st.pop('controllerPause', None)
        self._conditions(v, rsets)
        st['phase'], st['message'] = self._phase(v)
        if st.get('abort') is False:
            st.pop('abort')

    def _rs_status(self, rs, n, ready):
        want = {'replicas': n, 'fullyLabeledReplicas': n, 'readyReplicas': ready,
                'availableReplicas': ready,
                'observedGeneration': rs['metadata'].get('generation') or 1}
        if rs.get('status') == want:
            return
        cur = deep(rs)
        cur['status'] = want
        try:
            self.store.update(cur, self.user, subresource='status')
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise

    def _weights(self, v):
        st = v.st
        w = self._current_weight(v)
        if st.get('stableRS') == st.get('currentPodHash'):
            w = 0
        c = v.canary
        canary = {'weight': w, 'podTemplateHash': st.get('currentPodHash', '')}
        stable = {'weight': 100 - w, 'podTemplateHash': st.get('stableRS', '')}
        if c.get('canaryService'):
            canary['serviceName'] = c['canaryService']
        if c.get('stableService'):
            stable['serviceName'] = c['stableService']
        st.setdefault('canary', {})['weights'] = {'canary': canary, 'stable': stable}

    def _conditions(self, v, rsets):
        st = v.st
        cur_rs = rsets.get(st.get('currentPodHash'))
        rev = annotations(cur_rs or {}).get(REVISION_ANN, '')
        name = v.ro['metadata']['name']
        t = rfc3339()
        done = st.get('stableRS') == st.get('currentPodHash')
        healthy = done and st['availableReplicas'] >= v.replicas and st['updatedReplicas'] == st['replicas']
        paused = bool(st.get('pauseConditions')) or bool(v.spec.get('paused'))
        if st.get('abort'):
            prog = ('False', 'RolloutAborted', 'Rollout aborted update to revision %s' % rev)
        elif paused:
            prog = ('Unknown', 'RolloutPaused', 'Rollout is paused')
        elif healthy:
            prog = ('True', 'NewReplicaSetAvailable', 'Rollout "%s" has successfully progressed.'
                    % name)
        else:
            prog = ('True', 'ReplicaSetUpdated', 'ReplicaSet "%s-%s" is progressing.'
                    % (name, st.get('currentPodHash', '')))
        want = [('Progressing',) + prog,
                ('Available',) + (('True', 'AvailableReason', 'Rollout has minimum availability')
                                  if st['availableReplicas'] >= v.replicas else
                                  ('False', 'AvailableReason',
                                   'Rollout does not have minimum availability')),
                ('Completed',) + (('True', 'RolloutCompleted', 'Rollout completed update to '
                                   'revision %s (%s): Rollout completed' %
                                   (rev, st.get('currentPodHash', ''))) if healthy else
                                  ('False', 'RolloutCompleted', 'Rollout not completed, started '
                                   'update to revision %s (%s)' % (rev, st.get('currentPodHash', '')))),
                ('Healthy',) + (('True', 'RolloutHealthy', 'Rollout is healthy') if healthy else
                                ('False', 'RolloutHealthy', 'Rollout is not healthy'))]
        if paused:
            want.append(('Paused', 'True', 'RolloutPaused', 'Rollout is paused'))
        old = {c.get('type'): c for c in v.old.get('conditions') or []}
        out = []
        for ty, status, reason, msg in want:
            o = old.get(ty) or {}
            same = (o.get('status'), o.get('reason'), o.get('message')) == (status, reason, msg)
            out.append({'type': ty, 'status': status, 'reason': reason, 'message': msg,
                        'lastUpdateTime': o.get('lastUpdateTime', t) if same else t,
                        'lastTransitionTime': o.get('lastTransitionTime', t)
                        if o.get('status') == status else t})
        st['conditions'] = out

    def _phase(self, v):
        """CalculateRolloutPhase (argo-rollouts utils/rollout/rolloututil.go)."""
        st = v.st
        for c in st.get('conditions') or []:
            if c.get('type') == 'InvalidSpec':
                return 'Degraded', 'InvalidSpec: ' + c.get('message', '')
            if c.get('reason') in ('RolloutAborted', 'ProgressDeadlineExceeded'):
                return 'Degraded', '%s: %s' % (c['reason'], c.get('message', ''))
        if v.spec.get('paused'):
            return 'Paused', 'manually paused'
        if st.get('pauseConditions'):
            return 'Paused', st['pauseConditions'][0].get('reason', '')
        if v.spec.get('restartAt') and v.spec['restartAt'] != st.get('restartedAt'):
            return 'Progressing', 'rollout is restarting'
        if st['updatedReplicas'] < v.replicas:
            return 'Progressing', 'more replicas need to be updated'
        if st['availableReplicas'] < st['updatedReplicas']:
            return 'Progressing', 'updated replicas are still becoming available'
        if v.bluegreen is not None:
            bg = st.get('blueGreen') or {}
            if bg.get('activeSelector') != st.get('currentPodHash'):
                return 'Progressing', 'active service cutover pending'
            if st.get('stableRS') != st.get('currentPodHash'):
                return 'Progressing', 'waiting for post-promotion verification to complete'
        else:
            if st['replicas'] > st['updatedReplicas']:
                return 'Progressing', 'old replicas are pending termination'
            if st.get('stableRS') != st.get('currentPodHash'):
                return 'Progressing', 'waiting for all steps to complete'
        return 'Healthy', ''
