"""The simulated Argo CD application controller.

Watches Applications, AppProjects and every object carrying a tracking id;
compares each app with its repo directory (status.sync, health, resources,
conditions), processes `.operation` (syncengine.SyncPass, one pass per
wake-up, state persisted in status.operationState), auto-syncs, and runs the
cascading-deletion finalizer.  Writes go through admission as the
argocd-application-controller service account.

Deliberate differences from Argo CD (argocd.md): per-resource health is
always persisted in status.resources (as with --persist-resource-health);
a child Application's health is its status.health (the Lua check the docs
recommend for app-of-apps); a Terminating operation is terminated even
while a sync window blocks it; operation sync options, when present,
replace the app's instead of being merged.

Simulator-only knob for benchmarks: an Application annotated
kubesim.dev/sync-latency (a Go duration, not scaled by time_scale) shows each
new operation as Running for that long before its first pass, so that every
sync takes a fixed, sub-second-precise time.  (kubesim.dev/health-delay on a
resource cannot do that: it counts from the second-precision
creationTimestamp and is only noticed at the next 0.25 s poll.)
"""

import datetime
import json

from . import windows
from .common import (ARGOCD_USER, Ticker, WorkQueue, annotations, api_code, deep, dig,
                     log, now, parse_backoff_duration, parse_go_duration, parse_time,
                     rfc3339, update_with_retry)
from .compare import (APPS, Comparer, instance_name, parse_instance, sync_options,
                      tracked_instance, wave_of, has_option)
from .kinds import Kinds
from .project import app_namespace_permitted
from .syncengine import (COMPLETED, ERROR, FAILED, RUNNING, SUCCEEDED, TERMINATING,
                         SyncPass, is_deletion_approved)

REFRESH_ANN = 'argocd.argoproj.io/refresh'
REFRESH_TS_ANN = 'argocd.argoproj.io/refresh-timestamp'
FINALIZER = 'resources-finalizer.argocd.argoproj.io'
FINALIZERS = (FINALIZER, FINALIZER + '/foreground', FINALIZER + '/background')
BLOCKED = 'Sync operation blocked by sync window'
SYNC_LATENCY_ANN = 'kubesim.dev/sync-latency'
# How long a change of a tracked object waits for others before its app is
# compared again (seconds, not scaled: it bounds the controller's work).
TRACKED_DEBOUNCE = 0.05


def _spec_hash(app):
    return json.dumps(app.get('spec'), sort_keys=True)


def format_conditions(conds):
    return ';'.join('%s: %s' % c for c in conds)


def sync_latency(app):
    """Seconds from kubesim.dev/sync-latency; 0 when absent, invalid or negative."""
    v = annotations(app).get(SYNC_LATENCY_ANN)
    if not v:
        return 0.0
    try:
        return max(0.0, parse_go_duration(str(v)))
    except ValueError:
        return 0.0


class AppController:
    def __init__(self, store, settings):
        self.store = store
        self.settings = settings
        self.kinds = Kinds(store)
        self.comparer = Comparer(store, self.kinds, settings)
        self.user = ARGOCD_USER
        self.queue = WorkQueue('argocd', self._process)
        self.ticker = Ticker('argocd-resync', settings.resync, self._resync)
        self.spec_seen = {}
        self.not_before = {}
        self.retry_due = {}

    # --- lifecycle and events ---------------------------------------------------
    def start(self):
        self.store.subscribe(self._on_event)
        self.queue.start()
        self.ticker.start()
        self._resync()

    def stop(self):
        self.ticker.stop()
        self.queue.stop()

    def instance(self, app):
        return instance_name(app, self.settings.control_ns)

    def _on_event(self, event, obj):
        api = obj.get('apiVersion', '')
        kind = obj.get('kind', '')
        md = obj.get('metadata') or {}
        if api.startswith('argoproj.io/') and kind == 'Application':
            self.queue.add(('app', md.get('namespace'), md.get('name')))
        elif api.startswith('argoproj.io/') and kind == 'AppProject':
            self.queue.add(('project', md.get('name')))
        inst = tracked_instance(obj, self.settings.tracking)
        if inst:
            # An app-of-apps tracks hundreds of objects that change in
            # bursts; one comparison after the burst sees them all.
            ns, name = parse_instance(inst, self.settings.control_ns)
            self.queue.add_soon(('app', ns, name), TRACKED_DEBOUNCE)

    def _resync(self):
        for app in self.store.list(APPS):
            md = app['metadata']
            self.queue.add(('app', md.get('namespace'), md.get('name')))

    def _process(self, key):
        if key[0] == 'project':
            for app in self.store.list(APPS):
                if (dig(app, 'spec', 'project') or 'default') == key[1]:
                    md = app['metadata']
                    self.queue.add(('app', md.get('namespace'), md.get('name')))
            return
        _, ns, name = key
        app = self.store.get(APPS, ns, name)
        if app is None:
            self.spec_seen.pop(key, None)
            self.not_before.pop(key, None)
            self.retry_due.pop(key, None)
            return
        if not self._processable(app):
            return
        if app['metadata'].get('deletionTimestamp'):
            self._finalize(key, app)
            return
        force = False
        if app.get('operation'):
            if not self._operation(key, app):
                return
            app = self.store.get(APPS, ns, name)
            if app is None:
                return
            force = True
        self._reconcile(key, app, force)

    def _processable(self, app):
        ns = app['metadata'].get('namespace')
        if ns == self.settings.control_ns:
            return True
        proj = self.comparer.project(dig(app, 'spec', 'project'))
        return proj is not None and app_namespace_permitted(proj, ns, self.settings.control_ns)

    # --- reconcile ------------------------------------------------------------------
    def _reconcile(self, key, app, force):
        refresh = REFRESH_ANN in annotations(app)
        spec_hash = _spec_hash(app)
        force = force or refresh or self.spec_seen.get(key) != spec_hash
        c = self.comparer.compare(app)
        op, cond = self._auto_sync_plan(key, app, c)
        status = self._status(app, c, cond)
        cur = app.get('status') or {}
        changed = any(cur.get(k) != v for k, v in status.items() if k != 'reconciledAt')
        stale = (parse_time(cur.get('reconciledAt')) or 0) + self.settings.full_resync < now()
        if changed or force or stale:
            patch = {'status': {k: _merge_diff(cur.get(k), v) for k, v in status.items()}}
            if refresh:
                patch['metadata'] = {'annotations': {REFRESH_ANN: None, REFRESH_TS_ANN: None}}
            try:
                self.store.patch(APPS, key[1], key[2], 'merge', patch, self.user)
            except Exception as e:  # noqa: BLE001
                if api_code(e) is None:
                    raise
                if api_code(e) != 404:
                    log('argocd', 'status of %s/%s: %s' % (key[1], key[2], e))
                    self.queue.add(key, 1.0)
                return
        self.spec_seen[key] = spec_hash
        if op is not None:
            self._set_operation(key, op)

    def _status(self, app, c, extra_condition):
        cur = app.get('status') or {}
        spec = app.get('spec') or {}
        t = rfc3339()
        sync = {'status': c.sync_status}
        if c.multi:
            sync['comparedTo'] = {'sources': spec.get('sources') or [],
                                  'destination': spec.get('destination') or {}}
            if c.revisions:
                sync['revisions'] = c.revisions
        else:
            sync['comparedTo'] = {'source': spec.get('source') or {},
                                  'destination': spec.get('destination') or {}}
            if c.revision:
                sync['revision'] = c.revision
        hl = dict(c.health)
        old = cur.get('health') or {}
        if old.get('status') == hl['status'] and old.get('lastTransitionTime'):
            hl['lastTransitionTime'] = old['lastTransitionTime']
        else:
            hl['lastTransitionTime'] = t
        conds = list(c.conditions) + ([extra_condition] if extra_condition else [])
        prev = {(x.get('type'), x.get('message')): x.get('lastTransitionTime')
                for x in cur.get('conditions') or []}
        conditions = [{'type': ty, 'message': m, 'lastTransitionTime': prev.get((ty, m)) or t}
                      for ty, m in conds]
        images = sorted({i for r in c.targets.values() for i in _pod_images(r.obj)})
        st = {'sync': sync, 'health': hl, 'resources': c.resources or None,
              'conditions': conditions or None, 'reconciledAt': t,
              'summary': {'images': images} if images else {},
              'controllerNamespace': self.settings.control_ns}
        if c.multi:
            st['sourceTypes'] = ['Directory'] * len(c.sources)
        else:
            st['sourceType'] = 'Directory'
        return st

    # --- automated sync -----------------------------------------------------------------
    def _auto_sync_plan(self, key, app, c):
        """(operation to start or None, SyncError condition or None)."""
        policy = dig(app, 'spec', 'syncPolicy') or {}
        auto = policy.get('automated')
        if auto is None or auto.get('enabled') is False or app.get('operation'):
            return None, None
        if c.errors() or c.sync_status != 'OutOfSync':
            return None, None
        last = dig(app, 'status', 'operationState') or {}
        if last.get('phase') in (RUNNING, TERMINATING):
            return None, None
        self_heal = bool(auto.get('selfHeal'))
        resources = None
        if self._already_attempted(last, c):
            if last.get('phase') != SUCCEEDED:
                msg = 'Failed sync attempt to %s: %s' % (c.revision, last.get('message', ''))
                if last.get('retryCount'):
                    msg += ' (retried %d times).' % last['retryCount']
                return None, ('SyncError', msg)
            if not self_heal:
                return None, None
            due = (parse_time(last.get('finishedAt')) or 0) + self.settings.self_heal_timeout
            if now() < due:
                self.queue.add(key, due - now())
                return None, None
            resources = [self._resource_ref(k) for k in sorted(c.out_of_sync)
                         if k in c.targets]
            if not resources:
                return None, None
        if not auto.get('prune') and all(k not in c.targets for k in c.out_of_sync):
            return None, None
        if not c.targets and not auto.get('allowEmpty'):
            return None, None
        try:
            allowed = windows.can_sync(c.project, app, False)
        except ValueError:
            allowed = False
        if not allowed:
            return None, None
        sync = {'prune': bool(auto.get('prune'))}
        if c.multi:
            sync['revisions'] = c.revisions
        else:
            sync['revision'] = c.revision
        if policy.get('syncOptions'):
            sync['syncOptions'] = policy['syncOptions']
        if resources:
            sync['resources'] = resources
            sync['selfHealAttemptsCount'] = int(dig(last, 'operation', 'sync',
                                                    'selfHealAttemptsCount', default=0)) + 1
        op = {'sync': sync, 'initiatedBy': {'automated': True},
              'retry': policy.get('retry') or {'limit': 5}}
        return op, None

    @staticmethod
    def _resource_ref(k):
        g, kind, ns, name = k
        r = {'kind': kind, 'name': name}
        if g:
            r['group'] = g
        if ns:
            r['namespace'] = ns
        return r

    @staticmethod
    def _already_attempted(last, c):
        if not last or not last.get('operation', {}).get('sync'):
            return False
        sr = last.get('syncResult') or {}
        if c.multi:
            return sr.get('revisions') == c.revisions
        return sr.get('revision') == c.revision

    def _set_operation(self, key, op):
        def mutate(obj):
            if obj.get('operation') or obj['metadata'].get('deletionTimestamp'):
                return False
            obj['operation'] = op
            (obj.get('status') or {}).pop('operationState', None)
            return True
        update_with_retry(self.store, APPS, key[1], key[2], mutate, self.user)

    # --- operations --------------------------------------------------------------------
    def _operation(self, key, app):
        """Runs one pass; True when the operation completed."""
        op = app['operation']
        st = deep(dig(app, 'status', 'operationState'))
        prev_phase = st.get('phase') if st else None
        if not st or st.get('phase') in COMPLETED:
            st = {'operation': deep(op), 'phase': RUNNING, 'message': '',
                  'startedAt': rfc3339()}
            prev_phase = None
            latency = sync_latency(app)
            if latency > 0:
                # shown as Running at once; the first pass waits in not_before
                if self._write_state(key, app, st, None, False):
                    self.not_before[key] = now() + latency
                    self.queue.add(key, latency)
                else:
                    self.queue.add(key, 0.05)
                return False
        elif st.get('phase') == RUNNING and st.get('finishedAt') and st.get('retryCount'):
            # finishedAt has second precision; scaled backoffs need better
            due = self.retry_due.get(key) or parse_time(st['finishedAt']) + self._backoff(st)
            if now() < due:
                self.queue.add(key, due - now())
                return False
            self.retry_due.pop(key, None)
            st.pop('finishedAt', None)
            st.pop('syncResult', None)
            st['message'] = 'Retrying operation. Attempt #%d' % st['retryCount']
        if self.not_before.get(key, 0) > now() and st.get('phase') != TERMINATING:
            self.queue.add(key, self.not_before[key] - now())
            return False
        before = json.dumps(st, sort_keys=True)
        pas = self._run_pass(app, st)
        completed = st['phase'] in COMPLETED
        if completed:
            st['finishedAt'] = rfc3339()
            completed = not self._schedule_retry(key, st, prev_phase)
        if not completed and json.dumps(st, sort_keys=True) == before and prev_phase:
            self.queue.add(key, self.settings.poll)
            return False
        if not self._write_state(key, app, st, prev_phase, completed):
            self.queue.add(key, 0.05)
            return False
        if completed:
            self.not_before.pop(key, None)
            return True
        if pas is not None and pas.ran_wave and not pas.final_wave and not pas.dry_run:
            self.not_before[key] = now() + self.settings.wave_delay
            self.queue.add(key, self.settings.wave_delay)
        else:
            self.queue.add(key, self.settings.poll)
        return False

    def _run_pass(self, app, st):
        sync = (st.get('operation') or {}).get('sync')
        if st['phase'] == TERMINATING:
            c = self.comparer.compare(app, sync)
            pas = SyncPass(self, app, st, c)
            pas.terminate()
            self._store_pass(st, pas, c)
            return None
        if sync is None:
            st['phase'], st['message'] = ERROR, 'Invalid operation request: no operation specified'
            return None
        c = self.comparer.compare(app, sync)
        if c.errors():
            st['phase'], st['message'] = ERROR, format_conditions(c.errors())
            return None
        manual = not dig(st, 'operation', 'initiatedBy', 'automated', default=False)
        try:
            allowed = windows.can_sync(c.project, app, manual, parse_time(st.get('startedAt')))
        except ValueError:
            allowed = False
        if not allowed:
            st['phase'], st['message'] = RUNNING, BLOCKED
            return None
        pas = SyncPass(self, app, st, c)
        pas.run()
        self._store_pass(st, pas, c)
        return pas

    @staticmethod
    def _store_pass(st, pas, c):
        st['phase'], st['message'] = pas.phase, pas.message
        sr = {'resources': pas.results} if pas.results else {}
        if c.multi:
            sr['revisions'] = c.revisions
            sr['sources'] = c.sources
        else:
            sr['revision'] = c.revision
            sr['source'] = c.sources[0] if c.sources else {}
        st['syncResult'] = sr

    def _backoff(self, st):
        b = dig(st, 'operation', 'retry', 'backoff') or {}
        try:
            d = parse_backoff_duration(b.get('duration', '5s'))
            cap = parse_backoff_duration(b.get('maxDuration', '3m'))
        except ValueError:
            d, cap = 5.0, 180.0
        factor = b.get('factor', 2)
        try:
            factor = float(factor)
        except (TypeError, ValueError):
            factor = 2.0
        wait = min(d * factor ** max(0, int(st.get('retryCount', 1)) - 1), cap)
        return self.settings.scaled(wait)

    def _schedule_retry(self, key, st, prev_phase):
        """Turns a failed attempt into a pending retry; True when retrying."""
        if st['phase'] not in (FAILED, ERROR) or prev_phase == TERMINATING or \
                st.get('message') == 'Operation terminated':
            return False
        limit = dig(st, 'operation', 'retry', 'limit', default=0) or 0
        count = int(st.get('retryCount') or 0)
        if not (limit < 0 or count < limit):
            if count:
                st['message'] = '%s (retried %d times).' % (st.get('message', ''), count)
            return False
        st['retryCount'] = count + 1
        wait = self._backoff(st)
        at = datetime.datetime.fromtimestamp(now() + wait, datetime.timezone.utc)
        st['message'] = '%s. Retrying attempt #%d at %s.' % (
            st.get('message', ''), count + 1, at.strftime('%I:%M%p').lstrip('0'))
        st['phase'] = RUNNING
        self.retry_due[key] = now() + wait
        self.queue.add(key, wait)
        return True

    def _write_state(self, key, app, st, prev_phase, completed):
        ops = []
        if not isinstance(app.get('status'), dict):
            ops.append({'op': 'add', 'path': '/status', 'value': {}})
        if prev_phase:
            ops.append({'op': 'test', 'path': '/status/operationState/phase',
                        'value': prev_phase})
        ops.append({'op': 'add', 'path': '/status/operationState', 'value': st})
        if completed:
            ops.append({'op': 'remove', 'path': '/operation'})
            hist = self._history(app, st)
            if hist is not None:
                ops.append({'op': 'add', 'path': '/status/history', 'value': hist})
        try:
            self.store.patch(APPS, key[1], key[2], 'json', ops, self.user)
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise
            if api_code(e) not in (404, 409, 422):
                log('argocd', 'operation state of %s/%s: %s' % (key[1], key[2], e))
            return False
        return True

    def _history(self, app, st):
        sync = dig(st, 'operation', 'sync') or {}
        if st['phase'] != SUCCEEDED or sync.get('dryRun') or sync.get('resources'):
            return None
        hist = list(dig(app, 'status', 'history', default=[]) or [])
        sr = st.get('syncResult') or {}
        h = {'id': max([x.get('id', 0) for x in hist] + [-1]) + 1,
             'deployedAt': st['finishedAt'], 'deployStartedAt': st['startedAt'],
             'initiatedBy': dig(st, 'operation', 'initiatedBy', default={})}
        for k in ('revision', 'revisions', 'source', 'sources'):
            if sr.get(k):
                h[k] = sr[k]
        hist.append(h)
        limit = dig(app, 'spec', 'revisionHistoryLimit', default=10)
        return hist[-int(limit):] if int(limit) > 0 else []

    # --- deletion ------------------------------------------------------------------------
    def _finalize(self, key, app):
        fins = app['metadata'].get('finalizers') or []
        ours = [f for f in fins if f in FINALIZERS]
        if not ours:
            return
        policy = 'Background' if FINALIZER + '/background' in ours else 'Foreground'
        c = self.comparer.compare(app)
        doomed = [(k, o) for k, o in c.live.items() if _should_be_deleted(o)]
        since = parse_time(app['metadata'].get('deletionTimestamp'))
        if any(_needs_confirmation(o) for _, o in doomed) and \
                not is_deletion_approved(app, since):
            self.queue.add(key, self.settings.poll * 4)
            return
        if doomed:
            if not any(o['metadata'].get('deletionTimestamp') for _, o in doomed):
                top = max(wave_of(o) for _, o in doomed)
                for k, o in doomed:
                    if wave_of(o) == top:
                        self._delete_live(c.live_resource[k], o, policy)
            self.queue.add(key, self.settings.poll)
            return

        def mutate(obj):
            f = obj['metadata'].get('finalizers') or []
            keep = [x for x in f if x not in FINALIZERS]
            if keep == f:
                return False
            obj['metadata']['finalizers'] = keep
            return True
        update_with_retry(self.store, APPS, key[1], key[2], mutate, self.user)

    def _delete_live(self, resource, obj, policy):
        md = obj['metadata']
        try:
            self.store.delete(resource, md.get('namespace') or None, md['name'], self.user,
                              propagation=policy)
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise
            if api_code(e) != 404:
                log('argocd', 'deleting %s %s: %s' % (resource, md['name'], e))


def _merge_diff(old, new):
    """The merge patch turning old into new (None deletes a key)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    out = {k: None for k in old if k not in new}
    for k, v in new.items():
        out[k] = _merge_diff(old.get(k), v)
    return out


def _should_be_deleted(obj):
    if obj.get('kind') == 'CustomResourceDefinition':
        return False
    if has_option(sync_options(obj), 'Delete=false'):
        return False
    return annotations(obj).get('helm.sh/resource-policy') != 'keep'


def _needs_confirmation(obj):
    opts = sync_options(obj)
    return has_option(opts, 'Delete=confirm') or has_option(opts, 'Prune=confirm')


def _pod_images(obj):
    spec = obj.get('spec') or {}
    pod = dig(spec, 'template', 'spec') or {}
    for c in (pod.get('initContainers') or []) + (pod.get('containers') or []):
        if isinstance(c, dict) and c.get('image'):
            yield c['image']
