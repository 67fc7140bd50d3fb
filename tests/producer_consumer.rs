//! Checks of the `producer_consumer` kata: a bounded buffer between producer and consumer threads.
//!
//! The promises: items come out first in, first out; every item put in is taken out exactly once;
//! a consumer that takes from an empty buffer gets the next item put in, and a producer that puts
//! into a full buffer gets its item in once there is room (no lost wakeup); the buffer never holds
//! more than its capacity.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use checks::linearizable::{History, Model, Outcome};
use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::JoinHandle;
use producer_consumer::Buffer;

fn main() {
    Checks::new()
        .sequential(
            "items come out in the order they went in",
            first_in_first_out,
        )
        .sequential(
            "the buffer can be filled and emptied again and again",
            fill_and_empty_again,
        )
        .sequential("a buffer of capacity 0 panics", zero_capacity_panics)
        .concurrent(
            "a consumer waiting on an empty buffer gets the next item",
            waiting_consumer_gets_item,
        )
        .concurrent(
            "a producer waiting on a full buffer gets its item in",
            waiting_producer_gets_in,
        )
        .concurrent(
            "every item is taken exactly once, in order per producer",
            every_item_once_in_order,
        )
        .concurrent(
            "every result is one a first-in, first-out buffer of the same capacity gives, one call at a time",
            results_explained_by_a_fifo_buffer,
        )
        .run();
}

fn first_in_first_out() {
    let buffer = Buffer::new(3);
    for word in ["bread", "milk", "eggs"] {
        buffer.put(String::from(word));
    }
    for word in ["bread", "milk", "eggs"] {
        let taken = buffer.take();
        assert_eq!(
            taken, word,
            "put \"bread\", \"milk\", \"eggs\" into a buffer of 3, then took {taken:?} where \
             {word:?} was due"
        );
    }
}

fn fill_and_empty_again() {
    // Every slot of the ring is used many times over, starting at every position.
    let buffer = Buffer::new(3);
    let mut next_in = 0;
    let mut next_out = 0;
    for round in 0..10 {
        for _ in 0..(round % 3) + 1 {
            buffer.put(next_in);
            next_in += 1;
        }
        while next_out < next_in {
            let taken = buffer.take();
            assert_eq!(
                taken, next_out,
                "items 0..{next_in} went into a buffer of 3 in order, a few at a time, but item \
                 {next_out} came out as {taken}"
            );
            next_out += 1;
        }
    }
    let buffer = Buffer::new(1);
    for item in 0..5 {
        buffer.put(item);
        let taken = buffer.take();
        assert_eq!(
            taken, item,
            "a buffer of 1: put {item}, then took {taken} out"
        );
    }
}

fn zero_capacity_panics() {
    let made = catch_unwind(AssertUnwindSafe(|| drop(Buffer::<u32>::new(0))));
    assert!(
        made.is_err(),
        "Buffer::new(0) should panic: no item could ever be put in, but it returned a buffer"
    );
}

fn waiting_consumer_gets_item() {
    let buffer = Arc::new(Buffer::new(1));
    let consumer = {
        let buffer = Arc::clone(&buffer);
        spawn_named("consumer", move || buffer.take())
    };
    // The consumer may already be asleep on the empty buffer: this item must wake it.
    buffer.put(7);
    let taken = consumer.join().unwrap();
    assert_eq!(
        taken, 7,
        "a consumer took from an empty buffer, then 7 was put in, but it got {taken}"
    );
}

fn waiting_producer_gets_in() {
    let buffer = Arc::new(Buffer::new(1));
    let producer = {
        let buffer = Arc::clone(&buffer);
        spawn_named("producer", move || {
            buffer.put(1);
            // The buffer of 1 is full until the main thread takes: this put waits for room.
            buffer.put(2);
        })
    };
    let first = buffer.take();
    let second = buffer.take();
    producer.join().unwrap();
    assert_eq!(
        (first, second),
        (1, 2),
        "a producer put 1 and 2 into a buffer of 1, but the consumer took {first} and then \
         {second}"
    );
}

/// Counts of the scenario, kept by the check with std atomics (no scheduling points of their
/// own).
struct Counts {
    capacity: usize,
    /// `put` calls that have returned.
    puts_done: AtomicUsize,
    /// `take` calls that have started.
    takes_started: AtomicUsize,
}

impl Counts {
    /// A put has returned: its item, and every earlier one, went in, so all but `capacity` of
    /// them must have been taken out by takes that had started.
    fn put_done(&self) {
        let done = self.puts_done.fetch_add(1, Ordering::SeqCst) + 1;
        let started = self.takes_started.load(Ordering::SeqCst);
        assert!(
            done <= started + self.capacity,
            "{done} puts have returned while only {started} takes had started, so the buffer of \
             {} held {} items at once",
            self.capacity,
            done - started
        );
    }
}

fn every_item_once_in_order() {
    let (producers, consumers, items, capacity) = match mode() {
        // The main thread consumes; two producers put one item each.
        Mode::Model => (2, 0, 1, 2),
        Mode::Explore => (2, 2, 6, 2),
        _ => (2, 2, 200, 2),
    };
    let buffer = Arc::new(Buffer::new(capacity));
    let counts = Arc::new(Counts {
        capacity,
        puts_done: AtomicUsize::new(0),
        takes_started: AtomicUsize::new(0),
    });
    let mut producing = Vec::new();
    for producer in 0..producers {
        let (buffer, counts) = (Arc::clone(&buffer), Arc::clone(&counts));
        producing.push(spawn_named(format!("producer {producer}"), move || {
            for item in 0..items {
                buffer.put((producer, item));
                counts.put_done();
            }
        }));
    }
    let total = producers * items;
    let take = move |buffer: &Buffer<(usize, usize)>, counts: &Counts, n: usize| {
        (0..n)
            .map(|_| {
                counts.takes_started.fetch_add(1, Ordering::SeqCst);
                buffer.take()
            })
            .collect::<Vec<_>>()
    };
    let mut consuming = Vec::new();
    for consumer in 0..consumers {
        let (buffer, counts) = (Arc::clone(&buffer), Arc::clone(&counts));
        consuming.push(spawn_named(format!("consumer {consumer}"), move || {
            take(&buffer, &counts, total / consumers)
        }));
    }
    let mut taken_by = Vec::new();
    if consumers == 0 {
        taken_by.push(take(&buffer, &counts, total));
    }
    for handle in producing {
        handle.join().unwrap();
    }
    for handle in consuming {
        taken_by.push(handle.join().unwrap());
    }

    // In order per producer: whoever takes two items of the same producer takes them in the
    // order they were put.
    for taken in &taken_by {
        for producer in 0..producers {
            let from: Vec<usize> = taken
                .iter()
                .filter(|(p, _)| *p == producer)
                .map(|&(_, item)| item)
                .collect();
            assert!(
                from.windows(2).all(|pair| pair[0] < pair[1]),
                "producer {producer} put its items 0, 1, 2, ... in order, but one consumer took \
                 them as {from:?}"
            );
        }
    }
    // Exactly once: every item of every producer came out, and nothing else.
    let mut all: Vec<(usize, usize)> = taken_by.concat();
    all.sort_unstable();
    let expected: Vec<(usize, usize)> = (0..producers)
        .flat_map(|p| (0..items).map(move |item| (p, item)))
        .collect();
    if all != expected {
        let missing: Vec<_> = expected.iter().filter(|i| !all.contains(i)).collect();
        let twice: Vec<_> = all
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        panic!(
            "{producers} producers put {items} item(s) each, (producer, item), but the \
             consumers took {} items; missing: {missing:?}; taken twice: {twice:?}",
            all.len()
        );
    }
}

/// A buffer of `capacity` taking one call at a time: what every recorded result must be
/// explained by. A put into a full buffer or a take from an empty one cannot go on here
/// ([`BufferRet::WouldWait`], the buffer unchanged): no call that returned got that, so a call
/// that returned is placed only where it could go on, and one still waiting may be placed
/// anywhere without effect.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FifoModel {
    capacity: usize,
    items: VecDeque<usize>,
}

#[derive(Debug, Clone)]
enum BufferOp {
    Put(usize),
    Take,
}

#[derive(Debug, Clone, PartialEq)]
enum BufferRet {
    Put,
    Took(usize),
    WouldWait,
}

impl Model for FifoModel {
    type Op = BufferOp;
    type Ret = BufferRet;
    fn step(&mut self, op: &BufferOp) -> BufferRet {
        match op {
            BufferOp::Put(_) if self.items.len() == self.capacity => BufferRet::WouldWait,
            BufferOp::Put(item) => {
                self.items.push_back(*item);
                BufferRet::Put
            }
            BufferOp::Take => match self.items.pop_front() {
                Some(item) => BufferRet::Took(item),
                None => BufferRet::WouldWait,
            },
        }
    }
}

/// Puts `item` into `buffer`, recorded in `history` as `thread`'s call.
fn recorded_put(history: &History<FifoModel>, thread: &str, buffer: &Buffer<usize>, item: usize) {
    history.call(thread, BufferOp::Put(item), || {
        buffer.put(item);
        BufferRet::Put
    });
}

/// Takes from `buffer`, recorded in `history` as `thread`'s call.
fn recorded_take(history: &History<FifoModel>, thread: &str, buffer: &Buffer<usize>) {
    history.call(thread, BufferOp::Take, || BufferRet::Took(buffer.take()));
}

/// Producers put and consumers take at once, every call recorded: some order of the calls, each
/// taking effect at one instant between its call and its return, must give every result on a
/// plain first-in, first-out buffer of the same capacity (so an item put before another was put
/// comes out first, whoever put them, and no put returns while the buffer is full).
fn results_explained_by_a_fifo_buffer() {
    // (capacity, producers, items per producer, consumers besides this thread)
    let rounds: &[(usize, usize, usize, usize)] = match mode() {
        Mode::Model => &[(1, 2, 1, 0), (2, 1, 3, 0)],
        Mode::Explore => &[(1, 2, 2, 1), (2, 2, 3, 1), (3, 2, 5, 1)],
        _ => &[(1, 3, 3, 1), (2, 3, 4, 1), (3, 2, 6, 1)],
    };
    for &(capacity, producers, per_producer, consumers) in rounds {
        let buffer = Arc::new(Buffer::new(capacity));
        let history: Arc<History<FifoModel>> = Arc::new(History::new());
        let total = producers * per_producer;
        let producing: Vec<JoinHandle<()>> = (0..producers)
            .map(|producer| {
                let (buffer, history) = (Arc::clone(&buffer), Arc::clone(&history));
                let name = format!("producer {producer}");
                spawn_named(name.clone(), move || {
                    for item in 0..per_producer {
                        recorded_put(&history, &name, &buffer, (producer + 1) * 100 + item);
                    }
                })
            })
            .collect();
        // The spawned consumers take half the items between them, this thread the rest.
        let theirs = if consumers == 0 { 0 } else { total / 2 };
        let consuming: Vec<JoinHandle<()>> = (0..consumers)
            .map(|consumer| {
                let (buffer, history) = (Arc::clone(&buffer), Arc::clone(&history));
                let name = format!("consumer {consumer}");
                let count = theirs / consumers + usize::from(consumer < theirs % consumers);
                spawn_named(name.clone(), move || {
                    for _ in 0..count {
                        recorded_take(&history, &name, &buffer);
                    }
                })
            })
            .collect();
        for _ in 0..total - theirs {
            recorded_take(&history, "main", &buffer);
        }
        for handle in producing.into_iter().chain(consuming) {
            handle.join().unwrap();
        }
        let calls = history.operations().len();
        match history.check(FifoModel {
            capacity,
            items: VecDeque::new(),
        }) {
            Outcome::Linearizable => {}
            Outcome::NotLinearizable(why) => panic!(
                "{producers} producers put {per_producer} item(s) each into a buffer of \
                 capacity {capacity} while consumers took them, but no first-in, first-out \
                 buffer of capacity {capacity} taking one call at a time gives these results: \
                 {why}"
            ),
            Outcome::Undecided => panic!(
                "the history of {calls} calls on a buffer of capacity {capacity} was too long \
                 to decide whether a first-in, first-out buffer explains it: make the check's \
                 rounds shorter"
            ),
        }
    }
}
