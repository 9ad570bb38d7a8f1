//! Append-only file persistence (issue 6).
#![deny(missing_docs)]
