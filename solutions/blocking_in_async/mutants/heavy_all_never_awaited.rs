//! Mutant: `heavy_all` starts every step with `spawn_blocking` and lets each write its answer into a shared slot, but never awaits the `JoinHandle`s: it returns before the steps have finished, and their answers are lost.
//! Expect: wrong-result

use std::sync::Arc;

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

use tokio::task::JoinHandle;

/// The blocking step of a heavy request.
type Step = Arc<dyn Fn(&[u8]) -> u64 + Send + Sync>;

/// A CPU-heavy step: `rounds` rounds of a 64-bit FNV-1a hash over `data`. Blocks its thread for
/// as long as it computes (about a millisecond per megabyte-round).
pub fn digest(data: &[u8], rounds: u32) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for _ in 0..rounds {
        for &byte in data {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// An async server. Light requests are answered at once; a heavy request needs the server's
/// blocking step (CPU-heavy work, a synchronous file read, a blocking library call), which must
/// never run on the runtime's own threads. Cheap to clone; clones share the step.
#[derive(Clone)]
pub struct Server {
    step: Step,
}

impl Server {
    /// A server whose heavy requests run `step`, a blocking function of the request's input.
    pub fn new(step: impl Fn(&[u8]) -> u64 + Send + Sync + 'static) -> Self {
        Server {
            step: Arc::new(step),
        }
    }

    /// A light request: answers `n + 1`, after letting other tasks run once.
    pub async fn light(&self, n: u64) -> u64 {
        tokio::task::yield_now().await;
        n + 1
    }

    /// A heavy request: the step's answer for `input`. The step runs off the runtime's threads,
    /// so every other task keeps running while it works. Works on any tokio runtime.
    ///
    /// # Panics
    ///
    /// If the step panics: with the step's own panic.
    pub async fn heavy(&self, input: Vec<u8>) -> u64 {
        answer(self.start(input).await)
    }

    /// Many heavy requests at once: every step starts before the first one is awaited, so they
    /// run at the same time (tokio's blocking pool has a thread for each). The answers come
    /// back in the order of `inputs`.
    ///
    /// # Panics
    ///
    /// If a step panics: with the step's own panic.
    pub async fn heavy_all(&self, inputs: Vec<Vec<u8>>) -> Vec<u64> {
        let answers = Arc::new(std::sync::Mutex::new(vec![0; inputs.len()]));
        for (k, input) in inputs.into_iter().enumerate() {
            let step = Arc::clone(&self.step);
            let answers = Arc::clone(&answers);
            // Fire and forget: the step fills in its own slot.
            let _ = tokio::task::spawn_blocking(move || {
                let answer = step(&input);
                answers.lock().unwrap()[k] = answer;
            });
        }
        let answers = answers.lock().unwrap().clone();
        answers
    }

    /// Starts the step on `input` on tokio's blocking pool.
    fn start(&self, input: Vec<u8>) -> JoinHandle<u64> {
        let step = Arc::clone(&self.step);
        tokio::task::spawn_blocking(move || step(&input))
    }
}

/// The answer of a finished step, or its panic, resumed.
fn answer(joined: Result<u64, tokio::task::JoinError>) -> u64 {
    match joined {
        Ok(answer) => answer,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("a heavy request's step never finished: {error}"),
        },
    }
}
