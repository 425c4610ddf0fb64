#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Fetch the DPDK driver SDK headers that Debian's libdpdk-dev does not ship
# (ethdev_driver.h, ethdev_vdev.h, bus_vdev_driver.h, dev_driver.h,
# bus_driver.h) from Debian's source package of exactly the installed DPDK
# version, and extract only those headers into a directory.
#
# usage: fetch-sdk-headers.sh [<output dir>]
#        fetch-sdk-headers.sh --installed
#
# Without an output directory the headers go to the cache
# (<cache>/sdk-<DPDK package version>), where `meson setup` looks for them.
# --installed downloads nothing: it prints the cached header directory of
# the installed DPDK and exits 0, or says what is missing and exits 1
# (this is what meson runs).
#
# The deb-src entries are derived from the machine's own apt sources and
# used through a private apt state directory: the system configuration is
# not modified. Downloads are cached (DPDK_EXTMEM_CACHE, default
# /var/cache/dpdk-extmem for root, ~/.cache/dpdk-extmem otherwise) so
# reruns are offline.

set -eu

SDK_HEADERS="lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h
lib/eal/include/bus_driver.h"

say() { printf 'fetch-sdk-headers: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ $# -le 1 ] || die "usage: $0 [<output dir> | --installed]"

pkgver=$(dpkg-query -W -f '${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (run devtools/setup.sh)"
[ -n "$pkgver" ] || die "libdpdk-dev is not installed (run devtools/setup.sh)"
upver=${pkgver#*:}
upver=${upver%-*}

user_cache=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/dpdk-extmem
if [ -n "${DPDK_EXTMEM_CACHE:-}" ]; then
	cache=$DPDK_EXTMEM_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/dpdk-extmem
else
	cache=$user_cache
fi

# Does directory $1 hold the headers of the installed DPDK?
have_headers() {
	[ -f "$1/.dpdk-sdk-version" ] &&
		[ "$(cat "$1/.dpdk-sdk-version")" = "$pkgver" ] || return 1
	for h in $SDK_HEADERS; do
		[ -f "$1/$(basename "$h")" ] || return 1
	done
}

if [ "${1:-}" = --installed ]; then
	# what meson runs: look, never download
	for c in "$cache" /var/cache/dpdk-extmem "$user_cache"; do
		if have_headers "$c/sdk-$pkgver"; then
			echo "$c/sdk-$pkgver"
			exit 0
		fi
	done
	say "no SDK headers of DPDK $pkgver in $cache/sdk-$pkgver"
	exit 1
fi
out=${1:-$cache/sdk-$pkgver}

if have_headers "$out"; then
	say "SDK headers for DPDK $pkgver already in $out"
	exit 0
fi
stamp="$out/.dpdk-sdk-version"
srcdir="$cache/dpdk-source-$pkgver"
mkdir -p "$srcdir"

orig=$(ls "$srcdir"/dpdk_"$upver".orig.tar.* 2>/dev/null | head -n 1 || true)
if [ -z "$orig" ]; then
	command -v apt-get >/dev/null || die "apt-get not found; pass -Ddpdk_sdk_dir=<dir with the SDK headers> to meson instead"
	apt="$cache/apt"
	rm -rf "$apt"
	mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial"
	# Derive deb-src entries from the existing deb entries.
	n=0
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		sed -e 's/^Types:.*\bdeb\b.*$/Types: deb-src/' "$f" > "$apt/parts/src$n.sources"
	done
	if [ -f /etc/apt/sources.list ]; then
		grep -E '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list |
			sed -e 's/^[[:space:]]*deb[[:space:]]/deb-src /' > "$apt/parts/src.list" || true
	fi
	for f in /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		grep -E '^[[:space:]]*deb[[:space:]]' "$f" |
			sed -e 's/^[[:space:]]*deb[[:space:]]/deb-src /' > "$apt/parts/src$n.list" || true
	done
	aptopts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt/parts
		-o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache
		-o APT::Sandbox::User=root -o Debug::NoLocking=1"
	say "downloading Debian source package dpdk=$pkgver (deb-src derived from the apt sources)"
	# shellcheck disable=SC2086
	apt-get -q $aptopts update >&2 || die "apt-get update for deb-src failed"
	# shellcheck disable=SC2086
	(cd "$srcdir" && apt-get -q $aptopts source --download-only "dpdk=$pkgver" >&2) ||
		die "cannot download Debian's dpdk=$pkgver source package; pass -Ddpdk_sdk_dir=<dir> instead"
	rm -rf "$apt"
	orig=$(ls "$srcdir"/dpdk_"$upver".orig.tar.* 2>/dev/null | head -n 1 || true)
	[ -n "$orig" ] || die "source package downloaded but no dpdk_$upver.orig tarball found"
else
	say "using cached $orig"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pats=
for h in $SDK_HEADERS; do
	pats="$pats */$h"
done
# shellcheck disable=SC2086
tar -xf "$orig" -C "$tmp" --wildcards $pats || die "SDK headers not found in $orig"
mkdir -p "$out"
for h in $SDK_HEADERS; do
	f=$(find "$tmp" -path "*/$h" | head -n 1)
	[ -n "$f" ] || die "$h missing from $orig"
	cp "$f" "$out/"
done
echo "$pkgver" > "$stamp"
say "extracted $(echo $SDK_HEADERS | wc -w) SDK headers of DPDK $pkgver into $out"
