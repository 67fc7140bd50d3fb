//! Checks of the `bounded_queue` kata: a first-in, first-out queue with a capacity.
//!
//! The promises: items come out in the order they went in, `len()` counts them, capacity 0 is
//! refused, the queue never holds more than its capacity, a producer waiting on a full queue goes
//! on once there is room and a consumer waiting on an empty queue gets the next item (no lost
//! wakeup), and every item pushed is popped exactly once, even with several producers and
//! consumers at once.

use std::collections::VecDeque;

use bounded_queue::BoundedQueue;
use checks::linearizable::{History, Model, Outcome};
use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::JoinHandle;

fn main() {
    Checks::new()
        .sequential(
            "a new queue is empty and has its capacity",
            new_queue_is_empty,
        )
        .sequential("items come out in the order they went in", fifo_order)
        .sequential("len() counts the items", len_counts)
        .sequential(
            "capacity 0 panics with a clear message",
            capacity_zero_panics,
        )
        .concurrent(
            "a producer waiting on a full queue goes on after a pop",
            waiting_producer_goes_on,
        )
        .concurrent(
            "a consumer waiting on an empty queue gets the next item",
            waiting_consumer_gets_item,
        )
        .concurrent(
            "with several producers the queue never holds more than its capacity",
            never_overfull,
        )
        .concurrent(
            "with several consumers every item is popped exactly once",
            consumers_share_items,
        )
        .concurrent(
            "every result is one a first-in, first-out queue of the same capacity gives, one call at a time",
            results_explained_by_a_fifo_queue,
        )
        .only(
            "two producers and two consumers at capacity 1: every waiter is woken in time",
            &[Mode::Explore, Mode::Stress],
            producers_and_consumers_wait_at_once,
        )
        .run();
}

fn new_queue_is_empty() {
    let queue: BoundedQueue<u32> = BoundedQueue::new(3);
    assert_eq!(
        queue.len(),
        0,
        "a new queue should be empty, but len() is {}",
        queue.len()
    );
    assert!(queue.is_empty(), "a new queue should be empty");
    assert_eq!(
        queue.capacity(),
        3,
        "BoundedQueue::new(3).capacity() should be 3, but it is {}",
        queue.capacity()
    );
}

fn fifo_order() {
    let queue = BoundedQueue::new(3);
    for round in 0..3 {
        let items = [round * 10, round * 10 + 1, round * 10 + 2];
        for item in items {
            queue.push(item);
        }
        for item in items {
            let popped = queue.pop();
            assert_eq!(
                popped, item,
                "pushed {items:?} into an empty queue, then pop() returned {popped} where \
                 {item} was next in line"
            );
        }
    }
    let words = BoundedQueue::new(2);
    words.push(String::from("first"));
    words.push(String::from("second"));
    assert_eq!(words.pop(), "first", "the oldest item must come out first");
    words.push(String::from("third"));
    assert_eq!(words.pop(), "second", "the oldest item must come out first");
    assert_eq!(words.pop(), "third", "the oldest item must come out first");
}

fn len_counts() {
    let queue = BoundedQueue::new(2);
    queue.push('a');
    assert_eq!(queue.len(), 1, "after one push, len() should be 1");
    assert!(
        !queue.is_empty(),
        "after one push, is_empty() should be false"
    );
    queue.push('b');
    assert_eq!(
        queue.len(),
        2,
        "after two pushes, len() should be 2 (the queue is full)"
    );
    queue.pop();
    assert_eq!(
        queue.len(),
        1,
        "two pushes and one pop, but len() is {}",
        queue.len()
    );
    queue.pop();
    assert_eq!(
        queue.len(),
        0,
        "every item was popped, but len() is {}",
        queue.len()
    );
    assert!(
        queue.is_empty(),
        "every item was popped, but is_empty() is false"
    );
}

fn capacity_zero_panics() {
    // A queue of capacity 1 must work (an unfinished `new` fails here, not below).
    let smallest = BoundedQueue::new(1);
    smallest.push(7);
    assert_eq!(
        smallest.pop(),
        7,
        "a queue of capacity 1 should pass an item through"
    );
    assert_refused(
        "BoundedQueue::new(0)",
        "BoundedQueue::new(0) returned a queue nobody can ever push to; it should panic",
        || BoundedQueue::<u32>::new(0),
    );
}

/// Asserts that the queue holds no more than its capacity right now.
fn assert_not_overfull(queue: &BoundedQueue<usize>, capacity: usize, when: &str) {
    let len = queue.len();
    assert!(
        len <= capacity,
        "{when}, a queue of capacity {capacity} holds {len} items"
    );
}

fn waiting_producer_goes_on() {
    let items = match mode() {
        Mode::Model => 1,
        _ => 4,
    };
    let queue = Arc::new(BoundedQueue::new(1));
    // The queue starts full, so the producer finds no room.
    queue.push(0);
    let producer = {
        let queue = Arc::clone(&queue);
        spawn_named("producer", move || {
            for item in 1..=items {
                queue.push(item);
            }
        })
    };
    for expected in 0..=items {
        let popped = queue.pop();
        assert_eq!(
            popped, expected,
            "one producer pushed 0 to {items} in order into a queue of capacity 1, but pop() \
             returned {popped} where {expected} was next"
        );
    }
    producer.join().unwrap();
    assert!(
        queue.is_empty(),
        "every item was popped, but the queue is not empty"
    );
}

fn waiting_consumer_gets_item() {
    let items = match mode() {
        Mode::Model => 2,
        _ => 5,
    };
    let queue = Arc::new(BoundedQueue::new(1));
    let consumer = {
        let queue = Arc::clone(&queue);
        spawn_named("consumer", move || {
            (0..items).map(|_| queue.pop()).collect::<Vec<usize>>()
        })
    };
    for item in 0..items {
        queue.push(item);
    }
    let popped = consumer.join().unwrap();
    let expected: Vec<usize> = (0..items).collect();
    assert_eq!(
        popped, expected,
        "a producer pushed {expected:?} into a queue of capacity 1 while one consumer popped, \
         but the consumer got {popped:?}"
    );
}

/// Asserts that `popped` holds every producer's items in the order they were pushed, where
/// producer `p` pushes `(p + 1) * 100 + i` for `i` in increasing order.
fn assert_in_order(popped: &[usize], producers: usize, who: &str) {
    for producer in 0..producers {
        let mine: Vec<usize> = popped
            .iter()
            .copied()
            .filter(|item| item / 100 == producer + 1)
            .collect();
        assert!(
            mine.windows(2).all(|pair| pair[0] < pair[1]),
            "{who} popped producer {producer}'s items in the order {mine:?}, but that producer \
             pushed them in increasing order"
        );
    }
}

fn never_overfull() {
    let (capacity, producers, items) = match mode() {
        Mode::Model => (1, 2, 1),
        _ => (2, 3, 3),
    };
    let queue = Arc::new(BoundedQueue::new(capacity));
    // The queue starts full, so the producers find no room.
    for filler in 0..capacity {
        queue.push(filler);
    }
    let handles: Vec<_> = (0..producers)
        .map(|producer| {
            let queue = Arc::clone(&queue);
            spawn_named(format!("producer {producer}"), move || {
                for item in 0..items {
                    queue.push((producer + 1) * 100 + item);
                    assert_not_overfull(&queue, capacity, "right after a push");
                }
            })
        })
        .collect();
    let mut popped = Vec::new();
    for _ in 0..capacity + producers * items {
        assert_not_overfull(&queue, capacity, "while producers were pushing");
        popped.push(queue.pop());
    }
    for handle in handles {
        handle.join().unwrap();
    }
    let fillers: Vec<usize> = popped.iter().copied().filter(|&i| i < 100).collect();
    let expected_fillers: Vec<usize> = (0..capacity).collect();
    assert_eq!(
        fillers, expected_fillers,
        "the queue was filled with {expected_fillers:?} before the producers started, but the \
         consumer popped {popped:?}"
    );
    assert_in_order(&popped, producers, "the consumer");
    let mut sorted = popped.clone();
    sorted.sort_unstable();
    let mut expected: Vec<usize> = expected_fillers;
    for producer in 0..producers {
        expected.extend((0..items).map(|item| (producer + 1) * 100 + item));
    }
    assert_eq!(
        sorted, expected,
        "{producers} producers each pushed {items} item(s) into a full queue of capacity \
         {capacity}, but the consumer popped {popped:?}"
    );
    assert!(
        queue.is_empty(),
        "every item was popped, but the queue is not empty"
    );
}

fn consumers_share_items() {
    // Two consumers (a spawned one and this thread) share the items of one producer.
    let (capacity, per_consumer) = match mode() {
        Mode::Model => (1, 1),
        _ => (2, 4),
    };
    let items = 2 * per_consumer;
    let queue = Arc::new(BoundedQueue::new(capacity));
    let producer = {
        let queue = Arc::clone(&queue);
        spawn_named("producer", move || {
            for item in 0..items {
                queue.push(100 + item); // producer 0
            }
        })
    };
    let consumer = {
        let queue = Arc::clone(&queue);
        spawn_named("consumer", move || {
            (0..per_consumer)
                .map(|_| {
                    let item = queue.pop();
                    assert_not_overfull(&queue, capacity, "right after a pop");
                    item
                })
                .collect::<Vec<usize>>()
        })
    };
    let mine: Vec<usize> = (0..per_consumer)
        .map(|_| {
            let item = queue.pop();
            assert_not_overfull(&queue, capacity, "right after a pop");
            item
        })
        .collect();
    producer.join().unwrap();
    let theirs = consumer.join().unwrap();
    assert_in_order(&mine, 1, "one consumer");
    assert_in_order(&theirs, 1, "one consumer");
    let mut all: Vec<usize> = mine.iter().chain(&theirs).copied().collect();
    all.sort_unstable();
    let expected: Vec<usize> = (0..items).map(|item| 100 + item).collect();
    assert_eq!(
        all, expected,
        "one producer pushed {expected:?} and two consumers popped {per_consumer} each, but \
         they got {mine:?} and {theirs:?}: an item was lost or popped twice"
    );
    assert!(
        queue.is_empty(),
        "every item was popped, but the queue is not empty"
    );
}

/// Two producers and two consumers at capacity 1, so producers wait for room while consumers
/// wait for items, at once: a wake meant for one side must not be spent on the other (one
/// condvar for both, notified once, can wake a producer when only a consumer can go on).
fn producers_and_consumers_wait_at_once() {
    let per_thread = match mode() {
        Mode::Stress => 50,
        _ => 2,
    };
    let queue = Arc::new(BoundedQueue::new(1));
    let producers: Vec<JoinHandle<()>> = (0..2)
        .map(|producer| {
            let queue = Arc::clone(&queue);
            spawn_named(format!("producer {producer}"), move || {
                for item in 0..per_thread {
                    queue.push(100 * producer + item);
                }
            })
        })
        .collect();
    let consumer = {
        let queue = Arc::clone(&queue);
        spawn_named("consumer 1", move || {
            (0..per_thread).map(|_| queue.pop()).collect::<Vec<usize>>()
        })
    };
    let mine: Vec<usize> = (0..per_thread).map(|_| queue.pop()).collect();
    for producer in producers {
        producer.join().unwrap();
    }
    let theirs = consumer.join().unwrap();
    let mut all: Vec<usize> = mine.into_iter().chain(theirs).collect();
    all.sort_unstable();
    let mut pushed: Vec<usize> = (0..2)
        .flat_map(|producer| (0..per_thread).map(move |item| 100 * producer + item))
        .collect();
    pushed.sort_unstable();
    assert_eq!(
        all, pushed,
        "2 producers pushed {pushed:?}; 2 consumers popped {all:?}"
    );
}

/// A queue of `capacity` taking one call at a time: what every recorded result must be explained
/// by. A push into a full queue or a pop from an empty one cannot go on here
/// ([`QueueRet::WouldWait`], the queue unchanged): no call that returned got that, so a call
/// that returned is placed only where it could go on, and one still waiting may be placed
/// anywhere without effect.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FifoModel {
    capacity: usize,
    items: VecDeque<usize>,
}

#[derive(Debug, Clone)]
enum QueueOp {
    Push(usize),
    Pop,
    Len,
}

#[derive(Debug, Clone, PartialEq)]
enum QueueRet {
    Pushed,
    Popped(usize),
    Len(usize),
    WouldWait,
}

impl Model for FifoModel {
    type Op = QueueOp;
    type Ret = QueueRet;
    fn step(&mut self, op: &QueueOp) -> QueueRet {
        match op {
            QueueOp::Push(_) if self.items.len() == self.capacity => QueueRet::WouldWait,
            QueueOp::Push(item) => {
                self.items.push_back(*item);
                QueueRet::Pushed
            }
            QueueOp::Pop => match self.items.pop_front() {
                Some(item) => QueueRet::Popped(item),
                None => QueueRet::WouldWait,
            },
            QueueOp::Len => QueueRet::Len(self.items.len()),
        }
    }
}

/// Pushes `item` into `queue`, recorded in `history` as `thread`'s call.
fn recorded_push(
    history: &History<FifoModel>,
    thread: &str,
    queue: &BoundedQueue<usize>,
    item: usize,
) {
    history.call(thread, QueueOp::Push(item), || {
        queue.push(item);
        QueueRet::Pushed
    });
}

/// Pops from `queue`, recorded in `history` as `thread`'s call.
fn recorded_pop(history: &History<FifoModel>, thread: &str, queue: &BoundedQueue<usize>) -> usize {
    match history.call(thread, QueueOp::Pop, || QueueRet::Popped(queue.pop())) {
        QueueRet::Popped(item) => item,
        other => unreachable!("a recorded pop returns an item, not {other:?}"),
    }
}

/// Asks `len()`, recorded in `history` as `thread`'s call.
fn recorded_len(history: &History<FifoModel>, thread: &str, queue: &BoundedQueue<usize>) {
    history.call(thread, QueueOp::Len, || QueueRet::Len(queue.len()));
}

/// Producers push and consumers pop at once, a thread asks `len()` meanwhile, every call
/// recorded: some order of the calls, each taking effect at one instant between its call and
/// its return, must give every result on a plain first-in, first-out queue of the same capacity
/// (so an item pushed before another was pushed comes out first, whoever pushed them; no push
/// returns while the queue is full; `len()` is a length the queue really had).
fn results_explained_by_a_fifo_queue() {
    // (capacity, producers, items per producer, consumers besides this thread)
    let rounds: &[(usize, usize, usize, usize)] = match mode() {
        Mode::Model => &[(1, 2, 1, 0), (2, 1, 3, 0)],
        Mode::Explore => &[(1, 2, 2, 1), (2, 2, 3, 1), (3, 2, 5, 1)],
        _ => &[(1, 3, 3, 1), (2, 3, 4, 1), (3, 2, 6, 1)],
    };
    for &(capacity, producers, per_producer, consumers) in rounds {
        let queue = Arc::new(BoundedQueue::new(capacity));
        let history: Arc<History<FifoModel>> = Arc::new(History::new());
        let total = producers * per_producer;
        let handles: Vec<JoinHandle<()>> = (0..producers)
            .map(|producer| {
                let (queue, history) = (Arc::clone(&queue), Arc::clone(&history));
                let name = format!("producer {producer}");
                spawn_named(name.clone(), move || {
                    for item in 0..per_producer {
                        recorded_push(&history, &name, &queue, (producer + 1) * 100 + item);
                    }
                })
            })
            .collect();
        // The spawned consumers take half the items between them, this thread the rest.
        let theirs = total / 2;
        let consumer_handles: Vec<JoinHandle<()>> = (0..consumers)
            .map(|consumer| {
                let (queue, history) = (Arc::clone(&queue), Arc::clone(&history));
                let name = format!("consumer {consumer}");
                let count = theirs / consumers + usize::from(consumer < theirs % consumers);
                spawn_named(name.clone(), move || {
                    for _ in 0..count {
                        recorded_pop(&history, &name, &queue);
                    }
                })
            })
            .collect();
        let mine = total - if consumers == 0 { 0 } else { theirs };
        for popped in 1..=mine {
            recorded_pop(&history, "main", &queue);
            if popped < mine {
                recorded_len(&history, "main", &queue);
            }
        }
        for handle in handles.into_iter().chain(consumer_handles) {
            handle.join().unwrap();
        }
        let calls = history.operations().len();
        match history.check(FifoModel {
            capacity,
            items: VecDeque::new(),
        }) {
            Outcome::Linearizable => {}
            Outcome::NotLinearizable(why) => panic!(
                "{producers} producers pushed {per_producer} item(s) each into a queue of \
                 capacity {capacity} while consumers popped them and asked len(), but no \
                 first-in, first-out queue of capacity {capacity} taking one call at a time \
                 gives these results: {why}"
            ),
            Outcome::Undecided => panic!(
                "the history of {calls} calls on a queue of capacity {capacity} was too long to \
                 decide whether a first-in, first-out queue explains it: make the check's \
                 rounds shorter"
            ),
        }
    }
}
