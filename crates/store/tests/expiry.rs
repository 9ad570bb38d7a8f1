use store::{Error, ExpireCondition as C, ExpireOutcome as O, ScanOptions, SetOptions};

use crate::{b, store, T0};

fn set(db: store::Db<'_>, k: &str) {
    db.set(k.as_bytes(), b"v", SetOptions::default()).unwrap();
}

#[test]
fn expire_conditions() {
    let (st, _) = store();
    let db = st.db(0);
    assert_eq!(db.expire(b"nope", 10, C::Always), Ok(O::NotSet));
    set(db, "k");
    // No TTL yet: XX and GT never apply, NX and LT do (no TTL counts as infinite).
    assert_eq!(db.expire(b"k", 100, C::Xx), Ok(O::NotSet));
    assert_eq!(db.expire(b"k", 100, C::Gt), Ok(O::NotSet));
    assert_eq!(db.expire(b"k", 100, C::XxLt), Ok(O::NotSet));
    assert_eq!(db.pttl(b"k"), -1);
    assert_eq!(db.expire(b"k", 100, C::Lt), Ok(O::Set(T0 + 100_000)));
    assert!(db.persist(b"k"));
    assert_eq!(db.expire(b"k", 100, C::Nx), Ok(O::Set(T0 + 100_000)));
    assert_eq!(db.expire(b"k", 50, C::Nx), Ok(O::NotSet));
    assert_eq!(db.expire(b"k", 50, C::Gt), Ok(O::NotSet));
    assert_eq!(db.expire(b"k", 200, C::Gt), Ok(O::Set(T0 + 200_000)));
    assert_eq!(db.expire(b"k", 300, C::Lt), Ok(O::NotSet));
    assert_eq!(db.expire(b"k", 60, C::Lt), Ok(O::Set(T0 + 60_000)));
    assert_eq!(db.expire(b"k", 50, C::XxLt), Ok(O::Set(T0 + 50_000)));
    assert_eq!(db.expire(b"k", 70, C::Xx), Ok(O::Set(T0 + 70_000)));
    assert_eq!(db.ttl(b"k"), 70);
    assert_eq!(O::Set(1).as_int(), 1);
    assert_eq!(O::Deleted.as_int(), 1);
    assert_eq!(O::NotSet.as_int(), 0);
}

#[test]
fn past_times_delete() {
    let (st, _) = store();
    let db = st.db(0);
    for (i, f) in [
        |db: store::Db<'_>, k: &[u8]| db.expire(k, 0, C::Always),
        |db: store::Db<'_>, k: &[u8]| db.expire(k, -5, C::Always),
        |db: store::Db<'_>, k: &[u8]| db.pexpire(k, 0, C::Always),
        |db: store::Db<'_>, k: &[u8]| db.expireat(k, 1, C::Always),
        |db: store::Db<'_>, k: &[u8]| db.pexpireat(k, T0 as i64, C::Always),
    ]
    .into_iter()
    .enumerate()
    {
        set(db, "k");
        assert_eq!(f(db, b"k"), Ok(O::Deleted), "case {i}");
        assert_eq!(db.exists(&["k"]), 0, "case {i}");
    }
    // A condition that fails leaves the key alone even with a past time.
    set(db, "k");
    assert_eq!(db.expire(b"k", -1, C::Xx), Ok(O::NotSet));
    assert_eq!(db.exists(&["k"]), 1);
}

#[test]
fn invalid_expire_times() {
    let (st, _) = store();
    let db = st.db(0);
    set(db, "k");
    assert_eq!(
        db.expire(b"k", i64::MAX, C::Always),
        Err(Error::InvalidExpireTime("expire"))
    );
    assert_eq!(
        db.expire(b"k", i64::MIN, C::Always),
        Err(Error::InvalidExpireTime("expire"))
    );
    assert_eq!(
        db.pexpire(b"k", i64::MAX, C::Always),
        Err(Error::InvalidExpireTime("pexpire"))
    );
    assert_eq!(
        db.expireat(b"k", i64::MAX / 100, C::Always),
        Err(Error::InvalidExpireTime("expireat"))
    );
    assert_eq!(db.pttl(b"k"), -1);
    // The largest absolute time is fine.
    assert_eq!(
        db.pexpireat(b"k", i64::MAX, C::Always),
        Ok(O::Set(i64::MAX as u64))
    );
}

#[test]
fn ttl_reads_round_like_redis() {
    let (st, clock) = store();
    let db = st.db(0);
    assert_eq!((db.ttl(b"nope"), db.pttl(b"nope")), (-2, -2));
    assert_eq!((db.expiretime(b"nope"), db.pexpiretime(b"nope")), (-2, -2));
    set(db, "k");
    assert_eq!((db.ttl(b"k"), db.pttl(b"k")), (-1, -1));
    assert_eq!((db.expiretime(b"k"), db.pexpiretime(b"k")), (-1, -1));
    db.pexpire(b"k", 1500, C::Always).unwrap();
    assert_eq!((db.ttl(b"k"), db.pttl(b"k")), (2, 1500));
    clock.advance(1);
    assert_eq!((db.ttl(b"k"), db.pttl(b"k")), (1, 1499));
    assert_eq!(db.pexpiretime(b"k"), (T0 + 1500) as i64);
    assert_eq!(db.expiretime(b"k"), ((T0 + 1500 + 500) / 1000) as i64);
    assert_eq!(db.live_expire_at(b"k"), Some(Some(T0 + 1500)));
    assert!(db.persist(b"k"));
    assert!(!db.persist(b"k"));
    assert!(!db.persist(b"nope"));
    assert_eq!(db.pttl(b"k"), -1);
}

#[test]
fn expired_keys_are_never_visible() {
    let (st, clock) = store();
    let db = st.db(0);
    set(db, "s");
    db.hset(b"h", &[("f", "v")]).unwrap();
    db.pexpire(b"s", 10, C::Always).unwrap();
    db.pexpire(b"h", 10, C::Always).unwrap();
    clock.advance(9);
    assert_eq!(db.exists(&["s", "h"]), 2);
    clock.advance(1);
    assert_eq!(db.get(b"s"), Ok(None));
    assert_eq!(db.mget(&["s"]), vec![None]);
    assert_eq!(db.strlen(b"s"), Ok(0));
    assert_eq!(db.key_type(b"s"), None);
    assert_eq!(db.hgetall(b"h"), Ok(vec![]));
    assert_eq!(db.hget(b"h", b"f"), Ok(None));
    assert_eq!(db.keys(b"*"), Vec::<bytes::Bytes>::new());
    assert_eq!(db.scan(0, ScanOptions::default()), (0, vec![]));
    assert_eq!(db.randomkey(), None);
    assert_eq!(db.rename(b"s", b"t"), Err(Error::NoSuchKey));
    assert_eq!(db.copy(b"h", b"t", None, false), Ok(false));
    assert_eq!(db.move_key(b"h", 1), Ok(false));
    assert_eq!(db.pttl(b"s"), -2);
    assert!(!db.persist(b"s"));
    assert_eq!(db.expire(b"s", 100, C::Always), Ok(O::NotSet));
    // Writes see the key as missing: a new value without the old TTL.
    assert_eq!(db.incr_by(b"s", 1), Ok(1));
    assert_eq!(db.pttl(b"s"), -1);
    assert!(st.stats().expired_keys >= 1);
}

/// Regression (flaky before): a round that walks every shard and wraps back to its first one
/// sampled a key there twice and counted its deletion twice. With 2 shards the lone key sits in
/// the first shard walked half of the time; 24 fresh stores (fresh hash seeds) hit that case.
#[test]
fn active_expiry_counts_a_key_once_when_a_round_wraps() {
    for _ in 0..24 {
        let clock = store::ManualClock::new(T0);
        let st = store::Store::builder()
            .clock(std::sync::Arc::new(clock.clone()))
            .shards(2)
            .build();
        set(st.db(0), "lone");
        st.db(0).pexpire(b"lone", 10, C::Always).unwrap();
        clock.advance(20);
        assert_eq!(st.expire_cycle(), 1);
        assert_eq!(st.stats().expired_keys, 1);
        assert_eq!(st.db(0).dbsize(), 0);
    }
}

#[test]
fn active_expiry_reclaims_keys() {
    let (st, clock) = store();
    let db = st.db(0);
    for i in 0..1000 {
        set(db, &format!("v{i}"));
        db.pexpire(format!("v{i}").as_bytes(), 100 + i % 10, C::Always)
            .unwrap();
        set(db, &format!("p{i}"));
    }
    set(st.db(7), "other");
    st.db(7).pexpire(b"other", 50, C::Always).unwrap();
    assert_eq!(st.expire_cycle(), 0, "nothing is expired yet");
    assert_eq!(db.dbsize(), 2000);
    clock.advance(200);
    // Each cycle samples and deletes; repeated cycles reclaim everything expired.
    let mut total = 0;
    for _ in 0..1000 {
        let n = st.expire_cycle();
        total += n;
        if db.dbsize() == 1000 && st.db(7).dbsize() == 0 {
            break;
        }
    }
    assert_eq!(total, 1001);
    assert_eq!(db.dbsize(), 1000);
    assert_eq!(db.stats().expires, 0);
    assert_eq!(st.db(7).dbsize(), 0);
    assert_eq!(st.stats().expired_keys, 1001);
    // Live keys are untouched.
    assert!((0..1000).all(|i| db.exists(&[format!("p{i}")]) == 1));
    assert_eq!(st.expire_cycle(), 0);
}

#[test]
fn active_expiry_keeps_keys_with_future_ttl() {
    let (st, clock) = store();
    let db = st.db(0);
    for i in 0..100 {
        set(db, &format!("k{i}"));
        db.pexpire(format!("k{i}").as_bytes(), 1_000 * (i + 1), C::Always)
            .unwrap();
    }
    clock.advance(10_500);
    for _ in 0..200 {
        st.expire_cycle();
    }
    // k0..k9 expired (deadlines 1 s..10 s); k10 (11 s) and later remain.
    assert_eq!(db.dbsize(), 90);
    assert_eq!(db.exists(&["k9"]), 0);
    assert_eq!(db.exists(&["k10"]), 1);
    assert_eq!(db.get(b"k99").unwrap(), Some(b("v")));
}
