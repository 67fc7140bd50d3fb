//! Mutant: in `visit` the customer checks whether its number was called with `if` instead of `while`, so a customer woken by the barber calling someone else's number (every call wakes all waiting customers), or by a spurious wakeup, does not look again and gets its haircut before its own number is called: out of turn, while the barber is busy with another customer.
//! Expect: race

use harness::sync::{Condvar, Mutex};

/// A barbershop with one barber and a fixed number of waiting chairs.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): customer threads
/// call [`visit`](Barbershop::visit), the barber thread calls
/// [`serve_next`](Barbershop::serve_next) once per haircut.
pub struct Barbershop {
    chairs: usize,
    state: Mutex<State>,
    /// The barber sleeps here while nobody waits.
    customer_waiting: Condvar,
    /// Customers sleep here until their number is called.
    number_called: Condvar,
    /// The barber waits here for the customer in the chair to finish.
    haircut_over: Condvar,
}

/// The shop's bookkeeping, guarded by its lock.
struct State {
    /// Customers on waiting chairs.
    waiting: usize,
    /// The ticket the next customer to sit down gets.
    next_ticket: u64,
    /// Tickets called so far: tickets below this number have been called.
    called: u64,
    /// Haircuts finished so far.
    finished: u64,
}

impl Barbershop {
    /// Opens a shop with `chairs` waiting chairs and a sleeping barber.
    ///
    /// # Panics
    ///
    /// If `chairs` is 0: every customer would have to leave.
    pub fn new(chairs: usize) -> Self {
        assert!(
            chairs > 0,
            "a barbershop needs at least 1 waiting chair: with 0 chairs every customer must leave"
        );
        Barbershop {
            chairs,
            state: Mutex::new(State {
                waiting: 0,
                next_ticket: 0,
                called: 0,
                finished: 0,
            })
            .named("the shop"),
            customer_waiting: Condvar::new().named("a customer is waiting"),
            number_called: Condvar::new().named("a number is called"),
            haircut_over: Condvar::new().named("the haircut is over"),
        }
    }

    /// A customer visits. If every waiting chair is taken, the customer leaves at once: returns
    /// `false` without calling anything. Otherwise it sits down (calls `sit_down` at the moment
    /// it takes its place in line), waits until the barber calls it (first come, first served),
    /// calls `get_hair_cut`, and returns `true`.
    pub fn visit(&self, sit_down: impl FnOnce(), get_hair_cut: impl FnOnce()) -> bool {
        let mut state = self.state.lock().unwrap();
        if state.waiting == self.chairs {
            return false;
        }
        state.waiting += 1;
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        // Still under the lock: nobody can sit down between taking the ticket and this call.
        sit_down();
        self.customer_waiting.notify_one();
        if state.called <= ticket {
            state = self.number_called.wait(state).unwrap();
        }
        drop(state);
        get_hair_cut();
        self.state.lock().unwrap().finished += 1;
        self.haircut_over.notify_one();
        true
    }

    /// The barber serves one customer: sleeps until a customer waits, calls the one who sat
    /// down first, calls `cut_hair`, and returns once that customer's haircut is over.
    pub fn serve_next(&self, cut_hair: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        while state.waiting == 0 {
            state = self.customer_waiting.wait(state).unwrap();
        }
        state.waiting -= 1;
        state.called += 1;
        // Every waiting customer checks whether its number was called.
        self.number_called.notify_all();
        drop(state);
        cut_hair();
        let mut state = self.state.lock().unwrap();
        while state.finished < state.called {
            state = self.haircut_over.wait(state).unwrap();
        }
    }
}
