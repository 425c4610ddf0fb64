#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Option checks of dpdk-test-extmem-perf: every malformed, out-of-range
or unknown option makes the tool exit with status 2 (usage) before EAL
starts, with nothing on stdout and a message naming the option.

usage: check-badopts.py <dpdk-test-extmem-perf>
"""
import subprocess
import sys

# (benchmark arguments, the option the message must name)
BAD = [
    (['xlate', '--lookups', '-1'], '--lookups'),
    (['xlate', '--lookups', '0'], '--lookups'),
    (['xlate', '--lookups', '18446744073709551616'], '--lookups'),
    (['xlate', '--lookups', '12abc'], '--lookups'),
    (['xlate', '--mem-mb', '1'], '--mem-mb'),
    (['xlate', '--mem-mb', '-1'], '--mem-mb'),
    (['xlate', '--repeat', '0'], '--repeat'),
    (['xlate', '--min-time', '0'], '--min-time'),
    (['xlate', '--min-time', 'nan'], '--min-time'),
    (['xlate', '--max-time', 'inf'], '--max-time'),
    (['xlate', '--min-time', '2', '--max-time', '1'], '--max-time'),
    (['xlate', '--rounds', '0'], '--rounds'),
    (['xlate', '--rounds', '65'], '--rounds'),
    (['xlate', '--hot-mb', 'x'], '--hot-mb'),
    (['xlate', '--mrnic-regions', '4'], '--mrnic-regions'),
    (['mrnic', '--mrnic-regions', '0'], '--mrnic-regions'),
    (['mrnic', '--mrnic-regions', '129'], '--mrnic-regions'),
    (['slice', '--no-such-option', '1'], '--no-such-option'),
    (['scale', '--scale-max-gb', '0'], '--scale-max-gb'),
    (['scale', '--scale-regions', '100000'], '--scale-regions'),
    (['scale', '--scale-iova', '4'], '--scale-iova'),
    (['no-such-benchmark'], 'no-such-benchmark'),
    (['xlate', '--lookups'], '--lookups'),
]


def main():
    exe = sys.argv[1]
    failed = 0
    for args, name in BAD:
        proc = subprocess.run([exe, '--no-huge', '-m', '64', '--'] + args,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        ok = (proc.returncode == 2 and proc.stdout == '' and
              name in proc.stderr)
        print(f'{"ok  " if ok else "FAIL"} {" ".join(args)}: exit '
              f'{proc.returncode}, {proc.stderr.splitlines()[0:1]}')
        failed += not ok
    print(f'{len(BAD) - failed} passed, {failed} failed, 0 skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
