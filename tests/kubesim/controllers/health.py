"""Resource health as Argo CD assesses it (gitops-engine pkg/health plus the
Lua checks Argo CD ships), computed from live objects.

Workload status (Deployment, StatefulSet, ReplicaSet, PVC, Job) is written
by the simulated workload controllers (workloads.py), so the checks here
read status like the real ones do.  Any other kind may carry the
simulator-only annotations kubesim.dev/health (Healthy, Progressing,
Degraded, Suspended, Missing, Unknown), kubesim.dev/health-message and
kubesim.dev/health-delay (a Go duration counted from creation); kinds with
no check and no annotation have no health (None), as a ConfigMap in Argo CD.
"""

from .common import (ANN_HEALTH, ANN_HEALTH_DELAY, ANN_HEALTH_MESSAGE,
                     annotations, dig, now, parse_go_duration, parse_time)

HEALTHY = 'Healthy'
PROGRESSING = 'Progressing'
DEGRADED = 'Degraded'
SUSPENDED = 'Suspended'
MISSING = 'Missing'
UNKNOWN = 'Unknown'

# Worse is larger (gitops-engine health.go healthOrder).
ORDER = [HEALTHY, SUSPENDED, PROGRESSING, MISSING, DEGRADED, UNKNOWN]


def worse(a, b):
    return ORDER.index(a) > ORDER.index(b)


def _hs(status, message=''):
    return {'status': status, 'message': message}


def _int(v, default=0):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _cond(obj, ctype):
    for c in dig(obj, 'status', 'conditions', default=[]) or []:
        if c.get('type') == ctype:
            return c
    return None


def _deployment(obj):
    name = obj['metadata'].get('name', '')
    if dig(obj, 'spec', 'paused'):
        return _hs(SUSPENDED, 'Deployment is paused')
    st = obj.get('status') or {}
    gen = _int(obj['metadata'].get('generation'), 1)
    if gen > _int(st.get('observedGeneration'), 0):
        return _hs(PROGRESSING, 'Waiting for rollout to finish: observed deployment '
                   'generation less than desired generation')
    c = _cond(obj, 'Progressing')
    if c and c.get('reason') == 'ProgressDeadlineExceeded':
        return _hs(DEGRADED, 'Deployment "%s" exceeded its progress deadline' % name)
    want = dig(obj, 'spec', 'replicas')
    upd = _int(st.get('updatedReplicas'))
    if want is not None and upd < _int(want):
        return _hs(PROGRESSING, 'Waiting for rollout to finish: %d out of %d new '
                   'replicas have been updated...' % (upd, _int(want)))
    if _int(st.get('replicas')) > upd:
        return _hs(PROGRESSING, 'Waiting for rollout to finish: %d old replicas are '
                   'pending termination...' % (_int(st.get('replicas')) - upd))
    if _int(st.get('availableReplicas')) < upd:
        return _hs(PROGRESSING, 'Waiting for rollout to finish: %d of %d updated '
                   'replicas are available...' % (_int(st.get('availableReplicas')), upd))
    return _hs(HEALTHY)


def _statefulset(obj):
    st = obj.get('status') or {}
    og = _int(st.get('observedGeneration'))
    if og == 0 or _int(obj['metadata'].get('generation'), 1) > og:
        return _hs(PROGRESSING, 'Waiting for statefulset spec update to be observed...')
    want = dig(obj, 'spec', 'replicas')
    if want is not None and _int(st.get('readyReplicas')) < _int(want):
        return _hs(PROGRESSING, 'Waiting for %d pods to be ready...'
                   % (_int(want) - _int(st.get('readyReplicas'))))
    if st.get('updateRevision') != st.get('currentRevision'):
        return _hs(PROGRESSING, 'waiting for statefulset rolling update to complete '
                   '%d pods at revision %s...' % (_int(st.get('updatedReplicas')),
                                                   st.get('updateRevision')))
    return _hs(HEALTHY, 'statefulset rolling update complete %d pods at revision %s...'
               % (_int(st.get('currentReplicas')), st.get('currentRevision')))


def _replicaset(obj):
    st = obj.get('status') or {}
    if _int(obj['metadata'].get('generation'), 1) > _int(st.get('observedGeneration')):
        return _hs(PROGRESSING, 'Waiting for rollout to finish: observed replica set '
                   'generation less than desired generation')
    c = _cond(obj, 'ReplicaFailure')
    if c and c.get('status') == 'True':
        return _hs(DEGRADED, c.get('message', ''))
    want = dig(obj, 'spec', 'replicas')
    if want is not None and _int(st.get('availableReplicas')) < _int(want):
        return _hs(PROGRESSING, 'Waiting for rollout to finish: %d out of %d new '
                   'replicas are available...' % (_int(st.get('availableReplicas')),
                                                  _int(want)))
    return _hs(HEALTHY)


def _pvc(obj):
    phase = dig(obj, 'status', 'phase')
    if phase == 'Lost':
        return _hs(DEGRADED)
    if phase == 'Pending':
        return _hs(PROGRESSING)
    if phase == 'Bound':
        return _hs(HEALTHY)
    return _hs(UNKNOWN)


def _job(obj):
    for c in dig(obj, 'status', 'conditions', default=[]) or []:
        if c.get('status') != 'True':
            continue
        if c.get('type') == 'Failed':
            return _hs(DEGRADED, c.get('message', ''))
        if c.get('type') == 'Complete':
            return _hs(HEALTHY, c.get('message', ''))
    if dig(obj, 'spec', 'suspend'):
        return _hs(SUSPENDED, 'Job is suspended')
    return _hs(PROGRESSING)


def _pod(obj):
    phase = dig(obj, 'status', 'phase')
    if phase == 'Succeeded':
        return _hs(HEALTHY, dig(obj, 'status', 'message', default=''))
    if phase == 'Failed':
        return _hs(DEGRADED, dig(obj, 'status', 'message', default=''))
    if phase == 'Running':
        c = _cond(obj, 'Ready')
        if c and c.get('status') == 'True':
            return _hs(HEALTHY)
        return _hs(PROGRESSING)
    return _hs(PROGRESSING)


def _service(obj):
    if dig(obj, 'spec', 'type') == 'LoadBalancer' and \
            not dig(obj, 'status', 'loadBalancer', 'ingress'):
        return _hs(PROGRESSING)
    return _hs(HEALTHY)


def _application(obj):
    # The Lua check the Argo CD docs recommend for app-of-apps waves.
    h = dig(obj, 'status', 'health')
    if h and h.get('status'):
        return _hs(h['status'], h.get('message', ''))
    return _hs(PROGRESSING)


def _rollout(obj):
    # Argo CD's resource_customizations/argoproj.io/Rollout/health.lua, short.
    st = obj.get('status') or {}
    og = st.get('observedGeneration')
    if og is not None and str(og).isdigit() and \
            _int(og) != _int(obj['metadata'].get('generation'), 1):
        return _hs(PROGRESSING, 'Waiting for rollout spec update to be observed')
    phase = st.get('phase')
    if phase == 'Paused':
        return _hs(SUSPENDED, st.get('message') or 'Rollout is paused')
    if phase in (HEALTHY, PROGRESSING, DEGRADED):
        return _hs(phase, st.get('message', ''))
    return _hs(PROGRESSING, 'Waiting for rollout to finish: status has not been reconciled.')


CHECKS = {
    ('apps', 'Deployment'): _deployment,
    ('apps', 'StatefulSet'): _statefulset,
    ('apps', 'ReplicaSet'): _replicaset,
    ('', 'PersistentVolumeClaim'): _pvc,
    ('batch', 'Job'): _job,
    ('', 'Pod'): _pod,
    ('', 'Service'): _service,
    ('', 'Namespace'): lambda o: _hs(HEALTHY),
    ('argoproj.io', 'Application'): _application,
    ('argoproj.io', 'Rollout'): _rollout,
}
# Kinds whose status the simulator's workload controllers write: their
# health comes from that status, not from the annotations directly.
SIMULATED = {('apps', 'Deployment'), ('apps', 'StatefulSet'), ('apps', 'ReplicaSet'),
             ('', 'PersistentVolumeClaim'), ('batch', 'Job'),
             ('argoproj.io', 'Rollout'), ('argoproj.io', 'Application')}


def delay_of(obj, default=0.0):
    v = annotations(obj).get(ANN_HEALTH_DELAY)
    if not v:
        return default
    try:
        return max(0.0, parse_go_duration(str(v)))
    except ValueError:
        return default


def _annotated(obj, group, kind, t):
    ann = annotations(obj)
    if ANN_HEALTH not in ann and ANN_HEALTH_DELAY not in ann:
        return None
    created = parse_time(obj['metadata'].get('creationTimestamp')) or 0
    if t < created + delay_of(obj):
        return _hs(PROGRESSING, 'simulated: becomes %s after %s'
                   % (ann.get(ANN_HEALTH, HEALTHY), ann.get(ANN_HEALTH_DELAY)))
    status = ann.get(ANN_HEALTH, HEALTHY)
    if status not in ORDER:
        status = UNKNOWN
    return _hs(status, ann.get(ANN_HEALTH_MESSAGE, ''))


def resource_health(obj, group, kind, t=None):
    """{'status','message'} or None for a kind without health."""
    if obj is None:
        return _hs(MISSING)
    if obj.get('metadata', {}).get('deletionTimestamp'):
        return _hs(PROGRESSING, 'Pending deletion')
    if t is None:
        t = now()
    if (group, kind) not in SIMULATED:
        h = _annotated(obj, group, kind, t)
        if h is not None:
            return h
    fn = CHECKS.get((group, kind))
    return fn(obj) if fn else None
