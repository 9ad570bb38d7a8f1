//! A small RESP2/RESP3 reply reader that returns the raw bytes of one complete reply, plus the
//! normalisations the differential scripts use (sort, shape) and an escaper for messages.

use std::io::{self, BufRead};

/// Reads one complete reply (nested aggregates, attributes and pushes included) and returns its
/// bytes exactly as received. EOF before the first byte is `UnexpectedEof`.
pub fn read_reply(r: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    read_into(r, &mut out)?;
    Ok(out)
}

fn read_line(r: &mut impl BufRead, out: &mut Vec<u8>) -> io::Result<usize> {
    let start = out.len();
    let n = r.read_until(b'\n', out)?;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    if out.len() < start + 3 || out[out.len() - 2] != b'\r' || out[out.len() - 1] != b'\n' {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad reply line {}", escape(&out[start..])),
        ));
    }
    Ok(start)
}

fn header_len(out: &[u8], start: usize) -> io::Result<i64> {
    let text = &out[start + 1..out.len() - 2];
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad length in {}", escape(&out[start..])),
            )
        })
}

fn read_into(r: &mut impl BufRead, out: &mut Vec<u8>) -> io::Result<()> {
    let start = read_line(r, out)?;
    match out[start] {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Ok(()),
        b'$' | b'=' | b'!' => {
            let n = header_len(out, start)?;
            if n < 0 {
                return Ok(());
            }
            let from = out.len();
            out.resize(from + n as usize + 2, 0);
            r.read_exact(&mut out[from..])
        }
        b'*' | b'~' | b'>' => {
            let n = header_len(out, start)?;
            for _ in 0..n.max(0) {
                read_into(r, out)?;
            }
            Ok(())
        }
        b'%' => {
            let n = header_len(out, start)?;
            for _ in 0..n.max(0) * 2 {
                read_into(r, out)?;
            }
            Ok(())
        }
        b'|' => {
            // An attribute map, then the reply it decorates.
            let n = header_len(out, start)?;
            for _ in 0..n.max(0) * 2 {
                read_into(r, out)?;
            }
            read_into(r, out)
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unknown reply type in {}", escape(&out[start..])),
        )),
    }
}

/// Splits a complete aggregate reply into its header line and the raw bytes of each element.
/// Returns `None` for a non-aggregate (or null aggregate) reply.
fn split_aggregate(reply: &[u8]) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let mut cur = io::Cursor::new(reply);
    let mut header = Vec::new();
    cur.read_until(b'\n', &mut header).ok()?;
    let kind = *header.first()?;
    if !matches!(kind, b'*' | b'~' | b'%' | b'>') {
        return None;
    }
    let n: i64 = std::str::from_utf8(&header[1..header.len().saturating_sub(2)])
        .ok()?
        .parse()
        .ok()?;
    let items = if kind == b'%' { n * 2 } else { n };
    let mut elems = Vec::new();
    for _ in 0..items.max(0) {
        elems.push(read_reply(&mut cur).ok()?);
    }
    Some((header, elems))
}

/// The reply with the elements of its top-level aggregate sorted (map entries sorted as pairs).
pub fn sorted(reply: &[u8]) -> Vec<u8> {
    let Some((header, elems)) = split_aggregate(reply) else {
        return reply.to_vec();
    };
    // Nested aggregates are sorted too (SCAN's `[cursor, [keys]]`).
    let elems: Vec<Vec<u8>> = elems.iter().map(|e| sorted(e)).collect();
    let mut out = header.clone();
    if header[0] == b'%' {
        let mut pairs: Vec<Vec<u8>> = elems.chunks(2).map(|p| p.concat()).collect();
        pairs.sort();
        pairs.iter().for_each(|p| out.extend_from_slice(p));
    } else {
        let mut elems = elems;
        elems.sort();
        elems.iter().for_each(|e| out.extend_from_slice(e));
    }
    out
}

/// The structure of a reply: every type byte and aggregate length, no scalar values.
pub fn shape(reply: &[u8]) -> Vec<u8> {
    match split_aggregate(reply) {
        Some((header, elems)) => {
            let mut out = header;
            out.extend_from_slice(b"[");
            for e in &elems {
                out.extend(shape(e));
                out.push(b' ');
            }
            out.extend_from_slice(b"]");
            out
        }
        None => match reply.first() {
            // Null aggregates/bulks keep their "-1" so a nil is distinguished from a value.
            Some(b'*' | b'$') if reply.starts_with(b"*-1") || reply.starts_with(b"$-1") => {
                reply.to_vec()
            }
            Some(&t) => vec![t],
            None => Vec::new(),
        },
    }
}

/// Is this reply an error (simple or blob)?
pub fn is_error(reply: &[u8]) -> bool {
    matches!(reply.first(), Some(b'-' | b'!'))
}

/// Escapes bytes for a one-line human-readable message, in double quotes.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode_command(args: &[Vec<u8>], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Matches `text` against a glob with `*`, `?` and `\` escapes.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob_match(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob_match(rest, &text[1..]),
        Some((b'\\', rest)) if !rest.is_empty() => {
            text.first() == Some(&rest[0]) && glob_match(&rest[1..], &text[1..])
        }
        Some((&c, rest)) => text.first() == Some(&c) && glob_match(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bytes: &[u8]) -> Vec<u8> {
        read_reply(&mut io::Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn reads_nested_resp3_with_attribute() {
        let input =
            b"|1\r\n+a\r\n:1\r\n%2\r\n$1\r\nk\r\n*2\r\n:1\r\n_\r\n+x\r\n~1\r\n,1.5\r\n+NEXT\r\n";
        let r = one(input);
        assert_eq!(r, &input[..input.len() - 7]);
    }

    #[test]
    fn reads_nulls_and_blobs() {
        assert_eq!(one(b"$-1\r\n+x\r\n"), b"$-1\r\n");
        assert_eq!(one(b"*-1\r\n"), b"*-1\r\n");
        assert_eq!(one(b"$3\r\na\r\n\r\n"), b"$3\r\na\r\n\r\n");
        assert_eq!(one(b"=7\r\ntxt:abc\r\n"), b"=7\r\ntxt:abc\r\n");
    }

    #[test]
    fn eof_is_unexpected_eof() {
        let e = read_reply(&mut io::Cursor::new(b"")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn sorts_and_shapes() {
        assert_eq!(
            sorted(b"*2\r\n$1\r\nb\r\n$1\r\na\r\n"),
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
        );
        assert_eq!(
            sorted(b"%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n"),
            b"%2\r\n+a\r\n:2\r\n+b\r\n:1\r\n"
        );
        assert_eq!(
            sorted(b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n"),
            b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
        );
        assert_eq!(shape(b"*2\r\n$2\r\n12\r\n$1\r\n5\r\n"), b"*2\r\n[$ $ ]");
        assert_eq!(shape(b"$-1\r\n"), b"$-1\r\n");
    }

    #[test]
    fn globs() {
        assert!(glob_match(b"$*\r\n*", b"$5\r\nhello\r\n"));
        assert!(!glob_match(b"a?c", b"ac"));
        assert!(glob_match(b"a\\*c", b"a*c"));
    }
}
