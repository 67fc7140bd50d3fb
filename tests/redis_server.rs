//! A Redis server of the check's own, for the katas that need one (`requires =
//! ["redis-server"]` in their `kata.toml`): started from `redis-server` on the `PATH`, listening
//! only on a Unix socket in a [`scratch`](harness::process::scratch) directory (no TCP port to
//! collide with, and it works in the grader's sandbox, which has no network), with nothing saved
//! to disk; stopped when dropped. The check process's group (killed by `cargo xtask` when the
//! check ends) takes it down too if the check dies first.
//!
//! ```no_run
//! let server = checks::redis_server::RedisServer::start();
//! let url = server.url(); // "unix:///.../redis.sock", for the `redis` crate
//! # drop(url);
//! ```

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The program started.
pub const PROGRAM: &str = "redis-server";

/// How long the server may take to answer its first `PING`.
const STARTUP: Duration = Duration::from_secs(10);

/// The longest path a Unix socket may have.
const SOCKET_PATH_MAX: usize = 107;

/// A running `redis-server`, stopped on drop.
pub struct RedisServer {
    child: Child,
    socket: PathBuf,
}

impl RedisServer {
    /// Starts a server and waits until it answers `PING`; panics with the reason when it cannot.
    pub fn start() -> RedisServer {
        let dir = harness::process::scratch();
        let socket = dir.join("redis.sock");
        assert!(
            socket.as_os_str().len() <= SOCKET_PATH_MAX,
            "the temporary directory's path is too long for a Unix socket: {}",
            socket.display()
        );
        let child = Command::new(PROGRAM)
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .args([
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(["--dir"])
            .arg(&dir)
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start {PROGRAM} (is it installed and on the PATH?): {err}")
            });
        let mut server = RedisServer { child, socket };
        server.wait_until_ready();
        server
    }

    /// The URL the `redis` crate connects to.
    pub fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if ping(&self.socket) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!("{PROGRAM} ended at start ({status}): {}", stderr.trim());
            }
            assert!(
                started.elapsed() < STARTUP,
                "{PROGRAM} did not answer within {STARTUP:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Whether a server answers `PING` on `socket`.
fn ping(socket: &std::path::Path) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut answer = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
