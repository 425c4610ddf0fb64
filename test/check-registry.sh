#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# usage: check-registry.sh <dpdk-extmem-test> <name registered in meson> ...
# Fails when a test compiled into the binary is not run by meson, or meson
# runs a name the binary does not know.
set -eu
exe=$1
shift
bin=$("$exe" --list | sort)
meson=$(printf '%s\n' "$@" | sort)
if [ "$bin" != "$meson" ]; then
	echo "test registry mismatch (< binary only, > meson only):"
	diff <(echo "$bin") <(echo "$meson") 2>/dev/null ||
		{ echo "binary: $bin"; echo "meson: $meson"; }
	exit 1
fi
echo "$(echo "$bin" | wc -l) tests registered in binary and meson"
