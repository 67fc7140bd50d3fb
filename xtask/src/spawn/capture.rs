//! A child's output, read on threads of its own and capped.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A pipe read to its end on a thread of its own.
pub(super) struct Captured {
    /// The first bytes read.
    kept: Arc<Mutex<Vec<u8>>>,
    /// How many bytes were read, kept or not.
    pub(super) read: Arc<AtomicUsize>,
    /// Says when the pipe reached its end.
    done: Option<Receiver<()>>,
}

/// Reads a pipe to its end on a thread, keeping the first `cap` bytes.
pub(super) fn capture<R: Read + Send + 'static>(pipe: Option<R>, cap: usize) -> Captured {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let read = Arc::new(AtomicUsize::new(0));
    let Some(mut pipe) = pipe else {
        return Captured {
            kept,
            read,
            done: None,
        };
    };
    let (finished, done) = mpsc::channel();
    let sink = Arc::clone(&kept);
    let counter = Arc::clone(&read);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            counter.fetch_add(n, Ordering::Relaxed);
            let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
            let room = cap.saturating_sub(kept.len());
            kept.extend_from_slice(&buffer[..n.min(room)]);
        }
        let _ = finished.send(());
    });
    Captured {
        kept,
        read,
        done: Some(done),
    }
}

impl Captured {
    /// What was read, once the pipe ended or `deadline` passed (a process outside the child's
    /// group may hold the pipe open: the reading thread is then left to end with it).
    pub(super) fn join(self, deadline: Instant) -> String {
        if let Some(done) = &self.done {
            let _ = done.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        }
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&kept).into_owned()
    }
}
