//! INCRBYFLOAT arithmetic (placeholder in f64; replaced by 80-bit extended precision).

/// A parsed float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LongDouble(f64);

impl LongDouble {
    pub(crate) const ZERO: LongDouble = LongDouble(0.0);

    pub(crate) fn from_i64(v: i64) -> LongDouble {
        LongDouble(v as f64)
    }

    /// Parses like Redis's `string2ld` (strtold, no leading space, no NaN, no overflow).
    pub(crate) fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= 5 * 1024 || s[0].is_ascii_whitespace() {
            return None;
        }
        let text = std::str::from_utf8(s).ok()?;
        let v: f64 = text.parse().ok()?;
        if v.is_nan() {
            return None;
        }
        Some(LongDouble(v))
    }

    pub(crate) fn add(self, o: LongDouble) -> LongDouble {
        LongDouble(self.0 + o.0)
    }

    pub(crate) fn is_finite(self) -> bool {
        self.0.is_finite()
    }

    /// `%.17Lf` with trailing zeros removed (Redis `LD_STR_HUMAN`).
    pub(crate) fn to_human(self) -> String {
        let mut s = format!("{:.17}", self.0);
        if s.contains('.') {
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
        }
        if s == "-0" {
            s = "0".into();
        }
        s
    }
}
