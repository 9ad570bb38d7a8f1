"""redis-py against the server: strings, hashes, keys and expiry. Usage: strings_hashes.py PORT"""
import sys
import time

import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), protocol=2, decode_responses=True)
r.flushall()

# strings
assert r.ping() is True
assert r.set("s", "hello") is True
assert r.get("s") == "hello"
assert r.get("missing") is None
assert r.append("s", " world") == 11
assert r.strlen("s") == 11
assert r.getrange("s", 0, 4) == "hello"
assert r.setrange("s", 6, "WORLD") == 11
assert r.get("s") == "hello WORLD"
assert r.set("s", "x", nx=True) is None
assert r.set("s", "x", xx=True) is True
assert r.set("s", "y", get=True) == "x"
assert r.getset("s", "z") == "y"
assert r.getdel("s") == "z"
assert r.exists("s") == 0
assert r.incr("n") == 1
assert r.incrby("n", 10) == 11
assert r.decr("n") == 10
assert r.decrby("n", 5) == 5
assert abs(r.incrbyfloat("f", 1.5) - 1.5) < 1e-9
assert r.get("f") == "1.5"
assert r.incrbyfloat("f", 0.1) == 1.6
assert r.mset({"a": "1", "b": "2", "c": "3"}) is True
assert r.mget("a", "b", "nope", "c") == ["1", "2", None, "3"]
assert r.msetnx({"a": "9", "new": "1"}) is False
assert r.get("new") is None
assert r.setnx("new", "1") is True
r.set("s2", "notanumber")
try:
    r.incr("s2")
    raise AssertionError("INCR on a non-number must fail")
except redis.ResponseError as e:
    assert str(e) == "value is not an integer or out of range", str(e)

# binary values and keys
rb = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), protocol=2)
blob = bytes(range(256)) * 40
assert rb.set(b"\x00bin\xff", blob) is True
assert rb.get(b"\x00bin\xff") == blob
assert rb.strlen(b"\x00bin\xff") == len(blob)

# hashes
assert r.hset("h", mapping={"f1": "v1", "f2": "v2", "n": "5"}) == 3
assert r.hset("h", "f1", "v1b") == 0
assert r.hget("h", "f1") == "v1b"
assert r.hget("h", "nope") is None
assert r.hgetall("h") == {"f1": "v1b", "f2": "v2", "n": "5"}
assert r.hgetall("nohash") == {}
assert sorted(r.hkeys("h")) == ["f1", "f2", "n"]
assert sorted(r.hvals("h")) == ["5", "v1b", "v2"]
assert r.hlen("h") == 3
assert r.hexists("h", "f2") is True
assert r.hexists("h", "zz") is False
assert r.hmget("h", ["f1", "zz", "n"]) == ["v1b", None, "5"]
assert r.hincrby("h", "n", 10) == 15
assert r.hincrbyfloat("h", "n", 0.5) == 15.5
assert r.hsetnx("h", "f1", "x") == 0
assert r.hsetnx("h", "f3", "x") == 1
assert r.hstrlen("h", "f3") == 1
assert r.hdel("h", "f1", "f2", "nope") == 2
assert r.hlen("h") == 2
assert r.hrandfield("h") in ("n", "f3")
assert len(r.hrandfield("h", 5)) == 2
fields = dict(r.hscan_iter("h"))
assert fields == {"n": "15.5", "f3": "x"}, fields
try:
    r.hget("a", "f")
    raise AssertionError("HGET on a string must fail")
except redis.ResponseError as e:
    assert str(e).startswith("WRONGTYPE"), str(e)

# keys and expiry
assert r.type("h") == "hash"
assert r.type("a") == "string"
assert r.type("missing") == "none"
assert r.expire("a", 100) is True
assert 98 <= r.ttl("a") <= 100
assert r.persist("a") is True
assert r.ttl("a") == -1
assert r.ttl("missing") == -2
assert r.set("tmp", "1", px=100) is True
time.sleep(0.25)
assert r.get("tmp") is None
assert r.rename("b", "b2") is True
assert r.get("b2") == "2"
assert r.delete("b2", "c", "missing") == 2
expected = {b"a", b"f", b"h", b"n", b"new", b"s2", b"\x00bin\xff"}
assert set(rb.keys("*")) == expected, rb.keys("*")
assert set(rb.scan_iter(match="*", count=2)) == expected
assert set(rb.keys("?")) == {b"a", b"f", b"h", b"n"}
assert r.dbsize() == len(expected)
print("strings_hashes OK")
