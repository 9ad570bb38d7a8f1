//! Persistence commands: BGREWRITEAOF. (SAVE, BGSAVE and LASTSAVE, which touch no file here,
//! are in `server.rs`; the AOF itself is `persist.rs`.)

use crate::args::Args;
use crate::ctx::Ctx;
use crate::error::CmdResult;
use crate::table::{Flags, Group, Spec};

/// The persistence commands.
pub(crate) const TABLE: &[Spec] = &[
    //        name           arity flags                                            keys     handler
    Spec::new(
        "bgrewriteaof",
        1,
        Flags::ADMIN.or(Flags::NOSCRIPT).or(Flags::NO_ASYNC_LOADING),
        0,
        0,
        0,
        bgrewriteaof,
    )
    .doc(
        "Asynchronously rewrite the append-only file",
        "1.0.0",
        Group::Server,
    ),
];

/// BGREWRITEAOF
fn bgrewriteaof(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    crate::persist::bgrewriteaof(cx.shared)?;
    cx.out
        .simple(b"Background append only file rewriting started");
    Ok(())
}
