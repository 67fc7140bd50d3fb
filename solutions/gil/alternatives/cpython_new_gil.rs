//! Alternative: CPython's "new GIL" (3.2 and later): a `locked` flag and a switch counter behind a
//! `Mutex`, two `Condvar`s, and an atomic drop request that the holder reads on every tick
//! without taking the lock. A waiting thread raises the drop request; once the holder has run its
//! interval and sees it, it releases the GIL and then waits until the switch counter shows that
//! another thread took it (FORCE_SWITCHING in CPython's `ceval_gil.c`), so it cannot take the GIL
//! straight back.

use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::{Condvar, Mutex, MutexGuard};

/// A global interpreter lock: one thread at a time runs, and the running thread lets a waiting
/// one take over every `switch_interval` ticks.
pub struct Gil {
    switch_interval: u32,
    /// Raised while a thread waits for the GIL (CPython's `gil_drop_request`). Only a hint for the
    /// holder's fast path: the decision is taken under `state`'s lock.
    drop_request: AtomicBool,
    state: Mutex<State>,
    /// Notified when the GIL is released.
    released: Condvar,
    /// Notified when a thread takes the GIL.
    switched: Condvar,
}

struct State {
    locked: bool,
    /// Threads waiting for `locked` to clear.
    waiting: usize,
    /// How many times a thread took the GIL.
    switches: u64,
}

/// Proof that this thread holds the GIL; dropping it releases the GIL.
#[must_use = "dropping the guard releases the GIL at once"]
pub struct GilGuard<'a> {
    gil: &'a Gil,
    ticks: u32,
}

impl Gil {
    /// A GIL that makes the running thread hand over every `switch_interval` ticks.
    ///
    /// # Panics
    ///
    /// If `switch_interval` is 0.
    pub fn new(switch_interval: u32) -> Self {
        assert!(
            switch_interval > 0,
            "Gil::new(0): the switch interval must be at least 1 tick"
        );
        Gil {
            switch_interval,
            drop_request: AtomicBool::new(false).named("drop request"),
            state: Mutex::new(State {
                locked: false,
                waiting: 0,
                switches: 0,
            })
            .named("the GIL's state"),
            released: Condvar::new().named("GIL released"),
            switched: Condvar::new().named("GIL switched"),
        }
    }

    /// Waits until this thread holds the GIL.
    pub fn acquire(&self) -> GilGuard<'_> {
        self.take(self.state());
        GilGuard {
            gil: self,
            ticks: 0,
        }
    }

    /// Waits until the GIL is free and takes it.
    fn take(&self, mut state: MutexGuard<'_, State>) {
        state.waiting += 1;
        if state.locked {
            self.drop_request.store(true, Ordering::Relaxed);
        }
        let mut state = self
            .released
            .wait_while(state, |state| state.locked)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.waiting -= 1;
        state.locked = true;
        state.switches += 1;
        // Others still waiting keep the request up.
        self.drop_request
            .store(state.waiting > 0, Ordering::Relaxed);
        drop(state);
        self.switched.notify_all();
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl GilGuard<'_> {
    /// One bytecode tick. After `switch_interval` ticks, if another thread waits, hand the GIL
    /// over and wait for a turn again (no barging: the waiter gets it first).
    pub fn tick(&mut self) {
        self.ticks = self.ticks.saturating_add(1);
        if self.ticks < self.gil.switch_interval || !self.gil.drop_request.load(Ordering::Relaxed) {
            return;
        }
        let mut state = self.gil.state();
        if state.waiting == 0 {
            return;
        }
        state.locked = false;
        let before = state.switches;
        self.gil.released.notify_one();
        // Force the switch: do not compete for the GIL until another thread has taken it.
        let state = self
            .gil
            .switched
            .wait_while(state, |state| state.switches == before)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.gil.take(state);
        self.ticks = 0;
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        self.gil.state().locked = false;
        self.gil.released.notify_one();
    }
}
