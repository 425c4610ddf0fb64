#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up the machine (idempotent), configure, build (code, docs) and run
# every test suite. Exits non-zero on any failure; the last line counts
# the tests: "N passed, N failed, N skipped".
#
# Environment: EXTMEM_BUILD_DIR (default: build), MESON_TEST_ARGS (extra
# arguments for meson test, e.g. a suite or a test name).

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${EXTMEM_BUILD_DIR:-$top/build}
cd "$top"

"$top/devtools/setup.sh"

if [ -f "$build/build.ninja" ]; then
	echo "test: reconfiguring $build"
	meson setup --reconfigure "$build" -Ddocs=enabled >/dev/null
else
	echo "test: configuring $build"
	meson setup "$build" -Ddocs=enabled
fi
echo "test: building"
ninja -C "$build"

echo "test: running the tests"
rc=0
# shellcheck disable=SC2086
meson test -C "$build" --print-errorlogs --num-processes 2 \
	${MESON_TEST_ARGS:-} || rc=$?

python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {}
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            r = json.loads(line)["result"]
            counts[r] = counts.get(r, 0) + 1
passed = counts.pop("OK", 0)
skipped = counts.pop("SKIP", 0)
failed = sum(counts.values())
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
