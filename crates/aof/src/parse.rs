//! A strict parser for the AOF's RESP command arrays, over a byte slice.
//!
//! The loader, the checker and the benchmarks share it. It works on a slice and says how many
//! bytes one command (or annotation line) takes, so a caller reading a file in chunks knows the
//! exact byte offset of every command, and of the first bad byte.

/// Longest `*<n>` / `$<n>` header line accepted (digits and CRLF): more is garbage.
const MAX_HEADER: usize = 24;

/// The result of parsing at the start of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A complete command of `len` bytes; its arguments' ranges were pushed to `args`.
    Command { len: usize },
    /// A `#...\n` annotation line of `len` bytes (such as `#TS:<unix-seconds>`).
    Annotation { len: usize },
    /// The slice ends inside a command: more bytes are needed (or, at EOF, it was truncated).
    Incomplete,
    /// The slice ends inside an annotation line.
    IncompleteAnnotation,
    /// Not an AOF command: the first bad byte is at offset `at` of the slice.
    Bad { at: usize },
}

/// Reads `<prefix><digits>\r\n` at `buf[pos..]`; returns the number and the position after it.
#[inline]
fn header(buf: &[u8], pos: usize, prefix: u8) -> Result<(u64, usize), Step> {
    match buf.get(pos) {
        None => return Err(Step::Incomplete),
        Some(&b) if b != prefix => return Err(Step::Bad { at: pos }),
        _ => {}
    }
    let mut n: u64 = 0;
    let mut i = pos + 1;
    loop {
        let Some(&b) = buf.get(i) else {
            return Err(Step::Incomplete);
        };
        match b {
            b'0'..=b'9' if i - pos < MAX_HEADER => {
                // A length past u64 is bad, not a wrap (found by the aof_loader fuzz target).
                n = match n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(b - b'0')))
                {
                    Some(n) => n,
                    None => return Err(Step::Bad { at: i }),
                };
            }
            b'\r' if i > pos + 1 => {
                return match buf.get(i + 1) {
                    None => Err(Step::Incomplete),
                    Some(b'\n') => Ok((n, i + 2)),
                    Some(_) => Err(Step::Bad { at: i + 1 }),
                };
            }
            _ => return Err(Step::Bad { at: i }),
        }
        i += 1;
    }
}

/// Parses one command (or annotation) at the start of `buf`, pushing `(start, end)` ranges of
/// its arguments to `args` (cleared first).
#[inline]
pub(crate) fn parse(buf: &[u8], args: &mut Vec<(usize, usize)>) -> Step {
    args.clear();
    if buf.first() == Some(&b'#') {
        return match memchr_nl(buf) {
            Some(i) => Step::Annotation { len: i + 1 },
            None => Step::IncompleteAnnotation,
        };
    }
    let (argc, mut pos) = match header(buf, 0, b'*') {
        Ok(v) => v,
        Err(s) => return s,
    };
    if argc == 0 {
        return Step::Bad { at: 1 };
    }
    for _ in 0..argc {
        let (len, start) = match header(buf, pos, b'$') {
            Ok(v) => v,
            Err(s) => return s,
        };
        let Ok(len) = usize::try_from(len) else {
            return Step::Bad { at: pos };
        };
        let end = start.saturating_add(len);
        if buf.len() < end.saturating_add(2) {
            return Step::Incomplete;
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Step::Bad {
                at: if buf[end] == b'\r' { end + 1 } else { end },
            };
        }
        args.push((start, end));
        pos = end + 2;
    }
    Step::Command { len: pos }
}

fn memchr_nl(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SET: &[u8] = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n";

    #[test]
    fn complete_command() {
        let mut a = Vec::new();
        assert_eq!(parse(SET, &mut a), Step::Command { len: SET.len() });
        assert_eq!(a, vec![(8, 11), (17, 18), (24, 26)]);
    }

    #[test]
    fn every_prefix_is_incomplete() {
        let mut a = Vec::new();
        for n in 0..SET.len() {
            assert_eq!(parse(&SET[..n], &mut a), Step::Incomplete, "prefix {n}");
        }
    }

    #[test]
    fn bad_bytes_are_located() {
        let mut a = Vec::new();
        assert_eq!(parse(b"x3\r\n", &mut a), Step::Bad { at: 0 });
        assert_eq!(parse(b"*3\r\n#3\r\n", &mut a), Step::Bad { at: 4 });
        assert_eq!(parse(b"*0\r\n", &mut a), Step::Bad { at: 1 });
        assert_eq!(parse(b"*\r\n", &mut a), Step::Bad { at: 1 });
        assert_eq!(parse(b"*1\r\n$1\r\nab\r\n", &mut a), Step::Bad { at: 9 });
        assert_eq!(parse(b"*1x\r\n", &mut a), Step::Bad { at: 2 });
    }

    /// Regression (aof_loader fuzz target): 20 digits overflowed u64 (a panic in debug builds).
    #[test]
    fn huge_lengths_are_bad_not_wrapped() {
        let mut a = Vec::new();
        assert_eq!(
            parse(b"*99999999999999999999\r\n", &mut a),
            Step::Bad { at: 20 }
        );
        assert_eq!(
            parse(b"*1\r\n$99999999999999999999\r\n", &mut a),
            Step::Bad { at: 24 }
        );
    }

    #[test]
    fn annotations() {
        let mut a = Vec::new();
        assert_eq!(parse(b"#TS:123\r\n*1", &mut a), Step::Annotation { len: 9 });
        assert_eq!(parse(b"#TS:12", &mut a), Step::IncompleteAnnotation);
    }
}
