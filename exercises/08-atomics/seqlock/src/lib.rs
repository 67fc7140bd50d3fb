//! Seqlock: a value of several words that one writer at a time changes and any number of
//! readers read without ever blocking the writers, retrying when a write got in the way.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check seqlock` to see
//! what the checks think of this file.

#[allow(unused_imports)] // TODO: you will need these.
use harness::hint;
#[allow(unused_imports)] // TODO: you will need these.
use harness::sync::atomic::{fence, AtomicU64, Ordering};

/// A value of `N` words (`[u64; N]`) that writers replace whole and readers read whole, without
/// a lock: a reader that overlaps a write notices it by the sequence number and reads again.
///
/// ```no_run
/// use seqlock::SeqLock;
///
/// let lock = SeqLock::new([1, 2]);
/// assert_eq!(lock.read_versioned(), (0, [1, 2]));
/// lock.write([3, 4]);
/// assert_eq!(lock.read(), [3, 4]);
/// assert_eq!(lock.read_versioned(), (1, [3, 4])); // one write so far
/// ```
#[allow(dead_code)] // TODO: `write` and `read_versioned` will use the fields.
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
    /// turns, each write whole, none lost. Never waits for readers; waits (spinning with
    /// [`hint::spin_loop`]) only while another write is in progress.
    pub fn write(&self, value: [u64; N]) {
        // TODO: take your turn by turning the sequence from an even number to the next odd one
        // (in one indivisible step: two writers must not both start from the same even
        // number), store the words, and end with the next even number. Which orderings, and
        // which fence, make a reader that sees one new word also see the odd number?
        let _ = value;
        todo!("write the value between an odd and the next even sequence number")
    }

    /// The value, whole: the one some write wrote (or the initial one), never a mix of two.
    /// Never blocks a writer; retries while writes get in its way.
    pub fn read(&self) -> [u64; N] {
        self.read_versioned().1
    }

    /// The value together with its version: how many writes had finished when it was written
    /// (0 for the initial value). The same version always comes with the same value.
    pub fn read_versioned(&self) -> (u64, [u64; N]) {
        // TODO: read the sequence, then the words, then the sequence again; the value is whole
        // only if no write was in progress or started meanwhile. Otherwise read again.
        todo!("read the words between two loads of the same even sequence number")
    }
}
