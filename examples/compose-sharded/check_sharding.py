#!/usr/bin/env python3
"""Write N keys through twemproxy, then check that each key is on exactly one shard and that
every key reads back through the proxy with its value.

    check_sharding.py --proxy 22121 --shards 7001,7002,7003 [--keys 10000]

Only the standard library: a minimal RESP client, pipelined in batches. Exit status 0 when all
checks pass; each failure is printed.
"""

import argparse
import socket
import sys


class Conn:
    """A blocking RESP2 connection to 127.0.0.1:port."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by peer")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by peer")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected reply %r" % line)

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))
        return [self.reply() for _ in commands]

    def call(self, *args):
        return self.pipeline([args])[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", type=int, required=True)
    ap.add_argument("--shards", required=True, help="comma-separated host ports of the shards")
    ap.add_argument("--keys", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=200)
    args = ap.parse_args()
    shard_ports = [int(p) for p in args.shards.split(",")]
    failures = []

    def fail(msg):
        failures.append(msg)
        print("FAIL:", msg)

    keys = [b"user:%d" % i for i in range(args.keys)]
    value = {k: b"value-of-" + k for k in keys}

    shards = [Conn(p) for p in shard_ports]
    for s in shards:
        if s.call("DBSIZE") != 0:
            fail("shard on port %d is not empty before the test" % s.sock.getpeername()[1])

    proxy = Conn(args.proxy)
    for i in range(0, len(keys), args.batch):
        batch = keys[i:i + args.batch]
        for k, r in zip(batch, proxy.pipeline([("SET", k, value[k]) for k in batch])):
            if r != "OK":
                fail("SET %s through the proxy replied %r" % (k.decode(), r))

    # Where did each key land? KEYS on every shard (10,000 keys: one reply each).
    location = {}
    for port, s in zip(shard_ports, shards):
        size = s.call("DBSIZE")
        listed = s.call("KEYS", "*")
        if isinstance(listed, Exception):
            fail("KEYS on shard %d: %s" % (port, listed))
            continue
        print("shard on port %d: DBSIZE %s, %d keys listed" % (port, size, len(listed)))
        if size != len(listed):
            fail("shard %d: DBSIZE %s but KEYS lists %d" % (port, size, len(listed)))
        if len(listed) < args.keys // (4 * len(shards)):
            fail("shard %d got only %d keys: not sharded evenly" % (port, len(listed)))
        for k in listed:
            location.setdefault(k, []).append(port)
    missing = [k for k in keys if k not in location]
    doubled = [k for k, where in location.items() if len(where) != 1]
    stray = [k for k in location if k not in value]
    if missing:
        fail("%d keys on no shard, e.g. %r" % (len(missing), missing[:3]))
    if doubled:
        fail("%d keys on more than one shard, e.g. %r" % (len(doubled), doubled[:3]))
    if stray:
        fail("%d unexpected keys on the shards, e.g. %r" % (len(stray), stray[:3]))

    # Each key's value is on its shard, and reads back through the proxy (GET and MGET, which
    # twemproxy splits across shards).
    by_port = {}
    for k in keys:
        if k in location and len(location[k]) == 1:
            by_port.setdefault(location[k][0], []).append(k)
    for port, s in zip(shard_ports, shards):
        mine = by_port.get(port, [])
        for i in range(0, len(mine), args.batch):
            batch = mine[i:i + args.batch]
            for k, r in zip(batch, s.pipeline([("GET", k) for k in batch])):
                if r != value[k]:
                    fail("shard %d: GET %s = %r" % (port, k.decode(), r))
    for i in range(0, len(keys), args.batch):
        batch = keys[i:i + args.batch]
        for k, r in zip(batch, proxy.pipeline([("GET", k) for k in batch])):
            if r != value[k]:
                fail("proxy: GET %s = %r" % (k.decode(), r))
        got = proxy.call("MGET", *batch)
        if got != [value[k] for k in batch]:
            fail("proxy: MGET of keys %d..%d differs" % (i, i + len(batch) - 1))

    if failures:
        print("%d failures" % len(failures))
        return 1
    print("OK: %d keys written through the proxy, each on exactly one of %d shards (%s), all "
          "read back" % (len(keys), len(shards),
                         ", ".join(str(len(by_port.get(p, []))) for p in shard_ports)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
