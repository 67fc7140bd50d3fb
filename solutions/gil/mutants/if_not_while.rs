//! Mutant: `wait_for_turn` checks the number with `if` instead of waiting in a loop, so a thread
//! woken by a notify_all that called another thread's number (or by a spurious wakeup) runs as if
//! it held the GIL while the thread whose number was called runs too.
//! Expect: race

use harness::sync::{Condvar, Mutex, MutexGuard};

/// A global interpreter lock: one thread at a time runs, and the running thread lets a waiting
/// one take over every `switch_interval` ticks.
///
/// ```
/// use gil::Gil;
///
/// let gil = Gil::new(100);
/// let mut guard = gil.acquire();
/// for _ in 0..1_000 {
///     guard.tick(); // nobody waits: the holder keeps running
/// }
/// drop(guard);
/// drop(gil.acquire());
/// ```
pub struct Gil {
    switch_interval: u32,
    turns: Mutex<Turns>,
    /// Notified whenever `now_serving` moves on.
    turn_called: Condvar,
}

/// The ticket machine.
struct Turns {
    /// The number the next thread to queue up draws.
    next_ticket: u64,
    /// The number of the thread that holds the GIL (if `next_ticket` is above it) or gets it next.
    now_serving: u64,
}

impl Turns {
    /// Threads waiting behind the holder.
    fn waiting(&self) -> u64 {
        self.next_ticket - self.now_serving - 1
    }
}

/// Proof that this thread holds the GIL; dropping it releases the GIL.
#[must_use = "dropping the guard releases the GIL at once"]
pub struct GilGuard<'a> {
    gil: &'a Gil,
    /// Ticks since this thread last got the GIL.
    ticks: u32,
}

impl Gil {
    /// A GIL that makes the running thread hand over every `switch_interval` ticks.
    ///
    /// # Panics
    ///
    /// If `switch_interval` is 0: a thread could not run a single tick.
    pub fn new(switch_interval: u32) -> Self {
        assert!(
            switch_interval > 0,
            "Gil::new(0): the switch interval must be at least 1 tick"
        );
        Gil {
            switch_interval,
            turns: Mutex::new(Turns {
                next_ticket: 0,
                now_serving: 0,
            })
            .named("the GIL's tickets"),
            turn_called: Condvar::new().named("turn called"),
        }
    }

    /// Waits until this thread holds the GIL.
    pub fn acquire(&self) -> GilGuard<'_> {
        let mut turns = self.turns();
        let ticket = turns.next_ticket;
        turns.next_ticket += 1;
        self.wait_for_turn(turns, ticket);
        GilGuard {
            gil: self,
            ticks: 0,
        }
    }

    /// Waits until `now_serving` calls `ticket`.
    fn wait_for_turn(&self, turns: MutexGuard<'_, Turns>, ticket: u64) {
        let _turns = if turns.now_serving != ticket {
            self.turn_called
                .wait(turns)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        } else {
            turns
        };
    }

    fn turns(&self) -> MutexGuard<'_, Turns> {
        self.turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl GilGuard<'_> {
    /// One bytecode tick. After `switch_interval` ticks, if another thread waits, hand the GIL
    /// over and wait for a turn again (no barging: the waiter gets it first).
    ///
    /// With nobody waiting, the holder keeps running: it must not block or hand over to nobody.
    pub fn tick(&mut self) {
        self.ticks = self.ticks.saturating_add(1);
        if self.ticks < self.gil.switch_interval {
            return;
        }
        let mut turns = self.gil.turns();
        if turns.waiting() == 0 {
            // Nobody to hand over to: keep running, and look again at the next tick.
            return;
        }
        // Queue up for the next turn first, then call the first waiter's number.
        let ticket = turns.next_ticket;
        turns.next_ticket += 1;
        turns.now_serving += 1;
        self.gil.turn_called.notify_all();
        self.gil.wait_for_turn(turns, ticket);
        self.ticks = 0;
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        self.gil.turns().now_serving += 1;
        self.gil.turn_called.notify_all();
    }
}
