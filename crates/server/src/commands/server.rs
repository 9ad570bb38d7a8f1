//! Server commands: INFO, COMMAND, CONFIG, TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, DEBUG,
//! SLOWLOG, LATENCY, MEMORY.

use crate::table::Spec;

/// The server commands.
pub(crate) const TABLE: &[Spec] = &[];
