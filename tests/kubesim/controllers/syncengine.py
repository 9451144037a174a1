"""One pass of a sync operation, after gitops-engine's syncContext.Sync().

A pass is re-entrant: everything it knows about earlier passes is in the
operation state's syncResult.resources (status and hookPhase per resource
and sync phase), so the controller calls it again on every event or timer
until it reports a completed phase.  Messages and result codes are the
upstream ones (see argocd.md section 1.3 and section 5).
"""

import json

from . import health as H
from . import project as P
from .common import (ANN_SYNC_FAIL, annotations, api_code, api_message, deep, dig,
                     group_version, obj_key, parse_time)
from .compare import (LAST_APPLIED, TRACKING_ANN, applied_form,
                      has_option, hook_types, merged_object, option_value,
                      same_but_last_applied, sync_options, tracking_value, wave_of)

RUNNING, TERMINATING = 'Running', 'Terminating'
SUCCEEDED, FAILED, ERROR = 'Succeeded', 'Failed', 'Error'
COMPLETED = (SUCCEEDED, FAILED, ERROR)
HOOK_DELETE_ANN = 'argocd.argoproj.io/hook-delete-policy'
DELETION_APPROVED_ANN = 'argocd.argoproj.io/deletion-approved'

PHASE_ORDER = {'PreSync': -1, 'Sync': 0, 'PostSync': 1, 'SyncFail': 2}
_KINDS = ['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange',
          'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret',
          'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume',
          'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole',
          'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role',
          'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
          'ReplicationController', 'ReplicaSet', 'Deployment',
          'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass',
          'Ingress', 'APIService']
KIND_ORDER = {k: i - len(_KINDS) for i, k in enumerate(_KINDS)}
# result code -> hookPhase (gitops-engine operationPhases)
RESULT_PHASE = {'Synced': RUNNING, 'SyncFailed': FAILED, 'Pruned': SUCCEEDED,
                'PruneSkipped': SUCCEEDED}

SUCCESSFUL, PENDING, FAILED_RUN = 0, 1, 2


def is_deletion_approved(app, since):
    t = parse_time(annotations(app).get(DELETION_APPROVED_ANN))
    return t is not None and since is not None and t >= since


def kubectl_name(obj):
    g, _ = group_version(obj.get('apiVersion', ''))
    kind = obj.get('kind', '').lower()
    return '%s%s/%s' % (kind, '.' + g if g else '', obj['metadata'].get('name', ''))


class Task:
    def __init__(self, phase, target=None, live=None, resource=None, namespaced=True,
                 hook_type=None):
        self.phase = phase
        self.target = target       # desired object (None: prune)
        self.live = live
        self.resource = resource
        self.namespaced = namespaced
        self.hook_type = hook_type
        self.wave_override = None
        self.status = ''
        self.hook_phase = ''
        self.message = ''

    def obj(self):
        return self.target if self.target is not None else self.live

    def key(self):
        return obj_key(self.obj())

    def rkey(self):
        return self.key() + (self.phase,)

    def wave(self):
        return self.wave_override if self.wave_override is not None else wave_of(self.obj())

    def is_prune(self):
        return self.target is None

    def is_hook(self):
        return self.hook_type is not None

    def running(self):
        return self.hook_phase == RUNNING

    def completed(self):
        return self.hook_phase in COMPLETED

    def successful(self):
        return self.hook_phase == SUCCEEDED

    def pending(self):
        return not self.hook_phase

    def pruned(self):
        return self.status == 'Pruned'

    def delete_policies(self):
        v = annotations(self.obj()).get(HOOK_DELETE_ANN)
        pols = [p.strip() for p in str(v).split(',')] if v else []
        return pols or ['BeforeHookCreation']

    def sort_key(self):
        o = self.obj()
        return (PHASE_ORDER.get(self.phase, 0), self.wave(),
                KIND_ORDER.get(o.get('kind', ''), 0), o['metadata'].get('name', ''))


class SyncPass:
    """ctl provides: store, kinds, settings (tracking, control_ns), user,
    instance(app)."""

    def __init__(self, ctl, app, state, comparison):
        self.ctl = ctl
        self.store = ctl.store
        self.app = app
        self.state = state
        self.c = comparison
        op = state.get('operation') or {}
        self.sync = op.get('sync') or {}
        self.dry_run = bool(self.sync.get('dryRun'))
        self.prune = bool(self.sync.get('prune'))
        strategy = self.sync.get('syncStrategy') or {}
        self.apply_strategy = 'apply' in strategy
        self.force = bool((strategy.get('apply') or strategy.get('hook') or {}).get('force'))
        self.selected = self.sync.get('resources') or []
        self.skip_hooks = self.apply_strategy or bool(self.selected)
        self.options = self.sync.get('syncOptions') or \
            dig(app, 'spec', 'syncPolicy', 'syncOptions', default=[]) or []
        self.results = list(dig(state, 'syncResult', 'resources', default=[]) or [])
        self.started = bool(self.results)
        self._result_index = None
        self.started_at = parse_time(state.get('startedAt'))
        self.phase = state.get('phase', RUNNING)
        self.message = state.get('message', '')
        self.dest_ns = dig(app, 'spec', 'destination', 'namespace', default='')
        self.ran_wave = False
        self.final_wave = True

    # --- results ------------------------------------------------------------
    def set_phase(self, phase, message):
        self.phase, self.message = phase, message

    @staticmethod
    def _result_key(r):
        return (r.get('group', ''), r.get('kind', ''), r.get('namespace', ''),
                r.get('name', ''), r.get('syncPhase', ''))

    def _find(self, rkey):
        """The index of the first result for rkey, or None.  An index of
        the results, built on first use, keeps a pass over hundreds of
        resources linear."""
        if self._result_index is None:
            self._result_index = {}
            for i, r in enumerate(self.results):
                self._result_index.setdefault(self._result_key(r), i)
        return self._result_index.get(rkey)

    def set_result(self, t, status, phase, message):
        t.status, t.hook_phase = status, phase
        if message:
            t.message = message
        o = t.obj()
        g, v = group_version(o.get('apiVersion', ''))
        r = {'group': g, 'version': v, 'kind': o.get('kind', ''),
             'namespace': o['metadata'].get('namespace', ''),
             'name': o['metadata'].get('name', ''), 'status': t.status,
             'message': t.message, 'hookType': t.hook_type or '',
             'hookPhase': t.hook_phase, 'syncPhase': t.phase}
        r = {k: val for k, val in r.items() if val != '' or k in ('group', 'namespace')}
        if not r.get('namespace'):
            r.pop('namespace', None)
        images = _images(o)
        if images:
            r['images'] = images
        i = self._find(t.rkey())
        if i is None:
            self._result_index.setdefault(self._result_key(r), len(self.results))
            self.results.append(r)
        else:
            if self._result_key(r) != self._result_key(self.results[i]):
                self._result_index = None
            self.results[i] = r

    def _load_result(self, t):
        i = self._find(t.rkey())
        if i is not None:
            r = self.results[i]
            t.status, t.hook_phase = r.get('status', ''), r.get('hookPhase', '')
            t.message = r.get('message', '')

    # --- tasks ----------------------------------------------------------------
    def _selected(self, key):
        g, kind, ns, name = key
        if not self.selected:
            return True
        for s in self.selected:
            if s.get('group', '') == g and s.get('kind', '') == kind and \
                    s.get('name', '') == name and (not s.get('namespace') or s['namespace'] == ns):
                return True
        return False

    def tasks(self):
        tasks = []
        for k, t in self.c.targets.items():
            if self._selected(k):
                tasks.append(Task('Sync', t.obj, self.c.live.get(k), t.resource, t.namespaced))
        for k, live in self.c.live.items():
            if k in self.c.targets or hook_types(live) or not self._selected(k):
                continue
            tasks.append(Task('Sync', None, live, self.c.live_resource.get(k),
                              bool(live['metadata'].get('namespace'))))
        if not self.skip_hooks:
            tasks.extend(self._hook_tasks())
        if has_option(self.options, 'CreateNamespace=true') and self.dest_ns:
            t = self._namespace_task(tasks)
            if t is not None:
                tasks.append(t)
        ok = self._check_permissions(tasks)
        self._order_prunes(tasks)
        tasks.sort(key=Task.sort_key)
        for t in tasks:
            self._load_result(t)
        return tasks, ok

    def _hook_tasks(self):
        out = []
        for h in self.c.hooks:
            for phase in h.hooks:
                if phase not in PHASE_ORDER:
                    continue
                obj = deep(h.obj)
                md = obj['metadata']
                if not md.get('name'):
                    rev = self.c.revision[:7]
                    md['name'] = ('%s%s-%s-%d' % (md.get('generateName', ''), rev, phase,
                                                  int(self.started_at or 0))).lower()
                    md.pop('generateName', None)
                live = self._get(h.resource, md.get('namespace'), md['name']) \
                    if h.resource else None
                out.append(Task(phase, obj, live, h.resource, h.namespaced, hook_type=phase))
        return out

    def _namespace_task(self, tasks):
        for t in tasks:
            o = t.obj()
            if o.get('kind') == 'Namespace' and o['metadata'].get('name') == self.dest_ns:
                return None
        res = self.ctl.kinds.resource('v1', 'Namespace')
        if res is None or self._get(res, None, self.dest_ns) is not None:
            return None
        ns = {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': self.dest_ns}}
        t = Task('PreSync', ns, None, res, False)
        t.managed_ns = True
        return t

    def _check_permissions(self, tasks):
        proj, pname = self.c.project, self.c.project_name
        ok = True
        for t in tasks:
            o = t.obj()
            g, _ = group_version(o.get('apiVersion', ''))
            kind = o.get('kind', '')
            if t.resource is None:
                self.set_result(t, 'SyncFailed', '', 'the server could not find the '
                                'requested resource (no matches for kind "%s" in version '
                                '"%s")' % (kind, o.get('apiVersion', '')))
                ok = False
                continue
            if proj is None:
                continue
            if not P.resource_permitted(proj, g, kind, t.namespaced, o['metadata'].get('name', '')):
                self.set_result(t, 'SyncFailed', '', 'resource %s:%s is not permitted in '
                                'project %s' % (g, kind, pname))
                ok = False
            elif t.namespaced and not P.destination_permitted(
                    proj, o['metadata'].get('namespace', '')):
                self.set_result(t, 'SyncFailed', '', "namespace %s is not permitted in "
                                "project '%s'" % (o['metadata'].get('namespace', ''), pname))
                ok = False
        return ok

    def _order_prunes(self, tasks):
        prunes = [t for t in tasks if t.is_prune()]
        waves = sorted({t.wave() for t in prunes})
        n = len(waves)
        swap = {waves[i]: waves[n - 1 - i] for i in range(n)}
        for t in prunes:
            t.wave_override = swap[t.wave()]
        last = max([t.wave() for t in tasks if t.phase == 'Sync'] + [0]) + 1
        for t in prunes:
            if has_option(self.options, 'PruneLast=true') or \
                    has_option(sync_options(t.live), 'PruneLast=true'):
                t.wave_override = last

    # --- the pass ----------------------------------------------------------------
    def run(self):
        tasks, ok = self.tasks()
        if not ok:
            return self.set_phase(FAILED, 'one or more synchronization tasks are not valid')
        if not self.started and not self._dry_run_all(tasks):
            return
        self._update_running(tasks)
        multi = (tasks[0].phase, tasks[0].wave()) != (tasks[-1].phase, tasks[-1].wave()) \
            if tasks else False
        running = [t for t in tasks if (multi or t.is_hook()) and t.running()]
        if running:
            return self.set_running(running, False)
        deleting = [t for t in tasks if t.pruned() and t.live is not None and
                    self._still_deleting(t)]
        if deleting:
            return self.set_running(deleting, True)
        del_ok = [t for t in tasks if t.is_hook() and t.live is not None and not t.running()
                  and 'HookSucceeded' in t.delete_policies()]
        del_fail = [t for t in tasks if t.is_hook() and t.live is not None and not t.running()
                    and 'HookFailed' in t.delete_policies()]
        fail_hooks = [t for t in tasks if t.phase == 'SyncFail']
        tasks = [t for t in tasks if t.phase != 'SyncFail']
        if any(t.completed() and not t.successful() for t in tasks):
            self._delete_hooks(del_fail)
            return self.set_failed(fail_hooks, [t for t in tasks if t.status == 'SyncFailed'],
                                   'one or more synchronization tasks completed unsuccessfully')
        tasks = [t for t in tasks if t.pending()]
        if has_option(self.options, 'ApplyOutOfSyncOnly=true'):
            tasks = self._out_of_sync_only(tasks)
        if not tasks:
            self._delete_hooks(del_ok)
            return self.set_phase(SUCCEEDED, 'successfully synced (no more tasks)')
        phase, wave = tasks[0].phase, tasks[0].wave()
        self.final_wave = (phase, wave) == (tasks[-1].phase, tasks[-1].wave())
        remaining = [t for t in tasks if t.phase != phase or t.wave() != wave or t.is_hook()]
        tasks = [t for t in tasks if t.phase == phase and t.wave() == wave]
        self.set_phase(RUNNING, 'one or more tasks are running')
        state = self.run_tasks(tasks, False)
        self.ran_wave = state != FAILED_RUN
        if state == FAILED_RUN:
            self._delete_hooks(del_fail)
            self.set_failed(fail_hooks, [t for t in tasks if t.status == 'SyncFailed'],
                            'one or more objects failed to apply')
        elif state == SUCCESSFUL:
            if not remaining:
                self._delete_hooks(del_ok)
                self.set_phase(SUCCEEDED, 'successfully synced (all tasks run)')
            else:
                self.set_running(remaining, False)

    def _dry_run_all(self, tasks):
        dry = tasks
        ns_task = next((t for t in tasks if getattr(t, 'managed_ns', False)), None)
        if ns_task is not None and not self.dry_run:
            if self.run_tasks([ns_task], False) == FAILED_RUN:
                self.set_failed([], [ns_task], 'the namespace failed to apply')
                return False
            dry = [t for t in tasks if t is not ns_task]
        if has_option(self.options, 'ApplyOutOfSyncOnly=true'):
            dry = self._out_of_sync_only(dry)
        if self.run_tasks(dry, True) == FAILED_RUN:
            self.set_phase(FAILED, 'one or more objects failed to apply (dry run)')
            return False
        return True

    def _out_of_sync_only(self, tasks):
        return [t for t in tasks if t.is_hook() or t.target is None or t.live is None
                or t.key() in self.c.out_of_sync]

    def _update_running(self, tasks):
        for t in tasks:
            if not t.running() or t.resource is None:
                continue
            o = t.obj()['metadata']
            t.live = self._get(t.resource, o.get('namespace'), o.get('name'))
            if t.live is None:
                continue
            g, _ = group_version(t.live.get('apiVersion', ''))
            h = H.resource_health(t.live, g, t.live.get('kind', ''))
            if t.is_hook():
                if h is None or h['status'] == H.HEALTHY:
                    self.set_result(t, t.status, SUCCEEDED, h.get('message', '') if h else '')
                elif h['status'] == H.DEGRADED:
                    self.set_result(t, t.status, FAILED, h.get('message', ''))
            elif h is None:
                self.set_result(t, t.status, SUCCEEDED, t.message)
            elif h['status'] == H.HEALTHY:
                self.set_result(t, t.status, SUCCEEDED, h.get('message', ''))
            elif h['status'] == H.DEGRADED:
                self.set_result(t, t.status, FAILED, h.get('message', ''))

    def _still_deleting(self, t):
        o = t.live['metadata']
        live = self._get(t.resource, o.get('namespace'), o.get('name'))
        return live is not None and bool(live['metadata'].get('deletionTimestamp'))

    def set_running(self, tasks, deleting):
        first = tasks[0]
        what, more = ('completion of hook', 'hooks') if first.is_hook() else \
            ('healthy state of', 'resources')
        if deleting:
            what = 'deletion of'
        g, kind, _, name = first.key()
        msg = 'waiting for %s %s/%s/%s' % (what, g, kind, name)
        if len(tasks) > 1:
            msg += ' and %d more %s' % (len(tasks) - 1, more)
        self.set_phase(RUNNING, msg)

    def set_failed(self, fail_hooks, failed_tasks, message):
        msgs = sorted({t.message for t in failed_tasks})
        text = '%s, reason: %s' % (message, ','.join(msgs)) if msgs else message
        if fail_hooks and not all(t.completed() for t in fail_hooks):
            if self.run_tasks(fail_hooks, False) == FAILED_RUN:
                bad = sorted({t.message for t in fail_hooks if t.status == 'SyncFailed'})
                extra = 'one or more SyncFail hooks failed'
                if bad:
                    extra += ', reason: ' + ','.join(bad)
                self.set_phase(FAILED, text + '\n' + extra)
            return
        self.set_phase(FAILED, text)

    # --- running tasks --------------------------------------------------------------
    def prune_confirmed(self):
        return is_deletion_approved(self.app, self.started_at)

    def run_tasks(self, tasks, dry):
        dry = dry or self.dry_run
        prunes = [t for t in tasks if t.is_prune()]
        creates = [t for t in tasks if not t.is_prune()]
        if prunes and not self.prune_confirmed():
            need = ['%s/%s/%s' % (t.live.get('apiVersion', ''), t.live.get('kind', ''),
                                  t.live['metadata'].get('name', ''))
                    for t in prunes if has_option(sync_options(t.live), 'Prune=confirm')]
            if need:
                more = ' and %d more resources' % (len(need) - 1) if len(need) > 1 else ''
                self.message = 'Waiting for pruning confirmation of %s%s' % (need[0], more)
                return PENDING
        state = SUCCESSFUL
        for t in prunes:
            code, msg = self.prune_object(t, dry)
            if code == 'SyncFailed':
                state = FAILED_RUN
            if not dry or self.dry_run or code == 'SyncFailed':
                self.set_result(t, code, RESULT_PHASE[code], msg)
        if state != SUCCESSFUL:
            return state
        for t in creates:
            if t.is_hook() and t.live is not None and t.pending() and \
                    'BeforeHookCreation' in t.delete_policies() and not dry:
                self._delete(t)
                state = PENDING
        if state != SUCCESSFUL:
            return state
        for t in creates:
            code, msg = self.apply_object(t, dry)
            if code == 'SyncFailed':
                state = FAILED_RUN
            if not dry or self.dry_run or code == 'SyncFailed':
                phase = RESULT_PHASE[code]
                if self.dry_run and phase == RUNNING:
                    phase = SUCCEEDED
                self.set_result(t, code, phase, msg)
        return state

    def _option(self, obj, key):
        v = option_value(sync_options(obj), key)
        return v if v is not None else option_value(self.options, key)

    def prune_object(self, t, dry):
        if not self.prune:
            return 'PruneSkipped', 'ignored (requires pruning)'
        if self._option(t.live, 'Prune') == 'false':
            return 'PruneSkipped', 'ignored (no prune)'
        if dry:
            return 'Pruned', 'pruned (dry run)'
        if not t.live['metadata'].get('deletionTimestamp'):
            policy = (option_value(self.options, 'PrunePropagationPolicy') or 'foreground')
            try:
                self.store.delete(t.resource, t.live['metadata'].get('namespace') or None,
                                  t.live['metadata']['name'], self.ctl.user,
                                  propagation=policy.capitalize())
            except Exception as e:  # noqa: BLE001
                if api_code(e) is None:
                    raise
                if api_code(e) != 404:
                    return 'SyncFailed', api_message(e)
        return 'Pruned', 'pruned'

    def _get(self, resource, namespace, name):
        if resource is None:
            return None
        return self.store.get(resource, namespace or None, name)

    def _delete(self, t):
        o = t.obj()['metadata']
        try:
            self.store.delete(t.resource, o.get('namespace') or None, o['name'],
                              self.ctl.user, propagation='Foreground')
        except Exception as e:  # noqa: BLE001
            if api_code(e) is None:
                raise

    def _delete_hooks(self, tasks):
        for t in tasks:
            self._delete(t)

    def desired_with_tracking(self, t):
        """The target carries the tracking id already (compare adds it); a
        hook named from generateName gets it here."""
        obj = deep(t.target)
        if getattr(t, 'managed_ns', False) or self.ctl.settings.tracking == 'label':
            return obj
        md = obj.setdefault('metadata', {})
        md.setdefault('annotations', {})[TRACKING_ANN] = \
            tracking_value(self.ctl.instance(self.app), obj_key(obj), self.dest_ns)
        return obj

    def apply_object(self, t, dry):
        obj = self.desired_with_tracking(t)
        name = kubectl_name(obj)
        fail = annotations(obj).get(ANN_SYNC_FAIL)
        if fail and not dry:
            return 'SyncFailed', str(fail)
        replace = self._option(obj, 'Replace') == 'true'
        ssa = not dry and self._option(obj, 'ServerSideApply') == 'true'
        for _ in range(5):
            live = self._get(t.resource, obj['metadata'].get('namespace'),
                             obj['metadata']['name'])
            try:
                verb = self._write(t, obj, live, replace, ssa, dry)
            except Exception as e:  # noqa: BLE001
                if api_code(e) is None:
                    raise
                if api_code(e) == 409:
                    continue
                return 'SyncFailed', api_message(e)
            t.live = live
            return 'Synced', '%s %s%s' % (name, verb, ' (dry run)' if dry else '')
        return 'SyncFailed', 'Operation cannot be fulfilled on %s: the object has been ' \
            'modified; please apply your changes to the latest version and try again' % name

    def _write(self, t, obj, live, replace, ssa, dry):
        if live is None:
            new = deep(obj)
            if not replace and not getattr(t, 'managed_ns', False):
                new['metadata'].setdefault('annotations', {})[LAST_APPLIED] = json.dumps(
                    applied_form(obj), sort_keys=True, separators=(',', ':'))
            if not dry:
                t.live = self.store.create(new, self.ctl.user)
            return 'serverside-applied' if ssa else 'created'
        if replace:
            new = applied_form(obj)
            new['metadata']['resourceVersion'] = live['metadata'].get('resourceVersion')
            if not dry:
                self.store.update(new, self.ctl.user)
            return 'replaced'
        new = merged_object(live, obj)
        if same_but_last_applied(new, live) and \
                annotations(live).get(LAST_APPLIED):
            return 'serverside-applied' if ssa else 'unchanged'
        if not dry:
            self.store.update(new, self.ctl.user)
        return 'serverside-applied' if ssa else 'configured'

    def terminate(self):
        tasks, _ = self.tasks()
        ok = True
        for t in tasks:
            if not t.is_hook() or t.live is None:
                continue
            g, _ = group_version(t.live.get('apiVersion', ''))
            h = H.resource_health(t.live, g, t.live.get('kind', ''))
            if h is not None and h['status'] not in (H.HEALTHY, H.DEGRADED):
                try:
                    self._delete(t)
                    self.set_result(t, '', SUCCEEDED, 'Deleted')
                except Exception:  # noqa: BLE001
                    self.set_result(t, '', FAILED, 'Failed to delete')
                    ok = False
        if ok:
            self.set_phase(FAILED, 'Operation terminated')
        else:
            self.set_phase(ERROR, 'Operation termination had errors')


def _images(obj):
    spec = obj.get('spec') or {}
    pod = dig(spec, 'template', 'spec') or (spec if obj.get('kind') == 'Pod' else {})
    out = []
    for c in (pod.get('initContainers') or []) + (pod.get('containers') or []):
        if isinstance(c, dict) and c.get('image') and c['image'] not in out:
            out.append(c['image'])
    return out
