//! The stored representation of values: compact strings (int / embstr / raw, as Redis) and hashes
//! (a listpack-like byte buffer while small, then a hash table).
//!
//! Memory layout (RSS per key is measured against Redis by `bench/memory.py`): a keyspace table
//! slot is one pointer to a boxed [`Entry`] of 40 bytes holding the value ([`Data`], 16 bytes),
//! the expiry, the access metadata and the key (inline up to 11 bytes). A string of at most 14
//! bytes lives inside the `Data` (no allocation: a `SET k v` costs the 40-byte box, the slot and
//! nothing else); longer `embstr`s are one thin block; a small hash is one block of
//! length-prefixed fields and values, like Redis's listpack. Pointers rather than entries in the
//! table slots make the table's power-of-two growth cost 8 bytes per empty slot, not 40.

use std::collections::hash_map::RandomState;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;

use crate::options::{Encoding, KeyType, Value};
use crate::thin::{Key, ThinBytes};

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

/// Longest string stored inline in a [`Str`] (still `embstr` to OBJECT ENCODING).
pub(crate) const INLINE_MAX: usize = 14;

/// A string value (16 bytes).
#[derive(Debug, Clone)]
pub(crate) enum Str {
    /// A canonical i64 (Redis `int`).
    Int(i64),
    /// Bytes written whole, at most [`INLINE_MAX`], stored in place (`embstr`).
    Inline { len: u8, buf: [u8; INLINE_MAX] },
    /// Bytes written whole, at most 44 (`embstr`).
    Emb(ThinBytes),
    /// Longer or modified in place (`raw`); may have spare capacity for APPEND. Boxed: a bare
    /// `Vec` (24 bytes) would make every `Str`, and so every entry, 8 bytes bigger.
    #[allow(clippy::box_collection)]
    Raw(Box<Vec<u8>>),
}

/// A hash value: one tagged pointer (8 bytes), so that [`Data`] stays 16 bytes. Bit 0 clear: a
/// [`ThinBytes`] listpack (pairs of a length header, field, value: see `put_pair`; Redis
/// `listpack`); set:
/// a boxed table (Redis `hashtable`; never converted back, as in Redis).
pub(crate) struct Hash {
    ptr: NonNull<u8>,
}

/// A big hash: the map and the allocated bytes of its fields and values, kept up to date on
/// every change so that memory accounting is O(1) per write (HSET on a 100k-field hash must not
/// walk it).
/// The map is hashbrown's (what `std` wraps), for its raw table: prefetch hints need the
/// control bytes and slots (see [`Table::prefetch`]).
#[derive(Clone, Default)]
struct Table {
    map: FieldMap,
    blob_bytes: usize,
}

type FieldMap = hashbrown::HashMap<Blob, Blob, RandomState>;

fn pair_bytes(k: &[u8], v: &[u8]) -> usize {
    alloc_size(k.len()) + alloc_size(v.len())
}

impl Table {
    fn get(&self, field: &[u8]) -> Option<&Blob> {
        self.map.get(field)
    }

    /// Sets a field; returns true if it is new.
    fn set(&mut self, field: &[u8], value: &[u8]) -> bool {
        if let Some(old) = self.map.get_mut(field) {
            self.blob_bytes = self.blob_bytes - alloc_size(old.len()) + alloc_size(value.len());
            *old = value.into();
            false
        } else {
            self.blob_bytes += pair_bytes(field, value);
            self.map.insert(field.into(), value.into());
            true
        }
    }

    /// Prefetch hints for looking up `fields` (up to `PREFETCH_MAX`): each one's control group and first
    /// slot, then its first candidate's field and value blocks, stage by stage, so the misses
    /// of a pipelined batch on one big hash overlap.
    fn prefetch(&self, fields: &[&[u8]]) {
        use crate::db::{prefetch_probe, PREFETCH_MAX};
        let raw = self.map.raw_table();
        let n = fields.len().min(PREFETCH_MAX);
        let mut hashes = [0u64; PREFETCH_MAX];
        for (h, f) in hashes.iter_mut().zip(&fields[..n]) {
            // As the map hashes a `Box<[u8]>` key: as the `[u8]` it holds.
            *h = std::hash::BuildHasher::hash_one(self.map.hasher(), *f);
            prefetch_probe(raw, *h);
        }
        for &h in &hashes[..n] {
            // SAFETY: a bucket from `iter_hash` of this table, which `&self` keeps alive.
            unsafe {
                if let Some(b) = raw.iter_hash(h).next() {
                    let (k, v) = b.as_ref();
                    crate::db::prefetch(k.as_ptr());
                    crate::db::prefetch(v.as_ptr());
                }
            }
        }
    }

    fn remove(&mut self, field: &[u8]) -> bool {
        match self.map.remove_entry(field) {
            Some((k, v)) => {
                self.blob_bytes -= pair_bytes(&k, &v);
                true
            }
            None => false,
        }
    }
}

impl std::ops::Deref for Table {
    type Target = FieldMap;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl FromIterator<(Blob, Blob)> for Table {
    fn from_iter<I: IntoIterator<Item = (Blob, Blob)>>(iter: I) -> Table {
        let map: FieldMap = iter.into_iter().collect();
        let blob_bytes = map.iter().map(|(k, v)| pair_bytes(k, v)).sum();
        Table { map, blob_bytes }
    }
}

// SAFETY: Hash owns its block or table uniquely; shared access only reads.
unsafe impl Send for Hash {}
// SAFETY: as above.
unsafe impl Sync for Hash {}

/// A stored value (16 bytes).
#[derive(Debug, Clone)]
pub(crate) enum Data {
    /// String.
    Str(Str),
    /// Hash.
    Hash(Hash),
}

/// One key's entry: value, absolute expiry, access metadata for eviction, and the key itself
/// (set when the entry goes into a table). 40 bytes.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) data: Data,
    /// Absolute expiry in ms since the epoch; 0 = no expiry.
    pub(crate) expire_at: u64,
    /// Access clock (high 24 bits, seconds) and LFU counter (low 8 bits); atomic so reads can
    /// update it under a shared lock.
    pub(crate) meta: AtomicU32,
    /// The key, once in a table (see `db::Node`).
    pub(crate) key: Key,
}

impl Clone for Entry {
    fn clone(&self) -> Entry {
        Entry {
            data: self.data.clone(),
            expire_at: self.expire_at,
            meta: AtomicU32::new(self.meta.load(Ordering::Relaxed)),
            key: self.key.clone(),
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
        } else {
            Str::embstr(v)
        }
    }

    /// Bytes that are never int-encoded: embstr up to 44 bytes (inline up to 14), else raw.
    pub(crate) fn embstr(v: &[u8]) -> Str {
        if v.len() <= INLINE_MAX {
            let mut buf = [0u8; INLINE_MAX];
            buf[..v.len()].copy_from_slice(v);
            Str::Inline {
                len: v.len() as u8,
                buf,
            }
        } else if v.len() <= EMBSTR_MAX {
            Str::Emb(ThinBytes::new(v))
        } else {
            Str::Raw(Box::new(v.to_vec()))
        }
    }

    /// A `raw` string.
    pub(crate) fn raw(v: Vec<u8>) -> Str {
        Str::Raw(Box::new(v))
    }

    /// Length in bytes of the string form.
    pub(crate) fn len(&self) -> usize {
        match self {
            Str::Int(i) => itoa::Buffer::new().format(*i).len(),
            Str::Inline { len, .. } => *len as usize,
            Str::Emb(b) => b.len(),
            Str::Raw(v) => v.len(),
        }
    }

    /// Calls `f` with the string's bytes.
    pub(crate) fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Str::Int(i) => f(itoa::Buffer::new().format(*i).as_bytes()),
            Str::Inline { len, buf } => f(&buf[..*len as usize]),
            Str::Emb(b) => f(b.as_slice()),
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
            *self = Str::raw(v);
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
            Str::Inline { .. } | Str::Emb(_) => Encoding::Embstr,
            Str::Raw(_) => Encoding::Raw,
        }
    }

    fn heap_size(&self) -> usize {
        match self {
            Str::Int(_) | Str::Inline { .. } => 0,
            Str::Emb(b) => alloc_size(b.block_size()),
            Str::Raw(v) => alloc_size(std::mem::size_of::<Vec<u8>>()) + alloc_size(v.capacity()),
        }
    }
}

/// Appends a LEB128 length.
fn put_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a LEB128 length at the start of `buf`: (length, rest).
fn take_len(buf: &[u8]) -> Option<(usize, &[u8])> {
    let mut n = 0usize;
    let mut shift = 0u32;
    for (i, &b) in buf.iter().enumerate() {
        n |= ((b & 0x7f) as usize).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some((n, buf.get(i + 1..)?));
        }
        shift += 7;
        if shift >= usize::BITS {
            return None;
        }
    }
    None
}

/// Appends one (field, value) pair. A pair header byte `0fffvvvv` holds both lengths when the
/// field is under 8 bytes and the value under 16 (the common small hash: one byte per pair,
/// where Redis's listpack spends four); else `0x80` and two LEB128 lengths.
fn put_pair(out: &mut Vec<u8>, field: &[u8], value: &[u8]) {
    if field.len() < 8 && value.len() < 16 {
        out.push(((field.len() as u8) << 4) | value.len() as u8);
    } else {
        out.push(0x80);
        put_len(out, field.len());
        put_len(out, value.len());
    }
    out.extend_from_slice(field);
    out.extend_from_slice(value);
}

/// Reads the pair at the start of `buf`: (field, value, rest).
fn take_pair(buf: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (&h, rest) = buf.split_first()?;
    let (flen, vlen, rest) = if h & 0x80 == 0 {
        ((h >> 4) as usize, (h & 0x0f) as usize, rest)
    } else {
        let (f, rest) = take_len(rest)?;
        let (v, rest) = take_len(rest)?;
        (f, v, rest)
    };
    let fend = flen;
    let vend = fend.checked_add(vlen)?;
    Some((rest.get(..fend)?, rest.get(fend..vend)?, rest.get(vend..)?))
}

/// The (field, value) pairs of a listpack buffer, in order.
fn pairs_of(mut buf: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let (f, v, rest) = take_pair(buf)?;
        buf = rest;
        Some((f, v))
    })
}

/// Sets `field` in a listpack buffer: Some(true) if added, Some(false) if replaced, None if
/// adding would exceed `max_entries` (the caller converts to a table).
fn lp_set(buf: &mut Vec<u8>, field: &[u8], value: &[u8], max_entries: usize) -> Option<bool> {
    let mut n = 0;
    let mut rest: &[u8] = buf;
    while let Some((f, _, after)) = take_pair(rest) {
        n += 1;
        if f == field {
            // Re-encode the pair: bytes [start, end) of the buffer.
            let start = buf.len() - rest.len();
            let end = buf.len() - after.len();
            let mut enc = Vec::with_capacity(field.len() + value.len() + 8);
            put_pair(&mut enc, field, value);
            buf.splice(start..end, enc);
            return Some(false);
        }
        rest = after;
    }
    if n >= max_entries {
        return None;
    }
    put_pair(buf, field, value);
    Some(true)
}

enum Repr<'a> {
    Pairs(&'a ThinBytes),
    Table(&'a Table),
}

impl Hash {
    /// An empty listpack hash.
    pub(crate) fn new() -> Hash {
        Hash::from_pairs(ThinBytes::new(&[]))
    }

    fn from_pairs(t: ThinBytes) -> Hash {
        // ThinBytes blocks are 2-aligned: bit 0 is clear.
        Hash {
            ptr: t.into_nonnull(),
        }
    }

    fn from_table(t: Table) -> Hash {
        let p = Box::into_raw(Box::new(t)) as *mut u8;
        // Box<Table> is 8-aligned: setting bit 0 keeps the pointer non-null and recoverable.
        let tagged = p.wrapping_add(1);
        Hash {
            // SAFETY: a Box pointer plus one is never null.
            ptr: unsafe { NonNull::new_unchecked(tagged) },
        }
    }

    #[inline]
    fn is_table(&self) -> bool {
        (self.ptr.as_ptr() as usize) & 1 == 1
    }

    #[inline]
    fn repr(&self) -> Repr<'_> {
        if self.is_table() {
            // SAFETY: tagged pointers come from `from_table`'s Box<Table>.
            Repr::Table(unsafe { &*(self.ptr.as_ptr().wrapping_sub(1) as *const Table) })
        } else {
            // SAFETY: untagged pointers are a ThinBytes block owned by self; ThinBytes is a
            // transparent wrapper of that same pointer.
            Repr::Pairs(unsafe { ThinBytes::borrow_nonnull(&self.ptr) })
        }
    }

    /// Prefetch hints for looking up `fields` soon; only a big (hashtable) hash has misses
    /// worth starting early.
    pub(crate) fn prefetch_fields(&self, fields: &[&[u8]]) {
        if let Repr::Table(t) = self.repr() {
            t.prefetch(fields);
        }
    }

    fn table_mut(&mut self) -> Option<&mut Table> {
        if self.is_table() {
            // SAFETY: as in `repr`; &mut self gives unique access.
            Some(unsafe { &mut *(self.ptr.as_ptr().wrapping_sub(1) as *mut Table) })
        } else {
            None
        }
    }

    /// Replaces the representation, dropping the old one.
    fn replace(&mut self, new: Hash) {
        *self = new;
    }

    pub(crate) fn len(&self) -> usize {
        match self.repr() {
            Repr::Pairs(p) => pairs_of(p.as_slice()).count(),
            Repr::Table(t) => t.len(),
        }
    }

    pub(crate) fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self.repr() {
            Repr::Pairs(p) => pairs_of(p.as_slice())
                .find(|(f, _)| *f == field)
                .map(|(_, v)| v),
            Repr::Table(t) => t.get(field).map(|v| &**v),
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
        self.set_many([(field, value)], max_entries, max_value) == 1
    }

    /// Sets fields in order (a later duplicate wins); returns how many were new. A listpack is
    /// rewritten once for the whole batch (HSET of many fields), not once per field.
    pub(crate) fn set_many<'p>(
        &mut self,
        pairs: impl IntoIterator<Item = (&'p [u8], &'p [u8])>,
        max_entries: usize,
        max_value: usize,
    ) -> usize {
        let mut added = 0;
        let mut pairs = pairs.into_iter().peekable();
        if let Repr::Pairs(p) = self.repr() {
            let mut buf = p.as_slice().to_vec();
            let mut dirty = false;
            while let Some(&(f, v)) = pairs.peek() {
                if f.len() > max_value || v.len() > max_value {
                    break;
                }
                match lp_set(&mut buf, f, v, max_entries) {
                    Some(new) => {
                        added += new as usize;
                        dirty = true;
                        pairs.next();
                    }
                    None => break,
                }
            }
            if dirty {
                self.replace(Hash::from_pairs(ThinBytes::new(&buf)));
            }
            if pairs.peek().is_none() {
                return added;
            }
            self.convert();
        }
        let Some(t) = self.table_mut() else {
            return added;
        };
        for (f, v) in pairs {
            added += usize::from(t.set(f, v));
        }
        added
    }

    fn convert(&mut self) {
        if let Repr::Pairs(p) = self.repr() {
            let t: Table = pairs_of(p.as_slice())
                .map(|(f, v)| (f.into(), v.into()))
                .collect();
            self.replace(Hash::from_table(t));
        }
    }

    pub(crate) fn remove(&mut self, field: &[u8]) -> bool {
        if let Repr::Pairs(p) = self.repr() {
            let buf = p.as_slice();
            if !pairs_of(buf).any(|(f, _)| f == field) {
                return false;
            }
            let mut out = Vec::with_capacity(buf.len());
            for (f, v) in pairs_of(buf).filter(|(f, _)| *f != field) {
                put_pair(&mut out, f, v);
            }
            self.replace(Hash::from_pairs(ThinBytes::new(&out)));
            return true;
        }
        self.table_mut().is_some_and(|t| t.remove(field))
    }

    /// Visits every (field, value).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        match self.repr() {
            Repr::Pairs(p) => pairs_of(p.as_slice()).for_each(|(k, v)| f(k, v)),
            Repr::Table(t) => t.iter().for_each(|(k, v)| f(k, v)),
        }
    }

    /// The i-th pair in iteration order (for random picks); O(n).
    pub(crate) fn nth(&self, i: usize) -> Option<(&[u8], &[u8])> {
        match self.repr() {
            Repr::Pairs(p) => pairs_of(p.as_slice()).nth(i),
            Repr::Table(t) => t.iter().nth(i).map(|(k, v)| (&**k, &**v)),
        }
    }

    pub(crate) fn pairs(&self) -> Vec<(Bytes, Bytes)> {
        let mut out = Vec::with_capacity(self.len());
        self.for_each(|k, v| out.push((Bytes::copy_from_slice(k), Bytes::copy_from_slice(v))));
        out
    }

    pub(crate) fn encoding(&self) -> Encoding {
        match self.repr() {
            Repr::Pairs(_) => Encoding::Listpack,
            Repr::Table(_) => Encoding::Hashtable,
        }
    }

    fn heap_size(&self) -> usize {
        match self.repr() {
            Repr::Pairs(p) => alloc_size(p.block_size()),
            Repr::Table(t) => {
                alloc_size(std::mem::size_of::<Table>())
                    + hash_table_bytes(t.capacity(), std::mem::size_of::<(Blob, Blob)>())
                    + t.blob_bytes
            }
        }
    }
}

impl Drop for Hash {
    fn drop(&mut self) {
        if self.is_table() {
            // SAFETY: from `from_table`; dropped once.
            drop(unsafe { Box::from_raw(self.ptr.as_ptr().wrapping_sub(1) as *mut Table) });
        } else {
            // SAFETY: from `from_pairs`; dropped once.
            drop(unsafe { ThinBytes::from_nonnull(self.ptr) });
        }
    }
}

impl Clone for Hash {
    fn clone(&self) -> Hash {
        match self.repr() {
            Repr::Pairs(p) => Hash::from_pairs(p.clone()),
            Repr::Table(t) => Hash::from_table(t.clone()),
        }
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        self.for_each(|k, v| {
            m.entry(&Bytes::copy_from_slice(k), &Bytes::copy_from_slice(v));
        });
        m.finish()
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
                let mut h = Hash::new();
                h.set_many(
                    pairs.iter().map(|(f, v)| (&f[..], &v[..])),
                    max_entries,
                    max_value,
                );
                Data::Hash(h)
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
            key: Key::EMPTY,
        }
    }

    #[inline]
    pub(crate) fn is_expired(&self, now: u64) -> bool {
        self.expire_at != 0 && self.expire_at <= now
    }

    pub(crate) fn expire_opt(&self) -> Option<u64> {
        (self.expire_at != 0).then_some(self.expire_at)
    }

    /// Heap bytes this entry owns outside its table slot: the boxed entry, a long key's block
    /// and the value's allocations (the slot itself is counted with the table, see
    /// `db::table_bytes`).
    pub(crate) fn approx_size(&self, key_len: usize) -> usize {
        // The boxed entry (the slot, a pointer, is counted with the table), a long key's block.
        let key_heap = if key_len > crate::thin::KEY_INLINE {
            alloc_size(crate::thin::block_size(key_len))
        } else {
            0
        };
        alloc_size(std::mem::size_of::<Entry>())
            + key_heap
            + match &self.data {
                Data::Str(s) => s.heap_size(),
                Data::Hash(h) => h.heap_size(),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<Str>(), 16);
        assert_eq!(std::mem::size_of::<Hash>(), 8);
        assert_eq!(std::mem::size_of::<Data>(), 16);
        assert_eq!(std::mem::size_of::<Entry>(), 40);
    }

    #[test]
    fn str_encodings() {
        for n in [0usize, 1, 14, 15, 44, 45, 100] {
            let v = vec![b'x'; n];
            let s = Str::from_bytes(&v);
            s.with_bytes(|b| assert_eq!(b, &v[..]));
            assert_eq!(s.len(), n);
            let want = if n <= EMBSTR_MAX {
                Encoding::Embstr
            } else {
                Encoding::Raw
            };
            assert_eq!(s.encoding(), want);
        }
        assert_eq!(Str::from_bytes(b"-12").encoding(), Encoding::Int);
    }

    #[test]
    fn listpack_set_get_remove_convert() {
        let mut h = Hash::new();
        assert_eq!(h.len(), 0);
        assert!(h.set(b"a", b"1", 4, 64));
        assert!(h.set(b"b", b"", 4, 64));
        assert!(!h.set(b"a", b"one", 4, 64));
        let long = vec![b'z'; 200];
        assert!(h.set(b"c", &long, 4, 300));
        assert!(h.set(b"abcdefgh", b"0123456789abcdef", 4, 300));
        assert_eq!(h.get(b"abcdefgh"), Some(&b"0123456789abcdef"[..]));
        assert!(!h.set(b"abcdefgh", b"x", 4, 300));
        assert_eq!(h.get(b"abcdefgh"), Some(&b"x"[..]));
        assert!(h.remove(b"abcdefgh"));
        assert_eq!(h.get(b"a"), Some(&b"one"[..]));
        assert_eq!(h.get(b"b"), Some(&b""[..]));
        assert_eq!(h.get(b"c"), Some(&long[..]));
        assert_eq!(h.len(), 3);
        assert_eq!(h.nth(1), Some((&b"b"[..], &b""[..])));
        assert!(h.remove(b"b"));
        assert!(!h.remove(b"b"));
        assert_eq!(h.len(), 2);
        assert_eq!(h.encoding(), Encoding::Listpack);
        let c = h.clone();
        assert!(h.set(b"d", b"4", 2, 64));
        assert_eq!(h.encoding(), Encoding::Hashtable);
        assert_eq!(h.len(), 3);
        assert_eq!(h.get(b"a"), Some(&b"one"[..]));
        assert_eq!(c.len(), 2);
        let c2 = h.clone();
        let mut m = Hash::new();
        let batch: [(&[u8], &[u8]); 4] = [(b"x", b"1"), (b"y", b"2"), (b"x", b"3"), (b"z", b"4")];
        assert_eq!(m.set_many(batch, 2, 64), 3);
        assert_eq!(m.encoding(), Encoding::Hashtable);
        assert_eq!(m.get(b"x"), Some(&b"3"[..]));
        assert_eq!(c2.get(b"d"), Some(&b"4"[..]));
        assert!(h.remove(b"d"));
        assert_eq!(c2.len(), 3);
    }
}
