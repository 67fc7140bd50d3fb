//! Checks for the `ms_queue` kata: values come out first in, first out; whatever threads
//! enqueue and dequeue at once, the results are those of a queue taking one call at a time;
//! every value enqueued is dequeued or dropped with the queue exactly once, whole.
//!
//! The values the checks enqueue are [`Item`]s. Each counts its drops in a [`Book`] outside the
//! queue, so a value dropped twice (taken by two dequeues) or never (lost from the queue) is
//! seen without reading the queue's memory. An item's stamp sits in a `harness::cell::UnsafeCell`
//! written on the enqueuing thread and read on the dequeuing one, so under the model checker
//! (loom) a dequeue that nothing orders after the enqueue (a `Relaxed` link) is a data race,
//! reported as `race`.

use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;

use checks::linearizable::{History, Model, Outcome};
use checks::threads::spawn_named;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::JoinHandle;
use ms_queue::Queue;

#[global_allocator]
static ALLOCATOR: checks::allocations::Counting = checks::allocations::Counting;

fn main() {
    Checks::new()
        .sequential(
            "a new queue is empty; values come out first in, first out",
            first_in_first_out,
        )
        .sequential(
            "every value is dropped exactly once: by whoever dequeued it, or with the queue",
            each_value_dropped_once,
        )
        // Not under Miri, where twenty thousand operations take minutes.
        .only(
            "a long run of enqueues and dequeues frees the nodes it no longer needs",
            &[Mode::Sequential],
            nodes_are_freed,
        )
        .only(
            "enqueues and dequeues at once give the results of a queue taking one call at a time",
            &[Mode::Model, Mode::Explore, Mode::Stress],
            explained_by_a_queue,
        )
        .only(
            "three threads enqueuing a value each at once: every value comes out exactly once, \
             as from a queue taking one call at a time",
            &[Mode::Model, Mode::Explore, Mode::Stress],
            || single_calls_at_once(3, 0),
        )
        .only(
            "two threads enqueuing a value each while a third dequeues: every value comes out \
             exactly once, as from a queue taking one call at a time",
            &[Mode::Model, Mode::Explore, Mode::Stress],
            || single_calls_at_once(2, 1),
        )
        .concurrent(
            "values enqueued and dequeued by several threads come out exactly once, whole, each \
             producer's in its order",
            every_value_once,
        )
        .run();
}

/// How often each item was dropped, kept outside the queue.
struct Book {
    drops: Vec<AtomicUsize>,
}

impl Book {
    fn new(items: usize) -> std::sync::Arc<Book> {
        std::sync::Arc::new(Book {
            drops: (0..items).map(|_| AtomicUsize::new(0)).collect(),
        })
    }

    fn drops(&self, id: usize) -> usize {
        self.drops[id].load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Fails unless every item was dropped exactly once: `leak` for one never dropped.
    #[track_caller]
    fn expect_each_dropped_once(&self, context: &str) {
        for id in 0..self.drops.len() {
            let drops = self.drops(id);
            if drops == 0 {
                harness::detect::leaked(format!(
                    "{context}: value {id} was never dropped; every value must be dropped \
                     exactly once (by whoever dequeued it, or with the queue)"
                ));
            }
            assert!(
                drops == 1,
                "{context}: value {id} was dropped {drops} time(s); every value must be dropped \
                 exactly once (by whoever dequeued it, or with the queue)"
            );
        }
    }
}

/// A value the checks enqueue: its number, a stamp written where it was made, and its book.
///
/// The book is reached through a plain pointer, not an `Arc` of its own: an item dropped twice
/// (the bug the book is there to count) would drop its `Arc` twice too, and free the book under
/// the threads still counting in it. The check keeps the book alive until the queue and every
/// item are gone.
struct Item {
    id: usize,
    stamp: UnsafeCell<usize>,
    book: *const Book,
}

// SAFETY: the book is only read through atomics, and outlives every item (see above).
unsafe impl Send for Item {}

impl Item {
    /// Item `id`, stamped on this thread, counted in `book`.
    fn new(id: usize, book: &std::sync::Arc<Book>) -> Item {
        let item = Item {
            id,
            stamp: UnsafeCell::new(0),
            book: std::sync::Arc::as_ptr(book),
        };
        item.stamp.with_mut(|stamp| unsafe { *stamp = id + 1000 });
        item
    }

    /// The item's number, after checking that it is whole: not dropped yet, and stamped.
    #[track_caller]
    fn open(&self, context: &str) -> usize {
        let drops = self.book().drops(self.id);
        assert!(
            drops == 0,
            "{context}: value {} came out of the queue although it was dropped already ({drops} \
             time(s))",
            self.id
        );
        let stamp = self.stamp.with(|stamp| unsafe { *stamp });
        assert_eq!(
            stamp,
            self.id + 1000,
            "{context}: value {} came out of the queue without what was written into it",
            self.id
        );
        self.id
    }
}

impl Item {
    fn book(&self) -> &Book {
        // SAFETY: the check keeps the book alive until every item is gone.
        unsafe { &*self.book }
    }
}

impl Drop for Item {
    fn drop(&mut self) {
        self.book().drops[self.id].fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn first_in_first_out() {
    let queue = Queue::new();
    assert!(
        queue.dequeue().is_none(),
        "dequeue() on a new queue should return None"
    );
    for round in 0..2 {
        for value in 1..=3 {
            queue.enqueue(value * 10 + round);
        }
        for value in 1..=3 {
            assert_eq!(
                queue.dequeue(),
                Some(value * 10 + round),
                "after enqueue({}), enqueue({}), enqueue({}) (round {round}), dequeue() should \
                 give the values in that order",
                10 + round,
                20 + round,
                30 + round
            );
        }
        assert_eq!(
            queue.dequeue(),
            None,
            "after every value came out (round {round}), dequeue() should return None"
        );
    }
    queue.enqueue(1);
    queue.enqueue(2);
    assert_eq!(
        queue.dequeue(),
        Some(1),
        "enqueue(1), enqueue(2), dequeue()"
    );
    queue.enqueue(3);
    assert_eq!(
        (queue.dequeue(), queue.dequeue(), queue.dequeue()),
        (Some(2), Some(3), None),
        "enqueue(1), enqueue(2), dequeue() == 1, enqueue(3): then dequeue() three times"
    );
}

fn each_value_dropped_once() {
    let book = Book::new(5);
    {
        let queue = Queue::new();
        for id in 0..5 {
            queue.enqueue(Item::new(id, &book));
        }
        for id in 0..2 {
            let item = queue.dequeue().expect("five values were enqueued");
            assert_eq!(item.open("in one thread"), id, "values come out in order");
        }
        // Items 0 and 1 drop here; 2, 3 and 4 with the queue.
    }
    book.expect_each_dropped_once("5 values enqueued, 2 dequeued and dropped, then the queue");
}

/// Enqueues and dequeues many values, one at a time, on one thread: the memory still allocated
/// afterwards must not grow with the number of operations (nodes taken off are freed, at once
/// or by a collector that runs now and then).
fn nodes_are_freed() {
    const CYCLES: isize = 20_000;
    let queue = Queue::new();
    let cycle = |value| {
        queue.enqueue(value);
        queue.dequeue();
    };
    // First fill what holds a bounded number of allocations whatever the code (the trace of
    // recent steps, a collector's bags), so that only what grows without bound is counted.
    (0..CYCLES / 4).for_each(cycle);
    let before = checks::allocations::live_allocations();
    (0..CYCLES).for_each(cycle);
    let grown = checks::allocations::live_allocations() - before;
    if grown >= CYCLES / 10 {
        harness::detect::leaked(format!(
            "after {CYCLES} enqueue() then dequeue() pairs on one thread, {grown} more \
             allocations are live than before: the nodes taken off the queue are not freed"
        ));
    }
}

/// A plain first-in, first-out queue: what a `Queue` must behave like one call at a time.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
struct Fifo(VecDeque<usize>);

#[derive(Debug, Clone)]
enum Op {
    Enqueue(usize),
    Dequeue,
}

impl Model for Fifo {
    type Op = Op;
    type Ret = Option<usize>;

    fn step(&mut self, op: &Op) -> Option<usize> {
        match op {
            Op::Enqueue(value) => {
                self.0.push_back(*value);
                None
            }
            Op::Dequeue => self.0.pop_front(),
        }
    }
}

/// Each thread enqueues its values and dequeues after each, every call recorded: some order of
/// the calls that keeps real time must give every result on a plain queue. The queue starts
/// with `preloaded` values, so that dequeues race for the last value as well as for none.
fn explained_by_a_queue() {
    // (threads besides main, values each, values already in the queue)
    let rounds: &[(usize, usize, usize)] = match mode() {
        Mode::Model => &[(1, 1, 0), (1, 1, 1)],
        Mode::Explore => &[(2, 2, 0), (2, 2, 1), (3, 2, 1)],
        _ => &[(3, 4, 0), (3, 4, 2)],
    };
    for &(threads, each, preloaded) in rounds {
        let queue = Arc::new(Queue::new());
        for value in 0..preloaded {
            queue.enqueue(value);
        }
        let history: Arc<History<Fifo>> = Arc::new(History::new());
        let mut initial = Fifo::default();
        initial.0.extend(0..preloaded);
        let run = move |thread: usize, queue: &Queue<usize>, history: &History<Fifo>| {
            let name = format!("thread {thread}");
            for i in 0..each {
                let value = 100 * (thread + 1) + i;
                history.call(&name, Op::Enqueue(value), || {
                    queue.enqueue(value);
                    None
                });
                history.call(&name, Op::Dequeue, || queue.dequeue());
            }
        };
        on_threads(threads + 1, &queue, &history, run);
        match history.check(initial) {
            Outcome::Linearizable => {}
            Outcome::NotLinearizable(why) => panic!(
                "{} threads each enqueued {each} value(s), dequeuing after each, on a queue that \
                 held {preloaded}: no first-in, first-out queue taking one call at a time gives \
                 these results: {why}",
                threads + 1
            ),
            Outcome::Undecided => panic!(
                "the history of {} calls was too long to decide whether a queue explains it: \
                 make the check's rounds shorter",
                history.operations().len()
            ),
        }
    }
}

/// `run(thread, ..)` on `threads` threads at once: this one is thread 0, the others are spawned
/// (named `thread N`) and joined.
fn on_threads(
    threads: usize,
    queue: &Arc<Queue<usize>>,
    history: &Arc<History<Fifo>>,
    run: impl Fn(usize, &Queue<usize>, &History<Fifo>) + Copy + Send + 'static,
) {
    let handles: Vec<JoinHandle<()>> = (1..threads)
        .map(|thread| {
            let (queue, history) = (Arc::clone(queue), Arc::clone(history));
            spawn_named(format!("thread {thread}"), move || {
                run(thread, &queue, &history)
            })
        })
        .collect();
    run(0, queue, history);
    for handle in handles {
        handle.join().unwrap();
    }
}

/// `enqueuers` threads enqueue a value each while `dequeuers` threads dequeue once, all at
/// once (this thread among them), then this thread takes what is left. A thread that finds a
/// node linked after the tail swings the tail for the thread that linked it, and a third thread
/// may then read the node through the tail it swung: under the model checker, that read must be
/// ordered after the node was made (a `Release` swing), or it is a `race`. Every value must come
/// out exactly once, and the results must be a queue's.
fn single_calls_at_once(enqueuers: usize, dequeuers: usize) {
    let queue = Arc::new(Queue::new());
    let history: Arc<History<Fifo>> = Arc::new(History::new());
    let call = move |thread: usize, queue: &Queue<usize>, history: &History<Fifo>| {
        let name = format!("thread {thread}");
        if thread < enqueuers {
            let value = 100 * (thread + 1);
            history.call(&name, Op::Enqueue(value), || {
                queue.enqueue(value);
                None
            });
        } else {
            history.call(&name, Op::Dequeue, || queue.dequeue());
        }
    };
    on_threads(enqueuers + dequeuers, &queue, &history, call);
    let calls = format!(
        "{enqueuers} threads each enqueued a value while {dequeuers} dequeued, all at once"
    );
    // Not under the model checker: the history's clock is a lock loom does not see, so a call
    // that ends before another begins is not ordered before it there, and loom may let the
    // later call read the atomics as they were before the earlier one.
    if mode() != Mode::Model {
        match history.check(Fifo::default()) {
            Outcome::Linearizable => {}
            Outcome::NotLinearizable(why) => panic!(
                "{calls}: no first-in, first-out queue taking one call at a time gives these \
                 results: {why}"
            ),
            Outcome::Undecided => unreachable!("a few calls are always decided"),
        }
    }
    let mut seen: Vec<usize> = history
        .operations()
        .iter()
        .filter_map(|operation| operation.ret.flatten())
        .chain(std::iter::from_fn(|| queue.dequeue()))
        .collect();
    seen.sort_unstable();
    let enqueued: Vec<usize> = (1..=enqueuers).map(|thread| 100 * thread).collect();
    assert_eq!(
        seen, enqueued,
        "{calls}, then one took what was left: every value enqueued must come out exactly once"
    );
}

/// Producers enqueue numbered items while consumers dequeue them; then this thread takes what
/// is left. Every item must come out exactly once, whole, and the items of one producer in the
/// order it enqueued them; every item is dropped exactly once.
fn every_value_once() {
    let (producers, each, consumers) = match mode() {
        Mode::Model => (1, 2, 1),
        Mode::Explore => (2, 4, 2),
        Mode::Miri => (2, 3, 1),
        _ => (3, 300, 2),
    };
    let total = producers * each;
    let book = Book::new(total);
    let queue = Arc::new(Queue::new());
    let producer_handles: Vec<JoinHandle<()>> = (0..producers)
        .map(|producer| {
            let (queue, book) = (Arc::clone(&queue), std::sync::Arc::clone(&book));
            spawn_named(format!("producer {producer}"), move || {
                for i in 0..each {
                    queue.enqueue(Item::new(producer * each + i, &book));
                }
            })
        })
        .collect();
    let taken = Arc::new(harness::sync::Mutex::new(Vec::new()));
    let consumer_handles: Vec<JoinHandle<()>> = (0..consumers)
        .map(|consumer| {
            let (queue, taken) = (Arc::clone(&queue), Arc::clone(&taken));
            spawn_named(format!("consumer {consumer}"), move || {
                let mut mine = Vec::new();
                for _ in 0..each {
                    if let Some(item) = queue.dequeue() {
                        mine.push(item.open("on a consumer thread"));
                    }
                }
                taken.lock().unwrap().push(mine);
            })
        })
        .collect();
    // This thread dequeues too while the others run: dequeuers race for the same values.
    let mut early = Vec::new();
    for _ in 0..each {
        if let Some(item) = queue.dequeue() {
            early.push(item.open("on the main thread, while the others ran"));
        }
    }
    for handle in producer_handles.into_iter().chain(consumer_handles) {
        handle.join().unwrap();
    }
    let mut rest = early;
    while let Some(item) = queue.dequeue() {
        rest.push(item.open("after the threads were joined"));
    }
    let mut sequences = taken.lock().unwrap().clone();
    sequences.push(rest);
    let mut seen = vec![0; total];
    for sequence in &sequences {
        for &id in sequence {
            seen[id] += 1;
        }
        // One producer's items, in the order one consumer took them, must keep their order.
        for producer in 0..producers {
            let of_producer: Vec<usize> = sequence
                .iter()
                .copied()
                .filter(|id| id / each == producer)
                .collect();
            assert!(
                of_producer.windows(2).all(|pair| pair[0] < pair[1]),
                "one consumer took producer {producer}'s values in the order {of_producer:?}: \
                 a first-in, first-out queue hands one producer's values out in the order they \
                 went in"
            );
        }
    }
    for (id, &count) in seen.iter().enumerate() {
        assert!(
            count == 1,
            "{producers} producers enqueued {each} values each while {consumers} consumers \
             dequeued: value {id} came out {count} time(s); every value must come out exactly \
             once"
        );
    }
    drop(queue);
    book.expect_each_dropped_once("after every value came out of the queue");
}
