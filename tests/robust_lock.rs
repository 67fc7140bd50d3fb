//! Checks of the `robust_lock` kata: a lock shared by processes through a file, that survives
//! the death of its owner.
//!
//! The promises: a new lock is free and its record reads 0, 0; `open` shares the lock and the
//! record; a live owner keeps the lock however slow it is; a dead owner (killed, reaped or not)
//! is noticed, the next locker gets `OwnerDied` exactly once and can repair the record; and
//! processes never hold the lock together. The record is updated in two steps (`first`, then
//! `second`); a recovering locker repairs a half update by rolling it back (`first = second`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use harness::check::{mode, Checks, Mode};
use harness::process::{self, Child};
use robust_lock::{Guard, OwnerDied, Record, RobustLock};

fn main() {
    Checks::new()
        .role("holder", holder)
        .role("dier", dier)
        .role("counter", counter)
        .role("hammer", hammer)
        .role("latecomer", latecomer)
        .sequential("a new lock is free and its record reads 0, 0", new_lock)
        .sequential("open() shares the lock and its record", open_shares)
        .sequential(
            "a live owner keeps the lock, however slow it is",
            slow_owner_keeps_the_lock,
        )
        .sequential(
            "a killed owner is noticed: the next locker gets OwnerDied",
            killed_owner_is_noticed,
        )
        .sequential(
            "a dead owner not yet reaped (a zombie) is noticed too",
            zombie_owner_is_noticed,
        )
        .concurrent(
            "three processes never hold the lock together",
            three_processes_exclude,
        )
        .concurrent(
            "three processes that take the lock back to back, all at the same time for 100 ms, \
             never hold it together",
            back_to_back_exclude,
        )
        .concurrent(
            "a holder killed mid-update is recovered exactly once, by one of the waiters",
            waiters_recover_once,
        )
        .concurrent(
            "processes that come to the lock together after its owner died recover it exactly \
             once",
            latecomers_recover_once,
        )
        .run();
}

/// How long a locker may take to notice a dead owner (a correct lock needs milliseconds).
const NOTICE: Duration = Duration::from_millis(2500);

/// How long a child may run.
const CHILD_BUDGET: Duration = Duration::from_secs(4);

fn lock_file(dir: &Path) -> PathBuf {
    dir.join("robust.lock")
}

fn create(path: &Path) -> RobustLock {
    RobustLock::create(path)
        .unwrap_or_else(|err| panic!("RobustLock::create({}) failed: {err}", path.display()))
}

fn open(path: &str) -> RobustLock {
    RobustLock::open(path).unwrap_or_else(|err| panic!("RobustLock::open({path}) failed: {err}"))
}

/// What one `lock()` call gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    /// `Ok`: the lock was free or released.
    Free,
    /// `Err(OwnerDied)`, naming the dead owner.
    OwnerDied(u32),
}

/// Calls `lock()` on another thread and runs `inside` while holding the lock; fails the check
/// as a hang when `lock()` has not returned within `within`.
fn lock_within<R: Send + 'static>(
    lock: &Arc<RobustLock>,
    within: Duration,
    what: &str,
    inside: impl FnOnce(Got, &mut Guard<'_>) -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    let lock = Arc::clone(lock);
    std::thread::Builder::new()
        .name("locker".into())
        .spawn(move || {
            let (got, mut guard) = match lock.lock() {
                Ok(guard) => (Got::Free, guard),
                Err(died) => {
                    let dead = died.dead_owner();
                    (Got::OwnerDied(dead), died.into_guard())
                }
            };
            let result = inside(got, &mut guard);
            drop(guard);
            let _ = tx.send(result);
        })
        .expect("the locker thread starts");
    match rx.recv_timeout(within) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => process::hang(format!(
            "{what}, but lock() had not returned after {:.1} s",
            within.as_secs_f64()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{what}, but the thread calling lock() panicked")
        }
    }
}

/// Takes the lock in a child; a recovering child rolls the half update back. Returns whether it
/// recovered, and the record it found when the lock was handed over normally.
fn take(lock: &RobustLock) -> (Guard<'_>, bool, Record) {
    match lock.lock() {
        Ok(guard) => {
            let seen = *guard;
            (guard, false, seen)
        }
        Err(died) => {
            let died: OwnerDied<Guard<'_>> = died;
            let mut guard = died.into_guard();
            guard.first = guard.second;
            let seen = *guard;
            (guard, true, seen)
        }
    }
}

/// Starts a `dier` child on the lock at `path` and waits until it holds the lock, halfway
/// through an update.
fn dier_holding(path: &str) -> Child {
    let dier = Child::spawn("dier", &[path]);
    dier.wait_for_status("holding the lock", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    dier
}

/// Takes the lock, recovered and released by now (`when`, in words), and returns its record:
/// lock() must not report the dead owner again.
fn free_again(lock: &Arc<RobustLock>, when: &str) -> Record {
    let (got, record) = lock_within(lock, NOTICE, when, |got, guard| (got, **guard));
    assert_eq!(
        got,
        Got::Free,
        "the lock was recovered and released, yet lock() reported a dead owner again"
    );
    record
}

// --- Roles (child processes) -----------------------------------------------------------------

/// `holder PATH MILLIS`: takes the lock, does the first half of an update, holds the lock for
/// MILLIS, finishes the update and releases.
fn holder() {
    let args = process::role_args();
    let lock = open(&args[0]);
    let millis: u64 = args[1].parse().expect("milliseconds");
    let (mut guard, _, _) = take(&lock);
    guard.first += 1;
    process::status("holding the lock");
    std::thread::sleep(Duration::from_millis(millis));
    guard.second += 1;
    drop(guard);
    process::status("released");
}

/// `dier PATH`: takes the lock, does the first half of an update and waits to be killed.
fn dier() {
    let args = process::role_args();
    let lock = open(&args[0]);
    let (mut guard, _, _) = take(&lock);
    guard.first += 1;
    process::status("holding the lock");
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// `counter PATH ROUNDS`: ROUNDS updates in two steps under the lock. Prints one line at the
/// end: `recovered=R inconsistent=I first-bad=F,S` (I: handed over normally, yet with a half
/// update in it).
fn counter() {
    let args = process::role_args();
    let lock = open(&args[0]);
    update(&lock, args[1].parse().expect("rounds"));
}

/// Makes `rounds` updates in two steps under `lock` and prints the summary line of `counter`.
fn update(lock: &RobustLock, rounds: u64) {
    let (mut recovered, mut inconsistent) = (0u64, 0u64);
    let mut first_bad = None;
    for _ in 0..rounds {
        let (mut guard, did_recover, seen) = take(lock);
        if did_recover {
            recovered += 1;
        } else if seen.first != seen.second {
            inconsistent += 1;
            first_bad.get_or_insert(seen);
        }
        guard.first += 1;
        for _ in 0..20 {
            std::hint::spin_loop();
        }
        std::thread::yield_now();
        guard.second += 1;
    }
    let bad = first_bad.map_or("-".to_owned(), |r| format!("{},{}", r.first, r.second));
    println!("updates={rounds} recovered={recovered} inconsistent={inconsistent} first-bad={bad}");
}

/// How long every `hammer` child keeps taking the lock once all of them are taking it.
const OVERLAP: Duration = Duration::from_millis(100);

/// `hammer PATH N`: reports "ready" and waits for a byte on stdin (or its end), so that the N
/// hammers start at the same moment; then takes the lock back to back, with no pause between
/// a release and the next `lock()`, and makes an update in two steps each time, until all N
/// are hammering (each leaves a marker file next to the lock) and [`OVERLAP`] more has
/// passed. Prints the same summary line as `counter`. On two CPUs the hammers' `lock()` calls
/// meet on a free lock again and again; on one CPU the scheduler switches between them at
/// every point of their loop, the middle of `lock()` included, dozens of times.
fn hammer() {
    let args = process::role_args();
    let path = PathBuf::from(&args[0]);
    let lock = open(&args[0]);
    let hammers: usize = args[1].parse().expect("a number of hammers");
    checks::starting_line::wait_for_start();
    process::status("hammering");
    let dir = path.parent().expect("the lock is in a directory");
    std::fs::write(dir.join(format!("hammering-{}", std::process::id())), "")
        .expect("the hammer writes its marker");
    let (mut updates, mut recovered, mut inconsistent) = (0u64, 0u64, 0u64);
    let mut first_bad = None;
    let mut all_hammering_since = None;
    loop {
        for _ in 0..64 {
            let (mut guard, did_recover, seen) = take(&lock);
            if did_recover {
                recovered += 1;
            } else if seen.first != seen.second {
                inconsistent += 1;
                first_bad.get_or_insert(seen);
            }
            guard.first += 1;
            for _ in 0..100 {
                std::hint::spin_loop();
            }
            guard.second += 1;
            drop(guard);
            updates += 1;
            // As long outside the lock as inside: the lock is free half of the time, so the
            // hammers stay awake and keep calling lock() on a free lock together.
            for _ in 0..100 {
                std::hint::spin_loop();
            }
        }
        match all_hammering_since {
            None if hammering(dir) == hammers => all_hammering_since = Some(Instant::now()),
            Some(since) if since.elapsed() >= OVERLAP => break,
            _ => {}
        }
    }
    process::status("done");
    let bad = first_bad.map_or("-".to_owned(), |r| format!("{},{}", r.first, r.second));
    println!("updates={updates} recovered={recovered} inconsistent={inconsistent} first-bad={bad}");
}

/// `latecomer PATH`: waits at the starting line, then makes one update like `counter` and
/// prints its summary line.
fn latecomer() {
    let args = process::role_args();
    let lock = open(&args[0]);
    checks::starting_line::wait_for_start();
    update(&lock, 1);
}

/// How many hammers have left their marker in `dir`.
fn hammering(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| {
                    entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("hammering-")
                })
                .count()
        })
        .unwrap_or(0)
}

/// A counter's summary line.
struct Summary {
    updates: u64,
    recovered: u64,
    inconsistent: u64,
    first_bad: String,
}

/// Waits for a counter child and reads its summary.
fn summary(child: &mut Child) -> Summary {
    child
        .finish(CHILD_BUDGET)
        .unwrap_or_else(|err| process::hang(err));
    let mut out = String::new();
    child
        .take_stdout()
        .expect("the child's stdout is piped")
        .read_to_string(&mut out)
        .expect("the child's stdout reads");
    let field = |name: &str| -> String {
        out.split_whitespace()
            .find_map(|part| part.strip_prefix(&format!("{name}=")).map(str::to_owned))
            .unwrap_or_else(|| panic!("child `{}` printed no summary: {out:?}", child.name()))
    };
    Summary {
        updates: field("updates").parse().expect("a number"),
        recovered: field("recovered").parse().expect("a number"),
        inconsistent: field("inconsistent").parse().expect("a number"),
        first_bad: field("first-bad"),
    }
}

fn assert_consistent(record: Record, when: &str) {
    assert_eq!(
        record.first, record.second,
        "{when}, the record was half-updated: first = {}, second = {}",
        record.first, record.second
    );
}

// --- Sequential checks -----------------------------------------------------------------------

fn new_lock() {
    let path = lock_file(&process::scratch());
    let lock = create(&path);
    {
        let mut guard = match lock.lock() {
            Ok(guard) => guard,
            Err(died) => panic!(
                "lock() on a new lock reported a dead owner (pid {})",
                died.dead_owner()
            ),
        };
        assert_eq!(
            *guard,
            Record::default(),
            "the record of a new lock should read first = 0, second = 0"
        );
        assert_eq!(
            lock.owner(),
            Some(std::process::id()),
            "while this process holds the lock, owner() should be its pid"
        );
        guard.first = 7;
        guard.second = 7;
    }
    assert_eq!(
        lock.owner(),
        None,
        "the guard was dropped, but owner() is not None"
    );
    let guard = lock.lock().unwrap_or_else(|_| {
        panic!("the lock was released normally, yet lock() says its owner died")
    });
    assert_eq!(
        (guard.first, guard.second),
        (7, 7),
        "the record should keep what the last holder wrote"
    );
}

fn open_shares() {
    let path = lock_file(&process::scratch());
    let missing = path.with_file_name("missing.lock");
    assert!(
        RobustLock::open(&missing).is_err(),
        "RobustLock::open on a file that does not exist should fail"
    );
    let created = create(&path);
    let opened = RobustLock::open(&path)
        .unwrap_or_else(|err| panic!("RobustLock::open on a created lock failed: {err}"));
    {
        let mut guard = created
            .lock()
            .unwrap_or_else(|_| panic!("a fresh lock reported a dead owner"));
        guard.first = 3;
        guard.second = 3;
        assert_eq!(
            opened.owner(),
            Some(std::process::id()),
            "the lock is held through one mapping, but owner() through a second mapping of \
             the same file does not say so"
        );
    }
    let guard = opened.lock().unwrap_or_else(|_| {
        panic!("the lock was released normally, yet lock() says its owner died")
    });
    assert_eq!(
        (guard.first, guard.second),
        (3, 3),
        "a record written through one mapping should be seen through another mapping of the \
         same file"
    );
}

fn slow_owner_keeps_the_lock() {
    let path = lock_file(&process::scratch());
    let lock = Arc::new(create(&path));
    let mut child = Child::spawn("holder", &[path.to_str().unwrap(), "700"]);
    child
        .wait_for_status("holding the lock", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    let pid = child.id();
    let (got, record) = lock_within(
        &lock,
        CHILD_BUDGET,
        "a child held the lock for 0.7 s and released it",
        |got, guard| (got, **guard),
    );
    if let Got::OwnerDied(dead) = got {
        panic!(
            "lock() reported that the owner died, but it was child `{}`, alive and only slow: \
             it was holding the lock for 0.7 s, halfway through its update (the record read \
             first = {}, second = {}), and would have released it normally{}",
            child.name(),
            record.first,
            record.second,
            if dead == pid {
                String::new()
            } else {
                format!(" (and dead_owner() names pid {dead}, not the child's pid {pid})")
            }
        );
    }
    assert_consistent(
        record,
        "a slow child held the lock (first half of its update done) and this process got it",
    );
    child
        .finish(CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
}

/// Kill injection: a child dies holding the lock halfway through an update; this process must
/// get `OwnerDied`, repair, and the lock must work normally afterwards.
fn dead_owner_is_noticed(reap: bool) {
    let path = lock_file(&process::scratch());
    let lock = Arc::new(create(&path));
    let mut child = dier_holding(path.to_str().unwrap());
    let pid = child.id();
    child.kill();
    let name = child.name();
    let how = if reap {
        child
            .wait(CHILD_BUDGET)
            .unwrap_or_else(|err| panic!("{err}"));
        format!("child `{name}` was killed holding the lock and reaped")
    } else {
        // Not reaped: the dead child stays a zombie until this process waits for it.
        format!("child `{name}` was killed holding the lock (not yet reaped: a zombie)")
    };
    let (got, before) = lock_within(&lock, NOTICE, &how, |got, guard| {
        let before = **guard;
        guard.first = guard.second;
        guard.first += 1;
        guard.second += 1;
        (got, before)
    });
    match got {
        Got::Free => panic!(
            "{how}, but lock() returned Ok as if the lock had been free, so nobody repairs the \
             record it left half-updated (first = {}, second = {}); it should return \
             Err(OwnerDied)",
            before.first, before.second
        ),
        Got::OwnerDied(dead) => assert_eq!(
            dead, pid,
            "{how}; lock() reported OwnerDied, but dead_owner() says pid {dead}, not the \
             child's pid {pid}"
        ),
    }
    assert_eq!(
        (before.first, before.second),
        (1, 0),
        "{how} after the first half of its update; the record should read first = 1, second = 0"
    );
    let after = free_again(&lock, "the lock was recovered and released normally");
    assert_eq!(
        (after.first, after.second),
        (1, 1),
        "after the repair and one update, the record should read first = 1, second = 1"
    );
    drop(child);
}

fn killed_owner_is_noticed() {
    dead_owner_is_noticed(true);
}

fn zombie_owner_is_noticed() {
    dead_owner_is_noticed(false);
}

// --- Concurrent (stress) checks --------------------------------------------------------------

fn rounds() -> u64 {
    match mode() {
        Mode::Sequential => 200,
        _ => 100,
    }
}

fn three_processes_exclude() {
    let path = lock_file(&process::scratch());
    let lock = Arc::new(create(&path));
    let rounds = rounds();
    let rounds_arg = rounds.to_string();
    let mut children: Vec<Child> = (0..3)
        .map(|_| Child::spawn("counter", &[path.to_str().unwrap(), &rounds_arg]))
        .collect();
    for child in &mut children {
        let seen = summary(child);
        assert_eq!(
            seen.inconsistent,
            0,
            "child `{}` took the lock and found a half-updated record ({} times, first seen \
             first,second = {}): two processes held the lock at once",
            child.name(),
            seen.inconsistent,
            seen.first_bad
        );
        assert_eq!(
            seen.recovered,
            0,
            "no process died, yet lock() reported a dead owner to child `{}`",
            child.name()
        );
    }
    let (_, record) = lock_within(&lock, NOTICE, "every child had finished", |got, guard| {
        (got, **guard)
    });
    assert_eq!(
        (record.first, record.second),
        (3 * rounds, 3 * rounds),
        "3 processes each made {rounds} updates under the lock, so the record should read \
         {total}, {total}: updates were lost, so processes held the lock at once",
        total = 3 * rounds
    );
}

/// Three hammers take the lock back to back for as long as it takes to overlap for
/// [`OVERLAP`] (a fixed number of rounds could end before the next process is scheduled):
/// nobody may find a half update, and every update they count must be in the record.
fn back_to_back_exclude() {
    const HAMMERS: usize = 3;
    let path = lock_file(&process::scratch());
    let lock = Arc::new(create(&path));
    let hammers_arg = HAMMERS.to_string();
    let mut children: Vec<Child> = (0..HAMMERS)
        .map(|_| Child::spawn("hammer", &[path.to_str().unwrap(), &hammers_arg]))
        .collect();
    checks::starting_line::start_together(&mut children, CHILD_BUDGET);
    let mut updates = 0;
    for child in &mut children {
        let seen = summary(child);
        assert_eq!(
            seen.inconsistent,
            0,
            "child `{}` took the lock and found a half-updated record ({} times, first seen \
             first,second = {}): two processes held the lock at once",
            child.name(),
            seen.inconsistent,
            seen.first_bad
        );
        assert_eq!(
            seen.recovered,
            0,
            "no process died, yet lock() reported a dead owner to child `{}`",
            child.name()
        );
        updates += seen.updates;
    }
    let (_, record) = lock_within(&lock, NOTICE, "every child had finished", |got, guard| {
        (got, **guard)
    });
    assert_eq!(
        (record.first, record.second),
        (updates, updates),
        "{HAMMERS} processes took the lock back to back and made {updates} updates under it \
         in all, so the record should read {updates}, {updates}: updates were lost, so \
         processes held the lock at once"
    );
}

/// How many processes come to a dead owner's lock together in [`latecomers_recover_once`].
const LATECOMERS: usize = 3;

/// Waiters that arrive after the state changed: the owner dies and is reaped first, then
/// [`LATECOMERS`] processes call `lock()` at the same moment; exactly one of them may take the
/// lock over (two that both read the dead pid and both write their own would both repair the
/// record and both hold the lock).
fn latecomers_recover_once() {
    for _ in 0..DEATHS {
        latecomers_recover_once_after_a_death();
    }
}

/// How many owners die in one round of [`latecomers_recover_once`], each with its latecomers.
const DEATHS: usize = 4;

fn latecomers_recover_once_after_a_death() {
    let path = lock_file(&process::scratch());
    let lock = Arc::new(create(&path));
    let path = path.to_str().unwrap();
    let mut dier = dier_holding(path);
    dier.kill();
    dier.wait(CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    let mut latecomers: Vec<Child> = (0..LATECOMERS)
        .map(|_| Child::spawn("latecomer", &[path]))
        .collect();
    checks::starting_line::start_together(&mut latecomers, CHILD_BUDGET);
    let mut recovered = 0;
    for latecomer in &mut latecomers {
        let seen = summary(latecomer);
        assert_eq!(
            seen.inconsistent,
            0,
            "child `{}` came to the lock after its owner died and got it normally, but found \
             the dead owner's half update (first,second = {}): it should have been told \
             OwnerDied",
            latecomer.name(),
            seen.first_bad
        );
        recovered += seen.recovered;
    }
    assert_eq!(
        recovered, 1,
        "the owner died holding the lock and {LATECOMERS} processes then called lock() \
         together: exactly one should get OwnerDied and repair the record, but {recovered} did \
         (two that both see the dead pid must not both take the lock over: the take-over must \
         be one compare-and-swap from that pid)"
    );
    let record = free_again(&lock, "every latecomer had finished");
    let total = LATECOMERS as u64;
    assert_eq!(
        (record.first, record.second),
        (total, total),
        "the dead owner's half update was rolled back and {LATECOMERS} processes made one \
         update each, so the record should read {total}, {total}"
    );
}

fn waiters_recover_once() {
    let path = lock_file(&process::scratch());
    let lock = Arc::new(create(&path));
    let path = path.to_str().unwrap();
    let mut dier = dier_holding(path);
    let rounds = 30;
    let rounds_arg = rounds.to_string();
    let mut waiters: Vec<Child> = (0..2)
        .map(|_| Child::spawn("counter", &[path, &rounds_arg]))
        .collect();
    // Let the waiters reach lock() before the owner dies.
    std::thread::sleep(Duration::from_millis(20));
    dier.kill();
    let mut recovered = 0;
    for waiter in &mut waiters {
        let seen = summary(waiter);
        assert_eq!(
            seen.inconsistent,
            0,
            "child `{}` got the lock normally but found a half-updated record (first,second = \
             {}): the dead owner's update was never reported as OwnerDied, or two processes \
             held the lock at once",
            waiter.name(),
            seen.first_bad
        );
        recovered += seen.recovered;
    }
    assert_eq!(
        recovered, 1,
        "one owner died holding the lock, so exactly one later locker should get OwnerDied, \
         but {recovered} did"
    );
    let record = free_again(&lock, "every child had finished");
    assert_eq!(
        (record.first, record.second),
        (2 * rounds, 2 * rounds),
        "the dead owner's half update was rolled back and 2 processes made {rounds} updates \
         each, so the record should read {total}, {total}",
        total = 2 * rounds
    );
}
