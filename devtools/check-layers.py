#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""Check two rules of lib/extmem (doc/guides/prog_guide/overview.rst):

1. Layers one way: no file includes the header of a layer above its own.
   Every file of lib/extmem must be listed in LAYERS (a new file must be
   placed in a layer to build).
2. Only extmem_compat.[ch] rely on non-public EAL/mempool/ethdev
   behaviour: no other file (comments aside) names one of COMPAT_ONLY.

Usage: check-layers.py [lib/extmem directory]; exit 1 listing what is
wrong, 0 when both rules hold.
"""

import os
import re
import sys

# Lowest first. A file may include headers of its own layer and below.
LAYERS = [
    ('core', ['extmem_private.h', 'rte_extmem.h', 'extmem_compat.h',
              'extmem_compat.c', 'extmem_lock.c', 'extmem_log.c',
              'extmem_eal.c', 'extmem_thread.c', 'extmem_lazy.c',
              'extmem_walk_private.h', 'extmem_walk.c']),
    ('backing', ['extmem_backing.c', 'extmem_backing_va.c']),
    ('region', ['extmem_region.c', 'extmem_iova.c']),
    ('translation', ['extmem_xlate.c']),
    ('events', ['rte_extmem_event.h', 'extmem_event_private.h',
                'extmem_event.c']),
    ('device mapping', ['rte_extmem_devmap.h', 'rte_extmem_devmap_driver.h',
                        'extmem_dma_private.h', 'extmem_dma.c',
                        'extmem_dma_api.c', 'extmem_dma_dev.c',
                        'extmem_dma_domain.c',
                        'extmem_dma_driver_region.c']),
    # the primary's side: a bus subscriber and the service secondaries
    # attach to (below the operations that ask it before a removal)
    ('multi-process service', ['extmem_mp_proto.h', 'extmem_mp_proto.c',
                               'extmem_mp_private.h',
                               'extmem_mp_primary.c']),
    ('region operations', ['extmem_region_ops.c',
                           'extmem_event_api.c']),
    ('heaps', ['rte_extmem_heap.h', 'extmem_heap_private.h',
               'extmem_heap.c', 'extmem_heap_alloc.c',
               'extmem_heap_usage.c']),
    # a secondary's views of the primary's regions and heaps, its attach
    # and the thread that follows the primary's changes
    ('secondary views', ['rte_extmem_mp.h', 'extmem_mp_secondary.h',
                         'extmem_mp_secondary.c', 'extmem_mp_api.c']),
    # the one-call pool on a heap of its own is an mbuf pool (its API is
    # in rte_extmem_mbuf.h), above the heaps it uses
    ('mbufs', ['rte_extmem_mbuf.h', 'extmem_heap_pool.c',
               'extmem_mbuf_pool.c', 'extmem_mbuf_slice.c']),
    ('observers', ['rte_extmem_limits.h', 'extmem_limits_private.h',
                   'extmem_limits.c', 'extmem_telemetry.c',
                   'extmem_telemetry_limits.c', 'extmem_telemetry_mp.c',
                   'extmem_telemetry_users.c',
                   'extmem_dma_telemetry.c', 'extmem_telemetry_private.h',
                   'extmem_telemetry_dict.c']),
]

COMPAT_FILES = {'extmem_compat.c', 'extmem_compat.h'}
# What only the compat file may name (regular expressions, code only).
COMPAT_ONLY = [
    r'ALLOW_INTERNAL_API',
    r'#\s*include\s*<[a-z_]*_driver\.h>',
    r'#\s*include\s*<ethdev_(vdev|pci)\.h>',
    r'\brte_eth_devices\b',
    r'\brte_vdev_driver\b',
    r'\brte_mempool_event_callback_(un)?register\b',
    r'\bRTE_MEMPOOL_F_NON_IO\b',
    r'\bmem_list\b',
    r'socket_%',
    r'\bmalloc_elem\b',
    r'\brte_malloc_dump_heaps\b',
    r'\brte_mcfg_mem_write_lock\b',
    r'\brte_fbarray_get\b',
    r'->dma_map\b',
    r'\blegacy_probe',
    r'\bENOTSUP\b.*rte_mem_event',
    r'rte_mem_event_callback_register\s*\(\s*"extmem_legacy',
]


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'),
                  text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def main():
    libdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'lib', 'extmem')
    layer_of = {}
    for i, (name, files) in enumerate(LAYERS):
        for f in files:
            layer_of[f] = i
    errors = []
    sources = sorted(f for f in os.listdir(libdir)
                     if f.endswith('.c') or f.endswith('.h'))
    for f in sources:
        if f not in layer_of:
            errors.append('%s: in no layer of devtools/check-layers.py' % f)
    for f in sorted(layer_of):
        if f not in sources:
            errors.append('%s: listed in a layer but not in %s' % (f, libdir))
    for f in sources:
        if f not in layer_of:
            continue
        with open(os.path.join(libdir, f)) as fh:
            code = strip_comments(fh.read())
        for n, line in enumerate(code.split('\n'), 1):
            m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
            if m and m.group(1) in layer_of and \
                    layer_of[m.group(1)] > layer_of[f]:
                errors.append('%s:%d: includes %s of layer "%s" above its '
                              'layer "%s"' % (f, n, m.group(1),
                                              LAYERS[layer_of[m.group(1)]][0],
                                              LAYERS[layer_of[f]][0]))
            if f in COMPAT_FILES:
                continue
            for pat in COMPAT_ONLY:
                if re.search(pat, line):
                    errors.append('%s:%d: relies on non-public DPDK '
                                  'behaviour (/%s/): only extmem_compat.c '
                                  'may' % (f, n, pat))
    for e in errors:
        print(e)
    if errors:
        print('%d problem(s)' % len(errors))
        return 1
    print('layers and compat: %d files checked' % len(sources))
    return 0


if __name__ == '__main__':
    sys.exit(main())
