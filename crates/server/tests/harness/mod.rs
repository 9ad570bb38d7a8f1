//! Test machinery shared by the integration tests: server processes, a RESP reply reader,
//! the differential script format and its runner, external programs with a time limit.

pub mod conn;
pub mod diff;
pub mod process;
pub mod resp;
pub mod script;
pub mod servers;
