#!/usr/bin/env bash
# Scenario 4: the claim that holds the platform's data carries
# Prune=false.  Argo CD will never prune it; the webhook makes sure nobody
# else deletes it either, and that the protection can only be lifted
# through Git, not by editing the annotation away.
. "$(dirname "$0")/lib.sh"

need_platform
ok $? "the platform is bootstrapped"

say "the claim is there, with its protection"
run kubectl get pvc data -n platform -o 'jsonpath={.metadata.annotations.argocd\.argoproj\.io/sync-options}'
expect_eq "$out" "Prune=false" "pvc/data carries argocd.argoproj.io/sync-options: Prune=false"

say "\$ kubectl delete pvc data -n platform"
run kubectl delete pvc data -n platform --wait=false
expect_rc 1 "kubectl delete of the Prune=false claim fails"
expect_denied deletion-protection "the webhook denied it"
expect_err 'PersistentVolumeClaim platform/data is protected by argocd.argoproj.io/sync-options Prune=false' \
	"the message names the object and the option"
expect_err 'remove the option in Git' "and says how to lift the protection"

say "a server-side dry run gets the same answer"
run kubectl delete pvc data -n platform --dry-run=server
expect_denied deletion-protection "--dry-run=server is denied too"

say "\$ kubectl annotate pvc data -n platform argocd.argoproj.io/sync-options-"
run kubectl annotate pvc data -n platform argocd.argoproj.io/sync-options-
expect_rc 1 "removing the annotation by hand fails"
expect_denied deletion-protection "the webhook denied it"
expect_err 'reserved to the Argo CD controller' "only Argo CD (through Git) may lift it"
expect_err 'managed by Application argocd/infra' "the message names the owning Application"

say "changing the option to something weaker is the same as removing it"
run kubectl annotate pvc data -n platform --overwrite argocd.argoproj.io/sync-options=Validate=false
expect_denied deletion-protection "overwriting Prune=false is denied"

run kubectl get pvc data -n platform -o 'jsonpath={.metadata.annotations.argocd\.argoproj\.io/sync-options}'
expect_eq "$out" "Prune=false" "the claim and its protection are unchanged"

say "other edits of the claim are not the webhook's business"
run kubectl label pvc data -n platform e2e.kubectl-gitops.dev/touched=yes --overwrite
expect_rc 0 "labelling the claim is allowed"
kubectl label pvc data -n platform e2e.kubectl-gitops.dev/touched- >/dev/null 2>&1

done_testing
