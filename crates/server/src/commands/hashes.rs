//! Hash commands (owner: "data" helper).

use crate::table::Spec;

/// The hash commands.
pub(crate) const TABLE: &[Spec] = &[];
