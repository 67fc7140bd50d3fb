//! Alternative: the book's FIFO barbershop, a queue of personal signals. Every customer who
//! sits down puts its own little signal (a Mutex and a Condvar of its own) at the back of a
//! queue; the barber pops the front one and signals exactly that customer, who in turn signals
//! back when its haircut is over. Nobody else is woken.

use std::collections::VecDeque;

use harness::sync::{Arc, Condvar, Mutex};

/// A barbershop with one barber and a fixed number of waiting chairs.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): customer threads
/// call [`visit`](Barbershop::visit), the barber thread calls
/// [`serve_next`](Barbershop::serve_next) once per haircut.
pub struct Barbershop {
    chairs: usize,
    /// The waiting room: the customers' signals, in the order they sat down.
    line: Mutex<VecDeque<Arc<Signal>>>,
    /// The barber sleeps here while the line is empty.
    customer_waiting: Condvar,
}

/// One customer's own signal.
struct Signal {
    /// (called to the chair, haircut over)
    state: Mutex<(bool, bool)>,
    changed: Condvar,
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
            "a barbershop with 0 chairs turns every customer away"
        );
        Barbershop {
            chairs,
            line: Mutex::new(VecDeque::new()).named("the waiting room"),
            customer_waiting: Condvar::new().named("a customer is waiting"),
        }
    }

    /// A customer visits. If every waiting chair is taken, the customer leaves at once: returns
    /// `false` without calling anything. Otherwise it sits down (calls `sit_down` at the moment
    /// it takes its place in line), waits until the barber calls it (first come, first served),
    /// calls `get_hair_cut`, and returns `true`.
    pub fn visit(&self, sit_down: impl FnOnce(), get_hair_cut: impl FnOnce()) -> bool {
        let signal = Arc::new(Signal {
            state: Mutex::new((false, false)).named("a customer's signal"),
            changed: Condvar::new().named("the customer's signal changed"),
        });
        let mut line = self.line.lock().unwrap();
        if line.len() == self.chairs {
            return false;
        }
        line.push_back(Arc::clone(&signal));
        sit_down();
        drop(line);
        self.customer_waiting.notify_one();
        let mut state = signal.state.lock().unwrap();
        while !state.0 {
            state = signal.changed.wait(state).unwrap();
        }
        drop(state);
        get_hair_cut();
        signal.state.lock().unwrap().1 = true;
        signal.changed.notify_one();
        true
    }

    /// The barber serves one customer: sleeps until a customer waits, calls the one who sat
    /// down first, calls `cut_hair`, and returns once that customer's haircut is over.
    pub fn serve_next(&self, cut_hair: impl FnOnce()) {
        let mut line = self.line.lock().unwrap();
        let signal = loop {
            match line.pop_front() {
                Some(signal) => break signal,
                None => line = self.customer_waiting.wait(line).unwrap(),
            }
        };
        drop(line);
        signal.state.lock().unwrap().0 = true;
        signal.changed.notify_one();
        cut_hair();
        let mut state = signal.state.lock().unwrap();
        while !state.1 {
            state = signal.changed.wait(state).unwrap();
        }
    }
}
