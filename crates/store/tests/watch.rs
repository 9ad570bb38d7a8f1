use store::{ExpireCondition, SetOptions};

use crate::store;

fn set(st: &store::Store, k: &str) {
    st.db(0)
        .set(k.as_bytes(), b"v", SetOptions::default())
        .unwrap();
}

#[test]
fn untouched_key_is_unchanged() {
    let (st, _) = store();
    set(&st, "k");
    let t = st.watch(0, b"k");
    let missing = st.watch(0, b"nope");
    // Reads and writes of other keys do not count.
    st.db(0).get(b"k").unwrap();
    set(&st, "other");
    st.db(1).set(b"k", b"x", SetOptions::default()).unwrap();
    assert!(!st.watch_changed(&t));
    assert!(!st.watch_changed(&missing));
    assert_eq!(t.key().as_ref(), b"k");
    assert_eq!(t.db(), 0);
}

#[test]
fn writes_change_the_token() {
    let (st, _) = store();
    let db = st.db(0);
    type Op = fn(store::Db<'_>);
    let ops: &[(&str, Op)] = &[
        ("set", |db| {
            db.set(b"k", b"x", SetOptions::default())
                .map(|_| ())
                .unwrap()
        }),
        ("del", |db| assert_eq!(db.del(&["k"]), 1)),
        ("append", |db| db.append(b"k", b"x").map(|_| ()).unwrap()),
        ("expire", |db| {
            db.expire(b"k", 100, ExpireCondition::Always)
                .map(|_| ())
                .unwrap()
        }),
        ("rename away", |db| db.rename(b"k", b"k2").unwrap()),
        ("rename onto", |db| {
            db.set(b"src", b"s", SetOptions::default()).unwrap();
            db.rename(b"src", b"k").unwrap();
        }),
        ("flushdb", |db| {
            db.flushdb();
        }),
        ("flushall", |db| {
            db.store().flushall();
        }),
        ("swapdb", |db| db.store().swapdb(0, 1).unwrap()),
        ("getdel", |db| db.getdel(b"k").map(|_| ()).unwrap()),
        ("move", |db| assert_eq!(db.move_key(b"k", 1), Ok(true))),
    ];
    for (name, op) in ops {
        st.flushall();
        set(&st, "k");
        let t = st.watch(0, b"k");
        op(db);
        assert!(st.watch_changed(&t), "{name} must invalidate WATCH");
        assert!(st.any_watch_changed(std::slice::from_ref(&t)), "{name}");
    }
}

#[test]
fn set_of_a_missing_key_changes_it() {
    let (st, _) = store();
    let t = st.watch(0, b"k");
    set(&st, "k");
    assert!(st.watch_changed(&t));
}

#[test]
fn failed_or_noop_writes_do_not_change_it() {
    let (st, _) = store();
    set(&st, "k");
    let t = st.watch(0, b"k");
    let nx = SetOptions {
        condition: store::SetCondition::IfMissing,
        ..SetOptions::default()
    };
    assert!(!st.db(0).set(b"k", b"x", nx).unwrap().written);
    assert!(st.db(0).incr_by(b"k", 1).is_err());
    assert_eq!(
        st.db(0).expire(b"k", 10, ExpireCondition::Xx),
        Ok(store::ExpireOutcome::NotSet)
    );
    // FLUSHDB of another database, and FLUSHALL when the key is gone, are not changes.
    st.db(3).flushdb();
    assert!(!st.watch_changed(&t));
}

#[test]
fn flush_only_touches_keys_that_existed() {
    let (st, _) = store();
    let t = st.watch(0, b"missing");
    set(&st, "other");
    st.db(0).flushdb();
    st.flushall();
    assert!(!st.watch_changed(&t));
}

#[test]
fn expiry_after_watch_changes_it() {
    let (st, clock) = store();
    set(&st, "k");
    st.db(0)
        .pexpire(b"k", 100, ExpireCondition::Always)
        .unwrap();
    let t = st.watch(0, b"k");
    clock.advance(99);
    assert!(!st.watch_changed(&t));
    clock.advance(1);
    // Expired, even before anything reclaimed it.
    assert!(st.watch_changed(&t));
}

#[test]
fn key_already_expired_when_watched_is_unchanged() {
    let (st, clock) = store();
    set(&st, "k");
    st.db(0)
        .pexpire(b"k", 100, ExpireCondition::Always)
        .unwrap();
    clock.advance(100);
    let t = st.watch(0, b"k");
    // Reading it (lazy delete) or the active cycle reclaiming it is not a change.
    assert_eq!(st.db(0).get(b"k"), Ok(None));
    st.expire_cycle();
    assert!(!st.watch_changed(&t));
    // A real write is.
    set(&st, "k");
    assert!(st.watch_changed(&t));
}

#[test]
fn exec_pattern_inside_exclusive() {
    let (st, _) = store();
    set(&st, "k");
    let tokens = vec![st.watch(0, b"k"), st.watch(0, b"j")];
    let ran = st.exclusive(|tx| {
        if tokens.iter().any(|t| tx.watch_changed(t)) {
            return false;
        }
        tx.db(0).set(b"k", b"new", SetOptions::default()).unwrap();
        tx.db(0).mset(&[("a", "1"), ("b", "2")]).unwrap();
        tx.store().db(0).rename(b"a", b"c").unwrap();
        true
    });
    assert!(ran);
    // Our own EXEC's writes invalidate the tokens (the server drops them after EXEC).
    assert!(st.watch_changed(&tokens[0]));
    assert_eq!(st.db(0).get(b"c").unwrap().as_deref(), Some(&b"1"[..]));
    drop(tokens);
    // Nested exclusive sections just run.
    assert_eq!(st.exclusive(|_| st.exclusive(|_| 7)), 7);
}

#[test]
fn many_watchers_of_one_key() {
    let (st, _) = store();
    let a = st.watch(0, b"k");
    let b = st.watch(0, b"k");
    drop(a);
    set(&st, "k");
    assert!(st.watch_changed(&b));
    let c = st.watch(0, b"k");
    assert!(!st.watch_changed(&c));
}
