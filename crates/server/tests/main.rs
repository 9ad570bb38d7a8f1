//! Integration tests of the server, one binary (ripgrep style):
//! - `diff`: differential scripts run against the real redis-server and ours, byte for byte;
//! - `clients`: real clients (redis-py, redis-cli, redis-benchmark) and connection stress;
//! - `eviction`: maxmemory and its policies through the server (CONFIG SET, INFO, the AOF);
//! - `persistence`: the AOF through our binary: SIGKILL cycles, rewrites, damage, interop;
//! - `harness`: the machinery (server processes, RESP reply reader, script format).

mod clients;
mod diff;
mod eviction;
mod harness;
mod persistence;
