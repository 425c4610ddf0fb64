# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""What the app's test scripts (test_app.py, test_stock_tools.py) share:
the failure they report and the structure check of a pcapng capture."""

import struct


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def pcapng_blocks(path):
    """{block type: count} of a little-endian pcapng file, every block's
    length checked."""
    with open(path, "rb") as f:
        data = f.read()
    blocks, off = {}, 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        check(blen >= 12 and blen % 4 == 0 and off + blen <= len(data),
              f"pcapng block at {off}: bad length {blen}")
        blocks[btype] = blocks.get(btype, 0) + 1
        off += blen
    check(off == len(data), f"pcapng: {len(data) - off} trailing bytes")
    return blocks
