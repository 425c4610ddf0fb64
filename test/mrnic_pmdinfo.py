#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""
The stock dpdk-pmdinfo.py finds net_mrnic and its devargs in the plugin.

usage: mrnic_pmdinfo.py <librte_net_mrnic.so> [dpdk-pmdinfo.py]
"""

import json
import os
import shutil
import subprocess
import sys


def main():
    so = sys.argv[1]
    tool = sys.argv[2] if len(sys.argv) > 2 else \
        shutil.which("dpdk-pmdinfo.py") or "/usr/bin/dpdk-pmdinfo.py"
    if not os.access(tool, os.X_OK):
        print(f"SKIP: {tool} is not installed")
        return 77
    # the tool needs pyelftools: run it with the interpreter it names
    out = subprocess.run([tool, so], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"FAIL: {tool} exit {out.returncode}: {out.stderr}")
        return 1
    info = json.loads(out.stdout)
    mine = [d for d in info if d.get("name") == "net_mrnic"]
    if len(mine) != 1:
        print(f"FAIL: net_mrnic not reported once: {info}")
        return 1
    params = mine[0].get("params", "")
    # every devarg the driver accepts (test_mrnic_devargs.c), its values
    want = {"mr": "cache|extmem|off", "peer": "<name>|self",
            "queues": "<1-16>", "domain": "<name>",
            "domain_entries": "<1-65535>", "domain_heap": "eal|dispatcher"}
    got = dict(p.split("=", 1) for p in params.split())
    if got != want:
        print(f"FAIL: params '{params}' are not {want}")
        return 1
    print(f"OK: {json.dumps(mine[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
