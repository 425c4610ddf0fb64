#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
#
# How often a stopping capture crashes the application (DPDK 22.11's
# pdump removes its callbacks without waiting for the datapath; see
# doc/guides/tools/testpmd.rst, Packet capture): TRIALS runs of
# dpdk-extmem-testpmd (native pool, two net_null ports), each with STOPS
# stock `dpdk-dumpcap -c 100` in a row; a run that dies is a crash.
# Prints one JSON object: trials, stops done, crashes, dumpcap failures.
#
# usage: pdump-race.sh [TRIALS [STOPS [EAL options of the app...]]]
#   e.g. pdump-race.sh 10 20 --lcores 0@0,1@0  (the forwarding lcore
#   shares its CPU: the race hits more often)
# Environment: EXTMEM_BUILD_DIR (default build), DUMPCAP (default
# /usr/bin/dpdk-dumpcap). Needs hugepages (secondaries).

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${EXTMEM_BUILD_DIR:-$top/build}
app=$build/app/extmem-testpmd/dpdk-extmem-testpmd
dumpcap=${DUMPCAP:-/usr/bin/dpdk-dumpcap}
trials=${1:-10}
stops=${2:-20}
shift 2 2>/dev/null || shift $#
[ $# -gt 0 ] || set -- -l 0-1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pdump-race.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

crashes=0 done_stops=0 dfail=0
for t in $(seq 1 "$trials"); do
	pfx=pdump_race_$$_$t
	"$app" "$@" --no-pci --file-prefix="$pfx" \
		--base-virtaddr=0x300000000000 --log-level=lib.eal:error \
		--vdev net_null0 --vdev net_null1 -- --mp-alloc native \
		--duration 120 --stats-period 0 >"$tmp/app.log" 2>&1 &
	pid=$!
	sleep 1.5
	for _ in $(seq 1 "$stops"); do
		kill -0 $pid 2>/dev/null || break
		timeout 20 "$dumpcap" --file-prefix="$pfx" -i net_null0 -c 100 \
			-q -w "$tmp/c.pcapng" >/dev/null 2>&1 || dfail=$((dfail + 1))
		done_stops=$((done_stops + 1))
	done
	kill -INT $pid 2>/dev/null
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || crashes=$((crashes + 1))
	rm -rf "/var/run/dpdk/$pfx"
done
printf '{"trials": %d, "stops": %d, "crashes": %d, "dumpcap_failures": %d, "app_eal": "%s"}\n' \
	"$trials" "$done_stops" "$crashes" "$dfail" "$*"
