#!/usr/bin/env bash
# kubectl gitops windows: offline on files (as CI uses it) and against the
# simulator's platform project.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/cli/sync_lib.sh

cat >"$tap_tmp/proj.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: platform, namespace: argocd}
spec:
  sourceRepos: ['*']
  syncWindows:
  - kind: deny
    schedule: '0 22 * * *'
    duration: 8h
    applications: [worker]
    timeZone: Europe/Berlin
  - kind: allow
    schedule: '0 8 * * 1-5'
    duration: 10h
    applications: ['*']
    manualSync: true
YAML
cat >"$tap_tmp/worker.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: worker, namespace: argocd}
spec:
  project: platform
  destination: {server: https://kubernetes.default.svc, namespace: platform}
YAML
cat >"$tap_tmp/web.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web, namespace: argocd}
spec:
  project: platform
  destination: {server: https://kubernetes.default.svc, namespace: platform}
YAML
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Monday 2 March 2026, 23:30 UTC = 00:30 in Berlin: the deny window is on.
run kubectl gitops windows -f "$tap_tmp/proj.yaml" --app-file "$tap_tmp/worker.yaml" \
	--at 2026-03-02T23:30:00Z
expect_rc 0 "offline evaluation succeeds"
expect_out '^ID +STATUS +KIND +SCHEDULE +DURATION +APPLICATIONS .* MATCHES$' "table header"
expect_out '^0 +Active +deny +0 22 \* \* \* +8h +worker .*Europe/Berlin +Disabled +Yes$' \
	"the deny window is active in Berlin time and applies to worker"
expect_out '^1 +Inactive +allow ' "the allow window is inactive at night"
expect_out '^Manual sync: +denied \(blocked by deny window 0' "manual sync denied by window 0"
expect_out '^  changes at +2026-03-03T05:00:00Z$' "manual verdict changes when the deny window ends (06:00 Berlin)"

run kubectl gitops windows -f "$tap_tmp/proj.yaml" --app-file "$tap_tmp/worker.yaml" \
	--at 2026-03-02T23:30:00Z -o json
expect_eq "$(printf '%s' "$out" | jq_ 'd["verdict"], d["nextChange"], d["windows"][0]["active"], d["windows"][0]["matches"], d["windows"][0]["timeZone"], sorted(d["windows"][1].keys())')" \
	"{'manual': False, 'automated': False} 2026-03-03T05:00:00Z True True Europe/Berlin ['active', 'duration', 'index', 'kind', 'matches', 'schedule', 'timeZone']" \
	"-o json: verdicts, next change and window fields"

run kubectl gitops windows -f "$tap_tmp/proj.yaml" --app-file "$tap_tmp/web.yaml" \
	--at 2026-03-02T23:30:00Z -o json
expect_eq "$(printf '%s' "$out" | jq_ 'd["verdict"]["manual"], d["verdict"]["automated"], d["windows"][0]["matches"], d["nextChange"]')" \
	"True False False 2026-03-03T08:00:00Z" \
	"outside the allow window: manual allowed (manualSync), automated not until 08:00"

run kubectl gitops windows -f "$tap_tmp/proj.yaml" --at 2026-03-02T10:00:00Z -o json
expect_eq "$(printf '%s' "$out" | jq_ 'd["verdict"]["automated"], d["nextChange"]')" \
	"True 2026-03-02T18:00:00Z" "without an app every window applies; allowed until the allow window ends"

for bad in "0 22 * * 7" "@daily" "0 22 * *"; do
	sed "s/0 22 \* \* \*/$bad/" "$tap_tmp/proj.yaml" >"$tap_tmp/bad.yaml"
	run kubectl gitops windows -f "$tap_tmp/bad.yaml" -o json
	expect_rc 2 "schedule '$bad' is an error"
	expect_err '^error: sync window 0: ' "the error names window 0 ($bad)"
done
for bad in "'3600'" 1d; do
	sed "s/duration: 8h/duration: $bad/" "$tap_tmp/proj.yaml" >"$tap_tmp/bad.yaml"
	run kubectl gitops windows -f "$tap_tmp/bad.yaml"
	expect_rc 2 "duration $bad is an error"
	expect_err 'sync window 0: .*duration' "the error names window 0 and the duration ($bad)"
done

run kubectl gitops windows -f "$tap_tmp/proj.yaml" --at tomorrow
expect_rc 2 "a bad --at is a usage error"
run kubectl gitops windows -f "$tap_tmp/worker.yaml"
expect_rc 2 "an Application given as the project is refused"
expect_err 'expected an argoproj.io AppProject' "the error says what was expected"
run kubectl gitops windows
expect_rc 2 "a project is required"

# Against the cluster: the fixture's platform project.
sim_start
run kubectl gitops windows platform -o json
expect_rc 0 "the project is read from the cluster"
expect_eq "$(printf '%s' "$out" | jq_ 'len(d["windows"]), d["windows"][0]["active"], d["windows"][1]["active"], d["verdict"]["manual"]')" \
	"2 False True True" "the fixture's never-firing deny window is inactive, the allow window active"
kubectl patch appproject -n argocd platform --type json -p \
	'[{"op":"replace","path":"/spec/syncWindows/0/schedule","value":"* * * * *"},{"op":"replace","path":"/spec/syncWindows/0/duration","value":"1h"}]' >/dev/null
kubectl create -f - >/dev/null <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: worker, namespace: argocd}
spec:
  project: platform
  source: {repoURL: https://git.example.com/org/platform.git, path: worker}
  destination: {server: https://kubernetes.default.svc, namespace: platform}
YAML
run kubectl gitops windows platform --app worker
expect_rc 0 "the app is read from the cluster"
expect_out '^0 +Active +deny .* Yes$' "the enabled deny window applies to worker"
expect_out '^Manual sync: +denied' "and denies a manual sync"
run kubectl gitops windows nosuch
expect_rc 1 "an unknown project is an API error"
expect_err 'Error from server \(NotFound\)' "printed as kubectl does"

done_testing
