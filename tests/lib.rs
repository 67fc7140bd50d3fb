//! The authoritative checks of every kata, one test target each (`tests/<kata>.rs`).
//!
//! `cargo xtask` builds each target against a variant of the kata (the learner's file, the
//! reference solution, a mutant, a submission) in a scratch crate, once per backend, and runs
//! every check in its own process. In this workspace the targets build against the learner's
//! starting code, which keeps them linted and visible to rust-analyzer.

pub mod allocations;
pub mod baselines;
pub mod bench;
pub mod exclusion;
pub mod linearizable;
pub mod property;
pub mod redis_server;
pub mod refusal;
pub mod rwlock;
pub mod starting_line;
pub mod threads;
pub mod together;
pub mod validators;
pub mod waker;
