#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""The stock DPDK tools as secondary processes of dpdk-extmem-testpmd, in
one --mp-alloc mode on net_null or net_mrnic ports:

  dpdk-proc-info -- --stats --xstats --show-port --show-mempool --show-ring
  dpdk-pdump --pdump port=0,queue=*,rx-dev=...,tx-dev=...   (then SIGINT)
  dpdk-dumpcap -i <port 0> -c 100 -w <file.pcapng>

each exits 0 having shown the app's pool, ring and ports, or written the
app's packets (pcap records counted, pcapng blocks checked); and the app
exits 0 at the end of its --duration with every mbuf back in its pool.

The pdump race of DPDK 22.11: a capture that stops removes its callbacks
from the primary's ports without waiting for the datapath to leave them,
and the tool frees the pool and ring they copy into right after (EAL
zeroes freed memory): a datapath still inside a callback follows a NULL
pointer and the primary dies (measured: 1 in 100 dumpcap stops on an
idle machine, more when the forwarding lcore shares its CPU). The app
waits for a grace period of its forwarding lcores after each callback
removal (app/extmem-testpmd/capture.c), so a tool may stop at any time.
Mode "stops" checks that: 40 dumpcap -c 100 in a row against the app
whose forwarding lcore shares a CPU with its other threads (where the
race hit 1 in 43 stops without the wait). See doc/guides/tools/testpmd.rst.

usage: test_stock_tools.py <dpdk-extmem-testpmd> <mode|stops>
    <null|plugin|mrnic> [<librte_extmem_plugin.so>|<librte_net_mrnic.so>]
("plugin": net_null ports, dpdk-proc-info and dpdk-pdump load the
library's EAL plugin with -d and attach to the app's memory: a heap of
memory the app reports not shared is refused by name, the tools work on.)
Environment: ETP_PROC_INFO, ETP_PDUMP, ETP_DUMPCAP (empty: not found).
"""

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import atexit
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from app_test_util import Failure, check, pcapng_blocks  # noqa: E402
from mrnic_testpmd import plugin_path  # noqa: E402

SKIP = 77
DURATION = 10
STOPS = 40


def huge_free():
    try:
        with open("/sys/kernel/mm/hugepages/hugepages-2048kB/"
                  "free_hugepages") as f:
            return int(f.read())
    except OSError:
        return 0


def pcap_records(path):
    """Packets in a little-endian libpcap file."""
    with open(path, "rb") as f:
        data = f.read()
    check(len(data) >= 24, f"{path}: no pcap header")
    magic = struct.unpack_from("<I", data, 0)[0]
    check(magic in (0xA1B2C3D4, 0xA1B23C4D), f"{path}: not a pcap file")
    n, off = 0, 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        off += 16 + incl
        n += 1
    check(off == len(data), f"{path}: truncated record")
    return n


def pcapng_packets(path):
    """Enhanced packet blocks of a pcapng file, its structure checked."""
    blocks = pcapng_blocks(path)
    check(blocks.get(0x0A0D0D0A) == 1, "no pcapng section header")
    check(blocks.get(1, 0) >= 1, "no interface description block")
    return blocks.get(6, 0)


def tool(cmd, what, timeout=60):
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    print(p.stdout[-6000:])
    check(p.returncode == 0, f"{what}: exit status {p.returncode}")
    return p.stdout


# the pools each mode makes (name as rte_mempool_lookup() knows it)
POOLS = {
    "native": ["etp_mbuf_pool"], "anon": ["etp_mbuf_pool"],
    "xmem": ["etp_xmem"], "xmem4k": ["etp_xmem"], "xmemhuge": ["etp_xmem"],
    "xmemshared": ["etp_xmem"], "xbuf": ["etp_xbuf_pool"],
    "devbuf": ["etp_xmem"],
}


def proc_info(prog, eal, mode):
    out = tool([prog] + eal + ["--", "--stats", "--xstats", "--show-port",
                               "--show-mempool", "--show-ring"],
               "dpdk-proc-info")
    for pool in POOLS[mode]:
        check(f"mempool <{pool}>@" in out, f"pool {pool} not shown")
        check(f"ring <MP_{pool}>@" in out, f"ring of pool {pool} not shown")
    check("common_pool_count=" in out, "pool counts not shown")
    for port in (0, 1):
        check(f"NIC statistics for port {port}" in out,
              f"no statistics of port {port}")
    # proc-info shows extended statistics only without --stats
    xout = tool([prog] + eal + ["--", "--xstats"], "dpdk-proc-info --xstats")
    for port in (0, 1):
        check(f"NIC extended statistics for port {port}" in xout,
              f"no extended statistics of port {port}")
    check("rx_good_packets:" in xout, "no rx_good_packets xstat")
    rx = [int(line.split()[1]) for line in out.splitlines()
          if line.strip().startswith("RX-packets:")]
    check(rx and max(rx) > 0, f"no packet received by the ports: {rx}")
    return out


def check_plugin_attach(out, app_out, mode):
    """With the plugin, a tool attaches to the app's memory: a heap the
    app reports not shared is refused by name (the tool goes on), one
    that is shared is not."""
    private_heaps = set(re.findall(
        r"^memory not shared with secondary processes: region \S+ "
        r"\(\S+ backing, heap (\S+)\)", app_out, re.M))
    refused = set(re.findall(r"heap (\S+) of the primary is refused in this "
                             r"process", out))
    check(refused == private_heaps, f"heaps refused by the tool "
          f"{sorted(refused)}, not shared in the app {sorted(private_heaps)}")
    print(f"plugin: heaps refused as expected: {sorted(refused) or 'none'}")


def pdump(prog, eal, tmp):
    rx, tx = os.path.join(tmp, "rx.pcap"), os.path.join(tmp, "tx.pcap")
    cmd = [prog] + eal + ["--", "--pdump",
                          f"port=0,queue=*,rx-dev={rx},tx-dev={tx}"]
    print("+", " ".join(cmd), flush=True)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.1)
        if os.path.exists(rx) and os.path.getsize(rx) > 100 * 64:
            break
    check(p.poll() is None, "dpdk-pdump exited by itself")
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    print(out[-3000:])
    check(p.returncode == 0, f"dpdk-pdump: exit status {p.returncode}")
    n_rx, n_tx = pcap_records(rx), pcap_records(tx)
    check(n_rx > 0 and n_tx > 0, f"pdump captured {n_rx} received and "
          f"{n_tx} sent packets")
    print(f"dpdk-pdump: {n_rx} received, {n_tx} sent packets captured")


def dumpcap(prog, prefix, port, tmp):
    pcap = os.path.join(tmp, "capture.pcapng")
    tool([prog, f"--file-prefix={prefix}", "-i", port, "-c", "100", "-q",
          "-w", pcap], "dpdk-dumpcap")
    n = pcapng_packets(pcap)
    check(n >= 100, f"{n} packets in the pcapng file, expected 100")
    print(f"dpdk-dumpcap: {n} packets in {pcap}")


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 1
    app, mode, ports = sys.argv[1:4]
    extra_so = sys.argv[4] if len(sys.argv) > 4 else ""
    progs = {k: os.environ.get(k, "") for k in
             ("ETP_PROC_INFO", "ETP_PDUMP", "ETP_DUMPCAP")}
    missing = [k for k, v in progs.items() if not v]
    if missing:
        print(f"SKIP: stock tools not found: {missing}")
        return SKIP
    # secondaries share the primary's hugepage memory (a --no-huge
    # primary cannot have secondaries in DPDK 22.11)
    if huge_free() < 512:
        print("SKIP: fewer than 512 free 2M hugepages")
        return SKIP
    prefix = f"etp_stock_{os.getpid()}_{mode}_{ports}"
    tool_eal = [f"--file-prefix={prefix}", "--log-level=lib.eal:error"]
    plugin = ports == "plugin"
    if extra_so:
        # EAL refuses -d under a world-writable directory (a clone in
        # /tmp): a copy of this test's own then
        scratch = os.path.join(os.path.expanduser("~"), ".cache",
                               "dpdk-extmem", "pmds", prefix)
        atexit.register(shutil.rmtree, scratch, True)
        extra_so = plugin_path(extra_so, scratch)
    if plugin:
        # the tools that take EAL options load the library's EAL plugin:
        # they attach to the app's external memory
        tool_eal += ["-d", extra_so, "--log-level=lib.extmem:notice"]
        ports = "null"
    if ports == "mrnic":
        # the pair is back to back: it forwards what tx-first sends
        vdevs = ["--vdev", "net_mrnic0", "--vdev", "net_mrnic1"]
        tool_eal += ["-d", extra_so]
        port0 = "net_mrnic0"
    else:
        vdevs = ["--vdev", "net_null0", "--vdev", "net_null1"]
        port0 = "net_null0"
    fwd = ["--forward-mode", "flowgen"] if mode == "devbuf" else []
    if ports == "mrnic":
        fwd += ["--tx-first"]
    stops = mode == "stops"
    if stops:
        mode = "native"
    duration = 60 if stops else DURATION
    rc = 0
    with tempfile.TemporaryDirectory() as tmp:
        jf = os.path.join(tmp, "r.json")
        # addresses a secondary can map (see testing.rst)
        lcores = ["--lcores", "0@0,1@0"] if stops else ["-l", "0-1"]
        cmd = [app] + lcores + ["--no-pci", f"--file-prefix={prefix}",
               "--base-virtaddr=0x300000000000",
               "--log-level=lib.eal:error"] + vdevs + [
            "--", "--mp-alloc", mode, "--duration", str(duration),
            "--stats-period", "0.5", "--json-file", jf] + fwd
        print("+", " ".join(cmd), flush=True)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        out = []
        try:
            t0 = time.monotonic()
            while time.monotonic() < t0 + 60:
                line = p.stdout.readline()
                if not line:
                    break
                out.append(line)
                if line.startswith("---- "):
                    break
            check(p.poll() is None, "the app did not start forwarding")
            if stops:
                for i in range(STOPS):
                    dumpcap(progs["ETP_DUMPCAP"], prefix, port0, tmp)
                    check(p.poll() is None, f"the app died after {i + 1} "
                          "dumpcap stops")
                p.send_signal(signal.SIGINT)
            else:
                out_pi = proc_info(progs["ETP_PROC_INFO"], tool_eal, mode)
                if plugin:
                    check_plugin_attach(out_pi, "".join(out), mode)
                pdump(progs["ETP_PDUMP"], tool_eal, tmp)
                if ports == "mrnic":
                    # no EAL options: net_mrnic must be in EAL's default
                    # directory, which only the install test does
                    print("dpdk-dumpcap on net_mrnic ports: in the install "
                          "test (the driver from EAL's default directory)")
                else:
                    dumpcap(progs["ETP_DUMPCAP"], prefix, port0, tmp)
            check(time.monotonic() < t0 + duration,
                  "the tools took longer than the app's --duration")
            rest, _ = p.communicate(timeout=duration + 60)
            out.append(rest)
            print("".join(out))
            check(p.returncode == 0, f"app exit status {p.returncode}")
            with open(jf) as f:
                res = json.load(f)
            check(res["mbufs_avail_after_stop"] == res["mbufs_total"],
                  "mbufs not back in the pool")
            print("OK")
        except (Failure, subprocess.TimeoutExpired) as e:
            print(f"FAIL: {e}")
            rc = 1
        finally:
            if p.poll() is None:
                p.kill()
                rest, _ = p.communicate()
                print("".join(out) + rest)
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
