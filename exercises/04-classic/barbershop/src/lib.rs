//! The FIFO barbershop: a barber, a waiting room of `chairs` chairs, and customers served in
//! the order they sat down. Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A barbershop with one barber and a fixed number of waiting chairs.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): customer threads
/// call [`visit`](Barbershop::visit), the barber thread calls
/// [`serve_next`](Barbershop::serve_next) once per haircut.
///
/// ```no_run
/// use barbershop::Barbershop;
/// use harness::sync::Arc;
/// use harness::thread;
///
/// let shop = Arc::new(Barbershop::new(3));
/// let customer = {
///     let shop = Arc::clone(&shop);
///     thread::spawn(move || shop.visit(|| println!("sits down"), || println!("gets a haircut")))
/// };
/// shop.serve_next(|| println!("snip snip"));
/// assert!(customer.join().unwrap(), "there was a free chair, so the customer stayed");
/// ```
pub struct Barbershop {
    // TODO: the number of chairs; the shop's state (who waits, in which order, who is called)
    // behind a `Mutex`; `Condvar`s for the barber and the customers to sleep on.
}

impl Barbershop {
    /// Opens a shop with `chairs` waiting chairs and a sleeping barber.
    ///
    /// # Panics
    ///
    /// If `chairs` is 0: every customer would have to leave.
    pub fn new(chairs: usize) -> Self {
        // TODO: refuse 0 chairs with a clear panic message.
        todo!("open a shop with {chairs} chairs")
    }

    /// A customer visits. If every waiting chair is taken, the customer leaves at once: returns
    /// `false` without calling anything. Otherwise it sits down (calls `sit_down` at the moment
    /// it takes its place in line), waits until the barber calls it (first come, first served),
    /// calls `get_hair_cut`, and returns `true`.
    pub fn visit(&self, sit_down: impl FnOnce(), get_hair_cut: impl FnOnce()) -> bool {
        // TODO
        let _ = (sit_down, get_hair_cut);
        todo!("visit the barber")
    }

    /// The barber serves one customer: sleeps until a customer waits, calls the one who sat
    /// down first, calls `cut_hair`, and returns once that customer's haircut is over.
    pub fn serve_next(&self, cut_hair: impl FnOnce()) {
        // TODO
        let _ = cut_hair;
        todo!("serve the next customer")
    }
}
