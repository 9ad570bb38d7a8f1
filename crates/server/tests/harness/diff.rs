//! Runs a differential script against the real redis-server and ours and compares every reply.

use super::resp::{self, escape};
use super::script::{self, Action, Mods, Step};
use super::servers::{self, ServerProc};
use std::collections::HashMap;
use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

struct Conn {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

/// One server and its connections.
struct Side {
    srv: ServerProc,
    conns: HashMap<usize, Conn>,
    current: usize,
}

const CLOSED: &[u8] = b"<closed>";
const TIMEOUT: &[u8] = b"<timeout>";

impl Side {
    fn new(srv: ServerProc) -> Self {
        Side {
            srv,
            conns: HashMap::new(),
            current: 1,
        }
    }

    fn conn(&mut self) -> Option<&mut Conn> {
        if !self.conns.contains_key(&self.current) {
            let s = self.srv.connect().ok()?;
            let r = BufReader::new(s.try_clone().ok()?);
            self.conns.insert(self.current, Conn { w: s, r });
        }
        self.conns.get_mut(&self.current)
    }

    fn send(&mut self, bytes: &[u8]) {
        if let Some(c) = self.conn() {
            // A write error means the server closed the connection: the read will tell.
            let _ = c.w.write_all(bytes);
        }
    }

    fn read(&mut self) -> Vec<u8> {
        let Some(c) = self.conn() else {
            return b"<connect failed>".to_vec();
        };
        match resp::read_reply(&mut c.r) {
            Ok(b) => b,
            Err(e) => match e.kind() {
                ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe => {
                    CLOSED.to_vec()
                }
                ErrorKind::WouldBlock | ErrorKind::TimedOut => TIMEOUT.to_vec(),
                _ => format!("<read error: {e}>").into_bytes(),
            },
        }
    }

    /// "closed", "open" or "data ..." after waiting up to `wait`.
    fn state(&mut self, wait: Duration) -> String {
        let Some(c) = self.conn() else {
            return "connect failed".into();
        };
        if !c.r.buffer().is_empty() {
            return format!("data {}", escape(c.r.buffer()));
        }
        let _ = c.w.set_read_timeout(Some(wait));
        let mut buf = [0u8; 256];
        let state = match c.r.get_mut().read(&mut buf) {
            Ok(0) => "closed".to_string(),
            Ok(n) => format!("data {}", escape(&buf[..n])),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                "open".to_string()
            }
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset) => "closed".to_string(),
            Err(e) => format!("error {e}"),
        };
        let _ = c.w.set_read_timeout(Some(Duration::from_secs(5)));
        state
    }
}

fn cmd_text(args: &[Vec<u8>]) -> String {
    args.iter()
        .map(|a| {
            if a.len() > 100 {
                format!("{}...({} bytes)", escape(&a[..60]), a.len())
            } else {
                escape(a)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn clip(s: String) -> String {
    if s.len() > 3000 {
        let mut end = 3000;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}... ({} chars)", &s[..end], s.len())
    } else {
        s
    }
}

/// Compares per the modifiers; `Err(why)` on a mismatch.
fn compare(m: &Mods, real: &[u8], ours: &[u8]) -> Result<(), &'static str> {
    if real == TIMEOUT {
        return Err(
            "redis did not reply within 5 s: the script waits for a reply that never comes",
        );
    }
    if m.ignore {
        return Ok(());
    }
    if real == CLOSED || ours == CLOSED || ours == TIMEOUT {
        return if real == ours {
            Ok(())
        } else {
            Err("different")
        };
    }
    if m.error {
        return if resp::is_error(real) && resp::is_error(ours) {
            Ok(())
        } else {
            Err("not both errors")
        };
    }
    if let Some(needle) = &m.contains {
        let has = |h: &[u8]| {
            h.windows(needle.len().max(1))
                .any(|w| w == needle.as_slice())
        };
        return match (has(real), has(ours)) {
            (true, true) => Ok(()),
            (false, _) => Err("redis's reply lacks the !contains text (script bug?)"),
            _ => Err("our reply lacks the !contains text"),
        };
    }
    if let Some(g) = &m.glob {
        return match (resp::glob_match(g, real), resp::glob_match(g, ours)) {
            (true, true) => Ok(()),
            (false, _) => Err("redis's reply does not match the !match glob (script bug?)"),
            _ => Err("our reply does not match the !match glob"),
        };
    }
    if m.type_only {
        return if real.first() == ours.first() {
            Ok(())
        } else {
            Err("different types")
        };
    }
    let (a, b) = if m.sort {
        (resp::sorted(real), resp::sorted(ours))
    } else {
        (real.to_vec(), ours.to_vec())
    };
    let (a, b) = if m.shape {
        (resp::shape(&a), resp::shape(&b))
    } else {
        (a, b)
    };
    if a == b {
        Ok(())
    } else if m.shape {
        Err("different shapes")
    } else if m.sort {
        Err("different (after sorting)")
    } else {
        Err("different")
    }
}

struct Run {
    name: String,
    sides: [Side; 2],
    failures: Vec<String>,
    verbose: bool,
}

impl Run {
    fn check(&mut self, line: usize, what: &str, m: &Mods, real: &[u8], ours: &[u8]) {
        let r = compare(m, real, ours);
        if self.verbose || r.is_err() {
            let msg = format!(
                "{}:{line}: {what}{}\n    redis: {}\n    ours : {}",
                self.name,
                match r {
                    Ok(()) => String::new(),
                    Err(why) => format!("   <-- {why}"),
                },
                clip(escape(real)),
                clip(escape(ours))
            );
            if r.is_err() {
                self.failures.push(msg);
            } else {
                eprintln!("{msg}");
            }
        }
    }

    fn exec(&mut self, step: &Step) {
        match &step.action {
            Action::Cmd(m, args) => {
                let mut buf = Vec::new();
                resp::encode_command(args, &mut buf);
                let mut got = Vec::new();
                for s in &mut self.sides {
                    s.send(&buf);
                    got.push(if m.noreply { Vec::new() } else { s.read() });
                }
                if !m.noreply {
                    self.check(step.line, &cmd_text(args), m, &got[0], &got[1]);
                }
            }
            Action::Raw(m, n, bytes) => {
                let mut got: Vec<Vec<Vec<u8>>> = Vec::new();
                for s in &mut self.sides {
                    s.send(bytes);
                    got.push((0..*n).map(|_| s.read()).collect());
                }
                for (i, (real, ours)) in got[0].iter().zip(&got[1]).enumerate() {
                    let what = format!("!raw {} (reply {})", clip(escape(bytes)), i + 1);
                    self.check(step.line, &what, m, real, ours);
                }
            }
            Action::Pipeline(inner) => {
                let mut buf = Vec::new();
                for st in inner {
                    if let Action::Cmd(_, args) = &st.action {
                        resp::encode_command(args, &mut buf);
                    }
                }
                let mut got: Vec<Vec<Vec<u8>>> = Vec::new();
                for s in &mut self.sides {
                    s.send(&buf);
                    let mut replies = Vec::new();
                    for st in inner {
                        if let Action::Cmd(m, _) = &st.action {
                            replies.push(if m.noreply { Vec::new() } else { s.read() });
                        }
                    }
                    got.push(replies);
                }
                for (i, st) in inner.iter().enumerate() {
                    if let Action::Cmd(m, args) = &st.action {
                        if !m.noreply {
                            let what = format!("(pipelined) {}", cmd_text(args));
                            self.check(st.line, &what, m, &got[0][i], &got[1][i]);
                        }
                    }
                }
            }
            Action::Conn(n) => self.sides.iter_mut().for_each(|s| s.current = *n),
            Action::Reconnect => self.sides.iter_mut().for_each(|s| {
                s.conns.remove(&s.current);
            }),
            Action::Resp3 => {
                for s in &mut self.sides {
                    s.send(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
                    s.read();
                }
            }
            Action::Closed | Action::Open => {
                let (want, wait) = if matches!(step.action, Action::Closed) {
                    ("closed", Duration::from_secs(2))
                } else {
                    ("open", Duration::from_millis(200))
                };
                let states: Vec<String> = self.sides.iter_mut().map(|s| s.state(wait)).collect();
                if states.iter().any(|s| s != want) {
                    self.failures.push(format!(
                        "{}:{}: expected the connection {want}\n    redis: {}\n    ours : {}",
                        self.name, step.line, states[0], states[1]
                    ));
                }
            }
            Action::SleepMs(ms) => std::thread::sleep(Duration::from_millis(*ms)),
        }
    }
}

/// Runs `tests/diff/<family>/<name>.txt`; panics with every mismatch (at most 8).
pub fn run_file(family: &str, name: &str) {
    let rel = format!("tests/diff/{family}/{name}.txt");
    let path = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let steps = script::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    if servers::skip_without_real_redis(&rel) {
        return;
    }
    let real = servers::start_real(&[]).expect("real redis-server");
    let ours = servers::start_ours(&[]);
    let mut run = Run {
        name: rel.clone(),
        sides: [Side::new(real), Side::new(ours)],
        failures: Vec::new(),
        verbose: std::env::var_os("DIFF_VERBOSE").is_some(),
    };
    // Both servers are fresh; FLUSHALL is belt and braces (and must not mask a script's
    // failures on a server still lacking FLUSHALL: its reply is not checked on ours).
    for s in &mut run.sides {
        s.send(b"*1\r\n$8\r\nFLUSHALL\r\n");
        let r = s.read();
        if s.srv.label == "redis" && r != b"+OK\r\n" {
            panic!("{rel}: FLUSHALL on real redis failed: {}", escape(&r));
        }
    }
    for step in &steps {
        run.exec(step);
        if run.failures.len() >= 8 {
            run.failures.push("... stopping after 8 mismatches".into());
            break;
        }
    }
    if !run.failures.is_empty() {
        let ours_log = run.sides[1].srv.log();
        let crashed = run.sides[1].srv.exited();
        panic!(
            "\n{} mismatch(es) in {rel}:\n{}\n{}",
            run.failures.len(),
            run.failures.join("\n"),
            match crashed {
                Some(st) => format!("OUR SERVER EXITED ({st}); log tail:\n{ours_log}"),
                None => String::new(),
            }
        );
    }
}
