//! Connection commands: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH, CLIENT.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use resp::Protocol;

use crate::args::Args;
use crate::client::{ClientInfo, ReplyMode};
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::table::{Flags, Group, Spec};

const CONN: Flags = Flags::NOSCRIPT.or(Flags::LOADING).or(Flags::STALE);
const CONN_FAST: Flags = CONN.or(Flags::FAST);
const CONN_ADMIN: Flags = CONN.or(Flags::ADMIN);

const fn c(
    name: &'static str,
    arity: i32,
    flags: Flags,
    h: crate::table::Handler,
    summary: &'static str,
    since: &'static str,
) -> Spec {
    Spec::new(name, arity, flags, 0, 0, 0, h).doc(summary, since, Group::Connection)
}

const CLIENT_SUBS: &[Spec] = &[
    c(
        "client|caching",
        3,
        CONN,
        client_ok,
        "Instruct the server about tracking or not keys in the next request",
        "6.0.0",
    ),
    c(
        "client|getname",
        2,
        CONN,
        client_getname,
        "Get the current connection name",
        "2.6.9",
    ),
    c(
        "client|getredir",
        2,
        CONN,
        client_getredir,
        "Get tracking notifications redirection client ID if any",
        "6.0.0",
    ),
    c(
        "client|help",
        2,
        Flags::LOADING.or(Flags::STALE),
        client_help,
        "Show helpful text about the different subcommands",
        "5.0.0",
    ),
    c(
        "client|id",
        2,
        CONN,
        client_id,
        "Returns the client ID for the current connection",
        "5.0.0",
    ),
    c(
        "client|info",
        2,
        CONN,
        client_info,
        "Returns information about the current client connection.",
        "6.2.0",
    ),
    c(
        "client|kill",
        -3,
        CONN_ADMIN,
        client_kill,
        "Kill the connection of a client",
        "2.4.0",
    ),
    c(
        "client|list",
        -2,
        CONN_ADMIN,
        client_list,
        "Get the list of client connections",
        "2.4.0",
    ),
    c(
        "client|no-evict",
        3,
        CONN_ADMIN,
        client_no_evict,
        "Set client eviction mode for the current connection",
        "7.0.0",
    ),
    c(
        "client|pause",
        -3,
        CONN_ADMIN,
        client_ok,
        "Stop processing commands from clients for some time",
        "2.9.50",
    ),
    c(
        "client|reply",
        3,
        CONN,
        client_reply,
        "Instruct the server whether to reply to commands",
        "3.2.0",
    ),
    c(
        "client|setinfo",
        4,
        CONN,
        client_setinfo,
        "Set client or connection specific info",
        "7.2.0",
    ),
    c(
        "client|setname",
        3,
        CONN,
        client_setname,
        "Set the current connection name",
        "2.6.9",
    ),
    c(
        "client|tracking",
        -3,
        CONN,
        client_ok,
        "Enable or disable server assisted client side caching support",
        "6.0.0",
    ),
    c(
        "client|trackinginfo",
        2,
        CONN,
        client_trackinginfo,
        "Return information about server assisted client side caching for the current connection",
        "6.2.0",
    ),
    c(
        "client|unblock",
        -3,
        CONN_ADMIN,
        client_unblock,
        "Unblock a client blocked in a blocking command from a different connection",
        "5.0.0",
    ),
    c(
        "client|unpause",
        2,
        CONN_ADMIN,
        client_ok,
        "Resume processing of clients that were paused",
        "6.2.0",
    ),
];

/// The connection commands.
pub(crate) const TABLE: &[Spec] = &[
    c("ping", -1, Flags::FAST, ping, "Ping the server", "1.0.0"),
    c(
        "readonly",
        1,
        CONN_FAST,
        no_cluster,
        "Enables read queries for a connection to a Redis Cluster replica node",
        "3.0.0",
    ),
    c(
        "readwrite",
        1,
        CONN_FAST,
        no_cluster,
        "Disables read queries for a connection to a Redis Cluster replica node",
        "3.0.0",
    ),
    c(
        "echo",
        2,
        Flags::LOADING.or(Flags::STALE).or(Flags::FAST),
        echo,
        "Echo the given string",
        "1.0.0",
    ),
    c(
        "quit",
        -1,
        Flags::ALLOW_BUSY
            .or(Flags::NOSCRIPT)
            .or(Flags::LOADING)
            .or(Flags::STALE)
            .or(Flags::FAST)
            .or(Flags::NOAUTH),
        quit,
        "Close the connection",
        "1.0.0",
    ),
    c(
        "reset",
        1,
        CONN_FAST.or(Flags::NOAUTH).or(Flags::ALLOW_BUSY),
        reset,
        "Reset the connection",
        "6.2.0",
    ),
    c(
        "select",
        2,
        Flags::LOADING.or(Flags::STALE).or(Flags::FAST),
        select,
        "Change the selected database for the current connection",
        "1.0.0",
    ),
    c(
        "hello",
        -1,
        CONN_FAST.or(Flags::NOAUTH).or(Flags::ALLOW_BUSY),
        hello,
        "Handshake with Redis",
        "6.0.0",
    ),
    c(
        "auth",
        -2,
        CONN_FAST.or(Flags::NOAUTH).or(Flags::ALLOW_BUSY),
        auth,
        "Authenticate to the server",
        "1.0.0",
    ),
    Spec::container("client", -2, CLIENT_SUBS).doc(
        "A container for client connection commands",
        "2.4.0",
        Group::Connection,
    ),
];

/// READONLY / READWRITE: cluster commands; this is a standalone server, as Redis without
/// `cluster-enabled`.
fn no_cluster(_: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    Err(CmdError::Err("This instance has cluster support disabled"))
}

/// PING [message]
fn ping(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    if args.len() > 1 {
        return Err(CmdError::arity("ping"));
    }
    match args.next() {
        Some(m) => cx.out.bulk(m),
        None => cx.out.simple(b"PONG"),
    }
    Ok(())
}

/// ECHO message
fn echo(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let m = args.bytes()?;
    cx.out.bulk(m);
    Ok(())
}

/// QUIT
fn quit(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.ok();
    // The reply is sent even under CLIENT REPLY OFF, as Redis does.
    cx.client.reply_mode = ReplyMode::On;
    cx.client.close_after_reply = true;
    Ok(())
}

/// RESET
fn reset(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    let cl = &mut *cx.client;
    cl.multi = None;
    cl.info.in_multi.store(false, Ordering::Relaxed);
    cl.watched.clear();
    cl.db = 0;
    cl.info.db.store(0, Ordering::Relaxed);
    cl.proto = Protocol::Resp2;
    cl.info.resp3.store(false, Ordering::Relaxed);
    cl.reply_mode = ReplyMode::On;
    cl.info.no_evict.store(false, Ordering::Relaxed);
    cl.info.names.lock().name = None;
    cl.authenticated = cx.shared.config.read().requirepass().is_none();
    // The reply goes out in RESP2 (the connection was just reset).
    resp::write::simple(cx.out.buf(), b"RESET");
    Ok(())
}

/// SELECT index
fn select(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let n = args.i64()?;
    if n < 0 || n as u64 >= cx.store().databases() as u64 {
        return Err(CmdError::DbIndexOutOfRange);
    }
    cx.client.db = n as usize;
    cx.client.info.db.store(n as usize, Ordering::Relaxed);
    cx.out.ok();
    Ok(())
}

/// Checks a password for `user` (only `default` exists): `Ok` if it opens the account.
fn check_password(cx: &Ctx<'_>, user: &[u8], pass: &[u8]) -> Result<(), CmdError> {
    if !user.eq_ignore_ascii_case(b"default") {
        return Err(CmdError::WrongPass);
    }
    let cfg = cx.shared.config.read();
    match cfg.requirepass() {
        None => Ok(()),
        Some(p) if constant_time_eq(p.as_bytes(), pass) => Ok(()),
        Some(_) => Err(CmdError::WrongPass),
    }
}

/// Compares a password guess with the configured one in time that depends only on the guess's
/// length: every byte of `guess` is compared (against the secret, repeated), and the length
/// difference is folded in, so neither where the first mismatch is nor the secret's length
/// shows in the timing.
fn constant_time_eq(secret: &[u8], guess: &[u8]) -> bool {
    if secret.is_empty() {
        return guess.is_empty();
    }
    let mut diff = u8::from(secret.len() != guess.len());
    for (i, &g) in guess.iter().enumerate() {
        diff |= secret[i % secret.len()] ^ g;
    }
    std::hint::black_box(diff) == 0
}

/// Failed AUTH / HELLO AUTH attempts are logged at most once a second, each line with the
/// number of failures since the previous one, so a client guessing passwords cannot flood the
/// log. Replies are never delayed (a delay would only cost the attacker a connection).
struct AuthFailures {
    /// Failures not yet reported.
    pending: std::sync::atomic::AtomicU64,
    /// When the last line was logged (ms since the Unix epoch).
    last_ms: std::sync::atomic::AtomicU64,
}

static AUTH_FAILURES: AuthFailures = AuthFailures {
    pending: std::sync::atomic::AtomicU64::new(0),
    last_ms: std::sync::atomic::AtomicU64::new(0),
};

/// Counts a failed authentication from `cx`'s client and logs if a second has passed.
fn note_auth_failure(cx: &Ctx<'_>) {
    AUTH_FAILURES.pending.fetch_add(1, Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let last = AUTH_FAILURES.last_ms.load(Ordering::Relaxed);
    if now.saturating_sub(last) < 1000
        || AUTH_FAILURES
            .last_ms
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return;
    }
    let n = AUTH_FAILURES.pending.swap(0, Ordering::Relaxed);
    tracing::warn!(
        "{n} failed authentication attempt(s) since the last report (WRONGPASS); latest from client addr={}",
        cx.client.info.addr_text()
    );
}

/// AUTH [username] password
fn auth(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let rest = args.rest();
    let result = match rest {
        [pass] => {
            if cx.shared.config.read().requirepass().is_none() {
                return Err(CmdError::AuthNotConfigured);
            }
            check_password(cx, b"default", pass)
        }
        [user, pass] => check_password(cx, user, pass),
        _ => return Err(CmdError::Syntax),
    };
    match result {
        Ok(()) => {
            cx.client.authenticated = true;
            cx.out.ok();
            Ok(())
        }
        Err(e) => {
            // As Redis 6+, a failed AUTH leaves an authenticated client authenticated.
            note_auth_failure(cx);
            Err(e)
        }
    }
}

/// Checks a client name as Redis does (printable ASCII, no spaces).
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
fn hello(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let mut ver: Option<i64> = None;
    if let Some(v) = args.next() {
        let n = crate::args::parse_i64(v).ok_or(CmdError::ProtoNotInteger)?;
        if !(2..=3).contains(&n) {
            return Err(CmdError::NoProto);
        }
        ver = Some(n);
    }
    let mut creds: Option<(&Bytes, &Bytes)> = None;
    let mut name: Option<&Bytes> = None;
    while let Some(opt) = args.next() {
        let more = args.len();
        if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
            let user = args.bytes()?;
            let pass = args.bytes()?;
            creds = Some((user, pass));
        } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
            let n = args.bytes()?;
            if !valid_name(n) {
                return Err(CmdError::BadClientName);
            }
            name = Some(n);
        } else {
            return Err(CmdError::ErrOwned(format!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if let Some((user, pass)) = creds {
        if let Err(e) = check_password(cx, user, pass) {
            note_auth_failure(cx);
            return Err(e);
        }
        cx.client.authenticated = true;
    }
    if !cx.client.authenticated {
        return Err(CmdError::Line("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time".into()));
    }
    if let Some(n) = name {
        cx.client.info.names.lock().name = (!n.is_empty()).then(|| n.clone());
    }
    if let Some(v) = ver {
        cx.client.proto = if v == 3 {
            Protocol::Resp3
        } else {
            Protocol::Resp2
        };
        cx.client.info.resp3.store(v == 3, Ordering::Relaxed);
    }
    let proto = cx.client.proto;
    let id = cx.client.id() as i64;
    let mut out = crate::ctx::Out::new(cx.out.buf(), proto);
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(crate::REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(if proto == Protocol::Resp3 { 3 } else { 2 });
    out.bulk(b"id");
    out.int(id);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
    Ok(())
}

/// CLIENT ID
fn client_id(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.int(cx.client.id() as i64);
    Ok(())
}

/// CLIENT GETNAME
fn client_getname(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    let name = cx.client.info.names.lock().name.clone();
    cx.out.opt_bulk(name.as_deref());
    Ok(())
}

/// CLIENT SETNAME connection-name
fn client_setname(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let n = args.bytes()?;
    if !valid_name(n) {
        return Err(CmdError::BadClientName);
    }
    cx.client.info.names.lock().name = (!n.is_empty()).then(|| n.clone());
    cx.out.ok();
    Ok(())
}

/// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
fn client_setinfo(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let attr = args.bytes()?;
    let val = args.bytes()?;
    let lib_name = attr.eq_ignore_ascii_case(b"lib-name");
    if !lib_name && !attr.eq_ignore_ascii_case(b"lib-ver") {
        return Err(CmdError::ErrOwned(format!(
            "Unrecognized option '{}'",
            String::from_utf8_lossy(attr)
        )));
    }
    if !valid_name(val) {
        return Err(CmdError::ErrOwned(format!(
            "{} cannot contain spaces, newlines or special characters.",
            if lib_name { "lib-name" } else { "lib-ver" }
        )));
    }
    let v = (!val.is_empty()).then(|| val.clone());
    let mut names = cx.client.info.names.lock();
    if lib_name {
        names.lib_name = v;
    } else {
        names.lib_ver = v;
    }
    drop(names);
    cx.out.ok();
    Ok(())
}

/// CLIENT INFO
fn client_info(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    let mut line = cx.client.info.line();
    line.push('\n');
    cx.out.verbatim(line.as_bytes());
    Ok(())
}

/// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id ...]
fn client_list(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let mut ids: Option<Vec<u64>> = None;
    let mut only_normal = true;
    while let Some(opt) = args.next() {
        if opt.eq_ignore_ascii_case(b"type") && !args.is_empty() {
            let t = args.bytes()?;
            if t.eq_ignore_ascii_case(b"normal") {
                only_normal = true;
            } else if t.eq_ignore_ascii_case(b"master")
                || t.eq_ignore_ascii_case(b"replica")
                || t.eq_ignore_ascii_case(b"slave")
                || t.eq_ignore_ascii_case(b"pubsub")
            {
                only_normal = false;
            } else {
                return Err(CmdError::ErrOwned(format!(
                    "Unknown client type '{}'",
                    String::from_utf8_lossy(t)
                )));
            }
        } else if opt.eq_ignore_ascii_case(b"id") && !args.is_empty() {
            let mut v = Vec::new();
            for a in args.take_rest() {
                match crate::args::parse_i64(a) {
                    Some(n) if n > 0 => v.push(n as u64),
                    _ => return Err(CmdError::Err("Invalid client ID")),
                }
            }
            ids = Some(v);
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut text = String::new();
    if only_normal {
        for info in cx.shared.clients.snapshot() {
            if ids.as_ref().is_some_and(|v| !v.contains(&info.id)) {
                continue;
            }
            text.push_str(&info.line());
            text.push('\n');
        }
    }
    cx.out.verbatim(text.as_bytes());
    Ok(())
}

/// CLIENT KILL ip:port | CLIENT KILL <ID id | ADDR ip:port | LADDR ip:port | TYPE t | USER u |
/// SKIPME yes/no | MAXAGE s> ...
fn client_kill(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let rest = args.rest();
    let me = cx.client.id();
    if rest.len() == 1 {
        // Old form: kill by address, OK or "No such client".
        let addr = String::from_utf8_lossy(&rest[0]).into_owned();
        let target = cx
            .shared
            .clients
            .snapshot()
            .into_iter()
            .find(|c| c.addr_text() == addr);
        return match target {
            Some(t) => {
                kill(cx, &t, me);
                cx.out.ok();
                Ok(())
            }
            None => Err(CmdError::NoSuchClient),
        };
    }
    if rest.len() % 2 != 0 {
        return Err(CmdError::Syntax);
    }
    let mut id: Option<u64> = None;
    let mut addr: Option<String> = None;
    let mut laddr: Option<String> = None;
    let mut normal_type = true;
    let mut skipme = true;
    let mut maxage: Option<u64> = None;
    for pair in rest.chunks(2) {
        let (opt, val) = (&pair[0], &pair[1]);
        if opt.eq_ignore_ascii_case(b"id") {
            match crate::args::parse_i64(val) {
                Some(n) if n > 0 => id = Some(n as u64),
                _ => return Err(CmdError::Err("client-id should be greater than 0")),
            }
        } else if opt.eq_ignore_ascii_case(b"addr") {
            addr = Some(String::from_utf8_lossy(val).into_owned());
        } else if opt.eq_ignore_ascii_case(b"laddr") {
            laddr = Some(String::from_utf8_lossy(val).into_owned());
        } else if opt.eq_ignore_ascii_case(b"type") {
            if val.eq_ignore_ascii_case(b"normal") {
                normal_type = true;
            } else if val.eq_ignore_ascii_case(b"master")
                || val.eq_ignore_ascii_case(b"replica")
                || val.eq_ignore_ascii_case(b"slave")
                || val.eq_ignore_ascii_case(b"pubsub")
            {
                normal_type = false;
            } else {
                return Err(CmdError::ErrOwned(format!(
                    "Unknown client type '{}'",
                    String::from_utf8_lossy(val)
                )));
            }
        } else if opt.eq_ignore_ascii_case(b"user") {
            if !val.eq_ignore_ascii_case(b"default") {
                return Err(CmdError::ErrOwned(format!(
                    "No such user '{}'",
                    String::from_utf8_lossy(val)
                )));
            }
        } else if opt.eq_ignore_ascii_case(b"skipme") {
            if val.eq_ignore_ascii_case(b"yes") {
                skipme = true;
            } else if val.eq_ignore_ascii_case(b"no") {
                skipme = false;
            } else {
                return Err(CmdError::Syntax);
            }
        } else if opt.eq_ignore_ascii_case(b"maxage") {
            match crate::args::parse_i64(val) {
                Some(n) if n >= 0 => maxage = Some(n as u64),
                _ => return Err(CmdError::Syntax),
            }
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut killed = 0;
    if normal_type {
        for t in cx.shared.clients.snapshot() {
            if id.is_some_and(|i| i != t.id)
                || addr.as_ref().is_some_and(|a| *a != t.addr_text())
                || laddr.as_ref().is_some_and(|a| *a != t.laddr_text())
                || maxage.is_some_and(|m| t.created.elapsed().as_secs() < m)
                || (skipme && t.id == me)
            {
                continue;
            }
            kill(cx, &t, me);
            killed += 1;
        }
    }
    cx.out.int(killed);
    Ok(())
}

fn kill(cx: &mut Ctx<'_>, target: &Arc<ClientInfo>, me: u64) {
    if target.id == me {
        cx.client.close_after_reply = true;
    } else {
        target.kill();
    }
}

/// CLIENT NO-EVICT ON|OFF
fn client_no_evict(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let v = args.bytes()?;
    let on = if v.eq_ignore_ascii_case(b"on") {
        true
    } else if v.eq_ignore_ascii_case(b"off") {
        false
    } else {
        return Err(CmdError::Syntax);
    };
    cx.client.info.no_evict.store(on, Ordering::Relaxed);
    cx.out.ok();
    Ok(())
}

/// CLIENT REPLY ON|OFF|SKIP
fn client_reply(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let v = args.bytes()?;
    if v.eq_ignore_ascii_case(b"on") {
        cx.client.reply_mode = ReplyMode::On;
        cx.out.ok();
    } else if v.eq_ignore_ascii_case(b"off") {
        cx.client.reply_mode = ReplyMode::Off;
    } else if v.eq_ignore_ascii_case(b"skip") {
        if cx.client.reply_mode != ReplyMode::Off {
            cx.client.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(CmdError::Syntax);
    }
    Ok(())
}

/// CLIENT GETREDIR
fn client_getredir(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.int(-1);
    Ok(())
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR] (no blocking commands: never unblocks anyone)
fn client_unblock(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    args.i64()?;
    if let Some(m) = args.next() {
        if !(m.eq_ignore_ascii_case(b"timeout") || m.eq_ignore_ascii_case(b"error"))
            || !args.is_empty()
        {
            return Err(CmdError::Err(
                "CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    }
    cx.out.int(0);
    Ok(())
}

/// CLIENT TRACKINGINFO
fn client_trackinginfo(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.map(3);
    cx.out.bulk(b"flags");
    cx.out.set(1);
    cx.out.bulk(b"off");
    cx.out.bulk(b"redirect");
    cx.out.int(-1);
    cx.out.bulk(b"prefixes");
    cx.out.array(0);
    Ok(())
}

/// CLIENT PAUSE / UNPAUSE / TRACKING / CACHING: accepted, no effect.
fn client_ok(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.ok();
    Ok(())
}

/// CLIENT HELP
fn client_help(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    help(cx, CLIENT_HELP);
    Ok(())
}

/// Writes a HELP reply (array of simple strings).
pub(crate) fn help(cx: &mut Ctx<'_>, lines: &[&str]) {
    cx.out.array(lines.len());
    for l in lines {
        cx.out.simple(l.as_bytes());
    }
}

const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
];

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn password_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret!"));
        assert!(!constant_time_eq(b"secret", b"secre"));
        assert!(!constant_time_eq(b"secret", b""));
        // A guess that is the secret repeated is still wrong.
        assert!(!constant_time_eq(b"ab", b"abab"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
