//! MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queued commands were validated when queued (unknown command, arity, auth: the transaction is
//! flagged and EXEC replies EXECABORT). EXEC checks WATCH and runs the queue inside
//! [`store::Store::exclusive`], so no other client observes a half-applied transaction; the
//! effects reach the AOF wrapped in MULTI ... EXEC.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::args::Args;
use crate::client::Multi;
use crate::ctx::Ctx;
use crate::dispatch;
use crate::error::{CmdError, CmdResult};
use crate::table::{Flags, Group, Spec};

const TX: Flags = Flags::NOSCRIPT
    .or(Flags::LOADING)
    .or(Flags::STALE)
    .or(Flags::FAST)
    .or(Flags::ALLOW_BUSY);

/// The transaction commands.
pub(crate) const TABLE: &[Spec] = &[
    Spec::new("multi", 1, TX, 0, 0, 0, multi).doc(
        "Mark the start of a transaction block",
        "1.2.0",
        Group::Transactions,
    ),
    Spec::new(
        "exec",
        1,
        Flags::NOSCRIPT
            .or(Flags::LOADING)
            .or(Flags::STALE)
            .or(Flags::SKIP_SLOWLOG),
        0,
        0,
        0,
        exec,
    )
    .doc(
        "Execute all commands issued after MULTI",
        "1.2.0",
        Group::Transactions,
    ),
    Spec::new("discard", 1, TX, 0, 0, 0, discard).doc(
        "Discard all commands issued after MULTI",
        "2.0.0",
        Group::Transactions,
    ),
    Spec::new("watch", -2, TX, 1, -1, 1, watch).doc(
        "Watch the given keys to determine execution of the MULTI/EXEC block",
        "2.2.0",
        Group::Transactions,
    ),
    Spec::new("unwatch", 1, TX, 0, 0, 0, unwatch).doc(
        "Forget about all watched keys",
        "2.2.0",
        Group::Transactions,
    ),
];

/// MULTI
fn multi(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    if cx.client.multi.is_some() {
        return Err(CmdError::NestedMulti);
    }
    cx.client.multi = Some(Multi::default());
    cx.client.info.in_multi.store(true, Ordering::Relaxed);
    cx.out.ok();
    Ok(())
}

fn end_multi(cx: &mut Ctx<'_>) -> Option<Multi> {
    cx.client.info.in_multi.store(false, Ordering::Relaxed);
    cx.client.watched.clear();
    cx.client.multi.take()
}

/// DISCARD
fn discard(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    if cx.client.multi.is_none() {
        return Err(CmdError::DiscardWithoutMulti);
    }
    end_multi(cx);
    cx.out.ok();
    Ok(())
}

/// EXEC
fn exec(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    if cx.client.multi.is_none() {
        return Err(CmdError::ExecWithoutMulti);
    }
    let watched = std::mem::take(&mut cx.client.watched);
    let Some(m) = end_multi(cx) else {
        return Err(CmdError::ExecWithoutMulti);
    };
    if m.dirty {
        return Err(CmdError::ExecAbort);
    }
    let shared = cx.shared;
    let store = cx.store();
    let mut effects: Vec<(usize, Vec<Bytes>)> = Vec::new();
    let collecting = cx.propagating();
    let ran = store.exclusive(|_tx| {
        if store.any_watch_changed(&watched) {
            return false;
        }
        cx.out.array(m.queue.len());
        for argv in &m.queue {
            let result = match dispatch::resolve(shared, argv) {
                Ok((spec, words)) => dispatch::call(
                    shared,
                    cx.client,
                    spec,
                    words,
                    argv,
                    cx.out.buf(),
                    collecting.then_some(&mut effects),
                ),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                shared.stats.error_replies.add(1);
                cx.out.error(&e);
            }
        }
        if !effects.is_empty() {
            if let Some(sink) = shared.propagate.read().as_ref() {
                let db = effects[0].0;
                sink.append(db, &[Bytes::from_static(b"MULTI")]);
                for (db, argv) in &effects {
                    sink.append(*db, argv);
                }
                let last = effects.last().map(|e| e.0).unwrap_or(db);
                sink.append(last, &[Bytes::from_static(b"EXEC")]);
                cx.client.propagated = true;
            }
        }
        true
    });
    drop(watched);
    if !ran {
        cx.out.null_array();
    }
    Ok(())
}

/// WATCH key [key ...]
fn watch(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    if cx.client.multi.is_some() {
        return Err(CmdError::WatchInMulti);
    }
    let db = cx.client.db;
    for key in args.rest() {
        let token = cx.store().watch(db, key);
        cx.client.watched.push(token);
    }
    cx.out.ok();
    Ok(())
}

/// UNWATCH
fn unwatch(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.client.watched.clear();
    cx.out.ok();
    Ok(())
}
