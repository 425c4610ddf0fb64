#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""The examples refuse what they do not understand after EAL's options:
exit status 2, the reason and the usage; --help: the usage, exit 0.

usage: check-badargs.py <file prefix> <example binary>...
Exit status 0 on success, 1 on failure.
"""

import os
import subprocess
import sys

# example name -> argument lists after "--" it must refuse
BAD = {
    "dpdk-extmem-devbuf": [["--packets", "abc"], ["--packets", "0"],
                           ["--packets", "-1"], ["--packets", "12x"],
                           ["--packets"], ["--bogus"], ["stray"]],
    "dpdk-extmem-heap": [["--bogus"], ["--no-hugetlb", "stray"]],
    "dpdk-extmem-private": [["--bogus"], ["--no-hugetlb", "stray"]],
}


def run(exe, prefix, extra):
    cmd = [exe, "--no-huge", "-m", "256", "--no-pci",
           "--log-level=lib.eal:error", f"--file-prefix={prefix}", "--"] + extra
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120, text=True)
    print(p.stdout)
    return p.returncode, p.stdout


def main():
    prefix = sys.argv[1]
    fails = 0
    for exe in sys.argv[2:]:
        name = os.path.basename(exe)
        for i, bad in enumerate(BAD[name]):
            rc, out = run(exe, f"{prefix}{i}", bad)
            if rc != 2 or "usage:" not in out:
                print(f"FAIL: {name} -- {' '.join(bad)}: exit status {rc}, "
                      f"expected 2 with the usage")
                fails += 1
            elif "unknown argument" not in out and "invalid" not in out \
                    and "needs a value" not in out:
                print(f"FAIL: {name} -- {' '.join(bad)}: no reason given")
                fails += 1
        rc, out = run(exe, f"{prefix}h", ["--help"])
        if rc != 0 or "usage:" not in out:
            print(f"FAIL: {name} --help: exit status {rc}")
            fails += 1
    print("FAIL" if fails else "OK")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
