//! Command dispatch: lookup, subcommand resolution, arity, auth, MULTI queueing, then the
//! handler. The connection loop, EXEC and AOF replay all come through here.

use std::sync::atomic::Ordering;
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};

use crate::args::Args;
use crate::client::{Client, ReplyMode};
use crate::ctx::{Ctx, Out};
use crate::error::{CmdError, CmdResult};
use crate::shared::Shared;
use crate::table::{self, Flags, Spec};

/// Resolves `argv` to its spec (the subcommand's for a container) and checks arity.
/// Returns the spec and how many leading words name it (1, or 2 for a subcommand).
pub(crate) fn resolve(shared: &Shared, argv: &[Bytes]) -> Result<(&'static Spec, usize), CmdError> {
    let Some(spec) = shared.table.get(&argv[0]) else {
        return Err(CmdError::unknown_command(&argv[0], &argv[1..]));
    };
    if spec.subs.is_empty() {
        if !spec.arity_ok(argv.len()) {
            return Err(CmdError::arity(spec.name));
        }
        return Ok((spec, 1));
    }
    if argv.len() < 2 {
        if spec.arity_ok(1) {
            // A container usable bare (COMMAND).
            return Ok((spec, 1));
        }
        return Err(CmdError::arity(spec.name));
    }
    let Some(sub) = table::sub(spec, &argv[1]) else {
        return Err(CmdError::unknown_subcommand(spec.name, &argv[1]));
    };
    if !sub.arity_ok(argv.len()) {
        return Err(CmdError::arity(sub.name));
    }
    Ok((sub, 2))
}

/// Whether `spec` is one of the commands MULTI runs immediately instead of queueing.
fn runs_in_multi(spec: &Spec) -> bool {
    matches!(
        spec.name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

/// Executes one command from a client, writing its reply (or error) to `out`.
pub(crate) fn execute(shared: &Shared, client: &mut Client, argv: &[Bytes], out: &mut BytesMut) {
    let mark = out.len();
    let proto = client.proto;
    let result = execute_inner(shared, client, argv, out);
    if let Err(e) = result {
        shared.stats.error_replies.add(1);
        Out::new(out, proto).error(&e);
    }
    match client.reply_mode {
        ReplyMode::On => {}
        ReplyMode::Off => out.truncate(mark),
        ReplyMode::Skip => {
            out.truncate(mark);
            client.reply_mode = ReplyMode::On;
        }
        ReplyMode::SkipNext => client.reply_mode = ReplyMode::Skip,
    }
}

fn execute_inner(
    shared: &Shared,
    client: &mut Client,
    argv: &[Bytes],
    out: &mut BytesMut,
) -> CmdResult {
    let (spec, words) = match resolve(shared, argv) {
        Ok(r) => r,
        Err(e) => {
            shared.stats.rejected_calls.add(1);
            return Err(reject(client, argv, e));
        }
    };
    if !client.authenticated && !spec.flags.contains(Flags::NOAUTH) {
        return Err(reject(client, argv, CmdError::NoAuth));
    }
    if shared.loading.load(Ordering::Acquire) && !spec.flags.contains(Flags::LOADING) {
        return Err(CmdError::Loading);
    }
    // maxmemory: one relaxed load when unset (the default).
    if shared.store.maxmemory() != 0 && !shared.loading.load(Ordering::Relaxed) {
        if let Some(e) = out_of_memory(shared, client, spec, argv) {
            return Err(e);
        }
    }
    // As Redis: while the AOF cannot be written, write commands (and PING) get -MISCONF.
    if spec.flags.contains(Flags::WRITE) || spec.name == "ping" {
        if let Some(e) = shared.write_denied() {
            return Err(reject(client, argv, e));
        }
    }
    if let Some(m) = client.multi.as_mut() {
        if !runs_in_multi(spec) {
            if spec.flags.contains(Flags::NO_MULTI) {
                m.dirty = true;
                return Err(CmdError::NotInMulti);
            }
            m.queue.push(argv.to_vec());
            resp::write::simple(out, b"QUEUED");
            return Ok(());
        }
    }
    call(shared, client, spec, words, argv, out, None)
}

/// Redis 7.0's maxmemory step of `processCommand`: every command first evicts down to the
/// limit; if memory stays over it, refuses with `-OOM ...` a command flagged `denyoom`, an
/// EXEC whose queue holds one, and anything but EXEC/DISCARD/QUIT/RESET inside MULTI
/// (queueing takes memory too). A refusal inside MULTI flags the transaction; a refused EXEC
/// discards it with `-EXECABORT Transaction discarded because of: OOM ...`.
fn out_of_memory(
    shared: &Shared,
    client: &mut Client,
    spec: &'static Spec,
    argv: &[Bytes],
) -> Option<CmdError> {
    let result = shared.evict();
    if matches!(result, Ok(n) if n > 0) && shared.propagate_on.load(Ordering::Relaxed) {
        client.propagated = true; // the DELs of the evicted keys: await the barrier
    }
    result.err()?;
    let is_exec = spec.name == "exec";
    let refuse = spec.flags.contains(Flags::DENYOOM)
        || match client.multi.as_ref() {
            Some(m) if is_exec => m
                .queue
                .iter()
                .any(|q| resolve(shared, q).is_ok_and(|(s, _)| s.flags.contains(Flags::DENYOOM))),
            Some(_) => !matches!(spec.name, "discard" | "quit" | "reset"),
            None => false,
        };
    if !refuse {
        return None;
    }
    if is_exec {
        // As `reject`, but Redis keeps the OOM code in the EXECABORT text.
        client.multi = None;
        client.info.in_multi.store(false, Ordering::Relaxed);
        client.watched.clear();
        return Some(CmdError::ExecAbortBecause(CmdError::Oom.to_string()));
    }
    Some(reject(client, argv, CmdError::Oom))
}

/// A command refused before running: inside MULTI it flags the transaction (EXEC will abort);
/// a refused EXEC (in MULTI or not, as Redis's `rejectCommand`) aborts the transaction with the
/// reason.
fn reject(client: &mut Client, argv: &[Bytes], e: CmdError) -> CmdError {
    if let Some(m) = client.multi.as_mut() {
        m.dirty = true;
    }
    if argv[0].eq_ignore_ascii_case(b"exec") {
        client.multi = None;
        client.info.in_multi.store(false, Ordering::Relaxed);
        client.watched.clear();
        return CmdError::ExecAbortBecause(e.without_code());
    }
    e
}

/// Runs a resolved command: the handler, stats, slowlog.
pub(crate) fn call(
    shared: &Shared,
    client: &mut Client,
    spec: &'static Spec,
    words: usize,
    argv: &[Bytes],
    out: &mut BytesMut,
    in_exec: Option<&mut Vec<(usize, Vec<Bytes>)>>,
) -> CmdResult {
    // Chained with the previous command of the batch (see `Client::timing_mark`): the time
    // between two commands of one batch is only their decoding.
    // The same read is the command's time for the store (see `crate::clock`).
    let start = client.timing_mark.take().unwrap_or_else(SystemTime::now);
    let start_ms = crate::clock::unix_ms(start);
    let outer_time = crate::clock::set_command_time(start_ms);
    // With the AOF on, a write's store change and its append happen under the write-order
    // lock (see `Shared::write_order`); EXEC holds it across its queued commands, which
    // inherit its scope. With it off, writes run quiet (`Shared::write_scope`).
    let nested = client.in_call;
    let _scope = if nested {
        None
    } else if spec.flags.contains(Flags::WRITE) || spec.name == "exec" {
        let scope = shared.write_scope();
        client.logged = scope.logged();
        Some(scope)
    } else {
        client.logged = shared.propagate_on.load(Ordering::Acquire);
        None
    };
    client.info.set_last_cmd(spec, start_ms);
    client.in_call = true;
    let result = run_handler(shared, client, spec, words, argv, out, in_exec);
    client.in_call = nested;
    crate::clock::set_command_time(outer_time);
    shared.stats.commands.add(1);
    let end = SystemTime::now();
    client.timing_mark = Some(end);
    // A wall clock stepped back gives 0 rather than a huge duration.
    let micros = end
        .duration_since(start)
        .map_or(0, |d| d.as_micros() as u64);
    if shared.slowlog.is_slow(micros) && !spec.flags.contains(Flags::SKIP_SLOWLOG) {
        let name = client.info.names.lock().name.clone().unwrap_or_default();
        shared.slowlog.push(
            argv,
            micros,
            client.info.addr_text(),
            name,
            shared.now_ms() / 1000,
        );
    }
    result
}

/// Runs a resolved command's handler only: no stats, no slowlog, no write-order lock. For
/// AOF replay, as Redis's loader calls `cmd->proc` directly (nothing else runs while loading).
pub(crate) fn run_handler(
    shared: &Shared,
    client: &mut Client,
    spec: &'static Spec,
    words: usize,
    argv: &[Bytes],
    out: &mut BytesMut,
    in_exec: Option<&mut Vec<(usize, Vec<Bytes>)>>,
) -> CmdResult {
    let proto = client.proto;
    let mut cx = Ctx {
        out: Out::new(out, proto),
        client,
        shared,
        argv,
        in_exec,
    };
    (spec.handler)(&mut cx, Args::new(&argv[words..]))
}

/// A client with no connection, for replaying commands (AOF load) and for tests: runs commands
/// through the same dispatch as a network client and returns the raw reply bytes.
#[derive(Debug)]
pub struct LocalClient {
    client: Client,
    out: BytesMut,
}

impl LocalClient {
    /// A new, authenticated local client (db 0, RESP2).
    pub fn new(shared: &Shared) -> LocalClient {
        let info = std::sync::Arc::new(crate::client::ClientInfo::new(
            shared.clients.next_id(),
            None,
            None,
            None,
            -1,
        ));
        LocalClient {
            client: Client::new(info, true),
            out: BytesMut::new(),
        }
    }

    /// Executes one command and returns its reply bytes.
    pub fn execute(&mut self, shared: &Shared, argv: &[Bytes]) -> Bytes {
        if argv.is_empty() {
            return Bytes::new();
        }
        self.client.timing_mark = None;
        execute(shared, &mut self.client, argv, &mut self.out);
        self.out.split().freeze()
    }

    /// The selected database.
    pub fn db(&self) -> usize {
        self.client.db
    }
}
