"""Helpers shared by the simulated controllers: identities, time, API
errors, object keys and a small work queue.

The controllers never hold the store's lock: the store calls their
subscribers after each commit, and a subscriber only puts a key on a queue
that a worker thread drains.
"""

import copy
import datetime
import heapq
import sys
import threading
import time
import traceback

ARGOCD_USER = {
    'username': 'system:serviceaccount:argocd:argocd-application-controller',
    'groups': ['system:serviceaccounts', 'system:serviceaccounts:argocd',
               'system:authenticated'],
}
ROLLOUTS_USER = {
    'username': 'system:serviceaccount:argo-rollouts:argo-rollouts',
    'groups': ['system:serviceaccounts', 'system:serviceaccounts:argo-rollouts',
               'system:authenticated'],
}
# Stands in for kube-controller-manager's workload controllers.
WORKLOADS_USER = {
    'username': 'system:serviceaccount:kube-system:deployment-controller',
    'groups': ['system:serviceaccounts', 'system:serviceaccounts:kube-system',
               'system:authenticated'],
}

# Annotations only the simulator reads (fixtures use them to script outcomes).
ANN_HEALTH = 'kubesim.dev/health'
ANN_HEALTH_MESSAGE = 'kubesim.dev/health-message'
ANN_HEALTH_DELAY = 'kubesim.dev/health-delay'
ANN_SYNC_FAIL = 'kubesim.dev/sync-fail'
ANN_ANALYSIS = 'kubesim.dev/analysis-result'


# --- time -----------------------------------------------------------------

def now():
    return time.time()


def rfc3339(t=None):
    """Second-precision UTC timestamp, as metav1.Time marshals."""
    if t is None:
        t = now()
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc) \
        .strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(s):
    """RFC 3339 (with or without fraction/offset) to epoch seconds, or None."""
    if not isinstance(s, str) or not s:
        return None
    v = s.strip()
    if v.endswith('Z') or v.endswith('z'):
        v = v[:-1] + '+00:00'
    try:
        d = datetime.datetime.fromisoformat(v)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


_UNITS = {'ns': 1e-9, 'us': 1e-6, '\u00b5s': 1e-6, 'ms': 1e-3, 's': 1.0,
          'm': 60.0, 'h': 3600.0}


def parse_go_duration(s):
    """Go time.ParseDuration: '1h30m', '1.5h', '90s', '-5m'.  Raises ValueError."""
    if not isinstance(s, str) or not s:
        raise ValueError('invalid duration %r' % (s,))
    v = s
    sign = 1.0
    if v[0] in '+-':
        sign = -1.0 if v[0] == '-' else 1.0
        v = v[1:]
    if v == '0':
        return 0.0
    if not v:
        raise ValueError('invalid duration %r' % (s,))
    total = 0.0
    i = 0
    while i < len(v):
        j = i
        while j < len(v) and (v[j].isdigit() or v[j] == '.'):
            j += 1
        num = v[i:j]
        if not num or num == '.' or num.count('.') > 1:
            raise ValueError('invalid duration %r' % (s,))
        k = j
        while k < len(v) and not (v[k].isdigit() or v[k] == '.'):
            k += 1
        unit = v[j:k]
        if unit not in _UNITS:
            raise ValueError('unknown unit %r in duration %r' % (unit, s))
        total += float(num) * _UNITS[unit]
        i = k
    return sign * total


def parse_backoff_duration(v):
    """Argo CD's retry durations: a bare integer means seconds."""
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v.strip().lstrip('-').isdigit():
        return float(v.strip())
    return parse_go_duration(v)


# --- objects --------------------------------------------------------------

def meta(obj):
    return obj.setdefault('metadata', {})


def annotations(obj):
    return (obj.get('metadata') or {}).get('annotations') or {}


def labels(obj):
    return (obj.get('metadata') or {}).get('labels') or {}


def group_version(api_version):
    if not api_version:
        return '', ''
    if '/' in api_version:
        g, v = api_version.split('/', 1)
        return g, v
    return '', api_version


def obj_key(obj):
    """(group, kind, namespace, name): how Argo CD identifies a resource."""
    g, _ = group_version(obj.get('apiVersion', ''))
    m = obj.get('metadata') or {}
    return (g, obj.get('kind', ''), m.get('namespace') or '', m.get('name', ''))


_ATOMS = (str, int, float, bool, type(None))


def deep(obj):
    """A deep copy.  Objects are JSON data, so dicts and lists are copied by
    hand (several times faster than copy.deepcopy, which a reconcile of an
    app-of-apps used to spend most of its time in); anything else falls back
    to copy.deepcopy."""
    t = type(obj)
    if t is dict:
        return {k: deep(v) for k, v in obj.items()}
    if t is list:
        return [deep(v) for v in obj]
    if t in _ATOMS:
        return obj
    return copy.deepcopy(obj)


def dig(obj, *path, default=None):
    cur = obj
    for p in path:
        if isinstance(cur, dict):
            cur = cur.get(p)
        elif isinstance(cur, list) and isinstance(p, int) and -len(cur) <= p < len(cur):
            cur = cur[p]
        else:
            return default
        if cur is None:
            return default
    return cur


# --- API errors (duck-typed: the store raises store.ApiError) ------------

def is_api_error(e):
    return isinstance(getattr(e, 'code', None), int) and not isinstance(e, OSError)


def api_code(e):
    return getattr(e, 'code', None) if is_api_error(e) else None


def api_message(e):
    msg = getattr(e, 'message', None)
    return msg if msg else str(e)


def update_with_retry(store, resource, namespace, name, mutate, user,
                      subresource=None, attempts=10):
    """GET, mutate(obj) -> bool (False: nothing to write), PUT with the
    resourceVersion; re-read and retry on 409.  Returns the written object,
    the unchanged one, or None when the object is gone."""
    for _ in range(attempts):
        obj = store.get(resource, namespace, name)
        if obj is None:
            return None
        if not mutate(obj):
            return obj
        try:
            return store.update(obj, user, subresource=subresource)
        except Exception as e:  # noqa: BLE001 - re-raised unless a conflict
            if api_code(e) == 409:
                continue
            if api_code(e) == 404:
                return None
            raise
    raise RuntimeError('too many conflicts updating %s %s/%s'
                       % (resource, namespace, name))


def log(component, msg):
    sys.stderr.write('kubesim[%s]: %s\n' % (component, msg))
    sys.stderr.flush()


# --- work queue -----------------------------------------------------------

class WorkQueue:
    """A deduplicating queue with delayed adds, drained by one thread.

    handler(key) is called for each key; an exception is logged and the key
    is retried after a second, as a controller's rate-limited requeue.

    add_soon(key, delay) coalesces a burst: a key already ready, or already
    waiting for an earlier add_soon, is not queued again, so many events for
    one key within `delay` cost one call of the handler."""

    def __init__(self, name, handler):
        self.name = name
        self.handler = handler
        self.cond = threading.Condition()
        self.ready = []           # keys in FIFO order
        self.ready_set = set()
        self.timers = []          # heap of (due, seq, key)
        self.seq = 0
        self.soon = set()         # keys waiting for an add_soon timer
        self.stopped = False
        self.busy = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self):
        self.thread.start()

    def add(self, key, delay=0.0):
        with self.cond:
            if self.stopped:
                return
            if delay and delay > 0:
                self.seq += 1
                heapq.heappush(self.timers, (now() + delay, self.seq, key))
            elif key not in self.ready_set:
                self.ready.append(key)
                self.ready_set.add(key)
            self.cond.notify()

    def add_soon(self, key, delay):
        with self.cond:
            if self.stopped or key in self.ready_set or key in self.soon:
                return
            self.soon.add(key)
            self.seq += 1
            heapq.heappush(self.timers, (now() + delay, self.seq, key))
            self.cond.notify()

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout=5)

    def idle(self):
        with self.cond:
            return not self.ready and not self.soon and not self.busy

    def _next(self):
        with self.cond:
            while not self.stopped:
                t = now()
                while self.timers and self.timers[0][0] <= t:
                    _, _, key = heapq.heappop(self.timers)
                    self.soon.discard(key)
                    if key not in self.ready_set:
                        self.ready.append(key)
                        self.ready_set.add(key)
                if self.ready:
                    key = self.ready.pop(0)
                    self.ready_set.discard(key)
                    self.busy = True
                    return key
                timeout = None
                if self.timers:
                    timeout = max(0.0, self.timers[0][0] - t)
                self.cond.wait(timeout)
            return None

    def _run(self):
        while True:
            key = self._next()
            if key is None:
                return
            try:
                self.handler(key)
            except Exception:  # noqa: BLE001 - a controller must survive
                log(self.name, 'error processing %r:\n%s'
                    % (key, traceback.format_exc()))
                self.add(key, 1.0)
            finally:
                with self.cond:
                    self.busy = False


class Ticker:
    """Calls fn every `period` seconds on its own thread until stopped."""

    def __init__(self, name, period, fn):
        self.period = period
        self.fn = fn
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout=5)

    def _run(self):
        while not self.stop_event.wait(self.period):
            try:
                self.fn()
            except Exception:  # noqa: BLE001
                log(self.thread.name, traceback.format_exc())
