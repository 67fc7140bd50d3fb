//! Checks of the `writer_preferring_lock` kata: a readers-writer lock that prefers writers.
//!
//! The promises: a written value is seen by later readers, readers really share the lock, a
//! writer is alone inside, a thread waiting for the lock is woken when it is free (no lost
//! wakeup, also when several readers wait behind a writer), and a waiting writer is overtaken by
//! new readers only a bounded number of times (no writer starvation). Readers may starve: that is
//! the price of writer preference, and nothing here checks it.

use std::sync::atomic::{AtomicUsize, Ordering};

use harness::check::{mode, Checks, Mode};
use harness::detect::{Bypass, Gauge};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use writer_preferring_lock::WriterPreferringLock;

fn main() {
    Checks::new()
        .sequential("a new lock holds its value", new_lock_holds_value)
        .sequential("a write is seen by later reads", write_is_seen)
        .sequential(
            "dropping a guard releases the lock",
            guards_release_the_lock,
        )
        .concurrent("readers share the lock", readers_share)
        .concurrent(
            "a waiting writer gets in when the readers leave",
            waiting_writer_gets_in,
        )
        .concurrent(
            "a waiting reader gets in when the writer leaves",
            waiting_reader_gets_in,
        )
        .concurrent("a writer is alone inside the lock", writer_is_alone)
        .only(
            "a waiting writer is not overtaken by new readers without bound",
            &[Mode::Explore],
            writers_do_not_starve,
        )
        .run();
}

fn new_lock_holds_value() {
    let lock = WriterPreferringLock::new(5);
    assert_eq!(
        *lock.read(),
        5,
        "WriterPreferringLock::new(5), then read() does not see 5"
    );
    let lock = WriterPreferringLock::new(String::from("hello"));
    assert_eq!(
        lock.read().as_str(),
        "hello",
        "WriterPreferringLock::new(\"hello\"), then read() does not see \"hello\""
    );
}

fn write_is_seen() {
    let lock = WriterPreferringLock::new(vec![1]);
    {
        let mut guard = lock.write();
        assert_eq!(
            *guard,
            [1],
            "a write guard does not see the value the lock was made with"
        );
        guard.push(2);
        assert_eq!(*guard, [1, 2], "a write guard does not see its own change");
    }
    assert_eq!(
        *lock.read(),
        [1, 2],
        "a value changed through write() is not seen by a later read()"
    );
    *lock.write() = vec![7];
    assert_eq!(
        *lock.read(),
        [7],
        "a value replaced through write() is not seen by a later read()"
    );
}

fn guards_release_the_lock() {
    let lock = WriterPreferringLock::new(0);
    for round in 1..=3 {
        let before = *lock.read();
        *lock.write() += 1;
        let after = *lock.read();
        assert_eq!(
            after,
            before + 1,
            "round {round}: read {before}, wrote +1 and dropped the guard, then read {after}"
        );
    }
}

/// Starts a named thread.
fn spawn<R: Send + 'static>(
    name: String,
    body: impl FnOnce() -> R + Send + 'static,
) -> JoinHandle<R> {
    thread::Builder::new().name(name).spawn(body).unwrap()
}

fn readers_share() {
    let lock = Arc::new(WriterPreferringLock::new(5));
    // This thread holds a read guard the whole time, and waits for two more readers to finish.
    // If readers excluded each other, they would wait for us and we for them.
    let held = lock.read();
    let others: Vec<_> = (0..2)
        .map(|id| {
            let lock = Arc::clone(&lock);
            spawn(format!("reader {id}"), move || *lock.read())
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

fn writer_is_alone() {
    let (writers, readers, rounds) = match mode() {
        // Under the model checker one writer and two readers keep it small; explore adds a
        // second writer.
        Mode::Model => (1, 2, 1),
        _ => (2, 3, 5),
    };
    let lock = Arc::new(WriterPreferringLock::new(0_usize));
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
        handles.push(spawn(format!("writer {id}"), move || {
            for _ in 0..rounds {
                let mut guard = lock.write();
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
        handles.push(spawn(format!("reader {id}"), move || {
            let mut last = 0;
            for _ in 0..rounds {
                let guard = lock.read();
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
    let end = *lock.read();
    assert_eq!(
        end, total,
        "{writers} writers each added 1 {rounds} time(s), but the value is {end}, not {total}"
    );
}

fn waiting_writer_gets_in() {
    let lock = Arc::new(WriterPreferringLock::new(0));
    let held = lock.read();
    let writer = {
        let lock = Arc::clone(&lock);
        spawn("writer".into(), move || *lock.write() += 1)
    };
    // The writer may already be waiting for this reader; leaving must let it in.
    drop(held);
    writer.join().unwrap();
    let end = *lock.read();
    assert_eq!(end, 1, "a writer added 1 to 0, but a later read sees {end}");
}

fn waiting_reader_gets_in() {
    // Several readers, so that a wake-up that reaches only one of them is found.
    let readers = match mode() {
        Mode::Model => 2,
        _ => 3,
    };
    let lock = Arc::new(WriterPreferringLock::new(0));
    let mut held = lock.write();
    let handles: Vec<_> = (0..readers)
        .map(|id| {
            let lock = Arc::clone(&lock);
            spawn(format!("reader {id}"), move || *lock.read())
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

/// Readers and writers loop over the lock; every entry by another thread while one waits is
/// counted, and more than the kata's bound fails the check. Only writers are promised not to
/// starve in this kata, so only writers are judged: readers' entries are counted, their waits
/// are not.
///
/// Each visit starts with a pause (`yield_now`): between visits a real thread does other work.
/// It also keeps the test fair under the PCT scheduler, which only runs its highest-priority
/// thread: a yield moves the yielding thread to the back. Without it, a thread that has just
/// left and comes back at once could sit in its own call to `read()`/`write()`, not yet in any
/// queue, while the others go round again and again, and even a first-come, first-served lock
/// would look unfair.
fn contend(readers: usize, reads: usize, writers: usize, writes: usize) {
    let lock = Arc::new(WriterPreferringLock::new(0_usize));
    let bypass = Arc::new(Bypass::new("the lock"));
    let mut handles = Vec::new();
    for id in 0..writers {
        let (lock, bypass) = (Arc::clone(&lock), Arc::clone(&bypass));
        handles.push(spawn(format!("writer {id}"), move || {
            for _ in 0..writes {
                thread::yield_now();
                let waiting = bypass.wait();
                let mut guard = lock.write();
                let inside = waiting.enter();
                *guard += 1;
                drop(inside);
                drop(guard);
            }
        }));
    }
    for id in 0..readers {
        let (lock, bypass) = (Arc::clone(&lock), Arc::clone(&bypass));
        handles.push(spawn(format!("reader {id}"), move || {
            for _ in 0..reads {
                thread::yield_now();
                // Readers may starve under writer preference, so a reader is not judged: it starts
                // "waiting" only once it is in, and its entry counts as a bypass of a waiting
                // writer.
                let guard = lock.read();
                let inside = bypass.wait().enter();
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
    let end = *lock.read();
    assert_eq!(
        end,
        writers * writes,
        "the writers added {} in all, but the value is {end}",
        writers * writes
    );
}

fn writers_do_not_starve() {
    // A steady stream of overlapping readers must not keep a writer out for ever: once it waits,
    // new readers wait behind it.
    contend(3, 10, 1, 3);
}
