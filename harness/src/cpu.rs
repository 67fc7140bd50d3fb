//! Pinning a check's threads and processes to one CPU, on real threads.
//!
//! - A sequential check runs on one CPU (see [`pin_sequential_run`]): its threads take turns,
//!   and a thread loses the CPU where it blocks, where it wakes a thread that has waited, or
//!   when its time slice ends, milliseconds later. A narrow window between two steps is then
//!   almost never split, so what fails in a sequential check fails for the code's logic, in
//!   every run, and races are left to the modes made to find them.
//! - In some stress rounds, every child process starts on one CPU (see [`crate::noise`]): a
//!   child is told which in [`PIN_ENV`] and pins itself with [`pin_if_asked`] before its role
//!   runs.
//!
//! Best effort throughout: where the system refuses, the threads run where they are.

#[cfg(not(any(feature = "model", feature = "explore")))]
use rustix::thread::sched_getaffinity;
use rustix::thread::{sched_setaffinity, CpuSet};

/// The variable that tells a child process which CPU to pin itself to.
pub(crate) const PIN_ENV: &str = "HARNESS_PIN_CPU";

/// The `pick`-th (modulo their number) of the CPUs this process may run on.
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn one_allowed(pick: u64) -> Option<usize> {
    let allowed = sched_getaffinity(None).ok()?;
    let cpus: Vec<usize> = (0..CpuSet::MAX_CPU)
        .filter(|&cpu| allowed.is_set(cpu))
        .collect();
    let count = u64::try_from(cpus.len()).ok().filter(|&count| count > 0)?;
    cpus.get(usize::try_from(pick % count).ok()?).copied()
}

/// Pins the calling thread, and so every thread and process it starts from now on, to `cpu`.
fn pin_current_thread(cpu: usize) {
    if cpu < CpuSet::MAX_CPU {
        let mut only = CpuSet::new();
        only.set(cpu);
        let _ = sched_setaffinity(None, &only);
    }
}

/// Pins a sequential check (the calling thread, before the check starts any thread or process)
/// to one of its CPUs, chosen by `seed`.
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn pin_sequential_run(seed: u64) {
    if let Some(cpu) = one_allowed(seed) {
        pin_current_thread(cpu);
    }
}

/// In a child process: pins it to the CPU its parent named in [`PIN_ENV`], if it named one.
pub(crate) fn pin_if_asked() {
    if let Some(cpu) = std::env::var(PIN_ENV).ok().and_then(|cpu| cpu.parse().ok()) {
        pin_current_thread(cpu);
    }
}
