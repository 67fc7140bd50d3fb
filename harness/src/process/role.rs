//! The child's side: a role runs as the whole process, reads its arguments and reports what it
//! is doing.

use std::io::Write;
use std::sync::OnceLock;

use super::STATUS_MARK;

/// The argument that starts a binary in a role.
pub(crate) const ROLE_FLAG: &str = "--role";

/// The arguments of the role this process runs (set once, before the role starts).
static ROLE_ARGS: OnceLock<Vec<String>> = OnceLock::new();

/// The arguments the parent passed to this child (empty outside a role).
pub fn role_args() -> Vec<String> {
    ROLE_ARGS.get().cloned().unwrap_or_default()
}

/// Tells the parent what this child is doing now, e.g. `status("holding the lock")`: one marked
/// line on stderr, which a [`Child`](super::Child) collects (its last status names what a hung or killed child
/// was doing) and [`Child::wait_for_status`](super::Child::wait_for_status) waits for. Outside a child it is a plain stderr line.
pub fn status(text: &str) {
    let line = format!("{STATUS_MARK}{}\n", text.replace(['\n', '\r'], " "));
    // One write: stderr is unbuffered, so the line arrives whole even from several threads.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Runs `role` as this whole process (the binary was started with `--role`), then exits: 0 when
/// it returns, 101 when it panics (the panic message is on stderr), 2 for an unknown role.
pub(crate) fn serve_role(roles: &[(&'static str, fn())], args: &[String]) -> ! {
    let name = args.first().map(String::as_str).unwrap_or("");
    let rest = match args.get(1).map(String::as_str) {
        Some("--") => &args[2..],
        _ => &args[1.min(args.len())..],
    };
    let Some(&(_, body)) = roles.iter().find(|(role, _)| *role == name) else {
        let known: Vec<&str> = roles.iter().map(|(role, _)| *role).collect();
        eprintln!("this check binary has no role `{name}` (its roles: {known:?})");
        std::process::exit(2)
    };
    let _ = ROLE_ARGS.set(rest.to_vec());
    crate::cpu::pin_if_asked();
    #[cfg(not(any(feature = "model", feature = "explore")))]
    crate::noise::inherit();
    let ran = std::panic::catch_unwind(body);
    // Whatever the role printed must reach the parent before the process ends.
    let _ = std::io::stdout().flush();
    std::process::exit(if ran.is_ok() { 0 } else { 101 })
}
