//! Real clients against our server: redis-py scripts, redis-cli, redis-benchmark, and
//! connection-level tests (many clients, clients dying mid-pipeline).

mod binary;
mod cli;
mod connections;
mod hardening;
mod python;
