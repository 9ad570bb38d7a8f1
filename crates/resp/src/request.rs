//! The server's request decoder: RESP multibulk and inline commands, as Redis 7.0 reads them.
//!
//! Redis's `processMultibulkBuffer` / `processInlineBuffer` (networking.c) are the model, down to
//! their quirks, all checked against redis-server 7.0.15 with raw bytes:
//!
//! - a request starting with `*` is multibulk, anything else inline;
//! - `*0`, `*-1`, `*-5` are skipped silently; counts and bulk lengths are parsed like
//!   `string2ll` (no `+`, no leading zeros, no spaces, at most 20 characters);
//! - length lines end at the first `\r` and the byte after it is skipped unchecked, as are the two
//!   bytes after a bulk payload;
//! - Redis finds line ends with `strchr`, which stops at a NUL byte: a NUL before the line end
//!   means the line never ends, so the request waits until the buffer passes 64 KB and then fails
//!   with the "too big" error, as Redis does;
//! - an inline line ends at `\n`, one `\r` before it is dropped, and the rest is split like
//!   `sdssplitargs` (quotes, escapes, `\r` inside the line separates arguments).
//!
//! Resume state: the decoder remembers how far it has scanned for a line end, which argument it
//! is at and how many payload bytes the current bulk still needs, so a request that arrives a few
//! bytes at a time is never re-parsed from its start. The request stays in the read buffer until
//! it is complete; then one `split_to(..).freeze()` takes it and every argument is a `slice` of
//! that one buffer (zero copy).

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::Decoder;

use crate::limits::{UNAUTH_MAX_BULK_LEN, UNAUTH_MAX_MULTIBULK_LEN};
use crate::{Error, Limits, Result};

/// Server-side request decoder: yields one command as its argument list, from a RESP array of
/// bulk strings or from an inline command line.
///
/// Empty requests (`*0`, `*-1`, blank inline lines) are skipped, never yielded. Errors carry
/// Redis's text: the server replies `-ERR {error}` and closes the connection. After an error the
/// decoder forgets its partial request.
///
/// The decoder keeps offsets into the buffer between calls: feed it one stream, appending bytes
/// and letting only the decoder consume them (as [`FramedRead`](tokio_util::codec::FramedRead)
/// does).
///
/// ```
/// use bytes::BytesMut;
/// use resp::RequestDecoder;
/// use tokio_util::codec::Decoder;
///
/// let mut decoder = RequestDecoder::new();
/// let mut buf = BytesMut::from(&b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n"[..]);
/// assert_eq!(decoder.decode(&mut buf)?.unwrap(), vec!["ECHO", "hi"]);
/// assert_eq!(decoder.decode(&mut buf)?.unwrap(), vec!["PING"]);
/// assert_eq!(decoder.decode(&mut buf)?, None);
/// # Ok::<(), resp::Error>(())
/// ```
#[derive(Debug)]
pub struct RequestDecoder {
    limits: Limits,
    authenticated: bool,
    state: State,
    /// Where the line being looked for may still end: `src[line.from..]` is unscanned.
    line: LineScan,
    /// Argument ranges of the multibulk request being read, reused between requests.
    ranges: Vec<(usize, usize)>,
}

impl Default for RequestDecoder {
    fn default() -> Self {
        RequestDecoder::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between requests.
    Start,
    /// An inline request whose `\n` has not arrived.
    Inline,
    /// A multibulk request whose count line has not arrived.
    Count,
    /// Inside a multibulk request.
    Args {
        /// Elements still to read.
        remaining: usize,
        /// Offset in the buffer of the next unread byte of this request.
        pos: usize,
        /// Length of the bulk whose header has been read, while its payload is awaited.
        bulk: Option<usize>,
    },
}

/// Resume state of a search for a line end.
#[derive(Debug, Clone, Copy, Default)]
struct LineScan {
    /// Offset in the buffer where the search goes on.
    from: usize,
    /// A NUL came first: as with Redis's `strchr`, this line never ends.
    blocked: bool,
}

enum Step {
    Done(Vec<Bytes>),
    Skip,
    Partial,
}

impl RequestDecoder {
    /// A decoder with Redis's default limits, for an authenticated client.
    pub fn new() -> Self {
        RequestDecoder::with_limits(Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        RequestDecoder {
            limits,
            authenticated: true,
            state: State::Start,
            line: LineScan::default(),
            ranges: Vec::new(),
        }
    }

    /// Before AUTH, Redis applies tighter limits (10 arguments, 16 KB bulks).
    pub fn set_authenticated(&mut self, authenticated: bool) {
        self.authenticated = authenticated;
    }

    /// Replace the limits (CONFIG SET proto-max-bulk-len).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the decoder applies the limits of an authenticated client.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    fn reset(&mut self) {
        self.state = State::Start;
        self.line = LineScan::default();
        self.ranges.clear();
    }

    /// Looks for `needle` from the resume point, stopping at a NUL as `strchr` does.
    fn find(&mut self, src: &[u8], needle: u8) -> Option<usize> {
        if self.line.blocked {
            return None;
        }
        let from = self.line.from.min(src.len());
        match memchr::memchr2(needle, 0, &src[from..]) {
            Some(i) if src[from + i] == needle => {
                self.line.from = from + i;
                Some(from + i)
            }
            Some(_) => {
                self.line.blocked = true;
                None
            }
            None => {
                self.line.from = src.len();
                None
            }
        }
    }

    fn start_line(&mut self, at: usize) {
        self.line = LineScan {
            from: at,
            blocked: false,
        };
    }

    fn step(&mut self, src: &mut BytesMut) -> Result<Step> {
        loop {
            match self.state {
                State::Start => {
                    let Some(&first) = src.first() else {
                        return Ok(Step::Partial);
                    };
                    self.start_line(0);
                    self.state = if first == b'*' {
                        State::Count
                    } else {
                        State::Inline
                    };
                }
                State::Inline => return self.inline(src),
                State::Count => {
                    let Some(cr) = self.find(src, b'\r') else {
                        if src.len() > self.limits.inline_max_size {
                            return Err(Error::TooBigMbulkCount);
                        }
                        return Ok(Step::Partial);
                    };
                    // Redis wants the byte after `\r` present, and does not look at it.
                    if cr + 1 >= src.len() {
                        return Ok(Step::Partial);
                    }
                    let n = string2ll(src.get(1..cr).unwrap_or_default())
                        .filter(|&n| n <= self.limits.max_multibulk_len as i64)
                        .ok_or(Error::InvalidMultibulkLength)?;
                    if !self.authenticated && n > UNAUTH_MAX_MULTIBULK_LEN as i64 {
                        return Err(Error::UnauthenticatedMultibulkLength);
                    }
                    if n <= 0 {
                        src.advance(cr + 2);
                        return Ok(Step::Skip);
                    }
                    let n = n as usize;
                    self.ranges.clear();
                    self.ranges.reserve(n.min(1024));
                    self.start_line(cr + 2);
                    self.state = State::Args {
                        remaining: n,
                        pos: cr + 2,
                        bulk: None,
                    };
                }
                State::Args {
                    remaining,
                    pos,
                    bulk,
                } => return self.args(src, remaining, pos, bulk),
            }
        }
    }

    fn inline(&mut self, src: &mut BytesMut) -> Result<Step> {
        let Some(nl) = self.find(src, b'\n') else {
            if src.len() > self.limits.inline_max_size {
                return Err(Error::TooBigInlineRequest);
            }
            return Ok(Step::Partial);
        };
        let end = if nl > 0 && src[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        let line = src.split_to(nl + 1).freeze().slice(..end);
        let args = split_args(&line)?;
        Ok(if args.is_empty() {
            Step::Skip
        } else {
            Step::Done(args)
        })
    }

    fn args(
        &mut self,
        src: &mut BytesMut,
        mut remaining: usize,
        mut pos: usize,
        mut bulk: Option<usize>,
    ) -> Result<Step> {
        while remaining > 0 {
            let len = match bulk {
                Some(len) => len,
                None => {
                    let Some(cr) = self.find(src, b'\r') else {
                        if src.len() - pos > self.limits.inline_max_size {
                            return Err(Error::TooBigBulkCount);
                        }
                        break;
                    };
                    if cr + 1 >= src.len() {
                        break;
                    }
                    if src[pos] != b'$' {
                        return Err(Error::ExpectedDollar(src[pos]));
                    }
                    let len = string2ll(&src[pos + 1..cr])
                        .filter(|&n| n >= 0 && n as u64 <= self.limits.proto_max_bulk_len as u64)
                        .ok_or(Error::InvalidBulkLength)? as usize;
                    if !self.authenticated && len > UNAUTH_MAX_BULK_LEN {
                        return Err(Error::UnauthenticatedBulkLength);
                    }
                    pos = cr + 2;
                    // Room for the whole payload now (it is within the limit), so a big value
                    // is read into one allocation instead of a doubling series.
                    let need = pos.saturating_add(len).saturating_add(2);
                    if need > src.len() {
                        src.reserve(need - src.len());
                    }
                    bulk = Some(len);
                    len
                }
            };
            if src.len() - pos < len.saturating_add(2) {
                break;
            }
            self.ranges.push((pos, pos + len));
            pos += len + 2;
            bulk = None;
            remaining -= 1;
            self.start_line(pos);
        }
        if remaining > 0 {
            self.state = State::Args {
                remaining,
                pos,
                bulk,
            };
            return Ok(Step::Partial);
        }
        let mut request = src.split_to(pos).freeze();
        // Every argument but the last is a new handle on the request's bytes; the last one
        // is the request's own handle, narrowed (one reference count update fewer).
        let mut args = Vec::with_capacity(self.ranges.len());
        if let Some((&(a, b), rest)) = self.ranges.split_last() {
            args.extend(rest.iter().map(|&(a, b)| request.slice(a..b)));
            request.truncate(b);
            request.advance(a);
            args.push(request);
        }
        self.ranges.clear();
        Ok(Step::Done(args))
    }
}

impl Decoder for RequestDecoder {
    type Item = Vec<Bytes>;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Vec<Bytes>>> {
        // Offsets kept from an earlier call must still fit the buffer; if the caller replaced
        // it, start over rather than index out of bounds.
        let stale = match self.state {
            State::Args { pos, .. } => pos > src.len(),
            _ => false,
        } || self.line.from > src.len();
        if stale {
            self.reset();
        }
        loop {
            match self.step(src) {
                Ok(Step::Done(args)) => {
                    self.state = State::Start;
                    return Ok(Some(args));
                }
                Ok(Step::Skip) => self.state = State::Start,
                Ok(Step::Partial) => return Ok(None),
                Err(e) => {
                    self.reset();
                    return Err(e);
                }
            }
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Vec<Bytes>>> {
        match self.decode(src)? {
            Some(args) => Ok(Some(args)),
            None if src.is_empty() => Ok(None),
            None => {
                self.reset();
                Err(Error::UnexpectedEof)
            }
        }
    }
}

/// Redis's `string2ll`: optional `-`, no `+`, no leading zeros, no spaces, under 21 bytes.
pub(crate) fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if negative {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// C's `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Redis's `sdssplitargs` over one inline line (which holds no NUL: the line search stops at
/// one). Unquoted arguments are slices of `line`; quoted ones are unescaped into new buffers.
fn split_args(line: &Bytes) -> Result<Vec<Bytes>> {
    let s: &[u8] = line;
    // `at(i)` reads like the C code's `*(p+i)`: the NUL terminator past the end.
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        while p < s.len() && is_space(s[p]) {
            p += 1;
        }
        if p >= s.len() {
            return Ok(args);
        }
        let start = p;
        let mut plain_end = p;
        // Set once the argument has a quoted part, and so cannot be a slice of the line.
        let mut owned: Option<Vec<u8>> = None;
        let (mut inq, mut insq, mut done) = (false, false, false);
        while !done {
            let c = at(p);
            if inq {
                let buf = owned.get_or_insert_with(Vec::new);
                if c == b'\\' && at(p + 1) == b'x' {
                    if let (Some(h), Some(l)) = (hex_value(at(p + 2)), hex_value(at(p + 3))) {
                        buf.push(h * 16 + l);
                        p += 3;
                    } else {
                        p += 1;
                        buf.push(b'x');
                    }
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    buf.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    // A closing quote must be followed by a space or the end.
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return Err(Error::UnbalancedQuotes);
                    }
                    done = true;
                } else if c == 0 {
                    return Err(Error::UnbalancedQuotes);
                } else {
                    buf.push(c);
                }
            } else if insq {
                let buf = owned.get_or_insert_with(Vec::new);
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    buf.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return Err(Error::UnbalancedQuotes);
                    }
                    done = true;
                } else if c == 0 {
                    return Err(Error::UnbalancedQuotes);
                } else {
                    buf.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        plain_end = p;
                        done = true;
                    }
                    b'"' | b'\'' => {
                        owned.get_or_insert_with(|| s[start..p].to_vec());
                        if c == b'"' {
                            inq = true;
                        } else {
                            insq = true;
                        }
                    }
                    _ => {
                        if let Some(buf) = owned.as_mut() {
                            buf.push(c);
                        }
                    }
                }
            }
            if p < s.len() {
                p += 1;
            }
        }
        args.push(match owned {
            Some(buf) => Bytes::from(buf),
            None => line.slice(start..plain_end),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8]) -> Result<Vec<Vec<Bytes>>> {
        let mut d = RequestDecoder::new();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(args) = d.decode(&mut buf)? {
            out.push(args);
        }
        Ok(out)
    }

    fn one(input: &[u8]) -> Vec<Bytes> {
        let mut all = decode_all(input).unwrap();
        assert_eq!(all.len(), 1, "{:?}", all);
        all.pop().unwrap()
    }

    fn err(input: &[u8]) -> String {
        decode_all(input).unwrap_err().to_string()
    }

    #[test]
    fn string2ll_like_redis() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b"1 ",
            b" 1",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"00000000000000000001",
            b"1a",
        ] {
            assert_eq!(string2ll(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn multibulk() {
        assert_eq!(
            one(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"),
            ["SET", "k", ""]
        );
    }

    #[test]
    fn skipped_counts() {
        assert_eq!(decode_all(b"*0\r\n*-1\r\n*-5\r\n").unwrap().len(), 0);
        assert_eq!(one(b"*0\r\n*-1\r\nPING\r\n"), ["PING"]);
    }

    #[test]
    fn unchecked_bytes() {
        // The byte after `\r` in a length line and the two after a payload are not looked at.
        assert_eq!(one(b"*1\rx$4\r\nPINGxy"), ["PING"]);
    }

    #[test]
    fn errors() {
        assert_eq!(err(b"*01\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(err(b"*+1\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(err(b"*1 \r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(
            err(b"*2147483648\r\n"),
            "Protocol error: invalid multibulk length"
        );
        assert_eq!(err(b"*1\r\n$01\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(err(b"*1\r\n$-1\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(
            err(b"*1\r\n$536870913\r\n"),
            "Protocol error: invalid bulk length"
        );
        assert_eq!(
            err(b"*1\r\nx3\r\n"),
            "Protocol error: expected '$', got 'x'"
        );
        assert_eq!(
            err(b"ECHO \"a\"b\r\n"),
            "Protocol error: unbalanced quotes in request"
        );
    }

    #[test]
    fn count_limit_is_int_max() {
        let mut d = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"*2147483647\r\n"[..]);
        assert!(d.decode(&mut buf).unwrap().is_none());
    }

    #[test]
    fn unauthenticated_limits() {
        let mut d = RequestDecoder::new();
        d.set_authenticated(false);
        let mut buf = BytesMut::from(&b"*10\r\n"[..]);
        assert!(d.decode(&mut buf).unwrap().is_none());
        let mut d = RequestDecoder::new();
        d.set_authenticated(false);
        let mut buf = BytesMut::from(&b"*11\r\n"[..]);
        assert_eq!(
            d.decode(&mut buf).unwrap_err().to_string(),
            "Protocol error: unauthenticated multibulk length"
        );
        let mut buf = BytesMut::from(&b"*1\r\n$16385\r\n"[..]);
        assert_eq!(
            d.decode(&mut buf).unwrap_err().to_string(),
            "Protocol error: unauthenticated bulk length"
        );
        // Negative counts are still skipped, and inline requests have no such limits.
        let mut buf = BytesMut::from(&b"*-20\r\na b c d e f g h i j k l\r\n"[..]);
        assert_eq!(d.decode(&mut buf).unwrap().unwrap().len(), 12);
    }

    #[test]
    fn inline_splitting() {
        assert_eq!(one(b"PING\r\n"), ["PING"]);
        assert_eq!(one(b"PING\n"), ["PING"]);
        assert_eq!(one(b"  SET  a   b  \r\n"), ["SET", "a", "b"]);
        assert_eq!(one(b"ECHO a\rb\n"), ["ECHO", "a", "b"]);
        assert_eq!(one(b"ECHO a\r\r\n"), ["ECHO", "a"]);
        assert_eq!(one(b"ECHO a\x0bb\n"), ["ECHO", "a\x0bb"]);
        assert_eq!(one(b"\x0bECHO\x0c\"x\"\x0b\n"), ["ECHO\x0cx"]);
        assert_eq!(one(b"ECHO a\"b c\"\r\n"), ["ECHO", "ab c"]);
        assert_eq!(one(b"ECHO \"\"\n"), ["ECHO", ""]);
        assert_eq!(one(b"\r\n\n   \nPING\n"), ["PING"]);
    }

    #[test]
    fn inline_escapes() {
        assert_eq!(
            one(b"ECHO \"a\\x41\\x4g\\n\\r\\t\\b\\a\\\\\\\"\\z\"\n"),
            [&b"ECHO"[..], b"aAx4g\n\r\t\x08\x07\\\"z"]
        );
        assert_eq!(one(b"ECHO \"\\x00\"\n"), [&b"ECHO"[..], b"\0"]);
        assert_eq!(one(b"ECHO 'it\\'s' \r\n"), ["ECHO", "it's"]);
        assert_eq!(one(b"ECHO 'a\\nb'\r\n"), ["ECHO", "a\\nb"]);
    }

    #[test]
    fn inline_unbalanced() {
        for input in [
            &b"ECHO a\"b c\"d\r\n"[..],
            b"ECHO \"x\\\"\n",
            b"ECHO \"abc\n",
            b"ECHO ''x\n",
            b"ECHO 'abc\n",
            b"ECHO \"abc\\\n",
        ] {
            assert_eq!(
                err(input),
                "Protocol error: unbalanced quotes in request",
                "{:?}",
                input
            );
        }
    }

    #[test]
    fn unquoted_args_are_slices() {
        let mut buf = BytesMut::from(&b"SET key value\r\n"[..]);
        let base = buf.as_ptr() as usize;
        let args = RequestDecoder::new().decode(&mut buf).unwrap().unwrap();
        assert_eq!(args[1].as_ptr() as usize, base + 4);
        let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"[..]);
        let base = buf.as_ptr() as usize;
        let args = RequestDecoder::new().decode(&mut buf).unwrap().unwrap();
        assert_eq!(args[0].as_ptr() as usize, base + 8);
        assert_eq!(args[1].as_ptr() as usize, base + 17);
    }

    #[test]
    fn too_big_lines() {
        let mut line = vec![b'*'];
        line.resize(PROTO + 2, b'1');
        assert_eq!(err(&line), "Protocol error: too big mbulk count string");
        let mut line = b"*1\r\n$".to_vec();
        line.resize(PROTO + 10, b'1');
        assert_eq!(err(&line), "Protocol error: too big bulk count string");
        let mut line = b"PING".to_vec();
        line.resize(PROTO + 1, b' ');
        assert_eq!(err(&line), "Protocol error: too big inline request");
        // At the limit, still waiting.
        line.truncate(PROTO);
        assert!(decode_all(&line).unwrap().is_empty());
        // A long inline line that arrives whole is accepted, as Redis does.
        line.resize(PROTO + 100, b' ');
        line.push(b'\n');
        assert_eq!(one(&line), ["PING"]);
    }

    const PROTO: usize = crate::limits::PROTO_INLINE_MAX_SIZE;

    #[test]
    fn nul_blocks_line_end_like_strchr() {
        for input in [&b"*1\0\r\n"[..], b"PI\0NG\r\n", b"*1\r\n$4\0\r\nPING\r\n"] {
            assert!(decode_all(input).unwrap().is_empty(), "{:?}", input);
        }
        let mut d = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"PI\0NG\r\n"[..]);
        assert!(d.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&vec![b'x'; PROTO]);
        assert_eq!(
            d.decode(&mut buf).unwrap_err().to_string(),
            "Protocol error: too big inline request"
        );
    }

    #[test]
    fn resumes_big_bulk() {
        let value = vec![b'v'; 1 << 20];
        let mut wire = BytesMut::new();
        crate::write::command(&mut wire, &[&b"SET"[..], b"k", &value]);
        let mut d = RequestDecoder::new();
        let mut buf = BytesMut::new();
        let mut got = None;
        for chunk in wire.chunks(4096) {
            buf.extend_from_slice(chunk);
            if let Some(args) = d.decode(&mut buf).unwrap() {
                got = Some(args);
            }
        }
        let args = got.unwrap();
        assert_eq!(args[2].len(), 1 << 20);
        assert!(buf.is_empty());
    }

    #[test]
    fn eof() {
        let mut d = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"PING\r\nPIN"[..]);
        assert_eq!(d.decode_eof(&mut buf).unwrap().unwrap(), ["PING"]);
        assert!(matches!(d.decode_eof(&mut buf), Err(Error::UnexpectedEof)));
        let mut empty = BytesMut::new();
        assert!(d.decode_eof(&mut empty).unwrap().is_none());
    }

    #[test]
    fn replaced_buffer_does_not_panic() {
        let mut d = RequestDecoder::new();
        let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$3\r\nk"[..]);
        assert!(d.decode(&mut buf).unwrap().is_none());
        let mut other = BytesMut::from(&b"PING\r\n"[..]);
        assert_eq!(d.decode(&mut other).unwrap().unwrap(), ["PING"]);
    }
}
