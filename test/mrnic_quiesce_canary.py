#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""
Run a test binary whose net_mrnic does not wait for datapath sections on
MR removal: the unmap-in-flight test must then die of SIGSEGV. Passes only
on that signal; any other outcome means the test no longer catches a
removal that does not wait.

usage: mrnic_quiesce_canary.py <binary> <args...>
"""

import signal
import subprocess
import sys


def main():
    out = subprocess.run(sys.argv[1:], capture_output=True, text=True,
                         timeout=540)
    if out.returncode == -signal.SIGSEGV:
        print("OK: without the wait the test crashes (SIGSEGV)")
        return 0
    print(f"FAIL: expected SIGSEGV, got exit {out.returncode}")
    print(out.stdout[-4000:])
    print(out.stderr[-4000:], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
