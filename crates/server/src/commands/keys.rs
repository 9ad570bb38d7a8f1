//! Keyspace commands: DEL, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, COPY, MOVE, the EXPIRE
//! and TTL families, PERSIST, TOUCH, OBJECT, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.
//!
//! Expiry effects reach the AOF in absolute form, as Redis 7.0 writes them: EXPIRE, PEXPIRE and
//! EXPIREAT become `PEXPIREAT key <ms> [options]`, and a time already in the past deletes the
//! key and is logged as `DEL key`.

use bytes::Bytes;
use store::{ExpireCondition, ExpireOutcome, KeyType, ScanOptions};

use crate::args::{parse_i64, Args};
use crate::commands::strings::propagate_with;
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::table::{Flags, Group, Spec};

const RF: Flags = Flags::READONLY_FAST;
const WF: Flags = Flags::WRITE_FAST;

/// The keyspace commands.
pub(crate) const TABLE: &[Spec] = &[
    Spec::new("del", -2, Flags::WRITE, 1, -1, 1, del).doc("Delete a key", "1.0.0", Group::Generic),
    Spec::new("unlink", -2, WF, 1, -1, 1, del).doc(
        "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
        "4.0.0",
        Group::Generic,
    ),
    Spec::new("exists", -2, RF, 1, -1, 1, exists).doc(
        "Determine if a key exists",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("type", 2, RF, 1, 1, 1, type_).doc(
        "Determine the type stored at key",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("keys", 2, Flags::READONLY, 0, 0, 0, keys).doc(
        "Find all keys matching the given pattern",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("scan", -2, Flags::READONLY, 0, 0, 0, scan).doc(
        "Incrementally iterate the keys space",
        "2.8.0",
        Group::Generic,
    ),
    Spec::new("randomkey", 1, Flags::READONLY, 0, 0, 0, randomkey).doc(
        "Return a random key from the keyspace",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("rename", 3, Flags::WRITE, 1, 2, 1, rename).doc(
        "Rename a key",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("renamenx", 3, WF, 1, 2, 1, renamenx).doc(
        "Rename a key, only if the new key does not exist",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("copy", -3, Flags::WRITE_DENYOOM, 1, 2, 1, copy).doc(
        "Copy a key",
        "6.2.0",
        Group::Generic,
    ),
    Spec::new("move", 3, WF, 1, 1, 1, move_).doc(
        "Move a key to another database",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("expire", -3, WF, 1, 1, 1, expire).doc(
        "Set a key's time to live in seconds",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("pexpire", -3, WF, 1, 1, 1, pexpire).doc(
        "Set a key's time to live in milliseconds",
        "2.6.0",
        Group::Generic,
    ),
    Spec::new("expireat", -3, WF, 1, 1, 1, expireat).doc(
        "Set the expiration for a key as a UNIX timestamp",
        "1.2.0",
        Group::Generic,
    ),
    Spec::new("pexpireat", -3, WF, 1, 1, 1, pexpireat).doc(
        "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        "2.6.0",
        Group::Generic,
    ),
    Spec::new("ttl", 2, RF, 1, 1, 1, ttl).doc(
        "Get the time to live for a key in seconds",
        "1.0.0",
        Group::Generic,
    ),
    Spec::new("pttl", 2, RF, 1, 1, 1, pttl).doc(
        "Get the time to live for a key in milliseconds",
        "2.6.0",
        Group::Generic,
    ),
    Spec::new("expiretime", 2, RF, 1, 1, 1, expiretime).doc(
        "Get the expiration Unix timestamp for a key",
        "7.0.0",
        Group::Generic,
    ),
    Spec::new("pexpiretime", 2, RF, 1, 1, 1, pexpiretime).doc(
        "Get the expiration Unix timestamp for a key in milliseconds",
        "7.0.0",
        Group::Generic,
    ),
    Spec::new("persist", 2, WF, 1, 1, 1, persist).doc(
        "Remove the expiration from a key",
        "2.2.0",
        Group::Generic,
    ),
    Spec::new("touch", -2, RF, 1, -1, 1, touch).doc(
        "Alters the last access time of a key(s). Returns the number of existing keys specified.",
        "3.2.1",
        Group::Generic,
    ),
    Spec::container("object", -2, OBJECT).doc(
        "A container for object introspection commands",
        "2.2.3",
        Group::Generic,
    ),
    Spec::new("dbsize", 1, RF, 0, 0, 0, dbsize).doc(
        "Return the number of keys in the selected database",
        "1.0.0",
        Group::Server,
    ),
    Spec::new("flushdb", -1, Flags::WRITE, 0, 0, 0, flushdb).doc(
        "Remove all keys from the current database",
        "1.0.0",
        Group::Server,
    ),
    Spec::new("flushall", -1, Flags::WRITE, 0, 0, 0, flushall).doc(
        "Remove all keys from all databases",
        "1.0.0",
        Group::Server,
    ),
    Spec::new("swapdb", 3, WF, 0, 0, 0, swapdb).doc(
        "Swaps two Redis databases",
        "4.0.0",
        Group::Server,
    ),
];

/// OBJECT's subcommands.
const OBJECT: &[Spec] = &[
    Spec::new(
        "object|encoding",
        3,
        Flags::READONLY,
        2,
        2,
        1,
        object_encoding,
    )
    .doc(
        "Inspect the internal encoding of a Redis object",
        "2.2.3",
        Group::Generic,
    ),
    Spec::new("object|freq", 3, Flags::READONLY, 2, 2, 1, object_freq).doc(
        "Get the logarithmic access frequency counter of a Redis object",
        "4.0.0",
        Group::Generic,
    ),
    Spec::new(
        "object|idletime",
        3,
        Flags::READONLY,
        2,
        2,
        1,
        object_idletime,
    )
    .doc(
        "Get the time since a Redis object was last accessed",
        "2.2.3",
        Group::Generic,
    ),
    Spec::new(
        "object|refcount",
        3,
        Flags::READONLY,
        2,
        2,
        1,
        object_refcount,
    )
    .doc(
        "Get the number of references to the value of the key",
        "2.2.3",
        Group::Generic,
    ),
    Spec::new(
        "object|help",
        2,
        Flags::LOADING.or(Flags::STALE),
        0,
        0,
        0,
        object_help,
    )
    .doc(
        "Show helpful text about the different subcommands",
        "6.2.0",
        Group::Generic,
    ),
];

// ------------------------------------------------------------------------------- helpers

/// Parses a SCAN cursor as Redis does (`strtoul`, base 10, whole string): an optional sign
/// (a negative number wraps around), no leading space, no trailing bytes, no overflow; the
/// empty string is cursor 0. [`CmdError::InvalidCursor`] otherwise.
pub(crate) fn parse_cursor(s: &[u8]) -> Result<u64, CmdError> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        // strtoul consumed nothing: valid only if there was nothing to consume.
        return if s.is_empty() {
            Ok(0)
        } else {
            Err(CmdError::InvalidCursor)
        };
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(CmdError::InvalidCursor);
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or(CmdError::InvalidCursor)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// Parses `[MATCH pattern] [COUNT count] [TYPE type]` (TYPE only for SCAN) as Redis's
/// `scanGenericCommand`: COUNT must be an integer (else "not an integer") and at least 1 (else
/// a syntax error); any other word, or an option without its value, is a syntax error.
pub(crate) fn parse_scan_options<'a>(
    args: &mut Args<'a>,
    allow_type: bool,
) -> Result<ScanOptions<'a>, CmdError> {
    let mut opts = ScanOptions {
        count: 10,
        ..ScanOptions::default()
    };
    while let Some(word) = args.next() {
        let has_value = !args.is_empty();
        if word.eq_ignore_ascii_case(b"count") && has_value {
            let n = args.i64()?;
            if n < 1 {
                return Err(CmdError::Syntax);
            }
            opts.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if word.eq_ignore_ascii_case(b"match") && has_value {
            let p = args.bytes()?;
            opts.pattern = (p.as_ref() != b"*").then_some(p.as_ref());
        } else if allow_type && word.eq_ignore_ascii_case(b"type") && has_value {
            opts.key_type = Some(KeyType::parse(args.bytes()?));
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(opts)
}

/// A database index argument: an integer (`getIntFromObject`: it must fit an `i32`) in range.
fn db_index(cx: &Ctx<'_>, arg: &[u8]) -> Result<usize, CmdError> {
    let n = parse_i64(arg)
        .filter(|n| i32::try_from(*n).is_ok())
        .ok_or(CmdError::NotInteger)?;
    usize::try_from(n)
        .ok()
        .filter(|&i| i < cx.store().databases())
        .ok_or(CmdError::DbIndexOutOfRange)
}

fn bulk_u64(cx: &mut Ctx<'_>, n: u64) {
    let mut fmt = itoa::Buffer::new();
    cx.out.bulk(fmt.format(n).as_bytes());
}

// ------------------------------------------------------------------------------- commands

/// DEL key [key ...] (also UNLINK key [key ...])
fn del(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let keys = args.take_rest();
    let n = cx.db().del(keys);
    if n > 0 {
        cx.propagate_argv();
    }
    cx.out.int(n as i64);
    Ok(())
}

/// EXISTS key [key ...]
fn exists(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let keys = args.take_rest();
    let n = cx.db().exists(keys);
    cx.out.int(n as i64);
    Ok(())
}

/// TOUCH key [key ...]
fn touch(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let keys = args.take_rest();
    let n = cx.db().touch(keys);
    cx.out.int(n as i64);
    Ok(())
}

/// TYPE key
fn type_(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let name = cx.db().key_type(key).map_or("none", KeyType::as_str);
    cx.out.simple(name.as_bytes());
    Ok(())
}

/// KEYS pattern
fn keys(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let pattern = args.bytes()?;
    let keys = cx.db().keys(pattern);
    cx.out.bulks(&keys);
    Ok(())
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
fn scan(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let cursor = parse_cursor(args.bytes()?)?;
    let opts = parse_scan_options(&mut args, true)?;
    let (next, keys) = cx.db().scan(cursor, opts);
    cx.out.array(2);
    bulk_u64(cx, next);
    cx.out.bulks(&keys);
    Ok(())
}

/// RANDOMKEY
fn randomkey(cx: &mut Ctx<'_>, _args: Args<'_>) -> CmdResult {
    let key = cx.db().randomkey();
    cx.out.opt_bulk(key.as_deref());
    Ok(())
}

/// RENAME key newkey
fn rename(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (src, dst) = (args.key()?, args.key()?);
    cx.db().rename(src, dst)?;
    // Renaming a key to itself changes nothing and is not propagated.
    if src != dst {
        cx.propagate_argv();
    }
    cx.out.ok();
    Ok(())
}

/// RENAMENX key newkey
fn renamenx(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (src, dst) = (args.key()?, args.key()?);
    let done = cx.db().renamenx(src, dst)?;
    if done {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(done));
    Ok(())
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (src, dst) = (args.key()?, args.key()?);
    let mut target = None;
    let mut replace = false;
    // Options are checked in order, the DB index as soon as it is read (Redis's order).
    while let Some(word) = args.next() {
        if word.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if word.eq_ignore_ascii_case(b"db") && !args.is_empty() {
            let arg = args.bytes()?;
            let n = parse_i64(arg).ok_or(CmdError::NotInteger)?;
            let i = usize::try_from(n)
                .ok()
                .filter(|&i| i < cx.store().databases())
                .ok_or(CmdError::DbIndexOutOfRange)?;
            target = Some(i);
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let done = cx.db().copy(src, dst, target, replace)?;
    if done {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(done));
    Ok(())
}

/// MOVE key db
fn move_(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let target = db_index(cx, args.bytes()?)?;
    let done = cx.db().move_key(key, target)?;
    if done {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(done));
    Ok(())
}

/// Which EXPIRE-family command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireCmd {
    Expire,
    PExpire,
    ExpireAt,
    PExpireAt,
}

/// Parses `NX | XX | GT | LT` as Redis's `parseExtendedExpireArgumentsOrReply`.
fn expire_condition(args: &mut Args<'_>) -> Result<ExpireCondition, CmdError> {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in args.take_rest() {
        if opt.eq_ignore_ascii_case(b"nx") {
            nx = true;
        } else if opt.eq_ignore_ascii_case(b"xx") {
            xx = true;
        } else if opt.eq_ignore_ascii_case(b"gt") {
            gt = true;
        } else if opt.eq_ignore_ascii_case(b"lt") {
            lt = true;
        } else {
            return Err(CmdError::ErrOwned(format!(
                "Unsupported option {}",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(CmdError::Err(
            "NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if gt && lt {
        return Err(CmdError::Err(
            "GT and LT options at the same time are not compatible",
        ));
    }
    Ok(match (nx, xx, gt, lt) {
        (true, ..) => ExpireCondition::Nx,
        // GT never applies to a key without TTL, so XX adds nothing to it.
        (_, _, true, _) => ExpireCondition::Gt,
        (_, true, _, true) => ExpireCondition::XxLt,
        (_, _, _, true) => ExpireCondition::Lt,
        (_, true, ..) => ExpireCondition::Xx,
        _ => ExpireCondition::Always,
    })
}

fn expire_generic(cx: &mut Ctx<'_>, mut args: Args<'_>, which: ExpireCmd) -> CmdResult {
    let key = args.key()?;
    let when = args.bytes()?;
    let cond = expire_condition(&mut args)?;
    let when = parse_i64(when).ok_or(CmdError::NotInteger)?;
    let db = cx.db();
    let outcome = match which {
        ExpireCmd::Expire => db.expire(key, when, cond)?,
        ExpireCmd::PExpire => db.pexpire(key, when, cond)?,
        ExpireCmd::ExpireAt => db.expireat(key, when, cond)?,
        ExpireCmd::PExpireAt => db.pexpireat(key, when, cond)?,
    };
    match outcome {
        ExpireOutcome::NotSet => {}
        ExpireOutcome::Set(_) if which == ExpireCmd::PExpireAt => cx.propagate_argv(),
        ExpireOutcome::Set(at) => {
            // PEXPIREAT key <absolute ms>, the options kept (Redis rewrites argv 0 and 2).
            let argv = cx.argv;
            propagate_with(cx, || {
                let mut v = argv.to_vec();
                v[0] = Bytes::from_static(b"PEXPIREAT");
                v[2] = Bytes::copy_from_slice(itoa::Buffer::new().format(at).as_bytes());
                v
            });
        }
        ExpireOutcome::Deleted => {
            propagate_with(cx, || vec![Bytes::from_static(b"DEL"), key.clone()]);
        }
    }
    cx.out.int(outcome.as_int());
    Ok(())
}

/// EXPIRE key seconds [NX | XX | GT | LT]
fn expire(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    expire_generic(cx, args, ExpireCmd::Expire)
}

/// PEXPIRE key milliseconds [NX | XX | GT | LT]
fn pexpire(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    expire_generic(cx, args, ExpireCmd::PExpire)
}

/// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
fn expireat(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    expire_generic(cx, args, ExpireCmd::ExpireAt)
}

/// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
fn pexpireat(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    expire_generic(cx, args, ExpireCmd::PExpireAt)
}

/// TTL key
fn ttl(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let n = cx.db().ttl(key);
    cx.out.int(n);
    Ok(())
}

/// PTTL key
fn pttl(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let n = cx.db().pttl(key);
    cx.out.int(n);
    Ok(())
}

/// EXPIRETIME key
fn expiretime(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let n = cx.db().expiretime(key);
    cx.out.int(n);
    Ok(())
}

/// PEXPIRETIME key
fn pexpiretime(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let n = cx.db().pexpiretime(key);
    cx.out.int(n);
    Ok(())
}

/// PERSIST key
fn persist(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let done = cx.db().persist(key);
    if done {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(done));
    Ok(())
}

/// Whether the configured maxmemory-policy is an LFU one.
fn lfu_policy(cx: &Ctx<'_>) -> bool {
    cx.shared
        .config
        .read()
        .str("maxmemory-policy")
        .contains("lfu")
}

/// OBJECT ENCODING key
fn object_encoding(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    match cx.db().object_encoding(key) {
        Some(e) => cx.out.bulk(e.as_str().as_bytes()),
        None => cx.out.null(),
    }
    Ok(())
}

/// OBJECT FREQ key
fn object_freq(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let Some(freq) = cx.db().object_freq(key) else {
        cx.out.null();
        return Ok(());
    };
    if !lfu_policy(cx) {
        return Err(CmdError::Err(
            "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    cx.out.int(i64::from(freq));
    Ok(())
}

/// OBJECT IDLETIME key
fn object_idletime(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let Some(idle) = cx.db().object_idletime(key) else {
        cx.out.null();
        return Ok(());
    };
    if lfu_policy(cx) {
        return Err(CmdError::Err(
            "An LRU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    cx.out.int(idle as i64);
    Ok(())
}

/// Redis shares the objects of the integers 0..9999 (`OBJ_SHARED_INTEGERS`): their refcount is
/// `OBJ_SHARED_REFCOUNT`.
const OBJ_SHARED_INTEGERS: i64 = 10_000;
const OBJ_SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// OBJECT REFCOUNT key
fn object_refcount(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let db = cx.db();
    let Some(enc) = db.object_encoding(key) else {
        cx.out.null();
        return Ok(());
    };
    let shared = enc == store::Encoding::Int
        && db
            .get(key)
            .ok()
            .flatten()
            .and_then(|v| parse_i64(&v))
            .is_some_and(|n| (0..OBJ_SHARED_INTEGERS).contains(&n));
    cx.out.int(if shared { OBJ_SHARED_REFCOUNT } else { 1 });
    Ok(())
}

/// OBJECT HELP
fn object_help(cx: &mut Ctx<'_>, _args: Args<'_>) -> CmdResult {
    const LINES: &[&str] = &[
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];
    cx.out.array(LINES.len());
    for l in LINES {
        cx.out.simple(l.as_bytes());
    }
    Ok(())
}

/// DBSIZE
fn dbsize(cx: &mut Ctx<'_>, _args: Args<'_>) -> CmdResult {
    let n = cx.db().dbsize();
    cx.out.int(n as i64);
    Ok(())
}

/// `[ASYNC | SYNC]` of FLUSHDB/FLUSHALL (both free inline here).
fn flush_mode(args: &mut Args<'_>) -> CmdResult {
    match args.take_rest() {
        [] => Ok(()),
        [m] if m.eq_ignore_ascii_case(b"async") || m.eq_ignore_ascii_case(b"sync") => Ok(()),
        _ => Err(CmdError::Syntax),
    }
}

/// FLUSHDB [ASYNC | SYNC]
fn flushdb(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    flush_mode(&mut args)?;
    cx.db().flushdb();
    cx.propagate_argv();
    cx.out.ok();
    Ok(())
}

/// FLUSHALL [ASYNC | SYNC]
fn flushall(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    flush_mode(&mut args)?;
    cx.store().flushall();
    cx.propagate_argv();
    cx.out.ok();
    Ok(())
}

/// SWAPDB index1 index2
fn swapdb(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let a = args.bytes()?;
    let b = args.bytes()?;
    let int = |s: &[u8]| parse_i64(s).filter(|n| i32::try_from(*n).is_ok());
    let a = int(a).ok_or(CmdError::Err("invalid first DB index"))?;
    let b = int(b).ok_or(CmdError::Err("invalid second DB index"))?;
    cx.store().swapdb(a, b)?;
    cx.propagate_argv();
    cx.out.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b""), Ok(0));
        assert_eq!(parse_cursor(b"+5"), Ok(5));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_cursor(b"18446744073709551616"),
            Err(CmdError::InvalidCursor)
        );
        assert_eq!(parse_cursor(b" 5"), Err(CmdError::InvalidCursor));
        assert_eq!(parse_cursor(b"5 "), Err(CmdError::InvalidCursor));
        assert_eq!(parse_cursor(b"+"), Err(CmdError::InvalidCursor));
        assert_eq!(parse_cursor(b"abc"), Err(CmdError::InvalidCursor));
    }

    fn cond(words: &[&str]) -> Result<ExpireCondition, CmdError> {
        let v: Vec<Bytes> = words
            .iter()
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect();
        expire_condition(&mut Args::new(&v))
    }

    #[test]
    fn expire_options() {
        assert_eq!(cond(&[]), Ok(ExpireCondition::Always));
        assert_eq!(cond(&["xx", "GT"]), Ok(ExpireCondition::Gt));
        assert_eq!(cond(&["LT", "xx"]), Ok(ExpireCondition::XxLt));
        assert!(cond(&["nx", "xx"]).is_err());
        assert!(cond(&["gt", "lt"]).is_err());
        assert_eq!(
            cond(&["foo"]).map_err(|e| e.to_string()),
            Err("ERR Unsupported option foo".to_string())
        );
    }
}
