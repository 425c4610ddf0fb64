#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""
dpdk-extmem-info as a user runs it: the text report has one line per
resource, and the JSON report (--json) agrees with what this script reads
from sysfs (hugepage pools, THP, VFIO) and with the memlock limit; given
EAL options (--no-huge) it reports that EAL's IOVA mode.

usage: check_extmem_info.py <dpdk-extmem-info> <EAL file prefix>
"""

import json
import os
import resource
import subprocess
import sys


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(argv)}: exit {p.returncode}\n{p.stderr}")
    return p.stdout


def main():
    tool, prefix = sys.argv[1], sys.argv[2]
    text = run([tool])
    print(text)
    for key in ["memseg_lists", "heap_slots", "hugepages", "memlock",
                "iova_mode", "thp", "vfio"]:
        if f"  {key} " not in text:
            sys.exit(f"FAIL: the report has no {key} line")
    rep = json.loads(run([tool, "--json"]))
    print(rep)
    base = "/sys/kernel/mm/hugepages"
    pools = {}
    if os.path.isdir(base):
        for d in os.listdir(base):
            kb = int(d.split("-")[1][:-2])
            with open(os.path.join(base, d, "nr_hugepages")) as f:
                pools[kb << 10] = int(f.read())
    got = {h["page_sz"]: h["total"] for h in rep["hugepages"]}
    if got != pools:
        sys.exit(f"FAIL: hugepages {got} != sysfs {pools}")
    thp = "unknown"
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().split("[")[1].split("]")[0]
    except OSError:
        pass
    if rep["thp"] != thp:
        sys.exit(f"FAIL: thp {rep['thp']} != {thp}")
    vfio = os.path.exists("/sys/module/vfio_iommu_type1")
    if rep["vfio"] != vfio or ("no VFIO" in text) == vfio:
        sys.exit(f"FAIL: vfio {rep['vfio']} != {vfio}")
    soft = resource.getrlimit(resource.RLIMIT_MEMLOCK)[0]
    want = 2**64 - 1 if soft == resource.RLIM_INFINITY else soft
    if rep["memlock_limit"] != want:
        sys.exit(f"FAIL: memlock {rep['memlock_limit']} != {want}")
    if rep["memseg_lists_max"] != 128 or rep["memseg_lists_used"] < 1:
        sys.exit("FAIL: memseg lists")
    va = json.loads(run([tool, "--no-huge", "-m", "64", "--no-pci",
                         f"--file-prefix={prefix}extmem_info",
                         "--log-level=lib.eal:error", "--", "--json"]))
    if va["iova_mode"] != "VA" or va["registration_pins"]:
        sys.exit(f"FAIL: --no-huge report: {va}")
    print("OK")


if __name__ == "__main__":
    main()
