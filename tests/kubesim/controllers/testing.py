"""An in-process cluster for the controller tests: the simulator's real
Store and Registry (with the upstream CRDs), a private copy of the fixture
repos, and the controllers running with scaled-down timings.

    with Env() as env:
        env.apply_file('tests/fixtures/platform.yaml')
        env.sync('platform')
        app = env.wait_app('platform', lambda a: a['status']['operationState']['phase'] == 'Succeeded')
"""

import os
import shutil
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
KUBESIM = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(KUBESIM))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures')
CRDS = os.environ.get('KUBESIM_CRDS') or os.path.join(os.path.dirname(ROOT), 'shared', 'crds')
if KUBESIM not in sys.path:
    sys.path.insert(0, KUBESIM)

import yamlmini  # noqa: E402
from resources import Registry  # noqa: E402
from store import ApiError, Store  # noqa: E402

import controllers  # noqa: E402
from .common import dig  # noqa: E402

ADMIN = {'username': 'kubernetes-admin', 'groups': ['system:masters', 'system:authenticated']}
APPS = 'applications.argoproj.io'
ROLLOUTS = 'rollouts.argoproj.io'
SCENARIOS = 'https://git.example.com/org/scenarios.git'


class DenyAdmission:
    """Admission that denies what `rule(attrs)` returns a message for, as a
    webhook named policy.example.com would."""

    def __init__(self, rule):
        self.rule = rule

    def review(self, attrs):
        msg = self.rule(attrs)
        if msg:
            raise ApiError(400, 'BadRequest',
                           'admission webhook "policy.example.com" denied the request: %s' % msg)
        return [], {}


class Env:
    def __init__(self, enabled=('argocd', 'rollouts'), admission=None, tracking='annotation',
                 time_scale=0.05, workload_delay=0.1, resync=1.0):
        self.tmp = tempfile.mkdtemp(prefix='kubesim-ctl-')
        self.repos = os.path.join(self.tmp, 'repos')
        shutil.copytree(os.path.join(FIXTURES, 'repos'), self.repos)
        reg = Registry()
        crds = reg.load_crd_dir(CRDS)
        self.store = Store(reg, admission)
        self.store.load_objects(crds)
        opts = types.SimpleNamespace(repos=self.repos, enabled=set(enabled), tracking=tracking,
                                     time_scale=time_scale, workload_delay=workload_delay,
                                     resync=resync)
        self.ctl = controllers.start(self.store, opts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.ctl.stop()
        self.store.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- writing ------------------------------------------------------------------
    def apply_file(self, path):
        with open(os.path.join(ROOT, path) if not os.path.isabs(path) else path) as f:
            for doc in yamlmini.load_all(f.read()):
                if doc:
                    self.create(doc)

    def create(self, obj):
        ns = obj.get('metadata', {}).get('namespace')
        res = self.store.resource_for(obj['apiVersion'], obj['kind'])
        if ns and self.store.get('namespaces', None, ns) is None:
            self.store.create({'apiVersion': 'v1', 'kind': 'Namespace',
                               'metadata': {'name': ns}}, ADMIN)
        if self.store.get(res, ns, obj['metadata']['name']) is None:
            return self.store.create(obj, ADMIN)
        return None

    def app(self, name, path, project='default', dest_ns='demo', repo=SCENARIOS, **spec):
        a = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
             'metadata': {'name': name, 'namespace': 'argocd'},
             'spec': {'project': project, 'source': {'repoURL': repo, 'path': path},
                      'destination': {'server': 'https://kubernetes.default.svc',
                                      'namespace': dest_ns}}}
        a['spec'].update(spec)
        if spec.pop('finalizer', None):
            a['metadata']['finalizers'] = ['resources-finalizer.argocd.argoproj.io']
        return self.create(a)

    def patch(self, resource, ns, name, patch, kind='merge', subresource=None):
        return self.store.patch(resource, ns, name, kind, patch, ADMIN, subresource=subresource)

    def sync(self, name, retry=None, **sync):
        """What `kubectl gitops sync` writes."""
        op = {'operation': {'initiatedBy': {'username': 'me'}, 'sync': sync}}
        if retry is not None:
            op['operation']['retry'] = retry
        return self.patch(APPS, 'argocd', name, op)

    def delete(self, resource, ns, name):
        return self.store.delete(resource, ns, name, ADMIN)

    def repo_path(self, *parts):
        return os.path.join(self.repos, *parts)

    # --- reading ----------------------------------------------------------------------
    def get(self, resource, ns, name):
        return self.store.get(resource, ns, name)

    def get_app(self, name):
        return self.store.get(APPS, 'argocd', name)

    def wait(self, fn, timeout=10.0):
        """Polls fn() until it returns something truthy; returns it, or None."""
        end = time.time() + timeout
        while True:
            try:
                v = fn()
            except (KeyError, TypeError, IndexError, AttributeError):
                v = None
            if v:
                return v
            if time.time() > end:
                return None
            time.sleep(0.02)

    def wait_app(self, name, pred, timeout=10.0):
        def check():
            a = self.get_app(name)
            return a if a is not None and pred(a) else None
        return self.wait(check, timeout)

    def wait_op_done(self, name, timeout=10.0):
        """The app once its operation completed and was reconciled after."""
        def done(a):
            st = dig(a, 'status', 'operationState') or {}
            return not a.get('operation') and st.get('finishedAt') and \
                st.get('phase') in ('Succeeded', 'Failed', 'Error') and \
                (dig(a, 'status', 'reconciledAt') or '') >= st['finishedAt']
        return self.wait_app(name, done, timeout)
