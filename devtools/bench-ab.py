#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""Compare two builds of dpdk-test-extmem-perf in one run.

Runs binary A, then B, then A, ... (--pairs times each, interleaved, so a
machine busy with other jobs affects both alike) with the same arguments
and --json, and prints for every result key matching --keys the median,
minimum and maximum of each side and the ratio of the medians (B / A), as
a table, or one JSON object with --json.

  devtools/bench-ab.py --pairs 5 --keys 'hot_' OLD/dpdk-test-extmem-perf \\
      build/app/test-extmem-perf/dpdk-test-extmem-perf -- \\
      --no-pci -- scale --scale-max-gb 64

A run that fails or prints no JSON fails the comparison.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys


def run(binary, args):
    cmd = [binary] + args + ['--json']
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, check=False)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit('%s exited with %d' % (' '.join(cmd), p.returncode))
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--pairs', type=int, default=5)
    ap.add_argument('--keys', default='.', help='regex of result keys')
    ap.add_argument('--json', action='store_true')
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('args', nargs=argparse.REMAINDER)
    o = ap.parse_args()
    args = o.args[1:] if o.args[:1] == ['--'] else o.args
    key_re = re.compile(o.keys)
    vals = {'a': {}, 'b': {}}
    for _ in range(o.pairs):
        for side, binary in (('a', o.a), ('b', o.b)):
            for k, v in run(binary, args).items():
                if key_re.search(k) and isinstance(v, (int, float)) and \
                        not isinstance(v, bool):
                    vals[side].setdefault(k, []).append(v)
    out = {}
    for k in vals['a']:
        if k not in vals['b']:
            continue
        a, b = vals['a'][k], vals['b'][k]
        ma, mb = statistics.median(a), statistics.median(b)
        out[k] = {'a_median': ma, 'a_min': min(a), 'a_max': max(a),
                  'b_median': mb, 'b_min': min(b), 'b_max': max(b),
                  'b_vs_a': mb / ma if ma else None, 'runs': len(a)}
    if o.json:
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    print('%-44s %22s %22s %7s' % ('key (median, min-max)', 'A', 'B', 'B/A'))
    for k, r in out.items():
        print('%-44s %9.4g (%.4g-%.4g) %9.4g (%.4g-%.4g) %7s' % (
            k, r['a_median'], r['a_min'], r['a_max'], r['b_median'],
            r['b_min'], r['b_max'],
            '%.3f' % r['b_vs_a'] if r['b_vs_a'] is not None else '-'))


if __name__ == '__main__':
    main()
