#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Run by `meson install` after the files are in place: refresh the dynamic
# linker's cache so that programs (and net_mrnic loaded by EAL) find
# librte_extmem with no environment variable. A staged install (DESTDIR)
# is left to the packager. When the library directory is not one the
# dynamic linker searches (a custom prefix), say what to do.
#
# usage: install-ldconfig.sh <installed libdir>

set -eu

libdir=$1
say() { printf 'install-ldconfig: %s\n' "$*"; }

if [ -n "${DESTDIR:-}" ]; then
	say "staged install in $DESTDIR: ldconfig not run"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v ldconfig >/dev/null 2>&1; then
	say "not root: run ldconfig as root (or set LD_LIBRARY_PATH=$libdir)"
	exit 0
fi
ldconfig
if ldconfig -p | grep -q "librte_extmem\.so\.[0-9]* .*=> $libdir/"; then
	say "dynamic linker cache updated: $libdir"
else
	say "$libdir is not searched by the dynamic linker: add it to" \
		"/etc/ld.so.conf.d/dpdk-extmem.conf and run ldconfig, or set" \
		"LD_LIBRARY_PATH=$libdir (see doc/guides/getting_started.rst)"
fi
