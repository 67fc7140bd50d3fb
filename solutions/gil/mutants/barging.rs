//! Mutant: Python's old GIL: every `switch_interval` ticks the holder unlocks the lock and locks
//! it again at once. Nothing stops it from taking the lock straight back before the woken waiter
//! runs, so a waiting thread can lose one switch after another.
//! Expect: starvation

use harness::sync::{Mutex, MutexGuard};

/// A global interpreter lock: one thread at a time runs, and the running thread lets a waiting
/// one take over every `switch_interval` ticks.
pub struct Gil {
    switch_interval: u32,
    lock: Mutex<()>,
}

/// Proof that this thread holds the GIL; dropping it releases the GIL.
#[must_use = "dropping the guard releases the GIL at once"]
pub struct GilGuard<'a> {
    gil: &'a Gil,
    held: Option<MutexGuard<'a, ()>>,
    ticks: u32,
}

impl Gil {
    /// A GIL that makes the running thread hand over every `switch_interval` ticks.
    pub fn new(switch_interval: u32) -> Self {
        assert!(
            switch_interval > 0,
            "Gil::new(0): the switch interval must be at least 1 tick"
        );
        Gil {
            switch_interval,
            lock: Mutex::new(()).named("the GIL"),
        }
    }

    /// Waits until this thread holds the GIL.
    pub fn acquire(&self) -> GilGuard<'_> {
        GilGuard {
            gil: self,
            held: Some(self.lock()),
            ticks: 0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl GilGuard<'_> {
    /// One bytecode tick. After `switch_interval` ticks, if another thread waits, hand the GIL
    /// over and wait for a turn again (no barging: the waiter gets it first).
    pub fn tick(&mut self) {
        self.ticks += 1;
        if self.ticks >= self.gil.switch_interval {
            self.ticks = 0;
            // Give the others a chance... and take the lock right back.
            drop(self.held.take());
            self.held = Some(self.gil.lock());
        }
    }
}
