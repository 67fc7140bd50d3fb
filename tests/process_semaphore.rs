//! Checks of the `process_semaphore` kata: the nightclub across processes, a counting semaphore
//! in a shared file mapping.
//!
//! The promises: a new semaphore has `capacity` free places; `try_acquire` on a full semaphore
//! returns `None`; capacity 0 is refused; `open` shares the places between mappings and
//! processes; a process asleep on a full semaphore is woken when another process releases (no
//! lost wakeup); and never more processes hold a permit at once than the capacity.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use harness::check::Checks;
use harness::process::{self, Child};
use memmap2::MmapMut;
use process_semaphore::ProcessSemaphore;

fn main() {
    Checks::new()
        .role("guest", guest)
        .role("waiter", waiter)
        .role("holder", holder)
        .sequential("a new semaphore has capacity free places", new_semaphore)
        .sequential(
            "try_acquire on a full semaphore returns None",
            full_semaphore_refuses,
        )
        .sequential("capacity 0 is refused", capacity_zero_is_refused)
        .sequential("open() shares the places", open_shares)
        .sequential(
            "a process asleep on a full semaphore is woken when another process releases",
            child_is_woken,
        )
        .sequential(
            "this process, asleep on a full semaphore, is woken when a child releases",
            parent_is_woken,
        )
        .concurrent(
            "never more processes inside than the capacity",
            never_overfull,
        )
        .concurrent(
            "every process waiting at a full semaphore gets in (no lost wakeup)",
            every_waiter_gets_in,
        )
        .run();
}

/// How long a child may run.
const CHILD_BUDGET: Duration = Duration::from_secs(4);

/// How long a woken process may take to get in (a correct semaphore needs microseconds).
const WAKE: Duration = Duration::from_millis(2000);

fn create(path: &Path, capacity: u32) -> ProcessSemaphore {
    ProcessSemaphore::create(path, capacity).unwrap_or_else(|err| {
        panic!(
            "ProcessSemaphore::create({}, {capacity}) failed: {err}",
            path.display()
        )
    })
}

fn open(path: &str) -> ProcessSemaphore {
    ProcessSemaphore::open(path)
        .unwrap_or_else(|err| panic!("ProcessSemaphore::open({path}) failed: {err}"))
}

fn assert_available(semaphore: &ProcessSemaphore, expected: u32, when: &str) {
    let available = semaphore.available();
    assert!(
        available == expected,
        "{when}, available() should be {expected}, but it is {available}"
    );
}

/// The check's own counters, shared by its processes through a second file mapping (`std`
/// atomics: the same layout in every process).
struct Gauge {
    map: MmapMut,
}

impl Gauge {
    fn create(path: &Path) -> Gauge {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .expect("the gauge file is created");
        file.set_len(64).expect("the gauge file has room");
        Gauge::map(file)
    }

    fn open(path: &str) -> Gauge {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .expect("the gauge file opens");
        Gauge::map(file)
    }

    fn map(file: std::fs::File) -> Gauge {
        // SAFETY: the file holds only atomics, used atomically by every process.
        let map = unsafe { MmapMut::map_mut(&file) }.expect("the gauge file maps");
        Gauge { map }
    }

    fn counter(&self, index: usize) -> &AtomicU32 {
        assert!(index < 16);
        // SAFETY: the mapping is page-aligned and 64 bytes long; any bits are a valid u32.
        unsafe { &*(self.map.as_ptr() as *const AtomicU32).add(index) }
    }

    /// Processes holding a permit now.
    fn inside(&self) -> &AtomicU32 {
        self.counter(0)
    }

    /// The most processes ever inside at once.
    fn most(&self) -> &AtomicU32 {
        self.counter(1)
    }

    /// How often a process inside saw available() above the capacity.
    fn count_above_capacity(&self) -> &AtomicU32 {
        self.counter(2)
    }
}

// --- Roles (child processes) -----------------------------------------------------------------

/// `guest SEMAPHORE GAUGE ROUNDS`: ROUNDS visits; even visits wait with `acquire`, odd ones
/// try once with `try_acquire`. Prints `entered=N` at the end.
///
/// `guest SEMAPHORE GAUGE together N`: reports "ready" and waits for a byte on stdin (or its
/// end), so that the N guests start at the same moment; then visits until all N are visiting
/// (each leaves a marker file next to the gauge) and [`OVERLAP`] more has passed, as long
/// outside the club as inside. So the guests are all at the door during the same [`OVERLAP`]
/// at least, however the system schedules them.
fn guest() {
    let args = process::role_args();
    let semaphore = open(&args[0]);
    let gauge = Gauge::open(&args[1]);
    let capacity = semaphore.capacity();
    let mut entered = 0;
    if args[2] != "together" {
        let rounds: u32 = args[2].parse().expect("rounds");
        process::status("started");
        for round in 0..rounds {
            entered += u32::from(visit(&semaphore, &gauge, capacity, round));
        }
        println!("entered={entered}");
        return;
    }
    let guests: usize = args[3].parse().expect("a number of guests");
    checks::starting_line::wait_for_start();
    process::status("started");
    let dir = Path::new(&args[1])
        .parent()
        .expect("the gauge is in a directory");
    std::fs::write(dir.join(format!("visiting-{}", std::process::id())), "")
        .expect("the guest writes its marker");
    let mut all_visiting_since = None;
    let mut round = 0;
    loop {
        for _ in 0..64 {
            entered += u32::from(visit(&semaphore, &gauge, capacity, round));
            round += 1;
            for _ in 0..50 {
                std::hint::spin_loop();
            }
        }
        match all_visiting_since {
            None if visiting(dir) == guests => all_visiting_since = Some(Instant::now()),
            Some(since) if since.elapsed() >= OVERLAP => break,
            _ => {}
        }
    }
    println!("entered={entered}");
}

/// How long every guest of `never_overfull` keeps visiting once all of them are visiting.
const OVERLAP: Duration = Duration::from_millis(100);

/// How many guests have left their marker in `dir`.
fn visiting(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with("visiting-"))
                .count()
        })
        .unwrap_or(0)
}

/// One visit: an even `round` waits with `acquire`, an odd one tries once with `try_acquire`;
/// inside, the gauge counts who is inside. Whether it got in.
fn visit(semaphore: &ProcessSemaphore, gauge: &Gauge, capacity: u32, round: u32) -> bool {
    let permit = if round.is_multiple_of(2) {
        Some(semaphore.acquire())
    } else {
        semaphore.try_acquire()
    };
    let Some(permit) = permit else {
        return false;
    };
    let now = gauge.inside().fetch_add(1, Ordering::SeqCst) + 1;
    gauge.most().fetch_max(now, Ordering::SeqCst);
    if semaphore.available() > capacity {
        gauge.count_above_capacity().fetch_add(1, Ordering::SeqCst);
    }
    for _ in 0..50 {
        std::hint::spin_loop();
    }
    gauge.inside().fetch_sub(1, Ordering::SeqCst);
    drop(permit);
    true
}

/// `waiter SEMAPHORE`: says it is about to wait, takes a place, leaves.
fn waiter() {
    let args = process::role_args();
    let semaphore = open(&args[0]);
    process::status("waiting");
    let permit = semaphore.acquire();
    process::status("inside");
    drop(permit);
}

/// `holder SEMAPHORE MILLIS`: takes a place, holds it for MILLIS, releases.
fn holder() {
    let args = process::role_args();
    let semaphore = open(&args[0]);
    let millis: u64 = args[1].parse().expect("milliseconds");
    let permit = semaphore.acquire();
    process::status("inside");
    std::thread::sleep(Duration::from_millis(millis));
    drop(permit);
    process::status("left");
}

// --- Sequential checks -----------------------------------------------------------------------

fn new_semaphore() {
    let path = process::scratch().join("club");
    let club = create(&path, 3);
    assert_eq!(
        club.capacity(),
        3,
        "created with capacity 3, but capacity() is {}",
        club.capacity()
    );
    assert_available(&club, 3, "on a new semaphore of capacity 3");
    let first = club.acquire();
    assert_available(&club, 2, "after one acquire() on a semaphore of capacity 3");
    let second = club.try_acquire();
    assert!(
        second.is_some(),
        "try_acquire() with 2 free places returned None"
    );
    assert_available(&club, 1, "after acquire() and try_acquire() on capacity 3");
    drop(first);
    drop(second);
    assert_available(&club, 3, "after every permit was dropped");
}

fn full_semaphore_refuses() {
    let path = process::scratch().join("club");
    let club = create(&path, 2);
    let first = club.acquire();
    let second = club.acquire();
    assert!(
        club.try_acquire().is_none(),
        "the semaphore (capacity 2) is full, but try_acquire() let a third process in"
    );
    assert_available(
        &club,
        0,
        "after a refused try_acquire() on a full semaphore",
    );
    drop(second);
    let third = club.try_acquire();
    assert!(
        third.is_some(),
        "a permit of a full semaphore was dropped, but try_acquire() still returned None"
    );
    drop(first);
    drop(third);
    assert_available(&club, 2, "after every permit was dropped");
}

fn capacity_zero_is_refused() {
    let dir = process::scratch();
    let smallest = create(&dir.join("one"), 1);
    assert_available(&smallest, 1, "on a new semaphore of capacity 1");
    match ProcessSemaphore::create(dir.join("zero"), 0) {
        Ok(_) => panic!("ProcessSemaphore::create(path, 0) made a semaphore nobody can ever enter; it should return an error"),
        Err(err) => assert_eq!(
            err.kind(),
            std::io::ErrorKind::InvalidInput,
            "create(path, 0) should fail with an error of kind InvalidInput, not {err:?}"
        ),
    }
}

fn open_shares() {
    let dir = process::scratch();
    let path = dir.join("club");
    assert!(
        ProcessSemaphore::open(dir.join("missing")).is_err(),
        "ProcessSemaphore::open on a file that does not exist should fail"
    );
    let created = create(&path, 2);
    let opened = ProcessSemaphore::open(&path).unwrap_or_else(|err| {
        panic!("ProcessSemaphore::open on a created semaphore failed: {err}")
    });
    assert_eq!(
        opened.capacity(),
        2,
        "opened a semaphore of capacity 2, but capacity() says {}",
        opened.capacity()
    );
    let first = created.acquire();
    assert_available(
        &opened,
        1,
        "one place was taken through another mapping of the same file",
    );
    let second = opened.acquire();
    assert!(
        created.try_acquire().is_none(),
        "both places were taken (one through each mapping), but try_acquire() let a third in"
    );
    drop(first);
    drop(second);
    assert_available(&created, 2, "after every permit was dropped");
}

fn child_is_woken() {
    let path = process::scratch().join("club");
    let club = create(&path, 1);
    let permit = club.acquire();
    let mut child = Child::spawn("waiter", &[path.to_str().unwrap()]);
    child
        .wait_for_status("waiting", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    // Give the child time to fall asleep on the full semaphore.
    std::thread::sleep(Duration::from_millis(150));
    assert!(
        !child.statuses().iter().any(|s| s == "inside"),
        "the semaphore (capacity 1) was full, yet child `{}` got in",
        child.name()
    );
    drop(permit);
    child.finish(WAKE).unwrap_or_else(|err| {
        process::hang(format!(
            "this process released the only place of a semaphore a child was waiting on, and \
             the child never got in: {err}"
        ))
    });
    assert_available(&club, 1, "after the child came and left");
}

fn parent_is_woken() {
    let path = process::scratch().join("club");
    let club = Arc::new(create(&path, 1));
    let mut child = Child::spawn("holder", &[path.to_str().unwrap(), "200"]);
    child
        .wait_for_status("inside", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    let (tx, rx) = mpsc::channel();
    let waiting = Arc::clone(&club);
    std::thread::spawn(move || {
        let permit = waiting.acquire();
        drop(permit);
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_millis(200) + WAKE) {
        Ok(()) => {}
        Err(_) => process::hang(format!(
            "a child held the only place for 0.2 s and left, but acquire() in this process had \
             not returned {:.1} s later",
            WAKE.as_secs_f64()
        )),
    }
    child
        .finish(CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_available(&club, 1, "after both processes left");
}

// --- Concurrent (stress) checks --------------------------------------------------------------

/// Starts `guests` guest processes of `rounds` visits each and checks the gauge.
/// How the guests of `run_guests` visit.
#[derive(Clone, Copy)]
enum Visits {
    /// This many visits each.
    Rounds(u32),
    /// From the same starting line, until all have been visiting together for [`OVERLAP`].
    Together,
}

fn run_guests(capacity: u32, guests: usize, visits: Visits, hold_first: bool) {
    let dir = process::scratch();
    let path = dir.join("club");
    let gauge_path = dir.join("gauge");
    let club = create(&path, capacity);
    let gauge = Gauge::create(&gauge_path);
    // Optionally start full, so the first guests find the door shut and sleep.
    let regulars: Vec<_> = if hold_first {
        (0..capacity).map(|_| club.acquire()).collect()
    } else {
        Vec::new()
    };
    let (plan, plan_arg) = match visits {
        Visits::Rounds(rounds) => (format!("its {rounds} visits"), rounds.to_string()),
        Visits::Together => ("its visits".to_owned(), format!("together {guests}")),
    };
    let mut guest_args = vec![path.to_str().unwrap(), gauge_path.to_str().unwrap()];
    guest_args.extend(plan_arg.split(' '));
    let mut children: Vec<Child> = (0..guests)
        .map(|_| Child::spawn("guest", &guest_args))
        .collect();
    if let Visits::Together = visits {
        checks::starting_line::start_together(&mut children, CHILD_BUDGET);
    }
    if hold_first {
        for child in &children {
            child
                .wait_for_status("started", CHILD_BUDGET)
                .unwrap_or_else(|err| panic!("{err}"));
        }
        std::thread::sleep(Duration::from_millis(20));
        drop(regulars);
    }
    let mut entered = 0u32;
    for child in &mut children {
        child.finish(CHILD_BUDGET).unwrap_or_else(|err| {
            process::hang(format!(
                "{guests} processes shared a semaphore of capacity {capacity}, and one never \
                 finished {plan} (asleep on a place that was free?): {err}"
            ))
        });
        let mut out = String::new();
        child
            .take_stdout()
            .expect("piped stdout")
            .read_to_string(&mut out)
            .expect("stdout reads");
        entered += out
            .trim()
            .strip_prefix("entered=")
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or_else(|| panic!("child `{}` printed no summary: {out:?}", child.name()));
    }
    let most = gauge.most().load(Ordering::SeqCst);
    assert!(
        most <= capacity,
        "{most} processes held a permit at once, but the capacity is {capacity}"
    );
    let above = gauge.count_above_capacity().load(Ordering::SeqCst);
    assert_eq!(
        above, 0,
        "processes inside saw available() above the capacity {capacity} ({above} times): the \
         count of free places was corrupted"
    );
    assert_available(&club, capacity, "after every process left");
    assert!(entered > 0, "no process ever got in");
}

fn never_overfull() {
    run_guests(2, 4, Visits::Together, false);
}

fn every_waiter_gets_in() {
    run_guests(1, 3, Visits::Rounds(40), true);
}
