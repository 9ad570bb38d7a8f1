//! DEBUG DIGEST / DIGEST-VALUE: an order-independent SHA-1 signature of the dataset.
//!
//! Equal datasets give equal digests; an empty dataset gives forty zeros. The mixing follows
//! Redis's idea (XOR of per-key digests, so iteration order does not matter; hash fields XORed
//! too) but the exact bytes differ from Redis's.

use sha1::{Digest, Sha1};

fn hex(d: &[u8; 20]) -> String {
    let mut s = String::with_capacity(40);
    for b in d {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    s
}

fn sha(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

fn xor(into: &mut [u8; 20], d: &[u8; 20]) {
    for (a, b) in into.iter_mut().zip(d) {
        *a ^= b;
    }
}

fn value_digest(v: &store::Value) -> [u8; 20] {
    match v {
        store::Value::String(s) => sha(&[b"string", s]),
        store::Value::Hash(pairs) => {
            let mut acc = [0u8; 20];
            for (f, val) in pairs {
                xor(&mut acc, &sha(&[f, val]));
            }
            sha(&[b"hash", &acc])
        }
    }
}

/// DEBUG DIGEST of every database.
pub fn dataset(store: &store::Store) -> String {
    let mut acc = [0u8; 20];
    for i in 0..store.databases() {
        let idx = (i as u64).to_le_bytes();
        store.db(i).for_each(|key, value, expire| {
            let v = value_digest(&value);
            let exp = expire.unwrap_or(0).to_le_bytes();
            xor(&mut acc, &sha(&[&idx, &key, &v, &exp]));
        });
    }
    hex(&acc)
}

/// DEBUG DIGEST-VALUE of one key (zeros if missing).
pub fn key(db: &store::Db<'_>, key: &[u8]) -> String {
    match db.get_value(key) {
        Some((v, _)) => hex(&value_digest(&v)),
        None => hex(&[0u8; 20]),
    }
}
