//! Single key presses from the terminal, for `watch`: stdin without line editing or echo while
//! it runs, restored when it ends (also on Ctrl-C).

use std::io::Read;
use std::sync::OnceLock;

use anyhow::{bail, Result};

/// The terminal's settings before `watch` changed them, for the Ctrl-C handler.
static SAVED: OnceLock<libc::termios> = OnceLock::new();

/// The terminal in key-at-a-time mode; dropping it restores the terminal.
pub struct Keys {
    _private: (),
}

impl Keys {
    /// Puts the terminal on stdin in key-at-a-time mode and calls `press` with every key from a
    /// thread of its own, until `press` returns false or stdin ends.
    pub fn start(press: impl Fn(u8) -> bool + Send + 'static) -> Result<Keys> {
        // SAFETY: `termios` is plain data, and `tcgetattr` fills it in or fails.
        let mut settings: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: a valid descriptor and a valid pointer.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut settings) } != 0 {
            bail!(
                "cannot read the terminal's settings: {}",
                std::io::Error::last_os_error()
            );
        }
        let _ = SAVED.set(settings);
        let mut raw = settings;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: a valid descriptor and settings read from it; `on_interrupt` only restores
        // them, which is async-signal-safe, and exits.
        unsafe {
            let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) != 0 {
                bail!(
                    "cannot set up the terminal for keys: {}",
                    std::io::Error::last_os_error()
                );
            }
        }
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut byte = [0u8; 1];
            while let Ok(1) = stdin.read(&mut byte) {
                if !press(byte[0]) {
                    break;
                }
            }
        });
        Ok(Keys { _private: () })
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal's settings back as they were.
fn restore() {
    if let Some(saved) = SAVED.get() {
        // SAFETY: a valid descriptor and settings read from it.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
        }
    }
}

/// Ctrl-C (or a termination request) while keys are read: restore the terminal, then exit.
extern "C" fn on_interrupt(_signal: libc::c_int) {
    restore();
    // SAFETY: `_exit` ends the process at once, as a signal handler may.
    unsafe { libc::_exit(130) }
}
