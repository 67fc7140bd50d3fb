//! Publish: hand a value from one thread to another through a one-shot mailbox, a slot and a
//! flag.
//!
//! Alternative: fences. The flag itself is stored and loaded `Relaxed`; `put` issues a
//! `fence(Release)` between writing the slot and setting the flag, and `take` a
//! `fence(Acquire)` between seeing the flag and reading the slot. A Release fence before a
//! store that an Acquire fence's preceding load reads synchronises like a Release store read
//! by an Acquire load.

use std::cell::Cell;
use std::marker::PhantomData;

use harness::cell::UnsafeCell;
use harness::sync::atomic::{fence, AtomicBool, Ordering};
use harness::sync::Arc;

/// Makes a one-shot mailbox: the [`Sender`] puts one value in, the [`Receiver`] takes it out,
/// each from a thread of its own.
///
/// ```
/// let (sender, receiver) = publish::mailbox();
/// assert_eq!(receiver.take(), None); // nothing put yet
/// sender.put(String::from("hello"));
/// assert_eq!(receiver.take().as_deref(), Some("hello"));
/// assert_eq!(receiver.take(), None); // taken already
/// ```
pub fn mailbox<T: Send>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        ready: AtomicBool::new(false).named("ready flag"),
        slot: UnsafeCell::new(None),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
            _not_sync: PhantomData,
        },
        Receiver {
            shared,
            _not_sync: PhantomData,
        },
    )
}

/// What the two ends share: the slot and the flag that says it is full.
struct Shared<T> {
    /// Set once the slot holds the value `put` wrote; never cleared.
    ready: AtomicBool,
    /// Written once by `put` (before `ready` is set), emptied by `take` (after it saw `ready`).
    slot: UnsafeCell<Option<T>>,
}

// SAFETY: the slot is written by the sender before it sets `ready`, and read by the receiver
// only after it saw `ready` set (the fences order the two), so the two never touch it at once;
// the value moves from one thread to the other, hence `T: Send`.
unsafe impl<T: Send> Send for Shared<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for Shared<T> {}

/// The end that puts the value in. It can be moved to another thread but not shared: one
/// thread at a time calls [`put`](Sender::put).
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
    _not_sync: PhantomData<Cell<()>>,
}

/// The end that takes the value out. It can be moved to another thread but not shared: one
/// thread at a time calls [`take`](Receiver::take).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    _not_sync: PhantomData<Cell<()>>,
}

impl<T> Sender<T> {
    /// Puts `value` in the mailbox, for the receiver to take, on whatever thread it runs.
    ///
    /// # Panics
    ///
    /// If a value was put already (the mailbox is one-shot): the first value stays.
    pub fn put(&self, value: T) {
        if self.shared.ready.load(Ordering::Relaxed) {
            panic!("put called twice: a mailbox carries one value");
        }
        // SAFETY: the receiver touches the slot only after it saw `ready` set and issued its
        // Acquire fence; only this sender writes it.
        self.shared
            .slot
            .with_mut(|slot| unsafe { *slot = Some(value) });
        // Everything before this fence happens before what follows an Acquire fence that comes
        // after a load reading the store below.
        fence(Ordering::Release);
        self.shared.ready.store(true, Ordering::Relaxed);
    }
}

impl<T> Receiver<T> {
    /// The value, the first time it is called after the sender's `put` became visible; `None`
    /// before that (nothing yet: call again later) and after it (taken already). Never blocks.
    pub fn take(&self) -> Option<T> {
        if !self.shared.ready.load(Ordering::Relaxed) {
            return None;
        }
        // The load above read the `true` stored after the sender's Release fence: this fence
        // makes the slot's write visible from here on.
        fence(Ordering::Acquire);
        // SAFETY: `ready` is set and the fence orders the sender's write before this read;
        // only this receiver reads the slot from now on.
        self.shared.slot.with_mut(|slot| unsafe { (*slot).take() })
    }
}
