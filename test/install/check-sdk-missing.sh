#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# `meson setup` on a machine without the driver SDK headers: it must stop
# at once, download nothing, and name the set-up step
# (devtools/fetch-sdk-headers.sh, devtools/setup.sh) and -Ddpdk_sdk_dir.
# The machine's header cache is hidden under empty tmpfs mounts in a
# private mount namespace (unshare -m); nothing outside changes. Then the
# same configure with -Ddpdk_sdk_dir=<the real headers> must succeed.
#
# usage: check-sdk-missing.sh <source dir> <SDK header dir>
# Exit status: 0 pass, 1 fail, 77 skipped (not root).

set -eu

say() { printf 'check-sdk-missing: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

src=$(cd "$1" && pwd)
sdk=$2

if [ -z "${EXTMEM_SDK_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { say "SKIP: needs root for unshare -m"; exit 77; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/extmem-sdk.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# the headers stay reachable for the second part
	mkdir "$tmp/sdk"
	cp "$sdk"/*.h "$tmp/sdk/"
	rc=0
	EXTMEM_SDK_NS=$tmp unshare -m --propagation private "$0" "$@" || rc=$?
	exit $rc
fi

tmp=$EXTMEM_SDK_NS
export HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home/.cache"
unset DPDK_EXTMEM_CACHE
mkdir -p "$HOME"
if [ -d /var/cache/dpdk-extmem ]; then
	mount -t tmpfs -o size=1m tmpfs /var/cache/dpdk-extmem ||
		{ say "SKIP: cannot hide /var/cache/dpdk-extmem"; exit 77; }
fi

rc=0
meson setup "$tmp/b1" "$src" -Dtests=false -Dexamples=false \
	-Ddocs=disabled >"$tmp/setup1.log" 2>&1 || rc=$?
cat "$tmp/setup1.log"
[ $rc -ne 0 ] || fail "meson setup succeeded without the SDK headers"
for s in "devtools/fetch-sdk-headers.sh" "devtools/setup.sh" \
		"-Ddpdk_sdk_dir"; do
	grep -q -- "$s" "$tmp/setup1.log" || fail "the error does not name $s"
done
! grep -qi 'downloading\|apt-get' "$tmp/setup1.log" ||
	fail "meson setup tried to download"
[ -z "$(ls -A /var/cache/dpdk-extmem 2>/dev/null)" ] ||
	fail "meson setup wrote into the cache"
say "without headers: meson setup stopped with the set-up step named"

meson setup "$tmp/b2" "$src" -Dtests=false -Dexamples=false \
	-Ddocs=disabled -Ddpdk_sdk_dir="$tmp/sdk" >"$tmp/setup2.log" 2>&1 ||
	{ cat "$tmp/setup2.log"; fail "meson setup -Ddpdk_sdk_dir failed"; }
say "with -Ddpdk_sdk_dir: configured"
say "OK"
