#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""librte_extmem_plugin.so loaded into a program that does not link the
library, with nothing to attach, changes nothing: the same threads, open
file descriptors and telemetry commands (none under /extmem/) as without
it, as a primary and as a secondary of a primary without the library.

usage: check_plugin.py <plugin_probe> <librte_extmem_plugin.so> <prefix>
"""

import atexit
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mrnic_testpmd import plugin_path  # noqa: E402

probe, plugin, prefix = sys.argv[1:4]
# EAL refuses -d under a world-writable directory (a clone in /tmp)
scratch = os.path.join(os.path.expanduser("~"), ".cache", "dpdk-extmem",
                       "pmds", prefix)
atexit.register(shutil.rmtree, scratch, True)
plugin = plugin_path(plugin, scratch)
EAL = ["-l", "0", "--no-pci", "--log-level=lib.eal:error"]


def parse(out):
    res = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        if k and v.lstrip("-").isdigit():
            res[k] = int(v)
    return res


def run(args, what):
    print("+", " ".join(args), flush=True)
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    print(p.stdout)
    if p.returncode != 0:
        sys.exit(f"FAIL: {what}: exit status {p.returncode}")
    return parse(p.stdout)


def compare(base, plug, what):
    bad = []
    if base.get("extmem_loaded") != 0:
        bad.append("librte_extmem loaded without the plugin")
    if plug.get("extmem_loaded") != 1:
        bad.append("the plugin did not bring librte_extmem")
    for k in ("threads", "fds", "telemetry"):
        if base.get(k) != plug.get(k):
            bad.append(f"{k}: {base.get(k)} without the plugin, "
                       f"{plug.get(k)} with it")
    if plug.get("extmem_cmds", 0) > 0:
        bad.append(f"{plug['extmem_cmds']} /extmem/ telemetry commands")
    if bad:
        sys.exit(f"FAIL ({what}): " + "; ".join(bad))
    print(f"{what}: the plugin changed nothing ({plug})")


def main():
    d = ["-d", os.path.abspath(plugin)]
    # a primary (no hugepages needed)
    nohuge = ["--no-huge", "-m", "64"]
    base = run([probe] + EAL + nohuge + [f"--file-prefix={prefix}p0"],
               "primary")
    plug = run([probe] + EAL + nohuge + d + [f"--file-prefix={prefix}p1"],
               "primary with the plugin")
    compare(base, plug, "primary")

    # a secondary of a primary that has no librte_extmem
    if not os.path.exists("/sys/kernel/mm/hugepages/hugepages-2048kB"):
        print("secondary part skipped: no hugepages (a --no-huge primary "
              "cannot have secondaries in DPDK 22.11)")
        return 0
    pfx = f"--file-prefix={prefix}sec"
    prim = subprocess.Popen([probe] + EAL + ["-m", "64",
                            "--base-virtaddr=0x300000000000", pfx, "wait"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        line = prim.stdout.readline()
        if not line.startswith("extmem_loaded"):
            sys.exit("FAIL: the primary did not start")
        sec = EAL + ["--proc-type=secondary", pfx]
        base = run([probe] + sec, "secondary")
        plug = run([probe] + sec + d, "secondary with the plugin")
        compare(base, plug, "secondary")
    finally:
        prim.stdin.close()
        prim.wait(timeout=60)
        shutil.rmtree(f"/var/run/dpdk/{prefix}sec", ignore_errors=True)
    if prim.returncode != 0:
        sys.exit(f"FAIL: primary exit status {prim.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
