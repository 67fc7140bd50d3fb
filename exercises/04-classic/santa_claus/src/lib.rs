//! Santa Claus: Santa sleeps until all his reindeer are back or a group of elves needs help.
//! Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// Santa's workshop: `reindeer` reindeer, elves helped in groups of `elves_per_group`, and Santa.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): reindeer threads
/// call [`reindeer_back`](Workshop::reindeer_back), elf threads call
/// [`elf_needs_help`](Workshop::elf_needs_help), and one Santa thread calls
/// [`santa_round`](Workshop::santa_round) again and again.
///
/// ```no_run
/// use harness::sync::Arc;
/// use harness::thread;
/// use santa_claus::Workshop;
///
/// let workshop = Arc::new(Workshop::new(2, 1));
/// let mut threads = Vec::new();
/// for i in 0..2 {
///     let workshop = Arc::clone(&workshop);
///     threads.push(thread::spawn(move || workshop.reindeer_back(|| println!("reindeer {i} hitched"))));
/// }
/// let elf = Arc::clone(&workshop);
/// threads.push(thread::spawn(move || elf.elf_needs_help(|| println!("the elf gets help"))));
/// // Two rounds: one for the reindeer, one for the elf, in whichever order they are ready.
/// for _ in 0..2 {
///     workshop.santa_round(|| println!("the sleigh is ready"), || println!("Santa helps"));
/// }
/// for thread in threads {
///     thread.join().unwrap();
/// }
/// ```
pub struct Workshop {
    // TODO: the team sizes; who is back, who asks for help, what Santa is doing, behind a
    // `Mutex`; `Condvar`s for Santa, the reindeer and the elves to sleep on.
}

impl Workshop {
    /// Builds a workshop with `reindeer` reindeer, whose elves are helped in groups of
    /// `elves_per_group`.
    ///
    /// # Panics
    ///
    /// If `reindeer` or `elves_per_group` is 0: Santa would have nobody to wait for.
    pub fn new(reindeer: usize, elves_per_group: usize) -> Self {
        // TODO: refuse 0 with a clear panic message.
        todo!("build a workshop for {reindeer} reindeer and groups of {elves_per_group} elves")
    }

    /// A reindeer is back from vacation: it waits until Santa has prepared the sleigh (which he
    /// does once all the reindeer are back), calls `hitch` during that round, and returns.
    pub fn reindeer_back(&self, hitch: impl FnOnce()) {
        // TODO
        let _ = hitch;
        todo!("come back and get hitched")
    }

    /// An elf needs help: it waits until it is one of a group of exactly `elves_per_group`
    /// elves that Santa helps, calls `get_help` during that round, and returns.
    pub fn elf_needs_help(&self, get_help: impl FnOnce()) {
        // TODO
        let _ = get_help;
        todo!("ask Santa for help")
    }

    /// How many reindeer and how many elves have arrived and wait for Santa to call them:
    /// `(reindeer, elves)`. Lets a caller see that everyone is in line.
    pub fn waiting(&self) -> (usize, usize) {
        // TODO
        todo!("count who waits for Santa")
    }

    /// Santa serves one round. He sleeps until all the reindeer are back or a whole group of
    /// elves asks for help. If the reindeer are all back (they go first, even if elves wait
    /// too), he calls `prepare_sleigh`, then lets the reindeer hitch and returns once every one
    /// of them is hitched. Otherwise he calls `help_elves`, then lets the group of elves get
    /// help and returns once each of them has. Only one thread plays Santa.
    pub fn santa_round(&self, prepare_sleigh: impl FnOnce(), help_elves: impl FnOnce()) {
        // TODO
        let _ = (prepare_sleigh, help_elves);
        todo!("serve one round")
    }
}
