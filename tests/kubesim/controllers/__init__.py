"""Simulated cluster controllers for kubesim.

    handle = controllers.start(store, options)
    ...
    handle.stop()

options: .repos (directory of fixture repositories), .enabled (a set of
'argocd' and/or 'rollouts'), .tracking ('annotation' or 'label'), plus the
optional timing knobs described in settings.py.  Every controller runs in
its own threads, is woken by store events (store.subscribe) and by timers,
and writes through the store's admission as its own service account.

The workload stand-ins (workloads.py: Deployment, StatefulSet, ReplicaSet,
PVC, Job and bare Pod status) run whenever any controller is enabled, since
both Argo CD health and Rollouts depend on them.
"""

from .argocd import AppController
from .rollouts import RolloutController
from .settings import Settings
from .workloads import WorkloadController

__all__ = ['start', 'Controllers', 'Settings']


class Controllers:
    def __init__(self, store, settings):
        self.settings = settings
        self.parts = []
        if settings.enabled & {'argocd', 'rollouts'}:
            self.parts.append(WorkloadController(store, settings))
        if 'argocd' in settings.enabled:
            self.parts.append(AppController(store, settings))
        if 'rollouts' in settings.enabled:
            self.parts.append(RolloutController(store, settings))

    def start(self):
        for p in self.parts:
            p.start()
        return self

    def stop(self):
        for p in reversed(self.parts):
            p.stop()

    def idle(self):
        """True when no controller has queued work ready (tests use it)."""
        return all(p.queue.idle() for p in self.parts)


def start(store, options):
    return Controllers(store, Settings(options)).start()
