//! Mutant: head and tail mixed up in the orderings: each side loads its OWN counter with `Acquire` and the other side's with `Relaxed`, so nothing the other side did before publishing its counter (the producer's slot write, the consumer's slot read) is ordered before what this side does next.
//! Expect: race

use harness::sync::atomic::Ordering;
use spsc_ring_support::{Counter, Storage};

/// `push` found the ring full; the value is handed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full(pub u64);

/// The producing end of a ring: the only one that puts items in.
pub struct Producer<S: Storage> {
    storage: S,
}

/// The consuming end of a ring: the only one that takes items out.
pub struct Consumer<S: Storage> {
    storage: S,
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
        let storage = &self.storage;
        // Acquire our own counter; the consumer's is only compared with it.
        let tail = storage.tail().load(Ordering::Acquire);
        let head = storage.head().load(Ordering::Relaxed);
        if tail.wrapping_sub(head) == storage.capacity() {
            return Err(Full(value));
        }
        // SAFETY: slot `tail % capacity` is free: the consumer has taken every item up to
        // `head`, which is more than `tail - capacity`, and it never reads at `tail` or beyond
        // until we publish it below.
        unsafe { storage.write(tail % storage.capacity(), value) };
        // Release: publishes the slot written above, before the consumer can see it counted.
        storage
            .tail()
            .store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
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
        let storage = &self.storage;
        // Acquire our own counter; the producer's is only compared with it.
        let head = storage.head().load(Ordering::Acquire);
        let tail = storage.tail().load(Ordering::Relaxed);
        if head == tail {
            return None;
        }
        // SAFETY: the producer published this slot (it is below `tail`) and will not write it
        // again until we free it below.
        let value = unsafe { storage.read(head % storage.capacity()) };
        // Release: our read of the slot happens before the producer may write it again.
        storage
            .head()
            .store(head.wrapping_add(1), Ordering::Release);
        Some(value)
    }
}
