//! Command families. Each module exports `pub(crate) const TABLE: &[Spec]`; [`FAMILIES`] lists
//! them for the command table.

use crate::table::Spec;

pub(crate) mod connection;
pub(crate) mod hashes;
pub(crate) mod keys;
mod keyspec;
mod meta;
pub(crate) mod persistence;
pub(crate) mod server;
pub(crate) mod strings;
pub(crate) mod transactions;

/// Every family's table.
pub(crate) const FAMILIES: &[&[Spec]] = &[
    strings::TABLE,
    hashes::TABLE,
    keys::TABLE,
    connection::TABLE,
    server::TABLE,
    transactions::TABLE,
    persistence::TABLE,
];
