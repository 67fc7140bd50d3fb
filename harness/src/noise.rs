//! Seeded schedule noise on real threads (stress mode): in every other round, before a facade
//! operation, a thread now and then yields or sleeps a few microseconds, so the windows between
//! two steps that real timing almost never opens are opened on purpose, in the spirit of rr's
//! chaos mode and Coyote's delay injection. The other rounds run as they are: noise hides some
//! schedules as it shows others. Sleeps are bounded per round, so noise costs a stress check at
//! most [`SLEEP_BUDGET_MICROS`] per round. Each thread draws from its own generator, seeded from
//! the run's seed, the round and the thread's name, so a run with the same seed (a kata's seed
//! is fixed, and shown with `--seed`) injects the same noise at the same points. In a noisy
//! round, one condvar wait or park in [`SPURIOUS_ONE_IN`] also ends at once without a
//! notification, as std allows and explore does: a wait that is not in a loop checking its
//! condition goes on as if woken, on real threads too.
//!
//! One round in [`PIN_EVERY`] starts every child process on one CPU, the same for all of them
//! (the check's own threads stay free): noise cannot reach into kata code that runs in another
//! process on `std` atomics and futexes, but a process that wakes another on a shared CPU most
//! often loses that CPU to it at once, so the window between a wake and the step after it (a
//! place given back only after the wake, say) opens by itself.
//!
//! Kata code on memory shared between processes uses [`crate::shm`]'s atomics, which take the
//! same noise before each operation; and a child process started in a noisy round inherits the
//! round's noise ([`NOISE_ENV`]), each child drawing from its own seed, so that noise reaches
//! kata code in every process of the check.
//!
//! Elsewhere (the engines choose the schedules themselves, and a sequential run is one plain
//! round) it is off.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::context::NOISE;

/// Whether the current round is a noisy one.
static NOISY_ROUND: AtomicBool = AtomicBool::new(false);

/// The run's seed, mixed with the round number.
static ROUND_SEED: AtomicU64 = AtomicU64::new(0);

/// Microseconds slept by noise in the current round.
static SLEPT_MICROS: AtomicU64 = AtomicU64::new(0);

/// The CPU the current round's child processes start on, or [`NOT_PINNED`].
static CHILD_CPU: AtomicUsize = AtomicUsize::new(NOT_PINNED);
const NOT_PINNED: usize = usize::MAX;

/// Child processes started in the current round: each draws its own noise.
static CHILDREN_STARTED: AtomicU64 = AtomicU64::new(0);

/// The variable that hands a child process started in a noisy round the seed of its noise.
pub(crate) const NOISE_ENV: &str = "HARNESS_NOISE_SEED";

/// One round in this many pins its child processes to one CPU.
#[cfg(not(any(feature = "model", feature = "explore")))]
const PIN_EVERY: u64 = 4;

/// Of every [`OUT_OF`] facade operations, how many are preceded by a yield, and by a sleep.
const YIELDS: u64 = 16;
const SLEEPS: u64 = 2;
const OUT_OF: u64 = 1024;

/// One condvar wait or park in this many ends spuriously in a noisy round.
#[cfg(not(any(feature = "model", feature = "explore")))]
const SPURIOUS_ONE_IN: u64 = 4;

/// The same for an operation on a shared-memory atomic ([`crate::shm`]): kata code on memory
/// shared between processes takes few such steps, and nothing else of it is noise's to reach.
const SHARED_MEMORY_YIELDS: u64 = 128;
const SHARED_MEMORY_SLEEPS: u64 = 64;

/// The longest injected sleep.
const LONGEST_SLEEP_MICROS: u64 = 200;

/// The most noise may sleep in one round, all threads together.
const SLEEP_BUDGET_MICROS: u64 = 5_000;

std::thread_local! {
    /// This thread's generator, and the round seed it was seeded for.
    static GENERATOR: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Turns noise on for the rounds to come, drawn from `seed`.
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn enable(seed: u64) {
    ROUND_SEED.store(seed, Ordering::SeqCst);
    NOISE.store(true, Ordering::SeqCst);
}

/// A new round: noisy or not (every other one is), every thread drawing afresh (still from the
/// run's seed), with the whole sleep budget.
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn next_round(round: u64) {
    let seed = ROUND_SEED.load(Ordering::SeqCst);
    ROUND_SEED.store(
        mix(seed ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        Ordering::SeqCst,
    );
    NOISY_ROUND.store(round % 2 == 1, Ordering::SeqCst);
    SLEPT_MICROS.store(0, Ordering::SeqCst);
    CHILDREN_STARTED.store(0, Ordering::SeqCst);
    let pinned = NOISE.load(Ordering::SeqCst) && round % PIN_EVERY == PIN_EVERY - 1;
    let cpu = match pinned {
        true => crate::cpu::one_allowed(mix(seed ^ round)),
        false => None,
    };
    CHILD_CPU.store(cpu.unwrap_or(NOT_PINNED), Ordering::SeqCst);
}

/// The CPU a child process started now should pin itself to (see [`crate::cpu::PIN_ENV`]), in
/// a pinned round.
pub(crate) fn child_cpu() -> Option<usize> {
    let cpu = CHILD_CPU.load(Ordering::SeqCst);
    (cpu != NOT_PINNED).then_some(cpu)
}

/// Whether noise is on and the current round is a noisy one. The flags are set by the thread
/// that runs the rounds, before it runs or starts anything of the round.
#[inline]
fn noisy() -> bool {
    NOISE.load(Ordering::Relaxed) && NOISY_ROUND.load(Ordering::Relaxed)
}

/// The seed of the noise of a child process started now ([`NOISE_ENV`]), in a noisy round: the
/// round's seed mixed with the child's number in the round, the same on every run.
pub(crate) fn child_seed() -> Option<u64> {
    if !noisy() {
        return None;
    }
    let child = CHILDREN_STARTED.fetch_add(1, Ordering::SeqCst);
    Some(mix(
        ROUND_SEED.load(Ordering::SeqCst) ^ fnv(&child.to_string())
    ))
}

/// In a child process: noise for the whole process, drawn from the seed its parent named in
/// [`NOISE_ENV`], if it named one (the child runs inside one noisy round of its parent).
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn inherit() {
    let seed = std::env::var(NOISE_ENV)
        .ok()
        .and_then(|seed| seed.parse().ok());
    if let Some(seed) = seed {
        ROUND_SEED.store(seed, Ordering::SeqCst);
        SLEPT_MICROS.store(0, Ordering::SeqCst);
        NOISY_ROUND.store(true, Ordering::SeqCst);
        NOISE.store(true, Ordering::SeqCst);
    }
}

/// An operation on a shared-memory atomic ([`crate::shm`]) is about to happen on the calling
/// thread: as [`point`].
#[inline]
pub(crate) fn shared_memory_point() {
    if !noisy() {
        return;
    }
    let thread = std::thread::current();
    pause(
        thread.name().unwrap_or("unnamed"),
        SHARED_MEMORY_YIELDS,
        SHARED_MEMORY_SLEEPS,
    );
}

/// A facade operation is about to happen on the calling thread, called `thread()`: maybe yield,
/// maybe sleep. The name is asked for only in a noisy round.
#[inline]
pub(crate) fn point(thread: impl FnOnce() -> String) {
    if !noisy() {
        return;
    }
    pause(&thread(), YIELDS, SLEEPS);
}

/// Of [`OUT_OF`] draws of `thread`'s generator, `yields` yield and `sleeps` sleep (within the
/// round's budget).
fn pause(thread: &str, yields: u64, sleeps: u64) {
    let draw = draw(thread);
    match draw % OUT_OF {
        n if n < yields => std::thread::yield_now(),
        n if n < yields + sleeps => {
            let micros = 1 + (draw >> 32) % LONGEST_SLEEP_MICROS;
            if SLEPT_MICROS.fetch_add(micros, Ordering::Relaxed) + micros <= SLEEP_BUDGET_MICROS {
                std::thread::sleep(Duration::from_micros(micros));
            }
        }
        _ => {}
    }
}

/// Whether the calling thread's condvar wait or park, about to start, ends at once without a
/// notification: in a noisy round, one in [`SPURIOUS_ONE_IN`], drawn like the other noise.
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn spurious_wakeup() -> bool {
    if !noisy() {
        return false;
    }
    let thread = std::thread::current();
    draw(thread.name().unwrap_or("unnamed")).is_multiple_of(SPURIOUS_ONE_IN)
}

/// The next number of the calling thread's generator (seeded on its first draw of a round).
fn draw(thread: &str) -> u64 {
    let round_seed = ROUND_SEED.load(Ordering::Relaxed);
    GENERATOR.with(|generator| {
        let (seeded_for, state) = generator.get();
        let state = match seeded_for == round_seed && state != 0 {
            true => state,
            false => mix(round_seed ^ fnv(thread)) | 1,
        };
        let next = mix(state);
        generator.set((round_seed, next));
        next
    })
}

/// SplitMix64's finaliser: a well-spread 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a thread's name.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(all(test, not(any(feature = "model", feature = "explore"))))]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_and_a_new_round_draws_anew() {
        ROUND_SEED.store(7, Ordering::SeqCst);
        let first: Vec<u64> = (0..4).map(|_| draw("worker")).collect();
        GENERATOR.with(|generator| generator.set((0, 0)));
        let again: Vec<u64> = (0..4).map(|_| draw("worker")).collect();
        assert_eq!(first, again);
        next_round(1);
        let next: Vec<u64> = (0..4).map(|_| draw("worker")).collect();
        assert_ne!(first, next);
    }
}
