//! The store's clock in the server: the time of the running command, as Redis caches
//! `mstime` for each command (`commandTimeSnapshot`). `dispatch::call` reads the wall clock
//! once per command (for the slowlog too) and every store operation of that command uses it,
//! instead of one `clock_gettime` per operation; AOF replay refreshes it per batch. Threads
//! outside a command (cron, rewrite) read the system clock.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

thread_local! {
    /// The running command's time in Unix ms on this thread; 0 outside a command.
    static NOW_MS: Cell<u64> = const { Cell::new(0) };
}

/// Unix ms of `t` (0 before the epoch).
pub(crate) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Sets this thread's command time (0 clears it); returns the previous one, to restore.
pub(crate) fn set_command_time(ms: u64) -> u64 {
    NOW_MS.with(|c| c.replace(ms))
}

/// [`store::Clock`] reading the running command's time, else the system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct CommandClock;

impl store::Clock for CommandClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        match NOW_MS.with(Cell::get) {
            0 => unix_ms(SystemTime::now()),
            ms => ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::Clock;

    #[test]
    fn command_time_then_system_time() {
        let clock = CommandClock;
        let before = unix_ms(SystemTime::now());
        assert!(clock.now_ms() >= before);
        let prev = set_command_time(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        // Another thread is outside any command.
        let other = std::thread::spawn(move || CommandClock.now_ms())
            .join()
            .unwrap();
        assert!(other >= before);
        set_command_time(prev);
        assert!(clock.now_ms() >= before);
    }
}
