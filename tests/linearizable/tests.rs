//! The search tried on histories made to be linearizable, and on ones made not to be.

use std::collections::VecDeque;

use proptest::prelude::*;

use super::*;

/// A FIFO queue of small numbers.
#[derive(Clone, PartialEq, Eq, Hash, Default, Debug)]
struct Queue(VecDeque<u8>);

#[derive(Debug, Clone)]
enum QueueOp {
    Push(u8),
    Pop,
}

impl Model for Queue {
    type Op = QueueOp;
    type Ret = Option<u8>;
    fn step(&mut self, op: &QueueOp) -> Option<u8> {
        match op {
            QueueOp::Push(value) => {
                self.0.push_back(*value);
                None
            }
            QueueOp::Pop => self.0.pop_front(),
        }
    }
}

/// A counter whose increment returns the value before.
#[derive(Clone, PartialEq, Eq, Hash, Default, Debug)]
struct Counter(u64);

impl Model for Counter {
    type Op = &'static str;
    type Ret = u64;
    fn step(&mut self, _: &&'static str) -> u64 {
        self.0 += 1;
        self.0 - 1
    }
}

fn op<M: Model>(
    thread: &str,
    op: M::Op,
    ret: Option<M::Ret>,
    called: usize,
    returned: Option<usize>,
) -> Operation<M> {
    Operation {
        thread: thread.into(),
        op,
        ret,
        called,
        returned,
    }
}

/// A history made by running threads' operations one atomic step each, between a call and a
/// return placed at random around it: linearizable by construction.
fn linearizable_history() -> impl Strategy<Value = Vec<Operation<Queue>>> {
    let thread_ops = prop::collection::vec(
        prop_oneof![(0u8..50).prop_map(QueueOp::Push), Just(QueueOp::Pop)],
        1..5,
    );
    (prop::collection::vec(thread_ops, 2..5), any::<u64>())
        .prop_map(|(threads, seed)| simulate(Queue::default(), &threads, seed))
}

proptest! {
    #[test]
    fn histories_made_one_step_at_a_time_are_linearizable(history in linearizable_history()) {
        let outcome = check(&Queue::default(), &history, STEP_BUDGET);
        prop_assert!(matches!(outcome, Outcome::Linearizable), "{outcome:?}");
    }

    #[test]
    fn a_result_no_push_made_is_not_linearizable(
        history in linearizable_history(),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut history = history;
        let pops: Vec<usize> = (0..history.len())
            .filter(|&i| matches!(history[i].op, QueueOp::Pop))
            .collect();
        prop_assume!(!pops.is_empty());
        let changed = pops[pick.index(pops.len())];
        history[changed].ret = Some(Some(200)); // only 0..50 are pushed
        let outcome = check(&Queue::default(), &history, STEP_BUDGET);
        prop_assert!(matches!(outcome, Outcome::NotLinearizable(_)), "{outcome:?}");
    }

    #[test]
    fn an_operation_that_never_returned_may_have_happened_or_not(
        history in linearizable_history(),
        pick in any::<prop::sample::Index>(),
    ) {
        // A thread stops inside its last call (blocked, or panicked): whether others saw its
        // effect or not, the history stays explainable.
        let mut history = history;
        let lasts: Vec<usize> = (0..history.len())
            .filter(|&i| {
                let thread = &history[i].thread;
                history.iter().all(|o| o.thread != *thread || o.called <= history[i].called)
            })
            .collect();
        let stopped = lasts[pick.index(lasts.len())];
        history[stopped].ret = None;
        history[stopped].returned = None;
        let outcome = check(&Queue::default(), &history, STEP_BUDGET);
        prop_assert!(matches!(outcome, Outcome::Linearizable), "{outcome:?}");
    }
}

#[test]
fn overlapping_calls_may_take_effect_in_either_order() {
    // thread 1's push(1) and thread 2's push(2) overlap; a later pop sees 2 first.
    let history = vec![
        op::<Queue>("thread 1", QueueOp::Push(1), Some(None), 1, Some(3)),
        op("thread 2", QueueOp::Push(2), Some(None), 2, Some(4)),
        op("thread 1", QueueOp::Pop, Some(Some(2)), 5, Some(6)),
    ];
    assert!(matches!(
        check(&Queue::default(), &history, STEP_BUDGET),
        Outcome::Linearizable
    ));
}

#[test]
fn real_time_order_is_kept() {
    // push(1) returned before push(2) was called, so a pop cannot see 2 first.
    let history = vec![
        op::<Queue>("thread 1", QueueOp::Push(1), Some(None), 1, Some(2)),
        op("thread 2", QueueOp::Push(2), Some(None), 3, Some(4)),
        op("thread 3", QueueOp::Pop, Some(Some(2)), 5, Some(6)),
    ];
    let Outcome::NotLinearizable(text) = check(&Queue::default(), &history, STEP_BUDGET) else {
        panic!("a pop saw 2 before 1");
    };
    assert!(
        text.contains("the first result none explains is `thread 3`'s `Pop → Some(2)`"),
        "{text}"
    );
    // The table: one column per thread, each operation from ┌ to └.
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows[0].split_whitespace().count(), 6, "{text}");
    assert!(rows[1].trim_start().starts_with("┌ Push(1)"), "{text}");
    assert!(rows[2].trim_start().starts_with("└ → None"), "{text}");
    assert_eq!(rows.len(), 7, "{text}");
}

#[test]
fn the_explanation_ends_at_the_first_result_no_order_explains() {
    // thread 1 pushes 1, 2, 3; thread 2 pops 1 then, wrongly, 1 again.
    let mut history = Vec::new();
    for (i, value) in [1, 2, 3].into_iter().enumerate() {
        let t = 2 * i + 1;
        history.push(op::<Queue>(
            "thread 1",
            QueueOp::Push(value),
            Some(None),
            t,
            Some(t + 1),
        ));
    }
    history.push(op("thread 2", QueueOp::Pop, Some(Some(1)), 10, Some(11)));
    history.push(op("thread 2", QueueOp::Pop, Some(Some(1)), 12, Some(13)));
    history.push(op("thread 2", QueueOp::Pop, Some(Some(3)), 14, Some(15)));
    let Outcome::NotLinearizable(text) = check(&Queue::default(), &history, STEP_BUDGET) else {
        panic!("1 was popped twice");
    };
    // The history is shown up to the second pop, the first result no order explains.
    assert!(!text.contains("Some(3)"), "{text}");
    assert!(text.contains("Push(3)"), "{text}");
    assert!(
        text.contains("the first result none explains is `thread 2`'s `Pop → Some(1)`"),
        "{text}"
    );
}

#[test]
fn many_overlapping_calls_are_decided_within_the_budget() {
    // Six threads, six increments each; every call lasts long enough to overlap the calls of
    // every other thread made around it, so a search without the memo would try orders by
    // the factorial. Each takes effect at the middle of its call.
    let (threads, each) = (6, 6);
    let mut history: Vec<Operation<Counter>> = Vec::new();
    for t in 0..threads {
        for k in 0..each {
            let called = k * 100 + t * 15;
            history.push(op(
                &format!("thread {t}"),
                "fetch_add",
                None,
                called,
                Some(called + 95),
            ));
        }
    }
    let mut by_effect: Vec<usize> = (0..history.len()).collect();
    by_effect.sort_by_key(|&i| history[i].called + history[i].returned.unwrap());
    for (value, &i) in by_effect.iter().enumerate() {
        history[i].ret = Some(value as u64);
    }
    let outcome = check(&Counter::default(), &history, STEP_BUDGET);
    assert!(matches!(outcome, Outcome::Linearizable), "{outcome:?}");

    // Two calls that got the same value: no order gives both, and the search must prove it.
    history[by_effect[20]].ret = history[by_effect[19]].ret;
    let outcome = check(&Counter::default(), &history, STEP_BUDGET);
    assert!(
        matches!(outcome, Outcome::NotLinearizable(_)),
        "{outcome:?}"
    );
}

#[test]
fn recording_orders_calls_and_returns() {
    let history: History<Counter> = History::new();
    assert_eq!(history.call("a", "fetch_add", || 0), 0);
    history.call("b", "fetch_add", || 1);
    let operations = history.operations();
    assert_eq!(
        operations
            .iter()
            .map(|o| (o.called, o.returned))
            .collect::<Vec<_>>(),
        vec![(1, Some(2)), (3, Some(4))]
    );
    assert!(matches!(
        history.check(Counter::default()),
        Outcome::Linearizable
    ));
}
