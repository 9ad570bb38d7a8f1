//! Option and result types of the store's operations (what a command's flags turn into).

use bytes::Bytes;

/// The NX/XX condition of SET.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetCondition {
    /// Always set.
    #[default]
    Always,
    /// `NX`: only set if the key does not exist.
    IfMissing,
    /// `XX`: only set if the key exists.
    IfExists,
}

/// The expiry part of SET / GETEX / SETEX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiry {
    /// No expiry option: SET removes any TTL, GETEX leaves it.
    #[default]
    None,
    /// `KEEPTTL` (SET only): keep the key's current TTL.
    KeepTtl,
    /// `PERSIST` (GETEX only): remove the TTL.
    Persist,
    /// `EX seconds`, relative.
    Ex(i64),
    /// `PX milliseconds`, relative.
    Px(i64),
    /// `EXAT unix-seconds`, absolute.
    ExAt(i64),
    /// `PXAT unix-milliseconds`, absolute.
    PxAt(i64),
}

/// Options of [`crate::Db::set`] (`SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetOptions {
    /// NX / XX.
    pub condition: SetCondition,
    /// `GET`: return the old value (an error if the old value is not a string).
    pub get: bool,
    /// Expiry option.
    pub expiry: Expiry,
}

/// What [`crate::Db::set`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetOutcome {
    /// Whether the value was written (false when NX/XX prevented it).
    pub written: bool,
    /// With `GET`: the previous value (None if the key did not exist). Always None without GET.
    pub old: Option<Bytes>,
    /// The absolute expiry (ms since epoch) the key has after the call, if written.
    pub expire_at: Option<u64>,
}

/// The NX/XX/GT/LT condition of EXPIRE and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpireCondition {
    /// No condition.
    #[default]
    Always,
    /// `NX`: only if the key has no expiry.
    Nx,
    /// `XX`: only if the key has an expiry.
    Xx,
    /// `GT`: only if the new expiry is greater than the current one (no TTL counts as infinite).
    Gt,
    /// `LT`: only if the new expiry is less than the current one (no TTL counts as infinite).
    Lt,
    /// `XX LT` together: only if the key has an expiry and the new one is less (`XX GT` is the
    /// same as `GT`, which never applies to a key without expiry).
    XxLt,
}

/// What an EXPIRE-family call did (the server replies 1 for `Set` and `Deleted`, 0 otherwise, and
/// propagates `PEXPIREAT key ms` or `DEL key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireOutcome {
    /// The key does not exist or the condition was not met.
    NotSet,
    /// The expiry was set to this absolute time (ms since epoch).
    Set(u64),
    /// The time was in the past: the key was deleted.
    Deleted,
}

impl ExpireOutcome {
    /// Redis's integer reply: 1 if the timeout was set (or the key deleted), else 0.
    pub fn as_int(self) -> i64 {
        match self {
            ExpireOutcome::NotSet => 0,
            _ => 1,
        }
    }
}

/// The type of a key's value (`TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// A string.
    String,
    /// A hash.
    Hash,
}

impl KeyType {
    /// The name TYPE replies with (`"string"`, `"hash"`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "string",
            KeyType::Hash => "hash",
        }
    }

    /// Parses a SCAN `TYPE` argument, case-insensitively. Unknown names give None (Redis then
    /// matches nothing).
    pub fn parse(name: &[u8]) -> Option<KeyType> {
        if name.eq_ignore_ascii_case(b"string") {
            Some(KeyType::String)
        } else if name.eq_ignore_ascii_case(b"hash") {
            Some(KeyType::Hash)
        } else {
            None
        }
    }
}

/// Internal encoding reported by `OBJECT ENCODING`, as Redis 7.0 reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A string holding a canonical 64-bit integer.
    Int,
    /// A string of at most 44 bytes written whole.
    Embstr,
    /// A longer string, or one modified in place (APPEND, SETRANGE).
    Raw,
    /// A small hash.
    Listpack,
    /// A big hash.
    Hashtable,
}

impl Encoding {
    /// The name OBJECT ENCODING replies with.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Int => "int",
            Encoding::Embstr => "embstr",
            Encoding::Raw => "raw",
            Encoding::Listpack => "listpack",
            Encoding::Hashtable => "hashtable",
        }
    }
}

/// Options of [`crate::Db::scan`] and [`crate::Db::hscan`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions<'a> {
    /// `MATCH pattern` (glob, as KEYS).
    pub pattern: Option<&'a [u8]>,
    /// `COUNT n`: how much work to do per call (a hint; 10 when 0).
    pub count: usize,
    /// `TYPE t` (SCAN only). `Some(None)` = a type name that matches nothing.
    pub key_type: Option<Option<KeyType>>,
}

/// An owned copy of a key's value, for dumps (AOF rewrite, DEBUG DIGEST, exports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string value.
    String(Bytes),
    /// A hash value as (field, value) pairs in the store's iteration order.
    Hash(Vec<(Bytes, Bytes)>),
}

impl Value {
    /// The type of this value.
    pub fn key_type(&self) -> KeyType {
        match self {
            Value::String(_) => KeyType::String,
            Value::Hash(_) => KeyType::Hash,
        }
    }
}

/// Statistics of one database (INFO keyspace: `keys=..,expires=..,avg_ttl=..`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DbStats {
    /// Number of keys (may include expired keys not yet reclaimed, as Redis does).
    pub keys: usize,
    /// Number of keys with an expiry.
    pub expires: usize,
    /// Average remaining TTL in ms of sampled volatile keys (0 if none), like Redis's estimate.
    pub avg_ttl: u64,
}

/// What GETEX did to a key's TTL ([`crate::Db::getex_outcome`]), so the server can propagate the
/// effect: `PEXPIREAT key ms`, `PERSIST key` or `DEL key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlChange {
    /// No TTL option, or PERSIST on a key without TTL.
    Unchanged,
    /// The TTL was set to this absolute time (ms since the epoch).
    Set(u64),
    /// PERSIST removed the TTL.
    Persisted,
    /// An absolute time in the past: the key was deleted.
    Deleted,
}
