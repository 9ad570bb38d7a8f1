//! AOF replay: every command of the log through the command handlers, as Redis's loader runs
//! them (no stats, no slowlog, command errors ignored).
//!
//! At start-up the commands are spread over worker threads, one per CPU: a command whose keys
//! all route to one worker goes to that worker's queue, in log order; anything else (keyless
//! commands such as SELECT, FLUSHALL or SWAPDB, keys that route to different workers,
//! subcommands, MOVE and COPY, which may name another database) is a barrier: the loader waits
//! until every worker has run what it was given, then runs the command itself. A key routes by
//! its store shard, so every command on one key runs on one worker, in log order, commands on
//! different keys commute, and each worker keeps to its own shards' tables (no cache line of a
//! table moves between CPUs).

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use resp::RequestDecoder;
use tokio_util::codec::Decoder;

use crate::client::{Client, ClientInfo};
use crate::error::CmdError;
use crate::shared::Shared;
use crate::table::{Flags, Spec};

/// Commands per message to a worker.
const BATCH: usize = 256;
/// Messages queued per worker before the loader waits (bounds the memory in flight).
const QUEUE: usize = 8;
/// At most this many workers.
const MAX_WORKERS: usize = 8;

/// Loads the AOF described by `acfg` into `shared`'s store. `parallel`: spread the commands
/// over worker threads (not when the caller holds the store's exclusive gate, as DEBUG LOADAOF
/// does: the workers would wait for it forever).
pub(crate) fn load_into(
    shared: &Shared,
    acfg: &aof::Config,
    parallel: bool,
) -> Result<aof::LoadStats, aof::Error> {
    let workers = if parallel {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_WORKERS)
    } else {
        1
    };
    let t0 = Instant::now();
    std::thread::scope(|scope| {
        let Some(mut pool) = Pool::start(scope, shared, workers) else {
            let mut replay = Replayer::new(shared);
            return aof::load(acfg, |cmd| replay.exec(cmd));
        };
        let result = aof::load(acfg, |cmd| pool.exec(cmd));
        // Every command handed over has run once `sync` returns; the workers then end. It
        // fails only if a worker panicked, and the scope re-raises that panic.
        let _ = pool.sync();
        drop(pool);
        let mut stats = result?;
        stats.elapsed = t0.elapsed();
        Ok(stats)
    })
}

enum Msg {
    /// Commands, RESP-encoded (a SELECT first where the database changes).
    Run(BytesMut),
    /// Answered once everything sent before it has run.
    Sync(SyncSender<()>),
}

/// The loader's side of the workers. The loader is worker 0 itself: it runs that worker's
/// commands as it reads them. Each other worker gets its commands re-encoded into a buffer of
/// its own, which it decodes into zero-copy arguments: no reference count or allocation is
/// shared between threads per command.
struct Pool<'a> {
    main: Replayer<'a>,
    /// Workers 1.. (the loader is worker 0).
    queues: Vec<SyncSender<Msg>>,
    /// Per worker: the commands not sent yet, and how many.
    pending: Vec<(BytesMut, usize)>,
    /// Per worker: the database its commands run in.
    dbs: Vec<usize>,
}

impl<'a> Pool<'a> {
    /// Starts workers 1..n, on threads of their own (None, for fewer than 2 workers or if one
    /// could not start).
    fn start<'s>(
        scope: &'s std::thread::Scope<'s, '_>,
        shared: &'a Shared,
        n: usize,
    ) -> Option<Pool<'a>>
    where
        'a: 's,
    {
        if n < 2 {
            return None;
        }
        let mut queues = Vec::with_capacity(n - 1);
        for i in 1..n {
            let (tx, rx) = mpsc::sync_channel(QUEUE);
            let spawned = std::thread::Builder::new()
                .name(format!("aof-load-{i}"))
                .spawn_scoped(scope, move || work(shared, rx));
            if let Err(e) = spawned {
                // The ones started end when their queues close (nothing was sent yet).
                tracing::warn!("Loading the AOF on one thread: cannot start another: {e}");
                return None;
            }
            queues.push(tx);
        }
        Some(Pool {
            main: Replayer::new(shared),
            queues,
            pending: (1..n).map(|_| (BytesMut::new(), 0)).collect(),
            dbs: vec![0; n - 1],
        })
    }

    fn exec(&mut self, cmd: &[Bytes]) -> Result<(), aof::ExecError> {
        let (spec, words) = match self.main.resolve(cmd)? {
            Some(r) => r,
            None => return Ok(()),
        };
        let db = self.main.client.db;
        match route(
            self.main.shared,
            db,
            spec,
            words,
            cmd,
            self.queues.len() + 1,
        ) {
            Some(0) => {
                self.main.run(spec, words, cmd);
                Ok(())
            }
            Some(w) => {
                let w = w - 1;
                let (buf, count) = &mut self.pending[w];
                if self.dbs[w] != db {
                    self.dbs[w] = db;
                    let mut n = itoa::Buffer::new();
                    resp::write::command(buf, &[&b"SELECT"[..], n.format(db).as_bytes()]);
                }
                resp::write::command(buf, cmd);
                *count += 1;
                if *count >= BATCH {
                    let full = std::mem::take(buf);
                    *count = 0;
                    self.send(w, Msg::Run(full))?;
                }
                Ok(())
            }
            None => {
                self.sync()?;
                self.main.run(spec, words, cmd);
                Ok(())
            }
        }
    }

    fn send(&self, w: usize, msg: Msg) -> Result<(), aof::ExecError> {
        self.queues[w]
            .send(msg)
            .map_err(|_| aof::ExecError::Failed("an AOF loading thread stopped".into()))
    }

    /// Sends what is pending and waits until every worker has run everything sent.
    fn sync(&mut self) -> Result<(), aof::ExecError> {
        let mut acks = Vec::with_capacity(self.queues.len());
        for w in 0..self.queues.len() {
            if self.pending[w].1 > 0 {
                let batch = std::mem::take(&mut self.pending[w].0);
                self.pending[w].1 = 0;
                self.send(w, Msg::Run(batch))?;
            }
            let (tx, rx) = mpsc::sync_channel(1);
            self.send(w, Msg::Sync(tx))?;
            acks.push(rx);
        }
        for rx in acks {
            rx.recv()
                .map_err(|_| aof::ExecError::Failed("an AOF loading thread stopped".into()))?;
        }
        Ok(())
    }
}

/// Shares of 8 per worker: the loader, which also reads, parses and routes every command,
/// runs the commands of this many (out of `8 * workers`); the other workers share the rest.
const LOADER_SHARES: usize = 6;

/// The worker that owns shard `s`.
fn owner(s: usize, workers: usize) -> usize {
    let t = s % (8 * workers);
    if t < LOADER_SHARES {
        0
    } else {
        1 + (t - LOADER_SHARES) % (workers - 1)
    }
}

/// The worker that runs `cmd` (in database `db`), if its keys all route to one: a plain (not
/// sub-) command with fixed key positions that reads or writes keys of this database only (not
/// MOVE or COPY, which may name another). Keys route by their shard, so each worker keeps to
/// its own shards' tables.
fn route(
    shared: &Shared,
    db: usize,
    spec: &Spec,
    words: usize,
    cmd: &[Bytes],
    workers: usize,
) -> Option<usize> {
    if words != 1
        || spec.first_key <= 0
        || spec.flags.contains(Flags::MOVABLEKEYS)
        || !(spec.flags.contains(Flags::WRITE) || spec.flags.contains(Flags::READONLY))
        || matches!(spec.name, "move" | "copy")
    {
        return None;
    }
    let db = shared.store.try_db(db as i64).ok()?;
    let mut worker = None;
    for i in spec.key_positions(cmd.len()) {
        let w = owner(db.shard_of(&cmd[i]), workers);
        match worker {
            None => worker = Some(w),
            Some(x) if x == w => {}
            Some(_) => return None,
        }
    }
    worker
}

fn work(shared: &Shared, rx: Receiver<Msg>) {
    let mut replay = Replayer::new(shared);
    let mut decoder = RequestDecoder::with_limits(resp::Limits {
        proto_max_bulk_len: i64::MAX as usize,
        max_multibulk_len: i64::MAX as usize,
        ..resp::Limits::default()
    });
    decoder.set_authenticated(true);
    for msg in rx {
        match msg {
            Msg::Run(mut batch) => {
                // The loader encoded these: they decode.
                while let Ok(Some(cmd)) = decoder.decode(&mut batch) {
                    if let Ok(Some((spec, words))) = replay.resolve(&cmd) {
                        replay.run(spec, words, &cmd);
                    }
                }
            }
            Msg::Sync(ack) => {
                let _ = ack.send(());
            }
        }
    }
}

/// Runs AOF commands through the handlers, bypassing the `loading` check (which is for
/// clients). MULTI and EXEC are skipped: the loader hands over only complete transactions,
/// and nothing else runs while loading.
struct Replayer<'a> {
    shared: &'a Shared,
    client: Client,
    out: BytesMut,
    /// Commands run; the store's time (`crate::clock`) is refreshed every
    /// [`CLOCK_REFRESH`] of them, not read per command.
    runs: u32,
    /// This thread's command time before the replayer took it over (restored on drop).
    outer_time: u64,
}

/// How many replayed commands share one reading of the wall clock.
const CLOCK_REFRESH: u32 = 256;

impl Drop for Replayer<'_> {
    fn drop(&mut self) {
        crate::clock::set_command_time(self.outer_time);
    }
}

impl<'a> Replayer<'a> {
    fn new(shared: &'a Shared) -> Replayer<'a> {
        let info = Arc::new(ClientInfo::new(
            shared.clients.next_id(),
            None,
            None,
            None,
            -1,
        ));
        let now = crate::clock::unix_ms(std::time::SystemTime::now());
        Replayer {
            shared,
            client: Client::new(info, true),
            out: BytesMut::new(),
            runs: 0,
            outer_time: crate::clock::set_command_time(now),
        }
    }

    fn exec(&mut self, cmd: &[Bytes]) -> Result<(), aof::ExecError> {
        if let Some((spec, words)) = self.resolve(cmd)? {
            self.run(spec, words, cmd);
        }
        Ok(())
    }

    /// The command's spec, None for one to skip (MULTI, EXEC, a bad one: logged).
    fn resolve(&self, cmd: &[Bytes]) -> Result<Option<(&'static Spec, usize)>, aof::ExecError> {
        let Some(name) = cmd.first() else {
            return Ok(None);
        };
        if name.eq_ignore_ascii_case(b"multi") || name.eq_ignore_ascii_case(b"exec") {
            return Ok(None);
        }
        match crate::dispatch::resolve(self.shared, cmd) {
            Ok(r) => Ok(Some(r)),
            Err(CmdError::UnknownCommand { .. }) => Err(aof::ExecError::UnknownCommand),
            Err(e) => {
                tracing::warn!("Skipping a command of the AOF: {e}");
                Ok(None)
            }
        }
    }

    fn run(&mut self, spec: &'static Spec, words: usize, cmd: &[Bytes]) {
        self.runs = self.runs.wrapping_add(1);
        if self.runs % CLOCK_REFRESH == 0 {
            crate::clock::set_command_time(crate::clock::unix_ms(std::time::SystemTime::now()));
        }
        // Command errors are ignored, as Redis does when loading.
        let _ = crate::dispatch::run_handler(
            self.shared,
            &mut self.client,
            spec,
            words,
            cmd,
            &mut self.out,
            None,
        );
        self.out.clear();
    }
}
