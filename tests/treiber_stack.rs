//! Checks for the `treiber_stack` kata: values come off in last-in, first-out order; whatever
//! threads push and pop at once, the results are those of a stack taking one call at a time; every
//! value pushed is popped or dropped with the stack exactly once, whole.
//!
//! The values the checks push are [`Item`]s. Each counts its drops in a [`Book`] that lives
//! outside the stack, so a value dropped twice (popped by two threads) or never (lost from the
//! stack) is seen without reading the stack's memory. An item's stamp sits in a
//! `harness::cell::UnsafeCell` written on the pushing thread and read on the popping one, so
//! under the model checker (loom) a pop that nothing orders after the push (a `Relaxed`
//! publication) is a data race, reported as `race`. The nodes themselves are plain memory that
//! only Miri sees: a node freed while another thread still reads it is reported there (a use
//! after free, or a data race with the deallocation). Nodes never freed are seen by counting
//! the allocations the size of a node ([`CountingAllocator`]) once the epoch collector has
//! freed what it holds, since Miri's leak report is off for this kata (crossbeam-epoch keeps
//! garbage at exit).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::sync::atomic::AtomicUsize;

use checks::linearizable::{History, Model, Outcome};
use checks::threads::spawn_named;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::detect::Detection;
use harness::protocol::FailureKind;
use harness::sync::atomic::{AtomicU64, Ordering};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use treiber_stack::Stack;

/// Counts the allocations each thread makes and frees that may be a node: large enough to
/// hold one [`Item`] (the trace's own records are text, or smaller) and smaller than two (the
/// epoch collector's bags of deferred frees take kilobytes), so that a check can see nodes
/// never freed without Miri: see [`live_allocations`].
struct CountingAllocator;

thread_local! {
    /// Allocations that may be a node that this thread made, less those it freed.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

/// Whether an allocation of `layout` may be a node: one item and its links.
fn may_be_a_node(layout: Layout) -> bool {
    let item = std::mem::size_of::<Item>();
    (item..2 * item).contains(&layout.size()) && layout.align() >= std::mem::align_of::<Item>()
}

// SAFETY: every call is passed to the system allocator unchanged; the count is a thread-local
// `Cell` with a constant initialiser and no destructor, which allocates nothing.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if may_be_a_node(layout) {
            let _ = LIVE.try_with(|live| live.set(live.get() + 1));
        }
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if may_be_a_node(layout) {
            let _ = LIVE.try_with(|live| live.set(live.get() - 1));
        }
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations that may be a node that this thread made and has not freed yet.
fn live_allocations() -> isize {
    LIVE.with(Cell::get)
}

fn main() {
    Checks::new()
        .sequential(
            "a new stack is empty and pop gives None; values come off last in, first out",
            last_in_first_out,
        )
        .sequential(
            "every value is dropped exactly once: by whoever popped it, or with the stack",
            each_value_dropped_once,
        )
        .only(
            "pushes racing pops on an empty stack give the results of a stack taking one call \
             at a time",
            &[Mode::Model],
            empty_explained_by_a_stack,
        )
        .only(
            "two pops racing for the last value give the results of a stack taking one call at \
             a time",
            &[Mode::Model],
            one_left_explained_by_a_stack,
        )
        .only(
            "a pop racing two pops and a push (the ABA window) gives the results of a stack \
             taking one call at a time",
            &[Mode::Model],
            aba_explained_by_a_stack,
        )
        .only(
            "pushes and pops at once give the results of a stack taking one call at a time",
            &[Mode::Explore, Mode::Stress, Mode::Miri],
            explained_by_a_stack,
        )
        .only(
            "values pushed and popped by several threads at once come off exactly once, whole",
            &[Mode::Explore, Mode::Stress, Mode::Miri],
            every_value_once,
        )
        .run();
}

/// What the checks know about the items of one stack, kept outside it: how often each item was
/// dropped.
struct Book {
    /// Whether each item was made (and pushed).
    made: Vec<AtomicUsize>,
    drops: Vec<AtomicUsize>,
}

impl Book {
    /// A book for items `0..items`.
    fn new(items: usize) -> std::sync::Arc<Book> {
        std::sync::Arc::new(Book {
            made: (0..items).map(|_| AtomicUsize::new(0)).collect(),
            drops: (0..items).map(|_| AtomicUsize::new(0)).collect(),
        })
    }

    fn drops(&self, id: usize) -> usize {
        self.drops[id].load(Ordering::SeqCst)
    }

    /// Fails unless item `id` was not dropped yet.
    #[track_caller]
    fn expect_alive(&self, id: usize, context: &str) {
        let drops = self.drops(id);
        assert!(
            drops == 0,
            "{context}: value {id} was dropped ({drops} time(s)) although it is still on the \
             stack: a value must be dropped only by whoever popped it, or with the stack"
        );
    }

    /// Fails unless every item made was dropped exactly once, now that the stack is gone: an
    /// item never dropped is a `leak`.
    #[track_caller]
    fn expect_each_dropped_once(&self, context: &str) {
        for id in 0..self.drops.len() {
            if self.made[id].load(Ordering::SeqCst) == 0 {
                continue;
            }
            match self.drops(id) {
                1 => {}
                0 => std::panic::panic_any(Detection {
                    kind: FailureKind::Leak,
                    message: format!(
                        "{context}: value {id} was never dropped, although the stack was. The \
                         stack's drop must drop every value still on it (and free its node)"
                    ),
                }),
                drops => panic!(
                    "{context}: value {id} was dropped {drops} times, once is right: it came \
                     off the stack more than once (two pops took the same node), or the stack's \
                     drop dropped a value that was popped already"
                ),
            }
        }
    }
}

/// A value the checks push: its number, a stamp made from it on the pushing thread, and the
/// book where its drops are counted.
struct Item {
    id: usize,
    /// Written when the item is made, on the pushing thread; read on the popping one.
    stamp: UnsafeCell<usize>,
    /// Let go by the first drop only, so that an item dropped twice counts twice and lets go
    /// of the book once.
    book: ManuallyDrop<std::sync::Arc<Book>>,
    /// Makes an item larger than anything the trace allocates, so that the allocations that
    /// can hold one are the stack's nodes.
    _bulk: [usize; 48],
}

/// The stamp item `id` carries: not the id itself, so that an item read from the wrong memory
/// does not pass for a whole one by chance.
fn stamp_of(id: usize) -> usize {
    id.wrapping_mul(0x9E37_79B9) ^ 0x5A5A
}

impl Item {
    fn new(id: usize, book: &std::sync::Arc<Book>) -> Item {
        book.made[id].fetch_add(1, Ordering::SeqCst);
        Item {
            id,
            stamp: UnsafeCell::new(stamp_of(id)),
            book: ManuallyDrop::new(std::sync::Arc::clone(book)),
            _bulk: [0; 48],
        }
    }

    /// The item's id, after checking that its stamp is whole.
    #[track_caller]
    fn open(&self, who: &str) -> usize {
        let stamp = self.stamp.with(|stamp| unsafe { *stamp });
        assert_eq!(
            stamp,
            stamp_of(self.id),
            "{who} popped value {} but its contents were not what was pushed: the popping \
             thread read the node before the push that wrote it was visible to it",
            self.id
        );
        self.id
    }
}

// SAFETY: the stamp is written when the item is made and only read afterwards; an item moves
// between threads through the stack, which must order the push before the pop (the model
// checker reports it when it does not).
unsafe impl Send for Item {}

impl Drop for Item {
    fn drop(&mut self) {
        if self.book.drops[self.id].fetch_add(1, Ordering::SeqCst) == 0 {
            // SAFETY: the first drop of this item; a second one does not come here.
            unsafe { ManuallyDrop::drop(&mut self.book) }
        }
    }
}

fn last_in_first_out() {
    let stack = Stack::new();
    assert!(stack.is_empty(), "a new stack should be empty");
    for attempt in 1..=2 {
        assert_eq!(
            stack.pop(),
            None,
            "pop() on a new stack should return None (attempt {attempt})"
        );
    }
    stack.push(1);
    assert!(
        !stack.is_empty(),
        "after push(1) the stack should not be empty"
    );
    assert_eq!(stack.pop(), Some(1), "after push(1), pop() should return 1");
    assert!(
        stack.is_empty(),
        "after push(1) and pop() the stack should be empty again"
    );
    assert_eq!(
        stack.pop(),
        None,
        "pop() on an emptied stack should return None"
    );
    for sizes in [1usize, 2, 5] {
        let mut model = Vec::new();
        for round in 0..3 {
            for i in 0..sizes {
                let value = round * 100 + i;
                stack.push(value);
                model.push(value);
            }
            // Take half off, so that later pushes land on a stack that is not empty.
            for _ in 0..sizes.div_ceil(2) {
                let expected = model.pop();
                assert_eq!(
                    stack.pop(),
                    expected,
                    "after the pushes {model:?} (and pops of the values above), pop() should \
                     return the last value pushed and not yet popped, {expected:?}"
                );
            }
            assert_eq!(
                stack.is_empty(),
                model.is_empty(),
                "is_empty() should be {} with {model:?} on the stack",
                model.is_empty()
            );
        }
        while let Some(expected) = model.pop() {
            assert_eq!(
                stack.pop(),
                Some(expected),
                "with {model:?} below it, pop() should return the top value {expected}"
            );
        }
        assert_eq!(
            stack.pop(),
            None,
            "pop() on an emptied stack should return None"
        );
        assert!(stack.is_empty(), "a stack emptied by pops should be empty");
    }
}

fn each_value_dropped_once() {
    // First fill what the facade and its trace keep for good (the trace's buffer stops growing
    // at its capacity, a few thousand steps; the epoch collector registers this thread at its
    // first pin), with values too small to count. Under Miri nothing is traced.
    if mode() != Mode::Miri {
        let warm_up = Stack::new();
        for value in 0..2500_u64 {
            warm_up.push(value);
        }
        while warm_up.pop().is_some() {}
        drop(warm_up);
    }
    drop(Stack::<Item>::new());
    // The collector registers this thread at its first pin, for good.
    empty_the_epoch_collector();
    // What an empty stack leaves allocated once dropped: a stack dropped with values on it may
    // leave no more.
    let empty_before = live_allocations();
    drop(Stack::<Item>::new());
    empty_the_epoch_collector();
    let empty_leaves = live_allocations() - empty_before;
    // (values pushed, values popped before the stack is dropped). A popped node waits for the
    // epoch collector, which is emptied after each round, so every round counts allocations.
    for (pushed, popped) in [(0, 0), (1, 0), (4, 0), (1, 1), (3, 1), (5, 2), (4, 4)] {
        let book = Book::new(pushed);
        let live_before = live_allocations();
        let stack = Stack::new();
        for id in 0..pushed {
            stack.push(Item::new(id, &book));
        }
        for (n, id) in (0..pushed).rev().take(popped).enumerate() {
            let context = format!("after {pushed} pushes and {n} pops");
            let item = stack.pop().unwrap_or_else(|| {
                panic!("{context}, pop() returned None; it should return value {id}")
            });
            let got = item.open("a pop");
            assert_eq!(
                got, id,
                "{context}, pop() should return value {id}, not {got}"
            );
            book.expect_alive(id, &format!("{context}, the value popped"));
            drop(item);
            assert_eq!(
                book.drops(id),
                1,
                "{context}, value {id} was popped and dropped once, so it should count one drop"
            );
        }
        for id in 0..pushed - popped {
            book.expect_alive(id, &format!("after {pushed} pushes and {popped} pops"));
        }
        drop(stack);
        empty_the_epoch_collector();
        // Every node this thread allocated is freed now: by the stack's drop, or by the
        // collector it was handed to when popped.
        let leaked = live_allocations() - live_before - empty_leaves;
        book.expect_each_dropped_once(&format!(
            "{pushed} values pushed, {popped} popped (and dropped by the check), then the stack \
             dropped"
        ));
        if leaked > 0 {
            std::panic::panic_any(Detection {
                kind: FailureKind::Leak,
                message: format!(
                    "{pushed} values were pushed and {popped} popped, then the stack was \
                     dropped and the epoch collector emptied, but {leaked} more allocations \
                     than an empty stack leaves (nodes) were never freed: the stack's drop must \
                     free every node it still holds (on the stack, or kept for reuse), and a \
                     popped node must be handed to the collector"
                ),
            });
        }
    }
}

/// Runs every free that crossbeam-epoch's collector holds, this thread's and the other
/// threads': each flush hands this thread's deferred frees over and moves the epoch on while
/// no other thread is pinned, and a free runs two epochs after it was deferred. Flushes go on
/// until four in a row free no node (64 at most: under Miri each costs a few milliseconds).
fn empty_the_epoch_collector() {
    let mut live = live_allocations();
    let mut unchanged = 0;
    for _ in 0..64 {
        crossbeam_epoch::pin().flush();
        let now = live_allocations();
        unchanged = if now == live { unchanged + 1 } else { 0 };
        live = now;
        if unchanged == 4 {
            break;
        }
    }
}

/// The stack as one thread sees it, for the linearizability checker.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
struct VecStack(Vec<usize>);

#[derive(Debug, Clone)]
enum StackOp {
    Push(usize),
    Pop,
    IsEmpty,
}

#[derive(Debug, Clone, PartialEq)]
enum StackRet {
    Pushed,
    Popped(Option<usize>),
    Empty(bool),
}

impl Model for VecStack {
    type Op = StackOp;
    type Ret = StackRet;
    fn step(&mut self, op: &StackOp) -> StackRet {
        match op {
            StackOp::Push(value) => {
                self.0.push(*value);
                StackRet::Pushed
            }
            StackOp::Pop => StackRet::Popped(self.0.pop()),
            StackOp::IsEmpty => StackRet::Empty(self.0.is_empty()),
        }
    }
}

/// A stack under check, the book of its items and the history of the calls made on it.
struct Recorded {
    stack: Stack<Item>,
    book: std::sync::Arc<Book>,
    history: History<VecStack>,
    /// Ticked at the start and at the end of every call, so that a call that returned before
    /// another was called happens before it. The history's own order is kept under a lock that
    /// the model checker does not see: without the clock, a load could read an old head after
    /// the call that changed it had returned, an order that only the model checker's weak
    /// memory, not real time, allows.
    clock: AtomicU64,
}

impl Recorded {
    fn new(items: usize) -> Arc<Recorded> {
        Arc::new(Recorded {
            stack: Stack::new(),
            book: Book::new(items),
            history: History::new(),
            clock: AtomicU64::new(0).named("the check's clock"),
        })
    }

    /// `call` on the stack, between two ticks of the clock.
    fn timed<R>(&self, call: impl FnOnce() -> R) -> R {
        self.clock.fetch_add(1, Ordering::AcqRel);
        let ret = call();
        self.clock.fetch_add(1, Ordering::AcqRel);
        ret
    }

    fn push(&self, thread: &str, id: usize) {
        self.history.call(thread, StackOp::Push(id), || {
            // The item is made and opened inside the ticks: the clock orders calls, never a
            // push's writes before an overlapping pop's reads.
            self.timed(|| self.stack.push(Item::new(id, &self.book)));
            StackRet::Pushed
        });
    }

    fn pop(&self, thread: &str) -> Option<usize> {
        let ret = self.history.call(thread, StackOp::Pop, || {
            StackRet::Popped(self.timed(|| self.stack.pop().map(|item| item.open(thread))))
        });
        match ret {
            StackRet::Popped(popped) => popped,
            other => unreachable!("a recorded pop returns Popped, not {other:?}"),
        }
    }

    fn is_empty(&self, thread: &str) {
        self.history.call(thread, StackOp::IsEmpty, || {
            StackRet::Empty(self.timed(|| self.stack.is_empty()))
        });
    }

    fn run(&self, thread: &str, script: &[Step]) {
        for step in script {
            match *step {
                Step::Push(id) => self.push(thread, id),
                Step::Pop => {
                    self.pop(thread);
                }
                Step::IsEmpty => self.is_empty(thread),
            }
        }
    }
}

/// One call of a thread's script.
#[derive(Debug, Clone, Copy)]
enum Step {
    Push(usize),
    Pop,
    IsEmpty,
}

use Step::{IsEmpty, Pop, Push};

/// One round: the values on the stack before the threads start (bottom first), and each
/// thread's calls.
struct Round {
    initial: &'static [usize],
    scripts: &'static [&'static [Step]],
}

/// Pushes racing pops on an empty stack.
const EMPTY: Round = Round {
    initial: &[],
    scripts: &[&[Push(1), Pop], &[Push(2), Pop]],
};

/// Two pops racing for the one value while the stack becomes empty, a push after one of them.
const ONE_LEFT: Round = Round {
    initial: &[0],
    scripts: &[&[Pop, IsEmpty], &[Pop, Push(1)]],
};

/// The ABA window: one thread pops while the other pops both values and pushes again, so the
/// head may be at the same address as before, with another node below it.
const ABA: Round = Round {
    initial: &[0, 1],
    scripts: &[&[Pop], &[Pop, Pop, Push(2)]],
};

/// The rounds of [`explained_by_a_stack`] outside the model checker (which explores each of
/// the three rounds above as a check of its own: it allows few threads per execution), scaled
/// to the mode's engine. Ids are unique within a round, so a value popped twice or lost shows.
fn rounds() -> &'static [Round] {
    match mode() {
        Mode::Miri => &[
            Round {
                initial: &[0],
                scripts: &[&[Pop, Push(1), Pop], &[Push(2), Pop, Pop]],
            },
            Round {
                initial: &[0, 1],
                scripts: &[&[Pop, Push(2), Pop], &[Pop, Pop, Push(3)]],
            },
        ],
        _ => &[
            EMPTY,
            ONE_LEFT,
            ABA,
            Round {
                initial: &[],
                scripts: &[
                    &[Push(1), Pop, Push(2), Pop, IsEmpty],
                    &[Push(3), Pop, Push(4), Pop, IsEmpty],
                    &[Pop, Push(5), Pop, Pop],
                ],
            },
            Round {
                initial: &[0],
                scripts: &[
                    &[Pop, Push(1), Pop, Push(2)],
                    &[Pop, Pop, Push(3), Pop],
                    &[Push(4), Pop, Pop, IsEmpty],
                ],
            },
            Round {
                initial: &[0, 1, 2],
                scripts: &[
                    &[Pop, Pop, Push(3), Pop],
                    &[Pop, Push(4), Pop, Pop],
                    &[Pop, Pop, Pop, Push(5)],
                ],
            },
        ],
    }
}

/// Every round of [`rounds`].
fn explained_by_a_stack() {
    for round in rounds() {
        check_round(round);
    }
}

fn empty_explained_by_a_stack() {
    check_round(&EMPTY);
}

fn one_left_explained_by_a_stack() {
    check_round(&ONE_LEFT);
}

fn aba_explained_by_a_stack() {
    check_round(&ABA);
}

/// Threads push and pop at once, every call recorded; after the joins this thread pops what is
/// left. Some order of the calls, each taking effect at one instant between its call and its
/// return, must give every result on a plain `Vec` (no value lost, none popped twice, the last
/// pushed first); every value must be dropped exactly once.
fn check_round(round: &Round) {
    let ids = round
        .initial
        .iter()
        .copied()
        .chain(round.scripts.iter().flat_map(|script| {
            script.iter().filter_map(|step| match step {
                Push(id) => Some(*id),
                _ => None,
            })
        }))
        .max()
        .map_or(0, |max| max + 1);
    let recorded = Recorded::new(ids);
    for &id in round.initial {
        recorded.push("main", id);
    }
    let handles: Vec<JoinHandle<()>> = round
        .scripts
        .iter()
        .enumerate()
        .map(|(t, script)| {
            let recorded = Arc::clone(&recorded);
            let name = format!("thread {}", t + 1);
            spawn_named(name.clone(), move || recorded.run(&name, script))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    while recorded.pop("main").is_some() {}
    recorded.is_empty("main");
    let calls = recorded.history.operations().len();
    let described = format!(
        "starting from {:?} (bottom first), threads made the calls {:?}, then this thread \
         popped until None",
        round.initial, round.scripts
    );
    match recorded.history.check(VecStack(Vec::new())) {
        Outcome::Linearizable => {}
        Outcome::NotLinearizable(why) => panic!(
            "{described}, but no stack taking one call at a time gives these results (a value \
             lost, popped twice, or out of order): {why}"
        ),
        Outcome::Undecided => panic!(
            "the history of {calls} calls was too long to decide whether a stack explains it: \
             make the check's rounds shorter"
        ),
    }
    // Every thread that held the stack was joined: this drops it.
    let book = std::sync::Arc::clone(&recorded.book);
    drop(recorded);
    book.expect_each_dropped_once(&described);
}

/// Several threads each push their own values and pop as many, so the stack stays near empty
/// and the nodes at its top change hands all the time; after the joins this thread pops what is
/// left. Every value must come off exactly once, whole, and be dropped once.
fn every_value_once() {
    let (threads, per_thread, rounds) = match mode() {
        Mode::Miri => (2, 3, 5),
        Mode::Explore => (3, 6, 2),
        _ => (4, 300, 3),
    };
    for round in 0..rounds {
        let book = Book::new(threads * per_thread);
        let stack = Arc::new(Stack::new());
        let handles: Vec<JoinHandle<Vec<usize>>> = (0..threads)
            .map(|t| {
                let (stack, book) = (Arc::clone(&stack), std::sync::Arc::clone(&book));
                let name = format!("thread {}", t + 1);
                spawn_named(name.clone(), move || {
                    let mut popped = Vec::new();
                    for i in 0..per_thread {
                        stack.push(Item::new(t * per_thread + i, &book));
                        if round % 2 == 1 && i % 3 == 0 {
                            thread::yield_now();
                        }
                        if let Some(item) = stack.pop() {
                            popped.push(item.open(&name));
                        }
                    }
                    popped
                })
            })
            .collect();
        let mut popped: Vec<usize> = Vec::new();
        for handle in handles {
            popped.extend(handle.join().unwrap());
        }
        while let Some(item) = stack.pop() {
            popped.push(item.open("main"));
        }
        popped.sort_unstable();
        let total = threads * per_thread;
        let mut seen = vec![0usize; total];
        for &id in &popped {
            seen[id] += 1;
        }
        let twice: Vec<usize> = (0..total).filter(|&id| seen[id] > 1).collect();
        let never: Vec<usize> = (0..total).filter(|&id| seen[id] == 0).collect();
        assert!(
            twice.is_empty() && never.is_empty(),
            "{threads} threads each pushed {per_thread} values and popped after each push, then \
             this thread popped until None: every value should come off exactly once, but \
             {} came off twice (first: {:?}) and {} never (first: {:?}). An exchange installed a \
             head that was not the node below: a `next` read from a node that was taken off, \
             freed or reused in the meantime, while the head's address looked unchanged (ABA)",
            twice.len(),
            &twice[..twice.len().min(5)],
            never.len(),
            &never[..never.len().min(5)],
        );
        drop(stack);
        book.expect_each_dropped_once(&format!(
            "{threads} threads pushed and popped {per_thread} values each"
        ));
    }
}
