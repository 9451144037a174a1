# sync_lib.sh - sourced (not run) by the sync/tree/windows/check CLI tests:
# starts the Kubernetes simulator with the platform fixture.
#
#   . tests/lib/tap.sh
#   . tests/cli/sync_lib.sh
#   sim_start [REPOS_DIR] [kubesim options...]   # sets KUBECONFIG, $sim_log
#   sim_platform_manual_repos DIR                # fixture repos, children manual
#
# The plugin is found on PATH (bin/), kubectl is the real one.

top=$PWD
export PATH="$top/bin:$PATH"

# Copies the fixture repos to DIR with the children's automated sync
# removed, so that only `kubectl gitops sync` syncs them.
sim_platform_manual_repos() {
	cp -r "$top/tests/fixtures/repos" "$1"
	local f
	for f in "$1"/platform/root/*.yaml; do
		python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
out, skip = [], False
for line in open(p):
    if line.startswith('  syncPolicy:'):
        skip = True
        continue
    if skip and (line.startswith('    ') or not line.strip()):
        continue
    skip = False
    out.append(line)
open(p, 'w').write(''.join(out))
PY
	done
}

sim_start() {
	local repos=${1:-$top/tests/fixtures/repos}
	shift 2>/dev/null
	sim_log="$tap_tmp/requests.log"
	"$top/tests/kubesim/kubesim" --listen 127.0.0.1:0 --kubeconfig-out "$tap_tmp/kubeconfig" \
		--repos "$repos" --request-log "$sim_log" "$@" \
		>"$tap_tmp/sim.out" 2>"$tap_tmp/sim.err" &
	sim_pid=$!
	tap_on_exit="kill $sim_pid 2>/dev/null"
	local _
	for _ in $(seq 100); do
		grep -q 'listening' "$tap_tmp/sim.out" 2>/dev/null && break
		sleep 0.1
	done
	export KUBECONFIG="$tap_tmp/kubeconfig"
	kubectl apply -f "$top/tests/fixtures/platform.yaml" >/dev/null
}

# app_field APP JSONPATH: one field of an Application.
app_field() {
	kubectl get applications.argoproj.io -n argocd "$1" -o "jsonpath=$2" 2>/dev/null
}
