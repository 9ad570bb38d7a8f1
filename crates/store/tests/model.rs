//! Random operation sequences on a small key space, run on the store and on a model (a
//! `BTreeMap` with explicit deadlines), comparing every result and the final state.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use store::{Error, ExpireCondition, ManualClock, SetCondition, SetOptions, Store, Value};

const KEYS: &[&str] = &["a", "b", "c", "d"];
const VALS: &[&str] = &["", "0", "1", "-7", "12", "x", "007", "hello"];
const FIELDS: &[&str] = &["f", "g", "h"];

#[derive(Debug, Clone)]
enum Op {
    Set(usize, usize, SetCondition),
    Get(usize),
    Del(usize, usize),
    Append(usize, usize),
    IncrBy(usize, i64),
    Strlen(usize),
    Hset(usize, usize, usize),
    Hget(usize, usize),
    Hdel(usize, usize),
    Hlen(usize),
    Rename(usize, usize),
    Renamenx(usize, usize),
    Getdel(usize),
    Exists(usize),
    Type(usize),
    Msetnx(usize, usize, usize),
    Pexpire(usize, i64),
    Persist(usize),
    Pttl(usize),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0..KEYS.len();
    let v = 0..VALS.len();
    let f = 0..FIELDS.len();
    let cond = prop_oneof![
        Just(SetCondition::Always),
        Just(SetCondition::IfMissing),
        Just(SetCondition::IfExists)
    ];
    prop_oneof![
        (k.clone(), v.clone(), cond).prop_map(|(k, v, c)| Op::Set(k, v, c)),
        k.clone().prop_map(Op::Get),
        (k.clone(), k.clone()).prop_map(|(a, b)| Op::Del(a, b)),
        (k.clone(), v.clone()).prop_map(|(k, v)| Op::Append(k, v)),
        (
            k.clone(),
            prop_oneof![-3i64..3, Just(i64::MAX), Just(i64::MIN)]
        )
            .prop_map(|(k, d)| Op::IncrBy(k, d)),
        k.clone().prop_map(Op::Strlen),
        (k.clone(), f.clone(), v.clone()).prop_map(|(k, f, v)| Op::Hset(k, f, v)),
        (k.clone(), f.clone()).prop_map(|(k, f)| Op::Hget(k, f)),
        (k.clone(), f).prop_map(|(k, f)| Op::Hdel(k, f)),
        k.clone().prop_map(Op::Hlen),
        (k.clone(), k.clone()).prop_map(|(a, b)| Op::Rename(a, b)),
        (k.clone(), k.clone()).prop_map(|(a, b)| Op::Renamenx(a, b)),
        k.clone().prop_map(Op::Getdel),
        k.clone().prop_map(Op::Exists),
        k.clone().prop_map(Op::Type),
        (k.clone(), k.clone(), v).prop_map(|(a, b, v)| Op::Msetnx(a, b, v)),
        (k.clone(), -5i64..50).prop_map(|(k, ms)| Op::Pexpire(k, ms)),
        k.clone().prop_map(Op::Persist),
        k.prop_map(Op::Pttl),
        (0u64..30).prop_map(Op::Advance),
    ]
}

#[derive(Debug, Clone, PartialEq)]
enum MVal {
    Str(Vec<u8>),
    Hash(BTreeMap<Vec<u8>, Vec<u8>>),
}

#[derive(Default)]
struct Model {
    now: u64,
    keys: BTreeMap<Vec<u8>, (MVal, Option<u64>)>,
}

/// Canonical i64 text only (Redis `string2ll`).
fn canon_i64(s: &[u8]) -> Option<i64> {
    let v: i64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    (v.to_string().as_bytes() == s).then_some(v)
}

impl Model {
    fn purge(&mut self) {
        let now = self.now;
        self.keys
            .retain(|_, (_, at)| !matches!(at, Some(at) if *at <= now));
    }

    fn apply(&mut self, op: &Op) -> String {
        self.purge();
        let key = |i: usize| KEYS[i].as_bytes().to_vec();
        let val = |i: usize| VALS[i].as_bytes().to_vec();
        let field = |i: usize| FIELDS[i].as_bytes().to_vec();
        let wrong = || format!("{:?}", Err::<(), _>(Error::WrongType));
        match *op {
            Op::Set(k, v, c) => {
                let exists = self.keys.contains_key(&key(k));
                let ok = match c {
                    SetCondition::Always => true,
                    SetCondition::IfMissing => !exists,
                    SetCondition::IfExists => exists,
                };
                if ok {
                    self.keys.insert(key(k), (MVal::Str(val(v)), None));
                }
                format!("{ok}")
            }
            Op::Get(k) => match self.keys.get(&key(k)) {
                None => "None".into(),
                Some((MVal::Str(s), _)) => format!("{s:?}"),
                Some(_) => wrong(),
            },
            Op::Del(a, b) => {
                let mut n = 0;
                for k in [a, b] {
                    n += usize::from(self.keys.remove(&key(k)).is_some());
                }
                format!("{n}")
            }
            Op::Append(k, v) => match self.keys.get_mut(&key(k)) {
                None => {
                    self.keys.insert(key(k), (MVal::Str(val(v)), None));
                    format!("{}", val(v).len())
                }
                Some((MVal::Str(s), _)) => {
                    s.extend(val(v));
                    format!("{}", s.len())
                }
                Some(_) => wrong(),
            },
            Op::IncrBy(k, d) => {
                let cur = match self.keys.get(&key(k)) {
                    None => 0,
                    Some((MVal::Str(s), _)) => match canon_i64(s) {
                        Some(v) => v,
                        None => return format!("{:?}", Err::<(), _>(Error::NotInteger)),
                    },
                    Some(_) => return wrong(),
                };
                let Some(new) = cur.checked_add(d) else {
                    return format!("{:?}", Err::<(), _>(Error::Overflow));
                };
                let ttl = self.keys.get(&key(k)).and_then(|(_, t)| *t);
                self.keys
                    .insert(key(k), (MVal::Str(new.to_string().into_bytes()), ttl));
                format!("{new}")
            }
            Op::Strlen(k) => match self.keys.get(&key(k)) {
                None => "0".into(),
                Some((MVal::Str(s), _)) => format!("{}", s.len()),
                Some(_) => wrong(),
            },
            Op::Hset(k, f, v) => match self.keys.entry(key(k)) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert((MVal::Hash([(field(f), val(v))].into()), None));
                    "1".into()
                }
                std::collections::btree_map::Entry::Occupied(mut e) => match &mut e.get_mut().0 {
                    MVal::Hash(h) => {
                        format!("{}", usize::from(h.insert(field(f), val(v)).is_none()))
                    }
                    MVal::Str(_) => wrong(),
                },
            },
            Op::Hget(k, f) => match self.keys.get(&key(k)) {
                None => "None".into(),
                Some((MVal::Hash(h), _)) => match h.get(&field(f)) {
                    None => "None".into(),
                    Some(v) => format!("{v:?}"),
                },
                Some(_) => wrong(),
            },
            Op::Hdel(k, f) => match self.keys.get_mut(&key(k)) {
                None => "0".into(),
                Some((MVal::Hash(h), _)) => {
                    let n = usize::from(h.remove(&field(f)).is_some());
                    if h.is_empty() {
                        self.keys.remove(&key(k));
                    }
                    format!("{n}")
                }
                Some(_) => wrong(),
            },
            Op::Hlen(k) => match self.keys.get(&key(k)) {
                None => "0".into(),
                Some((MVal::Hash(h), _)) => format!("{}", h.len()),
                Some(_) => wrong(),
            },
            Op::Rename(a, b) | Op::Renamenx(a, b) => {
                let nx = matches!(op, Op::Renamenx(..));
                if !self.keys.contains_key(&key(a)) {
                    return format!("{:?}", Err::<(), _>(Error::NoSuchKey));
                }
                if a == b {
                    return format!("{}", !nx);
                }
                if nx && self.keys.contains_key(&key(b)) {
                    return "false".into();
                }
                if let Some(e) = self.keys.remove(&key(a)) {
                    self.keys.insert(key(b), e);
                }
                "true".into()
            }
            Op::Getdel(k) => match self.keys.get(&key(k)) {
                None => "None".into(),
                Some((MVal::Str(s), _)) => {
                    let r = format!("{s:?}");
                    self.keys.remove(&key(k));
                    r
                }
                Some(_) => wrong(),
            },
            Op::Exists(k) => format!("{}", usize::from(self.keys.contains_key(&key(k)))),
            Op::Type(k) => match self.keys.get(&key(k)) {
                None => "none".into(),
                Some((MVal::Str(_), _)) => "string".into(),
                Some((MVal::Hash(_), _)) => "hash".into(),
            },
            Op::Msetnx(a, b, v) => {
                if self.keys.contains_key(&key(a)) || self.keys.contains_key(&key(b)) {
                    return "false".into();
                }
                for k in [a, b] {
                    self.keys.insert(key(k), (MVal::Str(val(v)), None));
                }
                "true".into()
            }
            Op::Pexpire(k, ms) => {
                if !self.keys.contains_key(&key(k)) {
                    return "0".into();
                }
                if ms <= 0 {
                    self.keys.remove(&key(k));
                } else if let Some(e) = self.keys.get_mut(&key(k)) {
                    e.1 = Some(self.now + ms as u64);
                }
                "1".into()
            }
            Op::Persist(k) => match self.keys.get_mut(&key(k)) {
                Some((_, t @ Some(_))) => {
                    *t = None;
                    "true".into()
                }
                _ => "false".into(),
            },
            Op::Pttl(k) => match self.keys.get(&key(k)) {
                None => "-2".into(),
                Some((_, None)) => "-1".into(),
                Some((_, Some(at))) => format!("{}", at - self.now),
            },
            Op::Advance(ms) => {
                self.now += ms;
                String::new()
            }
        }
    }
}

fn run(st: &Store, clock: &ManualClock, op: &Op) -> String {
    let db = st.db(0);
    let key = |i: usize| KEYS[i].as_bytes();
    let val = |i: usize| VALS[i].as_bytes();
    let field = |i: usize| FIELDS[i].as_bytes();
    fn show<T: std::fmt::Debug>(r: Result<T, Error>, f: impl FnOnce(T) -> String) -> String {
        match r {
            Ok(v) => f(v),
            Err(e) => format!("{:?}", Err::<(), _>(e)),
        }
    }
    let bytes = |v: Option<bytes::Bytes>| match v {
        None => "None".to_string(),
        Some(b) => format!("{:?}", b.to_vec()),
    };
    match *op {
        Op::Set(k, v, c) => {
            let o = SetOptions {
                condition: c,
                ..SetOptions::default()
            };
            show(db.set(key(k), val(v), o), |o| format!("{}", o.written))
        }
        Op::Get(k) => show(db.get(key(k)), bytes),
        Op::Del(a, b) => format!("{}", db.del(&[key(a), key(b)])),
        Op::Append(k, v) => show(db.append(key(k), val(v)), |n| n.to_string()),
        Op::IncrBy(k, d) => show(db.incr_by(key(k), d), |n| n.to_string()),
        Op::Strlen(k) => show(db.strlen(key(k)), |n| n.to_string()),
        Op::Hset(k, f, v) => show(db.hset(key(k), &[(field(f), val(v))]), |n| n.to_string()),
        Op::Hget(k, f) => show(db.hget(key(k), field(f)), bytes),
        Op::Hdel(k, f) => show(db.hdel(key(k), &[field(f)]), |n| n.to_string()),
        Op::Hlen(k) => show(db.hlen(key(k)), |n| n.to_string()),
        Op::Rename(a, b) => show(db.rename(key(a), key(b)), |()| "true".into()),
        Op::Renamenx(a, b) => show(db.renamenx(key(a), key(b)), |r| r.to_string()),
        Op::Getdel(k) => show(db.getdel(key(k)), bytes),
        Op::Exists(k) => db.exists(&[key(k)]).to_string(),
        Op::Type(k) => db
            .key_type(key(k))
            .map_or("none", |t| t.as_str())
            .to_string(),
        Op::Msetnx(a, b, v) => db
            .msetnx(&[(key(a), val(v)), (key(b), val(v))])
            .unwrap()
            .to_string(),
        Op::Pexpire(k, ms) => show(db.pexpire(key(k), ms, ExpireCondition::Always), |o| {
            o.as_int().to_string()
        }),
        Op::Persist(k) => db.persist(key(k)).to_string(),
        Op::Pttl(k) => db.pttl(key(k)).to_string(),
        Op::Advance(ms) => {
            clock.advance(ms);
            String::new()
        }
    }
}

fn final_state(st: &Store) -> BTreeMap<Vec<u8>, (MVal, Option<u64>)> {
    let mut out = BTreeMap::new();
    for k in KEYS {
        if let Some((v, at)) = st.db(0).get_value(k.as_bytes()) {
            let v = match v {
                Value::String(s) => MVal::Str(s.to_vec()),
                Value::Hash(h) => MVal::Hash(
                    h.into_iter()
                        .map(|(f, v)| (f.to_vec(), v.to_vec()))
                        .collect(),
                ),
            };
            out.insert(k.as_bytes().to_vec(), (v, at));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn store_matches_model(ops in proptest::collection::vec(op(), 1..80), cycle_every in 1usize..10) {
        let clock = ManualClock::new(1_000);
        let st = Store::builder().clock(Arc::new(clock.clone())).shards(2).build();
        let mut model = Model { now: 1_000, ..Model::default() };
        for (i, op) in ops.iter().enumerate() {
            let want = model.apply(op);
            let got = run(&st, &clock, op);
            prop_assert_eq!(&got, &want, "op #{} {:?}", i, op);
            if i % cycle_every == 0 {
                // The active cycle may run at any time without changing what is visible.
                st.expire_cycle();
            }
        }
        model.purge();
        prop_assert_eq!(final_state(&st), model.keys);
    }
}
