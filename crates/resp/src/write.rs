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

/// A double formatted as Redis 7.0 formats it (`addReplyDouble`): `%.17g`, with `inf` and `-inf`
/// spelled out (and `nan` for NaN); `,{text}` in RESP3, a bulk string in RESP2.
#[inline]
pub fn double(buf: &mut BytesMut, d: f64, proto: Protocol) {
    let mut text = [0u8; DOUBLE_BUF_LEN];
    double_text(buf, format_double(d, &mut text), proto);
}

/// Size of the buffer [`format_double`] writes into.
pub const DOUBLE_BUF_LEN: usize = 32;

/// Formats `d` like C's `printf("%.17g")` (what Redis 7.0 uses for doubles), with `inf`, `-inf`
/// and `nan`, into `out` without allocating; returns the text.
///
/// ```
/// let mut out = [0u8; resp::write::DOUBLE_BUF_LEN];
/// assert_eq!(resp::write::format_double(3.141, &mut out), b"3.141");
/// assert_eq!(resp::write::format_double(0.1, &mut out), b"0.10000000000000001");
/// assert_eq!(resp::write::format_double(1e20, &mut out), b"1e+20");
/// ```
pub fn format_double(d: f64, out: &mut [u8; DOUBLE_BUF_LEN]) -> &[u8] {
    use std::io::Write as _;

    if d.is_nan() {
        return b"nan";
    }
    if d.is_infinite() {
        return if d > 0.0 { b"inf" } else { b"-inf" };
    }
    // Rust's `{:.16e}` rounds correctly to 17 significant digits, as glibc's printf does; %g
    // then picks fixed or scientific notation from the exponent and drops trailing zeros.
    let mut sci = [0u8; DOUBLE_BUF_LEN];
    let n = {
        let mut cursor = &mut sci[..];
        if write!(cursor, "{:.16e}", d.abs()).is_err() {
            return b"nan";
        }
        DOUBLE_BUF_LEN - cursor.len()
    };
    let sci = &sci[..n];
    let Some(e) = sci.iter().position(|&c| c == b'e') else {
        return b"nan";
    };
    let mut digits = [b'0'; 17];
    digits[0] = sci[0];
    let frac = sci.get(2..e).unwrap_or_default();
    let take = frac.len().min(16);
    digits[1..1 + take].copy_from_slice(&frac[..take]);
    let exp: i32 = std::str::from_utf8(&sci[e + 1..])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let trim = |ds: &[u8]| -> usize { ds.iter().rposition(|&c| c != b'0').map_or(0, |i| i + 1) };

    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        out[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    if d.is_sign_negative() {
        push(b"-");
    }
    if !(-4..17).contains(&exp) {
        push(&digits[..1]);
        let f = trim(&digits[1..]);
        if f > 0 {
            push(b".");
            push(&digits[1..1 + f]);
        }
        push(if exp < 0 { b"e-" } else { b"e+" });
        let a = exp.unsigned_abs();
        if a < 10 {
            push(b"0");
        }
        let mut fmt = itoa::Buffer::new();
        push(fmt.format(a).as_bytes());
    } else if exp >= 0 {
        let int = exp as usize + 1;
        push(&digits[..int]);
        let f = trim(&digits[int..]);
        if f > 0 {
            push(b".");
            push(&digits[int..int + f]);
        }
    } else {
        push(b"0.");
        for _ in 0..(-exp - 1) {
            push(b"0");
        }
        push(&digits[..trim(&digits)]);
    }
    &out[..len]
}

/// A RESP3 big number: `({digits}\r\n`. `digits` must not contain CR or LF.
#[inline]
pub fn big_number(buf: &mut BytesMut, digits: &[u8]) {
    buf.reserve(digits.len() + 3);
    buf.put_u8(b'(');
    buf.put_slice(digits);
    buf.put_slice(CRLF);
}

/// The header of RESP3 attributes with `n` pairs: `|{n}\r\n`, followed by the pairs and then the
/// frame they describe.
#[inline]
pub fn attribute_len(buf: &mut BytesMut, n: usize) {
    prefixed_len(buf, b'|', n as i64);
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

    fn g(d: f64) -> String {
        let mut out = [0u8; DOUBLE_BUF_LEN];
        String::from_utf8(format_double(d, &mut out).to_vec()).unwrap()
    }

    #[test]
    // 3.141 is the double DEBUG PROTOCOL sends, not an approximation of π.
    #[allow(clippy::approx_constant)]
    fn doubles_like_printf_17g() {
        // Expected texts from C's printf("%.17g").
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.1, "0.10000000000000001"),
            (0.3, "0.29999999999999999"),
            (3.141, "3.141"),
            (100.0, "100"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (1.5e17, "1.5e+17"),
            (12345678901234567.0, "12345678901234568"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1.0000000000000001e-05"),
            (1e-300, "1e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for &(d, want) in cases {
            assert_eq!(g(d), want, "{d:e}");
        }
    }

    #[test]
    fn double_replies() {
        use Protocol::*;
        assert_eq!(w(|b| double(b, 1.5, Resp3)), b",1.5\r\n");
        assert_eq!(w(|b| double(b, f64::INFINITY, Resp3)), b",inf\r\n");
        assert_eq!(w(|b| double(b, -2.0, Resp2)), b"$2\r\n-2\r\n");
        assert_eq!(w(|b| big_number(b, b"123")), b"(123\r\n");
        assert_eq!(w(|b| attribute_len(b, 1)), b"|1\r\n");
    }

    #[test]
    fn commands() {
        assert_eq!(
            w(|b| command(b, &["SET", "k", "v"])),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
        );
    }
}
