//! Scenarios shared by the readers-writer lock katas (`fair_rwlock`, `writer_preferring_lock`):
//! the same promises of a lock with `new`, `read` and `write`, whichever kata's type keeps them.
//!
//! A kata's checks name its lock through a [`RwLockFamily`] and pass the sizes its promises call
//! for; a failure here is reported as a failure of the checks, like one in `tests/<kata>.rs`.
//!
//! ```ignore
//! struct Fair;
//! impl RwLockFamily for Fair {
//!     const NAME: &'static str = "FairRwLock";
//!     type Lock<T: Send + Sync + 'static> = FairRwLock<T>;
//!     fn new<T: Send + Sync + 'static>(value: T) -> FairRwLock<T> {
//!         FairRwLock::new(value)
//!     }
//!     fn read<T: Send + Sync + 'static>(lock: &FairRwLock<T>) -> impl Deref<Target = T> + '_ {
//!         lock.read()
//!     }
//!     fn write<T: Send + Sync + 'static>(lock: &FairRwLock<T>) -> impl DerefMut<Target = T> + '_ {
//!         lock.write()
//!     }
//! }
//! fn readers_share() {
//!     checks::rwlock::readers_share::<Fair>()
//! }
//! ```

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::threads::spawn_named;
use crate::together::Together;
use harness::detect::{Bypass, Gauge};
use harness::sync::Arc;
use harness::thread;

/// A readers-writer lock type of a kata, for any value type.
pub trait RwLockFamily: 'static {
    /// The type's name as the lesson gives it, for messages.
    const NAME: &'static str;
    /// The lock holding a `T`.
    type Lock<T: Send + Sync + 'static>: Send + Sync + 'static;
    /// A lock holding `value`.
    fn new<T: Send + Sync + 'static>(value: T) -> Self::Lock<T>;
    /// Waits for shared access.
    fn read<T: Send + Sync + 'static>(lock: &Self::Lock<T>) -> impl Deref<Target = T> + '_;
    /// Waits for exclusive access.
    fn write<T: Send + Sync + 'static>(lock: &Self::Lock<T>) -> impl DerefMut<Target = T> + '_;
}

/// Who contends for the lock in a starvation check.
#[derive(Debug, Clone, Copy)]
pub struct Contenders {
    /// Reader threads, each reading `reads` times.
    pub readers: usize,
    /// Reads per reader.
    pub reads: usize,
    /// Writer threads, each writing `writes` times.
    pub writers: usize,
    /// Writes per writer.
    pub writes: usize,
    /// Whether readers are promised not to starve (writers always are).
    pub readers_judged: bool,
}

/// A new lock holds the value it was made with.
pub fn new_lock_holds_value<L: RwLockFamily>() {
    let lock = L::new(5);
    assert_eq!(
        *L::read(&lock),
        5,
        "{}::new(5), then read() does not see 5",
        L::NAME
    );
    let lock = L::new(String::from("hello"));
    assert_eq!(
        L::read(&lock).as_str(),
        "hello",
        "{}::new(\"hello\"), then read() does not see \"hello\"",
        L::NAME
    );
}

/// A write guard sees the value and its own changes; later reads see them too.
pub fn write_is_seen<L: RwLockFamily>() {
    let lock = L::new(vec![1]);
    {
        let mut guard = L::write(&lock);
        assert_eq!(
            *guard,
            [1],
            "a write guard does not see the value the lock was made with"
        );
        guard.push(2);
        assert_eq!(*guard, [1, 2], "a write guard does not see its own change");
    }
    assert_eq!(
        *L::read(&lock),
        [1, 2],
        "a value changed through write() is not seen by a later read()"
    );
    *L::write(&lock) = vec![7];
    assert_eq!(
        *L::read(&lock),
        [7],
        "a value replaced through write() is not seen by a later read()"
    );
}

/// Dropping a guard releases the lock: read, write, read again, three times.
pub fn guards_release_the_lock<L: RwLockFamily>() {
    let lock = L::new(0);
    for round in 1..=3 {
        let before = *L::read(&lock);
        *L::write(&lock) += 1;
        let after = *L::read(&lock);
        assert_eq!(
            after,
            before + 1,
            "round {round}: read {before}, wrote +1 and dropped the guard, then read {after}"
        );
    }
}

/// Two readers get in while a third holds a read guard.
pub fn readers_share<L: RwLockFamily>() {
    let lock = Arc::new(L::new(5));
    // This thread holds a read guard the whole time, and waits for two more readers to finish.
    // If readers excluded each other, they would wait for us and we for them.
    let held = L::read(&lock);
    let others: Vec<_> = (0..2)
        .map(|id| {
            let lock = Arc::clone(&lock);
            spawn_named(format!("reader {id}"), move || *L::read(&lock))
        })
        .collect();
    for other in others {
        let seen = other.join().unwrap();
        assert_eq!(
            seen, 5,
            "a reader read {seen} while another reader held the lock, but the value is 5"
        );
    }
    assert_eq!(
        *held, 5,
        "a reader holding the lock sees {}, but the value is 5",
        *held
    );
}

/// The bookkeeping of who is inside, kept by the checks themselves (plain std atomics: they are
/// not part of the kata and create no extra interleavings).
struct Occupancy {
    /// Readers inside, plus `WRITER` for each writer inside.
    inside: AtomicUsize,
}

/// What one writer adds to [`Occupancy::inside`].
const WRITER: usize = 1 << 16;

impl Occupancy {
    fn new() -> Self {
        Occupancy {
            inside: AtomicUsize::new(0),
        }
    }

    fn reader_enters(&self) {
        let before = self.inside.fetch_add(1, Ordering::SeqCst);
        assert!(
            before < WRITER,
            "a reader got in while a writer was inside the lock"
        );
    }

    fn reader_leaves(&self) {
        self.inside.fetch_sub(1, Ordering::SeqCst);
    }

    fn writer_enters(&self) {
        let before = self.inside.fetch_add(WRITER, Ordering::SeqCst);
        assert!(
            before < WRITER,
            "a writer got in while another writer was inside the lock"
        );
        assert!(
            before == 0,
            "a writer got in while {before} reader(s) were inside the lock"
        );
    }

    fn writer_leaves(&self) {
        self.inside.fetch_sub(WRITER, Ordering::SeqCst);
    }
}

/// `writers` writers and `readers` readers, `rounds` visits each: a writer is always alone
/// inside, readers never see a write undone, and no increment is lost.
pub fn writer_is_alone<L: RwLockFamily>(writers: usize, readers: usize, rounds: usize) {
    let lock = Arc::new(L::new(0_usize));
    let occupancy = Arc::new(Occupancy::new());
    let gauge = Arc::new(Gauge::new("writers inside", 1));
    let total = writers * rounds;
    let mut handles = Vec::new();
    for id in 0..writers {
        let (lock, occupancy, gauge) = (
            Arc::clone(&lock),
            Arc::clone(&occupancy),
            Arc::clone(&gauge),
        );
        handles.push(spawn_named(format!("writer {id}"), move || {
            for _ in 0..rounds {
                let mut guard = L::write(&lock);
                let counted = gauge.enter();
                occupancy.writer_enters();
                *guard += 1;
                // Stay a moment, so that anyone wrongly let in meets this writer.
                thread::yield_now();
                occupancy.writer_leaves();
                drop(counted);
                drop(guard);
            }
        }));
    }
    for id in 0..readers {
        let (lock, occupancy) = (Arc::clone(&lock), Arc::clone(&occupancy));
        handles.push(spawn_named(format!("reader {id}"), move || {
            let mut last = 0;
            for _ in 0..rounds {
                let guard = L::read(&lock);
                occupancy.reader_enters();
                let seen = *guard;
                thread::yield_now();
                occupancy.reader_leaves();
                drop(guard);
                assert!(
                    seen <= total,
                    "a reader saw {seen}, but only {total} increments were ever written"
                );
                assert!(
                    seen >= last,
                    "a reader saw {last} and later {seen}: a write was lost or undone"
                );
                last = seen;
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    let end = *L::read(&lock);
    assert_eq!(
        end, total,
        "{writers} writers each added 1 {rounds} time(s), but the value is {end}, not {total}"
    );
}

/// A writer waiting for a reader gets in when the reader leaves (no lost wakeup), and not before:
/// the reader looks at the value again after letting the writer line up, and must still see it
/// unchanged (a writer that wakes without a reason, spuriously, must look again before going in).
pub fn waiting_writer_gets_in<L: RwLockFamily>() {
    let lock = Arc::new(L::new(0));
    let held = L::read(&lock);
    let writer = {
        let lock = Arc::clone(&lock);
        spawn_named("writer", move || *L::write(&lock) += 1)
    };
    for _ in 0..3 {
        thread::yield_now();
    }
    assert_eq!(
        *held, 0,
        "a reader holding the lock saw the value change: a writer got in while it read"
    );
    // The writer may already be waiting for this reader; leaving must let it in.
    drop(held);
    writer.join().unwrap();
    let end = *L::read(&lock);
    assert_eq!(end, 1, "a writer added 1 to 0, but a later read sees {end}");
}

/// `readers` readers waiting for a writer all get in when it leaves, and see its write.
pub fn waiting_reader_gets_in<L: RwLockFamily>(readers: usize) {
    let lock = Arc::new(L::new(0));
    let mut held = L::write(&lock);
    let handles: Vec<_> = (0..readers)
        .map(|id| {
            let lock = Arc::clone(&lock);
            spawn_named(format!("reader {id}"), move || *L::read(&lock))
        })
        .collect();
    // The readers started after this write guard was taken, so they must see what it writes.
    *held = 1;
    drop(held);
    for handle in handles {
        let seen = handle.join().unwrap();
        assert_eq!(
            seen, 1,
            "a reader that asked while a writer held the lock saw {seen}, not the 1 it wrote"
        );
    }
}

/// `readers` readers ask while a writer holds the lock, then the writer leaves: all of them must
/// be let in together, and each one, once in, stays until all are in (a meeting point of the
/// facade's lock and condvar). A lock that lets the queued readers in one at a time (the first one
/// in does not wake the next, or wakes only one of several) leaves the first ones waiting for a
/// reader that never comes: a deadlock. With three readers, a single wakeup may reach the wrong
/// one.
pub fn queued_readers_go_in_together<L: RwLockFamily>(readers: usize) {
    let lock = Arc::new(L::new(0));
    let together = Arc::new(Together::new(readers, "readers"));
    let mut held = L::write(&lock);
    let handles: Vec<_> = (0..readers)
        .map(|id| {
            let (lock, together) = (Arc::clone(&lock), Arc::clone(&together));
            spawn_named(format!("reader {id}"), move || {
                let guard = L::read(&lock);
                together.arrive_and_stay();
                *guard
            })
        })
        .collect();
    // Let the readers line up behind this writer.
    for _ in 0..3 {
        thread::yield_now();
    }
    *held = 1;
    drop(held);
    for handle in handles {
        let seen = handle.join().unwrap();
        assert_eq!(
            seen, 1,
            "a reader that asked while a writer held the lock saw {seen}, not the 1 it wrote"
        );
    }
}

/// Readers and writers loop over the lock; every entry by another thread while a judged thread
/// waits is counted, and more than the kata's bound fails the check.
///
/// Each visit starts with a pause (`yield_now`): between visits a real thread does other work.
/// It also keeps the test fair under the PCT scheduler, which only runs its highest-priority
/// thread: a yield moves the yielding thread to the back. Without it, a thread that has just
/// left and comes back at once could sit in its own call to `read()`/`write()`, not yet in any
/// queue, while the others go round again and again, and even a first-come, first-served lock
/// would look unfair.
pub fn contend<L: RwLockFamily>(contenders: Contenders) {
    let lock = Arc::new(L::new(0_usize));
    let bypass = Arc::new(Bypass::new("the lock"));
    let mut handles = Vec::new();
    let Contenders {
        readers,
        reads,
        writers,
        writes,
        readers_judged,
    } = contenders;
    for id in 0..writers {
        let (lock, bypass) = (Arc::clone(&lock), Arc::clone(&bypass));
        handles.push(spawn_named(format!("writer {id}"), move || {
            for _ in 0..writes {
                thread::yield_now();
                let waiting = bypass.wait();
                let mut guard = L::write(&lock);
                let inside = waiting.enter();
                *guard += 1;
                drop(inside);
                drop(guard);
            }
        }));
    }
    for id in 0..readers {
        let (lock, bypass) = (Arc::clone(&lock), Arc::clone(&bypass));
        handles.push(spawn_named(format!("reader {id}"), move || {
            for _ in 0..reads {
                thread::yield_now();
                let (guard, inside) = if readers_judged {
                    let waiting = bypass.wait();
                    let guard = L::read(&lock);
                    (guard, waiting.enter())
                } else {
                    // A reader that may starve is not judged: it starts "waiting" only once it
                    // is in, and its entry counts as a bypass of a waiting writer.
                    let guard = L::read(&lock);
                    (guard, bypass.wait().enter())
                };
                let seen = *guard;
                drop(inside);
                drop(guard);
                assert!(
                    seen <= writers * writes,
                    "a reader saw {seen}, more than was ever written"
                );
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    let end = *L::read(&lock);
    assert_eq!(
        end,
        writers * writes,
        "the writers added {} in all, but the value is {end}",
        writers * writes
    );
}
