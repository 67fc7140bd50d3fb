//! Checks of the `shared_counter` kata: a `u64` counter in a file mapping, shared by processes.
//!
//! The promises: a new counter reads zero; `add` returns the value before and `get` the sum;
//! the value lives in the file (it survives reopening, and two counters on one file are one
//! counter); children that open the file add to the same counter; and 4 processes adding at
//! the same time lose nothing (stress rounds). The children are this binary in the role
//! `adder`; every file is in a fresh `harness::process::scratch()` directory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use harness::check::{Checks, Mode};
use harness::process::{self, Child};
use shared_counter::SharedCounter;

fn main() {
    Checks::new()
        .role("adder", adder)
        .sequential("a new counter reads zero", new_counter_reads_zero)
        .sequential(
            "add returns the value before, get the sum",
            add_returns_value_before,
        )
        .sequential(
            "the value lives in the file: it survives reopening",
            survives_reopening,
        )
        .sequential(
            "two counters on the same file are one counter",
            two_counters_one_file,
        )
        .sequential("create resets an existing file to zero", create_resets)
        .sequential("open of a missing file is an Err", open_missing_is_err)
        .sequential(
            "children that count one after another: every add counts",
            children_one_after_another,
        )
        .only(
            "4 processes increment at once, overlapping for 40 ms: no increment is lost",
            &[Mode::Stress],
            four_processes_at_once,
        )
        .run();
}

/// The child: `adder PATH COUNT` opens the counter at PATH and adds 1 COUNT times.
///
/// `adder PATH together N` reports "ready" and waits for a byte on stdin (or its end), so that
/// the N children start at the same moment; then it adds 1 again and again, until every one of
/// the N children has started adding (each leaves a marker file next to the counter) and
/// [`OVERLAP`] more has passed, and prints how many times it added on stdout. So the N children
/// are all adding during the same [`OVERLAP`] at least, however the system schedules them: on
/// two CPUs their adds interleave, and on one CPU the scheduler switches between them
/// mid-loop, again and again.
fn adder() {
    let args = process::role_args();
    let path = PathBuf::from(&args[0]);
    let counter = SharedCounter::open(&path)
        .unwrap_or_else(|err| panic!("open({}) failed in the child: {err}", path.display()));
    if args[1] != "together" {
        let count: u64 = args[1].parse().expect("a count");
        process::status("adding");
        for _ in 0..count {
            counter.add(1);
        }
        process::status("done");
        return;
    }
    let children: usize = args[2].parse().expect("a number of children");
    checks::starting_line::wait_for_start();
    process::status("adding");
    let dir = path.parent().expect("the counter is in a directory");
    fs::write(dir.join(format!("adding-{}", std::process::id())), "")
        .expect("the child writes its marker");
    let mut added = 0u64;
    let mut all_adding_since = None;
    loop {
        for _ in 0..1024 {
            counter.add(1);
        }
        added += 1024;
        match all_adding_since {
            None if adding(dir) == children => all_adding_since = Some(Instant::now()),
            Some(since) if since.elapsed() >= OVERLAP => break,
            _ => {}
        }
    }
    process::status("done");
    println!("{added}");
}

/// How long every child of `four_processes_at_once` keeps adding once all of them are adding.
const OVERLAP: Duration = Duration::from_millis(40);

/// How many children have left their "adding" marker in `dir`.
fn adding(dir: &Path) -> usize {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with("adding-"))
                .count()
        })
        .unwrap_or(0)
}

/// A fresh file path for a counter.
fn counter_path() -> PathBuf {
    process::scratch().join("counter")
}

fn create(path: &Path) -> SharedCounter {
    SharedCounter::create(path)
        .unwrap_or_else(|err| panic!("create({}) failed: {err}", path.display()))
}

fn open(path: &Path) -> SharedCounter {
    SharedCounter::open(path).unwrap_or_else(|err| {
        panic!(
            "open({}) of a created counter failed: {err}",
            path.display()
        )
    })
}

fn new_counter_reads_zero() {
    let counter = create(&counter_path());
    assert_eq!(counter.get(), 0, "a new counter's get() should be 0");
}

fn add_returns_value_before() {
    let counter = create(&counter_path());
    assert_eq!(
        counter.add(1),
        0,
        "the first add(1) should return 0, the value before"
    );
    assert_eq!(counter.add(41), 1, "add(41) after add(1) should return 1");
    assert_eq!(
        counter.get(),
        42,
        "after add(1) and add(41), get() should be 42"
    );
    assert_eq!(
        counter.add(0),
        42,
        "add(0) should return 42 and change nothing"
    );
    let big = 1u64 << 40;
    counter.add(big);
    assert_eq!(
        counter.get(),
        42 + big,
        "after adding 2^40 to 42, get() should be {}",
        42 + big
    );
}

fn survives_reopening() {
    let path = counter_path();
    // Each counter is dropped at the end of its block: its mapping is gone, the file stays.
    {
        create(&path).add(5);
    }
    {
        let reopened = open(&path);
        assert_eq!(
            reopened.get(),
            5,
            "a counter was created, 5 was added, it was dropped and opened again: get() should \
             be 5"
        );
        reopened.add(2);
    }
    assert_eq!(
        open(&path).get(),
        7,
        "after reopening and adding 2 more, a third open should read 7"
    );
}

fn two_counters_one_file() {
    let path = counter_path();
    let first = create(&path);
    let second = open(&path);
    first.add(3);
    assert_eq!(
        second.get(),
        3,
        "two counters were opened on one file and the first added 3, but the second reads {}: \
         the value must live in the shared mapping, not in each process's (or object's) memory",
        second.get()
    );
    second.add(4);
    assert_eq!(
        first.get(),
        7,
        "then the second added 4, but the first reads {} instead of 7",
        first.get()
    );
}

fn create_resets() {
    let path = counter_path();
    create(&path).add(9);
    let again = create(&path);
    assert_eq!(
        again.get(),
        0,
        "create() over a file that held 9 should start the counter at 0"
    );
}

fn open_missing_is_err() {
    let path = process::scratch().join("no-such-counter");
    assert!(
        SharedCounter::open(&path).is_err(),
        "open() of a file that does not exist should be an Err"
    );
}

/// Waits for `child` to succeed, or fails the check with what it was doing.
fn finish(child: &mut Child) {
    child
        .finish(Duration::from_secs(20))
        .unwrap_or_else(|err| panic!("{err}"));
}

fn children_one_after_another() {
    let path = counter_path();
    let counter = create(&path);
    counter.add(1);
    let path_arg = path.to_str().expect("a UTF-8 scratch path");
    for _ in 0..2 {
        let mut child = Child::spawn("adder", &[path_arg, "1000"]);
        finish(&mut child);
    }
    counter.add(1);
    assert_eq!(
        counter.get(),
        2002,
        "this process added 1, two children (one after the other) opened the file and each \
         added 1 a thousand times, then this process added 1: the counter should be 2002, but \
         it is {}",
        counter.get()
    );
}

/// Four children add at the same time, each for as long as it takes to overlap with all the
/// others for [`OVERLAP`] (not a fixed count, which a fast child could finish before the next
/// one is scheduled): every add they report must be in the counter.
fn four_processes_at_once() {
    const CHILDREN: usize = 4;
    let path = counter_path();
    let counter = create(&path);
    let path_arg = path.to_str().expect("a UTF-8 scratch path");
    let children_arg = CHILDREN.to_string();
    let mut children: Vec<Child> = (0..CHILDREN)
        .map(|_| Child::spawn("adder", &[path_arg, "together", &children_arg]))
        .collect();
    checks::starting_line::start_together(&mut children, Duration::from_secs(20));
    let mut added = Vec::with_capacity(CHILDREN);
    for child in &mut children {
        finish(child);
        let mut said = String::new();
        child
            .take_stdout()
            .expect("the child's stdout is piped")
            .read_to_string(&mut said)
            .expect("the child's stdout is readable");
        added.push(
            said.trim()
                .parse::<u64>()
                .unwrap_or_else(|_| panic!("a child said {said:?} instead of its count of adds")),
        );
    }
    let expected: u64 = added.iter().sum();
    let total = counter.get();
    assert_eq!(
        total,
        expected,
        "{CHILDREN} processes added 1 to the shared counter at the same time, {added:?} times \
         each, so it should be {expected}, but it is {total}: {} increments were lost (an add \
         that is not one atomic read-modify-write)",
        expected.saturating_sub(total)
    );
}
