//! The command table: one [`Spec`] per command (and per subcommand), with the facts COMMAND
//! INFO reports, and a case-insensitive lookup that does not allocate.
//!
//! Each family module under `commands/` exports `pub(crate) const TABLE: &[Spec]`; they are
//! listed in `commands::FAMILIES` and concatenated by [`Table::new`]. A container command (CLIENT, CONFIG,
//! OBJECT...) has a `handler` that is never called and its subcommands in `subs`: the dispatcher
//! looks the subcommand up and checks *its* arity, so errors name `'client|setname'`.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::args::Args;
use crate::ctx::Ctx;
use crate::error::CmdResult;

/// A command handler: reads `args` (after the name, or after the subcommand name), writes its
/// reply to `cx.out`, or returns the error to reply with.
pub type Handler = fn(&mut Ctx<'_>, Args<'_>) -> CmdResult;

/// Command flags, as COMMAND INFO lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(u32);

impl Flags {
    /// No flag.
    pub const NONE: Flags = Flags(0);
    /// `write`: may modify the keyspace.
    pub const WRITE: Flags = Flags(1);
    /// `readonly`: reads keys, never modifies them.
    pub const READONLY: Flags = Flags(1 << 1);
    /// `denyoom`: refused under maxmemory pressure.
    pub const DENYOOM: Flags = Flags(1 << 2);
    /// `admin`
    pub const ADMIN: Flags = Flags(1 << 3);
    /// `pubsub`
    pub const PUBSUB: Flags = Flags(1 << 4);
    /// `noscript`
    pub const NOSCRIPT: Flags = Flags(1 << 5);
    /// `blocking`
    pub const BLOCKING: Flags = Flags(1 << 6);
    /// `loading`: allowed while the dataset loads.
    pub const LOADING: Flags = Flags(1 << 7);
    /// `stale`
    pub const STALE: Flags = Flags(1 << 8);
    /// `skip_monitor`
    pub const SKIP_MONITOR: Flags = Flags(1 << 9);
    /// `skip_slowlog`
    pub const SKIP_SLOWLOG: Flags = Flags(1 << 10);
    /// `fast`: O(1) or O(log N).
    pub const FAST: Flags = Flags(1 << 11);
    /// `no_auth`: allowed before AUTH.
    pub const NOAUTH: Flags = Flags(1 << 12);
    /// `may_replicate`
    pub const MAY_REPLICATE: Flags = Flags(1 << 13);
    /// `no_mandatory_keys`
    pub const NO_MANDATORY_KEYS: Flags = Flags(1 << 14);
    /// `no_multi`: refused inside MULTI.
    pub const NO_MULTI: Flags = Flags(1 << 15);
    /// `movablekeys`
    pub const MOVABLEKEYS: Flags = Flags(1 << 16);
    /// `allow_busy`
    pub const ALLOW_BUSY: Flags = Flags(1 << 17);
    /// `no_async_loading`
    pub const NO_ASYNC_LOADING: Flags = Flags(1 << 18);

    /// `readonly fast` (GET, HGET, ...).
    pub const READONLY_FAST: Flags = Flags::READONLY.or(Flags::FAST);
    /// `write denyoom` (SET, APPEND, ...).
    pub const WRITE_DENYOOM: Flags = Flags::WRITE.or(Flags::DENYOOM);
    /// `write denyoom fast` (INCR, HSET, ...).
    pub const WRITE_DENYOOM_FAST: Flags = Flags::WRITE.or(Flags::DENYOOM).or(Flags::FAST);
    /// `write fast` (DEL, EXPIRE, ...).
    pub const WRITE_FAST: Flags = Flags::WRITE.or(Flags::FAST);

    /// The union of two flag sets (usable in `const`).
    pub const fn or(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The flag names in COMMAND INFO order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        const NAMES: [(Flags, &str); 19] = [
            (Flags::WRITE, "write"),
            (Flags::READONLY, "readonly"),
            (Flags::DENYOOM, "denyoom"),
            (Flags::ADMIN, "admin"),
            (Flags::PUBSUB, "pubsub"),
            (Flags::NOSCRIPT, "noscript"),
            (Flags::BLOCKING, "blocking"),
            (Flags::LOADING, "loading"),
            (Flags::STALE, "stale"),
            (Flags::SKIP_MONITOR, "skip_monitor"),
            (Flags::SKIP_SLOWLOG, "skip_slowlog"),
            (Flags::FAST, "fast"),
            (Flags::NOAUTH, "no_auth"),
            (Flags::MAY_REPLICATE, "may_replicate"),
            (Flags::NO_MANDATORY_KEYS, "no_mandatory_keys"),
            (Flags::NO_MULTI, "no_multi"),
            (Flags::MOVABLEKEYS, "movablekeys"),
            (Flags::ALLOW_BUSY, "allow_busy"),
            (Flags::NO_ASYNC_LOADING, "no_async_loading"),
        ];
        NAMES
            .into_iter()
            .filter(move |(f, _)| self.contains(*f))
            .map(|(_, n)| n)
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.or(rhs)
    }
}

/// The command group COMMAND DOCS reports (and the `@category` COMMAND INFO derives from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `generic` (keyspace commands: DEL, EXPIRE, ...)
    Generic,
    /// `string`
    String,
    /// `hash`
    Hash,
    /// `connection`
    Connection,
    /// `server`
    Server,
    /// `transactions`
    Transactions,
}

impl Group {
    /// The name COMMAND DOCS uses.
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::Hash => "hash",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Transactions => "transactions",
        }
    }
}

/// One command or subcommand.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Lowercase name; `container|sub` for a subcommand (`client|setname`), as errors and
    /// COMMAND INFO print it.
    pub name: &'static str,
    /// Redis arity: `n` exactly n arguments including the name, `-n` at least n.
    /// A subcommand's arity counts the container too (`client|setname` is 3).
    pub arity: i32,
    /// Flags.
    pub flags: Flags,
    /// Position of the first key (0: none).
    pub first_key: i32,
    /// Position of the last key (-1: the last argument).
    pub last_key: i32,
    /// Step between keys.
    pub step: i32,
    /// The handler (never called for a container with `subs`).
    pub handler: Handler,
    /// Subcommands (empty for a plain command).
    pub subs: &'static [Spec],
    /// COMMAND DOCS: one-line summary.
    pub summary: &'static str,
    /// COMMAND DOCS: the version that introduced it.
    pub since: &'static str,
    /// COMMAND DOCS: group.
    pub group: Group,
}

impl Spec {
    /// A command: `Spec::new("get", 2, Flags::READONLY_FAST, 1, 1, 1, get)`.
    pub const fn new(
        name: &'static str,
        arity: i32,
        flags: Flags,
        first_key: i32,
        last_key: i32,
        step: i32,
        handler: Handler,
    ) -> Spec {
        Spec {
            name,
            arity,
            flags,
            first_key,
            last_key,
            step,
            handler,
            subs: &[],
            summary: "",
            since: "1.0.0",
            group: Group::Generic,
        }
    }

    /// A container command with subcommands (its own handler is never called).
    pub const fn container(name: &'static str, arity: i32, subs: &'static [Spec]) -> Spec {
        let mut s = Spec::new(name, arity, Flags::NONE, 0, 0, 0, container_handler);
        s.subs = subs;
        s
    }

    /// The handler a container runs when called with no subcommand (`COMMAND`).
    pub const fn bare(mut self, handler: Handler) -> Spec {
        self.handler = handler;
        self
    }

    /// Adds the COMMAND DOCS facts: summary, version introduced, group.
    pub const fn doc(mut self, summary: &'static str, since: &'static str, group: Group) -> Spec {
        self.summary = summary;
        self.since = since;
        self.group = group;
        self
    }

    /// Whether `argc` arguments (name included) satisfy the arity.
    #[inline]
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// The subcommand part of the name (`setname` for `client|setname`).
    pub fn sub_name(&self) -> &'static str {
        match self.name.split_once('|') {
            Some((_, s)) => s,
            None => self.name,
        }
    }

    /// The key positions in `argv` (name at 0), per first/last/step.
    pub fn key_positions(&self, argc: usize) -> impl Iterator<Item = usize> {
        let first = self.first_key.max(0) as usize;
        let last = if self.last_key < 0 {
            (argc as i64 + i64::from(self.last_key)).max(0) as usize
        } else {
            self.last_key as usize
        };
        let step = self.step.max(1) as usize;
        let end = if first == 0 {
            0
        } else {
            last.min(argc.saturating_sub(1)) + 1
        };
        (first..end.max(first)).step_by(step)
    }
}

fn container_handler(_: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    // The dispatcher always resolves a subcommand first; reaching this is a table bug.
    Err(crate::error::CmdError::Syntax)
}

/// Longest command name looked up; longer names are unknown commands.
const MAX_NAME: usize = 32;

/// FNV-1a: command names are a few bytes, and the table is fixed (a name an attacker picks
/// can only probe it, never grow it), so SipHash's keyed strength buys nothing here and cost
/// ~3% of a pipelined GET's CPU.
#[derive(Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type NameMap = HashMap<&'static [u8], &'static Spec, BuildHasherDefault<NameHasher>>;

/// The command table with a case-insensitive, allocation-free lookup.
#[derive(Debug)]
pub struct Table {
    by_name: NameMap,
    all: Vec<&'static Spec>,
}

impl Table {
    /// Builds the table from family tables.
    pub fn new(families: &[&'static [Spec]]) -> Table {
        let mut by_name = NameMap::default();
        let mut all = Vec::new();
        for fam in families {
            for spec in fam.iter() {
                by_name.insert(spec.name.as_bytes(), spec);
                all.push(spec);
            }
        }
        Table { by_name, all }
    }

    /// Looks up a command by name, ignoring ASCII case.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&'static Spec> {
        lower(name, |n| self.by_name.get(n).copied())
    }

    /// Every top-level command.
    pub fn iter(&self) -> impl Iterator<Item = &'static Spec> + '_ {
        self.all.iter().copied()
    }

    /// Number of top-level commands.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

/// Finds the subcommand `name` of `spec` (ASCII case-insensitive).
#[inline]
pub fn sub(spec: &'static Spec, name: &[u8]) -> Option<&'static Spec> {
    spec.subs
        .iter()
        .find(|s| s.sub_name().as_bytes().eq_ignore_ascii_case(name))
}

/// Lowercases `name` into a stack buffer and passes it to `f` (None if too long).
#[inline]
fn lower<T>(name: &[u8], f: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
    if name.len() > MAX_NAME {
        return None;
    }
    let mut buf = [0u8; MAX_NAME];
    let out = &mut buf[..name.len()];
    for (o, c) in out.iter_mut().zip(name) {
        *o = c.to_ascii_lowercase();
    }
    f(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arity_and_keys() {
        let s = Spec::new(
            "mset",
            -3,
            Flags::WRITE_DENYOOM,
            1,
            -1,
            2,
            container_handler,
        );
        assert!(s.arity_ok(3) && s.arity_ok(5) && !s.arity_ok(2));
        assert_eq!(s.key_positions(5).collect::<Vec<_>>(), vec![1, 3]);
        let g = Spec::new("get", 2, Flags::READONLY_FAST, 1, 1, 1, container_handler);
        assert!(g.arity_ok(2) && !g.arity_ok(3));
        assert_eq!(g.key_positions(2).collect::<Vec<_>>(), vec![1]);
        let p = Spec::new("ping", -1, Flags::FAST, 0, 0, 0, container_handler);
        assert_eq!(p.key_positions(2).count(), 0);
        assert_eq!(
            Flags::READONLY_FAST.names().collect::<Vec<_>>(),
            ["readonly", "fast"]
        );
    }

    #[test]
    fn lookup_ignores_case_and_rejects_long_names() {
        static FAM: [Spec; 2] = [
            Spec::new("get", 2, Flags::READONLY_FAST, 1, 1, 1, container_handler),
            Spec::new(
                "hincrbyfloat",
                4,
                Flags::WRITE_DENYOOM,
                1,
                1,
                1,
                container_handler,
            ),
        ];
        let t = Table::new(&[&FAM]);
        assert_eq!(t.get(b"GET").map(|s| s.name), Some("get"));
        assert_eq!(t.get(b"gEt").map(|s| s.name), Some("get"));
        assert_eq!(t.get(b"HINCRBYFLOAT").map(|s| s.name), Some("hincrbyfloat"));
        assert!(t.get(b"ge").is_none() && t.get(b"gett").is_none() && t.get(b"").is_none());
        assert!(t.get(&[b'g'; MAX_NAME + 1]).is_none());
        assert!(t.get(b"\xffget").is_none());
    }
}
