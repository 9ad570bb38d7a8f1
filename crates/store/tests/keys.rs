use std::collections::HashSet;

use store::{glob_match, key_match, Error, ExpireCondition, KeyType, SetOptions, Value};

use crate::{b, store};

fn set(db: store::Db<'_>, k: &str, v: &str) {
    db.set(k.as_bytes(), v.as_bytes(), SetOptions::default())
        .unwrap();
}

fn sorted(mut v: Vec<bytes::Bytes>) -> Vec<bytes::Bytes> {
    v.sort();
    v
}

#[test]
fn exists_type_del() {
    let (st, _) = store();
    let db = st.db(0);
    set(db, "a", "1");
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.exists(&["a", "a", "h", "nope"]), 3);
    assert_eq!(db.key_type(b"a"), Some(KeyType::String));
    assert_eq!(db.key_type(b"h"), Some(KeyType::Hash));
    assert_eq!(db.key_type(b"nope"), None);
    assert_eq!(KeyType::Hash.as_str(), "hash");
    assert_eq!(KeyType::parse(b"STRING"), Some(KeyType::String));
    assert_eq!(KeyType::parse(b"list"), None);
    assert_eq!(db.del(&["a", "a", "h", "nope"]), 2);
    assert_eq!(db.del(&["a"]), 0);
    set(db, "u", "1");
    assert_eq!(db.unlink(&["u", "v"]), 1);
    set(db, "t", "1");
    assert_eq!(db.touch(&["t", "t", "x"]), 2);
}

#[test]
fn rename_and_renamenx() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.rename(b"nope", b"x"), Err(Error::NoSuchKey));
    assert_eq!(db.renamenx(b"nope", b"x"), Err(Error::NoSuchKey));
    set(db, "a", "1");
    db.pexpire(b"a", 5000, ExpireCondition::Always).unwrap();
    set(db, "b", "2");
    db.pexpire(b"b", 9000, ExpireCondition::Always).unwrap();
    // RENAME moves the value and its TTL, replacing the destination (and its TTL).
    db.rename(b"a", b"b").unwrap();
    assert_eq!(db.get(b"b").unwrap(), Some(b("1")));
    assert_eq!(db.pttl(b"b"), 5000);
    assert_eq!(db.exists(&["a"]), 0);
    // Same key: OK for RENAME, 0 for RENAMENX (as Redis).
    assert_eq!(db.rename(b"b", b"b"), Ok(()));
    assert_eq!(db.renamenx(b"b", b"b"), Ok(false));
    set(db, "c", "3");
    assert_eq!(db.renamenx(b"b", b"c"), Ok(false));
    assert_eq!(db.renamenx(b"b", b"d"), Ok(true));
    assert_eq!(
        db.mget(&["b", "c", "d"]),
        vec![None, Some(b("3")), Some(b("1"))]
    );
    db.hset(b"h", &[("f", "v")]).unwrap();
    db.rename(b"h", b"h2").unwrap();
    assert_eq!(db.hget(b"h2", b"f"), Ok(Some(b("v"))));
}

#[test]
fn copy() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.copy(b"nope", b"x", None, false), Ok(false));
    set(db, "a", "1");
    db.pexpire(b"a", 5000, ExpireCondition::Always).unwrap();
    assert_eq!(db.copy(b"a", b"a", None, false), Err(Error::SameObject));
    assert_eq!(db.copy(b"a", b"a", Some(0), true), Err(Error::SameObject));
    assert_eq!(
        db.copy(b"a", b"a", Some(16), false),
        Err(Error::DbIndexOutOfRange)
    );
    assert_eq!(db.copy(b"a", b"b", None, false), Ok(true));
    assert_eq!(db.pttl(b"b"), 5000);
    set(db, "c", "3");
    assert_eq!(db.copy(b"a", b"c", None, false), Ok(false));
    assert_eq!(db.get(b"c").unwrap(), Some(b("3")));
    assert_eq!(db.copy(b"a", b"c", None, true), Ok(true));
    assert_eq!(db.get(b"c").unwrap(), Some(b("1")));
    // Same key into another db is fine.
    assert_eq!(db.copy(b"a", b"a", Some(1), false), Ok(true));
    assert_eq!(st.db(1).get(b"a").unwrap(), Some(b("1")));
    assert_eq!(st.db(1).pttl(b"a"), 5000);
    // The copy is deep: changing it leaves the source alone.
    db.hset(b"h", &[("f", "v")]).unwrap();
    db.copy(b"h", b"h2", None, false).unwrap();
    db.hset(b"h2", &[("f", "w")]).unwrap();
    assert_eq!(db.hget(b"h", b"f"), Ok(Some(b("v"))));
}

#[test]
fn move_key() {
    let (st, _) = store();
    let db = st.db(0);
    set(db, "a", "1");
    db.pexpire(b"a", 5000, ExpireCondition::Always).unwrap();
    assert_eq!(db.move_key(b"a", 0), Err(Error::SameObject));
    assert_eq!(db.move_key(b"a", 16), Err(Error::DbIndexOutOfRange));
    assert_eq!(db.move_key(b"nope", 1), Ok(false));
    set(st.db(2), "a", "other");
    assert_eq!(db.move_key(b"a", 2), Ok(false));
    assert_eq!(db.move_key(b"a", 1), Ok(true));
    assert_eq!(db.exists(&["a"]), 0);
    assert_eq!(st.db(1).get(b"a").unwrap(), Some(b("1")));
    assert_eq!(st.db(1).pttl(b"a"), 5000);
}

#[test]
fn swapdb() {
    let (st, _) = store();
    set(st.db(0), "zero", "0");
    set(st.db(1), "one", "1");
    assert_eq!(st.swapdb(0, 16), Err(Error::DbIndexOutOfRange));
    assert_eq!(st.swapdb(-1, 0), Err(Error::DbIndexOutOfRange));
    assert_eq!(st.swapdb(3, 3), Ok(()));
    st.swapdb(0, 1).unwrap();
    assert_eq!(st.db(0).keys(b"*"), vec![b("one")]);
    assert_eq!(st.db(1).keys(b"*"), vec![b("zero")]);
    // Writes after the swap land in the swapped database.
    set(st.db(0), "new", "x");
    st.swapdb(1, 0).unwrap();
    assert_eq!(sorted(st.db(1).keys(b"*")), vec![b("new"), b("one")]);
}

#[test]
fn flushdb_flushall_dbsize() {
    let (st, clock) = store();
    assert_eq!(st.db(0).dbsize(), 0);
    for i in 0..10 {
        set(st.db(0), &format!("k{i}"), "v");
        set(st.db(3), &format!("k{i}"), "v");
    }
    st.db(0)
        .pexpire(b"k0", 10, ExpireCondition::Always)
        .unwrap();
    assert_eq!(st.db(0).dbsize(), 10);
    assert_eq!(st.db(0).stats().keys, 10);
    assert_eq!(st.db(0).stats().expires, 1);
    clock.advance(10);
    // DBSIZE counts an expired key until it is reclaimed, as Redis.
    assert_eq!(st.db(0).dbsize(), 10);
    assert_eq!(st.db(0).exists(&["k0"]), 0);
    assert_eq!(st.db(0).dbsize(), 9);
    assert_eq!(st.db(0).stats().expires, 0);
    assert_eq!(st.db(0).flushdb(), 9);
    assert_eq!(st.db(0).dbsize(), 0);
    assert_eq!(st.db(3).dbsize(), 10);
    set(st.db(5), "x", "y");
    assert_eq!(st.flushall(), 11);
    assert!((0..16).all(|i| st.db(i).dbsize() == 0));
    assert_eq!(st.used_memory(), 0);
}

#[test]
fn randomkey() {
    let (st, clock) = store();
    let db = st.db(0);
    assert_eq!(db.randomkey(), None);
    set(db, "only", "v");
    assert_eq!(db.randomkey(), Some(b("only")));
    for i in 0..100 {
        set(db, &format!("k{i}"), "v");
    }
    let mut seen = HashSet::new();
    for _ in 0..500 {
        seen.insert(db.randomkey().unwrap());
    }
    assert!(seen.len() > 20, "random keys are spread: {}", seen.len());
    // Never an expired key.
    for i in 0..100 {
        db.pexpire(format!("k{i}").as_bytes(), 5, ExpireCondition::Always)
            .unwrap();
    }
    clock.advance(5);
    for _ in 0..50 {
        assert_eq!(db.randomkey(), Some(b("only")));
    }
}

#[test]
fn keys_glob_patterns() {
    let (st, _) = store();
    let db = st.db(0);
    for k in [
        "hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "a[b", "x",
    ] {
        set(db, k, "v");
    }
    let keys = |p: &str| -> Vec<String> {
        let mut v: Vec<String> = db
            .keys(p.as_bytes())
            .iter()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(keys("*").len(), 8);
    assert_eq!(keys("h?llo"), ["h*llo", "hallo", "hello", "hxllo"]);
    assert_eq!(
        keys("h*llo"),
        ["h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]
    );
    assert_eq!(keys("h[ae]llo"), ["hallo", "hello"]);
    assert_eq!(keys("h[^e]llo"), ["h*llo", "hallo", "hxllo"]);
    assert_eq!(keys("h[a-b]llo"), ["hallo"]);
    assert_eq!(keys("h[b-a]llo"), ["hallo"]);
    assert_eq!(keys("h\\*llo"), ["h*llo"]);
    assert_eq!(keys("a\\[b"), ["a[b"]);
    assert_eq!(keys("nothing*"), Vec::<String>::new());
    // `[!a]` is not a negation in Redis: it matches '!' or 'a'.
    assert_eq!(keys("h[!a]llo"), ["hallo"]);
    // Redis's stringmatchlen: `*` does not match "", but KEYS/SCAN special-case `*`.
    assert!(!glob_match(b"*", b""));
    assert!(key_match(b"*", b""));
    assert!(!key_match(b"**", b""));
    assert!(!glob_match(b"?", b""));
    assert!(key_match(b"a*", b"abc"));
}

#[test]
fn object_idletime_and_freq() {
    let (st, clock) = store();
    let db = st.db(0);
    set(db, "k", "v");
    assert_eq!(db.object_idletime(b"k"), Some(0));
    clock.advance(5_000);
    assert_eq!(db.object_idletime(b"k"), Some(5));
    db.get(b"k").unwrap();
    assert_eq!(db.object_idletime(b"k"), Some(0));
    assert!(db.object_freq(b"k").is_some());
    assert_eq!(db.object_idletime(b"nope"), None);
}

#[test]
fn values_for_dumps() {
    let (st, _) = store();
    let db = st.db(0);
    db.put_value(b"s", &Value::String(b("v")), Some(crate::T0 + 10));
    db.put_value(b"h", &Value::Hash(vec![(b("f"), b("1"))]), None);
    assert_eq!(
        db.get_value(b"s"),
        Some((Value::String(b("v")), Some(crate::T0 + 10)))
    );
    assert_eq!(
        db.get_value(b"h"),
        Some((Value::Hash(vec![(b("f"), b("1"))]), None))
    );
    assert_eq!(db.get_value(b"nope"), None);
    let mut all = Vec::new();
    db.for_each(|k, v, t| all.push((k, v.key_type(), t)));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        all,
        vec![
            (b("h"), KeyType::Hash, None),
            (b("s"), KeyType::String, Some(crate::T0 + 10))
        ]
    );
    assert!(st.used_memory() > 0);
    assert_eq!(st.try_db(16).err(), Some(Error::DbIndexOutOfRange));
    assert_eq!(st.try_db(-1).err(), Some(Error::DbIndexOutOfRange));
    assert!(st.try_db(15).is_ok());
}
