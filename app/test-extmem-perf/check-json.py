#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of dpdk-test-extmem-perf: run it, check that stdout is one
JSON object holding the given keys with numeric values. No timing is
asserted.

usage: check-json.py <key,key,...> <command> [args...]
"""
import json
import subprocess
import sys


def main():
    keys = [k for k in sys.argv[1].split(',') if k]
    cmd = sys.argv[2:]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=500)
    sys.stderr.write(proc.stderr)
    print(proc.stdout)
    if proc.returncode != 0:
        print(f'FAIL: exit status {proc.returncode}')
        return 1
    try:
        obj = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        print(f'FAIL: stdout is not one JSON object: {e}')
        return 1
    if not isinstance(obj, dict):
        print('FAIL: the JSON value is not an object')
        return 1
    bad = [k for k in keys if not isinstance(obj.get(k), (int, float))
           or isinstance(obj.get(k), bool)]
    if bad:
        print(f'FAIL: missing or non-numeric keys: {", ".join(bad)}')
        return 1
    print(f'OK: {len(obj)} keys, all of {len(keys)} expected ones numeric')
    return 0


if __name__ == '__main__':
    sys.exit(main())
