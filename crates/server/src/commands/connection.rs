//! Connection commands: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH, CLIENT.

use crate::args::Args;
use crate::ctx::Ctx;
use crate::error::CmdResult;
use crate::table::{Flags, Group, Spec};

/// The connection commands.
pub(crate) const TABLE: &[Spec] = &[Spec::new("ping", -1, Flags::FAST, 0, 0, 0, ping).doc(
    "Ping the server",
    "1.0.0",
    Group::Connection,
)];

/// PING [message]
fn ping(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    match args.next() {
        Some(m) => cx.out.bulk(m),
        None => cx.out.simple(b"PONG"),
    }
    Ok(())
}
