//! redis-py scripts (`tests/clients/py/*.py PORT`) against our server. SKIPPED loudly when
//! python3 or redis-py is missing (scripts/test.sh installs redis-py).

use crate::harness::{process, servers};
use std::process::Command;
use std::time::Duration;

fn redis_py() -> Option<std::path::PathBuf> {
    let Some(py) = servers::tool("python3") else {
        eprintln!("!!!!! SKIPPED python client tests: python3 not installed !!!!!");
        return None;
    };
    let probe = process::run(
        Command::new(&py).args(["-c", "import redis"]),
        b"",
        Duration::from_secs(30),
    );
    if !probe.success() {
        eprintln!(
            "!!!!! SKIPPED python client tests: redis-py not installed (pip install redis) !!!!!"
        );
        return None;
    }
    Some(py)
}

fn run_script(name: &str) {
    let Some(py) = redis_py() else { return };
    let srv = servers::start_ours(&[]);
    let script = format!("{}/tests/clients/py/{name}.py", env!("CARGO_MANIFEST_DIR"));
    let out = process::run(
        Command::new(py).arg(&script).arg(srv.port.to_string()),
        b"",
        Duration::from_secs(60),
    );
    assert!(
        out.success(),
        "{name}.py failed against our server\n{}\n--- server log ---\n{}",
        out.describe(),
        srv.log()
    );
    assert!(
        out.stdout.contains(&format!("{name} OK")),
        "{}",
        out.describe()
    );
}

/// Strings, binary values, hashes, keys, expiry (RESP2).
#[test]
fn strings_hashes() {
    run_script("strings_hashes");
}

/// Pipelines, MULTI/EXEC, EXECABORT, WATCH with concurrent retries (RESP2).
#[test]
fn pipelines_transactions() {
    run_script("pipelines_transactions");
}

/// `protocol=3`: maps, nulls, HELLO, CONFIG GET, INFO.
#[test]
fn resp3() {
    run_script("resp3");
}
