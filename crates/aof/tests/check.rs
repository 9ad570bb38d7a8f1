use std::path::Path;
use std::process::{Command, Stdio};

use aof::check::{self, Mode};

use crate::util::{copy_dir, redis_bin, resp};

/// Our checker's output and exit code.
fn ours(args: &[&str], cwd: &Path, input: &str) -> (String, i32) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    let prev = std::env::current_dir().unwrap();
    // Paths are given relative to `cwd` so both tools print the same names.
    let abs: Vec<String> = args
        .iter()
        .map(|a| {
            if a.starts_with("--") || a.parse::<i64>().is_ok() {
                a.clone()
            } else {
                cwd.join(a).display().to_string()
            }
        })
        .collect();
    let code = check::main(
        "/usr/bin/redis-check-aof",
        &abs,
        &mut input.as_bytes(),
        &mut out,
    );
    let _ = prev;
    (String::from_utf8(out).unwrap(), code)
}

fn theirs(bin: &Path, args: &[&str], cwd: &Path, input: &str) -> (String, i32) {
    let abs: Vec<String> = args
        .iter()
        .map(|a| {
            if a.starts_with("--") || a.parse::<i64>().is_ok() {
                a.to_string()
            } else {
                cwd.join(a).display().to_string()
            }
        })
        .collect();
    let mut child = Command::new(bin)
        .args(&abs)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Redis prints two bytes of a stale C buffer after a line that ended at EOF.
fn normalise(s: &str) -> String {
    s.lines()
        .map(|l| match l.find("got: 00") {
            Some(i) => format!("{}got: 00..", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs both checkers on separate copies of `files` (written into a dir) and compares output,
/// exit code and the files left behind.
fn same(files: &[(&str, &[u8])], args: &[&str], input: &str) {
    let Some(bin) = redis_bin("redis-check-aof") else {
        return;
    };
    let a = tempfile::tempdir().unwrap();
    for (n, d) in files {
        std::fs::write(a.path().join(n), d).unwrap();
    }
    let b = tempfile::tempdir().unwrap();
    copy_dir(a.path(), b.path());
    let c = tempfile::tempdir().unwrap();
    copy_dir(a.path(), c.path());
    let (o1, c1) = theirs(&bin, args, b.path(), input);
    let (o2, c2) = ours(args, c.path(), input);
    let o1 = normalise(&o1.replace(&b.path().display().to_string(), "DIR"));
    let o2 = normalise(&o2.replace(&c.path().display().to_string(), "DIR"));
    assert_eq!(o2, o1, "\nargs {args:?}\nours:\n{o2}\nredis:\n{o1}");
    assert_eq!(c2, c1, "exit code for {args:?}");
    for (n, _) in files {
        assert_eq!(
            std::fs::read(c.path().join(n)).unwrap(),
            std::fs::read(b.path().join(n)).unwrap(),
            "{n}"
        );
    }
}

fn sample() -> Vec<u8> {
    let mut d = resp(&["SELECT", "0"]);
    d.extend(resp(&["SET", "k", "v"]));
    d.extend(resp(&["MULTI"]));
    d.extend(resp(&["SET", "x", "1"]));
    d.extend(resp(&["EXEC"]));
    d.extend(resp(&["HSET", "h", "field", "a longer value"]));
    d
}

#[test]
fn old_style_every_truncation_and_fix() {
    let d = sample();
    for cut in 0..=d.len() {
        same(&[("a.aof", &d[..cut])], &["a.aof"], "");
    }
    for cut in [5, 30, 60, d.len() - 1] {
        same(&[("a.aof", &d[..cut])], &["--fix", "a.aof"], "y\n");
        same(&[("a.aof", &d[..cut])], &["--fix", "a.aof"], "n\n");
    }
}

#[test]
fn old_style_corruptions() {
    let d = sample();
    for at in [0, 1, 23, 24, 27, 31, 34, 40, 60, 80] {
        for byte in [b'x', b'#', b'\r', b'9'] {
            let mut bad = d.clone();
            bad[at] = byte;
            same(&[("a.aof", &bad)], &["a.aof"], "");
        }
    }
    let mut two_multi = resp(&["MULTI"]);
    two_multi.extend(resp(&["MULTI"]));
    same(&[("a.aof", &two_multi)], &["a.aof"], "");
    same(&[("a.aof", &resp(&["EXEC"]))], &["a.aof"], "");
    same(&[("a.aof", b"")], &["a.aof"], "");
    same(&[("a.aof", b"*1\r\n$-1\r\n")], &["a.aof"], "");
}

#[test]
fn multi_part() {
    let m = "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n";
    let d = sample();
    let base = resp(&["SET", "b", "1"]);
    same(
        &[
            ("m.manifest", m.as_bytes()),
            ("appendonly.aof.1.base.aof", &base),
            ("appendonly.aof.1.incr.aof", &d),
            ("appendonly.aof.2.incr.aof", &d),
        ],
        &["m.manifest"],
        "",
    );
    let cut = &d[..d.len() - 4];
    same(
        &[
            ("m.manifest", m.as_bytes()),
            ("appendonly.aof.1.base.aof", &base),
            ("appendonly.aof.1.incr.aof", cut),
            ("appendonly.aof.2.incr.aof", &d),
        ],
        &["--fix", "m.manifest"],
        "y\n",
    );
    same(
        &[
            ("m.manifest", m.as_bytes()),
            ("appendonly.aof.1.base.aof", &base),
            ("appendonly.aof.1.incr.aof", &d),
            ("appendonly.aof.2.incr.aof", cut),
        ],
        &["--fix", "m.manifest"],
        "y\n",
    );
    same(
        &[
            ("m.manifest", m.as_bytes()),
            ("appendonly.aof.1.base.aof", b""),
            ("appendonly.aof.1.incr.aof", &d),
            ("appendonly.aof.2.incr.aof", b""),
        ],
        &["m.manifest"],
        "",
    );
}

#[test]
fn truncate_to_timestamp() {
    let mut d = b"#TS:100\r\n".to_vec();
    d.extend(resp(&["SELECT", "0"]));
    d.extend(b"#TS:200\r\n");
    d.extend(resp(&["SET", "k", "v"]));
    d.extend(b"#TS:300\r\n");
    d.extend(resp(&["SET", "k", "w"]));
    for ts in ["50", "100", "150", "250", "300", "400"] {
        same(
            &[("a.aof", &d)],
            &["--truncate-to-timestamp", ts, "a.aof"],
            "",
        );
    }
    let m = "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
    same(
        &[
            ("m.manifest", m.as_bytes()),
            ("appendonly.aof.1.base.aof", &resp(&["SET", "b", "1"])),
            ("appendonly.aof.1.incr.aof", &d),
        ],
        &["--truncate-to-timestamp", "150", "m.manifest"],
        "",
    );
}

#[test]
fn usage_and_missing() {
    same(&[], &["--bogus", "x"], "");
    same(&[], &["nope.aof"], "");
    let mut out = Vec::new();
    assert_eq!(
        check::check(
            Path::new("/nonexistent/x.aof"),
            Mode::Check,
            &mut &b""[..],
            &mut out
        ),
        1
    );
}
