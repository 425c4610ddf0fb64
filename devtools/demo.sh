#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
#
# The main job: set the machine up (idempotent), configure and build, then
# forward packets over external memory on a pair of net_mrnic ports with
# EAL running without hugepages (--no-huge), printing what was registered,
# what was DMA-mapped on which port and what was forwarded:
#  1. io forwarding with the mbuf pool on a named external heap (xmem:
#     hugetlb or transparent hugepages when the system has them);
#  2. zero-copy transmission of payloads sliced from a device-memory
#     region (devbuf), each port sending and receiving (flowgen).
# Exits non-zero if a step fails or nothing was forwarded.
#
# Environment: EXTMEM_BUILD_DIR (default: build), DEMO_DURATION (seconds
# per run, default 3).

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${EXTMEM_BUILD_DIR:-$top/build}
dur=${DEMO_DURATION:-3}
cd "$top"
say() { printf 'demo: %s\n' "$*"; }

"$top/devtools/setup.sh"

mkdir -p "$build"
if [ -f "$build/build.ninja" ]; then
	say "reconfiguring $build"
	meson setup --reconfigure "$build" >"$build/demo-setup.log" 2>&1
else
	say "configuring $build"
	meson setup "$build" >"$build/demo-setup.log" 2>&1
fi || { say "error: meson setup failed (see $build/demo-setup.log)"; exit 1; }
say "building"
ninja -C "$build" >"$build/demo-build.log" 2>&1 ||
	{ say "error: build failed (see $build/demo-build.log)"; exit 1; }

app="$build/app/extmem-testpmd/dpdk-extmem-testpmd"
[ -x "$app" ] || { say "error: $app was not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# EAL without hugepages; no port given: the app creates net_mrnic0/1.
eal="-l 0-1 --no-huge -m 512 --no-pci --log-level=lib.eal:error"

run() { # <name> <app options...>
	name=$1
	shift
	say "---- $name ----"
	echo "+ dpdk-extmem-testpmd $eal --file-prefix=extmem_demo_$$ -- $*"
	# shellcheck disable=SC2086
	"$app" $eal --file-prefix="extmem_demo_$$" -- "$@" \
		--stats-period 1 --duration "$dur" --json-file "$tmp/$name.json"
}

check() { # <name> <what must be > 0: rx_packets or tx_packets>
	python3 - "$tmp/$1.json" "$2" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
key, name = sys.argv[2], sys.argv[3]
print(f"demo: {name}: {r['mp_alloc']} pool on {r['backing']} "
      f"({r['page_size'] >> 10} KiB pages), {r['forward_mode']} on "
      + ", ".join(p['name'] for p in r['ports'])
      + f": rx {r['rx_packets']} tx {r['tx_packets']} packets "
      f"({r['rx_pps'] / 1e6:.2f} / {r['tx_pps'] / 1e6:.2f} Mpps), "
      f"dma_fault {r['dma_fault']}, mbufs back in the pool "
      f"{r['mbufs_avail_after_stop']}/{r['mbufs_total']}")
ok = (r[key] > 0 and r['dma_fault'] == 0 and
      r['mbufs_avail_after_stop'] == r['mbufs_total'])
sys.exit(0 if ok else 1)
PY
}

run xmem --mp-alloc xmem --forward-mode io
check xmem rx_packets || { say "FAILED: forwarding over the external heap"; exit 1; }
run devbuf --mp-alloc devbuf --forward-mode flowgen --txpkts 1024
check devbuf rx_packets || { say "FAILED: zero-copy device-buffer transmission"; exit 1; }
say "done: packets forwarded over external memory on net_mrnic ports, no hugepages for EAL"
