#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of dpdk-test-extmem-perf: run it, check that stdout is one
JSON object holding the given keys with numeric values. No timing is
asserted.

usage: check-json.py [--doc <perf.rst>] <key,key,...> <command> [args...]

With --doc, every key of the output must be documented there (as a
``literal``; <placeholder> parts match any lower-case word or number).
"""
import json
import re
import subprocess
import sys


def doc_patterns(path):
    """Regular expressions of the keys a reStructuredText page documents."""
    text = open(path, encoding='utf-8').read()
    pats = []
    for lit in re.findall(r'``([A-Za-z0-9_<>]+)``', text):
        pats.append(re.compile('^' + re.sub(r'<[A-Za-z]+>', '[a-z0-9]+',
                                            lit) + '$'))
    return pats


def main():
    args = sys.argv[1:]
    doc = None
    if args[:1] == ['--doc']:
        doc = doc_patterns(args[1])
        args = args[2:]
    keys = [k for k in args[0].split(',') if k]
    cmd = args[1:]
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
    if doc is not None:
        undoc = [k for k in obj if not any(p.match(k) for p in doc)]
        if undoc:
            print(f'FAIL: keys not documented: {", ".join(undoc)}')
            return 1
    print(f'OK: {len(obj)} keys, all of {len(keys)} expected ones numeric'
          + (', all documented' if doc is not None else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
