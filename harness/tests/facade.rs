//! The facade on real threads: std's behaviour, and the names it gives.
#![cfg(not(any(feature = "model", feature = "explore")))]

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use harness::sync::{mpsc, Arc, Condvar, Mutex, TryLockError};
use harness::thread;

#[test]
fn a_mutex_serialises_increments() {
    let total = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                for _ in 0..1_000 {
                    *total.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*total.lock().unwrap(), 4_000);
}

#[test]
fn try_lock_would_block_while_held_and_succeeds_after() {
    let lock = Mutex::new(1);
    let held = lock.lock().unwrap();
    assert!(matches!(lock.try_lock(), Err(TryLockError::WouldBlock)));
    drop(held);
    assert_eq!(*lock.try_lock().unwrap(), 1);
}

#[test]
fn a_panic_while_holding_poisons_the_lock() {
    let lock = Arc::new(Mutex::new(5));
    let holder = Arc::clone(&lock);
    let result = thread::spawn(move || {
        let _guard = holder.lock().unwrap();
        panic!("the holder dies");
    })
    .join();
    assert!(result.is_err());
    let poisoned = lock.lock().expect_err("the lock is poisoned");
    assert_eq!(*poisoned.into_inner(), 5);
}

#[test]
fn condvar_wakes_a_waiter() {
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    let setter = Arc::clone(&state);
    let handle = thread::spawn(move || {
        *setter.0.lock().unwrap() = true;
        setter.1.notify_all();
    });
    let (ready, signal) = &*state;
    let mut guard = ready.lock().unwrap();
    while !*guard {
        guard = signal.wait(guard).unwrap();
    }
    drop(guard);
    handle.join().unwrap();
}

#[test]
fn threads_are_named_in_spawn_order_unless_named() {
    let first = thread::spawn(|| thread::current().name().map(str::to_owned));
    let name = first.join().unwrap().expect("spawned threads have names");
    assert!(name.starts_with("thread "), "{name}");
    let named = thread::Builder::new()
        .name("philosopher 0".into())
        .spawn(|| thread::current().name().map(str::to_owned))
        .unwrap();
    assert_eq!(named.join().unwrap().as_deref(), Some("philosopher 0"));
}

#[test]
fn atomics_behave_as_std() {
    let counter = AtomicUsize::new(1);
    assert_eq!(counter.fetch_add(2, Ordering::SeqCst), 1);
    assert_eq!(counter.swap(10, Ordering::SeqCst), 3);
    assert_eq!(
        counter.compare_exchange(10, 11, Ordering::SeqCst, Ordering::SeqCst),
        Ok(10)
    );
    assert_eq!(
        counter.compare_exchange(10, 12, Ordering::SeqCst, Ordering::SeqCst),
        Err(11)
    );
    assert_eq!(
        counter.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(v * 2)),
        Ok(11)
    );
    assert_eq!(counter.into_inner(), 22);
    let wide = AtomicU64::new(u64::MAX);
    assert_eq!(wide.fetch_add(1, Ordering::Relaxed), u64::MAX);
    assert_eq!(wide.load(Ordering::Relaxed), 0);
    let flag = AtomicBool::new(false);
    assert!(!flag.fetch_or(true, Ordering::AcqRel));
    assert!(flag.load(Ordering::Acquire));
}

#[test]
fn unsafe_cell_reads_and_writes_through_its_pointers() {
    let cell = UnsafeCell::new(vec![1]);
    cell.with_mut(|v| unsafe { (*v).push(2) });
    unsafe { cell.get_mut().deref().push(3) };
    assert_eq!(unsafe { cell.get().deref() }, &[1, 2, 3]);
    assert_eq!(cell.into_inner(), [1, 2, 3]);
}

#[test]
fn a_channel_delivers_in_order_and_disconnects_when_senders_leave() {
    let (sender, receiver) = mpsc::channel();
    let second = sender.clone();
    let handle = thread::spawn(move || {
        sender.send(1).unwrap();
        second.send(2).unwrap();
    });
    handle.join().unwrap();
    assert_eq!(receiver.try_recv(), Ok(1));
    assert_eq!(receiver.recv(), Ok(2));
    assert_eq!(receiver.recv(), Err(mpsc::RecvError));
    assert_eq!(receiver.try_recv(), Err(mpsc::TryRecvError::Disconnected));
}

#[test]
fn sending_to_a_dropped_receiver_gives_the_message_back() {
    let (sender, receiver) = mpsc::channel();
    drop(receiver);
    assert_eq!(sender.send(7), Err(mpsc::SendError(7)));
}
