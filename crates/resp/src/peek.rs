//! A look ahead at pipelined requests without decoding them: the second and third words
//! (usually a key and a field) of each complete RESP request at the start of a buffer. A
//! server uses it to prefetch a batch's keys before running the batch; it consumes nothing
//! and validates little (the decoder still judges every byte), stopping at anything it does
//! not expect.

/// The words of one request that a prefetch wants: its second and third arguments (usually
/// a key and, for a hash command, a field), empty when the request is shorter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peeked<'b> {
    /// The second argument (the first after the command name).
    pub second: &'b [u8],
    /// The third argument.
    pub third: &'b [u8],
}

/// Fills `out` with the second and third arguments of each complete RESP array request of at
/// least two arguments at the start of `buf` (a request with only a command name is skipped),
/// and returns how many it filled. Stops at an inline request, an incomplete or malformed one,
/// or when `out` is full.
///
/// ```
/// let buf = b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$2\r\nbc\r\n$1\r\nv\r\n*2\r\n$3\r\nGET";
/// let mut out = [resp::Peeked::default(); 8];
/// let n = resp::peek_requests(buf, &mut out);
/// assert_eq!(n, 2);
/// assert_eq!((out[0].second, out[0].third), (&b"a"[..], &b""[..]));
/// assert_eq!((out[1].second, out[1].third), (&b"bc"[..], &b"v"[..]));
/// ```
pub fn peek_requests<'b>(buf: &'b [u8], out: &mut [Peeked<'b>]) -> usize {
    let mut pos = 0;
    let mut filled = 0;
    while filled < out.len() {
        let Some((count, after)) = number(buf, pos, b'*') else {
            break;
        };
        if count <= 0 {
            break;
        }
        pos = after;
        let mut p = Peeked::default();
        for i in 0..count {
            let Some((len, start)) = number(buf, pos, b'$') else {
                return filled;
            };
            let Some(end) = usize::try_from(len).ok().and_then(|l| start.checked_add(l)) else {
                return filled;
            };
            if end + 2 > buf.len() {
                return filled;
            }
            match i {
                1 => p.second = &buf[start..end],
                2 => p.third = &buf[start..end],
                _ => {}
            }
            pos = end + 2;
        }
        if count >= 2 {
            out[filled] = p;
            filled += 1;
        }
    }
    filled
}

/// `<tag><digits>\r\n` at `pos`: the number and the position after the line.
fn number(buf: &[u8], pos: usize, tag: u8) -> Option<(i64, usize)> {
    if *buf.get(pos)? != tag {
        return None;
    }
    let mut v: i64 = 0;
    let mut i = pos + 1;
    while let Some(&c) = buf.get(i) {
        match c {
            b'0'..=b'9' if i - pos <= 18 => v = v * 10 + i64::from(c - b'0'),
            b'\r' if i > pos + 1 => {
                return (buf.get(i + 1) == Some(&b'\n')).then_some((v, i + 2));
            }
            _ => return None,
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek(buf: &[u8]) -> Vec<Vec<u8>> {
        let mut out = [Peeked::default(); 4];
        let n = peek_requests(buf, &mut out);
        out[..n].iter().map(|p| p.second.to_vec()).collect()
    }

    #[test]
    fn stops_where_it_should() {
        assert!(peek(b"").is_empty());
        assert!(peek(b"PING\r\n").is_empty());
        assert!(peek(b"*-1\r\n").is_empty());
        assert!(peek(b"*2\r\n$3\r\nGET\r\n$1\r\na").is_empty());
        assert!(peek(b"*2\r\n$3\r\nGET\r\n$-1\r\n").is_empty());
        assert!(peek(b"*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n").is_empty());
        assert!(peek(b"*2\r\n:3\r\nGET\r\n$1\r\na\r\n").is_empty());
        assert!(peek(b"*\r\n").is_empty());
        assert_eq!(
            peek(b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nz\r\nGET y\r\n"),
            [b"".to_vec(), b"z".to_vec()]
        );
        let mut out = [Peeked::default(); 2];
        assert_eq!(
            peek_requests(
                b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n",
                &mut out
            ),
            1
        );
        assert_eq!((out[0].second, out[0].third), (&b"h"[..], &b"f"[..]));
        // `out` full: the rest is not looked at.
        let five = b"*2\r\n$1\r\nA\r\n$1\r\nk\r\n".repeat(5);
        assert_eq!(peek(&five).len(), 4);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut buf = Vec::new();
            for _ in 0..(rng % 40) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                buf.push(b"*$\r\n0123-9ab"[(rng % 12) as usize]);
            }
            let _ = peek(&buf);
        }
    }
}
