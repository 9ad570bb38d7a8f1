//! String commands (owner: "data" helper; GET and SET written by "core" as the example).

use bytes::Bytes;
use store::{Expiry, SetCondition, SetOptions};

use crate::args::Args;
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::table::{Flags, Group, Spec};

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
];

/// GET key
fn get(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let value = cx.db().get(key)?;
    cx.count_lookup(value.is_some());
    cx.out.opt_bulk(value.as_deref());
    Ok(())
}

/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | KEEPTTL]
fn set(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    let value = args.bytes()?;
    let mut opts = SetOptions::default();
    while let Some(word) = args.next() {
        let w = word.as_ref();
        if w.eq_ignore_ascii_case(b"nx") && opts.condition != SetCondition::IfExists {
            opts.condition = SetCondition::IfMissing;
        } else if w.eq_ignore_ascii_case(b"xx") && opts.condition != SetCondition::IfMissing {
            opts.condition = SetCondition::IfExists;
        } else if w.eq_ignore_ascii_case(b"get") {
            opts.get = true;
        } else if w.eq_ignore_ascii_case(b"keepttl")
            && matches!(opts.expiry, Expiry::None | Expiry::KeepTtl)
        {
            opts.expiry = Expiry::KeepTtl;
        } else if let Some(make) = expiry_word(w) {
            // A second EX/PX... is accepted if it is the same kind (`EX 10 EX 20`).
            let same_kind = match opts.expiry {
                Expiry::None => true,
                e => std::mem::discriminant(&e) == std::mem::discriminant(&make(0)),
            };
            if !same_kind {
                return Err(CmdError::Syntax);
            }
            let n = args.i64()?;
            if n <= 0 {
                return Err(CmdError::InvalidExpireTime("set"));
            }
            opts.expiry = make(n);
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let outcome = cx
        .db()
        .set(key, value, opts)
        .map_err(|e| e.for_command("set"))?;
    if outcome.written {
        // The AOF gets the effect: SET key value, then an absolute PEXPIREAT if a TTL was set
        // from a relative or absolute option (KEEPTTL keeps whatever the key had).
        if cx.propagating() {
            cx.propagate(&[Bytes::from_static(b"SET"), key.clone(), value.clone()]);
            if let (Some(at), false) = (
                outcome.expire_at,
                matches!(opts.expiry, Expiry::KeepTtl | Expiry::None),
            ) {
                let mut fmt = itoa::Buffer::new();
                let at = Bytes::copy_from_slice(fmt.format(at).as_bytes());
                cx.propagate(&[Bytes::from_static(b"PEXPIREAT"), key.clone(), at]);
            }
        } else {
            cx.propagate(&[]);
        }
    }
    if opts.get {
        cx.out.opt_bulk(outcome.old.as_deref());
    } else if outcome.written {
        cx.out.ok();
    } else {
        cx.out.null();
    }
    Ok(())
}

/// `EX`/`PX`/`EXAT`/`PXAT` → the matching [`Expiry`] constructor.
fn expiry_word(w: &[u8]) -> Option<fn(i64) -> Expiry> {
    if w.eq_ignore_ascii_case(b"ex") {
        Some(Expiry::Ex)
    } else if w.eq_ignore_ascii_case(b"px") {
        Some(Expiry::Px)
    } else if w.eq_ignore_ascii_case(b"exat") {
        Some(Expiry::ExAt)
    } else if w.eq_ignore_ascii_case(b"pxat") {
        Some(Expiry::PxAt)
    } else {
        None
    }
}
