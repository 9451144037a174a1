"""Controller settings: kubesim's options plus timing knobs.

Every timing of the real controllers is multiplied by `time_scale` (default
0.1) so that tests run in seconds: the 2 s pause between sync waves, retry
backoffs, the 5 s self-heal timeout and Rollout pause durations.  The
simulator-only kubesim.dev/health-delay annotation is NOT scaled.

Sources, in order: attributes of kubesim's options object (repos, enabled,
tracking, and optionally time_scale, resync, workload_delay, control_ns),
then the environment (KUBESIM_TIME_SCALE, KUBESIM_RESYNC,
KUBESIM_WORKLOAD_DELAY), then the defaults below.
"""

import os


def _num(options, attr, env, default):
    v = getattr(options, attr, None)
    if v is None:
        v = os.environ.get(env)
    try:
        return float(v) if v is not None else default
    except ValueError:
        return default


class Settings:
    def __init__(self, options=None):
        o = options
        self.repos = getattr(o, 'repos', None) or ''
        enabled = getattr(o, 'enabled', None)
        self.enabled = set(enabled) if enabled is not None else {'argocd', 'rollouts'}
        self.tracking = getattr(o, 'tracking', None) or 'annotation'
        self.control_ns = getattr(o, 'control_ns', None) or 'argocd'
        self.time_scale = _num(o, 'time_scale', 'KUBESIM_TIME_SCALE', 0.1)
        # periodic comparison of every app against its repo
        self.resync = _num(o, 'resync', 'KUBESIM_RESYNC', 3.0)
        # how long a Deployment/StatefulSet/PVC/Job takes to become ready
        self.workload_delay = _num(o, 'workload_delay', 'KUBESIM_WORKLOAD_DELAY', 0.3)
        # status.reconciledAt is rewritten at least this often
        self.full_resync = max(self.resync * 10, 30.0)
        # re-evaluation of a running operation when no event arrives
        self.poll = 0.25
        self.wave_delay = 2.0 * self.time_scale
        self.self_heal_timeout = 5.0 * self.time_scale

    def scaled(self, seconds):
        return seconds * self.time_scale
