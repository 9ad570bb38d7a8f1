"""Shared plumbing for the benchmark scripts in bench/.

Starts servers on free loopback ports in fresh temporary directories, waits for them to answer
PING, reads CPU time and RSS from /proc, and always stops what it started (atexit, SIGTERM,
SIGINT, SIGHUP). Standard library only.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
REAL_REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
HOST = "127.0.0.1"

_LIVE: list["Server"] = []


def _cleanup() -> None:
    for srv in list(_LIVE):
        srv.stop()


def _on_signal(signum, _frame) -> None:
    _cleanup()
    sys.stderr.write(f"\ninterrupted by signal {signum}; servers stopped\n")
    os._exit(128 + signum)


atexit.register(_cleanup)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def free_port() -> int:
    """A currently unused loopback TCP port (never 6379)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port != 6379:
            return port


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ping_once(port: int, timeout: float = 0.5) -> bytes | None:
    """Send PING, return the first reply line (e.g. b'+PONG', b'-LOADING ...') or None."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            buf = b""
            while b"\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    return None
                buf += chunk
            return buf.split(b"\r\n", 1)[0]
    except OSError:
        return None


class Server:
    """One server process (ours or Redis) on a free port in its own fresh directory."""

    def __init__(self, name: str, binary: str, appendonly: str = "no", fsync: str = "everysec",
                 cpu: str | None = None, workdir: str | None = None, extra: list[str] | None = None,
                 keep_dir: bool = False):
        self.name = name
        self.binary = binary
        self.port = free_port()
        self.own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix=f"bench-{name}-", dir=os.environ.get("BENCH_TMP"))
        self.keep_dir = keep_dir
        self.logpath = os.path.join(self.dir, "server.log")
        args = [binary, "--port", str(self.port), "--bind", HOST, "--save", "",
                "--appendonly", appendonly, "--appendfsync", fsync, "--dir", self.dir]
        args += extra or []
        if cpu is not None:
            args = ["taskset", "-c", cpu] + args
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self, wait: float = 30.0, ready: bool = True) -> "Server":
        self._logf = open(self.logpath, "ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdout=self._logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        _LIVE.append(self)
        if ready:
            self.wait_ready(wait)
        return self

    def wait_ready(self, wait: float = 30.0, interval: float = 0.01) -> float:
        """Poll PING until +PONG; returns seconds since start()."""
        deadline = self.started_at + wait
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log:\n{self.tail_log()}")
            if ping_once(self.port) == b"+PONG":
                return time.monotonic() - self.started_at
            time.sleep(interval)
        raise RuntimeError(f"{self.name} did not answer PING within {wait}s; log:\n{self.tail_log()}")

    def tail_log(self, n: int = 20) -> str:
        try:
            with open(self.logpath, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_ticks(self) -> int:
        """utime+stime of the whole process (all threads), in clock ticks."""
        with open(f"/proc/{self.pid}/stat") as f:
            data = f.read()
        fields = data[data.rindex(")") + 2:].split()
        # fields[0] is field 3 (state); utime is field 14, stime field 15.
        return int(fields[11]) + int(fields[12])

    def rss_bytes(self) -> int:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except OSError:
                pass
        if self in _LIVE:
            _LIVE.remove(self)
        if getattr(self, "_logf", None):
            self._logf.close()
            self._logf = None
        if self.own_dir and not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def pipe_commands(port: int, chunks) -> float:
    """Send (payload, n_commands) chunks of pre-encoded RESP over one connection; each chunk's
    n replies are read (counted as newline-terminated single-line replies) before the next chunk
    is sent. Only for commands whose replies are single-line (+OK, :n). Returns seconds."""
    t0 = time.monotonic()
    with socket.create_connection((HOST, port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for chunk, want in chunks:
            s.sendall(chunk)
            got = 0
            prev = b"\n"
            while got < want:
                data = s.recv(1 << 20)
                if not data:
                    raise RuntimeError("server closed the connection while loading")
                if (prev + data).find(b"\n-") >= 0:
                    raise RuntimeError(f"error reply while loading: {data[:200]!r}")
                got += data.count(b"\n")
                prev = data[-1:]
    return time.monotonic() - t0


def resp(*args) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def machine_info() -> dict:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    ver = subprocess.run([REAL_REDIS, "--version"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": model, "mem": mem, "kernel": os.uname().release,
            "redis": ver}
