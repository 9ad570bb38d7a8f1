#!/usr/bin/env python3
"""Regenerates crates/server/src/commands/meta.rs: the COMMAND INFO facts we take from Redis
itself (ACL categories, tips, key specs) for every command and subcommand our table has.

Usage: python3 scripts/gen_command_meta.py OUR_PORT REDIS_PORT
Both servers must be running: ours gives the command names, a real redis-server 7.0 the facts
(Redis keeps the same data in src/commands/*.json). Flags and arity stay in our table: they
decide behaviour.
"""
import subprocess
import sys

import redis


def pairs(flat):
    if isinstance(flat, dict):  # a RESP3 map
        return {(k.decode() if isinstance(k, bytes) else k): v for k, v in flat.items()}
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


def rs(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def strs(items):
    return "&[" + ", ".join(rs(i.decode() if isinstance(i, bytes) else i) for i in items) + "]"


def key_spec(ks):
    d = pairs(ks)
    notes = d.get("notes", b"").decode()
    bs = pairs(d["begin_search"])
    bspec = pairs(bs["spec"])
    if bs["type"] == b"index":
        begin = f"Begin::Index({bspec['index']})"
    else:  # keyword / unknown: add a variant to keyspec.rs when a command needs it
        raise SystemExit(f"unsupported begin_search {bs['type']}")
    fk = pairs(d["find_keys"])
    fspec = pairs(fk["spec"])
    if fk["type"] == b"range":
        find = f"Find::Range({fspec['lastkey']}, {fspec['keystep']}, {fspec['limit']})"
    else:  # keynum / unknown: add a variant to keyspec.rs when a command needs it
        raise SystemExit(f"unsupported find_keys {fk['type']}")
    return (f"KeySpec {{ notes: {rs(notes)}, flags: {strs(d['flags'])}, "
            f"begin: {begin}, find: {find} }}")


def entry(info):
    name = info[0].decode()
    cats, tips, specs = info[6], info[7], info[8]
    body = ", ".join(key_spec(k) for k in specs)
    return (f"    Meta {{ name: {rs(name)}, categories: {strs(cats)}, tips: {strs(tips)}, "
            f"keys: &[{body}] }},")


def main():
    ours = redis.Redis(port=int(sys.argv[1]), protocol=2)
    real = redis.Redis(port=int(sys.argv[2]), protocol=2)
    for r in (ours, real):
        r.response_callbacks.clear()  # raw replies, not redis-py's COMMAND parsing
    names = []
    for cmd in ours.execute_command("COMMAND"):
        names.append(cmd[0].decode())
        names += [s[0].decode() for s in cmd[9]]
    lines = []
    for n in sorted(names):
        info = real.execute_command("COMMAND", "INFO", n)[0]
        if info is None:
            print(f"not in Redis: {n}", file=sys.stderr)
            continue
        lines.append(entry(info))
    out = [
        "//! COMMAND INFO facts taken from Redis 7.0 (ACL categories, tips, key specs), generated",
        "//! by `scripts/gen_command_meta.py` from a real redis-server: do not edit by hand.",
        "",
        "use super::keyspec::{Begin, Find, KeySpec, Meta};",
        "",
        "/// One entry per command and subcommand, sorted by name.",
        "pub(crate) const META: &[Meta] = &[",
        *lines,
        "];",
        "",
    ]
    path = "crates/server/src/commands/meta.rs"
    with open(path, "w") as f:
        f.write("\n".join(out))
    subprocess.run(["rustfmt", "--edition", "2021", path], check=True)


if __name__ == "__main__":
    main()
