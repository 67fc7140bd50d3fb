//! River crossing: hackers and serfs share a boat of four, and a boatload is always safe. Read
//! `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// The dock where hackers and serfs wait for the boat across the river.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): hacker threads
/// call [`hacker`](Dock::hacker), serf threads call [`serf`](Dock::serf).
///
/// ```no_run
/// use harness::sync::Arc;
/// use harness::thread;
/// use river_crossing::Dock;
///
/// let dock = Arc::new(Dock::new());
/// let others: Vec<_> = ["hacker", "serf", "serf"]
///     .into_iter()
///     .map(|kind| {
///         let dock = Arc::clone(&dock);
///         thread::spawn(move || match kind {
///             "hacker" => dock.hacker(|| {}, || println!("a hacker rows")),
///             _ => dock.serf(|| {}, || println!("a serf rows")),
///         })
///     })
///     .collect();
/// let mut captains = usize::from(dock.hacker(|| {}, || println!("a hacker rows")));
/// for other in others {
///     captains += usize::from(other.join().unwrap());
/// }
/// assert_eq!(captains, 1, "a boatload has exactly one captain");
/// ```
pub struct Dock {
    // TODO: the dock's bookkeeping (who waits, which seats of the boat are free, how many are
    // aboard) behind a `Mutex`, and `Condvar`s that waiting passengers sleep on.
}

impl Dock {
    /// Opens an empty dock.
    pub fn new() -> Self {
        // TODO
        todo!("open an empty dock")
    }

    /// A hacker arrives: waits for a safe boatload, calls `board`, and if it is the captain of
    /// its boatload calls `row_boat` once all four are aboard. Returns whether it was the
    /// captain.
    pub fn hacker(&self, board: impl FnOnce(), row_boat: impl FnOnce()) -> bool {
        // TODO: wait for a hacker seat in a safe boatload, board, and row if you are the captain.
        let _ = (board, row_boat);
        todo!("let a hacker cross")
    }

    /// A serf arrives: waits for a safe boatload, calls `board`, and if it is the captain of
    /// its boatload calls `row_boat` once all four are aboard. Returns whether it was the
    /// captain.
    pub fn serf(&self, board: impl FnOnce(), row_boat: impl FnOnce()) -> bool {
        // TODO: wait for a serf seat in a safe boatload, board, and row if you are the captain.
        let _ = (board, row_boat);
        todo!("let a serf cross")
    }
}

impl Default for Dock {
    fn default() -> Self {
        Dock::new()
    }
}
