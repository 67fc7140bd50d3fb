//! The benchmark of `model_choice`: the notes' decision table, measured.
//!
//! Two workloads, each with its own loads (so each group's speedups are against its own
//! `sequential`): counting the primes below N (CPU-bound; load = N) and N requests that each
//! wait 1 ms on a slow server (I/O-bound; load = N). Workers: one per core for the CPU-bound
//! approaches; for the I/O-bound ones, one thread per request, a pool of 8, one process per
//! core, one task per request.

use std::time::Duration;

use checks::bench::Bench;
use model_choice::{sequential, with_async, with_pool, with_processes, with_threads};
use model_choice_support::{tokio, Workload};

const CPU_LOADS: &[usize] = &[300_000, 3_000_000];
const IO_LOADS: &[usize] = &[100, 1_000];
const LATENCY: Duration = Duration::from_millis(1);
const CPU_CHUNK: u64 = 10_000;
const IO_POOL: usize = 8;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn items(load: usize) -> std::ops::Range<u64> {
    0..load as u64
}

fn answer(n: u64) {
    std::hint::black_box(n);
}

fn cpu_sequential(load: usize) {
    answer(sequential(items(load), &Workload::primes()));
}

fn cpu_threads(load: usize) {
    answer(with_threads(items(load), cores(), &Workload::primes()));
}

fn cpu_pool(load: usize) {
    answer(with_pool(
        items(load),
        cores(),
        CPU_CHUNK,
        &Workload::primes(),
    ));
}

fn cpu_processes(load: usize) {
    answer(with_processes(items(load), cores(), &Workload::primes()));
}

fn cpu_async(load: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    answer(runtime.block_on(with_async(items(load), CPU_CHUNK, &Workload::primes())));
}

fn cpu_async_one_thread(load: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    answer(runtime.block_on(with_async(items(load), CPU_CHUNK, &Workload::primes())));
}

fn io_sequential(load: usize) {
    answer(sequential(items(load), &Workload::requests(LATENCY)));
}

fn io_threads(load: usize) {
    answer(with_threads(
        items(load),
        load,
        &Workload::requests(LATENCY),
    ));
}

fn io_pool(load: usize) {
    answer(with_pool(
        items(load),
        IO_POOL,
        1,
        &Workload::requests(LATENCY),
    ));
}

fn io_processes(load: usize) {
    answer(with_processes(
        items(load),
        cores(),
        &Workload::requests(LATENCY),
    ));
}

fn io_async(load: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    answer(runtime.block_on(with_async(items(load), 1, &Workload::requests(LATENCY))));
}

fn main() {
    // The `processes` approaches start this program again as their workers.
    model_choice_support::serve_as_worker_if_asked();
    Bench::new(
        "cpu: count the primes below <load>; io: <load> requests of 1 ms each \
         (cpu workers: one per core; io: a thread per request, a pool of 8, a process per core, \
         a task per request)",
    )
    .approach_at("cpu: sequential", CPU_LOADS, cpu_sequential)
    .approach_at("cpu: threads", CPU_LOADS, cpu_threads)
    .approach_at("cpu: pool", CPU_LOADS, cpu_pool)
    .approach_at("cpu: processes", CPU_LOADS, cpu_processes)
    .approach_at("cpu: async", CPU_LOADS, cpu_async)
    .approach_at("cpu: async, 1 thread", CPU_LOADS, cpu_async_one_thread)
    .approach_at("io: sequential", IO_LOADS, io_sequential)
    .approach_at("io: threads", IO_LOADS, io_threads)
    .approach_at("io: pool", IO_LOADS, io_pool)
    .approach_at("io: processes", IO_LOADS, io_processes)
    .approach_at("io: async", IO_LOADS, io_async)
    .run();
}
