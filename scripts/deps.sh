#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, and nothing
# else.  Idempotent: a machine that has everything returns at once.
#
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh --check    exit 1 (and say what) when something is missing
#
# scripts/bench-deps.sh sources this file for the functions below (nothing
# else runs then):
#
#   deps_installed PKG         status 0 when dpkg has PKG installed
#   deps_missing PKG...        appends to the array missing the PKGs that are not
#   deps_prepare NAME ARG      with nothing in missing: exits 0.  With ARG
#                              --check: says what is missing, exits 1.  Not
#                              root: says what to run (as NAME), exits 1.
#                              As root: runs apt-get update and returns, for
#                              the caller to install "${missing[@]}"
set -euo pipefail

deps_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

deps_missing() {
	local p
	for p in "$@"; do
		deps_installed "$p" || missing+=("$p")
	done
}

deps_prepare() {
	[ ${#missing[@]} -eq 0 ] && exit 0

	if [ "$2" = "--check" ]; then
		echo "missing packages: ${missing[*]}" >&2
		exit 1
	fi

	if [ "$(id -u)" -ne 0 ]; then
		echo "$1: missing packages: ${missing[*]}" >&2
		echo "$1: run: sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi

	echo "$1: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

missing=()
deps_missing build-essential pkg-config \
	libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libmicrohttpd-dev libgnutls28-dev \
	openssl curl python3 valgrind clang clang-format tzdata
deps_prepare deps "${1:-}"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
