//! `join_all` and `select` by hand. `join_all` polls every unfinished child each time it is
//! polled, with the task's own waker (simple, and what `futures::join_all` does for small sets):
//! a child that was not woken may be polled, but a finished child never is.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
    /// The output was handed out: the `JoinAll` has completed.
    Taken,
}

/// The future of [`join_all`].
pub struct JoinAll<F: Future> {
    children: Vec<Child<F>>,
}

// The children are pinned in their boxes and the outputs are never pinned: moving a `JoinAll`
// moves neither.
impl<F: Future> Unpin for JoinAll<F> {}

/// Both sides of a [`select`] race, each pinned in its box.
type Sides<A, B> = (Pin<Box<A>>, Pin<Box<B>>);

/// The future of [`select`].
pub struct Select<A, B> {
    /// Both sides while the race is on; `None` once it is decided.
    sides: Option<Sides<A, B>>,
}

/// A future that runs every future of `futures` (all of them on the task that polls it) and is
/// ready once all have finished, with their outputs **in the order of `futures`**. A child is
/// never polled again after it finished.
pub fn join_all<F: Future>(futures: Vec<F>) -> JoinAll<F> {
    JoinAll {
        children: futures
            .into_iter()
            .map(|future| Child::Running(Box::pin(future)))
            .collect(),
    }
}

/// A future that runs `a` and `b` and is ready as soon as one of them is, with its output; the
/// other one (the loser) is dropped, unfinished, before `select` returns `Ready`.
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select {
        sides: Some((Box::pin(a), Box::pin(b))),
    }
}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `JoinAll` is `Unpin`: the children are pinned in their boxes.
        let this = self.get_mut();
        let mut all_done = true;
        for child in &mut this.children {
            match child {
                Child::Running(future) => match future.as_mut().poll(cx) {
                    Poll::Ready(output) => *child = Child::Done(output),
                    Poll::Pending => all_done = false,
                },
                Child::Done(_) => {}
                Child::Taken => panic!("join_all polled after it completed"),
            }
        }
        if !all_done {
            return Poll::Pending;
        }
        let outputs = this
            .children
            .iter_mut()
            .map(|child| match std::mem::replace(child, Child::Taken) {
                Child::Done(output) => output,
                _ => unreachable!("every child is done"),
            })
            .collect();
        Poll::Ready(outputs)
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (a, b) = this
            .sides
            .as_mut()
            .expect("select polled after it completed");
        let outcome = if let Poll::Ready(output) = a.as_mut().poll(cx) {
            Either::Left(output)
        } else if let Poll::Ready(output) = b.as_mut().poll(cx) {
            Either::Right(output)
        } else {
            return Poll::Pending;
        };
        // The race is decided: the loser is dropped now, unfinished.
        this.sides = None;
        Poll::Ready(outcome)
    }
}
