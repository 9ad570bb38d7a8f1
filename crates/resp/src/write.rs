//! Reply writers: append one RESP element to a caller's `BytesMut`, with no heap allocation of
//! their own (integers are formatted with `itoa` on the stack).
//!
//! Functions whose encoding depends on the protocol version take a [`Protocol`]: RESP2 has no
//! map, set, double, boolean or null type, so those fall back to what Redis sends a RESP2 client.

use bytes::{BufMut, BytesMut};

use crate::Protocol;

const CRLF: &[u8] = b"\r\n";

#[inline]
fn prefixed_len(buf: &mut BytesMut, prefix: u8, n: i64) {
    let mut fmt = itoa::Buffer::new();
    let digits = fmt.format(n).as_bytes();
    buf.reserve(digits.len() + 3);
    buf.put_u8(prefix);
    buf.put_slice(digits);
    buf.put_slice(CRLF);
}

/// `+{s}\r\n`. `s` must not contain CR or LF.
#[inline]
pub fn simple(buf: &mut BytesMut, s: &[u8]) {
    buf.reserve(s.len() + 3);
    buf.put_u8(b'+');
    buf.put_slice(s);
    buf.put_slice(CRLF);
}

/// `+OK\r\n`
#[inline]
pub fn ok(buf: &mut BytesMut) {
    buf.put_slice(b"+OK\r\n");
}

/// `-{msg}\r\n`: `msg` is the whole line after `-`, code included (`ERR syntax error`).
#[inline]
pub fn error(buf: &mut BytesMut, msg: &[u8]) {
    buf.reserve(msg.len() + 3);
    buf.put_u8(b'-');
    buf.put_slice(msg);
    buf.put_slice(CRLF);
}

/// `:{n}\r\n`
#[inline]
pub fn integer(buf: &mut BytesMut, n: i64) {
    prefixed_len(buf, b':', n);
}

/// `${len}\r\n{data}\r\n`
#[inline]
pub fn bulk(buf: &mut BytesMut, data: &[u8]) {
    prefixed_len(buf, b'$', data.len() as i64);
    buf.reserve(data.len() + 2);
    buf.put_slice(data);
    buf.put_slice(CRLF);
}

/// An integer sent as a bulk string (`$2\r\n42\r\n`), as INCRBYFLOAT-style replies are.
#[inline]
pub fn bulk_integer(buf: &mut BytesMut, n: i64) {
    let mut fmt = itoa::Buffer::new();
    bulk(buf, fmt.format(n).as_bytes());
}

/// The null bulk string: `$-1\r\n` (RESP2) or `_\r\n` (RESP3).
#[inline]
pub fn null(buf: &mut BytesMut, proto: Protocol) {
    match proto {
        Protocol::Resp2 => buf.put_slice(b"$-1\r\n"),
        Protocol::Resp3 => buf.put_slice(b"_\r\n"),
    }
}

/// The null array: `*-1\r\n` (RESP2) or `_\r\n` (RESP3).
#[inline]
pub fn null_array(buf: &mut BytesMut, proto: Protocol) {
    match proto {
        Protocol::Resp2 => buf.put_slice(b"*-1\r\n"),
        Protocol::Resp3 => buf.put_slice(b"_\r\n"),
    }
}

/// `*{n}\r\n`: the header of an array of `n` elements, which the caller writes next.
#[inline]
pub fn array_len(buf: &mut BytesMut, n: usize) {
    prefixed_len(buf, b'*', n as i64);
}

/// The header of a map of `n` pairs: `%{n}` in RESP3, `*{2n}` (flat array) in RESP2.
#[inline]
pub fn map_len(buf: &mut BytesMut, n: usize, proto: Protocol) {
    match proto {
        Protocol::Resp2 => prefixed_len(buf, b'*', 2 * n as i64),
        Protocol::Resp3 => prefixed_len(buf, b'%', n as i64),
    }
}

/// The header of a set of `n` elements: `~{n}` in RESP3, `*{n}` in RESP2.
#[inline]
pub fn set_len(buf: &mut BytesMut, n: usize, proto: Protocol) {
    match proto {
        Protocol::Resp2 => prefixed_len(buf, b'*', n as i64),
        Protocol::Resp3 => prefixed_len(buf, b'~', n as i64),
    }
}

/// The header of a push of `n` elements: `>{n}` in RESP3, `*{n}` in RESP2.
#[inline]
pub fn push_len(buf: &mut BytesMut, n: usize, proto: Protocol) {
    match proto {
        Protocol::Resp2 => prefixed_len(buf, b'*', n as i64),
        Protocol::Resp3 => prefixed_len(buf, b'>', n as i64),
    }
}

/// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
#[inline]
pub fn boolean(buf: &mut BytesMut, b: bool, proto: Protocol) {
    match proto {
        Protocol::Resp2 => integer(buf, b as i64),
        Protocol::Resp3 => buf.put_slice(if b { b"#t\r\n" } else { b"#f\r\n" }),
    }
}

/// A double already formatted by the caller (Redis formats with `%.17g`, `inf`, `-inf`):
/// `,{text}` in RESP3, a bulk string in RESP2.
#[inline]
pub fn double_text(buf: &mut BytesMut, text: &[u8], proto: Protocol) {
    match proto {
        Protocol::Resp2 => bulk(buf, text),
        Protocol::Resp3 => {
            buf.reserve(text.len() + 3);
            buf.put_u8(b',');
            buf.put_slice(text);
            buf.put_slice(CRLF);
        }
    }
}

/// A verbatim string: `={len}\r\n{fmt}:{data}` in RESP3, a plain bulk string in RESP2.
#[inline]
pub fn verbatim(buf: &mut BytesMut, format: &[u8; 3], data: &[u8], proto: Protocol) {
    match proto {
        Protocol::Resp2 => bulk(buf, data),
        Protocol::Resp3 => {
            prefixed_len(buf, b'=', data.len() as i64 + 4);
            buf.reserve(data.len() + 6);
            buf.put_slice(format);
            buf.put_u8(b':');
            buf.put_slice(data);
            buf.put_slice(CRLF);
        }
    }
}

/// A command as clients send it and as the AOF stores it: an array of bulk strings.
#[inline]
pub fn command<A: AsRef<[u8]>>(buf: &mut BytesMut, args: &[A]) {
    array_len(buf, args.len());
    for a in args {
        bulk(buf, a.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(f: impl FnOnce(&mut BytesMut)) -> Vec<u8> {
        let mut b = BytesMut::new();
        f(&mut b);
        b.to_vec()
    }

    #[test]
    fn scalars() {
        assert_eq!(w(|b| simple(b, b"PONG")), b"+PONG\r\n");
        assert_eq!(
            w(|b| error(b, b"ERR syntax error")),
            b"-ERR syntax error\r\n"
        );
        assert_eq!(w(|b| integer(b, -2)), b":-2\r\n");
        assert_eq!(w(|b| integer(b, i64::MIN)), b":-9223372036854775808\r\n");
        assert_eq!(w(|b| bulk(b, b"")), b"$0\r\n\r\n");
        assert_eq!(w(|b| bulk(b, b"foo")), b"$3\r\nfoo\r\n");
        assert_eq!(w(|b| bulk_integer(b, 42)), b"$2\r\n42\r\n");
    }

    #[test]
    fn by_protocol() {
        use Protocol::*;
        assert_eq!(w(|b| null(b, Resp2)), b"$-1\r\n");
        assert_eq!(w(|b| null(b, Resp3)), b"_\r\n");
        assert_eq!(w(|b| null_array(b, Resp2)), b"*-1\r\n");
        assert_eq!(w(|b| map_len(b, 2, Resp2)), b"*4\r\n");
        assert_eq!(w(|b| map_len(b, 2, Resp3)), b"%2\r\n");
        assert_eq!(w(|b| set_len(b, 3, Resp3)), b"~3\r\n");
        assert_eq!(w(|b| boolean(b, true, Resp2)), b":1\r\n");
        assert_eq!(w(|b| boolean(b, false, Resp3)), b"#f\r\n");
        assert_eq!(w(|b| double_text(b, b"1.5", Resp3)), b",1.5\r\n");
        assert_eq!(w(|b| double_text(b, b"1.5", Resp2)), b"$3\r\n1.5\r\n");
        assert_eq!(
            w(|b| verbatim(b, b"txt", b"hi", Resp3)),
            b"=6\r\ntxt:hi\r\n"
        );
        assert_eq!(w(|b| verbatim(b, b"txt", b"hi", Resp2)), b"$2\r\nhi\r\n");
    }

    #[test]
    fn commands() {
        assert_eq!(
            w(|b| command(b, &["SET", "k", "v"])),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
        );
    }
}
