//! Mutant: push publishes the new `tail` with a `Relaxed` store: nothing orders the slot write before it, so the consumer can see the item counted and read its slot before the write is visible.
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
        // Only this side writes `tail`: it reads back its own last store.
        let tail = storage.tail().load(Ordering::Relaxed);
        // Acquire: the consumer's reads of the slots it freed happen before we write them again.
        let head = storage.head().load(Ordering::Acquire);
        if tail.wrapping_sub(head) == storage.capacity() {
            return Err(Full(value));
        }
        // SAFETY: slot `tail % capacity` is free: the consumer has taken every item up to
        // `head`, which is more than `tail - capacity`, and it never reads at `tail` or beyond
        // until we publish it below.
        unsafe { storage.write(tail % storage.capacity(), value) };
        // The slot is written just above, so the consumer will find it there.
        storage
            .tail()
            .store(tail.wrapping_add(1), Ordering::Relaxed);
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
        // Only this side writes `head`.
        let head = storage.head().load(Ordering::Relaxed);
        // Acquire: the producer's write of every slot it counted happens before we read it.
        let tail = storage.tail().load(Ordering::Acquire);
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
