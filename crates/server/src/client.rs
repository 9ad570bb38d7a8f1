//! Per-connection state ([`Client`]) and the registry of connected clients ([`Clients`]) that
//! CLIENT LIST / KILL and INFO clients read.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use parking_lot::Mutex;
use resp::Protocol;

use crate::stop::{Stop, StopSwitch};
use crate::table::Spec;

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    /// Replies are sent (default).
    #[default]
    On,
    /// No replies are sent.
    Off,
    /// The next command's reply is dropped, then back to `On`.
    Skip,
    /// Set by CLIENT REPLY SKIP: drop the reply of the command after this one.
    SkipNext,
}

/// A queued MULTI transaction.
#[derive(Debug, Default)]
pub struct Multi {
    /// The queued commands (full argv).
    pub queue: Vec<Vec<Bytes>>,
    /// An unknown command or wrong arity was queued: EXEC replies EXECABORT.
    pub dirty: bool,
}

/// State owned by one connection task; handlers get it as `cx.client`.
#[derive(Debug)]
pub struct Client {
    /// Shared, registry-visible part.
    pub info: Arc<ClientInfo>,
    /// Selected database.
    pub db: usize,
    /// RESP2 or RESP3.
    pub proto: Protocol,
    /// Whether AUTH succeeded (or no password is configured).
    pub authenticated: bool,
    /// `Some` between MULTI and EXEC/DISCARD.
    pub multi: Option<Multi>,
    /// Keys under WATCH (the store's tokens; dropping one unwatches).
    pub watched: Vec<store::WatchToken>,
    /// CLIENT REPLY mode.
    pub reply_mode: ReplyMode,
    /// Set by QUIT: close after the reply is written.
    pub close_after_reply: bool,
    /// Set when a command's effects were propagated in the current batch (the connection
    /// waits for the persistence sink before writing replies).
    pub propagated: bool,
    /// When the previous command of this batch ended: the next one's slowlog timing starts
    /// there, so timing costs one clock read per command. None at the start of a batch.
    pub(crate) timing_mark: Option<SystemTime>,
    /// Whether the running command's effects are logged: decided once per command (EXEC's
    /// queued commands inherit EXEC's) by `dispatch::call`, see `Shared::write_scope`.
    pub(crate) logged: bool,
    /// Inside a command's handler (a nested call is one of EXEC's queued commands).
    pub(crate) in_call: bool,
}

impl Client {
    /// A new client with default state.
    pub fn new(info: Arc<ClientInfo>, authenticated: bool) -> Client {
        Client {
            info,
            db: 0,
            proto: Protocol::Resp2,
            authenticated,
            multi: None,
            watched: Vec::new(),
            reply_mode: ReplyMode::On,
            close_after_reply: false,
            propagated: false,
            timing_mark: None,
            logged: false,
            in_call: false,
        }
    }

    /// The client id.
    pub fn id(&self) -> u64 {
        self.info.id
    }
}

/// The part of a client's state other clients can see (CLIENT LIST, CLIENT KILL, INFO).
#[derive(Debug)]
pub struct ClientInfo {
    /// Unique, increasing id.
    pub id: u64,
    /// Peer address (`None` for a Unix socket).
    pub addr: Option<SocketAddr>,
    /// Local address (`None` for a Unix socket).
    pub laddr: Option<SocketAddr>,
    /// Unix socket path the client came through, if any.
    pub unix_path: Option<String>,
    /// File descriptor number (for CLIENT LIST `fd=`).
    pub fd: i64,
    /// Connect time.
    pub created: Instant,
    /// Last command time (or connect time), Unix ms: the command's own clock reading, so
    /// recording it costs no second clock read per command.
    pub last_active_ms: AtomicU64,
    /// Current db (mirror of `Client::db`).
    pub db: AtomicUsize,
    /// Last command executed.
    last_cmd: AtomicPtr<Spec>,
    /// Whether the client is in MULTI.
    pub in_multi: AtomicBool,
    /// Whether the connection speaks RESP3.
    pub resp3: AtomicBool,
    /// CLIENT NO-EVICT.
    pub no_evict: AtomicBool,
    /// CLIENT SETNAME, CLIENT SETINFO lib-name / lib-ver.
    pub names: Mutex<ClientNames>,
    /// Fired by CLIENT KILL ([`ClientInfo::kill`]) and by server shutdown: the connection
    /// closes.
    pub stop: StopSwitch,
}

/// The names a client set for itself.
#[derive(Debug, Default, Clone)]
pub struct ClientNames {
    /// CLIENT SETNAME.
    pub name: Option<Bytes>,
    /// CLIENT SETINFO LIB-NAME.
    pub lib_name: Option<Bytes>,
    /// CLIENT SETINFO LIB-VER.
    pub lib_ver: Option<Bytes>,
}

impl ClientInfo {
    /// New info for a connection.
    pub fn new(
        id: u64,
        addr: Option<SocketAddr>,
        laddr: Option<SocketAddr>,
        unix_path: Option<String>,
        fd: i64,
    ) -> ClientInfo {
        ClientInfo {
            id,
            addr,
            laddr,
            unix_path,
            fd,
            created: Instant::now(),
            last_active_ms: AtomicU64::new(crate::clock::unix_ms(SystemTime::now())),
            db: AtomicUsize::new(0),
            last_cmd: AtomicPtr::new(std::ptr::null_mut()),
            in_multi: AtomicBool::new(false),
            resp3: AtomicBool::new(false),
            no_evict: AtomicBool::new(false),
            names: Mutex::new(ClientNames::default()),
            stop: StopSwitch::default(),
        }
    }

    /// CLIENT KILL: the connection closes (after the command it is running, if any).
    pub fn kill(&self) {
        self.stop.fire(Stop::Kill);
    }

    /// Whether [`ClientInfo::kill`] was called: one atomic load.
    #[inline]
    pub fn is_killed(&self) -> bool {
        self.stop.fired() == Some(Stop::Kill)
    }

    /// Records the command being executed (for CLIENT LIST `cmd=` and `idle=`).
    #[inline]
    pub fn set_last_cmd(&self, spec: &'static Spec, unix_ms: u64) {
        self.last_cmd
            .store(spec as *const Spec as *mut Spec, Ordering::Relaxed);
        self.last_active_ms.store(unix_ms, Ordering::Relaxed);
    }

    /// The last command executed, if any.
    pub fn last_cmd(&self) -> Option<&'static Spec> {
        let p = self.last_cmd.load(Ordering::Relaxed);
        // SAFETY: the only pointers stored come from `&'static Spec` in `set_last_cmd`.
        unsafe { p.cast_const().as_ref() }
    }

    /// `addr=` text: `ip:port`, or `path:0` for a Unix socket.
    pub fn addr_text(&self) -> String {
        match (&self.addr, &self.unix_path) {
            (Some(a), _) => a.to_string(),
            (None, Some(p)) => format!("{p}:0"),
            (None, None) => String::new(),
        }
    }

    /// `laddr=` text.
    pub fn laddr_text(&self) -> String {
        match (&self.laddr, &self.unix_path) {
            (Some(a), _) => a.to_string(),
            (None, Some(p)) => format!("{p}:0"),
            (None, None) => String::new(),
        }
    }

    /// One CLIENT LIST / CLIENT INFO line (without the trailing newline), Redis 7.0 format.
    pub fn line(&self) -> String {
        let names = self.names.lock().clone();
        let name = names
            .name
            .as_ref()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let age = self.created.elapsed().as_secs();
        let idle_ms = crate::clock::unix_ms(SystemTime::now())
            .saturating_sub(self.last_active_ms.load(Ordering::Relaxed));
        let multi: i64 = if self.in_multi.load(Ordering::Relaxed) {
            0
        } else {
            -1
        };
        let mut flags = String::new();
        if self.in_multi.load(Ordering::Relaxed) {
            flags.push('x');
        }
        if self.no_evict.load(Ordering::Relaxed) {
            flags.push('e');
        }
        if self.unix_path.is_some() && self.addr.is_none() {
            flags.push('U');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        let cmd = self.last_cmd().map(|s| s.name).unwrap_or("NULL");
        // Redis 7.2 appends lib-name/lib-ver; we do once a client set them with CLIENT SETINFO,
        // so clients that never do see the 7.0 line.
        let lib = if names.lib_name.is_some() || names.lib_ver.is_some() {
            let text = |b: &Option<Bytes>| {
                b.as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            };
            format!(
                " lib-name={} lib-ver={}",
                text(&names.lib_name),
                text(&names.lib_ver)
            )
        } else {
            String::new()
        };
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 multi={} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 events=r cmd={} user=default redir=-1 resp={}{}",
            self.id,
            self.addr_text(),
            self.laddr_text(),
            self.fd,
            name,
            age,
            idle_ms / 1000,
            flags,
            self.db.load(Ordering::Relaxed),
            multi,
            cmd,
            if self.resp3.load(Ordering::Relaxed) { 3 } else { 2 },
            lib,
        )
    }
}

/// The registry of connected clients.
#[derive(Debug, Default)]
pub struct Clients {
    next_id: AtomicU64,
    map: Mutex<HashMap<u64, Arc<ClientInfo>>>,
    /// `map.len()`, readable without the lock (the connection loop asks per batch).
    connected: AtomicUsize,
    /// Total connections accepted since start (INFO stats `total_connections_received`).
    pub total_received: AtomicU64,
    /// Connections refused by maxclients (INFO stats `rejected_connections`).
    pub rejected: AtomicU64,
}

impl Clients {
    /// The next client id (ids start at 1... Redis's first client gets a small number too).
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Registers a connected client.
    pub fn add(&self, info: Arc<ClientInfo>) {
        let mut map = self.map.lock();
        map.insert(info.id, info);
        self.connected.store(map.len(), Ordering::Relaxed);
    }

    /// Unregisters a client.
    pub fn remove(&self, id: u64) {
        let mut map = self.map.lock();
        map.remove(&id);
        self.connected.store(map.len(), Ordering::Relaxed);
    }

    /// Number of connected clients.
    pub fn len(&self) -> usize {
        self.connected.load(Ordering::Relaxed)
    }

    /// Whether no client is connected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A snapshot of every client, sorted by id.
    pub fn snapshot(&self) -> Vec<Arc<ClientInfo>> {
        let mut v: Vec<_> = self.map.lock().values().cloned().collect();
        v.sort_by_key(|c| c.id);
        v
    }

    /// The client with this id.
    pub fn get(&self, id: u64) -> Option<Arc<ClientInfo>> {
        self.map.lock().get(&id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_counts_and_kill_flag() {
        let clients = Clients::default();
        assert!(clients.is_empty());
        let a = Arc::new(ClientInfo::new(clients.next_id(), None, None, None, -1));
        let b = Arc::new(ClientInfo::new(clients.next_id(), None, None, None, -1));
        clients.add(a.clone());
        clients.add(b.clone());
        assert_eq!(clients.len(), 2);
        clients.remove(a.id);
        clients.remove(a.id);
        assert_eq!(clients.len(), 1);
        assert!(!b.is_killed() && b.stop.fired().is_none());
        b.kill();
        assert!(b.is_killed() && b.stop.fired() == Some(Stop::Kill));
        clients.remove(b.id);
        assert!(clients.is_empty());
    }
}
