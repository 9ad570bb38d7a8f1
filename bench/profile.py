#!/usr/bin/env python3
"""Profile a server under redis-benchmark: perf (cpu-clock samples) and strace -c syscall counts.

For each server given (default: ours and Redis, for comparison) and each -P value:
  1. perf record -e cpu-clock -F <freq> [-g --call-graph dwarf] -p PID while redis-benchmark runs,
     then perf report: top symbols by self time (and, with --callgraph, callers);
  2. strace -c -f -p PID during a shorter redis-benchmark run: syscall counts, reported per request.
Output goes to --out (default /tmp/bench-profile-<time>), a summary is printed.

  OURS=target/release/redis-server python3 bench/profile.py --pipelines 1,16 --tests set,get
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def bench_cmd(port, test, n, pl, clients=50, keyspace=100_000):
    return ["redis-benchmark", "-h", bl.HOST, "-p", str(port), "-t", test, "-n", str(n), "-c", str(clients),
            "-P", str(pl), "-r", str(keyspace), "-q"]


def attach(tool_cmd, settle=0.5):
    p = subprocess.Popen(tool_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    time.sleep(settle)
    return p


def detach(p, timeout=60):
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return out.decode("utf-8", "replace")


def parse_strace(text, n):
    rows = []
    total = None
    for line in text.splitlines():
        m = re.match(r"\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(?:(\d+)\s+)?(\S+)\s*$", line)
        if m:
            calls, name = int(m.group(4)), m.group(6)
            if name == "total":
                total = calls
            else:
                rows.append((name, calls))
    rows.sort(key=lambda r: -r[1])
    return total, [(nm, c, c / n) for nm, c in rows[:8]]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ours", default=os.environ.get("OURS"))
    p.add_argument("--redis", default=os.environ.get("REDIS", bl.REAL_REDIS))
    p.add_argument("--servers", default="ours,redis")
    p.add_argument("--tests", default="set,get")
    p.add_argument("--pipelines", default="1,16")
    p.add_argument("--requests", type=int, default=300_000, help="-n per perf run")
    p.add_argument("--strace-requests", type=int, default=50_000, help="-n per strace run")
    p.add_argument("--freq", type=int, default=1999)
    p.add_argument("--callgraph", action="store_true", help="perf --call-graph dwarf (bigger, slower)")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--out", default=f"/tmp/bench-profile-{int(time.time())}")
    a = p.parse_args(argv)
    bins = {"ours": a.ours, "redis": a.redis}
    os.makedirs(a.out, exist_ok=True)
    summary = []
    for name in a.servers.split(","):
        if not bins.get(name):
            p.error(f"no binary for {name}")
        srv = bl.Server(name, bins[name], appendonly="no").start()
        try:
            for pl in [int(x) for x in a.pipelines.split(",")]:
                for test in a.tests.split(","):
                    tag = f"{name}-{test}-P{pl}"
                    data = os.path.join(a.out, tag + ".perf.data")
                    perf = ["perf", "record", "-e", "cpu-clock", "-F", str(a.freq), "-o", data, "-p", str(srv.pid)]
                    if a.callgraph:
                        perf[2:2] = ["--call-graph", "dwarf,32768"]
                    rec = attach(perf)
                    c0 = srv.cpu_ticks()
                    b = subprocess.run(bench_cmd(srv.port, test, a.requests, pl), capture_output=True, text=True,
                                       timeout=600)
                    c1 = srv.cpu_ticks()
                    detach(rec)
                    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                          "--sort", "symbol", "--percent-limit", "0.7"] +
                                         ([] if a.callgraph else ["-g", "none"]),
                                         capture_output=True, text=True)
                    with open(os.path.join(a.out, tag + ".perf.txt"), "w") as f:
                        f.write(rep.stdout)
                    top = [re.sub(r"[\s-]+$", "", ln) for ln in rep.stdout.splitlines() if re.match(r"\s+[\d.]+%", ln)][:a.top]
                    st = attach(["strace", "-c", "-f", "-p", str(srv.pid)])
                    subprocess.run(bench_cmd(srv.port, test, a.strace_requests, pl), capture_output=True,
                                   timeout=600)
                    stxt = detach(st)
                    with open(os.path.join(a.out, tag + ".strace.txt"), "w") as f:
                        f.write(stxt)
                    total, sys_rows = parse_strace(stxt, a.strace_requests)
                    cpu_us = (c1 - c0) * 1e6 / bl.CLK_TCK / a.requests
                    summary.append(f"## {tag}: {b.stdout.strip().splitlines()[-1] if b.stdout.strip() else b.stderr[-200:]}")
                    summary.append(f"server CPU {cpu_us:.2f} µs/op; syscalls per request "
                                   f"{(total or 0) / a.strace_requests:.3f} "
                                   f"({', '.join(f'{nm} {per:.3f}' for nm, _, per in sys_rows)})")
                    summary.append("```")
                    summary.extend(top)
                    summary.append("```")
                    bl.log("\n".join(summary[-(len(top) + 4):]))
        finally:
            srv.stop()
    text = "\n".join(summary) + "\n"
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write(text)
    print(text)
    print(f"(full reports in {a.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
