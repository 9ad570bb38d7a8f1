//! The server (issue 5).
#![deny(missing_docs)]
