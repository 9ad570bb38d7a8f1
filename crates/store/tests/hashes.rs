use std::collections::HashSet;
use std::sync::Arc;

use store::{Encoding, Error, ManualClock, ScanOptions, SetOptions, Store, HRANDFIELD_MAX_REPEATS};

use crate::{b, store};

fn with_hash() -> Store {
    let (st, _) = store();
    st.db(0)
        .hset(b"h", &[("a", "1"), ("b", "2"), ("c", "3")])
        .unwrap();
    st.set("s", "x").unwrap();
    st
}

#[test]
fn hset_hget_hmget() {
    let st = with_hash();
    let db = st.db(0);
    assert_eq!(db.hset(b"h", &[("a", "10"), ("d", "4"), ("d", "5")]), Ok(1));
    assert_eq!(db.hget(b"h", b"a"), Ok(Some(b("10"))));
    assert_eq!(db.hget(b"h", b"d"), Ok(Some(b("5"))));
    assert_eq!(db.hget(b"h", b"zz"), Ok(None));
    assert_eq!(db.hget(b"nokey", b"a"), Ok(None));
    assert_eq!(
        db.hmget(b"h", &["a", "zz", "b"]),
        Ok(vec![Some(b("10")), None, Some(b("2"))])
    );
    assert_eq!(db.hmget(b"nokey", &["a", "b"]), Ok(vec![None, None]));
    assert_eq!(db.hset_args(b"h", &["e", "5", "a", "1"]), Ok(1));
    assert_eq!(
        db.hget_with(b"h", b"e", |v| v.map(<[u8]>::to_vec)),
        Ok(Some(b"5".to_vec()))
    );
    // An empty HSET creates nothing.
    assert_eq!(db.hset::<&str, &str>(b"empty", &[]), Ok(0));
    assert_eq!(db.exists(&["empty"]), 0);
}

#[test]
fn wrong_type_everywhere() {
    let st = with_hash();
    let db = st.db(0);
    let k = b"s";
    assert_eq!(db.hset(k, &[("f", "v")]), Err(Error::WrongType));
    assert_eq!(db.hsetnx(k, b"f", b"v"), Err(Error::WrongType));
    assert_eq!(db.hget(k, b"f"), Err(Error::WrongType));
    assert_eq!(db.hmget(k, &["f"]), Err(Error::WrongType));
    assert_eq!(db.hdel(k, &["f"]), Err(Error::WrongType));
    assert_eq!(db.hexists(k, b"f"), Err(Error::WrongType));
    assert_eq!(db.hlen(k), Err(Error::WrongType));
    assert_eq!(db.hstrlen(k, b"f"), Err(Error::WrongType));
    assert_eq!(db.hkeys(k), Err(Error::WrongType));
    assert_eq!(db.hvals(k), Err(Error::WrongType));
    assert_eq!(db.hgetall(k), Err(Error::WrongType));
    assert_eq!(db.hincrby(k, b"f", 1), Err(Error::WrongType));
    assert_eq!(db.hincrbyfloat(k, b"f", b"1"), Err(Error::WrongType));
    assert_eq!(db.hrandfield(k), Err(Error::WrongType));
    assert_eq!(db.hrandfield_count(k, 3), Err(Error::WrongType));
    assert_eq!(
        db.hscan(k, 0, ScanOptions::default()),
        Err(Error::WrongType)
    );
    assert_eq!(db.get(b"h"), Err(Error::WrongType));
    assert_eq!(st.get("s").unwrap(), Some(b("x")));
}

#[test]
fn hsetnx_hdel_hexists_hlen_hstrlen() {
    let st = with_hash();
    let db = st.db(0);
    assert_eq!(db.hsetnx(b"h", b"a", b"x"), Ok(false));
    assert_eq!(db.hsetnx(b"h", b"z", b"26"), Ok(true));
    assert_eq!(db.hsetnx(b"new", b"f", b"v"), Ok(true));
    assert_eq!(db.hexists(b"h", b"z"), Ok(true));
    assert_eq!(db.hexists(b"h", b"q"), Ok(false));
    assert_eq!(db.hexists(b"nokey", b"q"), Ok(false));
    assert_eq!(db.hlen(b"h"), Ok(4));
    assert_eq!(db.hlen(b"nokey"), Ok(0));
    assert_eq!(db.hstrlen(b"h", b"z"), Ok(2));
    assert_eq!(db.hstrlen(b"h", b"q"), Ok(0));
    assert_eq!(db.hdel(b"h", &["a", "a", "q"]), Ok(1));
    assert_eq!(db.hdel(b"nokey", &["a"]), Ok(0));
    // Deleting the last field deletes the key.
    assert_eq!(db.hdel(b"h", &["b", "c", "z"]), Ok(3));
    assert_eq!(db.exists(&["h"]), 0);
    assert_eq!(db.key_type(b"h"), None);
}

#[test]
fn hkeys_hvals_hgetall_keep_insertion_order_while_small() {
    let st = with_hash();
    let db = st.db(0);
    assert_eq!(db.hkeys(b"h"), Ok(vec![b("a"), b("b"), b("c")]));
    assert_eq!(db.hvals(b"h"), Ok(vec![b("1"), b("2"), b("3")]));
    assert_eq!(
        db.hgetall(b"h"),
        Ok(vec![(b("a"), b("1")), (b("b"), b("2")), (b("c"), b("3"))])
    );
    assert_eq!(db.hkeys(b"nokey"), Ok(vec![]));
    assert_eq!(db.hvals(b"nokey"), Ok(vec![]));
    assert_eq!(db.hgetall(b"nokey"), Ok(vec![]));
}

#[test]
fn hincrby() {
    let st = with_hash();
    let db = st.db(0);
    assert_eq!(db.hincrby(b"h", b"a", 10), Ok(11));
    assert_eq!(db.hincrby(b"h", b"new", -3), Ok(-3));
    assert_eq!(db.hincrby(b"k", b"f", 1), Ok(1));
    db.hset(
        b"h",
        &[("max", "9223372036854775807"), ("txt", "x"), ("sp", " 1")],
    )
    .unwrap();
    assert_eq!(db.hincrby(b"h", b"max", 1), Err(Error::Overflow));
    assert_eq!(db.hget(b"h", b"max"), Ok(Some(b("9223372036854775807"))));
    assert_eq!(db.hincrby(b"h", b"txt", 1), Err(Error::HashNotInteger));
    assert_eq!(db.hincrby(b"h", b"sp", 1), Err(Error::HashNotInteger));
}

#[test]
fn hincrbyfloat() {
    let st = with_hash();
    let db = st.db(0);
    assert_eq!(db.hincrbyfloat(b"h", b"a", b"0.5"), Ok(b("1.5")));
    assert_eq!(db.hincrbyfloat(b"h", b"f", b"0.1"), Ok(b("0.1")));
    assert_eq!(db.hincrbyfloat(b"h", b"f", b"0.2"), Ok(b("0.3")));
    assert_eq!(
        db.hincrbyfloat(b"h", b"m", b"1e100"),
        Ok(b("9999999999999999999669353532207342619498699019828496079271391541752018669482644324418977840117055488"))
    );
    assert_eq!(
        db.hincrbyfloat(b"h", b"m", b"inf"),
        Err(Error::NanOrInfinity)
    );
    assert_eq!(db.hincrbyfloat(b"h", b"m", b"abc"), Err(Error::NotFloat));
    // The increment is checked before the key's type (redis-server: "not a valid float").
    assert_eq!(db.hincrbyfloat(b"s", b"f", b"abc"), Err(Error::NotFloat));
    db.hset(
        b"h",
        &[("sp", " 1"), ("big", "1.18973149535723176502e4932")],
    )
    .unwrap();
    assert_eq!(db.hincrbyfloat(b"h", b"sp", b"1"), Err(Error::HashNotFloat));
    assert_eq!(
        db.hincrbyfloat(b"h", b"big", b"1.18973149535723176502e4932"),
        Err(Error::IncrNanOrInfinity)
    );
    // A failed HINCRBYFLOAT on a missing key creates nothing.
    assert_eq!(
        db.hincrbyfloat(b"nokey", b"f", b"nan"),
        Err(Error::NotFloat)
    );
    assert_eq!(db.exists(&["nokey"]), 0);
}

#[test]
fn listpack_to_hashtable() {
    let clock = ManualClock::new(0);
    let st = Store::builder()
        .clock(Arc::new(clock))
        .hash_max_listpack_entries(4)
        .hash_max_listpack_value(8)
        .build();
    let db = st.db(0);
    db.hset(b"h", &[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")])
        .unwrap();
    assert_eq!(db.object_encoding(b"h"), Some(Encoding::Listpack));
    db.hset(b"h", &[("5", "e")]).unwrap();
    assert_eq!(db.object_encoding(b"h"), Some(Encoding::Hashtable));
    // Never converted back.
    db.hdel(b"h", &["1", "2", "3", "4"]).unwrap();
    assert_eq!(db.object_encoding(b"h"), Some(Encoding::Hashtable));
    assert_eq!(db.hgetall(b"h"), Ok(vec![(b("5"), b("e"))]));
    db.hset(b"v", &[("f", "12345678")]).unwrap();
    assert_eq!(db.object_encoding(b"v"), Some(Encoding::Listpack));
    db.hset(b"v", &[("f", "123456789")]).unwrap();
    assert_eq!(db.object_encoding(b"v"), Some(Encoding::Hashtable));
    db.hset(b"fk", &[("123456789", "v")]).unwrap();
    assert_eq!(db.object_encoding(b"fk"), Some(Encoding::Hashtable));
    // CONFIG SET at run time applies to later writes.
    st.set_hash_max_listpack_entries(512);
    assert_eq!(st.hash_max_listpack_entries(), 512);
    st.set_hash_max_listpack_value(64);
    assert_eq!(st.hash_max_listpack_value(), 64);
    db.hset(b"v2", &[("f", "123456789")]).unwrap();
    assert_eq!(db.object_encoding(b"v2"), Some(Encoding::Listpack));
}

#[test]
fn hrandfield() {
    let st = with_hash();
    let db = st.db(0);
    let fields: HashSet<_> = [b("a"), b("b"), b("c")].into_iter().collect();
    assert_eq!(db.hrandfield(b"nokey"), Ok(None));
    for _ in 0..20 {
        let f = db.hrandfield(b"h").unwrap().unwrap();
        assert!(fields.contains(&f));
    }
    assert_eq!(db.hrandfield_count(b"nokey", 5), Ok(vec![]));
    assert_eq!(db.hrandfield_count(b"nokey", -5), Ok(vec![]));
    assert_eq!(db.hrandfield_count(b"h", 0), Ok(vec![]));
    // count >= len: every field once, in order.
    assert_eq!(db.hrandfield_count(b"h", 3).unwrap().len(), 3);
    assert_eq!(
        db.hrandfield_count(b"h", i64::MAX),
        Ok(vec![(b("a"), b("1")), (b("b"), b("2")), (b("c"), b("3"))])
    );
    // 0 < count < len: distinct fields with their values.
    for _ in 0..20 {
        let two = db.hrandfield_count(b"h", 2).unwrap();
        assert_eq!(two.len(), 2);
        assert_ne!(two[0].0, two[1].0);
        for (f, v) in &two {
            assert_eq!(db.hget(b"h", f).unwrap().as_ref(), Some(v));
        }
    }
    // Negative: exactly -count fields, repeats allowed.
    let many = db.hrandfield_count(b"h", -50).unwrap();
    assert_eq!(many.len(), 50);
    assert!(many.iter().all(|(f, _)| fields.contains(f)));
    assert_eq!(
        db.hrandfield_count(b"h", i64::MIN + 1),
        Err(Error::ValueOutOfRange)
    );
    assert_eq!(
        db.hrandfield_count(b"h", -(HRANDFIELD_MAX_REPEATS as i64) - 1),
        Err(Error::ValueOutOfRange)
    );
    assert_eq!(
        db.hrandfield_count(b"s", i64::MIN + 1),
        Err(Error::WrongType)
    );
    assert_eq!(db.hrandfield_count(b"nokey", i64::MIN + 1), Ok(vec![]));
}

#[test]
fn hscan() {
    let st = with_hash();
    let db = st.db(0);
    db.hset(b"h", &[("ab", "4")]).unwrap();
    let (cursor, all) = db.hscan(b"h", 0, ScanOptions::default()).unwrap();
    assert_eq!(cursor, 0);
    assert_eq!(all.len(), 4);
    let o = ScanOptions {
        pattern: Some(b"a*"),
        count: 1,
        key_type: None,
    };
    assert_eq!(
        db.hscan(b"h", 0, o),
        Ok((0, vec![(b("a"), b("1")), (b("ab"), b("4"))]))
    );
    assert_eq!(db.hscan(b"nokey", 0, o), Ok((0, vec![])));
    // A big (hashtable) hash is returned whole as well.
    let pairs: Vec<(String, String)> = (0..1000)
        .map(|i| (format!("f{i}"), i.to_string()))
        .collect();
    db.hset(b"big", &pairs).unwrap();
    let (cursor, all) = db.hscan(b"big", 0, ScanOptions::default()).unwrap();
    assert_eq!((cursor, all.len()), (0, 1000));
}

#[test]
fn hash_ttl_is_kept_by_field_writes() {
    let (st, clock) = store();
    let db = st.db(0);
    db.hset(b"h", &[("f", "1")]).unwrap();
    db.pexpire(b"h", 100, store::ExpireCondition::Always)
        .unwrap();
    db.hset(b"h", &[("g", "2")]).unwrap();
    db.hincrby(b"h", b"f", 1).unwrap();
    db.hdel(b"h", &["g"]).unwrap();
    assert_eq!(db.pttl(b"h"), 100);
    clock.advance(100);
    assert_eq!(db.hgetall(b"h"), Ok(vec![]));
    assert_eq!(db.hlen(b"h"), Ok(0));
    // A write after expiry starts a new hash with no TTL.
    db.hset(b"h", &[("x", "1")]).unwrap();
    assert_eq!(db.pttl(b"h"), -1);
    assert_eq!(db.hgetall(b"h"), Ok(vec![(b("x"), b("1"))]));
    let _ = db.set(b"h", b"s", SetOptions::default());
}
