//! The stored representation of values: compact strings (int / embstr / raw, as Redis) and hashes
//! (a vector of pairs while small, like Redis's listpack, then a hash table).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;

use crate::options::{Encoding, KeyType, Value};

/// A compact owned byte string (16 bytes: pointer + length).
pub(crate) type Blob = Box<[u8]>;

/// Bytes the allocator really takes for a request of `n` bytes: glibc malloc's chunk on 64-bit
/// Linux (the request plus an 8-byte header, rounded up to 16, at least 32); nothing for 0
/// (empty boxes and vectors do not allocate). Memory accounting sums these, so `used_memory`
/// tracks the heap rather than the payload.
#[inline]
pub(crate) fn alloc_size(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        ((n + 8 + 15) & !15).max(32)
    }
}

/// Heap bytes of a `std` `HashMap` table of `capacity` with entries of `entry` bytes (buckets
/// are a power of two, at most 7/8 full; one control byte each plus a trailing group).
fn hash_table_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    alloc_size(buckets * (entry + 1) + 16)
}

/// Longest string Redis stores as `embstr`.
pub(crate) const EMBSTR_MAX: usize = 44;

/// A string value.
#[derive(Debug, Clone)]
pub(crate) enum Str {
    /// A canonical i64 (Redis `int`).
    Int(i64),
    /// Bytes written whole, at most 44 (`embstr`).
    Emb(Blob),
    /// Longer or modified in place (`raw`); may have spare capacity for APPEND.
    Raw(Vec<u8>),
}

/// A hash value.
#[derive(Debug, Clone)]
pub(crate) enum Hash {
    /// Small hash: pairs in insertion order (Redis `listpack`).
    Pairs(Vec<(Blob, Blob)>),
    /// Big hash (Redis `hashtable`); never converted back, as in Redis.
    Table(HashMap<Blob, Blob>),
}

/// A stored value.
#[derive(Debug, Clone)]
pub(crate) enum Data {
    /// String.
    Str(Str),
    /// Hash (boxed: the common case is strings, keep the entry small).
    Hash(Box<Hash>),
}

/// One key's entry: value, absolute expiry and access metadata for eviction.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) data: Data,
    /// Absolute expiry in ms since the epoch; 0 = no expiry.
    pub(crate) expire_at: u64,
    /// Access clock (high 24 bits, seconds) and LFU counter (low 8 bits); atomic so reads can
    /// update it under a shared lock.
    pub(crate) meta: AtomicU32,
}

impl Clone for Entry {
    fn clone(&self) -> Entry {
        Entry {
            data: self.data.clone(),
            expire_at: self.expire_at,
            meta: AtomicU32::new(self.meta.load(Ordering::Relaxed)),
        }
    }
}

/// Parses bytes as Redis's `string2ll`: canonical decimal i64 only (no `+`, no leading zeros,
/// no spaces, `-0` rejected).
pub(crate) fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s.len() == 1 && s[0] == b'0' {
        return Some(0);
    }
    let (neg, digits) = if s[0] == b'-' {
        (true, &s[1..])
    } else {
        (false, s)
    };
    if digits.is_empty() || digits[0] == b'0' {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

impl Str {
    /// Encodes bytes written whole (SET, GETSET...): int if canonical integer, else embstr/raw.
    pub(crate) fn from_bytes(v: &[u8]) -> Str {
        if let Some(i) = parse_i64(v) {
            Str::Int(i)
        } else if v.len() <= EMBSTR_MAX {
            Str::Emb(v.into())
        } else {
            Str::Raw(v.to_vec())
        }
    }

    /// Length in bytes of the string form.
    pub(crate) fn len(&self) -> usize {
        match self {
            Str::Int(i) => itoa::Buffer::new().format(*i).len(),
            Str::Emb(b) => b.len(),
            Str::Raw(v) => v.len(),
        }
    }

    /// Calls `f` with the string's bytes.
    pub(crate) fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Str::Int(i) => f(itoa::Buffer::new().format(*i).as_bytes()),
            Str::Emb(b) => f(b),
            Str::Raw(v) => f(v),
        }
    }

    /// An owned copy.
    pub(crate) fn to_bytes(&self) -> Bytes {
        self.with_bytes(Bytes::copy_from_slice)
    }

    /// Converts to the mutable `raw` form (APPEND, SETRANGE).
    pub(crate) fn make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, Str::Raw(_)) {
            let v = self.with_bytes(|b| b.to_vec());
            *self = Str::Raw(v);
        }
        match self {
            Str::Raw(v) => v,
            // just converted above
            _ => unreachable!("string converted to raw"),
        }
    }

    pub(crate) fn encoding(&self) -> Encoding {
        match self {
            Str::Int(_) => Encoding::Int,
            Str::Emb(_) => Encoding::Embstr,
            Str::Raw(_) => Encoding::Raw,
        }
    }

    fn heap_size(&self) -> usize {
        match self {
            Str::Int(_) => 0,
            Str::Emb(b) => alloc_size(b.len()),
            Str::Raw(v) => alloc_size(v.capacity()),
        }
    }
}

impl Hash {
    pub(crate) fn len(&self) -> usize {
        match self {
            Hash::Pairs(p) => p.len(),
            Hash::Table(t) => t.len(),
        }
    }

    pub(crate) fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Pairs(p) => p.iter().find(|(f, _)| &**f == field).map(|(_, v)| &**v),
            Hash::Table(t) => t.get(field).map(|v| &**v),
        }
    }

    /// Sets a field; returns true if the field is new. Converts to a table past the limits.
    pub(crate) fn set(
        &mut self,
        field: &[u8],
        value: &[u8],
        max_entries: usize,
        max_value: usize,
    ) -> bool {
        if let Hash::Pairs(p) = self {
            if field.len() > max_value || value.len() > max_value {
                self.convert();
            } else if let Some(slot) = p.iter_mut().find(|(f, _)| &**f == field) {
                slot.1 = value.into();
                return false;
            } else if p.len() < max_entries {
                p.push((field.into(), value.into()));
                return true;
            } else {
                self.convert();
            }
        }
        match self {
            Hash::Table(t) => {
                if let Some(v) = t.get_mut(field) {
                    *v = value.into();
                    false
                } else {
                    t.insert(field.into(), value.into());
                    true
                }
            }
            Hash::Pairs(_) => unreachable!("converted to table above"),
        }
    }

    fn convert(&mut self) {
        if let Hash::Pairs(p) = self {
            let t: HashMap<Blob, Blob> = std::mem::take(p).into_iter().collect();
            *self = Hash::Table(t);
        }
    }

    pub(crate) fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Pairs(p) => {
                if let Some(i) = p.iter().position(|(f, _)| &**f == field) {
                    p.remove(i);
                    true
                } else {
                    false
                }
            }
            Hash::Table(t) => t.remove(field).is_some(),
        }
    }

    /// Visits every (field, value).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        match self {
            Hash::Pairs(p) => p.iter().for_each(|(k, v)| f(k, v)),
            Hash::Table(t) => t.iter().for_each(|(k, v)| f(k, v)),
        }
    }

    /// The i-th pair in iteration order (for random picks); O(1) for pairs, O(n) for tables.
    pub(crate) fn nth(&self, i: usize) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::Pairs(p) => p.get(i).map(|(k, v)| (&**k, &**v)),
            Hash::Table(t) => t.iter().nth(i).map(|(k, v)| (&**k, &**v)),
        }
    }

    pub(crate) fn pairs(&self) -> Vec<(Bytes, Bytes)> {
        let mut out = Vec::with_capacity(self.len());
        self.for_each(|k, v| out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v))));
        out
    }

    pub(crate) fn encoding(&self) -> Encoding {
        match self {
            Hash::Pairs(_) => Encoding::Listpack,
            Hash::Table(_) => Encoding::Hashtable,
        }
    }

    fn heap_size(&self) -> usize {
        let blobs = |k: &Blob, v: &Blob| alloc_size(k.len()) + alloc_size(v.len());
        match self {
            Hash::Pairs(p) => {
                alloc_size(p.capacity() * std::mem::size_of::<(Blob, Blob)>())
                    + p.iter().map(|(k, v)| blobs(k, v)).sum::<usize>()
            }
            Hash::Table(t) => {
                hash_table_bytes(t.capacity(), std::mem::size_of::<(Blob, Blob)>())
                    + t.iter().map(|(k, v)| blobs(k, v)).sum::<usize>()
            }
        }
    }
}

impl Data {
    pub(crate) fn key_type(&self) -> KeyType {
        match self {
            Data::Str(_) => KeyType::String,
            Data::Hash(_) => KeyType::Hash,
        }
    }

    pub(crate) fn encoding(&self) -> Encoding {
        match self {
            Data::Str(s) => s.encoding(),
            Data::Hash(h) => h.encoding(),
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        match self {
            Data::Str(s) => Value::String(s.to_bytes()),
            Data::Hash(h) => Value::Hash(h.pairs()),
        }
    }

    pub(crate) fn from_value(v: &Value, max_entries: usize, max_value: usize) -> Data {
        match v {
            Value::String(b) => Data::Str(Str::from_bytes(b)),
            Value::Hash(pairs) => {
                let mut h = Hash::Pairs(Vec::new());
                for (f, v) in pairs {
                    h.set(f, v, max_entries, max_value);
                }
                Data::Hash(Box::new(h))
            }
        }
    }
}

impl Entry {
    pub(crate) fn new(data: Data, expire_at: u64, meta: u32) -> Entry {
        Entry {
            data,
            expire_at,
            meta: AtomicU32::new(meta),
        }
    }

    #[inline]
    pub(crate) fn is_expired(&self, now: u64) -> bool {
        self.expire_at != 0 && self.expire_at <= now
    }

    pub(crate) fn expire_opt(&self) -> Option<u64> {
        (self.expire_at != 0).then_some(self.expire_at)
    }

    /// Heap bytes this entry owns outside its table slot: the key's allocation and the
    /// value's (the slot itself is counted with the table, see `db::table_bytes`).
    pub(crate) fn approx_size(&self, key_len: usize) -> usize {
        alloc_size(key_len)
            + match &self.data {
                Data::Str(s) => s.heap_size(),
                Data::Hash(h) => alloc_size(std::mem::size_of::<Hash>()) + h.heap_size(),
            }
    }
}
