//! `std::sync::mpsc`'s unbounded channel, built from the facade's own [`Mutex`] and [`Condvar`].
//!
//! loom's channel does not model disconnection (a `recv` after every sender is gone blocks for
//! ever), and the Rust book's thread pool stops its workers by exactly that. Built from facade
//! locks, the channel means the same under every engine, and its waits appear in explanations
//! as `channel #N (src/lib.rs:LINE)`.
//!
//! ```
//! use harness::sync::mpsc;
//! use harness::thread;
//!
//! let (sender, receiver) = mpsc::channel();
//! let handle = thread::spawn(move || {
//!     for n in 0..3 {
//!         sender.send(n).unwrap();
//!     }
//! });
//! let received: Vec<i32> = receiver.iter().collect();
//! assert_eq!(received, [0, 1, 2]);
//! handle.join().unwrap();
//! ```

use std::collections::VecDeque;
use std::fmt;

pub use std::sync::mpsc::{RecvError, SendError, TryRecvError};

use super::{Arc, Condvar, Mutex};

/// Creates an unbounded channel: sends never wait, receives wait for a message or for every
/// sender to be dropped.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::of_kind(
            State {
                messages: VecDeque::new(),
                senders: 1,
                receiver_alive: true,
            },
            "channel lock",
        ),
        arrived: Condvar::of_kind("channel"),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Signalled when a message arrives or the last sender leaves.
    arrived: Condvar,
}

struct State<T> {
    messages: VecDeque<T>,
    senders: usize,
    receiver_alive: bool,
}

/// The sending half; clone it for more producers. Dropping the last one disconnects the channel.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Queues `message`; errors (giving it back) once the receiver is gone.
    #[track_caller]
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if !state.receiver_alive {
            return Err(SendError(message));
        }
        state.messages.push_back(message);
        drop(state);
        self.shared.arrived.notify_one();
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .senders += 1;
        Sender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.senders -= 1;
        let last = state.senders == 0;
        drop(state);
        if last {
            self.shared.arrived.notify_all();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The receiving half.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Receiver<T> {
    /// Waits for the next message; errors once the channel is empty and every sender is gone.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        let state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut state = self
            .shared
            .arrived
            .wait_while(state, |state| {
                state.messages.is_empty() && state.senders > 0
            })
            .unwrap_or_else(|p| p.into_inner());
        state.messages.pop_front().ok_or(RecvError)
    }

    /// The next message if one is queued, without waiting.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.messages.pop_front() {
            Some(message) => Ok(message),
            None if state.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Receives messages until the channel disconnects.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { receiver: self }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .receiver_alive = false;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The messages of a [`Receiver`], waiting for each, until the channel disconnects.
#[derive(Debug)]
pub struct Iter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
