#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and nothing
# else.  Idempotent: a machine that has everything returns at once.
#
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh --check    exit 1 (and say what) when something is missing
set -euo pipefail

pkgs=(
	build-essential pkg-config
	libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libmicrohttpd-dev libgnutls28-dev
	openssl curl python3 valgrind clang clang-format tzdata
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" = "--check" ]; then
	echo "missing packages: ${missing[*]}" >&2
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
