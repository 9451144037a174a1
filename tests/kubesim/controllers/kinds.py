"""Kind -> resource and scope lookups, through the store when it can answer
and a table of the well-known cluster-scoped kinds otherwise."""

from .common import group_version

CLUSTER_SCOPED = {
    ('', 'Namespace'), ('', 'Node'), ('', 'PersistentVolume'),
    ('apiextensions.k8s.io', 'CustomResourceDefinition'),
    ('rbac.authorization.k8s.io', 'ClusterRole'),
    ('rbac.authorization.k8s.io', 'ClusterRoleBinding'),
    ('storage.k8s.io', 'StorageClass'), ('storage.k8s.io', 'CSIDriver'),
    ('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration'),
    ('admissionregistration.k8s.io', 'MutatingWebhookConfiguration'),
    ('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'),
    ('scheduling.k8s.io', 'PriorityClass'),
    ('apiregistration.k8s.io', 'APIService'),
    ('networking.k8s.io', 'IngressClass'),
    ('argoproj.io', 'ClusterAnalysisTemplate'),
}

# Listed when looking for an app's live objects, besides the kinds its
# manifests and its last status mention.
COMMON_RESOURCES = (
    ('v1', 'ConfigMap'), ('v1', 'Secret'), ('v1', 'Service'),
    ('v1', 'ServiceAccount'), ('v1', 'PersistentVolumeClaim'),
    ('v1', 'Namespace'), ('apps/v1', 'Deployment'), ('apps/v1', 'StatefulSet'),
    ('batch/v1', 'Job'), ('argoproj.io/v1alpha1', 'Application'),
    ('argoproj.io/v1alpha1', 'Rollout'),
)


class Kinds:
    def __init__(self, store):
        self.store = store
        self.cache = {}

    def resource(self, api_version, kind):
        """'deployments.apps', or None for a kind the server does not serve."""
        k = (api_version, kind)
        if k not in self.cache:
            try:
                self.cache[k] = self.store.resource_for(api_version, kind)
            except Exception:  # noqa: BLE001 - unknown kind
                return None
        return self.cache[k]

    def namespaced(self, api_version, kind, resource=None):
        reg = getattr(self.store, 'registry', None)
        rt = reg.get(resource) if reg is not None and resource else None
        if rt is not None and hasattr(rt, 'namespaced'):
            return bool(rt.namespaced)
        for name in ('namespaced', 'is_namespaced'):
            fn = getattr(self.store, name, None)
            if callable(fn) and resource:
                try:
                    return bool(fn(resource))
                except Exception:  # noqa: BLE001 - fall back to the table
                    break
        g, _ = group_version(api_version)
        return (g, kind) not in CLUSTER_SCOPED
