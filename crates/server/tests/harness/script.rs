//! The differential script format (see /work/notes/DIFF_HARNESS.md and `tests/diff/`).

/// How a reply is compared.
#[derive(Debug, Clone, Default)]
pub struct Mods {
    /// Sort the elements of the top-level aggregate.
    pub sort: bool,
    /// Read the reply, compare nothing.
    pub ignore: bool,
    /// Compare only types and aggregate lengths.
    pub shape: bool,
    /// Compare only the first byte.
    pub type_only: bool,
    /// Both must be errors.
    pub error: bool,
    /// Do not read a reply.
    pub noreply: bool,
    /// Both must contain this.
    pub contains: Option<Vec<u8>>,
    /// Both must match this glob.
    pub glob: Option<Vec<u8>>,
}

/// One line of a script.
#[derive(Debug, Clone)]
pub enum Action {
    /// A command sent as a RESP array.
    Cmd(Mods, Vec<Vec<u8>>),
    /// Raw bytes and the number of replies to read.
    Raw(Mods, usize, Vec<u8>),
    /// Commands sent in one write.
    Pipeline(Vec<Step>),
    /// Switch connection.
    Conn(usize),
    /// Reopen the current connection.
    Reconnect,
    /// HELLO 3 on the current connection.
    Resp3,
    /// The server must have closed the current connection.
    Closed,
    /// The current connection must still be open.
    Open,
    /// Sleep this many milliseconds.
    SleepMs(u64),
}

/// An action with its 1-based line number.
#[derive(Debug, Clone)]
pub struct Step {
    /// Line in the script file.
    pub line: usize,
    /// What to do.
    pub action: Action,
}

/// Splits a line into arguments as redis-cli does (`sdssplitargs`).
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut args = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Ok(args);
        }
        let mut cur = Vec::new();
        if b[i] == b'"' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err("unbalanced double quotes".into()),
                    Some(b'\\') => {
                        let c = *b.get(i + 1).ok_or("dangling backslash")?;
                        i += 2;
                        match c {
                            b'n' => cur.push(b'\n'),
                            b'r' => cur.push(b'\r'),
                            b't' => cur.push(b'\t'),
                            b'b' => cur.push(8),
                            b'a' => cur.push(7),
                            b'x' => {
                                let hex = line.get(i..i + 2).ok_or("bad \\x escape")?;
                                cur.push(
                                    u8::from_str_radix(hex, 16).map_err(|_| "bad \\x escape")?,
                                );
                                i += 2;
                            }
                            other => cur.push(other),
                        }
                    }
                    Some(b'"') => {
                        i += 1;
                        if i < b.len() && !b[i].is_ascii_whitespace() {
                            return Err("closing quote must be followed by a space".into());
                        }
                        break;
                    }
                    Some(&c) => {
                        cur.push(c);
                        i += 1;
                    }
                }
            }
        } else if b[i] == b'\'' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err("unbalanced single quotes".into()),
                    Some(b'\\') if b.get(i + 1) == Some(&b'\'') => {
                        cur.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        if i < b.len() && !b[i].is_ascii_whitespace() {
                            return Err("closing quote must be followed by a space".into());
                        }
                        break;
                    }
                    Some(&c) => {
                        cur.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                cur.push(b[i]);
                i += 1;
            }
            if let Some(spec) = cur.strip_prefix(b"@repeat:") {
                cur = expand_repeat(spec)?;
            }
        }
        args.push(cur);
    }
}

/// `@repeat:N:chunk` (an unquoted argument) is `chunk` repeated N times, for large values;
/// the chunk may use the escapes of double-quoted strings (`@repeat:3:a\r\n`).
fn expand_repeat(spec: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(spec).map_err(|_| "bad @repeat")?;
    let (n, chunk) = text.split_once(':').ok_or("@repeat:N:chunk expected")?;
    let n: usize = n
        .parse()
        .map_err(|_| "@repeat:N:chunk: N is not a number")?;
    // The chunk takes the escapes of double-quoted strings (no spaces: it is one word).
    let quoted = split_args(&format!("\"{chunk}\""))?;
    Ok(quoted.concat().repeat(n))
}

fn parse_line(line: &str, lineno: usize) -> Result<Action, String> {
    let mut args = split_args(line)?;
    let mut mods = Mods::default();
    let mut i = 0;
    // Modifiers first.
    while i < args.len() {
        match args[i].as_slice() {
            b"!sort" => mods.sort = true,
            b"!ignore" => mods.ignore = true,
            b"!shape" => mods.shape = true,
            b"!type" => mods.type_only = true,
            b"!error" => mods.error = true,
            b"!noreply" => mods.noreply = true,
            b"!contains" => {
                i += 1;
                mods.contains = Some(args.get(i).ok_or("!contains needs a value")?.clone());
            }
            b"!match" => {
                i += 1;
                mods.glob = Some(args.get(i).ok_or("!match needs a value")?.clone());
            }
            _ => break,
        }
        i += 1;
    }
    let rest = args.split_off(i);
    let Some(first) = rest.first() else {
        return Err("modifiers without a command".into());
    };
    let num = |idx: usize| -> Result<u64, String> {
        rest.get(idx)
            .and_then(|a| std::str::from_utf8(a).ok())
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("line {lineno}: expected a number"))
    };
    let plain = |a: Action| {
        if rest.len() > 2 {
            Err(format!("line {lineno}: too many arguments"))
        } else {
            Ok(a)
        }
    };
    match first.as_slice() {
        b"!conn" => plain(Action::Conn(num(1)? as usize)),
        b"!sleep-ms" => plain(Action::SleepMs(num(1)?)),
        b"!reconnect" => plain(Action::Reconnect),
        b"!resp3" => plain(Action::Resp3),
        b"!closed" => plain(Action::Closed),
        b"!open" => plain(Action::Open),
        b"!raw" => Ok(Action::Raw(mods, num(1)? as usize, rest[2..].concat())),
        d if d.starts_with(b"!") => Err(format!(
            "line {lineno}: unknown directive {}",
            String::from_utf8_lossy(d)
        )),
        _ => Ok(Action::Cmd(mods, rest)),
    }
}

/// Parses a whole script.
pub fn parse(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut pipeline: Option<(usize, Vec<Step>)> = None;
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t == "!pipeline" {
            if pipeline.is_some() {
                return Err(format!("line {line}: nested !pipeline"));
            }
            pipeline = Some((line, Vec::new()));
            continue;
        }
        if t == "!end" {
            let (start, inner) = pipeline
                .take()
                .ok_or_else(|| format!("line {line}: !end without !pipeline"))?;
            steps.push(Step {
                line: start,
                action: Action::Pipeline(inner),
            });
            continue;
        }
        let action = parse_line(t, line).map_err(|e| format!("line {line}: {e}"))?;
        match &mut pipeline {
            Some((_, inner)) => match action {
                Action::Cmd(..) => inner.push(Step { line, action }),
                _ => return Err(format!("line {line}: only commands inside !pipeline")),
            },
            None => steps.push(Step { line, action }),
        }
    }
    if let Some((start, _)) = pipeline {
        return Err(format!("line {start}: !pipeline without !end"));
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_redis_cli() {
        let a = split_args(r#"SET "a b" 'c\'d' "\x41\r\n" x"y"#).unwrap();
        assert_eq!(
            a,
            vec![
                b"SET".to_vec(),
                b"a b".to_vec(),
                b"c'd".to_vec(),
                b"A\r\n".to_vec(),
                b"x\"y".to_vec()
            ]
        );
        assert!(split_args(r#"GET "a"b"#).is_err());
        assert_eq!(split_args("SET k @repeat:3:ab").unwrap()[2], b"ababab");
        assert_eq!(
            split_args(r"SET k @repeat:2:a\r\n").unwrap()[2],
            b"a\r\na\r\n"
        );
        assert!(split_args(r#"GET "ab"#).is_err());
    }

    #[test]
    fn parses_directives() {
        let s = parse("# c\n!sort KEYS *\n!pipeline\nPING\n!ignore TIME\n!end\n!raw 2 \"PING\\r\\n\" \"PING\\r\\n\"\n!conn 2\n").unwrap();
        assert_eq!(s.len(), 4);
        assert!(matches!(&s[0].action, Action::Cmd(m, a) if m.sort && a.len() == 2));
        assert!(matches!(&s[1].action, Action::Pipeline(v) if v.len() == 2));
        assert!(matches!(&s[2].action, Action::Raw(_, 2, b) if b == b"PING\r\nPING\r\n"));
        assert!(matches!(&s[3].action, Action::Conn(2)));
        assert!(parse("!bogus").is_err());
        assert!(parse("!pipeline\nPING").is_err());
    }
}
