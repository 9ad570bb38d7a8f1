//! String commands: GET, SET and its variants, MGET/MSET, APPEND, ranges, counters.
//!
//! Option parsing follows Redis's order of checks, which decides *which* error a bad command
//! gets: SET parses every option word first (`SET k v EX abc FOO` is a syntax error), then the
//! expire number, then looks the key up; GETEX looks the key up before it parses the number
//! (`GETEX missing EX abc` is nil).
//!
//! What reaches the AOF is what Redis 7.0 writes: `SET k v PXAT <ms>` for any SET-family command
//! with a TTL, the command minus its `GET` words otherwise, `SET k <result> KEEPTTL` for
//! INCRBYFLOAT, `PEXPIREAT`/`PERSIST`/`DEL` for GETEX, `DEL` for GETDEL, `SET` for GETSET.

use bytes::Bytes;
use store::{Expiry, SetCondition, SetOptions, TtlChange};

use crate::args::{parse_i64, Args};
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::table::{Flags, Group, Spec};

const WRITE_FAST: Flags = Flags::WRITE_FAST;
const WDF: Flags = Flags::WRITE_DENYOOM_FAST;

/// The string commands.
pub(crate) const TABLE: &[Spec] = &[
    Spec::new("get", 2, Flags::READONLY_FAST, 1, 1, 1, get).doc(
        "Get the value of a key",
        "1.0.0",
        Group::String,
    ),
    Spec::new("set", -3, Flags::WRITE_DENYOOM, 1, 1, 1, set).doc(
        "Set the string value of a key",
        "1.0.0",
        Group::String,
    ),
    Spec::new("getdel", 2, WRITE_FAST, 1, 1, 1, getdel).doc(
        "Get the value of a key and delete the key",
        "6.2.0",
        Group::String,
    ),
    Spec::new("getex", -2, WRITE_FAST, 1, 1, 1, getex).doc(
        "Get the value of a key and optionally set its expiration",
        "6.2.0",
        Group::String,
    ),
    Spec::new("getset", 3, WDF, 1, 1, 1, getset).doc(
        "Set the string value of a key and return its old value",
        "1.0.0",
        Group::String,
    ),
    Spec::new("setnx", 3, WDF, 1, 1, 1, setnx).doc(
        "Set the value of a key, only if the key does not exist",
        "1.0.0",
        Group::String,
    ),
    Spec::new("setex", 4, Flags::WRITE_DENYOOM, 1, 1, 1, setex).doc(
        "Set the value and expiration of a key",
        "2.0.0",
        Group::String,
    ),
    Spec::new("psetex", 4, Flags::WRITE_DENYOOM, 1, 1, 1, psetex).doc(
        "Set the value and expiration in milliseconds of a key",
        "2.6.0",
        Group::String,
    ),
    Spec::new("lcs", -3, Flags::READONLY, 1, 2, 1, lcs).doc(
        "Find longest common substring",
        "7.0.0",
        Group::String,
    ),
    Spec::new("mget", -2, Flags::READONLY_FAST, 1, -1, 1, mget).doc(
        "Get the values of all the given keys",
        "1.0.0",
        Group::String,
    ),
    Spec::new("mset", -3, Flags::WRITE_DENYOOM, 1, -1, 2, mset).doc(
        "Set multiple keys to multiple values",
        "1.0.1",
        Group::String,
    ),
    Spec::new("msetnx", -3, Flags::WRITE_DENYOOM, 1, -1, 2, msetnx).doc(
        "Set multiple keys to multiple values, only if none of the keys exist",
        "1.0.1",
        Group::String,
    ),
    Spec::new("append", 3, WDF, 1, 1, 1, append).doc(
        "Append a value to a key",
        "2.0.0",
        Group::String,
    ),
    Spec::new("strlen", 2, Flags::READONLY_FAST, 1, 1, 1, strlen).doc(
        "Get the length of the value stored in a key",
        "2.2.0",
        Group::String,
    ),
    Spec::new("getrange", 4, Flags::READONLY, 1, 1, 1, getrange).doc(
        "Get a substring of the string stored at a key",
        "2.4.0",
        Group::String,
    ),
    Spec::new("substr", 4, Flags::READONLY, 1, 1, 1, getrange).doc(
        "Get a substring of the string stored at a key",
        "1.0.0",
        Group::String,
    ),
    Spec::new("setrange", 4, Flags::WRITE_DENYOOM, 1, 1, 1, setrange).doc(
        "Overwrite part of a string at key starting at the specified offset",
        "2.2.0",
        Group::String,
    ),
    Spec::new("incr", 2, WDF, 1, 1, 1, incr).doc(
        "Increment the integer value of a key by one",
        "1.0.0",
        Group::String,
    ),
    Spec::new("decr", 2, WDF, 1, 1, 1, decr).doc(
        "Decrement the integer value of a key by one",
        "1.0.0",
        Group::String,
    ),
    Spec::new("incrby", 3, WDF, 1, 1, 1, incrby).doc(
        "Increment the integer value of a key by the given amount",
        "1.0.0",
        Group::String,
    ),
    Spec::new("decrby", 3, WDF, 1, 1, 1, decrby).doc(
        "Decrement the integer value of a key by the given number",
        "1.0.0",
        Group::String,
    ),
    Spec::new("incrbyfloat", 3, WDF, 1, 1, 1, incrbyfloat).doc(
        "Increment the float value of a key by the given amount",
        "2.6.0",
        Group::String,
    ),
];

// ------------------------------------------------------------------------- option parsing

/// Which expire option a SET/GETEX carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TtlKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// The option words of SET / GETEX (Redis's `parseExtendedStringArgumentsOrReply`), with the
/// expire number still unparsed: Redis parses it later, and the order decides the error.
#[derive(Debug, Default, Clone, Copy)]
struct ExtOpts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    ttl: Option<(TtlKind, &'a [u8])>,
}

/// Whether the command being parsed is SET (NX/XX/GET/KEEPTTL allowed) or GETEX (PERSIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExtFor {
    Set,
    GetEx,
}

fn ttl_word(w: &[u8]) -> Option<TtlKind> {
    if w.eq_ignore_ascii_case(b"ex") {
        Some(TtlKind::Ex)
    } else if w.eq_ignore_ascii_case(b"px") {
        Some(TtlKind::Px)
    } else if w.eq_ignore_ascii_case(b"exat") {
        Some(TtlKind::ExAt)
    } else if w.eq_ignore_ascii_case(b"pxat") {
        Some(TtlKind::PxAt)
    } else {
        None
    }
}

fn parse_ext<'a>(args: &mut Args<'a>, cmd: ExtFor) -> Result<ExtOpts<'a>, CmdError> {
    let mut o = ExtOpts::default();
    let set = cmd == ExtFor::Set;
    while let Some(word) = args.next() {
        let w = word.as_ref();
        if set && w.eq_ignore_ascii_case(b"nx") && !o.xx {
            o.nx = true;
        } else if set && w.eq_ignore_ascii_case(b"xx") && !o.nx {
            o.xx = true;
        } else if set && w.eq_ignore_ascii_case(b"get") {
            o.get = true;
        } else if set && w.eq_ignore_ascii_case(b"keepttl") && o.ttl.is_none() && !o.persist {
            o.keepttl = true;
        } else if !set && w.eq_ignore_ascii_case(b"persist") && o.ttl.is_none() && !o.keepttl {
            o.persist = true;
        } else if let Some(kind) = ttl_word(w) {
            // The same option may repeat (`EX 10 EX 20`: the last wins); another kind, KEEPTTL,
            // PERSIST or a missing number is a syntax error.
            let compatible = !o.keepttl
                && !o.persist
                && o.ttl.is_none_or(|(k, _)| k == kind)
                && !args.is_empty();
            if !compatible {
                return Err(CmdError::Syntax);
            }
            let n = args.bytes()?;
            o.ttl = Some((kind, n.as_ref()));
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(o)
}

/// Parses the expire number of an option into the store's [`Expiry`].
fn ttl_expiry((kind, raw): (TtlKind, &[u8])) -> Result<Expiry, CmdError> {
    let n = parse_i64(raw).ok_or(CmdError::NotInteger)?;
    Ok(match kind {
        TtlKind::Ex => Expiry::Ex(n),
        TtlKind::Px => Expiry::Px(n),
        TtlKind::ExAt => Expiry::ExAt(n),
        TtlKind::PxAt => Expiry::PxAt(n),
    })
}

/// An integer as a `Bytes` argument for a propagated command (only built when propagating).
fn int_arg(n: i64) -> Bytes {
    let mut fmt = itoa::Buffer::new();
    Bytes::copy_from_slice(fmt.format(n).as_bytes())
}

/// Propagates `SET key value PXAT <at>`, Redis 7.0's form for every SET with a TTL.
fn propagate_set_pxat(cx: &mut Ctx<'_>, key: &Bytes, value: &Bytes, at: u64) {
    if cx.propagating() {
        cx.propagate(&[
            Bytes::from_static(b"SET"),
            key.clone(),
            value.clone(),
            Bytes::from_static(b"PXAT"),
            int_arg(at as i64),
        ]);
    } else {
        cx.propagate(&[]);
    }
}

/// Propagates a command built on demand (only allocated when an AOF is attached).
pub(crate) fn propagate_with(cx: &mut Ctx<'_>, build: impl FnOnce() -> Vec<Bytes>) {
    if cx.propagating() {
        let argv = build();
        cx.propagate(&argv);
    } else {
        cx.propagate(&[]);
    }
}

// ------------------------------------------------------------------------------- commands

/// GET key
fn get(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let db = cx.db();
    let out = &mut cx.out;
    let hit = db.get_with(key, |v| {
        out.opt_bulk(v);
        v.is_some()
    })?;
    cx.count_lookup(hit);
    Ok(())
}

/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | KEEPTTL]
fn set(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let value = args.bytes()?;
    let o = parse_ext(&mut args, ExtFor::Set)?;
    let expiry = match o.ttl {
        Some(t) => ttl_expiry(t)?,
        None if o.keepttl => Expiry::KeepTtl,
        None => Expiry::None,
    };
    let condition = if o.nx {
        SetCondition::IfMissing
    } else if o.xx {
        SetCondition::IfExists
    } else {
        SetCondition::Always
    };
    let opts = SetOptions {
        condition,
        get: o.get,
        expiry,
    };
    let outcome = cx.db().set(key, value, opts)?;
    if outcome.written {
        match (o.ttl, outcome.expire_at) {
            (Some(_), Some(at)) => propagate_set_pxat(cx, key, value, at),
            // Redis drops the GET words (they would reply on replay) and keeps the rest.
            _ if o.get => {
                let argv = cx.argv;
                propagate_with(cx, || {
                    argv.iter()
                        .enumerate()
                        .filter(|(i, a)| *i < 3 || !a.eq_ignore_ascii_case(b"get"))
                        .map(|(_, a)| a.clone())
                        .collect()
                })
            }
            _ => cx.propagate_argv(),
        }
    }
    if o.get {
        cx.out.opt_bulk(outcome.old.as_deref());
    } else if outcome.written {
        cx.out.ok();
    } else {
        cx.out.null();
    }
    Ok(())
}

/// SETNX key value
fn setnx(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, value) = (args.key()?, args.bytes()?);
    let set = cx.db().setnx(key, value)?;
    if set {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(set));
    Ok(())
}

/// SETEX and PSETEX: `key ttl value`.
fn set_with_ttl(cx: &mut Ctx<'_>, mut args: Args<'_>, ms: bool, name: &'static str) -> CmdResult {
    let key = args.key()?;
    let n = args.i64()?;
    let value = args.bytes()?;
    let opts = SetOptions {
        expiry: if ms { Expiry::Px(n) } else { Expiry::Ex(n) },
        ..SetOptions::default()
    };
    let outcome = cx
        .db()
        .set(key, value, opts)
        .map_err(|e| e.for_command(name))?;
    if let Some(at) = outcome.expire_at {
        propagate_set_pxat(cx, key, value, at);
    }
    cx.out.ok();
    Ok(())
}

/// SETEX key seconds value
fn setex(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    set_with_ttl(cx, args, false, "setex")
}

/// PSETEX key milliseconds value
fn psetex(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    set_with_ttl(cx, args, true, "psetex")
}

/// GETDEL key
fn getdel(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let old = cx.db().getdel(key)?;
    if old.is_some() {
        propagate_with(cx, || vec![Bytes::from_static(b"DEL"), key.clone()]);
    }
    cx.out.opt_bulk(old.as_deref());
    Ok(())
}

/// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | PERSIST]
fn getex(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let o = parse_ext(&mut args, ExtFor::GetEx)?;
    let expiry = match o.ttl {
        Some(t) => match ttl_expiry(t) {
            Ok(e) => e,
            // Redis looks the key up before parsing the number: nil or WRONGTYPE win.
            Err(e) => {
                return match cx.db().get(key)? {
                    None => {
                        cx.out.null();
                        Ok(())
                    }
                    Some(_) => Err(e),
                }
            }
        },
        None if o.persist => Expiry::Persist,
        None => Expiry::None,
    };
    let Some((value, change)) = cx.db().getex_outcome(key, expiry)? else {
        cx.out.null();
        return Ok(());
    };
    match change {
        TtlChange::Unchanged => {}
        TtlChange::Set(at) => propagate_with(cx, || {
            vec![
                Bytes::from_static(b"PEXPIREAT"),
                key.clone(),
                int_arg(at as i64),
            ]
        }),
        TtlChange::Persisted => {
            propagate_with(cx, || vec![Bytes::from_static(b"PERSIST"), key.clone()])
        }
        TtlChange::Deleted => propagate_with(cx, || vec![Bytes::from_static(b"DEL"), key.clone()]),
    }
    cx.out.bulk(&value);
    Ok(())
}

/// GETSET key value
fn getset(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, value) = (args.key()?, args.bytes()?);
    let old = cx.db().getset(key, value)?;
    // Redis propagates it as SET (the old value is not needed on replay).
    propagate_with(cx, || {
        vec![Bytes::from_static(b"SET"), key.clone(), value.clone()]
    });
    cx.out.opt_bulk(old.as_deref());
    Ok(())
}

/// MGET key [key ...]
fn mget(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let keys = args.take_rest();
    cx.out.array(keys.len());
    let db = cx.db();
    let out = &mut cx.out;
    db.mget_with(keys, |v| out.opt_bulk(v));
    Ok(())
}

/// MSET key value [key value ...]
fn mset(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let kv = args.take_rest();
    if kv.len() % 2 != 0 {
        return Err(CmdError::arity("mset"));
    }
    cx.db().mset_args(kv);
    cx.propagate_argv();
    cx.out.ok();
    Ok(())
}

/// MSETNX key value [key value ...]
fn msetnx(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let kv = args.take_rest();
    if kv.len() % 2 != 0 {
        return Err(CmdError::arity("msetnx"));
    }
    let set = cx.db().msetnx_args(kv);
    if set {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(set));
    Ok(())
}

/// APPEND key value
fn append(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, value) = (args.key()?, args.bytes()?);
    let len = cx.db().append(key, value)?;
    cx.propagate_argv();
    cx.out.int(len as i64);
    Ok(())
}

/// STRLEN key
fn strlen(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let len = cx.db().strlen(key)?;
    cx.out.int(len as i64);
    Ok(())
}

/// GETRANGE key start end (also SUBSTR key start end)
fn getrange(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let start = args.i64()?;
    let end = args.i64()?;
    let v = cx.db().getrange(key, start, end)?;
    cx.out.bulk(&v);
    Ok(())
}

/// SETRANGE key offset value
fn setrange(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let offset = args.i64()?;
    let value = args.bytes()?;
    let len = cx.db().setrange(key, offset, value)?;
    // An empty value changes nothing (and creates nothing): Redis does not propagate it.
    if !value.is_empty() {
        cx.propagate_argv();
    }
    cx.out.int(len as i64);
    Ok(())
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
fn lcs(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (ka, kb) = (args.key()?, args.key()?);
    let lookup = |cx: &mut Ctx<'_>, k: &[u8]| match cx.db().get(k) {
        Err(store::Error::WrongType) => Err(CmdError::Err(
            "The specified keys must contain string values",
        )),
        r => Ok(r?.unwrap_or_default()),
    };
    let (a, b) = (lookup(cx, ka)?, lookup(cx, kb)?);
    let (mut len_only, mut idx, mut with_len, mut min_len) = (false, false, false, 0i64);
    while let Some(opt) = args.next() {
        if opt.eq_ignore_ascii_case(b"idx") {
            idx = true;
        } else if opt.eq_ignore_ascii_case(b"len") {
            len_only = true;
        } else if opt.eq_ignore_ascii_case(b"withmatchlen") {
            with_len = true;
        } else if opt.eq_ignore_ascii_case(b"minmatchlen") && !args.is_empty() {
            min_len = args.i64()?.max(0);
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if idx && len_only {
        return Err(CmdError::Err(
            "If you want both the length and indexes, please just use IDX.",
        ));
    }
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u128 + 1) * (blen as u128 + 1);
    let max = cx.shared.config.read().int("proto-max-bulk-len").max(0) as u128;
    if cells * 4 > max {
        return Err(CmdError::Err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    // The classic dynamic-programming table, then Redis's backtrack (same ranges, same order).
    let w = blen + 1;
    let mut t = vec![0u32; (alen + 1) * w];
    for i in 1..=alen {
        for j in 1..=blen {
            t[i * w + j] = if a[i - 1] == b[j - 1] {
                t[(i - 1) * w + j - 1] + 1
            } else {
                t[(i - 1) * w + j].max(t[i * w + j - 1])
            };
        }
    }
    let total = t[alen * w + blen] as usize;
    if len_only {
        cx.out.int(total as i64);
        return Ok(());
    }
    let mut result = vec![0u8; total];
    let mut ranges: Vec<[i64; 5]> = Vec::new();
    let (mut i, mut j, mut k) = (alen, blen, total);
    let unset = alen;
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (unset, 0, 0, 0);
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            result[k - 1] = a[i - 1];
            if a_start == unset {
                (a_start, a_end, b_start, b_end) = (i - 1, i - 1, j - 1, j - 1);
            } else if a_start == i && b_start == j {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            k -= 1;
            i -= 1;
            j -= 1;
        } else {
            if t[(i - 1) * w + j] > t[i * w + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            if a_start != unset {
                emit = true;
            }
        }
        if emit {
            let len = (a_end - a_start + 1) as i64;
            if min_len == 0 || len >= min_len {
                ranges.push([
                    a_start as i64,
                    a_end as i64,
                    b_start as i64,
                    b_end as i64,
                    len,
                ]);
            }
            a_start = unset;
        }
    }
    if !idx {
        cx.out.bulk(&result);
        return Ok(());
    }
    cx.out.map(2);
    cx.out.bulk(b"matches");
    cx.out.array(ranges.len());
    for r in &ranges {
        cx.out.array(2 + usize::from(with_len));
        cx.out.array(2);
        cx.out.int(r[0]);
        cx.out.int(r[1]);
        cx.out.array(2);
        cx.out.int(r[2]);
        cx.out.int(r[3]);
        if with_len {
            cx.out.int(r[4]);
        }
    }
    cx.out.bulk(b"len");
    cx.out.int(total as i64);
    Ok(())
}

fn incr_generic(cx: &mut Ctx<'_>, key: &[u8], delta: i64) -> CmdResult {
    let n = cx.db().incr_by(key, delta)?;
    cx.propagate_argv();
    cx.out.int(n);
    Ok(())
}

/// INCR key
fn incr(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    incr_generic(cx, key, 1)
}

/// DECR key
fn decr(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    incr_generic(cx, key, -1)
}

/// INCRBY key increment
fn incrby(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let delta = args.i64()?;
    incr_generic(cx, key, delta)
}

/// DECRBY key decrement
fn decrby(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let delta = args.i64()?;
    let n = cx.db().decr_by(key, delta)?;
    cx.propagate_argv();
    cx.out.int(n);
    Ok(())
}

/// INCRBYFLOAT key increment
fn incrbyfloat(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let incr = args.bytes()?;
    let text = cx.db().incr_by_float(key, incr)?;
    // Replicas and the AOF get the result, so float formatting can never make them diverge.
    propagate_with(cx, || {
        vec![
            Bytes::from_static(b"SET"),
            key.clone(),
            text.clone(),
            Bytes::from_static(b"KEEPTTL"),
        ]
    });
    // A bulk string in RESP3 too, as Redis replies.
    cx.out.bulk(&text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Bytes> {
        s.split_whitespace()
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect()
    }

    /// NX, XX, GET, KEEPTTL, PERSIST, TTL kind.
    type Parsed = (bool, bool, bool, bool, bool, Option<TtlKind>);

    fn parse(s: &str, cmd: ExtFor) -> Result<Parsed, CmdError> {
        let v = words(s);
        let mut a = Args::new(&v);
        parse_ext(&mut a, cmd)
            .map(|o| (o.nx, o.xx, o.get, o.keepttl, o.persist, o.ttl.map(|t| t.0)))
    }

    #[test]
    fn set_options_follow_redis() {
        assert!(parse("NX XX", ExtFor::Set).is_err());
        assert!(parse("nx nx", ExtFor::Set).is_ok());
        assert!(parse("EX 10 PX 10", ExtFor::Set).is_err());
        assert!(parse("EX 10 KEEPTTL", ExtFor::Set).is_err());
        assert!(parse("KEEPTTL EX 10", ExtFor::Set).is_err());
        assert!(parse("EX", ExtFor::Set).is_err());
        assert_eq!(
            parse("ex 10 EX 20 get", ExtFor::Set),
            Ok((false, false, true, false, false, Some(TtlKind::Ex)))
        );
        // The number is not parsed here: `EX abc` is fine until the expiry is computed.
        assert!(parse("EX abc", ExtFor::Set).is_ok());
        assert!(parse("EX abc FOO", ExtFor::Set).is_err());
        assert!(parse("PERSIST", ExtFor::Set).is_err());
    }

    #[test]
    fn getex_options_follow_redis() {
        assert!(parse("PERSIST persist", ExtFor::GetEx).is_ok());
        assert!(parse("PERSIST EX 1", ExtFor::GetEx).is_err());
        assert!(parse("EX 1 PERSIST", ExtFor::GetEx).is_err());
        assert!(parse("KEEPTTL", ExtFor::GetEx).is_err());
        assert!(parse("NX", ExtFor::GetEx).is_err());
        assert!(parse("GET", ExtFor::GetEx).is_err());
    }

    #[test]
    fn expire_numbers() {
        assert_eq!(ttl_expiry((TtlKind::PxAt, b"5")), Ok(Expiry::PxAt(5)));
        assert_eq!(ttl_expiry((TtlKind::Ex, b"1.5")), Err(CmdError::NotInteger));
    }
}
