#!/usr/bin/env bash
# `gitops-webhook check`: the offline judge.  Exit 0 allowed, 1 denied,
# 2 bad input; the AdmissionReview response on stdout; YAML reviews too.
set -u
cd "$(dirname "$0")/../.."
bin=${WEBHOOK_BIN:-bin/gitops-webhook}
state=tests/unit/data/webhook/state
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
t() { # t DESCRIPTION COMMAND... : ok when the command succeeds
	local d=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}

cat >"$tmp/delete.yaml" <<'YAML'
apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  uid: 7f0c-yaml
  kind: {group: apps, version: v1, kind: Deployment}
  resource: {group: apps, version: v1, resource: deployments}
  operation: DELETE
  namespace: prod
  name: web
  userInfo: {username: alice}
  oldObject:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: prod
      annotations:
        argocd.argoproj.io/tracking-id: guestbook:apps/Deployment:prod/web
        argocd.argoproj.io/sync-options: Delete=confirm
YAML

"$bin" check --review "$tmp/delete.yaml" --state "$state" --now 2026-01-01T10:05:00Z >"$tmp/out"
rc=$?
t "approved deletion exits 0" test "$rc" -eq 0
t "prints the v1 response with the uid" \
	grep -q '^{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"7f0c-yaml","allowed":true}}$' "$tmp/out"

"$bin" check --review "$tmp/delete.yaml" --state "$state" --now 2026-01-01T11:00:00Z >"$tmp/out"
rc=$?
t "stale approval: denied, exit 1" test "$rc" -eq 1
t "the denial says how to approve" grep -q 'kubectl gitops confirm-deletion guestbook -n argocd' "$tmp/out"

printf 'deletionApproval: {ttl: 2h}\n' >"$tmp/config.yaml"
"$bin" check --review "$tmp/delete.yaml" --state "$state" --now 2026-01-01T11:00:00Z \
	--config "$tmp/config.yaml" >/dev/null
t "--config changes the TTL" test $? -eq 0

printf 'policies: {deletion-confirmation: {mode: warn}}\n' >"$tmp/warn.yaml"
"$bin" check --review - --state "$state" --now 2026-01-01T11:00:00Z --config "$tmp/warn.yaml" \
	<"$tmp/delete.yaml" >"$tmp/out"
t "--review - reads stdin; warn mode exits 0" test $? -eq 0
t "with a warning" grep -q '"warnings":\["would be denied in enforce mode' "$tmp/out"

"$bin" check --review "$tmp/delete.yaml" >/dev/null 2>&1
t "no state: the owner is unknown, denied" test $? -eq 1

printf '{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}' >"$tmp/beta.json"
"$bin" check --review "$tmp/beta.json" >/dev/null 2>"$tmp/err"
t "v1beta1: exit 2" test $? -eq 2
t "with a clear message" grep -q 'unsupported apiVersion "admission.k8s.io/v1beta1"' "$tmp/err"

"$bin" check --review /nonexistent.yaml >/dev/null 2>&1
t "missing review file: exit 2" test $? -eq 2
"$bin" check --review "$tmp/delete.yaml" --now yesterday >/dev/null 2>&1
t "bad --now: exit 2" test $? -eq 2
"$bin" check --review "$tmp/delete.yaml" --state /nonexistent >/dev/null 2>&1
t "missing state: exit 2" test $? -eq 2
printf 'polices: {}\n' >"$tmp/typo.yaml"
"$bin" check --review "$tmp/delete.yaml" --config "$tmp/typo.yaml" >/dev/null 2>"$tmp/err"
t "config typo: exit 2" test $? -eq 2
t "naming the key" grep -q 'unknown key "polices"' "$tmp/err"
"$bin" check >/dev/null 2>&1
t "no --review: exit 2" test $? -eq 2
"$bin" check --help >"$tmp/out"
t "--help exits 0 and prints usage" grep -q '^Usage: gitops-webhook check' "$tmp/out"
"$bin" version >"$tmp/out"
t "version" grep -q '^gitops-webhook ' "$tmp/out"
"$bin" serve --tls-cert-file x >/dev/null 2>&1
t "serve without a key: exit 2" test $? -eq 2

echo "1..$n"
