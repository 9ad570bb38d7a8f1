"""redis-py with protocol=3 against the server. Usage: resp3.py PORT"""
import sys

import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), protocol=3, decode_responses=True)
r.flushall()
hello = r.execute_command("HELLO", "3")
assert hello["proto"] == 3 and hello["server"] == "redis" and hello["version"] == "7.0.15", hello
assert r.get("missing") is None
assert r.set("k", "v") is True and r.get("k") == "v"
assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
assert r.hgetall("h") == {"a": "1", "b": "2"}
assert r.hgetall("none") == {}
assert r.hmget("h", ["a", "x"]) == ["1", None]
assert r.incrbyfloat("f", 2.5) == 2.5
cfg = r.config_get("maxmemory")
assert cfg == {"maxmemory": "0"}, cfg
assert r.mget("k", "missing") == ["v", None]
pairs = r.hrandfield("h", 2, withvalues=True)
assert sorted(pairs) in (["1", "2", "a", "b"], [["a", "1"], ["b", "2"]]) or len(pairs) in (2, 4), pairs
p = r.pipeline(transaction=True)
p.set("x", 1).get("x").hgetall("h")
assert p.execute() == [True, "1", {"a": "1", "b": "2"}]
info = r.info("server")
assert info["redis_version"] == "7.0.15", info.get("redis_version")
assert isinstance(r.client_info(), dict)
print("resp3 OK")
