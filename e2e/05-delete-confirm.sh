#!/usr/bin/env bash
# Scenario 5: Delete=confirm and Prune=confirm.  Deleting such an object is
# refused until someone approves it on the owning Application with
# `kubectl gitops confirm-deletion`, as `argocd app confirm-deletion` does;
# then the same delete goes through.
#
# Two objects: the platform's Namespace (Delete=confirm), deleted with
# --dry-run=server so that the rest of the suite keeps its namespace (the
# webhook judges dry runs exactly like real ones), and a ConfigMap with
# Prune=confirm from a small app of its own, really deleted.
. "$(dirname "$0")/lib.sh"
require_commands confirm-deletion

need_platform
ok $? "the platform is bootstrapped"

say "\$ kubectl delete namespace platform --dry-run=server"
run kubectl delete namespace platform --dry-run=server
expect_rc 1 "deleting the Delete=confirm namespace is refused"
expect_denied deletion-confirmation "by the webhook"
expect_err 'Namespace platform has Delete=confirm' "the message names the object and the option"
expect_err 'kubectl gitops confirm-deletion infra -n argocd' "and the command that approves it"

say "\$ kubectl gitops confirm-deletion infra"
run kubectl gitops confirm-deletion infra
expect_rc 0 "the deletion is approved on the owning Application"
run kubectl get applications.argoproj.io infra -n argocd \
	-o 'jsonpath={.metadata.annotations.argocd\.argoproj\.io/deletion-approved}'
expect_out '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "infra carries a deletion-approved timestamp"

run kubectl delete namespace platform --dry-run=server
expect_rc 0 "now the namespace deletion is allowed"
expect_out 'namespace "platform" deleted \(server dry run\)' "kubectl says it would delete it"
kubectl annotate applications.argoproj.io infra -n argocd argocd.argoproj.io/deletion-approved- >/dev/null

say "a real deletion: an app whose ConfigMap carries Prune=confirm"
kubectl create namespace e2e-confirm >/dev/null 2>&1
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: e2e-confirm
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.com/org/scenarios.git
    path: prune
    targetRevision: HEAD
  destination:
    server: https://kubernetes.default.svc
    namespace: e2e-confirm
  syncPolicy:
    automated: {}
YAML
expect_eventually 60 "the app syncs its ConfigMaps" app_is e2e-confirm Synced/Healthy

run kubectl delete configmap confirm -n e2e-confirm
expect_rc 1 "deleting the Prune=confirm ConfigMap is refused"
expect_denied deletion-confirmation "by the webhook"
expect_err 'kubectl gitops confirm-deletion e2e-confirm -n argocd' "which names the app to approve"

run kubectl gitops confirm-deletion e2e-confirm -n argocd
expect_rc 0 "\$ kubectl gitops confirm-deletion e2e-confirm -n argocd"
run kubectl delete configmap confirm -n e2e-confirm
expect_rc 0 "the same delete is allowed after the approval"
expect_out 'configmap "confirm" deleted' "and the ConfigMap is deleted"
run kubectl get configmap confirm -n e2e-confirm
expect_rc 1 "it is gone"

say "an object without the option never needed an approval"
run kubectl delete configmap plain -n e2e-confirm
expect_rc 0 "a plain ConfigMap of the same app is deleted"

kubectl delete applications.argoproj.io e2e-confirm -n argocd --wait=false >/dev/null 2>&1
done_testing
