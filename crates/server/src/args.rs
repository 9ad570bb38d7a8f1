//! [`Args`]: a cursor over a command's arguments.
//!
//! The dispatcher checks arity before a handler runs, so a handler can take the arguments its
//! arity guarantees with `?` and no further checks; a missing optional argument is
//! [`CmdError::Syntax`], as in Redis.

use bytes::Bytes;

use crate::error::CmdError;

/// The arguments of one command after its name (after `CLIENT SETNAME` for a subcommand).
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    rest: &'a [Bytes],
}

impl<'a> Args<'a> {
    /// A cursor over `args` (the command name already removed).
    pub fn new(args: &'a [Bytes]) -> Self {
        Args { rest: args }
    }

    /// How many arguments are left.
    pub fn len(&self) -> usize {
        self.rest.len()
    }

    /// Whether no argument is left.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The arguments not taken yet.
    pub fn rest(&self) -> &'a [Bytes] {
        self.rest
    }

    /// The next argument without taking it.
    pub fn peek(&self) -> Option<&'a Bytes> {
        self.rest.first()
    }

    /// Take the next argument, if any.
    #[allow(clippy::should_implement_trait)] // returns a reference tied to 'a, not an Iterator item
    pub fn next(&mut self) -> Option<&'a Bytes> {
        let (first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }

    /// Take the next argument; [`CmdError::Syntax`] if there is none.
    pub fn bytes(&mut self) -> Result<&'a Bytes, CmdError> {
        self.next().ok_or(CmdError::Syntax)
    }

    /// Take the next argument as a key (same as [`bytes`](Self::bytes); names the intent).
    pub fn key(&mut self) -> Result<&'a Bytes, CmdError> {
        self.bytes()
    }

    /// Take all remaining arguments.
    pub fn take_rest(&mut self) -> &'a [Bytes] {
        std::mem::take(&mut self.rest)
    }

    /// Take the next argument as an `i64` (Redis's strict `string2ll`):
    /// [`CmdError::NotInteger`] if it is not one.
    pub fn i64(&mut self) -> Result<i64, CmdError> {
        parse_i64(self.bytes()?).ok_or(CmdError::NotInteger)
    }

    /// Take the next argument as a non-negative integer; [`CmdError::NotInteger`] otherwise.
    pub fn u64(&mut self) -> Result<u64, CmdError> {
        let n = self.i64()?;
        u64::try_from(n).map_err(|_| CmdError::NotInteger)
    }

    /// Take the next argument as an `f64` (Redis's `string2ld` rules: no spaces, `inf` allowed,
    /// no `nan`): [`CmdError::NotFloat`] otherwise.
    pub fn f64(&mut self) -> Result<f64, CmdError> {
        parse_f64(self.bytes()?).ok_or(CmdError::NotFloat)
    }

    /// If the next argument equals `word` (ASCII case-insensitive), take it and return true.
    pub fn eat(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(a) if a.eq_ignore_ascii_case(word.as_bytes()) => {
                self.rest = &self.rest[1..];
                true
            }
            _ => false,
        }
    }
}

/// Parse a decimal `i64` exactly as Redis's `string2ll`: optional `-`, digits, no `+`, no
/// spaces, no leading zeros (except `0` itself), at most 20 characters.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || (digits[0] == b'0' && (digits.len() > 1 || neg)) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// Parse a float as Redis does for commands (`strtold` on the whole string): leading space,
/// trailing garbage and NaN are rejected; `inf`, `-inf`, `1e3`, `.5`, `0x10` are accepted.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(s).ok()?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let v = if let Some(hex) = body.strip_prefix("0x") {
        let n = u64::from_str_radix(hex, 16).ok()? as f64;
        if lower.starts_with('-') {
            -n
        } else {
            n
        }
    } else {
        match body {
            "inf" | "infinity" => {
                if lower.starts_with('-') {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            _ => lower.parse::<f64>().ok()?,
        }
    };
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b"01"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b" 1"), None);
        assert_eq!(parse_i64(b""), None);
    }

    #[test]
    fn floats() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"1."), Some(1.0));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"nan"), None);
        assert_eq!(parse_f64(b" 1"), None);
        assert_eq!(parse_f64(b"1x"), None);
    }

    #[test]
    fn cursor() {
        let v = [Bytes::from("EX"), Bytes::from("10")];
        let mut a = Args::new(&v);
        assert!(!a.eat("px"));
        assert!(a.eat("ex"));
        assert_eq!(a.i64(), Ok(10));
        assert_eq!(a.bytes(), Err(CmdError::Syntax));
    }
}
