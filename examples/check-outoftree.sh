#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Build an example out of tree the way an application would, against a
# staged install of this project, then run it:
#   meson install --destdir <tmp> (runtime and devel files only),
#   PKG_CONFIG_PATH into the staged tree,
#   cc main.c $(pkg-config --cflags --libs libdpdk-extmem),
#   LD_LIBRARY_PATH to the staged library.
# This checks the installed headers, library and libdpdk-extmem.pc.
#
# usage: check-outoftree.sh <build dir> <example main.c> [program args]

set -eu

[ $# -ge 2 ] || { echo "usage: $0 <build dir> <main.c> [args]" >&2; exit 2; }
build=$1
src=$2
shift 2
say() { printf 'check-outoftree: %s\n' "$*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/extmem-oot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage

if ! meson install -C "$build" --destdir "$stage" --no-rebuild \
		--tags runtime,devel >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	say "meson install --destdir failed"
	exit 1
fi
pc=$(find "$stage" -name libdpdk-extmem.pc | head -n 1)
[ -n "$pc" ] || { say "libdpdk-extmem.pc was not installed"; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH

prefix=$(pkg-config --variable=prefix libdpdk-extmem)
case $prefix in
"$stage"/*)
	# a relocatable .pc (meson -Dpkgconfig.relocatable=true): as is
	flags=$(pkg-config --cflags --libs libdpdk-extmem)
	libdir=$(pkg-config --variable=libdir libdpdk-extmem)
	;;
*)
	# the .pc names its final prefix; the staged files sit below
	# $stage$prefix: relocate this package only, and take its Requires
	# (libdpdk, installed on the system) as they are
	say "prefix $prefix is not relocatable; staging under $stage"
	own=$(pkg-config --define-variable=prefix="$stage$prefix" \
		--maximum-traverse-depth=2 --cflags --libs libdpdk-extmem)
	reqs=$(pkg-config --print-requires libdpdk-extmem | awk '{print $1}')
	[ -n "$reqs" ] || { say "libdpdk-extmem.pc requires nothing"; exit 1; }
	# shellcheck disable=SC2086
	flags="$own $(pkg-config --cflags --libs $reqs)"
	libdir=$(pkg-config --define-variable=prefix="$stage$prefix" \
		--variable=libdir libdpdk-extmem)
	;;
esac
say "cc $(basename "$src") $flags"
# shellcheck disable=SC2086
if ! cc -O2 -Wall -Werror -o "$tmp/app" "$src" $flags 2>"$tmp/cc.log"; then
	cat "$tmp/cc.log"
	say "the example does not build against the staged install"
	exit 1
fi
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
lib=$(ldd "$tmp/app" | awk '/librte_extmem/ {print $3}')
case $lib in
"$stage"/*) say "runs with $lib" ;;
*) say "the program would load librte_extmem from '$lib', not the stage"
	exit 1 ;;
esac
rc=0
"$tmp/app" "$@" || rc=$?
exit $rc
