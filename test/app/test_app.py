#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""Behaviour tests of dpdk-extmem-testpmd (never its speed).

usage: test_app.py <app binary> <check> [args]

checks:
  fwd <mp-alloc> <huge|nohuge>   io forwarding on the default ports (the
                                 net_mrnic pair when built in): packets
                                 flow, counters add up, no mbuf leak
  fwd-modes <huge|nohuge>        io, mac, txonly, rxonly, flowgen over net_null and
                                 on the default ports
  json                           --json on stdout: one parseable object
  sigint                         SIGINT stops forwarding cleanly
  mrnic-mr                       the net_mrnic pair with mr=cache|extmem|off
  no-hugepages                   no hugetlbfs: EAL runs --no-huge by itself
  cores                          --nb-cores 2 with 2 queues per port
  options                        invalid options are refused, --help works
  dumpcap                        dpdk-dumpcap captures what the app forwards
                                 (the app serves packet capture as primary)

Environment: ETP_MRNIC=1 when the binary links the net_mrnic driver;
ETP_DUMPCAP: the dpdk-dumpcap program (empty: dumpcap skipped).
Exit status 0 on success, 77 on skip, 1 on failure.
"""

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

from app_test_util import Failure, check, pcapng_blocks

SKIP = 77
APP = None
MRNIC = os.environ.get("ETP_MRNIC", "0") == "1"
NULL_PORTS = ["--vdev", "net_null0", "--vdev", "net_null1"]


def huge_available():
    try:
        with open("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages") as f:
            return int(f.read()) > 64
    except OSError:
        return False


RUNS = 0


def eal_args(mem, lcores="0-1"):
    """EAL options: its own runtime directory per run (--no-huge is legacy
    memory, which --in-memory refuses), or --in-memory with hugepages."""
    global RUNS
    RUNS += 1
    args = ["-l", lcores, "--no-pci", "--log-level=lib.eal:error"]
    if mem == "nohuge":
        args += ["--no-huge", "-m", "512",
                 f"--file-prefix=etp_test_{os.getpid()}_{RUNS}"]
    else:
        args += ["--in-memory"]
    return args


def default_ports():
    """Ports of the default run: none (the app creates net_mrnic) if built
    in, else two net_null ports."""
    return [] if MRNIC else NULL_PORTS


def run(eal, app_args, timeout=90, expect_rc=0):
    """Run the app; return (stdout, result dict from --json-file)."""
    with tempfile.TemporaryDirectory() as tmp:
        jf = os.path.join(tmp, "result.json")
        cmd = [APP] + eal + ["--"] + app_args + ["--json-file", jf]
        print("+", " ".join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           text=True)
        print(p.stdout)
        check(p.returncode == expect_rc,
              f"exit status {p.returncode}, expected {expect_rc}")
        if expect_rc != 0:
            return p.stdout, None
        check(os.path.exists(jf), "no JSON result written")
        with open(jf) as f:
            res = json.load(f)
        return p.stdout, res


def check_counts(res, fwd):
    """Counters add up and every mbuf is back in the pool."""
    ports = res["ports"]
    check(len(ports) == res["nb_ports"] and len(ports) >= 1,
          "port list does not match nb_ports")
    prx = sum(p["rx_packets"] for p in ports)
    ptx = sum(p["tx_packets"] for p in ports)
    check(prx == res["rx_packets"] and ptx == res["tx_packets"],
          "per-port packets do not add up to the totals")
    if fwd in ("io", "mac"):
        check(res["rx_packets"] > 0, "nothing received")
        check(res["tx_packets"] > 0, "nothing forwarded")
        # Every packet received was sent or counted as dropped: the
        # forwarding loops' counters, without the --tx-first burst.
        check(res["fwd_rx_packets"] ==
              res["fwd_tx_packets"] + res["fwd_dropped"],
              f"forwarded {res['fwd_tx_packets']} + dropped "
              f"{res['fwd_dropped']} != received {res['fwd_rx_packets']}")
    elif fwd == "txonly":
        check(res["tx_packets"] > 0, "nothing sent")
        check(res["fwd_rx_packets"] == 0, "txonly received packets")
    elif fwd == "flowgen":
        check(res["rx_packets"] > 0, "nothing received")
        check(res["tx_packets"] > 0, "nothing sent")
    elif fwd == "rxonly":
        check(res["rx_packets"] > 0, "nothing received")
        check(res["fwd_tx_packets"] == 0,
              f"rxonly forwarded {res['fwd_tx_packets']} packets (the "
              f"tx-first burst is tx_first_packets)")
    # The ports' counters match what the forwarding loops counted.
    check(res["rx_packets"] == res["fwd_rx_packets"],
          f"ports received {res['rx_packets']}, streams "
          f"{res['fwd_rx_packets']}")
    check(res["tx_packets"] ==
          res["fwd_tx_packets"] + res["tx_first_packets"],
          f"ports sent {res['tx_packets']}, streams "
          f"{res['fwd_tx_packets']} + tx-first {res['tx_first_packets']}")
    check(res["rx_pps"] > 0 or fwd == "txonly", "rx_pps is 0")
    check(res["tx_pps"] > 0 or fwd == "rxonly", "tx_pps is 0")
    check(res["dma_fault"] == 0, f"{res['dma_fault']} DMA faults")
    check(res["mbufs_avail_after_stop"] == res["mbufs_total"],
          f"mbuf leak: {res['mbufs_total'] - res['mbufs_avail_after_stop']}"
          f" of {res['mbufs_total']} not back in the pool")


def check_backing(res, mode):
    b = res["backing"]
    if mode == "native":
        check(b.startswith("eal"), f"native pool on {b}")
        # the page size of EAL's memory under the pool: a hugepage size
        # of the system with hugepages, the system page without
        if b == "eal-hugepages":
            sizes = [int(d.split("-")[1][:-2]) * 1024 for d in
                     os.listdir("/sys/kernel/mm/hugepages")]
            check(res["page_size"] in sizes, f"native pool page size "
                  f"{res['page_size']}, hugepage sizes {sizes}")
        else:
            check(res["page_size"] == os.sysconf("SC_PAGE_SIZE"),
                  f"native pool page size {res['page_size']}")
    elif mode in ("xmem4k", "anon"):
        check(b in ("anon", "shared"), f"{mode} pool on {b}, expected 4K")
    elif mode in ("xmem", "xmemhuge", "xbuf"):
        thp = False
        try:
            with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
                thp = "[never]" not in f.read()
        except OSError:
            pass
        if thp or huge_available():
            check(b != "anon" and res["page_size"] >= 2 << 20,
                  f"{mode} chose {b} although the system has hugepages")
    elif mode == "xmemshared":
        check(b.startswith("shared"), f"xmemshared on {b}")


def check_sharing(out, res, mode):
    """Every region says whether secondaries can map it, and the app
    names at start each one they cannot: the 4K modes' private anonymous
    memory and transparent hugepages (private on a kernel whose shared
    memory gets none); hugetlb, the shared backing and devbuf's memfd are
    shared."""
    regions = re.findall(r"^  region (\S+) .*, (shared|not shared)$", out,
                         re.M)
    if mode == "native":
        check(not regions, f"native mode has regions: {regions}")
        return
    check(regions, "no region reported with its sharing")
    private = {n for n, s in regions if s == "not shared"}
    warned = set(re.findall(r"^memory not shared with secondary processes: "
                            r"region (\S+) ", out, re.M))
    check(private == warned, f"regions not shared {sorted(private)}, "
          f"reported at start {sorted(warned)}")
    if mode in ("xmem4k", "anon"):
        check(private, f"{mode}: private 4K memory reported shared")
    elif mode in ("xmemshared", "devbuf") or (
            mode in ("xmem", "xmemhuge", "xbuf") and res["backing"] != "thp"):
        check(not private, f"{mode} on {res['backing']}: {sorted(private)} "
              "not shared")


def t_fwd(mode, mem):
    # devbuf payloads are sent (and received by the peer) by flowgen.
    fwd = "flowgen" if mode == "devbuf" else "io"
    out, res = run(eal_args(mem) + default_ports(),
                   ["--mp-alloc", mode, "--forward-mode", fwd,
                    "--duration", "1", "--stats-period", "0.5"])
    check_counts(res, fwd)
    check_backing(res, mode)
    check(re.search(r"^memory: .* page size \?", out, re.M) is None,
          "page size not known at start")
    check(res["mp_alloc"] == mode, "mp_alloc not reported")
    check(len(res["periods_rx_pps"]) >= 1, "no periodic statistics")
    if mode != "native":
        check("registered external memory" in out,
              "the registered regions were not reported")
    check_sharing(out, res, mode)
    if MRNIC:
        check(res["has_dma_fault"], "dma_fault xstat of net_mrnic missing")


def t_fwd_modes(mem):
    for ports in ([NULL_PORTS] + ([[]] if MRNIC else [])):
        for fwd in ("io", "mac", "txonly", "rxonly", "flowgen"):
            extra = []
            if not ports and fwd == "rxonly":
                # back-to-back ports: the peer's tx-first burst is what
                # arrives; more receive than transmit queues
                extra = ["--tx-first", "--rxq", "2", "--txq", "1"]
            _, res = run(eal_args(mem) + ports,
                         ["--mp-alloc", "xmem", "--forward-mode", fwd,
                          "--duration", "0.5"] + extra)
            check(res["forward_mode"] == fwd, "forward mode not reported")
            check_counts(res, fwd)


def t_mrnic_mr():
    """The net_mrnic pair with each translation design of the driver."""
    if not MRNIC:
        print("SKIP: net_mrnic is not linked into the application")
        return SKIP
    for mr in ("cache", "extmem", "off"):
        for mode in ("native", "xmem"):
            _, res = run(eal_args("nohuge"),
                         ["--mp-alloc", mode, "--mrnic-args", f"mr={mr}",
                          "--duration", "0.5"])
            check(all(p["name"].startswith("net_mrnic")
                      for p in res["ports"]), "not on net_mrnic ports")
            check(res["has_dma_fault"], "no dma_fault xstat")
            check_counts(res, "io")
    # a bad devarg: the driver's reason, then the probe's errno (not
    # "Success", and no doubt about the driver being there)
    out, _ = run(eal_args("nohuge"), ["--mrnic-args", "mr=bogus"],
                 expect_rc=1, timeout=60)
    check("net_mrnic0 cannot be created with --mrnic-args mr=bogus: "
          "Invalid argument" in out, "no errno for the refused devargs")
    check("Success" not in out and "is the net_mrnic driver linked" not in out,
          "misleading reason for the refused devargs")
    return 0


def t_no_hugepages():
    """Without usable hugepages and without EAL memory options the app
    starts EAL with --no-huge by itself. The hugetlbfs mount is hidden in
    a private mount namespace, so nothing changes for other processes."""
    import shutil
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        print("SKIP: needs root and unshare(1) for a private mount namespace")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        jf = os.path.join(tmp, "r.json")
        inner = ("for m in $(awk '$3 == \"hugetlbfs\" {print $2}' "
                 "/proc/mounts); do umount \"$m\" || exit 99; done; "
                 "exec \"$@\"")
        cmd = (["unshare", "-m", "--propagation", "private", "sh", "-c",
                inner, "sh", APP, "-l", "0-1", "--no-pci",
                f"--file-prefix=etp_test_{os.getpid()}_nohp",
                "--log-level=lib.eal:error"] + default_ports() +
               ["--", "--mp-alloc", "xmem", "--duration", "0.5",
                "--json-file", jf])
        print("+", " ".join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=90, text=True)
        print(p.stdout)
        if p.returncode == 99:
            print("SKIP: cannot unmount hugetlbfs in a mount namespace")
            return SKIP
        check(p.returncode == 0, f"exit status {p.returncode}")
        check("running EAL with --no-huge" in p.stdout,
              "--no-huge was not chosen")
        with open(jf) as f:
            res = json.load(f)
        check_counts(res, "io")
    return 0


def t_json():
    cmd = [APP] + eal_args("nohuge") + NULL_PORTS + [
        "--", "--mp-alloc", "xmem", "--duration", "0.5", "--json"]
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, text=True)
    print(p.stdout)
    check(p.returncode == 0, f"exit status {p.returncode}")
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    check(len(lines) == 1, f"{len(lines)} JSON lines on stdout, expected 1")
    res = json.loads(lines[0])
    for key, typ in (("rx_pps", (int, float)), ("tx_pps", (int, float)),
                     ("rx_packets", int), ("tx_packets", int),
                     ("dma_fault", int), ("duration_s", (int, float)),
                     ("mp_alloc", str), ("ports", list)):
        check(key in res, f"JSON lacks {key}")
        check(isinstance(res[key], typ), f"JSON {key} has type "
              f"{type(res[key]).__name__}")
    # The averages are over the forwarding time.
    check(abs(res["rx_pps"] * res["duration_s"] - res["rx_packets"]) <=
          max(1, res["rx_packets"] * 1e-6), "rx_pps is not rx/duration")
    check_counts(res, "io")


def t_sigint():
    # --duration 0 is documented as no limit: until a signal, as without it
    for sig, extra in ((signal.SIGINT, []),
                       (signal.SIGTERM, ["--duration", "0"])):
        sigint_run(sig, extra)


def sigint_run(sig, extra):
    name = signal.Signals(sig).name
    with tempfile.TemporaryDirectory() as tmp:
        jf = os.path.join(tmp, "r.json")
        cmd = [APP] + eal_args("nohuge") + default_ports() + [
            "--", "--mp-alloc", "xmem", "--stats-period", "0.2",
            "--json-file", jf] + extra
        print("+", " ".join(cmd), flush=True)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        out = []
        wait_forwarding(p, out, f"before {name}")
        # several statistics periods go by: no limit ends the run
        for _ in range(3):
            wait_forwarding(p, out, f"before {name}")
        check(p.poll() is None, f"the app exited before {name}:\n" +
              "".join(out))
        p.send_signal(sig)
        try:
            rest, _ = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Failure(f"no exit within 30 s of {name}")
        print("".join(out) + rest)
        check(p.returncode == 0, f"exit status {p.returncode} after {name}")
        check(f"signal {int(sig)} received" in rest, f"{name} not reported")
        with open(jf) as f:
            res = json.load(f)
        check(res["signal"] == sig, f"JSON signal is not {name}")
        check_counts(res, "io")


def t_cores():
    # Three lcores on two CPUs: the main one and two forwarding ones.
    eal = eal_args("nohuge")
    eal[0:2] = ["--lcores", "0@0,1@1,2@1"]

    _, res = run(eal + NULL_PORTS,
                 ["--nb-cores", "2", "--rxq", "2", "--txq", "2",
                  "--mp-alloc", "xmem", "--duration", "0.5"])
    check(res["nb_cores"] == 2, "not 2 forwarding cores")
    check_counts(res, "io")


def t_options():
    eal = eal_args("nohuge") + NULL_PORTS
    for bad in (["--mp-alloc", "bogus"], ["--forward-mode", "bogus"],
                ["--nb-cores", "2"], ["--burst", "0"], ["--burst", "513"],
                ["--rxq", "2", "--txq", "1"], ["--stats-period", "-1"],
                ["--duration", "x"], ["-i"], ["--txpkts", "10"],
                ["--mp-alloc", "devbuf", "--forward-mode", "io"],
                ["stray"]):
        out, _ = run(eal, bad, expect_rc=1, timeout=60)
        check("invalid" in out or "not supported" in out or
              "needs" in out or "unexpected" in out or
              "only" in out or "<" in out, f"no reason given for {bad}")
    cmd = [APP] + eal + ["--", "--help"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60, text=True)
    check(p.returncode == 0 and "--mp-alloc" in p.stdout, "--help failed")
    # --help, the error and the guide agree on what 0 means
    check(re.search(r"--duration SEC .*0 \(the default\): on\s+SIGINT",
                    p.stdout, re.S) is not None,
          "--help does not say what --duration 0 does")
    out, _ = run(eal, ["--duration", "-1"], expect_rc=1, timeout=60)
    check(">= 0 (0: no limit)" in out, "the --duration error does not say "
          "what 0 means")


def wait_forwarding(p, out, what):
    """Read the app's output until its first periodic statistics."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        out.append(line)
        if line.startswith("---- "):
            return
    raise Failure(f"{what}: forwarding did not start:\n" + "".join(out))


class PcapngCounter:
    """Counts the enhanced packet blocks of a pcapng file as it grows."""

    def __init__(self, path):
        self.path, self.off, self.n = path, 0, 0

    def packets(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.off)
                data = f.read(1 << 20)
        except OSError:
            return self.n
        off = 0
        while off + 8 <= len(data):
            btype, blen = struct.unpack_from("<II", data, off)
            if blen < 12 or off + blen > len(data):
                break
            self.n += btype == 6
            off += blen
        self.off += off
        return self.n


def t_dumpcap():
    """dpdk-dumpcap (a secondary process, no EAL options but the file
    prefix) captures what a port of the running app receives and sends.

    DPDK 22.11's pdump removes its callbacks without waiting for the
    datapath to leave them, and dumpcap frees the pool they copy into
    right after: a dumpcap that stops by itself (-c) while the app
    forwards may crash the app. So the app stops first: once 100 packets
    are in the file dumpcap is paused (SIGSTOP: the file stops growing),
    the app is told to stop and dumpcap resumes when the app's forwarding
    is over (the app's exit needs it to answer); dumpcap then sees the
    primary gone, closes its file and exits without touching the ports."""
    dumpcap = os.environ.get("ETP_DUMPCAP", "")
    if not dumpcap:
        print("SKIP: no dpdk-dumpcap")
        return SKIP
    if not huge_available():
        # a secondary process shares the primary's hugepage memory only
        print("SKIP: no free 2M hugepages (secondaries need them)")
        return SKIP
    prefix = f"etp_test_{os.getpid()}_dumpcap"
    with tempfile.TemporaryDirectory() as tmp:
        jf = os.path.join(tmp, "r.json")
        pcap = os.path.join(tmp, "capture.pcapng")
        # The secondary maps the primary's memory at the same addresses:
        # EAL's default base (4 GiB) is in AddressSanitizer's shadow in an
        # instrumented app, which then reserves it among the addresses of
        # the libraries (the secondary's too). Ask for one far from both.
        cmd = [APP, "-l", "0-1", "--no-pci", f"--file-prefix={prefix}",
               "--base-virtaddr=0x300000000000",
               "--log-level=lib.eal:error"] + NULL_PORTS + [
            "--", "--mp-alloc", "native", "--stats-period", "0.2",
            "--json-file", jf]
        print("+", " ".join(cmd), flush=True)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        out, d, dout, stopped = [], None, "", False
        try:
            wait_forwarding(p, out, "dumpcap")
            dcmd = [dumpcap, f"--file-prefix={prefix}", "-i", "net_null0",
                    "-q", "-w", pcap]
            print("+", " ".join(dcmd), flush=True)
            d = subprocess.Popen(dcmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
            count = PcapngCounter(pcap)
            deadline = time.monotonic() + 60
            while (count.packets() < 100 and d.poll() is None and
                   time.monotonic() < deadline):
                time.sleep(0.001)
            if d.poll() is None:
                d.send_signal(signal.SIGSTOP)
                stopped = True
            check(count.n >= 100, "fewer than 100 packets captured in "
                  "60 s, or dpdk-dumpcap exited")
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    line = p.stdout.readline()
                    if not line:
                        break
                    out.append(line)
                    if line.startswith("===="):
                        break  # forwarding over, summary follows
            if stopped:
                d.send_signal(signal.SIGCONT)
            try:
                rest, _ = p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                rest, _ = p.communicate()
            print("".join(out) + rest)
            if d is not None:
                # the primary is gone: dumpcap notices, closes the file
                try:
                    dout, _ = d.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    d.kill()
                    dout, _ = d.communicate()
                print(dout)
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
        check(p.returncode == 0, f"app exit status {p.returncode}")
        check(d.returncode == 0, f"dpdk-dumpcap exit status {d.returncode}")
        blocks = pcapng_blocks(pcap)
        # section header, interface description, enhanced packet blocks
        check(blocks.get(0x0A0D0D0A) == 1, "no pcapng section header")
        check(blocks.get(1, 0) >= 1, "no interface description block")
        n = blocks.get(6, 0)
        check(n >= 100, f"{n} packets in the file, expected 100 or more")
        print(f"{n} packets captured")
        with open(jf) as f:
            res = json.load(f)
        check_counts(res, "io")
    return 0


def main():
    global APP
    if len(sys.argv) < 3:
        print(__doc__)
        return 1
    APP = sys.argv[1]
    name, args = sys.argv[2], sys.argv[3:]
    if args and args[-1] == "huge" and not huge_available():
        print("SKIP: no free 2M hugepages for the EAL hugepage mode")
        return SKIP
    tests = {"fwd": t_fwd, "fwd-modes": t_fwd_modes, "json": t_json,
             "mrnic-mr": t_mrnic_mr, "no-hugepages": t_no_hugepages,
             "sigint": t_sigint, "cores": t_cores, "options": t_options,
             "dumpcap": t_dumpcap}
    try:
        if tests[name](*args) == SKIP:
            return SKIP
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
