#!/usr/bin/env bash
# kubectl gitops check: an Application against its AppProject, offline and
# against the simulator.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/cli/sync_lib.sh

cat >"$tap_tmp/proj.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: platform, namespace: argocd}
spec:
  sourceRepos: ['https://git.example.com/org/*', '!https://git.example.com/org/secret']
  sourceNamespaces: ['team-*']
  destinations:
  - {server: https://kubernetes.default.svc, namespace: platform}
  - {name: prod-*, namespace: '*'}
YAML
app() { # name namespace repo server-or-name-line dest-ns
	cat <<YAML
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: $1, namespace: $2}
spec:
  project: platform
  source: {repoURL: '$3', path: x}
  destination: {$4, namespace: $5}
YAML
}
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
P="$tap_tmp/proj.yaml"

app good argocd https://git.example.com/org/web.git 'server: https://kubernetes.default.svc' platform >"$tap_tmp/good.yaml"
run kubectl gitops check -f "$tap_tmp/good.yaml" --project-file "$P"
expect_rc 0 "a permitted app exits 0"
expect_out "^application 'good' is allowed by project 'platform'$" "and says so"

app scp argocd 'GIT@git.example.com:org/web.git' 'name: prod-eu' anything >"$tap_tmp/scp.yaml"
run kubectl gitops check -f "$tap_tmp/scp.yaml" --project-file "$P" -o json
expect_rc 0 "Argo CD's quirk: a deny entry that does not hit permits any other repo, even one no allow glob covers"
app norm argocd 'HTTPS://git.example.com/org/Web.git' 'name: prod-eu' anything >"$tap_tmp/norm.yaml"
run kubectl gitops check -f "$tap_tmp/norm.yaml" --project-file "$P" -o json
expect_rc 0 "case and .git are normalised; a destination by name matches a name glob"

app bad team-x https://git.example.com/org/secret.git 'server: https://kubernetes.default.svc' prod >"$tap_tmp/bad.yaml"
run kubectl gitops check -f "$tap_tmp/bad.yaml" --project-file "$P" -o json
expect_rc 1 "a denied app exits 1"
expect_eq "$(printf '%s' "$out" | jq_ 'd["allowed"], d["sourcePermitted"], d["destinationPermitted"], [v["field"] for v in d["violations"]], d["violations"][0]["value"], d["violations"][0]["allowed"]')" \
	"False False False ['spec.source.repoURL', 'spec.destination'] https://git.example.com/org/secret.git ['https://git.example.com/org/*', '!https://git.example.com/org/secret']" \
	"-o json lists each violation with the value and the allowed list (a ! entry denies)"

app ns other https://git.example.com/org/web.git 'server: https://kubernetes.default.svc' platform >"$tap_tmp/ns.yaml"
run kubectl gitops check -f "$tap_tmp/ns.yaml" --project-file "$P"
expect_rc 1 "an app namespace outside sourceNamespaces is denied"
expect_out "^  metadata.namespace: 'other' is not permitted by " "the text names the field and the value"

run kubectl gitops check -f "$tap_tmp/good.yaml" --project-file "$tap_tmp/good.yaml"
expect_rc 2 "an Application given as the project is bad input"
printf 'kind: [' >"$tap_tmp/broken.yaml"
run kubectl gitops check -f "$tap_tmp/broken.yaml" --project-file "$P"
expect_rc 2 "unparseable YAML is bad input"
expect_err 'broken.yaml' "the error names the file"
sed 's/name: platform/name: other/' "$P" >"$tap_tmp/other.yaml"
run kubectl gitops check -f "$tap_tmp/good.yaml" --project-file "$tap_tmp/other.yaml"
expect_rc 2 "a project file for another project is bad input"
run kubectl gitops check
expect_rc 2 "-f is required"

sim_start
app good argocd https://git.example.com/org/platform.git 'server: https://kubernetes.default.svc' platform >"$tap_tmp/c.yaml"
run kubectl gitops check -f "$tap_tmp/c.yaml"
expect_rc 0 "the project is read from the cluster"
app good argocd https://git.example.com/org/other.git 'server: https://kubernetes.default.svc' platform >"$tap_tmp/c.yaml"
run kubectl gitops check -f "$tap_tmp/c.yaml" -o json
expect_rc 1 "a repo the cluster's project does not list is denied"

done_testing
