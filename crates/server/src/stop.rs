//! A connection's stop switch: CLIENT KILL and server shutdown reach a connection through it.
//!
//! A connection waits for input and for its switch at once, after every request at `-P 1`.
//! `CancellationToken` takes its mutex on every poll and every check (the shutdown token's is
//! shared by all connections); the switch is one atomic load, plus one lock-free waker
//! registration when the connection is about to sleep.

use std::future::poll_fn;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::Poll;

use futures::task::AtomicWaker;

/// Why a connection must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// CLIENT KILL: close now.
    Kill,
    /// Server shutdown: close, after a short grace for a reply being written.
    Shutdown,
}

const RUNNING: u8 = 0;
const KILL: u8 = 1;
const SHUTDOWN: u8 = 2;

/// A one-shot stop signal with one waiting task.
#[derive(Debug, Default)]
pub struct StopSwitch {
    state: AtomicU8,
    waker: AtomicWaker,
}

impl StopSwitch {
    /// Fires the switch with `why`. The first reason sticks.
    pub fn fire(&self, why: Stop) {
        let v = match why {
            Stop::Kill => KILL,
            Stop::Shutdown => SHUTDOWN,
        };
        let _ = self
            .state
            .compare_exchange(RUNNING, v, Ordering::AcqRel, Ordering::Acquire);
        self.waker.wake();
    }

    /// Whether (and why) the switch fired: one atomic load.
    #[inline]
    pub fn fired(&self) -> Option<Stop> {
        match self.state.load(Ordering::Acquire) {
            RUNNING => None,
            KILL => Some(Stop::Kill),
            _ => Some(Stop::Shutdown),
        }
    }

    /// Completes when the switch fires. One task at a time may wait (the connection's own).
    pub async fn wait(&self) -> Stop {
        poll_fn(|cx| {
            if let Some(why) = self.fired() {
                return Poll::Ready(why);
            }
            self.waker.register(cx.waker());
            // Fired between the load and the registration: `fire` may have woken the old waker.
            match self.fired() {
                Some(why) => Poll::Ready(why),
                None => Poll::Pending,
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn first_reason_sticks() {
        let s = StopSwitch::default();
        assert_eq!(s.fired(), None);
        s.fire(Stop::Shutdown);
        s.fire(Stop::Kill);
        assert_eq!(s.fired(), Some(Stop::Shutdown));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn wakes_a_waiting_task() {
        let s = Arc::new(StopSwitch::default());
        let waiter = tokio::spawn({
            let s = s.clone();
            async move { s.wait().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        s.fire(Stop::Kill);
        let why = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        assert_eq!(why, Stop::Kill);
        // Already fired: ready at once.
        assert_eq!(s.wait().await, Stop::Kill);
    }
}
