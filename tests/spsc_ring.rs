//! Checks of the `spsc_ring` kata: a single-producer single-consumer ring buffer written once
//! over a storage trait, run between threads over heap storage and between processes over a
//! shared file mapping.
//!
//! The promises: items come out in the order they went in, none lost, none doubled; a ring of
//! capacity `n` holds exactly `n` items (the next push is refused with `Full`, and one pop makes
//! room again); every counter and slot lives in the storage, so a second mapping of the same
//! file (in this process or another) sees the same ring; and no consumer ever reads a slot
//! before the producer's write of it is visible, nor does the producer overwrite a slot before
//! the consumer's read of it is done. The model checker (loom) sees every access to the heap
//! storage's slots and atomics, so a missing `Release`/`Acquire`, a counter published before
//! its slot is written, or a slot freed before it is read, is caught there as a race.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use harness::check::{mode, Checks, Mode};
use harness::process::{self, Child};
use harness::thread;
use spsc_ring::{Consumer, Full, Producer};
use spsc_ring_support::{HeapStorage, MappedStorage, Storage};

fn main() {
    Checks::new()
        .role("producer", producer_role)
        .sequential(
            "a new ring is empty, and items come out in the order they went in",
            fifo_order,
        )
        .sequential(
            "a ring of capacity n takes n items, refuses the next with Full, and takes one again \
             after a pop",
            capacity_is_exact,
        )
        .sequential(
            "items keep their order over many laps around a small ring",
            many_laps,
        )
        .sequential(
            "the ring lives in the mapped file: a second mapping of the file sees the same ring",
            two_mappings,
        )
        .sequential(
            "100,000 items pushed by a producer process are popped by this process, in order",
            producer_process_then_consumer,
        )
        .concurrent(
            "items pushed by one thread are popped by another in order, none lost or doubled",
            two_threads,
        )
        .only(
            "a ring of one slot hands items from one thread to another",
            &[Mode::Model, Mode::Explore],
            one_slot,
        )
        .concurrent(
            "a consumer created while the producer is already pushing pops every item in order",
            consumer_attaches_late,
        )
        .concurrent(
            "a producer created while the consumer is already popping refills the freed slots \
             without overwriting an item",
            producer_attaches_late,
        )
        .only(
            "a producer process and a consumer process share a ring of 64 slots: 100,000 items \
             arrive in order",
            &[Mode::Stress],
            two_processes,
        )
        .run();
}

/// Pushes `item`, waiting (yielding) while the ring is full.
fn push_waiting<S: Storage>(producer: &mut Producer<S>, item: u64) {
    loop {
        match producer.push(item) {
            Ok(()) => return,
            Err(Full(back)) => {
                assert_eq!(
                    back, item,
                    "push({item}) found the ring full but handed back {back} instead of {item}"
                );
                thread::yield_now();
            }
        }
    }
}

/// Pops the next item, waiting (yielding) while the ring is empty.
fn pop_waiting<S: Storage>(consumer: &mut Consumer<S>) -> u64 {
    loop {
        if let Some(item) = consumer.pop() {
            return item;
        }
        thread::yield_now();
    }
}

/// Fails unless a pop that should have given `expected` gave it (`got`).
fn assert_next(got: u64, expected: u64, context: &str) {
    if got == expected {
        return;
    }
    let why = if got == 0 {
        " (0 is what a slot holds before anything was written to it: the consumer read a slot \
         before the producer's write of it was visible)"
    } else if got < expected {
        " (an item that had already been popped, or an older value of its slot: a slot read \
         before the producer's new write of it was visible)"
    } else {
        " (an item pushed later: an item was lost, or a slot was overwritten before it was read)"
    };
    panic!("{context}: pop should have given item {expected}, but it gave {got}{why}");
}

fn ring(capacity: usize) -> (Producer<HeapStorage>, Consumer<HeapStorage>) {
    let storage = HeapStorage::new(capacity);
    // SAFETY: one producer and one consumer for this storage.
    unsafe { (Producer::new(storage.clone()), Consumer::new(storage)) }
}

fn fifo_order() {
    let (mut producer, mut consumer) = ring(4);
    assert_eq!(consumer.pop(), None, "pop on a new ring should give None");
    for item in [10, 20, 30] {
        assert_eq!(
            producer.push(item),
            Ok(()),
            "push({item}) into a ring of capacity 4 holding fewer than 4 items was refused"
        );
    }
    for item in [10, 20, 30] {
        let got = consumer.pop();
        assert_eq!(
            got,
            Some(item),
            "after pushing 10, 20, 30 into a new ring, pop should give {item} next, but gave {got:?}"
        );
    }
    assert_eq!(
        consumer.pop(),
        None,
        "after pushing 3 items and popping 3, pop should give None"
    );
}

fn capacity_is_exact() {
    for capacity in 1..=4usize {
        let (mut producer, mut consumer) = ring(capacity);
        for held in 0..capacity {
            let result = producer.push(held as u64 + 1);
            assert_eq!(
                result,
                Ok(()),
                "a ring of capacity {capacity} refused a push while it held only {held} item(s)"
            );
        }
        let refused = producer.push(99);
        assert_eq!(
            refused,
            Err(Full(99)),
            "a ring of capacity {capacity} holding {capacity} item(s) should refuse push(99) \
             with Err(Full(99)), but it returned {refused:?}"
        );
        let first = consumer.pop();
        assert_eq!(
            first,
            Some(1),
            "a full ring of capacity {capacity} should give its first item, 1, but gave {first:?}"
        );
        let again = producer.push(100);
        assert_eq!(
            again,
            Ok(()),
            "a ring of capacity {capacity} that was full refused a push after one pop made room"
        );
        for expected in (2..=capacity as u64).chain([100]) {
            let got = consumer.pop();
            assert_eq!(
                got,
                Some(expected),
                "in a ring of capacity {capacity} filled with 1..={capacity}, then one pop and \
                 push(100), pop should give {expected} next, but gave {got:?}"
            );
        }
        let empty = consumer.pop();
        assert_eq!(
            empty, None,
            "a ring of capacity {capacity} whose every item was popped gave {empty:?}"
        );
    }
}

fn many_laps() {
    let capacity = 3;
    let (mut producer, mut consumer) = ring(capacity);
    let mut model: VecDeque<u64> = VecDeque::new();
    let mut next = 1u64;
    // A fixed pseudo-random walk of pushes and pops, so every fill level is met at every offset
    // in the slots.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for step in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        if seed & 1 == 0 {
            match producer.push(next) {
                Ok(()) => {
                    assert!(
                        model.len() < capacity,
                        "step {step}: push({next}) was accepted by a ring of capacity \
                         {capacity} that already held {} items",
                        model.len()
                    );
                    model.push_back(next);
                }
                Err(refused) => {
                    assert_eq!(
                        model.len(),
                        capacity,
                        "step {step}: push({next}) was refused ({refused:?}) by a ring of \
                         capacity {capacity} holding only {} items",
                        model.len()
                    );
                    assert_eq!(refused, Full(next), "push({next}) handed back {refused:?}");
                }
            }
            next += 1;
        } else {
            let got = consumer.pop();
            let expected = model.pop_front();
            assert_eq!(
                got, expected,
                "step {step} of pushes and pops on a ring of capacity {capacity}: pop should \
                 give {expected:?}, but gave {got:?}"
            );
        }
    }
}

fn two_mappings() {
    let path = process::scratch().join("ring");
    let first = MappedStorage::create(&path, 4).expect("MappedStorage::create works");
    let second = MappedStorage::open(&path).expect("MappedStorage::open works");
    // SAFETY: one producer (on the first mapping), one consumer (on the second).
    let (mut producer, mut consumer) = unsafe { (Producer::new(first), Consumer::new(second)) };
    assert_eq!(
        consumer.pop(),
        None,
        "pop on a new ring in a mapped file should give None"
    );
    for item in 1..=3 {
        assert_eq!(
            producer.push(item),
            Ok(()),
            "push({item}) into a new mapped ring of capacity 4 was refused"
        );
    }
    for item in 1..=3 {
        let got = consumer.pop();
        assert_eq!(
            got,
            Some(item),
            "3 items were pushed through one mapping of a file, and popped through another \
             mapping of the same file: pop should give {item}, but gave {got:?} (keep the \
             ring's state in the storage, where every mapping sees it)"
        );
    }
    for item in 4..=7 {
        assert_eq!(
            producer.push(item),
            Ok(()),
            "a mapped ring of capacity 4 whose 3 items were all popped through another mapping \
             refused push({item}) while holding {} item(s)",
            item - 4
        );
    }
    let refused = producer.push(8);
    assert_eq!(
        refused,
        Err(Full(8)),
        "a mapped ring of capacity 4 holding 4 items should refuse push(8), but returned \
         {refused:?}"
    );
    assert_eq!(consumer.pop(), Some(4), "pop should give 4 next");
    assert_eq!(
        producer.push(8),
        Ok(()),
        "a pop through the other mapping should make room for one more push"
    );
    for item in 5..=8 {
        assert_eq!(consumer.pop(), Some(item), "pop should give {item} next");
    }
    assert_eq!(
        consumer.pop(),
        None,
        "every item was popped, yet pop gave one more"
    );
}

/// The child: opens the ring in the file named by its first argument and pushes the items
/// 1..=N (its second argument), waiting while the ring is full.
fn producer_role() {
    let args = process::role_args();
    let path = PathBuf::from(&args[0]);
    let items: u64 = args[1].parse().expect("the item count is a number");
    let storage = MappedStorage::open(&path).unwrap_or_else(|err| {
        panic!(
            "the producer process cannot open the ring at {}: {err}",
            path.display()
        )
    });
    // SAFETY: the only producer of this ring.
    let mut producer = unsafe { Producer::new(storage) };
    process::status("producing");
    for item in 1..=items {
        push_waiting(&mut producer, item);
    }
    process::status("pushed every item");
}

fn producer_process_then_consumer() {
    let items = 100_000u64;
    let path = process::scratch().join("ring");
    let storage = MappedStorage::create(&path, items as usize).expect("MappedStorage::create");
    // SAFETY: the only consumer of this ring; the producer is in the child.
    let mut consumer = unsafe { Consumer::new(storage) };
    let mut child = Child::spawn("producer", &[path.to_str().unwrap(), &items.to_string()]);
    // The ring holds every item: the producer never waits, and this process pops only once
    // it has finished, so nothing here depends on timing.
    child
        .finish(Duration::from_secs(20))
        .unwrap_or_else(|err| panic!("the producer process failed: {err}"));
    for expected in 1..=items {
        match consumer.pop() {
            Some(got) => assert_next(
                got,
                expected,
                "the producer process pushed 1..=100000 into a mapped ring and exited",
            ),
            None => panic!(
                "the producer process pushed 1..=100000 into a mapped ring and exited, but this \
                 process could pop only {} of them: the others never reached the shared file",
                expected - 1
            ),
        }
    }
    let extra = consumer.pop();
    assert_eq!(
        extra, None,
        "every one of the 100000 items was popped, yet pop gave {extra:?}"
    );
}

fn two_threads() {
    let (capacity, items) = match mode() {
        Mode::Model => (2, 3),
        Mode::Explore => (2, 10),
        _ => (8, 100_000),
    };
    handover(capacity, items);
}

fn one_slot() {
    let items = match mode() {
        Mode::Model => 2,
        _ => 6,
    };
    handover(1, items);
}

/// A producer thread pushes 1..=items through a ring of `capacity`; this thread pops them.
fn handover(capacity: usize, items: u64) {
    let (mut producer, mut consumer) = ring(capacity);
    let pusher = thread::Builder::new()
        .name("producer".into())
        .spawn(move || {
            for item in 1..=items {
                push_waiting(&mut producer, item);
            }
        })
        .unwrap();
    let context = format!(
        "a producer thread pushed 1..={items} through a ring of capacity {capacity}, this thread \
         popped"
    );
    for expected in 1..=items {
        let got = pop_waiting(&mut consumer);
        assert_next(got, expected, &context);
    }
    pusher.join().unwrap();
    let extra = consumer.pop();
    assert_eq!(
        extra, None,
        "{context} all {items} items, yet pop gave one more: {extra:?}"
    );
}

/// Items and ring size for the checks where one side starts while the other is at work.
fn late_sizes() -> (usize, u64) {
    match mode() {
        Mode::Model => (2, 2),
        Mode::Explore => (2, 10),
        _ => (4, 20_000),
    }
}

/// The consumer is created while a producer thread pushes, so the counters it finds when it
/// starts may already be past 0: whatever it reads of the producer's counter at its start is
/// a promise that those slots are written, and must order its later slot reads after those
/// writes (a consumer attaching to a ring another process has been filling).
fn consumer_attaches_late() {
    let (capacity, items) = late_sizes();
    let storage = HeapStorage::new(capacity);
    // SAFETY: the only producer of this storage; the consumer below is the only consumer.
    let mut producer = unsafe { Producer::new(storage.clone()) };
    let pusher = thread::Builder::new()
        .name("producer".into())
        .spawn(move || {
            for item in 1..=items {
                push_waiting(&mut producer, item);
            }
        })
        .unwrap();
    // SAFETY: the only consumer of this storage.
    let mut consumer = unsafe { Consumer::new(storage) };
    let context = format!(
        "a producer thread pushed 1..={items} through a ring of capacity {capacity}, and a \
         consumer created on this thread while it was pushing popped"
    );
    for expected in 1..=items {
        assert_next(pop_waiting(&mut consumer), expected, &context);
    }
    pusher.join().unwrap();
    assert_eq!(
        consumer.pop(),
        None,
        "{context} every item, yet pop gave one more"
    );
}

/// A first producer fills the ring and goes away; a consumer thread starts popping, and a new
/// producer is created on this thread meanwhile: whatever it reads of the consumer's counter at
/// its start says which slots are free, and must order its writes into them after the
/// consumer's reads (a producer process restarted on a ring that is being drained).
fn producer_attaches_late() {
    let (capacity, more) = late_sizes();
    let storage = HeapStorage::new(capacity);
    {
        // SAFETY: the only producer of this storage until it is dropped.
        let mut first = unsafe { Producer::new(storage.clone()) };
        for item in 1..=capacity as u64 {
            assert_eq!(
                first.push(item),
                Ok(()),
                "push({item}) into a ring of capacity {capacity} holding fewer items was refused"
            );
        }
    }
    let items = capacity as u64 + more;
    // SAFETY: the only consumer of this storage.
    let mut consumer = unsafe { Consumer::new(storage.clone()) };
    let popper = thread::Builder::new()
        .name("consumer".into())
        .spawn(move || {
            let context = format!(
                "a ring of capacity {capacity} was filled with 1..={capacity}, then a consumer \
                 thread popped while a new producer pushed {}..={items}: the consumer",
                capacity + 1
            );
            for expected in 1..=items {
                assert_next(pop_waiting(&mut consumer), expected, &context);
            }
            assert_eq!(consumer.pop(), None, "{context} popped one item too many");
        })
        .unwrap();
    // SAFETY: the first producer is gone: this is the only producer now.
    let mut producer = unsafe { Producer::new(storage) };
    for item in capacity as u64 + 1..=items {
        push_waiting(&mut producer, item);
    }
    popper.join().unwrap();
}

fn two_processes() {
    let (capacity, items) = (64, 100_000u64);
    let path = process::scratch().join("ring");
    let storage = MappedStorage::create(&path, capacity).expect("MappedStorage::create");
    // SAFETY: the only consumer of this ring; the producer is in the child.
    let mut consumer = unsafe { Consumer::new(storage) };
    let mut child = Child::spawn("producer", &[path.to_str().unwrap(), &items.to_string()]);
    let context = format!(
        "a producer process pushed 1..={items} through a mapped ring of {capacity} slots, this \
         process popped"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut expected = 1;
    let mut idle = 0u32;
    let mut ended = None;
    while expected <= items {
        if let Some(got) = consumer.pop() {
            assert_next(got, expected, &context);
            expected += 1;
            idle = 0;
            continue;
        }
        if let Some(status) = ended {
            // It had ended before this pop: whatever it pushed was in the ring already.
            panic!(
                "{context} only {} of them: the producer {}",
                expected - 1,
                child.explain(&process::describe_exit(status))
            );
        }
        idle += 1;
        if idle & 1023 == 0 {
            ended = child.try_wait().unwrap_or_else(|err| panic!("{err}"));
            if Instant::now() > deadline {
                process::hang(child.explain(&format!(
                    "had not pushed item {expected} after 20 s ({context} {} items)",
                    expected - 1
                )));
            }
        }
        thread::yield_now();
    }
    child
        .finish(Duration::from_secs(10))
        .unwrap_or_else(|err| panic!("the producer process failed: {err}"));
    let extra = consumer.pop();
    assert_eq!(
        extra, None,
        "{context} all {items} items, yet pop gave one more: {extra:?}"
    );
}
