//! Mutant: writers take their turn by adding 1 to the sequence with `fetch_add` instead of
//! exchanging an even number for the next odd one. Each gets a number of its own, but a writer
//! that arrives during a write adds 1 to an odd number: the sequence turns even while both write
//! the words at once, and each ends by storing its own number plus 2, so the one who got the odd
//! number can leave the sequence odd for good: every reader then waits for a write that never
//! ends.
//! Expect: livelock

use harness::hint;
use harness::sync::atomic::{fence, AtomicU64, Ordering};

/// A value of `N` words (`[u64; N]`) that writers replace whole and readers read whole, without
/// a lock: a reader that overlaps a write notices it by the sequence number and reads again.
///
/// ```
/// use seqlock::SeqLock;
///
/// let lock = SeqLock::new([1, 2]);
/// assert_eq!(lock.read_versioned(), (0, [1, 2]));
/// lock.write([3, 4]);
/// assert_eq!(lock.read(), [3, 4]);
/// assert_eq!(lock.read_versioned(), (1, [3, 4])); // one write so far
/// ```
pub struct SeqLock<const N: usize> {
    /// Twice the number of writes finished, plus one while a write is in progress: odd means
    /// the words are being changed.
    sequence: AtomicU64,
    /// The value. Atomics, although only one writer at a time changes them: a reader loads
    /// them while a writer may be storing, and with plain memory that would be a data race
    /// (undefined behaviour), even when the reader throws what it read away.
    words: [AtomicU64; N],
}

impl<const N: usize> SeqLock<N> {
    /// A lock holding `value`, at version 0 (no write yet).
    pub fn new(value: [u64; N]) -> Self {
        SeqLock {
            sequence: AtomicU64::new(0).named("sequence"),
            words: std::array::from_fn(|i| AtomicU64::new(value[i]).named(format!("word {i}"))),
        }
    }

    /// Replaces the value with `value`. Any number of threads may write at once: they take
    /// turns, each write whole, none lost. Never waits for readers; waits (spinning) only while
    /// another write is in progress.
    pub fn write(&self, value: [u64; N]) {
        // Make the sequence odd by adding 1: one indivisible step, so no two writers get the same
        // number. Acquire pairs with the previous writer's Release store.
        let even = self.sequence.fetch_add(1, Ordering::Acquire);
        // The odd number must be visible before any new word is: a Release *fence* orders the
        // store above before the stores below. (A Release store would order only what came
        // before it.) A reader whose load sees a new word, and then fences with Acquire, sees
        // the odd number or later.
        fence(Ordering::Release);
        for (word, new) in self.words.iter().zip(value) {
            word.store(new, Ordering::Relaxed);
        }
        // Release publishes the words to a reader that loads this even number with Acquire.
        self.sequence.store(even + 2, Ordering::Release);
    }

    /// The value, whole: the one some write wrote (or the initial one), never a mix of two.
    /// Never blocks a writer; retries while writes get in its way.
    pub fn read(&self) -> [u64; N] {
        self.read_versioned().1
    }

    /// The value together with its version: how many writes had finished when it was written
    /// (0 for the initial value). The same version always comes with the same value.
    pub fn read_versioned(&self) -> (u64, [u64; N]) {
        loop {
            // Acquire pairs with the Release store that ended the write of this number: the
            // words it wrote are visible to the loads below.
            let before = self.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                // A write is in progress: what the words hold now may be half of it.
                hint::spin_loop();
                continue;
            }
            let value: [u64; N] = std::array::from_fn(|i| self.words[i].load(Ordering::Relaxed));
            // The loads above come before the load below: if any of them saw a word of a
            // later write, the load below sees that write's odd number, or later.
            fence(Ordering::Acquire);
            let after = self.sequence.load(Ordering::Relaxed);
            if after == before {
                return (before / 2, value);
            }
            // A write started meanwhile: the value may be torn. Read again.
            hint::spin_loop();
        }
    }
}
