#!/usr/bin/env python3
"""Writers for the SIGKILL test of docker/test.sh (standard library only).

    crash_writer.py write --port P --out acked.json [--threads 4]
        Each thread opens a connection and runs SET crash:<t>:<i> <i> for i = 0, 1, 2, ... one
        at a time, until the connection breaks (the container was killed) or SIGTERM. Then writes
        {"<t>": <number of SETs acknowledged with +OK>} to --out.

    crash_writer.py verify --port P --acked acked.json
        Every acknowledged SET must be there after the restart: GET crash:<t>:<i> == i for all
        i < acked[t]. Exit status 1 (and the first misses) otherwise.

The password, if any, comes from REDISCLI_AUTH, as for redis-cli.
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.f = self.sock.makefile("rb")
        password = os.environ.get("REDISCLI_AUTH")
        if password:
            reply = self.call("AUTH", password)
            if reply != b"+OK":
                raise RuntimeError("AUTH failed: %r" % reply)

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        line = line[:-2]
        if line[:1] == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            data = self.f.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("connection closed")
            return data[:-2]
        if line[:1] == b"*":
            return [self.read() for _ in range(int(line[1:]))]
        return line


def write(args):
    stop = threading.Event()
    acked = {}

    def run(t):
        count = 0
        try:
            conn = Conn(args.port)
            while not stop.is_set():
                if conn.call("SET", "crash:%d:%d" % (t, count), count) != b"+OK":
                    break
                count += 1
        except (OSError, ConnectionError, RuntimeError):
            pass
        acked[str(t)] = count

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threads = [threading.Thread(target=run, args=(t,)) for t in range(args.threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with open(args.out, "w") as f:
        json.dump(acked, f)
    print("acknowledged SETs per connection: %s (total %d)"
          % (acked, sum(acked.values())))


def verify(args):
    with open(args.acked) as f:
        acked = json.load(f)
    conn = Conn(args.port)
    missing = []
    for t, count in acked.items():
        for start in range(0, count, 500):
            keys = ["crash:%s:%d" % (t, i) for i in range(start, min(count, start + 500))]
            values = conn.call("MGET", *keys)
            for k, v in zip(keys, values):
                if v != k.rsplit(":", 1)[1].encode():
                    missing.append((k, v))
    total = sum(acked.values())
    if missing:
        print("LOST %d of %d acknowledged writes, e.g. %r" % (len(missing), total, missing[:5]))
        return 1
    print("all %d acknowledged writes survived SIGKILL" % total)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--threads", type=int, default=4)
    v = sub.add_parser("verify")
    v.add_argument("--port", type=int, required=True)
    v.add_argument("--acked", required=True)
    args = ap.parse_args()
    return write(args) if args.cmd == "write" else verify(args)


if __name__ == "__main__":
    sys.exit(main())
