#!/usr/bin/env bash
# Installs the Debian packages only `make bench` needs: nginx (the
# reference HTTPS server the webhook is compared with) and wrk (the load
# generator).  Kept out of scripts/deps.sh so that building and testing
# never pull a web server in.  Idempotent: a machine that has everything
# returns at once.
#
#   scripts/bench-deps.sh            install what is missing (apt-get, as root)
#   scripts/bench-deps.sh --check    exit 1 (and say what) when something is missing
set -euo pipefail

# nginx-light is the smallest Debian nginx with the ssl module; any of the
# flavours will do when one is already installed.
nginx_pkgs=(nginx-light nginx nginx-core nginx-full nginx-extras)
pkgs=(wrk openssl)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done
have_nginx=
for p in "${nginx_pkgs[@]}"; do
	installed "$p" && have_nginx=$p && break
done
[ -n "$have_nginx" ] || missing+=(nginx-light)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${1:-}" = "--check" ]; then
	echo "missing packages: ${missing[*]}" >&2
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "bench-deps: missing packages: ${missing[*]}" >&2
	echo "bench-deps: run: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# The package's own nginx service is not wanted: the benchmark starts its
# own nginx with its own configuration.  policy-rc.d keeps dpkg from
# starting it (and failing when port 80 is taken) during the install.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	own_policy=1
fi
status=0
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || status=$?
[ -n "$own_policy" ] && rm -f "$policy"
exit "$status"
