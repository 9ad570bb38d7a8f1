//! redis-cli against both servers (same invocations, outputs compared) and redis-benchmark
//! against ours (any error fails).

use crate::harness::{process, servers};
use std::process::Command;
use std::time::Duration;

/// Both servers and the redis-cli path, or `None` (after a loud message) when a tool is missing.
fn setup(what: &str) -> Option<(std::path::PathBuf, servers::ServerProc, servers::ServerProc)> {
    let Some(cli) = servers::tool("redis-cli") else {
        eprintln!(
            "!!!!! SKIPPED {what}: redis-cli not installed (apt-get install redis-tools) !!!!!"
        );
        return None;
    };
    if servers::skip_without_real_redis(what) {
        return None;
    }
    let real = servers::start_real(&[])?;
    let ours = servers::start_ours(&[]);
    Some((cli, real, ours))
}

fn cli(bin: &std::path::Path, port: u16, args: &[&str], stdin: &[u8]) -> process::Output {
    process::run(
        Command::new(bin)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args),
        stdin,
        Duration::from_secs(30),
    )
}

/// Runs the same invocation on both and compares status and stdout (lines sorted if asked).
fn same(
    bin: &std::path::Path,
    real: &servers::ServerProc,
    ours: &servers::ServerProc,
    args: &[&str],
    stdin: &[u8],
    sort_lines: bool,
) -> String {
    let a = cli(bin, real.port, args, stdin);
    let b = cli(bin, ours.port, args, stdin);
    let norm = |s: &str| {
        let mut lines: Vec<&str> = s.lines().collect();
        if sort_lines {
            lines.sort();
        }
        lines.join("\n")
    };
    assert_eq!(
        (a.status.map(|s| s.code()), norm(&a.stdout)),
        (b.status.map(|s| s.code()), norm(&b.stdout)),
        "redis-cli {args:?} differs (left: real redis, right: ours)\n--- real ---\n{}\n--- ours ---\n{}",
        a.describe(),
        b.describe()
    );
    b.stdout
}

/// Commands given as arguments, raw (non-tty) and `--no-raw` output, RESP3, `-n`, `-r`, `-x`.
#[test]
fn redis_cli_commands() {
    let Some((bin, real, ours)) = setup("redis-cli tests") else {
        return;
    };
    let cases: &[(&[&str], bool)] = &[
        (&["PING"], false),
        (&["SET", "a", "hello"], false),
        (&["GET", "a"], false),
        (&["GET", "missing"], false),
        (&["INCR", "n"], false),
        (&["INCRBY", "n", "x"], false),
        (&["HSET", "h", "f1", "v1", "f2", "v2"], false),
        (&["HGETALL", "h"], false),
        (&["MGET", "a", "missing", "n"], false),
        (&["ECHO", "x y"], false),
        (&["FOO", "bar"], false),
        (&["TYPE", "h"], false),
        (&["--no-raw", "HGETALL", "h"], false),
        (&["--no-raw", "MGET", "a", "missing", "n"], false),
        (&["--no-raw", "GET", "missing"], false),
        (&["--no-raw", "INCR", "n"], false),
        (&["--no-raw", "HGET", "a", "f"], false),
        (&["-3", "HGETALL", "h"], false),
        (&["-3", "--no-raw", "HGETALL", "h"], false),
        (&["-3", "--no-raw", "GET", "missing"], false),
        (&["-n", "1", "SET", "x", "1"], false),
        (&["-n", "1", "DBSIZE"], false),
        (&["DBSIZE"], false),
        (&["-r", "3", "INCR", "rep"], false),
        (&["KEYS", "*"], true),
        (&["--scan"], true),
        (&["--scan", "--pattern", "h*"], true),
        (&["DEL", "a", "h"], false),
        (&["EXISTS", "a", "h", "n"], false),
    ];
    for (args, sort) in cases {
        same(&bin, &real, &ours, args, b"", *sort);
    }
    same(
        &bin,
        &real,
        &ours,
        &["-x", "SET", "fromstdin"],
        b"piped value\n",
        false,
    );
    let got = same(&bin, &real, &ours, &["GET", "fromstdin"], b"", false);
    assert_eq!(got, "piped value\n\n");
}

/// Commands read from stdin, one per line, as redis-cli does when not on a terminal.
#[test]
fn redis_cli_stdin_lines() {
    let Some((bin, real, ours)) = setup("redis-cli stdin tests") else {
        return;
    };
    let input = b"SET x 1\nINCR x\nGET x\nHSET h a 1 b \"two words\"\nHGETALL h\nNOSUCH cmd\nGET\nPING\nSELECT 2\nGET x\n";
    let out = same(&bin, &real, &ours, &[], input, false);
    assert!(out.contains("two words"), "{out}");
}

/// `--pipe`: a mass insert of 2,000 RESP commands, summary line compared, then the data.
#[test]
fn redis_cli_pipe() {
    let Some((bin, real, ours)) = setup("redis-cli --pipe test") else {
        return;
    };
    let mut input = Vec::new();
    for i in 0..2000 {
        let (k, v) = (format!("key:{i}"), format!("value-{i}"));
        input.extend_from_slice(
            format!(
                "*3\r\n$3\r\nSET\r\n${}\r\n{k}\r\n${}\r\n{v}\r\n",
                k.len(),
                v.len()
            )
            .as_bytes(),
        );
    }
    input.extend_from_slice(b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n");
    let out = same(&bin, &real, &ours, &["--pipe"], &input, false);
    assert!(out.contains("errors: 0, replies: 2001"), "{out}");
    assert_eq!(same(&bin, &real, &ours, &["DBSIZE"], b"", false), "2001\n");
    assert_eq!(
        same(&bin, &real, &ours, &["GET", "key:1234"], b"", false),
        "value-1234\n"
    );
    // A pipe with errors in it reports them.
    let bad =
        b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*1\r\n$3\r\nFOO\r\n*2\r\n$4\r\nINCR\r\n$5\r\nkey:1\r\n";
    let out = same(&bin, &real, &ours, &["--pipe"], bad, false);
    assert!(out.contains("errors: 2, replies: 3"), "{out}");
}

/// redis-benchmark -q -n 10000 -t set,get,incr,hset,mset -P 16 against ours: no errors.
#[test]
fn redis_benchmark() {
    let Some(bench) = servers::tool("redis-benchmark") else {
        eprintln!("!!!!! SKIPPED redis-benchmark test: redis-benchmark not installed !!!!!");
        return;
    };
    let ours = servers::start_ours(&[]);
    let out = process::run(
        Command::new(bench).args([
            "-h",
            "127.0.0.1",
            "-p",
            &ours.port.to_string(),
            "-q",
            "-n",
            "10000",
            "-t",
            "set,get,incr,hset,mset",
            "-P",
            "16",
        ]),
        b"",
        Duration::from_secs(90),
    );
    let text = format!("{}\n{}", out.stdout, out.stderr);
    let lines: Vec<&str> = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let bad: Vec<&&str> = lines
        .iter()
        .filter(|l| {
            let low = l.to_ascii_lowercase();
            low.contains("error") || low.contains("err ") || low.contains("warning")
        })
        .collect();
    assert!(
        out.success() && bad.is_empty(),
        "redis-benchmark failed:\n{}\nbad lines: {bad:?}",
        out.describe()
    );
    for test in ["SET", "GET", "INCR", "HSET", "MSET (10 keys)"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{test}: ")) && l.contains("requests per second")),
            "no result line for {test}:\n{}",
            out.describe()
        );
    }
}
