#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer target into build/fuzz/.
#
#   tests/fuzz/build.sh                    (what `make fuzz` runs)
#   build/fuzz/fuzz_yaml -max_total_time=60 -dict=tests/fuzz/yaml.dict \
#       build/fuzz/corpus/yaml tests/fuzz/corpus/yaml
#   build/fuzz/fuzz_yaml crash-1234abcd    (replays one input)
#
# The first corpus directory collects what the fuzzer finds (keep it out of
# git); tests/fuzz/corpus/NAME holds the checked-in seeds for fuzz_NAME.
# Crashes are written to the current directory as crash-*/leak-*/timeout-*.
#
# Every target is compiled with clang -fsanitize=fuzzer,address,undefined
# and linked against all shared/*.c, compiled here with clang too.  A
# target that includes a header from webhook/ (or is named fuzz_webhook_*)
# also gets webhook/*.c except main.c; one that includes a header from
# plugin/ gets plugin/*.c except main.c.  FUZZ_CC overrides clang.  A target
# that fails to build is reported and the others are still built; the exit
# status says whether all of them were.
set -uo pipefail
cd "$(dirname "$0")/../.."

cc=${FUZZ_CC:-clang}
out=build/fuzz
# The same libraries as the Makefile's PKGS.
pkgs=$(sed -n 's/^PKGS *= *//p' Makefile)
read -r -a pkg_cflags <<<"$(pkg-config --cflags $pkgs)"
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Ishared -Iwebhook -Iplugin
	-DGITOPS_VERSION='"fuzz"' "${pkg_cflags[@]}")
read -r -a libs <<<"$(pkg-config --libs $pkgs) -lpthread -lm"
san=address,undefined
failed=0

# objects DIR: compiles DIR/*.c except main.c (with coverage, no main) and
# sets objs to the object files; returns 1 if one did not compile.
objects() {
	local src obj rc=0
	objs=()
	for src in "$1"/*.c; do
		[ -e "$src" ] || continue
		[ "${src##*/}" = main.c ] && continue
		obj=$out/obj/${src%.c}.o
		mkdir -p "${obj%/*}"
		if ! "$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link,$san -c -o "$obj" "$src"; then
			rc=1
			continue
		fi
		objs+=("$obj")
	done
	return $rc
}

# includes_from DIR TARGET: does TARGET include one of DIR's headers?
includes_from() {
	local h
	for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$2"); do
		[ -e "$1/$h" ] && return 0
	done
	return 1
}

mkdir -p "$out"
objects shared || failed=1
shared_objs=("${objs[@]}")
webhook_objs=() plugin_objs=() have_webhook=0 have_plugin=0
for t in tests/fuzz/fuzz_*.c; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .c)
	extra=()
	if [[ $name == fuzz_webhook_* ]] || includes_from webhook "$t"; then
		if [ $have_webhook = 0 ]; then
			objects webhook || failed=1
			webhook_objs=("${objs[@]}") have_webhook=1
		fi
		extra+=("${webhook_objs[@]}")
	fi
	if includes_from plugin "$t"; then
		if [ $have_plugin = 0 ]; then
			objects plugin || failed=1
			plugin_objs=("${objs[@]}") have_plugin=1
		fi
		extra+=("${plugin_objs[@]}")
	fi
	printf '  FUZZ   %s\n' "$out/$name"
	if ! "$cc" "${cflags[@]}" -fsanitize=fuzzer,$san -o "$out/$name" "$t" \
		"${extra[@]}" "${shared_objs[@]}" "${libs[@]}"; then
		echo "fuzz: $name did not build" >&2
		failed=1
	fi
done
exit $failed
