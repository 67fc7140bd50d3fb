//! The benchmark of the `spin_vs_park` kata: 8 threads share one lock, and each takes it `load`
//! times for a short critical section (a few arithmetic steps on a shared counter). The same
//! workload runs on the kata's `HybridLock` with three spin limits, and on `std::sync::Mutex`:
//!
//! - "spin only": `spin_limit = u32::MAX`, waiters never sleep;
//! - "park at once": `spin_limit = 0`, waiters go to sleep on the first failed try;
//! - "spin then park": `spin_limit = 100`, the hybrid most real locks use;
//! - "std Mutex": Rust's own lock (a futex on Linux, which also spins briefly before it sleeps).
//!
//! With more threads than cores, a spinner burns the time slice its lock holder needs; with
//! short critical sections, parking pays a system call and a wake-up for a wait that would have
//! ended a few hundred nanoseconds later. `cargo xtask bench spin_vs_park` builds this in release
//! mode against a variant of the kata and prints the table. Outside the checks the facade is
//! `std`, so the lock runs on real threads.

use std::hint::black_box;
use std::sync::Mutex;
use std::thread;

use checks::bench::Bench;
use spin_vs_park::HybridLock;

/// Threads sharing the lock.
const THREADS: usize = 8;

/// Waiters' tries before they park, in "spin then park".
const HYBRID_SPINS: u32 = 100;

fn main() {
    Bench::new("8 threads each take one lock `load` times for a short critical section")
        .loads(&[2_000, 20_000])
        .approach("spin only", spin_only)
        .approach("park at once", park_at_once)
        .approach("spin then park", spin_then_park)
        .approach("std Mutex", std_mutex)
        .run();
}

/// The critical section: a few dependent steps on the shared state.
fn critical_section(state: &mut u64) {
    let mut x = black_box(*state);
    for _ in 0..8 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    }
    *state = x;
}

/// The work each thread does between two visits to the lock.
fn outside_work(i: usize) {
    black_box((0..16).fold(i, |a, b| a.wrapping_add(b)));
}

fn hybrid(load: usize, spin_limit: u32) {
    let lock = HybridLock::new((0_u64, 0_usize), spin_limit);
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for i in 0..load {
                    {
                        let mut guard = lock.lock();
                        critical_section(&mut guard.0);
                        guard.1 += 1;
                    }
                    outside_work(i);
                }
            });
        }
    });
    let visits = lock.lock().1;
    assert_eq!(visits, THREADS * load, "the lock lost updates");
}

fn spin_only(load: usize) {
    hybrid(load, u32::MAX);
}

fn park_at_once(load: usize) {
    hybrid(load, 0);
}

fn spin_then_park(load: usize) {
    hybrid(load, HYBRID_SPINS);
}

fn std_mutex(load: usize) {
    let lock = Mutex::new((0_u64, 0_usize));
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for i in 0..load {
                    {
                        let mut guard = lock.lock().unwrap();
                        critical_section(&mut guard.0);
                        guard.1 += 1;
                    }
                    outside_work(i);
                }
            });
        }
    });
    let visits = lock.lock().unwrap().1;
    assert_eq!(visits, THREADS * load, "the lock lost updates");
}
