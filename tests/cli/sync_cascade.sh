#!/usr/bin/env bash
# kubectl gitops sync over the fixture app-of-apps (children made manual, so
# only the plugin syncs them): plan, full cascade in wave order, skip of
# children already in sync, --cascade=false, -o json, and refusals (a sync
# window, an operation already running, an unknown app).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/cli/sync_lib.sh

jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
sim_platform_manual_repos "$tap_tmp/repos"
sim_start "$tap_tmp/repos"

run kubectl gitops sync platform --plan
expect_rc 0 "--plan succeeds"
expect_out '^APP +WAVE +ACTION +SYNC +HEALTH +NOTE$' "--plan prints a table"
expect_out '^├─ infra +-1 +sync ' "--plan shows the child in wave -1"
expect_out '^└─ worker +1 +sync ' "--plan shows the last child, wave 1"
expect_eq "$(app_field platform '{.status.operationState.phase}')" "" "--plan writes nothing"

run kubectl gitops sync platform --timeout 60s
expect_rc 0 "the cascade succeeds"
expect_err '^TIMESTAMP +APP +WAVE +STATE' "progress is a change log on stderr when not a terminal"
expect_err '^20[0-9-]+T[0-9:]+Z +infra +-1 +Syncing' "timestamped lines per change"
expect_out '^APP +WAVE +RESULT +PHASE +SYNC +HEALTH +DURATION +MESSAGE$' "summary table on stdout"
for a in platform infra api web canary worker; do
	expect_out "^(├─ |└─ )?$a .* Succeeded +Succeeded +Synced +Healthy " "$a succeeded, Synced and Healthy"
done

# Wave order from what the cluster recorded: each wave's operations started
# no earlier than the previous wave's finished (second precision), and the
# plugin's writes of .operation came in wave order.
t() { app_field "$1" "{.status.operationState.$2}"; }
ok_order=0
for pair in "infra api" "infra web" "api canary" "web canary" "api worker" "web worker"; do
	set -- $pair
	[[ "$(t "$2" startedAt)" > "$(t "$1" finishedAt)" || "$(t "$2" startedAt)" == "$(t "$1" finishedAt)" ]] || {
		ok_order=1; echo "# $2 started $(t "$2" startedAt) before $1 finished $(t "$1" finishedAt)"; }
done
ok $ok_order "recorded start times follow the waves (-1: infra; 0: api, web; 1: canary, worker)"
order=$(python3 - "$sim_log" <<'PY'
import json, sys
seen = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["method"] == "PUT" and r["user"] == "kubernetes-admin" and "/applications/" in r["path"]:
        n = r["path"].rsplit("/", 1)[1]
        if n not in seen:
            seen.append(n)
print(" ".join(seen))
PY
)
case "$order" in
	"platform infra "[aw]*" "[aw]*" "[cw]*" "[cw]*) ok 0 "operations were written in wave order ($order)" ;;
	*) ok 1 "operations were written in wave order ($order)" ;;
esac
expect_eq "$(t worker operation.initiatedBy.username) $(t worker operation.initiatedBy.automated)" \
	"kubernetes-admin false" "initiatedBy is the caller's identity (SelfSubjectReview), not automated"

run kubectl gitops sync platform -o json
expect_rc 0 "a second sync succeeds"
expect_eq "$(printf '%s' "$out" | jq_ 'd["result"], [(a["name"], a["result"]) for a in d["apps"]][:3], d["apps"][1]["parent"], d["apps"][1]["wave"], d["apps"][1]["message"]')" \
	"Succeeded [('platform', 'Succeeded'), ('infra', 'Skipped'), ('api', 'Skipped')] platform -1 already Synced and Healthy" \
	"-o json: children already Synced and Healthy are skipped"

run kubectl gitops sync platform --cascade=false -o json
expect_eq "$(printf '%s' "$out" | jq_ 'len(d["apps"]), d["apps"][0]["result"]')" "1 Succeeded" \
	"--cascade=false syncs only the named app"

# A deny window (manualSync false) for worker and canary.
kubectl patch appproject -n argocd platform --type json -p \
	'[{"op":"replace","path":"/spec/syncWindows/0/schedule","value":"* * * * *"},{"op":"replace","path":"/spec/syncWindows/0/duration","value":"1h"}]' >/dev/null
rv=$(app_field worker '{.metadata.resourceVersion}')
run kubectl gitops sync worker
expect_rc 1 "a sync blocked by a window is refused"
expect_out '^worker .*Refused .*cannot sync: blocked by deny window 0 \(schedule "\* \* \* \* \*", duration 1h, timeZone UTC\); no sync possible within 366 days' \
	"the refusal names the window and when the app may sync next (never, for an always-on window)"
expect_eq "$(app_field worker '{.metadata.resourceVersion}')" "$rv" "nothing was written"
run kubectl gitops sync platform --force-children --app worker -o json
expect_rc 1 "a cascade whose child is blocked fails"
expect_eq "$(printf '%s' "$out" | jq_ '[(a["name"], a["result"]) for a in d["apps"]]')" \
	"[('platform', 'Failed'), ('worker', 'Refused')]" "--app selects the child; the window refuses it and the parent fails"

run kubectl gitops sync nosuch
expect_rc 1 "an unknown app fails"
expect_err 'Error from server \(NotFound\): applications.argoproj.io "nosuch" not found' "as kubectl says it"
run kubectl gitops sync
expect_rc 2 "an app is required"
run kubectl gitops sync platform --parallel 0
expect_rc 2 "--parallel must be positive"
run kubectl gitops sync platform --strategy replace
expect_rc 2 "an unknown strategy is a usage error"
run kubectl gitops sync platform --resource a:b
expect_rc 2 "a malformed --resource is a usage error"
expect_err 'resource should have GROUP:KIND:NAME' "with argocd's message"

done_testing
