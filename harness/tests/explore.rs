//! The facade and the detectors under shuttle (`cargo test -p harness --features explore`).
#![cfg(feature = "explore")]

use std::panic::{catch_unwind, AssertUnwindSafe};

use harness::detect::{Bypass, Detection, Gauge};
use harness::protocol::FailureKind;
use harness::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use harness::sync::{Arc, Mutex};
use harness::thread;

const SEED: u64 = 0x5eed;

/// Runs `scenario` under 200 random schedules from a fixed seed; returns the panic message, if
/// any schedule failed.
fn explore(scenario: impl Fn() + Send + Sync + 'static) -> Option<String> {
    explore_with(shuttle::Config::new(), scenario)
}

fn explore_with(
    config: shuttle::Config,
    scenario: impl Fn() + Send + Sync + 'static,
) -> Option<String> {
    let scheduler = shuttle::scheduler::RandomScheduler::new_from_seed(SEED, 200);
    let run = catch_unwind(AssertUnwindSafe(|| {
        shuttle::Runner::new(scheduler, config).run(scenario)
    }));
    run.err().map(|payload| {
        if let Some(detection) = payload.downcast_ref::<Detection>() {
            format!("{:?}: {}", detection.kind, detection.message)
        } else if let Some(message) = payload.downcast_ref::<String>() {
            message.clone()
        } else if let Some(message) = payload.downcast_ref::<&str>() {
            message.to_string()
        } else {
            format!("{payload:?}")
        }
    })
}

/// A test-and-set spin lock: whoever swaps the flag first wins, so a waiter can be overtaken
/// without end.
struct SpinLock(AtomicBool);

impl SpinLock {
    fn lock(&self) {
        while self.0.swap(true, Ordering::Acquire) {
            thread::yield_now();
        }
    }

    fn unlock(&self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A ticket lock: threads are served in the order they took tickets.
struct TicketLock {
    next: AtomicUsize,
    serving: AtomicUsize,
}

impl TicketLock {
    fn lock(&self) {
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        while self.serving.load(Ordering::Acquire) != ticket {
            thread::yield_now();
        }
    }

    fn unlock(&self) {
        self.serving.fetch_add(1, Ordering::Release);
    }
}

/// Three threads take `lock` eight times each, watched by a bypass detector with bound 6.
fn contend(lock: impl Fn() + Send + Sync + 'static, unlock: impl Fn() + Send + Sync + 'static) {
    let lock = Arc::new(lock);
    let unlock = Arc::new(unlock);
    let watch = Arc::new(Bypass::with_bound("the mini lock", 6));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (lock, unlock, watch) = (lock.clone(), unlock.clone(), watch.clone());
            thread::spawn(move || {
                for _ in 0..8 {
                    let waiting = watch.wait();
                    lock();
                    let inside = waiting.enter();
                    drop(inside);
                    unlock();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

#[test]
fn a_ticket_lock_never_exceeds_the_bypass_bound() {
    let failure = explore(|| {
        let ticket = Arc::new(TicketLock {
            next: AtomicUsize::new(0),
            serving: AtomicUsize::new(0),
        });
        let release = Arc::clone(&ticket);
        contend(move || ticket.lock(), move || release.unlock());
    });
    assert_eq!(failure, None);
}

#[test]
fn a_spin_lock_that_lets_anyone_in_starves_a_waiter() {
    let failure = explore(|| {
        let spin = Arc::new(SpinLock(AtomicBool::new(false)));
        let release = Arc::clone(&spin);
        contend(move || spin.lock(), move || release.unlock());
    });
    let failure = failure.expect("bypass of a waiting thread went unnoticed");
    let starvation = format!("{:?}: ", FailureKind::Starvation);
    assert!(failure.starts_with(&starvation), "{failure}");
    assert!(failure.contains("at most 6 are allowed"), "{failure}");
}

#[test]
fn a_lock_cycle_is_a_deadlock() {
    let failure = explore(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let other = thread::spawn(move || {
            let _b = b2.lock().unwrap();
            let _a = a2.lock().unwrap();
        });
        {
            let _a = a.lock().unwrap();
            let _b = b.lock().unwrap();
        }
        other.join().unwrap();
    })
    .expect("opposite lock orders deadlock under some schedule");
    assert!(failure.starts_with("deadlock!"), "{failure}");
}

#[test]
fn a_spin_without_progress_exhausts_the_step_budget() {
    let mut config = shuttle::Config::new();
    config.max_steps = shuttle::MaxSteps::FailAfter(2_000);
    let failure = explore_with(config, || {
        let never = AtomicBool::new(false);
        while !never.load(Ordering::Acquire) {
            harness::hint::spin_loop();
        }
    })
    .expect("a spin that nothing ends runs out of steps");
    assert!(failure.starts_with("exceeded max_steps bound"), "{failure}");
}

#[test]
fn a_gauge_catches_a_broken_capacity() {
    let failure = explore(|| {
        // A "club" that checks the count and enters in two steps.
        let inside = Arc::new(AtomicUsize::new(0));
        let gauge = Arc::new(Gauge::new("guests inside", 1));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (inside, gauge) = (inside.clone(), gauge.clone());
                thread::spawn(move || {
                    if inside.load(Ordering::SeqCst) == 0 {
                        inside.fetch_add(1, Ordering::SeqCst);
                        let _guest = gauge.enter();
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
    })
    .expect("check-then-enter overfills the club under some schedule");
    assert!(failure.contains("2 guests inside at once"), "{failure}");
}
