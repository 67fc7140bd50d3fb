//! `AtomicPtr` can be shared between threads in every engine, like std's.

use harness::sync::atomic::AtomicPtr;

fn shareable<T: Send + Sync>() {}

#[test]
fn an_atomic_pointer_is_send_and_sync() {
    shareable::<AtomicPtr<String>>();
}
