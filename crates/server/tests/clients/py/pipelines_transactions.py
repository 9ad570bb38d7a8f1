"""redis-py against the server: pipelines, MULTI/EXEC, WATCH with retries. Usage: ... PORT"""
import sys
import threading

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, protocol=2, decode_responses=True)
r.flushall()

# a non-transactional pipeline of 1000 commands
p = r.pipeline(transaction=False)
for i in range(1000):
    p.set(f"k{i}", i)
for i in range(1000):
    p.get(f"k{i}")
res = p.execute()
assert res[:1000] == [True] * 1000
assert res[1000:] == [str(i) for i in range(1000)]

# errors inside a pipeline are returned in place
p = r.pipeline(transaction=False)
p.set("s", "x").incr("s").get("s")
res = p.execute(raise_on_error=False)
assert res[0] is True and isinstance(res[1], redis.ResponseError) and res[2] == "x", res

# MULTI/EXEC pipeline
p = r.pipeline(transaction=True)
p.set("t", 1).incr("t").incrby("t", 5).get("t").hset("th", "f", "v").hgetall("th")
assert p.execute() == [True, 2, 7, "7", 1, {"f": "v"}]

# a runtime error inside EXEC does not stop the rest
p = r.pipeline(transaction=True)
p.set("t2", "abc").incr("t2").set("t3", "ok")
res = p.execute(raise_on_error=False)
assert res[0] is True and isinstance(res[1], redis.ResponseError) and res[2] is True, res
assert r.get("t3") == "ok"

# EXECABORT: an unknown command while queueing aborts the transaction
p = r.pipeline(transaction=True)
p.set("aborted", 1)
p.execute_command("NOSUCHCOMMAND")
try:
    p.execute()
    raise AssertionError("EXECABORT expected")
except redis.ResponseError as e:
    assert "EXECABORT" in str(e) or "unknown command" in str(e), str(e)
assert r.get("aborted") is None

# WATCH: a concurrent change makes EXEC fail with WatchError
r.set("w", 1)
with r.pipeline() as p:
    p.watch("w")
    r2 = redis.Redis(host="127.0.0.1", port=port, protocol=2)
    r2.set("w", 2)
    p.multi()
    p.set("w", 100)
    try:
        p.execute()
        raise AssertionError("WatchError expected")
    except redis.WatchError:
        pass
assert r.get("w") == "2"

# WATCH retries: concurrent increments through optimistic transactions are never lost
r.set("counter", 0)
THREADS, PER_THREAD = 4, 50
retries = [0]

def bump(pipe):
    v = int(pipe.get("counter"))
    pipe.multi()
    pipe.set("counter", v + 1)

def worker():
    c = redis.Redis(host="127.0.0.1", port=port, protocol=2, decode_responses=True)
    for _ in range(PER_THREAD):
        c.transaction(bump, "counter")

threads = [threading.Thread(target=worker) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert int(r.get("counter")) == THREADS * PER_THREAD, r.get("counter")

# transaction() with a value_from_callable
def read_and_double(pipe):
    v = int(pipe.get("counter"))
    pipe.multi()
    pipe.set("double", v * 2)
    return v * 2

assert r.transaction(read_and_double, "counter", value_from_callable=True) == 2 * THREADS * PER_THREAD
print("pipelines_transactions OK")
