//! A look ahead at pipelined requests without decoding them: the second word (usually the
//! key) of each complete RESP request at the start of a buffer. A server uses it to prefetch
//! a batch's keys before running the batch; it consumes nothing and validates little (the
//! decoder still judges every byte), stopping at anything it does not expect.

/// Fills `out` with the second argument of each complete RESP array request at the start of
/// `buf` (a request with only a command name contributes nothing), and returns how many it
/// filled. Stops at an inline request, an incomplete or malformed one, or when `out` is full.
///
/// ```
/// let buf = b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$2\r\nbc\r\n$1\r\nv\r\n*2\r\n$3\r\nGET";
/// let mut keys: [&[u8]; 8] = [&[]; 8];
/// let n = resp::peek_second_args(buf, &mut keys);
/// assert_eq!(&keys[..n], &[&b"a"[..], &b"bc"[..]]);
/// ```
pub fn peek_second_args<'b>(buf: &'b [u8], out: &mut [&'b [u8]]) -> usize {
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
        let mut second = None;
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
            if i == 1 {
                second = Some(&buf[start..end]);
            }
            pos = end + 2;
        }
        if let Some(s) = second {
            out[filled] = s;
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
        let mut out: [&[u8]; 4] = [&[]; 4];
        let n = peek_second_args(buf, &mut out);
        out[..n].iter().map(|s| s.to_vec()).collect()
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
