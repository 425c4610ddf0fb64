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
    for want in ("mr=cache|extmem|off", "peer=<name>|self", "queues="):
        if want not in params:
            print(f"FAIL: '{want}' missing from params '{params}'")
            return 1
    print(f"OK: {json.dumps(mine[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
