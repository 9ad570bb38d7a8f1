//! Integration tests of the `aof` crate (one binary, a module per area).

/// Helpers shared by the modules.
mod util;

/// Append, reopen, load: what goes in comes back, with SELECTs where the db changes.
mod roundtrip;

/// Torn tails at every offset, corruption, bad manifests, missing files, RDB preambles.
mod damage;

/// `check` against the real redis-check-aof, output compared line for line.
mod check;

/// Rewrite with concurrent writers; a crash at each step leaves a loadable directory.
mod rewrite;

/// `appendfsync always` group commit from many threads.
mod group_commit;

/// Files move both ways between this crate and a real redis-server 7.
mod interop;

/// The fuzz target's body (`aof::fuzzing::loader`) on seeded random and mutated inputs.
mod fuzz_smoke;
