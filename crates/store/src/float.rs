//! INCRBYFLOAT / HINCRBYFLOAT arithmetic in C `long double`, as Redis does it.
//!
//! Redis parses with `strtold`, adds in `long double` (the x87 80-bit format on x86_64) and
//! prints with `%.17Lf` minus trailing zeros. Rust has no 80-bit float, and emulating `strtold`
//! (hex floats, `inf`, correct rounding) and an exact `%.17Lf` of values up to 1e4932 would be a
//! lot of code to get bit-exact, so a small C file (`csrc/longdouble.c`, built by `build.rs`)
//! does the work with the platform's C library, exactly as redis-server on the same platform.
//! A value crosses the boundary as 16 opaque bytes (`sizeof(long double)` is at most 16; the C
//! side zeroes the padding).

use std::os::raw::{c_char, c_int, c_longlong};

/// Redis's `MAX_LONG_DOUBLE_CHARS`: the longest text parsed or printed.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

extern "C" {
    fn store_ld_parse(s: *const u8, len: usize, out: *mut [u8; 16]) -> c_int;
    fn store_ld_from_i64(v: c_longlong, out: *mut [u8; 16]);
    fn store_ld_add(a: *const [u8; 16], b: *const [u8; 16], out: *mut [u8; 16]);
    fn store_ld_is_finite(a: *const [u8; 16]) -> c_int;
    fn store_ld_to_human(a: *const [u8; 16], buf: *mut c_char, len: usize) -> usize;
}

/// A C `long double`, stored as its bytes.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
pub(crate) struct LongDouble([u8; 16]);

impl LongDouble {
    /// 0.0 (all-zero bytes are +0 in both the x87 and the IEEE binary128 formats).
    pub(crate) const ZERO: LongDouble = LongDouble([0; 16]);

    pub(crate) fn from_i64(v: i64) -> LongDouble {
        let mut out = [0u8; 16];
        // SAFETY: `out` is a valid 16-byte buffer; the C function writes exactly 16 bytes.
        unsafe { store_ld_from_i64(v, &mut out) };
        LongDouble(out)
    }

    /// Parses like Redis's `string2ld`: the whole text must be a `strtold` float (`1.`, `.5`,
    /// `+1`, `0x10`, `inf`, `1e400`), with no leading space, not NaN, not overflowing.
    pub(crate) fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        let mut out = [0u8; 16];
        // SAFETY: `s` is valid for `s.len()` bytes (the C side copies it into its own
        // NUL-terminated buffer after checking the length); `out` is 16 writable bytes.
        let ok = unsafe { store_ld_parse(s.as_ptr(), s.len(), &mut out) };
        (ok != 0).then_some(LongDouble(out))
    }

    pub(crate) fn add(self, o: LongDouble) -> LongDouble {
        let mut out = [0u8; 16];
        // SAFETY: all three pointers are valid 16-byte buffers.
        unsafe { store_ld_add(&self.0, &o.0, &mut out) };
        LongDouble(out)
    }

    /// Neither NaN nor an infinity.
    pub(crate) fn is_finite(self) -> bool {
        // SAFETY: a valid 16-byte buffer.
        unsafe { store_ld_is_finite(&self.0) != 0 }
    }

    /// Redis's `ld2string(.., LD_STR_HUMAN)`: `%.17Lf` without trailing zeros or point.
    pub(crate) fn to_human(self) -> String {
        let mut buf = vec![0u8; MAX_LONG_DOUBLE_CHARS];
        // SAFETY: `buf` has `buf.len()` writable bytes; the C side writes at most that many
        // (snprintf is bounded by it) and returns the text's length, which is below it.
        let n = unsafe { store_ld_to_human(&self.0, buf.as_mut_ptr().cast(), buf.len()) };
        buf.truncate(n.min(MAX_LONG_DOUBLE_CHARS));
        // The C locale prints only ASCII digits, '-', '.', "inf".
        String::from_utf8(buf).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(cur: &str, by: &str) -> Option<String> {
        let v = LongDouble::parse(cur.as_bytes())?.add(LongDouble::parse(by.as_bytes())?);
        v.is_finite().then(|| v.to_human())
    }

    #[test]
    fn sums_match_redis() {
        // Each expected value is what redis-server 7.0.15 replies on x86_64.
        assert_eq!(incr("0.1", "0.2").as_deref(), Some("0.3"));
        assert_eq!(
            incr("5000", "5.6").as_deref(),
            Some("5005.60000000000000009")
        );
        assert_eq!(incr("1.5", "0.1").as_deref(), Some("1.6"));
        assert_eq!(incr("0", "1e-4940").as_deref(), Some("0")); // denormal: accepted
        assert_eq!(incr("10.5", "0.1").as_deref(), Some("10.6"));
        assert_eq!(incr("3.0e3", "200").as_deref(), Some("3200"));
        assert_eq!(incr("0", "-0").as_deref(), Some("0"));
        assert_eq!(incr("0", "-1e-30").as_deref(), Some("0"));
        assert_eq!(incr("1", "-1.5").as_deref(), Some("-0.5"));
    }

    #[test]
    fn strtold_syntax() {
        assert_eq!(incr("0", "0x10").as_deref(), Some("16"));
        assert_eq!(incr("0", "1.").as_deref(), Some("1"));
        assert_eq!(incr("0", ".5").as_deref(), Some("0.5"));
        assert_eq!(incr("0", "+1").as_deref(), Some("1"));
        assert_eq!(incr("0", "1E2").as_deref(), Some("100"));
        for bad in [
            "", " 1", "1 ", "abc", "1x", "nan", "-nan", "1e99999", "1e-99999", "--1",
        ] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad:?}");
        }
        // `inf` parses (it is the *result* that gets rejected).
        let inf = LongDouble::parse(b"inf").map(|v| v.is_finite());
        assert_eq!(inf, Some(false));
        assert_eq!(incr("1", "inf"), None);
        assert_eq!(incr("inf", "-inf"), None);
        // Too long for Redis's 5 KB buffer.
        assert!(LongDouble::parse(&[b'1'; MAX_LONG_DOUBLE_CHARS]).is_none());
    }

    #[test]
    fn big_values_print_every_digit() {
        assert_eq!(
            incr("0", "1e100").as_deref(),
            Some(
                "9999999999999999999669353532207342619498699019828496079271391541752018669482644\
                 324418977840117055488"
            )
        );
        let v = incr("0", "1e400").unwrap_or_default();
        assert_eq!(v.len(), 401);
        assert!(v.starts_with("1000000000000000000"), "{v}");
        // The largest long double still fits the 5 KB buffer.
        let max = incr("0", "1.18973149535723176502e4932").unwrap_or_default();
        assert_eq!(max.len(), 4933);
        assert_eq!(
            incr("1.18973149535723176502e4932", "1.18973149535723176502e4932"),
            None
        );
    }

    #[test]
    fn from_i64_is_exact() {
        let v = LongDouble::from_i64(i64::MAX).add(LongDouble::ZERO);
        assert_eq!(v.to_human(), "9223372036854775807");
        assert_eq!(
            LongDouble::from_i64(i64::MIN).to_human(),
            "-9223372036854775808"
        );
    }
}
