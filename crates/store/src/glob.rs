//! Glob matching exactly as Redis's `stringmatchlen` (KEYS, SCAN MATCH, HSCAN MATCH).
//!
//! `*` any run, `?` any byte, `[abc]`, `[a-z]` (reversed ranges like `[z-a]` work), `[^a]`
//! negation (only `^`: `[!a]` matches `!` or `a`), `\x` escapes. Ranges compare bytes as C's
//! signed `char`, as Redis does.

/// Whether `string` matches the glob `pattern`, exactly as `stringmatchlen` (so `*` does not
/// match the empty string here; KEYS and SCAN special-case the pattern `*`, see [`key_match`]).
pub fn glob_match(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, &mut skip_longer)
}

/// Whether `string` matches the MATCH/KEYS `pattern` as Redis's KEYS and SCAN decide it: the
/// pattern `*` matches everything (even the empty key), anything else goes to [`glob_match`].
pub fn key_match(pattern: &[u8], string: &[u8]) -> bool {
    pattern == b"*" || glob_match(pattern, string)
}

#[inline]
fn at(s: &[u8], i: usize) -> u8 {
    // Redis's strings are NUL-terminated; reading one past the end yields 0.
    s.get(i).copied().unwrap_or(0)
}

fn match_impl(pattern: &[u8], string: &[u8], skip_longer: &mut bool) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let plen = pattern.len();
    let slen = string.len();
    while p < plen && s < slen {
        match pattern[p] {
            b'*' => {
                while p + 1 < plen && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if plen - p == 1 {
                    return true;
                }
                while s < slen {
                    if match_impl(&pattern[p + 1..], &string[s..], skip_longer) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                s += 1;
            }
            b'[' => {
                p += 1;
                let not = at(pattern, p) == b'^' && p < plen;
                if not {
                    p += 1;
                }
                let mut matched = false;
                let c = string[s];
                loop {
                    let rem = plen.saturating_sub(p);
                    if at(pattern, p) == b'\\' && rem >= 2 {
                        p += 1;
                        if pattern[p] == c {
                            matched = true;
                        }
                    } else if rem == 0 {
                        // Unterminated class: step back so the outer `p += 1` lands at the end.
                        p -= 1;
                        break;
                    } else if pattern[p] == b']' {
                        break;
                    } else if rem >= 3 && pattern[p + 1] == b'-' {
                        let mut start = pattern[p] as i8;
                        let mut end = pattern[p + 2] as i8;
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let ci = c as i8;
                        p += 2;
                        if ci >= start && ci <= end {
                            matched = true;
                        }
                    } else if pattern[p] == c {
                        matched = true;
                    }
                    p += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s += 1;
            }
            b'\\' => {
                if plen - p >= 2 {
                    p += 1;
                }
                if pattern[p] != string[s] {
                    return false;
                }
                s += 1;
            }
            other => {
                if other != string[s] {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == slen {
            while p < plen && pattern[p] == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= plen && s == slen
}

#[cfg(test)]
mod tests {
    use super::glob_match as m;

    #[test]
    fn basics() {
        // Like stringmatchlen: callers special-case the pattern "*" (it matches "" there).
        assert!(!m(b"*", b""));
        assert!(!m(b"**", b""));
        assert!(m(b"*", b"abc"));
        assert!(m(b"a*", b"abc"));
        assert!(!m(b"a*", b"bc"));
        assert!(m(b"h?llo", b"hello"));
        assert!(!m(b"h?llo", b"hllo"));
        assert!(m(b"h*llo", b"heeeello"));
        assert!(m(b"h[ae]llo", b"hallo"));
        assert!(!m(b"h[ae]llo", b"hillo"));
        assert!(m(b"h[^e]llo", b"hallo"));
        assert!(!m(b"h[^e]llo", b"hello"));
        assert!(m(b"h[a-b]llo", b"hbllo"));
        assert!(m(b"h[b-a]llo", b"hallo"));
        assert!(m(b"h[!e]llo", b"h!llo"));
        assert!(!m(b"h[!e]llo", b"hallo"));
        assert!(m(b"h\\*llo", b"h*llo"));
        assert!(!m(b"h\\*llo", b"hello"));
        assert!(m(b"a*b*c", b"aXXbYYc"));
        assert!(!m(b"a*b*c", b"aXXbYY"));
        assert!(m(b"abc*", b"abc"));
        assert!(m(b"abc**", b"abc"));
        assert!(!m(b"", b"a"));
        assert!(m(b"", b""));
        assert!(!m(b"a", b""));
        assert!(m(b"[a", b"a"));
        assert!(m(b"[\\]]", b"]"));
    }
}
