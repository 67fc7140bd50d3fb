//! Mutant: join_all keeps every child and polls all of them at every poll, finished or not, keeping the last output: a future polled again after it returned Ready may panic, return garbage, or redo its work.
//! Expect: wrong-result

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

struct Child<F: Future> {
    future: Pin<Box<F>>,
    output: Option<F::Output>,
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
            .map(|future| Child {
                future: Box::pin(future),
                output: None,
            })
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
            match child.future.as_mut().poll(cx) {
                Poll::Ready(output) => child.output = Some(output),
                Poll::Pending => {
                    if child.output.is_none() {
                        all_done = false;
                    }
                }
            }
        }
        if !all_done {
            return Poll::Pending;
        }
        let outputs = this
            .children
            .iter_mut()
            .map(|child| child.output.take().expect("every child is done"))
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
