use store::{Encoding, Error, Expiry, SetCondition, SetOptions, PROTO_MAX_BULK_LEN};

use crate::{b, store, T0};

fn opts(condition: SetCondition, get: bool, expiry: Expiry) -> SetOptions {
    SetOptions {
        condition,
        get,
        expiry,
    }
}

#[test]
fn set_get_binary() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.get(b"k"), Ok(None));
    let o = db
        .set(b"k\0\xff", b"v\r\n\0", SetOptions::default())
        .unwrap();
    assert!(o.written);
    assert_eq!(o.old, None);
    assert_eq!(o.expire_at, None);
    assert_eq!(
        db.get(b"k\0\xff").unwrap().as_deref(),
        Some(&b"v\r\n\0"[..])
    );
    assert_eq!(db.get_with(b"k\0\xff", |v| v.map(|v| v.len())), Ok(Some(4)));
}

#[test]
fn set_nx_xx() {
    let (st, _) = store();
    let db = st.db(0);
    let xx = opts(SetCondition::IfExists, false, Expiry::None);
    let nx = opts(SetCondition::IfMissing, false, Expiry::None);
    assert!(!db.set(b"k", b"1", xx).unwrap().written);
    assert_eq!(db.get(b"k"), Ok(None));
    assert!(db.set(b"k", b"1", nx).unwrap().written);
    assert!(!db.set(b"k", b"2", nx).unwrap().written);
    assert!(db.set(b"k", b"3", xx).unwrap().written);
    assert_eq!(db.get(b"k").unwrap(), Some(b("3")));
    assert_eq!(db.setnx(b"k", b"4"), Ok(false));
    assert_eq!(db.setnx(b"n", b"4"), Ok(true));
}

#[test]
fn set_get_option() {
    let (st, _) = store();
    let db = st.db(0);
    let get = opts(SetCondition::Always, true, Expiry::None);
    assert_eq!(db.set(b"k", b"1", get).unwrap().old, None);
    assert_eq!(db.set(b"k", b"2", get).unwrap().old, Some(b("1")));
    // NX with GET: returns the old value, does not write.
    let nxget = opts(SetCondition::IfMissing, true, Expiry::None);
    let o = db.set(b"k", b"3", nxget).unwrap();
    assert_eq!((o.written, o.old), (false, Some(b("2"))));
    assert_eq!(db.getset(b"k", b"4"), Ok(Some(b("2"))));
    // GET on a hash: WRONGTYPE and nothing written.
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.set(b"h", b"x", get), Err(Error::WrongType));
    assert_eq!(db.hget(b"h", b"f"), Ok(Some(b("v"))));
    // Without GET a hash is simply overwritten.
    assert!(db.set(b"h", b"x", SetOptions::default()).unwrap().written);
    assert_eq!(db.get(b"h"), Ok(Some(b("x"))));
}

#[test]
fn set_expiries() {
    let (st, clock) = store();
    let db = st.db(0);
    let o = db
        .set(
            b"k",
            b"v",
            opts(SetCondition::Always, false, Expiry::Ex(10)),
        )
        .unwrap();
    assert_eq!(o.expire_at, Some(T0 + 10_000));
    assert_eq!(db.pttl(b"k"), 10_000);
    // KEEPTTL keeps it; a plain SET clears it.
    db.set(
        b"k",
        b"w",
        opts(SetCondition::Always, false, Expiry::KeepTtl),
    )
    .unwrap();
    assert_eq!(db.pttl(b"k"), 10_000);
    db.set(b"k", b"w", SetOptions::default()).unwrap();
    assert_eq!(db.pttl(b"k"), -1);
    db.set(
        b"k",
        b"v",
        opts(SetCondition::Always, false, Expiry::Px(1500)),
    )
    .unwrap();
    assert_eq!(db.pttl(b"k"), 1500);
    let at = (T0 / 1000 + 100) as i64;
    db.set(
        b"k",
        b"v",
        opts(SetCondition::Always, false, Expiry::ExAt(at)),
    )
    .unwrap();
    assert_eq!(db.pexpiretime(b"k"), at * 1000);
    db.set(
        b"k",
        b"v",
        opts(SetCondition::Always, false, Expiry::PxAt(T0 as i64 + 5)),
    )
    .unwrap();
    assert_eq!(db.pexpiretime(b"k"), T0 as i64 + 5);
    clock.advance(5);
    assert_eq!(db.get(b"k"), Ok(None));
    // An absolute time in the past: written, and already invisible.
    assert!(
        db.set(
            b"p",
            b"v",
            opts(SetCondition::Always, false, Expiry::PxAt(1))
        )
        .unwrap()
        .written
    );
    assert_eq!(db.get(b"p"), Ok(None));
    // KEEPTTL on a missing key: no TTL.
    db.set(
        b"n",
        b"v",
        opts(SetCondition::Always, false, Expiry::KeepTtl),
    )
    .unwrap();
    assert_eq!(db.pttl(b"n"), -1);
}

#[test]
fn set_invalid_expire_times() {
    let (st, _) = store();
    let db = st.db(0);
    for e in [
        Expiry::Ex(0),
        Expiry::Ex(-1),
        Expiry::Px(0),
        Expiry::ExAt(0),
        Expiry::PxAt(-5),
    ] {
        let r = db.set(b"k", b"v", opts(SetCondition::Always, false, e));
        assert_eq!(r, Err(Error::InvalidExpireTime("set")), "{e:?}");
    }
    for e in [
        Expiry::Ex(i64::MAX),
        Expiry::Ex(i64::MAX / 1000 + 1),
        Expiry::Px(i64::MAX),
    ] {
        let r = db.set(b"k", b"v", opts(SetCondition::Always, false, e));
        assert_eq!(r, Err(Error::InvalidExpireTime("set")), "{e:?}");
    }
    assert_eq!(db.get(b"k"), Ok(None));
    assert_eq!(
        Error::InvalidExpireTime("set")
            .for_command("setex")
            .to_string(),
        "ERR invalid expire time in 'setex' command"
    );
}

#[test]
fn getdel() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.getdel(b"k"), Ok(None));
    db.set(b"k", b"v", SetOptions::default()).unwrap();
    assert_eq!(db.getdel(b"k"), Ok(Some(b("v"))));
    assert_eq!(db.exists(&["k"]), 0);
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.getdel(b"h"), Err(Error::WrongType));
    assert_eq!(db.exists(&["h"]), 1);
}

#[test]
fn getex() {
    use store::TtlChange;
    let (st, _) = store();
    let db = st.db(0);
    // Missing key: nil even with an invalid time (Redis checks the time after the lookup).
    assert_eq!(db.getex(b"k", Expiry::Ex(0)), Ok(None));
    db.set(b"k", b"v", SetOptions::default()).unwrap();
    assert_eq!(db.getex(b"k", Expiry::None), Ok(Some(b("v"))));
    assert_eq!(db.pttl(b"k"), -1);
    assert_eq!(
        db.getex(b"k", Expiry::Ex(0)),
        Err(Error::InvalidExpireTime("getex"))
    );
    assert_eq!(
        db.getex_outcome(b"k", Expiry::Px(100)),
        Ok(Some((b("v"), TtlChange::Set(T0 + 100))))
    );
    assert_eq!(db.pttl(b"k"), 100);
    assert_eq!(
        db.getex_outcome(b"k", Expiry::Persist),
        Ok(Some((b("v"), TtlChange::Persisted)))
    );
    assert_eq!(db.pttl(b"k"), -1);
    assert_eq!(
        db.getex_outcome(b"k", Expiry::Persist),
        Ok(Some((b("v"), TtlChange::Unchanged)))
    );
    assert_eq!(
        db.getex_outcome(b"k", Expiry::PxAt(T0 as i64)),
        Ok(Some((b("v"), TtlChange::Deleted)))
    );
    assert_eq!(db.exists(&["k"]), 0);
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.getex(b"h", Expiry::Ex(0)), Err(Error::WrongType));
}

#[test]
fn append_and_strlen() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.strlen(b"k"), Ok(0));
    assert_eq!(db.append(b"k", b"ab"), Ok(2));
    assert_eq!(db.append(b"k", b"cd"), Ok(4));
    assert_eq!(db.get(b"k").unwrap(), Some(b("abcd")));
    assert_eq!(db.strlen(b"k"), Ok(4));
    db.set(b"i", b"12", SetOptions::default()).unwrap();
    assert_eq!(db.object_encoding(b"i"), Some(Encoding::Int));
    assert_eq!(db.strlen(b"i"), Ok(2));
    // Even an empty APPEND makes the value raw, as Redis.
    assert_eq!(db.append(b"i", b""), Ok(2));
    assert_eq!(db.object_encoding(b"i"), Some(Encoding::Raw));
    assert_eq!(db.append(b"i", b"3"), Ok(3));
    assert_eq!(db.incr_by(b"i", 1), Ok(124));
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.append(b"h", b"x"), Err(Error::WrongType));
    assert_eq!(db.strlen(b"h"), Err(Error::WrongType));
}

#[test]
fn encodings() {
    let (st, _) = store();
    let db = st.db(0);
    let set = |k: &[u8], v: &[u8]| db.set(k, v, SetOptions::default()).map(|_| ());
    set(b"int", b"-9223372036854775808").unwrap();
    set(b"notint", b"007").unwrap();
    set(b"emb", &[b'x'; 44]).unwrap();
    set(b"raw", &[b'x'; 45]).unwrap();
    assert_eq!(db.object_encoding(b"int"), Some(Encoding::Int));
    assert_eq!(db.object_encoding(b"notint"), Some(Encoding::Embstr));
    assert_eq!(db.object_encoding(b"emb"), Some(Encoding::Embstr));
    assert_eq!(db.object_encoding(b"raw"), Some(Encoding::Raw));
    assert_eq!(db.get(b"int").unwrap(), Some(b("-9223372036854775808")));
    assert_eq!(db.object_encoding(b"missing"), None);
}

#[test]
fn getrange_indices() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.getrange(b"k", 0, -1), Ok(b("")));
    db.set(b"s", b"hello", SetOptions::default()).unwrap();
    // Each expected value is redis-server 7.0.15's.
    for (s, e, want) in [
        (0, -1, "hello"),
        (0, -100, "h"),
        (-1, -1, "o"),
        (5, 3, ""),
        (0, 1000, "hello"),
        (-100, -50, "h"),
        (-3, -5, ""),
        (3, -1, "lo"),
        (10, 20, ""),
        (1, 1, "e"),
        (i64::MIN, i64::MAX, "hello"),
    ] {
        assert_eq!(db.getrange(b"s", s, e), Ok(b(want)), "GETRANGE s {s} {e}");
    }
    db.set(b"i", b"12345", SetOptions::default()).unwrap();
    assert_eq!(db.getrange(b"i", 1, 2), Ok(b("23")));
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.getrange(b"h", 0, 1), Err(Error::WrongType));
}

#[test]
fn setrange() {
    let (st, _) = store();
    let db = st.db(0);
    // Empty value: current length, key not created.
    assert_eq!(db.setrange(b"k", 5, b""), Ok(0));
    assert_eq!(db.exists(&["k"]), 0);
    assert_eq!(db.setrange(b"k", 2, b"ab"), Ok(4));
    assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"\0\0ab"[..]));
    assert_eq!(db.setrange(b"k", 1, b"XYZW"), Ok(5));
    assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"\0XYZW"[..]));
    assert_eq!(db.setrange(b"k", 0, b""), Ok(5));
    assert_eq!(db.setrange(b"k", -1, b"a"), Err(Error::OffsetOutOfRange));
    assert_eq!(db.object_encoding(b"k"), Some(Encoding::Raw));
    db.set(b"i", b"100", SetOptions::default()).unwrap();
    assert_eq!(db.setrange(b"i", 1, b"5"), Ok(3));
    assert_eq!(db.get(b"i").unwrap(), Some(b("150")));
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.setrange(b"h", 0, b"x"), Err(Error::WrongType));
    assert_eq!(db.setrange(b"h", 0, b""), Err(Error::WrongType));
}

#[test]
fn the_512_mb_limit() {
    let (st, _) = store();
    let db = st.db(0);
    let max = PROTO_MAX_BULK_LEN as i64;
    assert_eq!(db.setrange(b"k", max, b"a"), Err(Error::StringTooLong));
    assert_eq!(db.setrange(b"k", max - 1, b"ab"), Err(Error::StringTooLong));
    assert_eq!(db.exists(&["k"]), 0);
    // Exactly 512 MB is allowed (one zeroed allocation, so the pages stay untouched).
    assert_eq!(db.setrange(b"k", max - 1, b"a"), Ok(PROTO_MAX_BULK_LEN));
    assert_eq!(db.strlen(b"k"), Ok(PROTO_MAX_BULK_LEN));
    assert_eq!(
        db.getrange(b"k", -2, -1),
        Ok(bytes::Bytes::from_static(b"\0a"))
    );
    assert_eq!(db.append(b"k", b"b"), Err(Error::StringTooLong));
    assert_eq!(db.append(b"k", b""), Ok(PROTO_MAX_BULK_LEN));
    assert_eq!(db.setrange(b"k", max - 1, b"ab"), Err(Error::StringTooLong));
    assert_eq!(db.setrange(b"k", 0, b"z"), Ok(PROTO_MAX_BULK_LEN));
    assert_eq!(db.del(&["k"]), 1);
    assert_eq!(
        Error::StringTooLong.to_string(),
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
}

#[test]
fn incr_decr() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.incr_by(b"n", 1), Ok(1));
    assert_eq!(db.incr_by(b"n", -5), Ok(-4));
    assert_eq!(db.decr_by(b"n", 6), Ok(-10));
    assert_eq!(db.get(b"n").unwrap(), Some(b("-10")));
    db.set(b"n", b"9223372036854775806", SetOptions::default())
        .unwrap();
    assert_eq!(db.incr_by(b"n", 1), Ok(i64::MAX));
    assert_eq!(db.incr_by(b"n", 1), Err(Error::Overflow));
    assert_eq!(db.get(b"n").unwrap(), Some(b("9223372036854775807")));
    db.set(b"n", b"-9223372036854775808", SetOptions::default())
        .unwrap();
    assert_eq!(db.incr_by(b"n", -1), Err(Error::Overflow));
    assert_eq!(db.decr_by(b"n", 1), Err(Error::Overflow));
    assert_eq!(db.decr_by(b"x", i64::MIN), Err(Error::DecrementOverflow));
    assert_eq!(db.exists(&["x"]), 0);
    // Not canonical integers (all rejected by redis-server 7.0.15).
    for v in [
        "+1",
        "007",
        " 1",
        "1 ",
        "",
        "abc",
        "1.5",
        "-0",
        "9223372036854775808",
    ] {
        db.set(b"s", v.as_bytes(), SetOptions::default()).unwrap();
        assert_eq!(db.incr_by(b"s", 1), Err(Error::NotInteger), "{v:?}");
    }
    db.hset(b"h", &[("f", "v")]).unwrap();
    assert_eq!(db.incr_by(b"h", 1), Err(Error::WrongType));
}

#[test]
fn incr_keeps_ttl() {
    let (st, _) = store();
    let db = st.db(0);
    db.set(
        b"n",
        b"1",
        opts(SetCondition::Always, false, Expiry::Ex(100)),
    )
    .unwrap();
    assert_eq!(db.incr_by(b"n", 1), Ok(2));
    assert_eq!(db.pttl(b"n"), 100_000);
    assert_eq!(db.incr_by_float(b"n", b"0.5"), Ok(b("2.5")));
    assert_eq!(db.pttl(b"n"), 100_000);
    assert_eq!(db.append(b"n", b"0"), Ok(4));
    assert_eq!(db.pttl(b"n"), 100_000);
}

#[test]
fn incr_by_float() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.incr_by_float(b"f", b"0.1"), Ok(b("0.1")));
    assert_eq!(db.incr_by_float(b"f", b"0.2"), Ok(b("0.3")));
    assert_eq!(db.get(b"f").unwrap(), Some(b("0.3")));
    db.set(b"g", b"5000", SetOptions::default()).unwrap();
    assert_eq!(
        db.incr_by_float(b"g", b"5.6"),
        Ok(b("5005.60000000000000009"))
    );
    assert_eq!(db.incr_by_float(b"x", b"0x10"), Ok(b("16")));
    assert_eq!(db.incr_by_float(b"x", b"1."), Ok(b("17")));
    assert_eq!(db.incr_by_float(b"x", b".5"), Ok(b("17.5")));
    assert_eq!(db.incr_by_float(b"x", b"+1"), Ok(b("18.5")));
    // The result is stored as a string, never int-encoded.
    assert_eq!(db.incr_by_float(b"y", b"3"), Ok(b("3")));
    assert_eq!(db.object_encoding(b"y"), Some(Encoding::Embstr));
    let big = db.incr_by_float(b"big", b"1e400").unwrap();
    assert_eq!(big.len(), 401);
    assert_eq!(db.object_encoding(b"big"), Some(Encoding::Raw));
    assert_eq!(
        db.incr_by_float(b"x", b"inf"),
        Err(Error::IncrNanOrInfinity)
    );
    assert_eq!(db.incr_by_float(b"x", b"1 "), Err(Error::NotFloat));
    assert_eq!(db.incr_by_float(b"x", b" 1"), Err(Error::NotFloat));
    assert_eq!(db.incr_by_float(b"x", b"nan"), Err(Error::NotFloat));
    assert_eq!(db.get(b"x").unwrap(), Some(b("18.5")));
    db.set(b"s", b"abc", SetOptions::default()).unwrap();
    assert_eq!(db.incr_by_float(b"s", b"1"), Err(Error::NotFloat));
    db.set(b"s", b"inf", SetOptions::default()).unwrap();
    assert_eq!(db.incr_by_float(b"s", b"1"), Err(Error::IncrNanOrInfinity));
    db.set(b"s", b"1.18973149535723176502e4932", SetOptions::default())
        .unwrap();
    assert_eq!(
        db.incr_by_float(b"s", b"1.18973149535723176502e4932"),
        Err(Error::IncrNanOrInfinity)
    );
    db.hset(b"h", &[("f", "v")]).unwrap();
    // WRONGTYPE comes before the increment is parsed.
    assert_eq!(db.incr_by_float(b"h", b"abc"), Err(Error::WrongType));
}

#[test]
fn mget_mset_msetnx() {
    let (st, _) = store();
    let db = st.db(0);
    db.set(
        b"t",
        b"old",
        opts(SetCondition::Always, false, Expiry::Ex(100)),
    )
    .unwrap();
    db.hset(b"h", &[("f", "v")]).unwrap();
    db.mset(&[("a", "1"), ("b", "2"), ("t", "new")]).unwrap();
    assert_eq!(db.pttl(b"t"), -1, "MSET removes the TTL");
    assert_eq!(
        db.mget(&["a", "b", "h", "missing", "t"]),
        vec![Some(b("1")), Some(b("2")), None, None, Some(b("new"))]
    );
    let mut seen = Vec::new();
    db.mget_with(&["a", "h"], |v| seen.push(v.map(|v| v.to_vec())));
    assert_eq!(seen, vec![Some(b"1".to_vec()), None]);
    assert!(!db.msetnx(&[("c", "3"), ("a", "x")]).unwrap());
    assert_eq!(db.mget(&["a", "c"]), vec![Some(b("1")), None]);
    // Repeated keys: the last value wins (redis-server: MSETNX q 1 q 2 -> q = 2).
    assert!(db.msetnx(&[("q", "1"), ("q", "2")]).unwrap());
    assert_eq!(db.get(b"q").unwrap(), Some(b("2")));
    db.mset_args(&["x", "1", "y", "2"]);
    assert_eq!(db.mget(&["x", "y"]), vec![Some(b("1")), Some(b("2"))]);
    assert!(!db.msetnx_args(&["z", "1", "x", "2"]));
    assert!(db.msetnx_args(&["z", "1", "w", "2"]));
    assert_eq!(db.mget(&["z", "w"]), vec![Some(b("1")), Some(b("2"))]);
}

#[test]
fn convenience_api() {
    let (st, clock) = store();
    st.set("a", "1").unwrap();
    assert_eq!(st.get("a").unwrap(), Some(b("1")));
    assert!(st.del("a"));
    assert!(!st.del("a"));
    st.set_with_ttl("t", "v", std::time::Duration::from_millis(1500))
        .unwrap();
    assert_eq!(
        st.ttl("t"),
        Some(Some(std::time::Duration::from_millis(1500)))
    );
    assert_eq!(st.ttl("nope"), None);
    st.set("p", "v").unwrap();
    assert_eq!(st.ttl("p"), Some(None));
    assert_eq!(st.expire("p", std::time::Duration::from_secs(1)), Ok(true));
    assert_eq!(
        st.expire("nope", std::time::Duration::from_secs(1)),
        Ok(false)
    );
    assert_eq!(st.incr_by("n", 5), Ok(5));
    assert_eq!(st.hset("h", "f", "v"), Ok(true));
    assert_eq!(st.hset("h", "f", "w"), Ok(false));
    assert_eq!(st.hget("h", "f").unwrap(), Some(b("w")));
    assert_eq!(st.hgetall("h").unwrap(), vec![(b("f"), b("w"))]);
    clock.advance(1500);
    assert_eq!(st.get("t").unwrap(), None);
    assert_eq!(st.get("p").unwrap(), None);
}
