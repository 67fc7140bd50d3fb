//! The facade under loom (`cargo test -p harness --features model`).
#![cfg(feature = "model")]

use std::panic::{catch_unwind, AssertUnwindSafe};

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;

/// Explores every interleaving within preemption bound 2; returns the panic message, if any.
fn model(scenario: impl Fn() + Send + Sync + 'static) -> Option<String> {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    catch_unwind(AssertUnwindSafe(|| builder.check(scenario)))
        .err()
        .map(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
}

#[test]
fn load_then_store_loses_an_update_in_some_interleaving() {
    let failure = model(|| {
        let hits = Arc::new(AtomicUsize::new(0));
        let other = Arc::clone(&hits);
        let hit = move |hits: &AtomicUsize| {
            let seen = hits.load(Ordering::SeqCst);
            hits.store(seen + 1, Ordering::SeqCst);
        };
        let handle = thread::spawn(move || hit(&other));
        hit(&hits);
        handle.join().unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 2, "a hit was lost");
    });
    assert!(failure.is_some_and(|m| m.contains("a hit was lost")));
}

#[test]
fn fetch_add_loses_nothing_in_any_interleaving() {
    let failure = model(|| {
        let hits = Arc::new(AtomicUsize::new(0));
        let other = Arc::clone(&hits);
        let handle = thread::spawn(move || other.fetch_add(1, Ordering::SeqCst));
        hits.fetch_add(1, Ordering::SeqCst);
        handle.join().unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    });
    assert_eq!(failure, None);
}

#[test]
fn unsynchronised_cell_writes_are_a_causality_violation() {
    struct Shared(UnsafeCell<u32>);
    // SAFETY: deliberately wrong, so that loom can catch the race.
    unsafe impl Sync for Shared {}
    let failure = model(|| {
        let shared = Arc::new(Shared(UnsafeCell::new(0)));
        let other = Arc::clone(&shared);
        let handle = thread::spawn(move || other.0.with_mut(|v| unsafe { *v += 1 }));
        shared.0.with_mut(|v| unsafe { *v += 1 });
        handle.join().unwrap();
    })
    .expect("loom sees the unsynchronised writes");
    assert!(failure.contains("Causality violation"), "{failure}");
}

#[test]
fn a_condvar_handshake_always_completes() {
    let failure = model(|| {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        let setter = Arc::clone(&state);
        let handle = thread::spawn(move || {
            *setter.0.lock().unwrap() = true;
            setter.1.notify_one();
        });
        let (ready, signal) = &*state;
        let guard = signal
            .wait_while(ready.lock().unwrap(), |ready| !*ready)
            .unwrap();
        assert!(*guard);
        drop(guard);
        handle.join().unwrap();
    });
    assert_eq!(failure, None);
}

#[test]
fn a_channel_disconnects_in_every_interleaving() {
    let failure = model(|| {
        let (sender, receiver) = harness::sync::mpsc::channel();
        let handle = thread::spawn(move || sender.send(1).unwrap());
        let received: Vec<i32> = receiver.iter().collect();
        handle.join().unwrap();
        assert_eq!(received, [1]);
    });
    assert_eq!(failure, None);
}

#[test]
fn block_on_sleeps_until_a_wake_from_another_thread() {
    use harness::future::{block_on, Signal};
    let failure = model(|| {
        let signal = Signal::new();
        let firing = signal.clone();
        let handle = thread::spawn(move || firing.fire());
        block_on(signal.wait());
        handle.join().unwrap();
    });
    assert_eq!(failure, None);
}
