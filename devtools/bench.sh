#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
#
# Benchmarks against upstream, in one go:
#  1. io forwarding over two net_null ports on one forwarding core, so that
#     only the mbuf memory differs: upstream /usr/bin/dpdk-testpmd and
#     dpdk-extmem-testpmd, --mp-alloc native, anon, xmem, xmemhuge (and our
#     xmem on 4K pages), interleaved and repeated; medians reported;
#  2. dpdk-test-extmem-perf (every micro-benchmark next to the upstream
#     way of doing the same thing), when it is built.
# Writes bench/results.json, bench/results.md, bench/results.rst and
# bench/results.png (the raw outputs go to <build dir>/bench-raw/).
#
# Environment: EXTMEM_BUILD_DIR (default build), BENCH_REPS (default 5),
# BENCH_DURATION (seconds of forwarding per run, default 5), BENCH_MODES
# (default "native anon xmem xmemhuge"), BENCH_MBUFS (mbufs in the pool of
# both programs, default 65536), BENCH_OUT (default bench), TESTPMD (default
# /usr/bin/dpdk-testpmd), BENCH_PERF_TIMEOUT (seconds per micro-benchmark,
# default 600), BENCH_NO_SETUP=1 to skip devtools/setup.sh, BENCH_QUICK=1
# for a quick run (one repetition of 2 s, small micro-benchmark sizes,
# the scaling curves up to 16 GiB: a few minutes; the figures are rough).
# Any benchmark that crashes, times out or fails makes the script exit 1
# after the report of the others is written.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${EXTMEM_BUILD_DIR:-$top/build}
quick=${BENCH_QUICK:-0}
perf_args=
if [ "$quick" = 1 ]; then
	BENCH_REPS=${BENCH_REPS:-1}
	BENCH_DURATION=${BENCH_DURATION:-2}
	perf_args="--mem-mb 64 --lookups 262144 --min-time 0.05 --max-time 0.3 --repeat 1"
fi
failed=
reps=${BENCH_REPS:-5}
dur=${BENCH_DURATION:-5}
modes=${BENCH_MODES:-native anon xmem xmemhuge}
mbufs=${BENCH_MBUFS:-65536}
out=${BENCH_OUT:-$top/bench}
testpmd=${TESTPMD:-/usr/bin/dpdk-testpmd}
perf_timeout=${BENCH_PERF_TIMEOUT:-600}
say() { printf 'bench: %s\n' "$*"; }

cd "$top"
if [ "${BENCH_NO_SETUP:-0}" != 1 ]; then
	"$top/devtools/setup.sh"
fi
mkdir -p "$build"
if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" >"$build/bench-setup.log" 2>&1
else
	meson setup "$build" >"$build/bench-setup.log" 2>&1
fi || { say "error: meson setup failed (see $build/bench-setup.log)"; exit 1; }
if ! ninja -C "$build" >"$build/bench-build.log" 2>&1; then
	say "warning: full build failed (see $build/bench-build.log); building the programs only"
	ninja -C "$build" app/extmem-testpmd/dpdk-extmem-testpmd
	ninja -C "$build" app/test-extmem-perf/dpdk-test-extmem-perf >/dev/null 2>&1 || true
fi
ours="$build/app/extmem-testpmd/dpdk-extmem-testpmd"
perf="$build/app/test-extmem-perf/dpdk-test-extmem-perf"
[ -x "$ours" ] || { say "error: $ours not built"; exit 1; }
[ -x "$testpmd" ] || { say "error: upstream $testpmd not found (apt-get install dpdk)"; exit 1; }

raw="$build/bench-raw"
rm -rf "$raw"
mkdir -p "$raw"
cat /proc/loadavg >"$raw/loadavg_start"

# Same EAL and testpmd options for both programs.
eal="-l 0-1 --no-huge -m 1024 --no-pci --vdev net_null0 --vdev net_null1"
opts="--forward-mode=io --nb-cores=1 --stats-period 1 -a --total-num-mbufs=$mbufs"

# Share of the forwarding lcore's time on its CPU, run / (run + run-queue
# wait) from /proc/<pid>/task/<tid>/schedstat, between <from> and <to>
# seconds after the start: about 1 when the forwarding lcore had its CPU to
# itself, about 0.5 when another task shared it.
probe_share() { # <pid> <out file> <from> <to>
	pp=$1 pout=$2
	sleep "$3"
	t=
	for c in /proc/"$pp"/task/*/comm; do
		if [ "$(cat "$c" 2>/dev/null)" = rte-worker-1 ]; then
			t=${c%/comm}
			break
		fi
	done
	[ -n "$t" ] || return 0
	read -r r0 w0 _ <"$t/schedstat" || return 0
	sleep $(($4 - $3))
	read -r r1 w1 _ <"$t/schedstat" 2>/dev/null || return 0
	echo "$r0 $w0 $r1 $w1" | awk '{ r = $3 - $1; w = $4 - $2;
		if (r + w > 0) printf "%.3f\n", r / (r + w) }' >"$pout"
}

# Wait for a program started in the background; after <secs> seconds send
# it SIGINT, and SIGKILL 20 seconds later.
wait_pid() { # <pid> <secs>
	n=0
	while kill -0 "$1" 2>/dev/null && [ "$n" -lt "$2" ]; do
		sleep 1
		n=$((n + 1))
	done
	kill -INT "$1" 2>/dev/null || true
	n=0
	while kill -0 "$1" 2>/dev/null && [ "$n" -lt 20 ]; do
		sleep 1
		n=$((n + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

probe_from=2
[ "$dur" -lt 4 ] && probe_from=1

run_upstream() { # <mode> <rep>
	f="$raw/upstream_$1_$2.txt"
	# Non-interactive upstream testpmd forwards until SIGINT.
	# shellcheck disable=SC2086
	"$testpmd" $eal --file-prefix=bench_up_$$ -- --mp-alloc="$1" $opts \
		</dev/null >"$f" 2>&1 &
	pid=$!
	probe_share "$pid" "$raw/upstream_$1_$2.share" "$probe_from" "$dur"
	sleep 3
	wait_pid "$pid" 0
	grep -q 'Bye' "$f" || say "warning: upstream $1 run $2 did not end cleanly (see $f)"
}

run_ours() { # <mode> <rep>
	f="$raw/ours_$1_$2.txt"
	# shellcheck disable=SC2086
	"$ours" $eal --file-prefix=bench_ours_$$ -- --mp-alloc="$1" $opts \
		--duration "$dur" --json-file "$raw/ours_$1_$2.json" \
		</dev/null >"$f" 2>&1 &
	pid=$!
	probe_share "$pid" "$raw/ours_$1_$2.share" "$probe_from" "$dur"
	wait_pid "$pid" 60
	if [ ! -s "$raw/ours_$1_$2.json" ]; then
		say "ERROR: ours $1 run $2 failed (see $f)"
		failed="$failed ours_$1_$2"
	fi
}

say "$reps repetitions x modes [$modes] x {upstream, ours}, ${dur}s each"
i=1
while [ "$i" -le "$reps" ]; do
	for m in $modes; do
		# Alternate which program goes first.
		if [ $((i % 2)) -eq 1 ]; then
			run_upstream "$m" "$i"
			run_ours "$m" "$i"
		else
			run_ours "$m" "$i"
			run_upstream "$m" "$i"
		fi
		if [ "$m" = xmem ]; then
			run_ours xmem4k "$i"
		fi
	done
	say "repetition $i of $reps done"
	i=$((i + 1))
done

py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
perf_json=
if [ -x "$perf" ]; then
	perf_json="$raw/perf.json"
	echo '{' >"$perf_json"
	sep=
	# Each micro-benchmark in its own process (default EAL options),
	# so that none inherits another's devices or memory; results on
	# stdout, messages on stderr.
	for b in $("$perf" --list); do
		say "running dpdk-test-extmem-perf $b"
		rc=0
		b_args=
		# scale: devices mapped, their translation measured too
		[ "$b" = scale ] && b_args="--scale-dma 1"
		[ "$quick" = 1 ] && [ "$b" = scale ] && b_args="$b_args --scale-max-gb 16"
		[ "$quick" = 1 ] && [ "$b" = register ] && b_args="--register-big-mb 0"
		# shellcheck disable=SC2086
		timeout -s INT -k 30 "$perf_timeout" "$perf" "$b" --json \
			$perf_args $b_args >"$raw/perf_$b.json" 2>"$raw/perf_$b.txt" ||
			rc=$?
		if [ "$rc" -eq 0 ] && "$py" -c 'import json, sys; json.load(open(sys.argv[1]))' \
				"$raw/perf_$b.json" 2>/dev/null; then
			printf '%s"%s": ' "$sep" "$b" >>"$perf_json"
			cat "$raw/perf_$b.json" >>"$perf_json"
			sep=,
		else
			# 124: timed out; > 128: killed by signal (rc - 128)
			say "ERROR: dpdk-test-extmem-perf $b failed (exit status $rc$( [ "$rc" -gt 128 ] && echo ", signal $((rc - 128))")), see $raw/perf_$b.txt:"
			tail -n 5 "$raw/perf_$b.txt" | sed 's/^/bench:   /'
			failed="$failed $b"
		fi
	done
	echo '}' >>"$perf_json"
else
	say "dpdk-test-extmem-perf not built: micro-benchmarks skipped"
fi

cmdline="devtools/bench.sh"
[ "$reps" != 5 ] && cmdline="BENCH_REPS=$reps $cmdline"
[ "$dur" != 5 ] && cmdline="BENCH_DURATION=$dur $cmdline"
[ "$quick" = 1 ] && cmdline="BENCH_QUICK=1 $cmdline"
"$py" "$top/devtools/bench-report.py" --raw "$raw" --out "$out" \
	--reps "$reps" --duration "$dur" --mbufs "$mbufs" --modes "$modes" \
	--testpmd "$testpmd" --ours "$ours" --perf-json "$perf_json" \
	--eal "$eal" --opts "$opts" --command "$cmdline" ||
	{ say "ERROR: bench-report.py failed"; exit 1; }
if [ -n "$failed" ]; then
	say "ERROR: failed:$failed (the report leaves their figures out)"
	exit 1
fi
