//! Checks for the `arc` kata: `strong_count` is exact, the value is dropped exactly once and only
//! after the last handle is gone (never while a handle is alive, never twice, never not at all),
//! `get_mut` gives access only to the only handle, and what a thread did through its handle
//! happens before the value is dropped or written through `get_mut`.
//!
//! The value the checks share is a [`Probe`]. It counts its drops in a [`Book`] that lives
//! outside the `Arc`, so the checks learn that the value was dropped without reading memory the
//! `Arc` may have freed; and before every step a check takes with a handle it looks at the book
//! first, and fails (leaving its handles undropped) if the value is gone already. The probe's
//! number sits in a `harness::cell::UnsafeCell` that the holders of clones read and the probe's
//! `Drop` writes, so under the model checker (loom) a drop that nothing orders after a read on
//! another thread (a `Relaxed` decrement, a missing `Acquire`) is a data race, reported as
//! `race`: this is how loom's own documentation tests an `Arc`.

use std::mem::ManuallyDrop;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arc::Arc;
use checks::threads::spawn_named;
use harness::cell::UnsafeCell;
use harness::check::{deliberate_panic, mode, Checks, Mode};
use harness::detect::Detection;
use harness::protocol::FailureKind;
use harness::thread;

fn main() {
    Checks::new()
        .sequential(
            "a new Arc has strong_count 1 and derefs to its value; dropping it drops the value \
             once",
            one_handle,
        )
        .sequential(
            "each clone adds one to strong_count and each drop takes one away; the value is \
             dropped once, with the last handle, whatever the order of the drops",
            clones_in_every_drop_order,
        )
        .sequential(
            "get_mut gives access only while the handle is the only one, and what it writes \
             every handle reads",
            get_mut_only_when_unique,
        )
        .sequential(
            "a clone dropped by a panic's unwinding counts off like any other",
            clone_dropped_by_unwinding,
        )
        .concurrent(
            "handles read and dropped on several threads at once: the value is dropped once, \
             after every read",
            readers_drop_at_once,
        )
        .concurrent(
            "clones made on several threads at once are all counted",
            clones_made_at_once,
        )
        .concurrent(
            "get_mut is None while a clone lives on another thread, and after that thread \
             dropped it, every read it made comes before the write",
            get_mut_after_another_thread_drops,
        )
        .run();
}

/// What a new probe holds.
const VALUE: u64 = 42;
/// What a probe's `Drop` writes over its number.
const DROPPED: u64 = 0xDEAD;

/// How many threads hold a clone at once, scaled to the mode's engine: few where every
/// interleaving is explored or every access interpreted (the model checker, Miri).
fn threads() -> usize {
    match mode() {
        Mode::Explore => 3,
        Mode::Stress => 4,
        _ => 2,
    }
}

/// What the checks know about one probe, kept outside the `Arc`: reading it never touches the
/// `Arc`'s allocation, which may have been freed.
#[derive(Default)]
struct Book {
    drops: AtomicUsize,
}

impl Book {
    fn drops(&self) -> usize {
        self.drops.load(Ordering::SeqCst)
    }

    /// Fails unless the value has not been dropped yet; `before` says what the check was about
    /// to do with a handle it still holds.
    #[track_caller]
    fn expect_alive(&self, before: &str) {
        let drops = self.drops();
        if drops != 0 {
            panic!(
                "the value was dropped ({drops} time(s)) while a handle to it was still alive: \
                 the check was about to {before}. A handle must keep the value alive, so the \
                 value may be dropped only by the drop that takes the count from 1 to 0 (did a \
                 clone not add one to the count, or did a drop free at the wrong count?)"
            );
        }
    }

    /// Fails unless the value was dropped exactly once, now that every handle is gone: never
    /// dropped is a `leak`.
    #[track_caller]
    fn expect_dropped_once(&self, after: &str) {
        match self.drops() {
            1 => {}
            0 => std::panic::panic_any(Detection {
                kind: FailureKind::Leak,
                message: format!(
                    "the value was never dropped, although every handle to it was: {after}. \
                     Exactly one drop takes the count from 1 to 0 (its `fetch_sub` returns 1, \
                     the count before the subtraction), and that one must drop the value and \
                     free the allocation"
                ),
            }),
            drops => panic!(
                "the value was dropped {drops} times, once is right: {after}. Only the drop that \
                 takes the count from 1 to 0 may drop it"
            ),
        }
    }
}

/// The value the checks share: a number that holders read and that `Drop` overwrites, and the
/// book where its drops are counted.
struct Probe {
    number: UnsafeCell<u64>,
    /// Let go by the first drop only, so that a probe dropped twice counts twice and lets go
    /// of the book once.
    book: ManuallyDrop<std::sync::Arc<Book>>,
}

// SAFETY: holders of handles only read `number`; it is written through `&mut Probe` (in `drop`,
// or through `get_mut`), which the `Arc` under test must give only when no other handle can
// read it: a write that nothing orders after a read on another thread is the kata's bug, and
// the model checker reports it.
unsafe impl Sync for Probe {}

impl Drop for Probe {
    fn drop(&mut self) {
        self.number.with_mut(|number| unsafe { *number = DROPPED });
        if self.book.drops.fetch_add(1, Ordering::SeqCst) == 0 {
            // SAFETY: the first drop of this probe; a second one does not come here.
            unsafe { ManuallyDrop::drop(&mut self.book) }
        }
    }
}

/// One handle the check holds. It is never dropped by accident: a check that fails unwinds
/// past its handles and leaves them undropped, since the value may be gone already and dropping
/// a handle then would touch freed memory. [`Held::release`] drops it on purpose.
struct Held {
    arc: ManuallyDrop<Arc<Probe>>,
    book: std::sync::Arc<Book>,
}

impl Held {
    /// A new `Arc` holding a probe of [`VALUE`], and its book.
    fn new() -> (std::sync::Arc<Book>, Held) {
        let book = std::sync::Arc::new(Book::default());
        let probe = Probe {
            number: UnsafeCell::new(VALUE),
            book: ManuallyDrop::new(std::sync::Arc::clone(&book)),
        };
        let held = Held {
            arc: ManuallyDrop::new(Arc::new(probe)),
            book: std::sync::Arc::clone(&book),
        };
        (book, held)
    }

    /// Reads the probe's number through this handle.
    #[track_caller]
    fn read(&self) -> u64 {
        self.book.expect_alive("read the value through a handle");
        self.arc.number.with(|number| unsafe { *number })
    }

    /// Reads the probe's number and fails unless it is `expected`.
    #[track_caller]
    fn expect_reads(&self, expected: u64, context: &str) {
        let read = self.read();
        assert_eq!(
            read, expected,
            "{context}: the value read through a handle should be {expected}, but it is {read}"
        );
    }

    /// `Arc::clone` of this handle.
    #[track_caller]
    fn clone_handle(&self) -> Held {
        self.book.expect_alive("clone a handle");
        Held {
            arc: ManuallyDrop::new(Arc::clone(&self.arc)),
            book: std::sync::Arc::clone(&self.book),
        }
    }

    /// `Arc::strong_count` of this handle.
    #[track_caller]
    fn count(&self) -> usize {
        self.book.expect_alive("call strong_count");
        Arc::strong_count(&self.arc)
    }

    /// Fails unless `strong_count` is `expected`.
    #[track_caller]
    fn expect_count(&self, expected: usize, context: &str) {
        let count = self.count();
        assert_eq!(
            count, expected,
            "{context}: {expected} handles exist, so strong_count should be {expected}, but it \
             is {count}"
        );
    }

    /// `Arc::get_mut` of this handle; when it gives access, writes `number` through it.
    #[track_caller]
    fn write_if_unique(&mut self, number: u64) -> bool {
        self.book.expect_alive("call get_mut");
        match Arc::get_mut(&mut self.arc) {
            Some(probe) => {
                probe.number.with_mut(|cell| unsafe { *cell = number });
                true
            }
            None => false,
        }
    }

    /// Drops the handle (the `Arc`'s `Drop`).
    #[track_caller]
    fn release(self) {
        self.book.expect_alive("drop a handle");
        drop(ManuallyDrop::into_inner(self.arc));
    }
}

/// Every order of `0..n`.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for shorter in orders(n - 1) {
        for at in 0..=shorter.len() {
            let mut order = shorter.clone();
            order.insert(at, n - 1);
            all.push(order);
        }
    }
    all
}

fn one_handle() {
    let (book, only) = Held::new();
    only.expect_count(1, "after Arc::new");
    only.expect_reads(VALUE, "after Arc::new(probe of 42)");
    only.expect_count(1, "after a read through the only handle");
    only.release();
    book.expect_dropped_once("the only handle was dropped");
}

fn clones_in_every_drop_order() {
    for handles in 2..=3 {
        for order in orders(handles) {
            let (book, first) = Held::new();
            // Each clone is made from the one made before it: a clone of a clone is a handle
            // like any other.
            let mut alive = vec![first];
            for made in 2..=handles {
                let next = alive[made - 2].clone_handle();
                alive.push(next);
                for handle in &alive {
                    handle.expect_count(made, &format!("after {} clone(s)", made - 1));
                }
            }
            let mut alive: Vec<Option<Held>> = alive.into_iter().map(Some).collect();
            for (dropped, &which) in order.iter().enumerate() {
                let left = handles - dropped - 1;
                let handle = alive[which].take().expect("each handle is dropped once");
                handle.release();
                let context = format!(
                    "{handles} handles, dropped in the order {order:?} (0 is the one Arc::new \
                     made), after dropping {}",
                    dropped + 1
                );
                if left == 0 {
                    book.expect_dropped_once(&context);
                    continue;
                }
                for handle in alive.iter().flatten() {
                    handle.expect_count(left, &context);
                    handle.expect_reads(VALUE, &context);
                }
            }
        }
    }
}

fn get_mut_only_when_unique() {
    let (book, mut first) = Held::new();
    assert!(
        first.write_if_unique(7),
        "get_mut on the only handle of a new Arc should give access, but it gave None"
    );
    first.expect_reads(7, "after writing 7 through get_mut");
    let mut second = first.clone_handle();
    assert!(
        !first.write_if_unique(8),
        "get_mut on a handle that has a clone should give None, but it gave access"
    );
    assert!(
        !second.write_if_unique(8),
        "get_mut on a clone while the first handle exists should give None, but it gave access"
    );
    second.expect_reads(7, "after two refused get_mut");
    second.release();
    assert!(
        first.write_if_unique(8),
        "get_mut should give access again once the only clone was dropped, but it gave None"
    );
    let mut third = first.clone_handle();
    first.release();
    assert!(
        third.write_if_unique(9),
        "get_mut on a clone whose original was dropped (it is the only handle now) should give \
         access, but it gave None"
    );
    third.expect_reads(9, "after writing 8 and then 9 through get_mut");
    third.expect_count(1, "after get_mut");
    third.release();
    book.expect_dropped_once("the last of three handles was dropped");
}

fn clone_dropped_by_unwinding() {
    let (book, first) = Held::new();
    first.expect_count(1, "after Arc::new");
    book.expect_alive("clone a handle");
    let unwound = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let _clone = Arc::clone(&first.arc);
        deliberate_panic("the holder of a clone panics")
    }));
    assert!(unwound.is_err(), "the closure panics on purpose");
    first.expect_count(
        1,
        "after a clone was made and dropped by a panic's unwinding",
    );
    first.expect_reads(VALUE, "after a clone was dropped by unwinding");
    first.release();
    book.expect_dropped_once("both handles were dropped, one by unwinding");
}

fn readers_drop_at_once() {
    let threads = threads();
    let (book, mine) = Held::new();
    let clones: Vec<Held> = (0..threads).map(|_| mine.clone_handle()).collect();
    mine.expect_count(threads + 1, "after one clone per thread");
    let readers: Vec<_> = clones
        .into_iter()
        .enumerate()
        .map(|(i, clone)| {
            spawn_named(format!("reader {}", i + 1), move || {
                clone.expect_reads(VALUE, "on a thread holding a clone");
                clone.release();
            })
        })
        .collect();
    // This thread reads and drops its handle too, before the joins: any of the handles may be
    // the last, and nothing but the count orders the drops.
    mine.expect_reads(VALUE, "on the thread that made the clones");
    mine.release();
    for reader in readers {
        reader.join().unwrap();
    }
    book.expect_dropped_once(&format!(
        "{} handles, each read and then dropped on a thread of its own",
        threads + 1
    ));
}

fn clones_made_at_once() {
    let threads = threads();
    let extra = match mode() {
        Mode::Explore => 2,
        Mode::Stress => 200,
        _ => 1,
    };
    let (book, first) = Held::new();
    let clones: Vec<Held> = (0..threads).map(|_| first.clone_handle()).collect();
    // The threads only clone, and every handle is counted before any is dropped: a lost
    // increment shows as a count too low, and never as a value freed under a thread that still
    // uses it (the check would then touch freed memory itself).
    let cloners: Vec<_> = clones
        .into_iter()
        .enumerate()
        .map(|(i, clone)| {
            spawn_named(format!("cloner {}", i + 1), move || {
                let mut made: Vec<Held> = (0..extra).map(|_| clone.clone_handle()).collect();
                made.push(clone);
                made
            })
        })
        .collect();
    // One more clone here, while the threads clone.
    let mine = first.clone_handle();
    let mut all = vec![first, mine];
    for cloner in cloners {
        all.extend(cloner.join().unwrap());
    }
    let total = all.len();
    all[0].expect_count(
        total,
        &format!(
            "{threads} threads each made {extra} clone(s) of their own handle while this thread \
             made one"
        ),
    );
    while let Some(handle) = all.pop() {
        handle.release();
        match all.first() {
            Some(first) => first.expect_count(all.len(), "after dropping some handles"),
            None => book.expect_dropped_once(&format!(
                "{total} handles, made on {} threads at once, were dropped",
                threads + 1
            )),
        }
    }
}

fn get_mut_after_another_thread_drops() {
    let (book, mut mine) = Held::new();
    let clone = mine.clone_handle();
    // Set by the reader just before it drops its clone: while it is still set, the clone
    // surely exists.
    let reader_holds = std::sync::Arc::new(AtomicBool::new(true));
    let holds = std::sync::Arc::clone(&reader_holds);
    let reader = spawn_named("reader", move || {
        clone.expect_reads(VALUE, "on the thread holding the clone");
        holds.store(false, Ordering::SeqCst);
        clone.release();
    });
    // The clone may be dropped or not yet: get_mut may give access only if it was. Tried a few
    // times while the reader runs (once under the model checker, which tries every place for
    // it), so that some tries come just after the reader's drop.
    let tries = match mode() {
        Mode::Explore => 3,
        Mode::Stress => 100,
        _ => 1,
    };
    for _ in 0..tries {
        if mine.write_if_unique(7) {
            assert!(
                !reader_holds.load(Ordering::SeqCst),
                "get_mut gave access while a clone still existed on another thread"
            );
            break;
        }
        thread::yield_now();
    }
    reader.join().unwrap();
    assert!(
        mine.write_if_unique(8),
        "get_mut should give access once the only clone was dropped (its thread was joined), \
         but it gave None"
    );
    mine.expect_reads(8, "after writing 8 through get_mut");
    mine.release();
    book.expect_dropped_once("both handles were dropped");
}
