#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-extmem authors
"""Aggregate the raw outputs of devtools/bench.sh into bench/results.json,
results.md, results.rst, results.png (forwarding) and results_scale.png
(the scale benchmark's curves).

Both programs are measured the same way: the total receive rate of all
ports in each statistics period (1 s), the first period (start-up) left
out; the median of those is one run's figure; the median over the
repetitions is the result.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def machine():
    cpu = ""
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = ""
    for line in read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal"):
            mem = line.split(":", 1)[1].strip()
    hp = "/sys/kernel/mm/hugepages/hugepages-2048kB/"
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "memory": mem,
        "hugepages_2M": read(hp + "nr_hugepages"),
        "hugepages_2M_free": read(hp + "free_hugepages"),
        "thp": read("/sys/kernel/mm/transparent_hugepage/enabled"),
        "dpdk_version": sh("pkg-config --modversion libdpdk"),
        "dpdk_package": sh("dpkg-query -W -f '${Version}' libdpdk-dev"),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "loadavg_at_report": " ".join(read("/proc/loadavg").split()[:3]),
    }


def upstream_periods(text):
    """Total Rx-pps of all ports per statistics period of upstream testpmd
    (its blocks "NIC statistics for port N" ... "Rx-pps: X")."""
    periods = []
    cur = {}
    for line in text.splitlines():
        m = re.search(r"NIC statistics for port (\d+)", line)
        if m:
            port = int(m.group(1))
            if port in cur:
                periods.append(sum(cur.values()))
                cur = {}
            cur[port] = None
            continue
        m = re.search(r"Rx-pps:\s+(\d+)", line)
        if m and cur and list(cur.values())[-1] is None:
            cur[list(cur.keys())[-1]] = int(m.group(1))
    if cur and None not in cur.values():
        periods.append(sum(cur.values()))
    return periods


def run_figure(periods):
    """One run's figure: median of its periods without the first one that
    has traffic (and without the empty ones before it)."""
    while periods and not periods[0]:
        periods = periods[1:]
    steady = periods[1:] if len(periods) > 1 else periods
    return statistics.median(steady) if steady else None


# Share of its CPU the forwarding lcore got while forwarding (run time
# over run + run-queue wait, from schedstat): about 1 when it had the CPU
# to itself, about 0.5 when another task shared it.
MIN_SHARE = 0.9


def cpu_share(path):
    try:
        return float(read(path))
    except ValueError:
        return None


def collect(raw, tool, mode, reps):
    runs = []
    for r in range(1, reps + 1):
        base = os.path.join(raw, f"{tool}_{mode}_{r}")
        if tool == "upstream":
            periods = upstream_periods(read(base + ".txt"))
            extra = {}
        else:
            try:
                with open(base + ".json") as f:
                    res = json.load(f)
            except (OSError, ValueError):
                continue
            periods = res.get("periods_rx_pps", [])
            extra = {"avg_rx_pps": res.get("rx_pps"),
                     "backing": res.get("backing"),
                     "page_size": res.get("page_size"),
                     "dma_fault": res.get("dma_fault"),
                     "mbufs_leaked": res.get("mbufs_in_use_after_stop")}
        fig = run_figure(periods)
        if fig is None:
            continue
        share = cpu_share(base + ".share")
        runs.append(dict(rep=r, rx_pps=fig, periods=periods,
                         cpu_share=share,
                         contended=share is not None and share < MIN_SHARE,
                         **extra))
    # Runs whose forwarding lcore had to share its CPU with other work are
    # left out when enough runs had it to themselves.
    quiet = [x for x in runs if not x["contended"]]
    used = quiet if len(quiet) >= max(2, (len(runs) + 1) // 2) else runs
    vals = [x["rx_pps"] for x in used]
    return {
        "runs": runs,
        "runs_used": len(used),
        "median_rx_pps": statistics.median(vals) if vals else None,
        "min_rx_pps": min(vals) if vals else None,
        "max_rx_pps": max(vals) if vals else None,
        "backing": runs[0].get("backing") if runs else None,
    }


PERF_COMMON = ("tool", "iova_mode", "hugepages", "mem_mb")


SCALE_KEY = re.compile(r"^scale_(4k|64k|2m|1g)_(\d+)g_([a-z0-9]+)_(.+)$")
SCALE_PGS = ("4k", "64k", "2m", "1g")


def scale_points(perf):
    """{page size: {(GiB, cfg): {what: value}}} of the scale benchmark."""
    pts = {}
    res = perf.get("scale") if isinstance(perf, dict) else None
    if not isinstance(res, dict):
        return pts
    for k, v in res.items():
        m = SCALE_KEY.match(k)
        if m:
            pg, gb, cfg, what = m.groups()
            pts.setdefault(pg, {}).setdefault((int(gb), cfg), {})[what] = v
    return pts


def cfg_order(key):
    gb, cfg = key
    if cfg.startswith("r") and cfg[1:].isdigit():
        return (1, gb, int(cfg[1:]))
    return (0, cfg != "scattered", gb)


def nbytes(v):
    if not isinstance(v, (int, float)):
        return "n/a"
    for unit, sz in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if v >= sz:
            return f"{v / sz:.1f} {unit}"
    return f"{int(v)} B"


def num(v, fmt="{:.2f}"):
    return fmt.format(v) if isinstance(v, (int, float)) else "n/a"


SCALE_COLS = ("registered", "IOVAs / regions", "table", "flat array",
              "table / flat", "lookup ns", "flat ns", "lookup / flat",
              "hot lookup / flat", "dependent / flat", "hot dependent / flat",
              "mrnic extmem ns", "mrnic cache / extmem", "create ms",
              "destroy ms", "dma map ms", "dma unmap ms")


def scale_rows(pts, pg):
    rows = []
    for key in sorted(pts.get(pg, {}), key=cfg_order):
        gb, cfg = key
        d = pts[pg][key]
        what = (cfg[1:] + " regions" if cfg.startswith("r") and
                cfg[1:].isdigit() else cfg)
        rows.append((f"{gb} GiB", what, nbytes(d.get("table_bytes")),
                     nbytes(d.get("flat_bytes")),
                     num(d.get("table_vs_flat")), num(d.get("extmem_ns")),
                     num(d.get("flat_ns")), num(d.get("extmem_vs_flat")),
                     num(d.get("hot_vs_flat")), num(d.get("dep_vs_flat")),
                     num(d.get("hot_dep_vs_flat")),
                     num(d.get("mrnic_extmem_ns"), "{:.1f}"),
                     num(d.get("mrnic_cache_vs_extmem"), "{:.1f}"),
                     num(d.get("create_ms"), "{:.1f}"),
                     num(d.get("destroy_ms"), "{:.1f}"),
                     num(d.get("dma_map_ms"), "{:.1f}"),
                     num(d.get("dma_unmap_ms"), "{:.1f}")))
    return rows


def scale_plot(pts, path, title):
    """Lookup time and table size against registered GiB, per page size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a1, a2, a3, a4) = plt.subplots(1, 4, figsize=(17, 4))
    for pg in SCALE_PGS:
        sc = sorted((gb, d) for (gb, cfg), d in pts.get(pg, {}).items()
                    if cfg == "scattered")
        if not sc:
            continue
        gbs = [gb for gb, _ in sc]
        ln, = a1.plot(gbs, [d.get("extmem_ns", 0) for _, d in sc], "o-",
                      label=f"{pg} rte_extmem_virt2iova")
        a1.plot(gbs, [d.get("flat_ns", 0) for _, d in sc], "x--",
                color=ln.get_color(), label=f"{pg} flat array")
        a2.plot(gbs, [d.get("table_bytes", 0) or 1 for _, d in sc], "o-",
                color=ln.get_color(), label=f"{pg} table")
        a2.plot(gbs, [d.get("flat_bytes", 0) or 1 for _, d in sc], "x--",
                color=ln.get_color(), label=f"{pg} flat array")
        a3.plot(gbs, [d.get("create_ms", 0) for _, d in sc], "o-",
                color=ln.get_color(), label=f"{pg} create")
        if any("mrnic_extmem_ns" in d for _, d in sc):
            a4.plot(gbs, [d.get("mrnic_extmem_ns", 0) for _, d in sc], "o-",
                    color=ln.get_color(), label=f"{pg} mr=extmem")
            a4.plot(gbs, [d.get("mrnic_cache_ns", 0) for _, d in sc], "x--",
                    color=ln.get_color(), label=f"{pg} mr=cache")
    for ax in (a1, a2, a3, a4):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("registered GiB (device memory, scattered IOVAs)")
    a1.set_ylabel("ns per random lookup")
    a2.set_yscale("log", base=2)
    a2.set_ylabel("bytes of table")
    a3.set_yscale("log")
    a3.set_ylabel("ms: region create (EAL registration included)")
    a4.set_yscale("log")
    a4.set_ylabel("ns per buffer: net_mrnic translation")
    a4.legend(fontsize=6)
    a1.legend(fontsize=6)
    a2.legend(fontsize=6)
    a3.legend(fontsize=6)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)


def perf_table(perf):
    """(metric, value) rows of the perf tool's results: one flat JSON
    object per benchmark, run in its own process (the scale benchmark's
    curves have tables of their own)."""
    if not isinstance(perf, dict):
        return []
    rows = []
    for bench, res in perf.items():
        if not isinstance(res, dict):
            rows.append((bench, str(res)))
            continue
        for k, v in res.items():
            if k in PERF_COMMON or SCALE_KEY.match(k):
                continue
            if isinstance(v, bool):
                v = "yes" if v else "no"
            elif isinstance(v, float):
                v = f"{v:.3f}"
            rows.append((k, str(v)))
    return rows


def mpps(v):
    return "n/a" if v is None else f"{v / 1e6:.2f}"


def ratio(a, b):
    return None if not a or not b else a / b


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}x"


def main():
    ap = argparse.ArgumentParser()
    for a in ("raw", "out", "modes", "testpmd", "ours", "perf-json", "eal",
              "opts", "command"):
        ap.add_argument("--" + a, default="")
    for a in ("reps", "duration", "mbufs"):
        ap.add_argument("--" + a, type=int, default=0)
    args = ap.parse_args()
    modes = args.modes.split()

    fwd = {"upstream": {}, "ours": {}}
    for m in modes:
        fwd["upstream"][m] = collect(args.raw, "upstream", m, args.reps)
        fwd["ours"][m] = collect(args.raw, "ours", m, args.reps)
    if "xmem" in modes:
        fwd["ours"]["xmem4k"] = collect(args.raw, "ours", "xmem4k",
                                        args.reps)

    def med(tool, m):
        return fwd[tool].get(m, {}).get("median_rx_pps")

    def best(tool, m):
        return fwd[tool].get(m, {}).get("max_rx_pps")

    targets = []
    if "xmem" in modes:
        for name, a, b, goal in (
                ("our xmem >= upstream native", ("ours", "xmem"),
                 ("upstream", "native"), 1.0),
                ("our xmem >= 1.2x upstream xmem (4K)", ("ours", "xmem"),
                 ("upstream", "xmem"), 1.2),
                ("our xmem on 4K pages >= upstream xmem",
                 ("ours", "xmem4k"), ("upstream", "xmem"), 1.0)):
            r = ratio(med(*a), med(*b))
            rb = ratio(best(*a), best(*b))
            targets.append({"target": name, "ratio": r, "ratio_best": rb,
                            "goal": goal,
                            "met": r is not None and r >= goal,
                            "met_best": rb is not None and rb >= goal})

    perf = None
    if args.perf_json and os.path.exists(args.perf_json):
        try:
            with open(args.perf_json) as f:
                perf = json.load(f)
        except ValueError:
            perf = {"error": "unparseable output"}

    mach = machine()
    mach["loadavg_at_start"] = " ".join(
        read(os.path.join(args.raw, "loadavg_start")).split()[:3])
    result = {
        "machine": mach,
        "command": args.command,
        "method": ("io forwarding, 2 net_null ports, 1 forwarding core; "
                   "per run the median of the 1 s total Rx-pps samples "
                   "without the first; median over repetitions"),
        "repetitions": args.reps,
        "duration_s": args.duration,
        "eal_args": args.eal,
        "testpmd_args": args.opts,
        "upstream_testpmd": args.testpmd,
        "forwarding": fwd,
        "targets": targets,
        "perf": perf,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")

    rows = []
    for m in modes + (["xmem4k"] if "xmem" in modes else []):
        up, us = med("upstream", m), med("ours", m)
        b = fwd["ours"].get(m, {}).get("backing") or "?"
        up_s = mpps(up) if m != "xmem4k" else "-"
        upb = fwd["upstream"].get(m, {}).get("max_rx_pps")
        usb = fwd["ours"].get(m, {}).get("max_rx_pps")

        def used(tool):
            d = fwd[tool].get(m, {})
            return f"{d.get('runs_used', 0)}/{len(d.get('runs', []))}"
        rows.append((m, up_s, mpps(us), b,
                     fmt_ratio(ratio(us, up)) if m != "xmem4k" else "-",
                     mpps(upb) if m != "xmem4k" else "-", mpps(usb),
                     (used("upstream") if m != "xmem4k" else "-") + " / " +
                     used("ours")))

    head = (f"Machine: {mach['cpu']}, {mach['cpus']} CPUs, {mach['os']}, "
            f"kernel {mach['kernel']}; DPDK {mach['dpdk_version']} "
            f"(Debian {mach['dpdk_package']}). "
            f"io forwarding over 2 net_null ports on 1 forwarding core, "
            f"{args.reps} interleaved repetitions of {args.duration} s, "
            f"{args.mbufs} mbufs; Mpps = total receive rate of both ports, "
            f"median (best: the best run). Runs whose forwarding lcore "
            f"shared its CPU with other work (less than {MIN_SHARE} of its "
            f"time running, from schedstat) are left out of the medians "
            f"when enough runs had it to themselves. "
            f"Load average at start: "
            f"{mach['loadavg_at_start'] or '?'}, at the end: "
            f"{mach['loadavg_at_report']}.")
    md = ["# dpdk-extmem benchmark results", "", head, "",
          "| --mp-alloc | upstream testpmd (Mpps) | dpdk-extmem-testpmd "
          "(Mpps) | our backing | ours / upstream | upstream best | "
          "ours best | runs used (upstream / ours) |",
          "|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        md.append("| " + " | ".join(r) + " |")
    md += ["", "| target | ratio (medians) | met | ratio (best runs) | met |",
           "|---|---:|---|---:|---|"]
    for t in targets:
        md.append(f"| {t['target']} | {fmt_ratio(t['ratio'])} | "
                  f"{'yes' if t['met'] else 'no'} | "
                  f"{fmt_ratio(t['ratio_best'])} | "
                  f"{'yes' if t['met_best'] else 'no'} |")
    perf_rows = perf_table(perf)
    if perf_rows:
        md += ["", "Micro-benchmarks (dpdk-test-extmem-perf; `_ns`/`_ms`: "
               "time per operation, `_vs_`: ratio):", "",
               "| metric | value |", "|---|---:|"]
        md += [f"| {k} | {v} |" for k, v in perf_rows]
    pts = scale_points(perf)
    for pg in SCALE_PGS:
        rows_s = scale_rows(pts, pg)
        if not rows_s:
            continue
        md += ["", f"Scaling, {pg} pages (dpdk-test-extmem-perf scale):", "",
               "| " + " | ".join(SCALE_COLS) + " |",
               "|" + "---|" * len(SCALE_COLS)]
        md += ["| " + " | ".join(r) + " |" for r in rows_s]
    md += ["", f"Reproduce: `{args.command}`", ""]
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(md))

    rst = [head, "", ".. list-table:: Forwarding rate (median)",
           "   :header-rows: 1", "",
           "   * - ``--mp-alloc``", "     - upstream testpmd (Mpps)",
           "     - dpdk-extmem-testpmd (Mpps)", "     - our backing",
           "     - ours / upstream", "     - upstream best",
           "     - ours best", "     - runs used (upstream / ours)"]
    for r in rows:
        rst.append(f"   * - {r[0]}")
        rst += [f"     - {c}" for c in r[1:]]
    rst += ["", ".. list-table:: Targets", "   :header-rows: 1", "",
            "   * - target", "     - ratio (medians)", "     - met",
            "     - ratio (best runs)", "     - met"]
    for t in targets:
        rst += [f"   * - {t['target']}", f"     - {fmt_ratio(t['ratio'])}",
                f"     - {'yes' if t['met'] else 'no'}",
                f"     - {fmt_ratio(t['ratio_best'])}",
                f"     - {'yes' if t['met_best'] else 'no'}"]
    if perf_rows:
        rst += ["", ".. list-table:: Micro-benchmarks "
                "(dpdk-test-extmem-perf)", "   :header-rows: 1", "",
                "   * - metric", "     - value"]
        for k, v in perf_rows:
            rst += [f"   * - ``{k}``", f"     - {v}"]
    for pg in SCALE_PGS:
        rows_s = scale_rows(pts, pg)
        if not rows_s:
            continue
        rst += ["", f".. list-table:: Scaling, {pg} pages "
                "(dpdk-test-extmem-perf scale)", "   :header-rows: 1", ""]
        rst.append(f"   * - {SCALE_COLS[0]}")
        rst += [f"     - {c}" for c in SCALE_COLS[1:]]
        for r in rows_s:
            rst.append(f"   * - {r[0]}")
            rst += [f"     - {c}" for c in r[1:]]
    rst.append("")
    with open(os.path.join(args.out, "results.rst"), "w") as f:
        f.write("\n".join(rst))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        cats = modes + (["xmem4k"] if "xmem" in modes else [])
        xs = list(range(len(cats)))
        fig, ax = plt.subplots(figsize=(7, 4))
        w = 0.38
        for k, (tool, label) in enumerate((("upstream", "upstream testpmd"),
                                           ("ours", "dpdk-extmem-testpmd"))):
            vals, lo, hi = [], [], []
            for m in cats:
                d = fwd[tool].get(m, {})
                v = (d.get("median_rx_pps") or 0) / 1e6
                vals.append(v)
                lo.append(v - (d.get("min_rx_pps") or 0) / 1e6 if v else 0)
                hi.append((d.get("max_rx_pps") or 0) / 1e6 - v if v else 0)
            ax.bar([x + (k - 0.5) * w for x in xs], vals, w, label=label,
                   yerr=[lo, hi], capsize=3)
        ax.set_xticks(xs)
        ax.set_xticklabels(cats)
        ax.set_xlabel("--mp-alloc")
        ax.set_ylabel("Mpps (io, 2 x net_null, 1 core)\nmedian, min-max")
        ax.set_title(f"DPDK {mach['dpdk_version']} on {mach['cpu'][:40]}",
                     fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(args.out, "results.png"), dpi=80)
        if pts:
            scale_plot(pts, os.path.join(args.out, "results_scale.png"),
                       f"dpdk-test-extmem-perf scale, DPDK "
                       f"{mach['dpdk_version']} on {mach['cpu'][:40]}")
    except ImportError:
        print("bench: matplotlib missing: no chart (apt-get install "
              "python3-matplotlib)", file=sys.stderr)

    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
