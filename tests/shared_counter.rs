//! Checks of the `shared_counter` kata: a `u64` counter in a file mapping, shared by processes.
//!
//! The promises: a new counter reads zero; `add` returns the value before and `get` the sum;
//! the value lives in the file (it survives reopening, and two counters on one file are one
//! counter); children that open the file add to the same counter; and 4 processes adding at
//! the same time lose nothing (stress rounds). The children are this binary in the role
//! `adder`; every file is in a fresh `harness::process::scratch()` directory.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
            "4 processes x 10,000 increments at once: exactly 40,000",
            &[Mode::Stress],
            four_processes_at_once,
        )
        .run();
}

/// The child: `adder PATH COUNT [go]` opens the counter at PATH and adds 1 COUNT times; with
/// `go`, it first reports "ready" and waits for a byte on stdin, so that every child starts
/// adding at the same moment.
fn adder() {
    let args = process::role_args();
    let path = PathBuf::from(&args[0]);
    let count: u64 = args[1].parse().expect("a count");
    let counter = SharedCounter::open(&path)
        .unwrap_or_else(|err| panic!("open({}) failed in the child: {err}", path.display()));
    if args.get(2).map(String::as_str) == Some("go") {
        process::status("ready");
        let mut go = [0u8; 1];
        let _ = std::io::stdin().read(&mut go);
    }
    process::status("adding");
    for _ in 0..count {
        counter.add(1);
    }
    process::status("done");
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

fn four_processes_at_once() {
    const CHILDREN: usize = 4;
    const EACH: u64 = 10_000;
    let path = counter_path();
    let counter = create(&path);
    let path_arg = path.to_str().expect("a UTF-8 scratch path");
    let each = EACH.to_string();
    let mut children: Vec<Child> = (0..CHILDREN)
        .map(|_| Child::spawn("adder", &[path_arg, &each, "go"]))
        .collect();
    for child in &children {
        child
            .wait_for_status("ready", Duration::from_secs(20))
            .unwrap_or_else(|err| panic!("{err}"));
    }
    // Go: closing each child's stdin wakes it; they all add at the same time.
    for child in &mut children {
        drop(child.take_stdin());
    }
    for child in &mut children {
        finish(child);
    }
    let total = counter.get();
    assert_eq!(
        total,
        CHILDREN as u64 * EACH,
        "{CHILDREN} processes each added 1 to the shared counter {EACH} times at the same time, \
         so it should be {}, but it is {total}: {} increments were lost (an add that is not one \
         atomic read-modify-write)",
        CHILDREN as u64 * EACH,
        (CHILDREN as u64 * EACH).saturating_sub(total)
    );
}
