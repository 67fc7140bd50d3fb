//! Mutant: join_all reads which children were woken, polls them, and only then leaves the task's waker where the child wakers find it: a child woken from another thread in between marks itself woken but finds no task waker to wake, and the join sleeps forever (a lost wakeup).
//! Expect: deadlock

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

use harness::sync::{Arc, Mutex};

/// The winner of a [`select`]: the output of the first future (`Left`) or of the second
/// (`Right`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Either<L, R> {
    /// The first future finished first.
    Left(L),
    /// The second future finished first.
    Right(R),
}

enum Child<F: Future> {
    Running(Pin<Box<F>>),
    Done(F::Output),
}

/// Which children were woken since their last poll, and the task's waker, under one lock.
struct Woken {
    children: Vec<bool>,
    task: Option<Waker>,
}

/// The waker one child is polled with.
struct ChildWaker {
    index: usize,
    woken: Arc<Mutex<Woken>>,
}

impl Wake for ChildWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let task = {
            let mut woken = self.woken.lock().unwrap();
            woken.children[self.index] = true;
            woken.task.clone()
        };
        if let Some(task) = task {
            task.wake();
        }
    }
}

/// The future of [`join_all`].
pub struct JoinAll<F: Future> {
    children: Vec<Child<F>>,
    wakers: Vec<Waker>,
    woken: Arc<Mutex<Woken>>,
    running: usize,
    completed: bool,
}

// The children are pinned in their boxes and the outputs are never pinned: moving a `JoinAll`
// moves neither.
impl<F: Future> Unpin for JoinAll<F> {}

/// Both sides of a [`select`] race, each pinned in its box.
type Sides<A, B> = (Pin<Box<A>>, Pin<Box<B>>);

/// The future of [`select`].
pub struct Select<A, B> {
    sides: Option<Sides<A, B>>,
    /// Which side goes first at the next poll.
    right_first: bool,
}

/// A future that runs every future of `futures` and is ready once all have finished, with their
/// outputs in the order of `futures`.
pub fn join_all<F: Future>(futures: Vec<F>) -> JoinAll<F> {
    let count = futures.len();
    let woken = Arc::new(
        Mutex::new(Woken {
            // Every child is polled once to start.
            children: vec![true; count],
            task: None,
        })
        .named("woken children"),
    );
    let wakers = (0..count)
        .map(|index| {
            Waker::from(std::sync::Arc::new(ChildWaker {
                index,
                woken: Arc::clone(&woken),
            }))
        })
        .collect();
    JoinAll {
        children: futures
            .into_iter()
            .map(|future| Child::Running(Box::pin(future)))
            .collect(),
        wakers,
        woken,
        running: count,
        completed: false,
    }
}

/// A future that runs `a` and `b` and is ready as soon as one of them is; the loser is dropped.
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select {
        sides: Some((Box::pin(a), Box::pin(b))),
        right_first: false,
    }
}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.completed, "join_all polled after it completed");
        let woken: Vec<usize> = {
            let mut woken = this.woken.lock().unwrap();
            let marked = woken
                .children
                .iter()
                .enumerate()
                .filter(|(_, &marked)| marked)
                .map(|(index, _)| index)
                .collect();
            woken.children.iter_mut().for_each(|marked| *marked = false);
            marked
        };
        for index in woken {
            if let Child::Running(future) = &mut this.children[index] {
                let mut child_cx = Context::from_waker(&this.wakers[index]);
                if let Poll::Ready(output) = future.as_mut().poll(&mut child_cx) {
                    this.children[index] = Child::Done(output);
                    this.running -= 1;
                }
            }
        }
        if this.running > 0 {
            // Leave the task's waker for the children that are still running.
            let mut woken = this.woken.lock().unwrap();
            if !woken.task.as_ref().is_some_and(|t| t.will_wake(cx.waker())) {
                woken.task = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
        this.completed = true;
        let outputs = std::mem::take(&mut this.children)
            .into_iter()
            .map(|child| match child {
                Child::Done(output) => output,
                Child::Running(_) => unreachable!("every child is done"),
            })
            .collect();
        Poll::Ready(outputs)
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let right_first = this.right_first;
        this.right_first = !right_first;
        let (a, b) = this
            .sides
            .as_mut()
            .expect("select polled after it completed");
        let mut poll_left = |cx: &mut Context<'_>| a.as_mut().poll(cx).map(Either::Left);
        let mut poll_right = |cx: &mut Context<'_>| b.as_mut().poll(cx).map(Either::Right);
        let outcome = if right_first {
            match poll_right(cx) {
                Poll::Ready(outcome) => outcome,
                Poll::Pending => match poll_left(cx) {
                    Poll::Ready(outcome) => outcome,
                    Poll::Pending => return Poll::Pending,
                },
            }
        } else {
            match poll_left(cx) {
                Poll::Ready(outcome) => outcome,
                Poll::Pending => match poll_right(cx) {
                    Poll::Ready(outcome) => outcome,
                    Poll::Pending => return Poll::Pending,
                },
            }
        };
        this.sides = None;
        Poll::Ready(outcome)
    }
}
