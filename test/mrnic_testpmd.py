#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""
Drive the installed (upstream) dpdk-testpmd with the net_mrnic plugin:
two paired net_mrnic ports forward traffic in every --mp-alloc mode and
forwarding engine, and every run must show DMA into the peer's Rx buffers
and no DMA fault.

usage: mrnic_testpmd.py --pmd <librte_net_mrnic.so> --mr cache|extmem|off
                        [--nohuge] [--iova va|pa] [--testpmd PATH]
                        [--mp-alloc native,anon,...] [--fwd txonly,io,mac]
                        [--scratch DIR] [--seconds S]

Exit status: 0 pass, 1 fail, 77 everything was skipped.
"""

import argparse
import os
import re
import select
import shutil
import stat
import subprocess
import sys
import time

SKIP = 77
MP_ALLOC = ["native", "anon", "xmem", "xmemhuge", "xbuf"]
FWD = ["txonly", "io", "mac"]
PROMPT = b"testpmd> "


def free_hugepages():
    total = 0
    base = "/sys/kernel/mm/hugepages"
    if not os.path.isdir(base):
        return 0
    for d in os.listdir(base):
        try:
            with open(os.path.join(base, d, "free_hugepages")) as f:
                total += int(f.read())
        except (OSError, ValueError):
            pass
    return total


def insecure(path):
    """EAL refuses plugins under a world-writable directory (-d)."""
    path = os.path.abspath(path)
    while True:
        if os.stat(path).st_mode & stat.S_IWOTH:
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def plugin_path(pmd, scratch):
    bad = insecure(os.path.dirname(os.path.abspath(pmd)))
    if bad is None:
        return os.path.abspath(pmd)
    cands = [scratch] if scratch else []
    cands.append(os.path.join(os.path.expanduser("~"), ".cache",
                              "dpdk-extmem", "pmds"))
    for d in cands:
        os.makedirs(d, mode=0o755, exist_ok=True)
        if insecure(d) is None:
            dst = os.path.join(d, os.path.basename(pmd))
            shutil.copy2(pmd, dst)
            print(f"  {bad} is world-writable: plugin copied to {dst}")
            return dst
    raise RuntimeError(f"no directory that EAL accepts for -d ({bad} "
                       "is world-writable)")


class Testpmd:
    """testpmd in interactive mode on pipes: a command is sent once the
    previous one has returned its prompt (written unbuffered by cmdline)."""

    def __init__(self, argv, timeout):
        self.timeout = timeout
        self.out = b""
        self.prompts = 0
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    def _read_until_prompts(self, n):
        deadline = time.monotonic() + self.timeout
        fd = self.p.stdout.fileno()
        while self.out.count(PROMPT) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no testpmd prompt")
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError("testpmd exited")
            self.out += chunk

    def start(self):
        self.prompts = 1
        self._read_until_prompts(1)

    def cmd(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()
        self.prompts += 1
        self._read_until_prompts(self.prompts)

    def quit(self):
        try:
            rest, _ = self.p.communicate(b"quit\n", timeout=self.timeout)
            self.out += rest or b""
        except subprocess.TimeoutExpired:
            self.p.kill()
            rest, _ = self.p.communicate()
            self.out += rest or b""
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            rest, _ = self.p.communicate()
            self.out += rest or b""


def parse_xstats(text):
    """List (one per 'show port xstats all') of {port: {name: value}}."""
    shows = []
    cur = None
    port = None
    for line in text.splitlines():
        m = re.match(r"#+ NIC extended statistics for port (\d+)", line)
        if m:
            port = int(m.group(1))
            if cur is None or port in cur:
                cur = {}
                shows.append(cur)
            cur[port] = {}
            continue
        m = re.match(r"^([A-Za-z0-9_]+): (\d+)$", line.strip())
        if m and cur is not None and port is not None:
            cur[port][m.group(1)] = int(m.group(2))
        elif line.startswith("testpmd>") or not line.strip():
            port = None
    return shows


def rxtx(s, name):
    """Sum of the rx_ and tx_ xstats of that name, None if one is missing."""
    if f"rx_{name}" not in s or f"tx_{name}" not in s:
        return None
    return s[f"rx_{name}"] + s[f"tx_{name}"]


def check_run(mode, fwd, mr, xs):
    errs = []
    for port in (0, 1):
        s = xs.get(port)
        if s is None:
            errs.append(f"port {port}: no xstats")
            continue
        faults = rxtx(s, "dma_fault_errors")
        if faults is None:
            errs.append(f"port {port}: no dma_fault_errors xstats")
            continue
        if faults != 0:
            errs.append(f"port {port}: dma_fault_errors = {faults}")
        if s.get("tx_good_packets", 0) == 0:
            errs.append(f"port {port}: nothing transmitted")
        # what port p sent was written into its peer's Rx buffers
        if s.get("rx_dma_packets", 0) == 0:
            errs.append(f"port {port}: no packet DMA'd into its Rx queues")
        if fwd != "txonly" and s.get("rx_good_packets", 0) == 0:
            errs.append(f"port {port}: nothing received")
        if mr != "off" and not rxtx(s, "mr_cache_hits"):
            errs.append(f"port {port}: no MR lookup hit")
    summary = ", ".join(
        f"p{p}: tx {xs.get(p, {}).get('tx_good_packets', 0)} "
        f"rx {xs.get(p, {}).get('rx_good_packets', 0)} "
        f"dma {xs.get(p, {}).get('rx_dma_packets', 0)} "
        f"fault {rxtx(xs.get(p, {}), 'dma_fault_errors')} "
        f"hit {rxtx(xs.get(p, {}), 'mr_cache_hits')} "
        f"miss {rxtx(xs.get(p, {}), 'mr_cache_misses')} "
        f"reg {xs.get(p, {}).get('mr_miss_registrations', 0)} "
        f"mrs {xs.get(p, {}).get('mr_entries', 0)}"
        for p in (0, 1))
    return errs, summary


def run_mode(a, plugin, mode, fwds):
    prefix = (f"mrnic_tp_{os.getpid()}_{a.mr}_{mode}_"
              f"{'nohuge' if a.nohuge else 'huge'}")
    if a.iova:
        prefix += "_" + a.iova
    eal = ["-l", "0-1", "--no-pci", "--file-prefix=" + prefix,
           "-d", plugin, "--log-level=pmd.net.mrnic:notice",
           "--vdev", f"net_mrnic0,mr={a.mr}",
           "--vdev", f"net_mrnic1,mr={a.mr}"]
    if a.nohuge:
        eal += ["--no-huge", "-m", "1024"]
    else:
        eal += ["--in-memory"]
    if a.iova:
        eal += ["--iova-mode=" + a.iova]
    app = ["-i", "--mp-alloc=" + mode, "--total-num-mbufs=8192",
           "--nb-cores=1", "--rxq=2", "--txq=2", "--rxd=512", "--txd=512"]
    # line-buffered stdout: the prompt (written unbuffered) then never
    # lands inside a line of statistics
    argv = [a.testpmd] + eal + ["--"] + app
    if shutil.which("stdbuf"):
        argv = ["stdbuf", "-oL"] + argv
    tp = Testpmd(argv, timeout=120)
    try:
        tp.start()
        for fwd in fwds:
            tp.cmd("set fwd " + fwd)
            tp.cmd("clear port xstats all")
            tp.cmd("start" if fwd == "txonly" else "start tx_first 4")
            time.sleep(a.seconds)
            tp.cmd("stop")
            tp.cmd("show port xstats all")
        rc = tp.quit()
    except (TimeoutError, EOFError) as e:
        tp.kill()
        return None, f"testpmd: {e}", tp.out.decode(errors="replace")
    text = tp.out.decode(errors="replace")
    # the runtime directory a --file-prefix run leaves behind
    shutil.rmtree(os.path.join("/var/run/dpdk", prefix), ignore_errors=True)
    if rc != 0:
        return None, f"testpmd exit status {rc}", text
    return parse_xstats(text), None, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pmd", required=True)
    ap.add_argument("--mr", default="cache",
                    choices=["cache", "extmem", "off"])
    ap.add_argument("--nohuge", action="store_true")
    ap.add_argument("--iova", choices=["va", "pa"])
    ap.add_argument("--testpmd", default="/usr/bin/dpdk-testpmd")
    ap.add_argument("--mp-alloc", default=",".join(MP_ALLOC))
    ap.add_argument("--fwd", default=",".join(FWD))
    ap.add_argument("--scratch")
    ap.add_argument("--seconds", type=float, default=1.0)
    a = ap.parse_args()

    if not os.access(a.testpmd, os.X_OK):
        print(f"SKIP: {a.testpmd} is not installed")
        return SKIP
    huge_free = free_hugepages()
    if not a.nohuge and huge_free == 0:
        print("SKIP: hugepage mode but no free hugepages are reserved")
        return SKIP
    plugin = plugin_path(a.pmd, a.scratch)
    fwds = a.fwd.split(",")
    passed = failed = skipped = 0
    for mode in a.mp_alloc.split(","):
        if mode == "xmemhuge" and huge_free == 0:
            print(f"SKIP {mode}: needs free hugepages, none reserved")
            skipped += 1
            continue
        print(f"RUN  mp-alloc={mode} mr={a.mr} "
              f"{'nohuge' if a.nohuge else 'huge'} iova={a.iova or 'auto'}")
        sys.stdout.flush()
        shows, err, text = run_mode(a, plugin, mode, fwds)
        if err is None and len(shows) != len(fwds):
            err = f"expected {len(fwds)} xstats dumps, got {len(shows)}"
        if err is not None:
            print(f"FAIL mp-alloc={mode}: {err}")
            print("---- testpmd output (tail) ----")
            print("\n".join(text.splitlines()[-60:]))
            failed += 1
            continue
        # Upstream testpmd registers (rte_extmem_register) and maps its
        # anonymous pool chunk by chunk and ignores failures: with many
        # small IOVA-contiguous chunks (4K pages in PA mode) EAL runs out of
        # memseg lists, and a chunk whose length is not a page multiple (VA
        # mode) is refused. That part of the pool is never mapped and the
        # device must fault on it.
        unmapped = len(re.findall(r"unable to (?:register|DMA map) addr",
                                  text))
        ok = True
        for fwd, xs in zip(fwds, shows):
            errs, summary = check_run(mode, fwd, a.mr, xs)
            print(f"     {fwd:6s} {summary}")
            if unmapped:
                errs = [e for e in errs if "dma_fault" not in e and
                        "nothing" not in e and "no packet" not in e and
                        "no MR" not in e]
            for e in errs:
                print(f"FAIL mp-alloc={mode} fwd={fwd}: {e}")
                ok = False
        if ok and unmapped:
            faults = sum(rxtx(xs.get(p, {}), "dma_fault_errors") or 0
                         for xs in shows for p in (0, 1))
            print(f"SKIP mp-alloc={mode}: upstream testpmd could not register "
                  f"or map {unmapped} chunk(s) of its pool (see its log); "
                  f"the device faulted {faults} times on the unmapped "
                  "buffers and survived")
            skipped += 1
            continue
        if ok:
            print(f"OK   mp-alloc={mode}")
            passed += 1
        else:
            print("---- testpmd output (tail) ----")
            print("\n".join(text.splitlines()[-40:]))
            failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if failed:
        return 1
    if passed == 0:
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
