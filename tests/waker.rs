//! A waker that counts how often it is woken, for checks that poll a future by hand and then ask
//! whether (and how often) the future woke the task.
//!
//! ```
//! use checks::waker::counting_waker;
//!
//! let (waker, count) = counting_waker();
//! waker.wake_by_ref();
//! waker.wake();
//! assert_eq!(count.wakes(), 2);
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

/// The wakes of one [`counting_waker`] (and of its clones).
#[derive(Debug, Default)]
pub struct WakeCount(AtomicUsize);

impl WakeCount {
    /// How many times the waker has been woken so far.
    pub fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A fresh waker, and the count of its wakes.
pub fn counting_waker() -> (Waker, Arc<WakeCount>) {
    let count = Arc::new(WakeCount::default());
    (Waker::from(Arc::clone(&count)), count)
}
