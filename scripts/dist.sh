#!/usr/bin/env bash
# Release tarballs of the kubectl plugin, one per platform, and the krew
# manifest that installs them.
#
#   scripts/dist.sh [--version vX.Y.Z] [--uri-base URL] [--out DIR] [OS/ARCH=DIR]...
#
# Each OS/ARCH=DIR names a directory holding kubectl-gitops and
# kubectl_complete-gitops built for that platform (a cross build or another
# machine's bin/); without any, the host's bin/ is packed for the host
# platform.  For each platform DIR gets
#   kubectl-gitops_<version>_<os>_<arch>.tar.gz         the binary, the
#                                                        completion helper, LICENSE
#   kubectl-gitops_<version>_<os>_<arch>.tar.gz.sha256  "<sum>  <file>"
# and gitops.yaml, plugins/gitops.yaml filled in: version, the URIs under
# --uri-base, and each tarball's sha256.
#
# The tarballs are reproducible (sorted names, fixed owner and mtime, gzip
# without a timestamp), so the same binaries give the same sha256.
#
# Defaults: --version from `git describe` made semver (krew wants vX.Y.Z;
# an untagged tree gives v0.0.0-dev.g<sha>), --uri-base the GitHub release
# of that version, --out dist.  Exit status: 0 done, 1 failure, 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
	echo "dist: $*" >&2
	exit 1
}
usage() {
	echo "dist: $*" >&2
	echo "usage: scripts/dist.sh [--version vX.Y.Z] [--uri-base URL] [--out DIR] [OS/ARCH=DIR]..." >&2
	exit 2
}

repo_url=https://github.com/kubectl-gitops/kubectl-gitops
version=${VERSION:-}
uri_base=
out=dist
platforms=()
while [ $# -gt 0 ]; do
	case "$1" in
	--version) [ $# -ge 2 ] || usage "--version needs a value"; version=$2; shift 2 ;;
	--version=*) version=${1#*=}; shift ;;
	--uri-base) [ $# -ge 2 ] || usage "--uri-base needs a value"; uri_base=$2; shift 2 ;;
	--uri-base=*) uri_base=${1#*=}; shift ;;
	--out) [ $# -ge 2 ] || usage "--out needs a value"; out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	-h|--help) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) usage "unknown option $1" ;;
	*/*=*) platforms+=("$1"); shift ;;
	*) usage "expected OS/ARCH=DIR, got \"$1\"" ;;
	esac
done

# krew parses spec.version as semver with a leading v.
semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
if [ -z "$version" ]; then
	version=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
	if ! [[ $version =~ $semver ]]; then
		version="v0.0.0-dev.g$(echo "$version" | tr -c '0-9A-Za-z.\n' '.' | sed 's/^g//')"
	fi
fi
[[ $version =~ $semver ]] || usage "version \"$version\" is not semver with a leading v (e.g. v1.2.3)"
[ -n "$uri_base" ] || uri_base=$repo_url/releases/download/$version
uri_base=${uri_base%/}
case "$uri_base" in
https://*|http://*|file://*) ;;
*) usage "--uri-base must be a URL, got \"$uri_base\"" ;;
esac

if [ ${#platforms[@]} -eq 0 ]; then
	os=$(uname -s | tr '[:upper:]' '[:lower:]')
	case "$(uname -m)" in
	x86_64|amd64) arch=amd64 ;;
	aarch64|arm64) arch=arm64 ;;
	armv7l) arch=arm ;;
	*) arch=$(uname -m) ;;
	esac
	platforms=("$os/$arch=bin")
fi

files=(kubectl-gitops kubectl_complete-gitops)
mkdir -p "$out"
stage=$(mktemp -d "${TMPDIR:-/tmp}/dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Fixed mtime: the last commit's, or SOURCE_DATE_EPOCH when given.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

entries=()
for p in "${platforms[@]}"; do
	plat=${p%%=*} dir=${p#*=}
	os=${plat%/*} arch=${plat#*/}
	[[ $os =~ ^[a-z0-9]+$ && $arch =~ ^[a-z0-9]+$ ]] || usage "bad platform \"$plat\" (want os/arch, e.g. linux/amd64)"
	for f in "${files[@]}"; do
		if [ ! -f "$dir/$f" ] || [ ! -x "$dir/$f" ]; then
			die "$dir/$f: missing or not executable (run make first)"
		fi
	done
	name=kubectl-gitops_${version}_${os}_${arch}.tar.gz
	rm -rf "${stage:?}/$plat"
	mkdir -p "$stage/$plat"
	for f in "${files[@]}"; do
		install -m 0755 "$dir/$f" "$stage/$plat/$f"
	done
	install -m 0644 LICENSE "$stage/$plat/LICENSE"
	tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
		-C "$stage/$plat" -cf - "${files[@]}" LICENSE | gzip -9 -n >"$out/$name.tmp"
	mv -f "$out/$name.tmp" "$out/$name"
	sum=$(sha256sum "$out/$name" | cut -d' ' -f1)
	echo "$sum  $name" >"$out/$name.sha256"
	entries+=("$os $arch $sum")
	echo "$out/$name"
done

# Fill the manifest: the header once, the platform stanza per tarball.
python3 - plugins/gitops.yaml "$out/gitops.yaml" "$version" "$uri_base" "${entries[@]}" <<'PY'
import sys

src, dst, version, uri_base = sys.argv[1:5]
entries = [e.split() for e in sys.argv[5:]]
text = open(src).read()
head, sep, rest = text.partition("  # platform-begin\n")
stanza, sep2, tail = rest.partition("  # platform-end\n")
if not sep or not sep2:
    sys.exit("dist: %s: missing the platform-begin/platform-end markers" % src)

def fill(s, **kv):
    for k, v in kv.items():
        s = s.replace("${%s}" % k, v)
    return s

# The leading comment is for the template's readers, not for krew.
body = head[head.index("apiVersion:"):]
out = fill(body, VERSION=version, URI_BASE=uri_base)
for os_, arch, sha in entries:
    out += fill(stanza, VERSION=version, URI_BASE=uri_base, OS=os_, ARCH=arch, SHA256=sha)
out += fill(tail, VERSION=version, URI_BASE=uri_base)
with open(dst + ".tmp", "w") as f:
    f.write(out)
import os
os.replace(dst + ".tmp", dst)
PY
echo "$out/gitops.yaml"
