#!/usr/bin/env bash
# Scenario 6: the AppProject decides where an Application may take its
# manifests from and where it may put them.  Argo CD only checks that when
# it syncs; the webhook refuses such an Application when it is written,
# and the message lists what the project allows.
. "$(dirname "$0")/lib.sh"

app() { # app NAME REPO NAMESPACE
	cat <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $1
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: $2
    path: web
    targetRevision: HEAD
  destination:
    server: https://kubernetes.default.svc
    namespace: $3
YAML
}

need_platform
ok $? "the platform is bootstrapped"

say "an Application from a repository the platform project does not allow"
app rogue https://github.com/example/somewhere-else.git platform >"$tap_tmp/repo.yaml"
run kubectl apply -f "$tap_tmp/repo.yaml"
expect_rc 1 "kubectl apply is refused"
expect_denied project-restrictions "by the webhook's project policy"
expect_err "spec.source.repoURL 'https://github.com/example/somewhere-else.git' is not permitted by project platform" \
	"the message names the field and the value"
expect_err "sourceRepos: 'https://git.example.com/org/platform.git'" "and lists the allowed repositories"
run kubectl get applications.argoproj.io rogue -n argocd
expect_rc 1 "the Application was not created"

say "an allowed repository, but a destination namespace the project does not allow"
app rogue https://git.example.com/org/platform.git kube-public >"$tap_tmp/dest.yaml"
run kubectl apply -f "$tap_tmp/dest.yaml"
expect_rc 1 "kubectl apply is refused"
expect_denied project-restrictions "by the webhook's project policy"
expect_err "namespace 'kube-public'\) is not permitted by project platform" "the message names the destination"
expect_err "destinations: server 'https://kubernetes.default.svc' namespace 'platform', server 'https://kubernetes.default.svc' namespace 'argocd'" \
	"and lists the allowed destinations"

say "moving an existing Application out of bounds is refused the same way"
app e2e-allowed https://git.example.com/org/platform.git platform >"$tap_tmp/ok.yaml"
run kubectl apply -f "$tap_tmp/ok.yaml" --dry-run=server
expect_rc 0 "the same Application within the project's bounds is accepted (server dry run)"
expect_out 'application.argoproj.io/e2e-allowed created \(server dry run\)' "kubectl reports it"
run kubectl patch applications.argoproj.io api -n argocd --type merge \
	-p '{"spec":{"destination":{"namespace":"default"}}}'
expect_rc 1 "re-pointing the api app at namespace default is refused"
expect_denied project-restrictions "by the webhook's project policy"
run kubectl get applications.argoproj.io api -n argocd -o 'jsonpath={.spec.destination.namespace}'
expect_eq "$out" platform "the api app still points at namespace platform"

done_testing
