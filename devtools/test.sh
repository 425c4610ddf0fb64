#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up the machine (idempotent), configure, build (code, docs) and run
# every test suite; then build the library, driver, apps and tests again
# with AddressSanitizer and UndefinedBehaviorSanitizer (LeakSanitizer on)
# and run the suites there, where a sanitizer report fails the test. Exits
# non-zero on any failure; the last line counts the tests of both runs:
# "N passed, N failed, N skipped".
#
# Environment: EXTMEM_BUILD_DIR (default: build), EXTMEM_ASAN_BUILD_DIR
# (default: build-asan), EXTMEM_SANITIZERS=0 to skip the sanitizer run,
# MESON_TEST_ARGS (extra arguments for meson test, both runs, e.g. a suite
# or a test name).

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
logs=$build/meson-logs/testlog.json

if [ "${EXTMEM_SANITIZERS:-1}" != 0 ]; then
	# Same sources, instrumented: -Db_lundef=false because the sanitizer
	# runtimes resolve at load time; -O1 as the sanitizers advise (and
	# it builds in half the time). No docs (built above). Tests get EAL
	# file prefixes of their own, apart from the first build's.
	asan=${EXTMEM_ASAN_BUILD_DIR:-$top/build-asan}
	prefix=$(meson introspect --buildoptions "$build" | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin)
           if o["name"] == "test_file_prefix"))')
	if [ -f "$asan/build.ninja" ]; then
		echo "test: reconfiguring $asan (sanitizers)"
		meson setup --reconfigure "$asan" >/dev/null
	else
		echo "test: configuring $asan (sanitizers)"
		meson setup "$asan" -Db_sanitize=address,undefined \
			-Db_lundef=false -Doptimization=1 -Ddocs=disabled \
			-Dtest_file_prefix="${prefix}asan_" >/dev/null
	fi
	echo "test: building with AddressSanitizer + UBSan"
	ninja -C "$asan"
	# Every test but those running a program not built here (upstream
	# dpdk-testpmd with the driver plugin, the out-of-tree example):
	# the sanitizer runtime must be loaded first, they do not have it.
	# A report halts the process; a leak fails it at exit.
	echo "test: running the tests with sanitizers"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C "$asan" --print-errorlogs --num-processes 2 \
		--no-suite uninstrumented ${MESON_TEST_ARGS:-} || rc=$?
	logs="$logs $asan/meson-logs/testlog.json"
fi

# Counts of every run; a sanitizer report in the output of a test that
# passed (e.g. from a child process expected to fail) fails that test.
# shellcheck disable=SC2086
python3 - $logs <<'PY' || rc=$?
import json, sys
MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
         "runtime error: ")
total = {"passed": 0, "failed": 0, "skipped": 0}
reported = []
for path in sys.argv[1:]:
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            if t["result"] == "OK" and any(m in out for m in MARKS):
                reported.append(t["name"])
                counts["failed"] += 1
            elif t["result"] == "OK":
                counts["passed"] += 1
            elif t["result"] == "SKIP":
                counts["skipped"] += 1
            else:
                counts["failed"] += 1
    run = path.split("/")[-3]
    print(f"test: {run}: {counts['passed']} passed, {counts['failed']} "
          f"failed, {counts['skipped']} skipped")
    for k in total:
        total[k] += counts[k]
for name in reported:
    print(f"test: {name}: sanitizer report in its output")
print(f"{total['passed']} passed, {total['failed']} failed, "
      f"{total['skipped']} skipped")
sys.exit(1 if reported else 0)
PY
exit $rc
