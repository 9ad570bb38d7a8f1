#!/usr/bin/env python3
"""Memory per key: RSS of our redis-server and a real one after loading the same data.

Scenarios (each in a fresh server, appendonly no):
  strings: SET key:<i> <10-byte value> for i in 0..N (default 1,000,000)
  hashes:  HSET hash:<i> f0 <10-byte value> ... f9 <10-byte value> for i in 0..M (default 100,000)

Values are "v" plus 9 digits: not integers, so Redis cannot store them as shared/int-encoded.
The data is sent over raw sockets, pipelined in batches of 10,000 commands. RSS is VmRSS from
/proc/PID/status, read after a short settle. Reported: baseline (empty server) RSS, loaded RSS,
bytes per key gross (RSS / keys) and net ((RSS - baseline) / keys), ratio ours / Redis of net.

  bench/memory.sh                          # builds nothing; needs OURS=path or --ours
  python3 bench/memory.py --ours target/release/redis-server --strings 1000000 --hashes 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

BATCH = 10_000


def value(i: int) -> bytes:
    return b"v%09d" % (i % 1_000_000_000)


def string_chunks(n: int):
    for start in range(0, n, BATCH):
        end = min(n, start + BATCH)
        parts = []
        for i in range(start, end):
            k = b"key:%d" % i
            parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\n%s\r\n" % (len(k), k, value(i)))
        yield b"".join(parts), end - start


def hash_chunks(n: int, fields: int = 10):
    per = max(1, BATCH // fields)
    for start in range(0, n, per):
        end = min(n, start + per)
        parts = []
        for i in range(start, end):
            k = b"hash:%d" % i
            args = [b"HSET", k]
            for f in range(fields):
                args += [b"f%d" % f, value(i * fields + f)]
            parts.append(bl.resp(*args))
        yield b"".join(parts), end - start


def info_used_memory(port: int) -> int | None:
    import socket
    try:
        with socket.create_connection((bl.HOST, port), timeout=5) as s:
            s.sendall(bl.resp(b"INFO", b"memory"))
            buf = b""
            s.settimeout(2)
            while True:
                d = s.recv(65536)
                if not d:
                    break
                buf += d
                if buf.startswith(b"$"):
                    hdr, _, rest = buf.partition(b"\r\n")
                    if len(rest) >= int(hdr[1:]) + 2 or int(hdr[1:]) < 0:
                        break
                else:
                    break
        for line in buf.split(b"\r\n"):
            if line.startswith(b"used_memory:"):
                return int(line.split(b":")[1])
    except (OSError, ValueError):
        pass
    return None


def measure(name, binary, chunks, count, settle):
    srv = bl.Server(name, binary, appendonly="no").start()
    try:
        time.sleep(settle)
        base = srv.rss_bytes()
        secs = bl.pipe_commands(srv.port, chunks)
        time.sleep(settle)
        rss = srv.rss_bytes()
        used = info_used_memory(srv.port)
        return dict(base=base, rss=rss, used=used, load_s=secs, count=count)
    finally:
        srv.stop()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ours", default=os.environ.get("OURS"))
    p.add_argument("--redis", default=os.environ.get("REDIS", bl.REAL_REDIS))
    p.add_argument("--strings", type=int, default=1_000_000, help="number of string keys (0: skip)")
    p.add_argument("--hashes", type=int, default=100_000, help="number of 10-field hashes (0: skip)")
    p.add_argument("--settle", type=float, default=1.0, help="seconds to wait before reading RSS")
    p.add_argument("--markdown", help="also write the report here")
    a = p.parse_args(argv)
    if not a.ours:
        p.error("give --ours or OURS=path")

    scenarios = []
    if a.strings:
        bl.log(f"encoding {a.strings:,} SET commands")
        scenarios.append((f"{a.strings:,} strings (10-byte values)", list(string_chunks(a.strings)), a.strings))
    if a.hashes:
        bl.log(f"encoding {a.hashes:,} HSET commands of 10 fields")
        scenarios.append((f"{a.hashes:,} hashes x 10 fields", list(hash_chunks(a.hashes)), a.hashes))

    rows = []
    for title, chunks, count in scenarios:
        res = {}
        for name, binary in (("ours", a.ours), ("redis", a.redis)):
            bl.log(f"{title}: loading into {name}")
            res[name] = measure(name, binary, chunks, count, a.settle)
            r = res[name]
            bl.log(f"   base {r['base'] / 2**20:.1f} MiB, loaded {r['rss'] / 2**20:.1f} MiB, "
                   f"load {r['load_s']:.1f}s, used_memory {r['used']}")
        rows.append((title, res))

    mi = bl.machine_info()
    out = [f"Machine: {mi['nproc']} CPUs, {mi['cpu']}; reference {mi['redis']}; ours {a.ours}", "",
           "| data | server | empty RSS MiB | loaded RSS MiB | bytes/key gross | bytes/key net | "
           "net ratio ours/Redis | used_memory bytes/key | load s |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for title, res in rows:
        net = {k: (v["rss"] - v["base"]) / v["count"] for k, v in res.items()}
        for name in ("ours", "redis"):
            v = res[name]
            used = "-" if v["used"] is None else f"{v['used'] / v['count']:.0f}"
            rat = f"{net['ours'] / net['redis']:.2f}" if name == "ours" and net["redis"] > 0 else ""
            out.append(f"| {title} | {name} | {v['base'] / 2**20:.1f} | {v['rss'] / 2**20:.1f} | "
                       f"{v['rss'] / v['count']:.0f} | {net[name]:.0f} | {rat} | {used} | {v['load_s']:.1f} |")
    report = "\n".join(out) + "\n"
    print(report)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
