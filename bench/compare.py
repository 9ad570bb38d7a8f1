#!/usr/bin/env python3
"""Throughput, latency and server CPU per operation: our redis-server against a real one.

Both servers run with the same settings on free loopback ports, each in a fresh temporary
directory, and `redis-benchmark --csv` runs against each in turn (alternating which goes first),
several rounds; the table reports medians over rounds and ratios ours / Redis.

CPU per operation is utime+stime of the server process (all threads) from /proc/PID/stat, read
just before and just after each redis-benchmark run, divided by the number of requests. MSET
counts as one operation (of 10 keys). Resolution is one clock tick (usually 10 ms) per run.

Usually run through bench/compare.sh, which builds the release binary first.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

CSV_NAMES = {"set": "SET", "get": "GET", "incr": "INCR", "hset": "HSET", "mset": "MSET (10 keys)",
             "ping": "PING_MBULK", "lpush": "LPUSH"}

PRESETS = {
    # ~2 minutes on a 2-core machine
    "quick": dict(tests="set,get,incr,hset,mset", aof="no,everysec", pipelines="1,16",
                  modes="pinned", rounds=3, requests=50_000, requests_pipelined=200_000),
    # ~15-25 minutes
    "full": dict(tests="set,get,incr,hset,mset", aof="no,everysec,always", pipelines="1,16",
                 modes="pinned,unpinned", rounds=5, requests=200_000, requests_pipelined=1_000_000),
}

AOF_SETTINGS = {"no": ("no", "everysec"), "everysec": ("yes", "everysec"), "always": ("yes", "always")}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=sorted(PRESETS), default="quick",
                   help="defaults for the options below (default: quick)")
    p.add_argument("--ours", default=os.environ.get("OURS"), help="our redis-server binary (env OURS)")
    p.add_argument("--redis", default=os.environ.get("REDIS", bl.REAL_REDIS), help="real redis-server (env REDIS)")
    p.add_argument("--tests", help="comma list of: " + ",".join(CSV_NAMES))
    p.add_argument("--aof", help="comma list of: no,everysec,always")
    p.add_argument("--pipelines", help="comma list of -P values, e.g. 1,16")
    p.add_argument("--modes", help="comma list of: pinned,unpinned")
    p.add_argument("--rounds", type=int)
    p.add_argument("--requests", type=int, help="-n for -P 1")
    p.add_argument("--requests-pipelined", type=int, help="-n for -P > 1")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--keyspace", type=int, default=100_000, help="-r")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="stop starting new runs after this long (default: 600 quick, 3600 full)")
    p.add_argument("--json", help="write raw results here")
    p.add_argument("--markdown", help="also write the report here")
    a = p.parse_args(argv)
    for k, v in PRESETS[a.preset].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if a.max_seconds is None:
        a.max_seconds = 600 if a.preset == "quick" else 3600
    if not a.ours:
        p.error("give --ours or OURS=path")
    a.tests = a.tests.split(",")
    a.aof = a.aof.split(",")
    a.pipelines = [int(x) for x in a.pipelines.split(",")]
    a.modes = a.modes.split(",")
    for t in a.tests:
        if t not in CSV_NAMES:
            p.error(f"unknown test {t}")
    for m in a.aof:
        if m not in AOF_SETTINGS:
            p.error(f"unknown aof mode {m}")
    for m in a.modes:
        if m not in ("pinned", "unpinned"):
            p.error(f"unknown mode {m}")
    return a


def run_benchmark(port, test, n, clients, pipeline, keyspace, pinned, timeout):
    cmd = ["redis-benchmark", "-h", bl.HOST, "-p", str(port), "-t", test, "-n", str(n),
           "-c", str(clients), "-P", str(pipeline), "-r", str(keyspace), "--csv"]
    if pinned:
        cmd = ["taskset", "-c", "1"] + cmd
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout}s"
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    want = CSV_NAMES[test]
    for row in rows:
        if row.get("test") == want:
            try:
                return {k: float(row[k]) for k in ("rps", "avg_latency_ms", "p50_latency_ms",
                                                    "p95_latency_ms", "p99_latency_ms", "max_latency_ms")}, None
            except (KeyError, ValueError):
                break
    err = (r.stderr.strip() or r.stdout.strip())[-300:]
    return None, f"rc={r.returncode}: {err}"


def fmt_int(x):
    return "-" if x is None else f"{x:,.0f}"


def fmt_f(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def main(argv):
    a = parse_args(argv)
    t_start = time.monotonic()
    a.load_start = os.getloadavg()
    deadline = t_start + a.max_seconds
    results = []  # dicts
    errors = []
    servers = {"ours": a.ours, "redis": a.redis}
    stopped_early = False

    for aof in a.aof:
        appendonly, fsync = AOF_SETTINGS[aof]
        for mode in a.modes:
            pinned = mode == "pinned"
            if time.monotonic() > deadline:
                stopped_early = True
                break
            live = {}
            try:
                for name, binary in servers.items():
                    live[name] = bl.Server(name, binary, appendonly=appendonly, fsync=fsync,
                                           cpu="0" if pinned else None).start()
                bl.log(f"== aof={aof} mode={mode}: ours pid {live['ours'].pid} port {live['ours'].port}, "
                       f"redis pid {live['redis'].pid} port {live['redis'].port}")
                # warm-up: fill part of the keyspace so GET mostly hits, touch code paths
                for name in servers:
                    run_benchmark(live[name].port, "set", min(a.keyspace, 20_000), a.clients, 16,
                                  a.keyspace, pinned, 120)
                for pl in a.pipelines:
                    n = a.requests if pl == 1 else a.requests_pipelined
                    for rnd in range(a.rounds):
                        for ti, test in enumerate(a.tests):
                            if time.monotonic() > deadline:
                                stopped_early = True
                                break
                            order = ["ours", "redis"] if (rnd + ti) % 2 == 0 else ["redis", "ours"]
                            for name in order:
                                srv = live[name]
                                c0 = srv.cpu_ticks()
                                w0 = time.monotonic()
                                res, err = run_benchmark(srv.port, test, n, a.clients, pl, a.keyspace,
                                                         pinned, timeout=max(60, n / 2000))
                                wall = time.monotonic() - w0
                                if srv.proc.poll() is not None:
                                    raise RuntimeError(f"{name} died during {test}: {srv.tail_log()}")
                                c1 = srv.cpu_ticks()
                                rec = dict(server=name, aof=aof, mode=mode, pipeline=pl, test=test,
                                           round=rnd, n=n, wall_s=wall,
                                           cpu_us_per_op=(c1 - c0) * 1e6 / bl.CLK_TCK / n)
                                if res is None:
                                    rec["error"] = err
                                    errors.append(f"{name} {test} aof={aof} {mode} -P {pl}: {err}")
                                    bl.log(f"   {name:5} {test:5} -P {pl:<2} r{rnd}: ERROR {err}")
                                else:
                                    rec.update(res)
                                    bl.log(f"   {name:5} {test:5} -P {pl:<2} r{rnd}: {res['rps']:>10,.0f} ops/s "
                                           f"p50 {res['p50_latency_ms']:.3f} p99 {res['p99_latency_ms']:.3f} ms "
                                           f"cpu {rec['cpu_us_per_op']:.2f} us/op")
                                results.append(rec)
            finally:
                for srv in live.values():
                    srv.stop()

    report = render(a, results, errors, stopped_early, time.monotonic() - t_start, argv)
    print(report)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(report)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(args=vars(a), machine=bl.machine_info(), results=results), f, indent=1)
    return 0


def render(a, results, errors, stopped_early, elapsed, argv):
    mi = bl.machine_info()
    out = []
    out.append(f"Machine: {mi['nproc']} CPUs, {mi['cpu']}, {mi['mem']} RAM, kernel {mi['kernel']}")
    out.append(f"Reference: {mi['redis']}")
    out.append(f"Ours: {a.ours}")
    out.append(f"Run: compare.py {' '.join(shlex.quote(x) for x in argv)}  "
               f"(rounds={a.rounds}, -c {a.clients}, -r {a.keyspace}, -n {a.requests} at -P 1, "
               f"-n {a.requests_pipelined} at -P>1; {elapsed:.0f}s)")
    la = os.getloadavg()
    out.append(f"Load average (1/5/15 min) at start {' '.join('%.1f' % x for x in a.load_start)}, "
               f"at end {' '.join('%.1f' % x for x in la)} (2 CPUs: above ~2 means other work competed)")
    if stopped_early:
        out.append("**Stopped early at --max-seconds: some configurations are missing.**")
    out.append("")
    out.append("Medians over rounds. ratio = ours / Redis (ops/s: higher is better; CPU: lower is better). "
               "Latencies in ms (p50/p99); at -P > 1 they time only the first reply of each batch.")
    groups = []
    for r in results:
        g = (r["aof"], r["mode"])
        if g not in groups:
            groups.append(g)
    for aof, mode in groups:
        out.append("")
        out.append(f"### appendonly {aof if aof == 'no' else 'yes, appendfsync ' + aof}, {mode}")
        out.append("")
        out.append("| test | -P | ours ops/s | redis ops/s | ratio | ours p50/p99 | redis p50/p99 "
                   "| ours CPU µs/op | redis CPU µs/op | CPU ratio |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for pl in a.pipelines:
            for test in a.tests:
                m = {}
                for name in ("ours", "redis"):
                    rs = [r for r in results if r["aof"] == aof and r["mode"] == mode and r["pipeline"] == pl
                          and r["test"] == test and r["server"] == name and "rps" in r]
                    m[name] = dict(rps=bl.median([r["rps"] for r in rs]),
                                   p50=bl.median([r["p50_latency_ms"] for r in rs]),
                                   p99=bl.median([r["p99_latency_ms"] for r in rs]),
                                   cpu=bl.median([r["cpu_us_per_op"] for r in rs]), k=len(rs))
                if m["ours"]["k"] == 0 and m["redis"]["k"] == 0:
                    continue
                o, r_ = m["ours"], m["redis"]
                out.append(f"| {CSV_NAMES[test]} | {pl} | {fmt_int(o['rps'])} | {fmt_int(r_['rps'])} "
                           f"| {fmt_f(ratio(o['rps'], r_['rps']))} "
                           f"| {fmt_f(o['p50'], 3)}/{fmt_f(o['p99'], 3)} | {fmt_f(r_['p50'], 3)}/{fmt_f(r_['p99'], 3)} "
                           f"| {fmt_f(o['cpu'])} | {fmt_f(r_['cpu'])} | {fmt_f(ratio(o['cpu'], r_['cpu']))} |")
    if errors:
        out.append("")
        out.append("Errors:")
        for e in errors[:30]:
            out.append(f"- {e}")
        if len(errors) > 30:
            out.append(f"- ... and {len(errors) - 30} more")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
