#!/usr/bin/env bash
# Shell completion through kubectl_complete-gitops, as kubectl (1.26+)
# calls it: the words typed so far, then the word being completed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

cat >"$tap_tmp/state.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: payments, namespace: argocd}
spec: {}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: checkout, namespace: argocd}
spec: {project: payments, destination: {namespace: shop}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: cart, namespace: argocd}
spec: {project: payments, destination: {namespace: shop}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: billing, namespace: team-a}
spec: {project: payments, destination: {namespace: shop}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: storefront, namespace: team-a}
spec: {selector: {matchLabels: {app: storefront}}, template: {metadata: {labels: {app: storefront}}}}
YAML
tests/kubesim/kubesim --listen 127.0.0.1:0 --kubeconfig-out "$tap_tmp/kubeconfig" \
	--state "$tap_tmp/state.yaml" --controllers none >"$tap_tmp/sim.out" 2>"$tap_tmp/sim.err" &
sim=$!
tap_on_exit="kill $sim 2>/dev/null"
for _ in $(seq 100); do grep -q listening "$tap_tmp/sim.out" && break; sleep 0.1; done
export PATH="$PWD/bin:$PATH" KUBECONFIG="$tap_tmp/kubeconfig"

lines() { printf '%s\n' "$out" | tr '\n' ' ' | sed 's/ $//'; }

run kubectl_complete-gitops ""
expect_out '^sync$' "the first word offers the commands"
expect_out '^rollout$' "rollout among them"
expect_no_out '__complete' "hidden commands are not offered"
expect_eq "$(printf '%s\n' "$out" | tail -1)" ":4" "the last line is cobra's no-file-completion directive"

run kubectl_complete-gitops s
expect_eq "$(lines)" "sync :4" "a prefix narrows the commands"

run kubectl_complete-gitops sync c
expect_eq "$(lines)" "cart checkout :4" "sync offers Applications of argocd by prefix"

run kubectl_complete-gitops sync -n team-a ""
expect_eq "$(lines)" "billing :4" "-n chooses the namespace the names come from"

run kubectl_complete-gitops windows ""
expect_eq "$(lines)" "payments :4" "windows offers AppProjects"

run kubectl_complete-gitops rollout ""
expect_out '^promote$' "rollout offers its subcommands"
expect_out '^status$' "status among them"

run kubectl_complete-gitops rollout promote -n team-a ""
expect_eq "$(lines)" "storefront :4" "rollout subcommands offer Rollouts"

run kubectl_complete-gitops list --all
expect_eq "$(lines)" "--all-namespaces :4" "flags come from the command's own help"

run kubectl_complete-gitops rollout promote --fu
expect_eq "$(lines)" "--full :4" "a rollout subcommand's flags"

KUBECONFIG=/nonexistent run kubectl_complete-gitops sync ""
expect_eq "$out" ":4" "a broken kubeconfig offers nothing"
expect_eq "$err" "" "and prints no error into the shell"

done_testing
