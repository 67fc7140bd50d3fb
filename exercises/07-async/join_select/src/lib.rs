//! `join_all` and `select` by hand: futures made of futures.
//!
//! Read the lesson first: `cargo xtask lesson join_select`.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

// Useful here: `Pin<Box<F>>` (`Box::pin`) to poll a child that is not `Unpin`, and
// `std::mem::replace` / `Option::take` to move things out of `self`.

/// The winner of a [`select`]: the output of the first future (`Left`) or of the second
/// (`Right`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Either<L, R> {
    /// The first future finished first.
    Left(L),
    /// The second future finished first.
    Right(R),
}

/// The future of [`join_all`].
pub struct JoinAll<F: Future> {
    // TODO: the children, each still running or done with its output.
    _children: PhantomData<F>,
}

/// The future of [`select`].
pub struct Select<A, B> {
    // TODO: both futures, while the race is on.
    _sides: PhantomData<(A, B)>,
}

/// A future that runs every future of `futures` (all of them on the task that polls it) and is
/// ready once all have finished, with their outputs **in the order of `futures`**. A child is
/// never polled again after it finished.
pub fn join_all<F: Future>(futures: Vec<F>) -> JoinAll<F> {
    // TODO
    drop(futures);
    todo!("join_all")
}

/// A future that runs `a` and `b` and is ready as soon as one of them is, with its output; the
/// other one (the loser) is dropped, unfinished, before `select` returns `Ready`.
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    // TODO
    drop((a, b));
    todo!("select")
}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // TODO: poll the children that have not finished (with a waker that reaches this task),
        // keep the outputs of those that finish, and be ready once all are done.
        let _ = cx;
        todo!("JoinAll::poll")
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // TODO: poll the sides; the first that is ready wins, and the other is dropped.
        let _ = cx;
        todo!("Select::poll")
    }
}
