//! Compact owned byte strings for the keyspace's per-key memory (see `value.rs` for the layout
//! they make possible).
//!
//! - [`ThinBytes`]: one pointer (8 bytes) to a heap block `[len: LEB128][bytes]`, where a
//!   `Box<[u8]>` is 16 bytes. Used for `embstr` values, listpacks and long keys.
//! - [`Key`]: 12 bytes, the key inline when it is at most 11 bytes (no allocation at all), else a
//!   [`ThinBytes`] stored unaligned. 12 bytes fit the tail of [`Entry`](crate::value::Entry),
//!   which keeps the entry at 40 bytes.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

/// Block alignment: 2, so bit 0 of a block pointer is clear (`value::Hash` tags it).
const ALIGN: usize = 2;

/// Bytes of the LEB128 length header for a block of `len` bytes.
#[inline]
fn header_len(len: usize) -> usize {
    let mut n = 1;
    let mut v = len >> 7;
    while v != 0 {
        n += 1;
        v >>= 7;
    }
    n
}

/// Bytes of the block holding `len` payload bytes (header included).
pub(crate) fn block_size(len: usize) -> usize {
    header_len(len) + len
}

/// Reads a block's (header length, payload length).
///
/// SAFETY: `p` must point to a live block written by `ThinBytes::new`.
#[inline]
unsafe fn read_header(p: *const u8) -> (usize, usize) {
    let mut len = 0usize;
    let mut i = 0;
    loop {
        // SAFETY: the header is at most 5 bytes and ends with a byte without bit 7.
        let b = unsafe { p.add(i).read() };
        len |= ((b & 0x7f) as usize) << (7 * i);
        i += 1;
        if b & 0x80 == 0 {
            return (i, len);
        }
    }
}

/// The payload of a block.
///
/// SAFETY: `p` must point to a live block written by `ThinBytes::new`, outliving `'a`.
#[inline]
unsafe fn block<'a>(p: *const u8) -> &'a [u8] {
    // SAFETY: per the caller; the block holds `len` initialised bytes after the header.
    unsafe {
        let (h, len) = read_header(p);
        std::slice::from_raw_parts(p.add(h), len)
    }
}

/// An owned byte string behind one thin pointer; the length lives in the heap block, as a
/// LEB128 header (1 byte up to 127 bytes, 2 up to 16 KiB).
/// `repr(transparent)`: a `&NonNull<u8>` to a block can be seen as a `&ThinBytes`.
#[repr(transparent)]
pub(crate) struct ThinBytes {
    ptr: NonNull<u8>,
}

// SAFETY: ThinBytes owns its block uniquely (like Box<[u8]>); no interior mutability.
unsafe impl Send for ThinBytes {}
// SAFETY: as above: shared access only reads.
unsafe impl Sync for ThinBytes {}

fn layout(len: usize) -> Layout {
    // `len` is at most u32::MAX (checked in `new`), so this cannot overflow isize on 64-bit.
    match Layout::from_size_align(header_len(len) + len, ALIGN) {
        Ok(l) => l,
        Err(_) => alloc::handle_alloc_error(Layout::new::<u32>()),
    }
}

impl ThinBytes {
    /// Copies `bytes` into a new block. Panics (allocation failure) past 4 GiB, which the
    /// protocol's 512 MB bulk limit rules out.
    pub(crate) fn new(bytes: &[u8]) -> ThinBytes {
        if u32::try_from(bytes.len()).is_err() {
            alloc::handle_alloc_error(Layout::new::<u32>());
        }
        let l = layout(bytes.len());
        let h = header_len(bytes.len());
        // SAFETY: the layout has a non-zero size (header); the block is written fully below.
        unsafe {
            let p = alloc::alloc(l);
            let Some(ptr) = NonNull::new(p) else {
                alloc::handle_alloc_error(l);
            };
            let mut v = bytes.len();
            for i in 0..h {
                let more = if i + 1 < h { 0x80 } else { 0 };
                p.add(i).write((v as u8 & 0x7f) | more);
                v >>= 7;
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(h), bytes.len());
            ThinBytes { ptr }
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        // SAFETY: our block, written by `new`.
        unsafe { read_header(self.ptr.as_ptr()).1 }
    }

    /// Bytes allocated for the block (header and payload).
    pub(crate) fn block_size(&self) -> usize {
        block_size(self.len())
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[u8] {
        // SAFETY: our block, written by `new`, borrowed for as long as self.
        unsafe { block(self.ptr.as_ptr()) }
    }

    /// Gives up ownership; the pointer is 2-aligned (bit 0 clear).
    pub(crate) fn into_nonnull(self) -> NonNull<u8> {
        let p = self.ptr;
        std::mem::forget(self);
        p
    }

    /// SAFETY: `p` must come from `into_nonnull` and be owned by the caller.
    pub(crate) unsafe fn from_nonnull(p: NonNull<u8>) -> ThinBytes {
        ThinBytes { ptr: p }
    }

    /// SAFETY: `p` must come from `into_nonnull` and stay owned (unchanged) while borrowed.
    pub(crate) unsafe fn borrow_nonnull(p: &NonNull<u8>) -> &ThinBytes {
        // SAFETY: ThinBytes is a transparent wrapper of NonNull<u8>.
        unsafe { &*(p as *const NonNull<u8> as *const ThinBytes) }
    }

    fn into_raw(self) -> *mut u8 {
        let p = self.ptr.as_ptr();
        std::mem::forget(self);
        p
    }

    /// SAFETY: `p` must come from `into_raw` and not be used again.
    unsafe fn from_raw(p: *mut u8) -> ThinBytes {
        ThinBytes {
            // SAFETY: into_raw only gives out non-null pointers.
            ptr: unsafe { NonNull::new_unchecked(p) },
        }
    }
}

impl Drop for ThinBytes {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), layout(self.len())) }
    }
}

impl Clone for ThinBytes {
    fn clone(&self) -> ThinBytes {
        ThinBytes::new(self.as_slice())
    }
}

impl std::fmt::Debug for ThinBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", bytes::Bytes::copy_from_slice(self.as_slice()))
    }
}

/// Longest key stored inline in a [`Key`].
pub(crate) const KEY_INLINE: usize = 11;
const KEY_HEAP: u8 = 0xff;

/// A key: inline up to [`KEY_INLINE`] bytes, else a [`ThinBytes`]. Byte 0 is the inline length
/// or `KEY_HEAP`; bytes 4..12 then hold the block pointer (unaligned: the type has alignment 1
/// so that it packs after the entry's `u32`).
pub(crate) struct Key {
    b: [u8; 12],
}

// SAFETY: the heap block is owned uniquely, as a ThinBytes.
unsafe impl Send for Key {}
// SAFETY: shared access only reads.
unsafe impl Sync for Key {}

impl Key {
    /// The empty key (an entry not yet in a table).
    pub(crate) const EMPTY: Key = Key { b: [0; 12] };

    pub(crate) fn new(key: &[u8]) -> Key {
        let mut b = [0u8; 12];
        if key.len() <= KEY_INLINE {
            b[0] = key.len() as u8;
            b[1..1 + key.len()].copy_from_slice(key);
        } else {
            b[0] = KEY_HEAP;
            let p = ThinBytes::new(key).into_raw();
            // SAFETY: 4 + 8 <= 12; unaligned write of a pointer into our own bytes.
            unsafe { (b.as_mut_ptr().add(4) as *mut *mut u8).write_unaligned(p) };
        }
        Key { b }
    }

    #[inline]
    fn heap_ptr(&self) -> *mut u8 {
        // SAFETY: only called when b[0] == KEY_HEAP, when bytes 4..12 hold a pointer.
        unsafe { (self.b.as_ptr().add(4) as *const *mut u8).read_unaligned() }
    }

    /// The heap block's address when the key is not inline (for a prefetch hint).
    #[inline]
    pub(crate) fn heap_block(&self) -> Option<*const u8> {
        (self.b[0] == KEY_HEAP).then(|| self.heap_ptr() as *const u8)
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[u8] {
        if self.b[0] == KEY_HEAP {
            // SAFETY: a live ThinBytes block owned by self, borrowed for as long as self.
            unsafe { block(self.heap_ptr()) }
        } else {
            let n = self.b[0] as usize;
            &self.b[1..1 + n]
        }
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        if self.b[0] == KEY_HEAP {
            // SAFETY: the pointer came from ThinBytes::into_raw and is dropped once.
            drop(unsafe { ThinBytes::from_raw(self.heap_ptr()) });
        }
    }
}

impl Clone for Key {
    fn clone(&self) -> Key {
        Key::new(self.as_slice())
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", bytes::Bytes::copy_from_slice(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thin_round_trip() {
        for n in [0usize, 1, 14, 15, 44, 127, 128, 300, 16383, 16384, 70000] {
            let v: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let t = ThinBytes::new(&v);
            assert_eq!(t.as_slice(), &v[..]);
            assert_eq!(t.clone().as_slice(), &v[..]);
            assert_eq!(t.len(), n);
            assert_eq!(t.block_size(), block_size(n));
        }
        assert_eq!(header_len(127), 1);
        assert_eq!(header_len(128), 2);
        assert_eq!(std::mem::size_of::<Option<ThinBytes>>(), 8);
    }

    #[test]
    fn key_inline_and_heap() {
        for n in [0usize, 1, 10, 11, 12, 40, 1000] {
            let v: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
            let k = Key::new(&v);
            assert_eq!(k.as_slice(), &v[..]);
            assert_eq!(k.clone().as_slice(), &v[..]);
            assert_eq!(k.b[0] == KEY_HEAP, n > KEY_INLINE);
        }
        assert_eq!(std::mem::size_of::<Key>(), 12);
    }
}
