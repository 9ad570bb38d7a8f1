//! The keyspace (issue 4).
#![deny(missing_docs)]
