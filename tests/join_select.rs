//! Checks of the `join_select` kata: `join_all` and `select`, futures made of futures.
//!
//! The promises of `join_all`: ready once every child has finished, with the outputs in the
//! order the children were given; a child is never polled after it finished; a child woken
//! (from any thread) leads to the join being woken. It MAY poll children that were not woken
//! (as `futures::join_all` does for small sets): the checks do not count such polls.
//! The promises of `select`: ready as soon as one side is, with that side's output; the other
//! side is dropped unfinished before `select` returns (its output is never computed and thrown
//! away); a finished side is never polled again; a side woken from any thread wakes the select.
//! Either side may win when both are ready at once.
//!
//! Every child is wrapped in a `harness::future::Probe`: a poll after it finished fails the check.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use checks::threads::spawn_named;
use checks::waker::counting_waker;
use harness::check::Checks;
use harness::future::{block_on, Probe, ProbeStats, Signal};
use join_select::{join_all, select, Either};

fn main() {
    Checks::new()
        .sequential(
            "join_all of no futures is ready with no outputs",
            join_nothing,
        )
        .sequential(
            "join_all gives the outputs in the order of its inputs",
            join_keeps_input_order,
        )
        .sequential(
            "join_all never polls a child after it finished",
            join_never_repolls_finished,
        )
        .sequential(
            "join_all is woken when one of its children is woken",
            join_woken_by_child,
        )
        .sequential(
            "select returns the side that is ready and drops the other",
            select_ready_side,
        )
        .sequential(
            "select returns the side that becomes ready first and drops the other",
            select_first_to_finish,
        )
        .sequential(
            "select throws no output away when both sides are ready",
            select_loses_no_output,
        )
        .concurrent(
            "join_all finishes when its children are woken from other threads",
            join_across_threads,
        )
        .concurrent(
            "select finishes when one side is woken from another thread",
            select_across_threads,
        )
        .run();
}

/// Set when the future holding it is dropped (finished or not).
struct DropFlag(std::sync::Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A child named `name` that waits for `signal`, then returns `output`; its flag is set when it
/// is dropped.
fn child(
    name: &str,
    signal: &Signal,
    output: usize,
) -> (
    Probe<impl Future<Output = usize> + Send + 'static>,
    ProbeStats,
    std::sync::Arc<AtomicBool>,
) {
    let dropped = std::sync::Arc::new(AtomicBool::new(false));
    let flag = DropFlag(std::sync::Arc::clone(&dropped));
    let wait = signal.wait();
    let (probe, stats) = Probe::new(name, async move {
        let _flag = flag;
        wait.await;
        output
    });
    (probe, stats, dropped)
}

fn join_nothing() {
    let outputs: Vec<u32> = block_on(join_all(Vec::<std::future::Ready<u32>>::new()));
    assert!(
        outputs.is_empty(),
        "join_all of no futures returned {outputs:?}"
    );
}

fn join_keeps_input_order() {
    let signals: Vec<Signal> = (0..3).map(|_| Signal::new()).collect();
    let (children, _stats): (Vec<_>, Vec<_>) = signals
        .iter()
        .enumerate()
        .map(|(n, signal)| {
            let (probe, stats, _) = child(&format!("child {n}"), signal, n * 10);
            (probe, stats)
        })
        .unzip();
    let mut join = pin!(join_all(children));
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(
        join.as_mut().poll(&mut cx).is_pending(),
        "join_all was ready although no child had finished"
    );
    // The children finish last to first.
    for n in [2, 1] {
        signals[n].fire();
        assert!(
            join.as_mut().poll(&mut cx).is_pending(),
            "join_all was ready although child 0 had not finished"
        );
    }
    signals[0].fire();
    assert_eq!(
        join.as_mut().poll(&mut cx),
        Poll::Ready(vec![0, 10, 20]),
        "children 0, 1, 2 return 0, 10, 20 and finish in the order 2, 1, 0: join_all must give \
         the outputs in the order of its inputs"
    );
}

fn join_never_repolls_finished() {
    let (ready, ready_stats, _) = child("child 0", &fired(), 1);
    let later = Signal::new();
    let (waiting, waiting_stats, _) = child("child 1", &later, 2);
    let mut join = pin!(join_all(vec![ready, waiting]));
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(
        join.as_mut().poll(&mut cx).is_pending(),
        "join_all was ready although child 1 waits"
    );
    assert!(
        ready_stats.finished(),
        "child 0 was ready at once, but join_all's first poll did not run it to the end"
    );
    later.fire();
    // A poll of child 0 now fails the check: it finished at the first poll.
    assert_eq!(
        join.as_mut().poll(&mut cx),
        Poll::Ready(vec![1, 2]),
        "both children finished, but join_all did not return [1, 2]"
    );
    assert_eq!(
        ready_stats.polls(),
        1,
        "child 0 finished at its first poll, yet it was polled {} times",
        ready_stats.polls()
    );
    assert!(
        waiting_stats.finished(),
        "join_all returned, but child 1 never finished"
    );
}

/// A signal that has fired already.
fn fired() -> Signal {
    let signal = Signal::new();
    signal.fire();
    signal
}

fn join_woken_by_child() {
    let first = Signal::new();
    let second = Signal::new();
    let (a, _, _) = child("child 0", &first, 1);
    let (b, _, _) = child("child 1", &second, 2);
    let mut join = pin!(join_all(vec![a, b]));
    let (waker, counter) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(
        join.as_mut().poll(&mut cx).is_pending(),
        "join_all was ready although no child had finished"
    );
    second.fire();
    assert!(
        counter.wakes() > 0,
        "join_all returned Pending, then child 1's event came and child 1 was woken, but \
         join_all's own waker was never woken: the executor would never poll the join again"
    );
    assert!(
        join.as_mut().poll(&mut cx).is_pending(),
        "join_all was ready although child 0 waits"
    );
    let before = counter.wakes();
    first.fire();
    assert!(
        counter.wakes() > before,
        "child 0 was woken, but join_all's waker was not: the executor would never poll the \
         join again"
    );
    assert_eq!(
        join.as_mut().poll(&mut cx),
        Poll::Ready(vec![1, 2]),
        "both children finished, but join_all did not return [1, 2]"
    );
}

fn select_ready_side() {
    let never = Signal::new();
    let (left, left_stats, left_dropped) = child("left", &never, 1);
    let (right, right_stats, _) = child("right", &fired(), 2);
    let mut race = pin!(select(left, right));
    let (waker, _) = counting_waker();
    assert_eq!(
        race.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Ready(Either::Right(2)),
        "the right side was ready at once and the left never is: select must return Right(2)"
    );
    assert!(
        right_stats.finished(),
        "select returned Right, but the right side never finished"
    );
    assert!(
        !left_stats.finished(),
        "the left side can never finish, yet it did"
    );
    assert!(
        left_dropped.load(Ordering::SeqCst),
        "select returned Right(2), but the left side (the loser) was not dropped: whatever it \
         holds stays held until the Select itself is dropped"
    );
}

fn select_first_to_finish() {
    for winner in ["left", "right"] {
        let (left_signal, right_signal) = (Signal::new(), Signal::new());
        let (left, _, left_dropped) = child("left", &left_signal, 1);
        let (right, _, right_dropped) = child("right", &right_signal, 2);
        let mut race = pin!(select(left, right));
        let (waker, counter) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(
            race.as_mut().poll(&mut cx).is_pending(),
            "select was ready although neither side was"
        );
        let (expected, loser_dropped) = if winner == "left" {
            left_signal.fire();
            (Either::Left(1), &right_dropped)
        } else {
            right_signal.fire();
            (Either::Right(2), &left_dropped)
        };
        assert!(
            counter.wakes() > 0,
            "select returned Pending, then the {winner} side's event came, but select's waker \
             was never woken"
        );
        assert_eq!(
            race.as_mut().poll(&mut cx),
            Poll::Ready(expected),
            "the {winner} side became ready first: select must return {expected:?}"
        );
        assert!(
            loser_dropped.load(Ordering::SeqCst),
            "select returned {expected:?}, but the loser was not dropped: whatever it holds stays \
             held until the Select itself is dropped"
        );
    }
}

fn select_loses_no_output() {
    let (left, left_stats, _) = child("left", &fired(), 1);
    let (right, right_stats, _) = child("right", &fired(), 2);
    let outcome = block_on(select(left, right));
    let (loser, loser_stats) = match outcome {
        Either::Left(1) => ("right", &right_stats),
        Either::Right(2) => ("left", &left_stats),
        other => panic!("both sides were ready, with 1 and 2, but select returned {other:?}"),
    };
    assert!(
        !loser_stats.finished(),
        "both sides were ready; select returned {outcome:?}, but it had run the {loser} side to \
         the end as well and thrown its output away (a message read, a value received, lost)"
    );
}

fn join_across_threads() {
    let signals: Vec<Signal> = (0..2).map(|_| Signal::new()).collect();
    let (children, stats): (Vec<_>, Vec<_>) = signals
        .iter()
        .enumerate()
        .map(|(n, signal)| {
            let (probe, stats, _) = child(&format!("child {n}"), signal, n);
            (probe, stats)
        })
        .unzip();
    let threads: Vec<_> = signals
        .into_iter()
        .enumerate()
        .map(|(n, signal)| spawn_named(format!("I/O {n}"), move || signal.fire()))
        .collect();
    let outputs = block_on(join_all(children));
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(
        outputs,
        vec![0, 1],
        "children return 0 and 1, but join_all returned {outputs:?}"
    );
    assert!(
        stats.iter().all(ProbeStats::finished),
        "join_all returned before every child finished"
    );
}

fn select_across_threads() {
    let (left_signal, never) = (Signal::new(), Signal::new());
    let (left, _, _) = child("left", &left_signal, 1);
    let (right, _, right_dropped) = child("right", &never, 2);
    let io = spawn_named("I/O", move || left_signal.fire());
    let outcome = block_on(select(left, right));
    io.join().unwrap();
    assert_eq!(
        outcome,
        Either::Left(1),
        "only the left side can finish, but select returned {outcome:?}"
    );
    assert!(
        right_dropped.load(Ordering::SeqCst),
        "select returned, but the loser was not dropped"
    );
}
