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
. "$(dirname "$0")/deps.sh"

# nginx-light is the smallest Debian nginx with the ssl module; any of the
# flavours will do when one is already installed.
nginx_pkgs=(nginx-light nginx nginx-core nginx-full nginx-extras)

missing=()
deps_missing wrk openssl
have_nginx=
for p in "${nginx_pkgs[@]}"; do
	deps_installed "$p" && have_nginx=$p && break
done
[ -n "$have_nginx" ] || missing+=(nginx-light)

deps_prepare bench-deps "${1:-}"

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
