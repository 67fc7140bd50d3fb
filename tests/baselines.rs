//! Well-known crates that do a kata's job, for benchmarks to compare the kata's code with
//! (`tests/benches/<kata>.rs`). They are dependencies of this crate, so every variant of every
//! kata can use them as `checks::baselines::<crate>`.
//!
//! ```
//! use checks::baselines::threadpool::ThreadPool;
//!
//! let pool = ThreadPool::new(2);
//! let (done, finished) = std::sync::mpsc::channel();
//! pool.execute(move || done.send(6 * 7).unwrap());
//! assert_eq!(finished.recv().unwrap(), 42);
//! pool.join();
//! ```

/// The `threadpool` crate: a fixed set of worker threads fed by a channel, the classic design
/// of the `thread_pool` kata.
pub use threadpool;
