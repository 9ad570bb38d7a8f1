#!/usr/bin/env python3
"""AOF replay time: how long each server takes to load N SET commands at startup.

Generates a Redis 7 multi-part AOF directory once:
  appendonlydir/appendonly.aof.1.base.aof   SELECT 0, then SET key:<i> v<9 digits> for i in 0..N
  appendonlydir/appendonly.aof.1.incr.aof   empty
  appendonlydir/appendonly.aof.manifest     file ... seq 1 type b / file ... seq 1 type i
then, for each round and each server (alternating which goes first), copies it into a fresh
directory, starts the server with --appendonly yes --dir <copy>, and measures the time from
spawn until PING answers +PONG (Redis answers -LOADING while it loads; we poll every 5 ms),
which is when Redis also logs "Ready to accept connections". Checks DBSIZE == N afterwards.

  OURS=target/release/redis-server bench/replay.sh [--keys 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

BASE = "appendonly.aof.1.base.aof"
INCR = "appendonly.aof.1.incr.aof"
MANIFEST = "appendonly.aof.manifest"


def generate(root: str, n: int) -> int:
    d = os.path.join(root, "appendonlydir")
    os.makedirs(d)
    size = 0
    with open(os.path.join(d, BASE), "wb") as f:
        f.write(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")
        for start in range(0, n, 10_000):
            parts = []
            for i in range(start, min(n, start + 10_000)):
                k = b"key:%d" % i
                parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\nv%09d\r\n" % (len(k), k, i))
            f.write(b"".join(parts))
        size = f.tell()
    open(os.path.join(d, INCR), "wb").close()
    with open(os.path.join(d, MANIFEST), "w") as f:
        f.write(f"file {BASE} seq 1 type b\nfile {INCR} seq 1 type i\n")
    return size


def dbsize(port: int) -> int | None:
    try:
        with socket.create_connection((bl.HOST, port), timeout=10) as s:
            s.sendall(b"*1\r\n$6\r\nDBSIZE\r\n")
            buf = b""
            while b"\r\n" not in buf:
                d = s.recv(4096)
                if not d:
                    return None
                buf += d
        line = buf.split(b"\r\n", 1)[0]
        return int(line[1:]) if line.startswith(b":") else None
    except (OSError, ValueError):
        return None


def one(name, binary, src, tmp, n):
    d = tempfile.mkdtemp(prefix=f"replay-{name}-", dir=tmp)
    shutil.copytree(os.path.join(src, "appendonlydir"), os.path.join(d, "appendonlydir"))
    srv = bl.Server(name, binary, appendonly="yes", fsync="everysec", workdir=d)
    try:
        srv.start(ready=False)
        ping_s = srv.wait_ready(wait=600, interval=0.005)
        size = dbsize(srv.port)
        cpu_s = srv.cpu_ticks() / bl.CLK_TCK
        return dict(ping_s=ping_s, dbsize=size, cpu_s=cpu_s, rss=srv.rss_bytes())
    finally:
        srv.stop()
        shutil.rmtree(d, ignore_errors=True)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ours", default=os.environ.get("OURS"))
    p.add_argument("--redis", default=os.environ.get("REDIS", bl.REAL_REDIS))
    p.add_argument("--keys", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--markdown", help="also write the report here")
    a = p.parse_args(argv)
    if not a.ours:
        p.error("give --ours or OURS=path")

    tmp = tempfile.mkdtemp(prefix="bench-replay-", dir=os.environ.get("BENCH_TMP"))
    try:
        src = os.path.join(tmp, "src")
        os.makedirs(src)
        bl.log(f"generating an AOF of {a.keys:,} SETs")
        size = generate(src, a.keys)
        res = {"ours": [], "redis": []}
        bins = {"ours": a.ours, "redis": a.redis}
        for rnd in range(a.rounds):
            for name in (["ours", "redis"] if rnd % 2 == 0 else ["redis", "ours"]):
                r = one(name, bins[name], src, tmp, a.keys)
                res[name].append(r)
                bl.log(f"   r{rnd} {name:5}: PONG after {r['ping_s']:.3f}s, cpu {r['cpu_s']:.2f}s, "
                       f"dbsize {r['dbsize']}, rss {r['rss'] / 2**20:.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: bl.median([r["ping_s"] for r in v]) for k, v in res.items()}
    cpu = {k: bl.median([r["cpu_s"] for r in v]) for k, v in res.items()}
    ok = {k: all(r["dbsize"] == a.keys for r in v) for k, v in res.items()}
    mi = bl.machine_info()
    out = [f"Machine: {mi['nproc']} CPUs, {mi['cpu']}; reference {mi['redis']}; ours {a.ours}",
           f"AOF: {a.keys:,} SET commands, base file {size / 2**20:.1f} MiB; {a.rounds} rounds, medians", "",
           "| server | time to first PONG s | CPU s at that point | rounds | DBSIZE correct |",
           "|---|---:|---:|---|---|"]
    for name in ("ours", "redis"):
        out.append(f"| {name} | {med[name]:.3f} | {cpu[name]:.2f} | "
                   f"{', '.join('%.3f' % r['ping_s'] for r in res[name])} | {'yes' if ok[name] else 'NO'} |")
    out.append("")
    out.append(f"ratio ours / Redis (time): {med['ours'] / med['redis']:.2f}")
    report = "\n".join(out) + "\n"
    print(report)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
