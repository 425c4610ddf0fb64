#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""
Stock dpdk-proc-info (a secondary process) against stock dpdk-testpmd (the
primary) forwarding on two paired net_mrnic ports, the driver loaded in
both with -d:
  - `-- --stats --xstats --show-port` succeeds and shows both ports
    (driver net_mrnic, link up, statistics);
  - `-- --xstats` gives every xstat of both ports, names and values, equal
    to what the primary shows once forwarding has stopped, with packets
    DMA'd and no DMA fault;
  - `-- --stats` gives the primary's packet and byte counts;
  - the primary then forwards again and exits cleanly.

usage: mrnic_proc_info.py --pmd <librte_net_mrnic.so> [--mr cache|extmem|off]
                          [--iova va|pa] [--testpmd PATH] [--proc-info PATH]
                          [--scratch DIR] [--prefix PREFIX]

Exit status: 0 pass, 1 fail, 77 skipped (no hugepages: a --no-huge primary
cannot have secondary processes in DPDK 22.11; or a tool is missing).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mrnic_testpmd import (SKIP, Testpmd, free_hugepages,  # noqa: E402
                           parse_xstats, plugin_path)


def proc_info(a, plugin, prefix, args):
    cmd = [a.proc_info, "-d", plugin, "--file-prefix=" + prefix,
           "--no-pci", "--log-level=lib.eal:error", "--"] + args
    print("+ " + " ".join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def parse_stats(text):
    """{port: (rx packets, rx bytes, tx packets, tx bytes)} of --stats."""
    out = {}
    port = None
    rx = None
    for line in text.splitlines():
        m = re.search(r"NIC statistics for port (\d+)", line)
        if m:
            port = int(m.group(1))
            continue
        m = re.match(r"\s*RX-packets:\s*(\d+)\s+RX-errors:\s*\d+\s+"
                     r"RX-bytes:\s*(\d+)", line)
        if m and port is not None and port not in out and rx is None:
            rx = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.match(r"\s*TX-packets:\s*(\d+)\s+TX-errors:\s*\d+\s+"
                     r"TX-bytes:\s*(\d+)", line)
        if m and port is not None and rx is not None:
            out[port] = rx + (int(m.group(1)), int(m.group(2)))
            rx = None
            port = None
    return out


def forward_xstats(tp, seconds):
    """Forward for seconds (tx_first 4) and stop: the primary's xstats
    then, as parse_xstats() reads that one 'show port xstats all'."""
    tp.cmd("start tx_first 4")
    time.sleep(seconds)
    tp.cmd("stop")
    mark = len(tp.out)
    tp.cmd("show port xstats all")
    return parse_xstats(tp.out[mark:].decode(errors="replace"))


def check(a, plugin, prefix, tp):
    errs = []
    shows = forward_xstats(tp, 1)
    if len(shows) != 1 or sorted(shows[0]) != [0, 1]:
        return [f"primary's xstats not read ({len(shows)} dumps)"]
    primary = shows[0]

    # the command line of the issue: it must succeed and show the ports
    rc, out = proc_info(a, plugin, prefix, ["--stats", "--xstats",
                                             "--show-port"])
    if rc != 0:
        errs.append(f"proc-info --stats --xstats --show-port: exit {rc}")
    for port in (0, 1):
        if f"NIC statistics for port {port}" not in out:
            errs.append(f"--stats: no statistics of port {port}")
        if not re.search(rf"driver net_mrnic device net_mrnic{port}\b", out):
            errs.append(f"--show-port: port {port} not shown as net_mrnic")
    if len(re.findall(r"Link up at 100 Gbps", out)) != 2:
        errs.append("--show-port: both links should be up at 100 Gbps")
    if errs:
        print(out)
        return errs

    # xstats, every name and value, as the primary has them
    rc, out = proc_info(a, plugin, prefix, ["--xstats"])
    secondary = parse_xstats(out)
    if rc != 0 or len(secondary) != 1:
        print(out)
        return [f"proc-info --xstats: exit {rc}, {len(secondary)} dumps"]
    secondary = secondary[0]
    for port in (0, 1):
        p, s = primary.get(port, {}), secondary.get(port, {})
        if p != s:
            diff = sorted(k for k in set(p) | set(s) if p.get(k) != s.get(k))
            errs.append(f"port {port}: xstats differ: " + ", ".join(
                f"{k} primary {p.get(k)} secondary {s.get(k)}"
                for k in diff))
        if s.get("rx_dma_packets", 0) == 0:
            errs.append(f"port {port}: no rx_dma_packets")
        if s.get("rx_dma_fault_errors") != 0 or \
                s.get("tx_dma_fault_errors") != 0:
            errs.append(f"port {port}: DMA faults")
        print(f"  port {port}: {len(s)} xstats equal, rx_dma_packets "
              f"{s.get('rx_dma_packets')}, tx_good_packets "
              f"{s.get('tx_good_packets')}")

    # basic statistics, as the primary's xstats count them
    rc, out = proc_info(a, plugin, prefix, ["--stats"])
    stats = parse_stats(out)
    for port in (0, 1):
        p = primary[port]
        want = (p["rx_good_packets"], p["rx_good_bytes"],
                p["tx_good_packets"], p["tx_good_bytes"])
        if rc != 0 or stats.get(port) != want:
            errs.append(f"port {port}: --stats {stats.get(port)}, primary "
                        f"{want}")

    # the primary is unharmed: it forwards again
    tp.cmd("clear port xstats all")
    again = forward_xstats(tp, 0.5)
    if len(again) != 1 or any(again[0].get(p, {}).get("rx_dma_packets", 0)
                              == 0 for p in (0, 1)):
        errs.append("the primary does not forward after proc-info")
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pmd", required=True)
    ap.add_argument("--mr", default="cache",
                    choices=["cache", "extmem", "off"])
    ap.add_argument("--iova", choices=["va", "pa"])
    ap.add_argument("--testpmd", default="/usr/bin/dpdk-testpmd")
    ap.add_argument("--proc-info", default="/usr/bin/dpdk-proc-info")
    ap.add_argument("--scratch")
    ap.add_argument("--prefix", default="mrnic_pi")
    a = ap.parse_args()

    for tool in (a.testpmd, a.proc_info):
        if not os.access(tool, os.X_OK):
            print(f"SKIP: {tool} is not installed")
            return SKIP
    if free_hugepages() == 0:
        print("SKIP: no free hugepages (a --no-huge primary cannot have "
              "secondary processes in DPDK 22.11)")
        return SKIP
    plugin = plugin_path(a.pmd, a.scratch)
    prefix = f"{a.prefix}_{a.mr}_{a.iova or 'auto'}"
    eal = ["-l", "0-1", "--no-pci", "--file-prefix=" + prefix,
           "-d", plugin, "--log-level=pmd.net.mrnic:notice",
           "--vdev", f"net_mrnic0,mr={a.mr}",
           "--vdev", f"net_mrnic1,mr={a.mr}"]
    if a.iova:
        eal += ["--iova-mode=" + a.iova]
    app = ["-i", "--total-num-mbufs=8192", "--nb-cores=1", "--rxq=2",
           "--txq=2", "--rxd=512", "--txd=512"]
    argv = [a.testpmd] + eal + ["--"] + app
    if shutil.which("stdbuf"):
        argv = ["stdbuf", "-oL"] + argv
    print(f"RUN  proc-info against testpmd, mr={a.mr} iova={a.iova or 'auto'}")
    tp = Testpmd(argv, timeout=120)
    try:
        tp.start()
        errs = check(a, plugin, prefix, tp)
        rc = tp.quit()
        if rc != 0:
            errs.append(f"testpmd exit status {rc}")
    except (TimeoutError, EOFError, subprocess.TimeoutExpired) as e:
        tp.kill()
        errs = [f"{type(e).__name__}: {e}"]
    finally:
        shutil.rmtree(os.path.join("/var/run/dpdk", prefix),
                      ignore_errors=True)
    if errs:
        for e in errs:
            print("FAIL " + e)
        print("---- testpmd output (tail) ----")
        print("\n".join(tp.out.decode(errors="replace").splitlines()[-40:]))
        print("0 passed, 1 failed, 0 skipped")
        return 1
    print("OK   proc-info")
    print("1 passed, 0 failed, 0 skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
