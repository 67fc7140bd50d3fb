//! The benchmark of `blocking_in_async`: how long light requests wait while heavy ones run.
//!
//! On a multi-thread runtime with 2 workers, `load` heavy requests (each hashes 1 MiB four
//! times, a few milliseconds of CPU) are started, then 10 light requests arrive, each as a task
//! of its own, like new connections. The time reported is how long the 10 light requests took
//! to be answered (the heavy ones are awaited afterwards, untimed). "blocking in async" runs the
//! hash right inside the heavy request's task, as the mistake does; "spawn_blocking" calls the
//! kata's `Server::heavy`.

use std::time::{Duration, Instant};

use blocking_in_async::tokio;
use blocking_in_async::{digest, Server};
use checks::bench::Bench;

const ROUNDS: u32 = 4;
const LIGHT: u64 = 10;

fn document() -> Vec<u8> {
    (0..1 << 20).map(|i: u32| (i % 251) as u8).collect()
}

fn light_latency(load: usize, block_in_the_task: bool) -> Duration {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a runtime");
    let server = Server::new(|data| digest(data, ROUNDS));
    runtime.block_on(async {
        let heavies: Vec<_> = (0..load)
            .map(|_| {
                let server = server.clone();
                let input = document();
                tokio::spawn(async move {
                    if block_in_the_task {
                        digest(&input, ROUNDS)
                    } else {
                        server.heavy(input).await
                    }
                })
            })
            .collect();
        let start = Instant::now();
        let lights: Vec<_> = (0..LIGHT)
            .map(|n| {
                let server = server.clone();
                tokio::spawn(async move { server.light(n).await })
            })
            .collect();
        for light in lights {
            std::hint::black_box(light.await.expect("a light request"));
        }
        let waited = start.elapsed();
        for heavy in heavies {
            std::hint::black_box(heavy.await.expect("a heavy request"));
        }
        waited
    })
}

fn blocking_in_async(load: usize) -> Duration {
    light_latency(load, true)
}

fn spawn_blocking(load: usize) -> Duration {
    light_latency(load, false)
}

fn main() {
    Bench::new(
        "time until 10 light requests are answered while <load> heavy requests (a few ms of \
         hashing each) run, on a runtime with 2 workers",
    )
    .loads(&[2, 8, 32])
    .approach_timed("blocking in async", None, blocking_in_async)
    .approach_timed("spawn_blocking", None, spawn_blocking)
    .run();
}
