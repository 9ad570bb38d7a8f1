//! Test machinery shared by the integration tests: server processes, a RESP reply reader,
//! the differential script format and its runner.

pub mod diff;
pub mod resp;
pub mod script;
pub mod servers;
