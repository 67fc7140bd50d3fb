//! A single-producer single-consumer ring buffer of `u64`s in memory shared between two
//! processes. Read `README.md` beside this folder's `src/` first.
//!
//! The storage is given, in the crate `spsc_ring_support` (`support/src/lib.rs` beside this
//! folder's `src/`): `HeapStorage` (on the heap, built from the facade, for threads and the
//! model checkers) and `MappedStorage` (a shared file mapping, for processes). Your task is the
//! ring itself, [`Producer::push`] and [`Consumer::pop`], written once over any [`Storage`]:
//! only its counters and slots, never anything else, so that the same code works between two
//! threads and between two processes.

// You will need these: the memory orderings, and `Counter` for the counters' `load` and `store`.
#[allow(unused_imports)]
use harness::sync::atomic::Ordering;
#[allow(unused_imports)]
use spsc_ring_support::Counter;
use spsc_ring_support::Storage;

/// `push` found the ring full; the value is handed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full(pub u64);

/// The producing end of a ring: the only one that puts items in.
pub struct Producer<S: Storage> {
    storage: S,
    // TODO (optional): anything else the producer wants to remember between pushes. It lives
    // in this process only: the other side cannot see it.
}

/// The consuming end of a ring: the only one that takes items out.
pub struct Consumer<S: Storage> {
    storage: S,
    // TODO (optional): as for the producer.
}

impl<S: Storage> Producer<S> {
    /// The producing end of the ring kept in `storage`.
    ///
    /// # Safety
    ///
    /// At most one `Producer` may use a ring at a time, in all processes together: two
    /// producers would write the same slot at once.
    pub unsafe fn new(storage: S) -> Producer<S> {
        Producer { storage }
    }

    /// Puts `value` at the back of the ring, or hands it back in `Err(Full(value))` if the ring
    /// already holds `capacity` items. Never waits.
    pub fn push(&mut self, value: u64) -> Result<(), Full> {
        // TODO: decide from the two counters whether there is room; if so, write the value
        // into its slot and then let the consumer know. Which memory ordering each load and
        // store needs is the heart of the kata.
        let _ = (&self.storage, value);
        todo!("push an item into the ring")
    }
}

impl<S: Storage> Consumer<S> {
    /// The consuming end of the ring kept in `storage`.
    ///
    /// # Safety
    ///
    /// At most one `Consumer` may use a ring at a time, in all processes together: two
    /// consumers would take the same item.
    pub unsafe fn new(storage: S) -> Consumer<S> {
        Consumer { storage }
    }

    /// Takes the item at the front of the ring, or `None` if it is empty. Never waits.
    pub fn pop(&mut self) -> Option<u64> {
        // TODO: decide from the two counters whether there is an item; if so, read it from its
        // slot and then let the producer know that the slot is free again.
        let _ = &self.storage;
        todo!("pop an item from the ring")
    }
}
