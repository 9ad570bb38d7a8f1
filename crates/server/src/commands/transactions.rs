//! MULTI, EXEC, DISCARD, WATCH, UNWATCH.

use crate::table::Spec;

/// The transaction commands.
pub(crate) const TABLE: &[Spec] = &[];
