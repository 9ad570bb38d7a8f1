//! Keyspace commands: DEL, EXISTS, EXPIRE, TTL, KEYS, SCAN, FLUSHDB, FLUSHALL, DBSIZE, SWAPDB...
//! (owner: "data" helper).

use crate::table::Spec;

/// The keyspace commands.
pub(crate) const TABLE: &[Spec] = &[];
