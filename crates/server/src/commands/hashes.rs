//! Hash commands: HSET, HGET, HMGET, HGETALL, HDEL, HINCRBY(FLOAT), HRANDFIELD, HSCAN...
//!
//! HINCRBYFLOAT reaches the AOF as `HSET key field <result>`; everything else that changed the
//! hash is propagated as received.

use bytes::Bytes;

use crate::args::Args;
use crate::commands::keys::{parse_cursor, parse_scan_options};
use crate::commands::strings::propagate_with;
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::table::{Flags, Group, Spec};

const WDF: Flags = Flags::WRITE_DENYOOM_FAST;
const RF: Flags = Flags::READONLY_FAST;

/// The hash commands.
pub(crate) const TABLE: &[Spec] = &[
    Spec::new("hset", -4, WDF, 1, 1, 1, hset).doc(
        "Set the string value of a hash field",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hsetnx", 4, WDF, 1, 1, 1, hsetnx).doc(
        "Set the value of a hash field, only if the field does not exist",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hget", 3, RF, 1, 1, 1, hget).doc(
        "Get the value of a hash field",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hmget", -3, RF, 1, 1, 1, hmget).doc(
        "Get the values of all the given hash fields",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hmset", -4, WDF, 1, 1, 1, hmset).doc(
        "Set multiple hash fields to multiple values",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hgetall", 2, Flags::READONLY, 1, 1, 1, hgetall).doc(
        "Get all the fields and values in a hash",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hdel", -3, Flags::WRITE_FAST, 1, 1, 1, hdel).doc(
        "Delete one or more hash fields",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hexists", 3, RF, 1, 1, 1, hexists).doc(
        "Determine if a hash field exists",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hlen", 2, RF, 1, 1, 1, hlen).doc(
        "Get the number of fields in a hash",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hkeys", 2, Flags::READONLY, 1, 1, 1, hkeys).doc(
        "Get all the fields in a hash",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hvals", 2, Flags::READONLY, 1, 1, 1, hvals).doc(
        "Get all the values in a hash",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hstrlen", 3, RF, 1, 1, 1, hstrlen).doc(
        "Get the length of the value of a hash field",
        "3.2.0",
        Group::Hash,
    ),
    Spec::new("hincrby", 4, WDF, 1, 1, 1, hincrby).doc(
        "Increment the integer value of a hash field by the given number",
        "2.0.0",
        Group::Hash,
    ),
    Spec::new("hincrbyfloat", 4, WDF, 1, 1, 1, hincrbyfloat).doc(
        "Increment the float value of a hash field by the given amount",
        "2.6.0",
        Group::Hash,
    ),
    Spec::new("hrandfield", -2, Flags::READONLY, 1, 1, 1, hrandfield).doc(
        "Get one or multiple random fields from a hash",
        "6.2.0",
        Group::Hash,
    ),
    Spec::new("hscan", -3, Flags::READONLY, 1, 1, 1, hscan).doc(
        "Incrementally iterate hash fields and associated values",
        "2.8.0",
        Group::Hash,
    ),
];

/// The field/value pairs of HSET/HMSET; an odd count is a wrong-arity error naming `cmd`.
fn field_values<'a>(args: &mut Args<'a>, cmd: &'static str) -> Result<&'a [Bytes], CmdError> {
    let kv = args.take_rest();
    if kv.is_empty() || kv.len() % 2 != 0 {
        return Err(CmdError::arity(cmd));
    }
    Ok(kv)
}

/// HSET key field value [field value ...]
fn hset(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let kv = field_values(&mut args, "hset")?;
    let added = cx.db().hset_args(key, kv)?;
    cx.propagate_argv();
    cx.out.int(added as i64);
    Ok(())
}

/// HMSET key field value [field value ...]
fn hmset(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let kv = field_values(&mut args, "hmset")?;
    cx.db().hset_args(key, kv)?;
    cx.propagate_argv();
    cx.out.ok();
    Ok(())
}

/// HSETNX key field value
fn hsetnx(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, field, value) = (args.key()?, args.bytes()?, args.bytes()?);
    let set = cx.db().hsetnx(key, field, value)?;
    if set {
        cx.propagate_argv();
    }
    cx.out.int(i64::from(set));
    Ok(())
}

/// HGET key field
fn hget(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, field) = (args.key()?, args.bytes()?);
    let db = cx.db();
    let out = &mut cx.out;
    db.hget_with(key, field, |v| out.opt_bulk(v))?;
    Ok(())
}

/// HMGET key field [field ...]
fn hmget(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let fields = args.take_rest();
    let values = cx.db().hmget(key, fields)?;
    cx.out.array(values.len());
    for v in &values {
        cx.out.opt_bulk(v.as_deref());
    }
    Ok(())
}

/// HGETALL key
fn hgetall(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let pairs = cx.db().hgetall(key)?;
    cx.out.map(pairs.len());
    for (f, v) in &pairs {
        cx.out.bulk(f);
        cx.out.bulk(v);
    }
    Ok(())
}

/// HDEL key field [field ...]
fn hdel(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let fields = args.take_rest();
    let n = cx.db().hdel(key, fields)?;
    if n > 0 {
        cx.propagate_argv();
    }
    cx.out.int(n as i64);
    Ok(())
}

/// HEXISTS key field
fn hexists(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, field) = (args.key()?, args.bytes()?);
    let b = cx.db().hexists(key, field)?;
    cx.out.int(i64::from(b));
    Ok(())
}

/// HLEN key
fn hlen(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let n = cx.db().hlen(key)?;
    cx.out.int(n as i64);
    Ok(())
}

/// HKEYS key
fn hkeys(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let keys = cx.db().hkeys(key)?;
    cx.out.bulks(&keys);
    Ok(())
}

/// HVALS key
fn hvals(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let vals = cx.db().hvals(key)?;
    cx.out.bulks(&vals);
    Ok(())
}

/// HSTRLEN key field
fn hstrlen(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, field) = (args.key()?, args.bytes()?);
    let n = cx.db().hstrlen(key, field)?;
    cx.out.int(n as i64);
    Ok(())
}

/// HINCRBY key field increment
fn hincrby(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, field) = (args.key()?, args.bytes()?);
    let delta = args.i64()?;
    let n = cx.db().hincrby(key, field, delta)?;
    cx.propagate_argv();
    cx.out.int(n);
    Ok(())
}

/// HINCRBYFLOAT key field increment
fn hincrbyfloat(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let (key, field, incr) = (args.key()?, args.bytes()?, args.bytes()?);
    let text = cx.db().hincrbyfloat(key, field, incr)?;
    propagate_with(cx, || {
        vec![
            Bytes::from_static(b"HSET"),
            key.clone(),
            field.clone(),
            text.clone(),
        ]
    });
    cx.out.bulk(&text);
    Ok(())
}

/// HRANDFIELD key [count [WITHVALUES]]
fn hrandfield(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let Some(count) = args.next() else {
        let field = cx.db().hrandfield(key)?;
        cx.out.opt_bulk(field.as_deref());
        return Ok(());
    };
    let count = crate::args::parse_i64(count)
        .ok_or(CmdError::NotInteger)
        .and_then(|n| {
            if n == i64::MIN {
                Err(CmdError::Err(
                    "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                ))
            } else {
                Ok(n)
            }
        })?;
    let withvalues = match args.next() {
        None => false,
        Some(w) if args.is_empty() && w.eq_ignore_ascii_case(b"withvalues") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CmdError::Err("value is out of range"));
    }
    let pairs = cx.db().hrandfield_count(key, count)?;
    let resp3_pairs = withvalues && cx.out.resp3();
    if withvalues && !resp3_pairs {
        cx.out.array(pairs.len() * 2);
    } else {
        cx.out.array(pairs.len());
    }
    for (f, v) in &pairs {
        if resp3_pairs {
            cx.out.array(2);
        }
        cx.out.bulk(f);
        if withvalues {
            cx.out.bulk(v);
        }
    }
    Ok(())
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
fn hscan(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let cursor = parse_cursor(args.bytes()?)?;
    // Redis checks the key (missing: an empty scan; WRONGTYPE) before the options.
    match cx.db().key_type(key) {
        None => {
            cx.out.array(2);
            cx.out.bulk(b"0");
            cx.out.array(0);
            return Ok(());
        }
        Some(store::KeyType::Hash) => {}
        Some(_) => return Err(CmdError::WrongType),
    }
    let opts = parse_scan_options(&mut args, false)?;
    let (next, pairs) = cx.db().hscan(key, cursor, opts)?;
    cx.out.array(2);
    cx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    cx.out.array(pairs.len() * 2);
    for (f, v) in &pairs {
        cx.out.bulk(f);
        cx.out.bulk(v);
    }
    Ok(())
}
