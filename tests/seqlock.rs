//! Checks of the `seqlock` kata: a value of several words that writers replace and readers read
//! without a lock.
//!
//! The promises: a read returns a value some write wrote whole (or the initial one), never a mix
//! of two (a torn read); its version is the number of writes finished before that value was
//! written, so the same version always comes with the same value and a thread's versions never
//! go down; writers at once take turns, and every write is counted; and every result is one a
//! plain register gives, one call at a time.

use checks::linearizable::{History, Model, Outcome};
use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::JoinHandle;
use seqlock::SeqLock;

fn main() {
    Checks::new()
        .sequential(
            "a new lock reads its initial value at version 0",
            new_lock_reads_initial_value,
        )
        .sequential(
            "each read returns the last value written, and the version counts the writes",
            reads_return_last_write,
        )
        .sequential(
            "a write on another thread is read whole once that thread is joined",
            write_on_another_thread,
        )
        .concurrent(
            "readers during one writer's writes see whole values, their versions never going down",
            one_writer_whole_values,
        )
        .concurrent(
            "writers at once take turns: every write counted, every value read whole",
            writers_take_turns,
        )
        .only(
            "every result is one a plain register gives, one call at a time",
            &[Mode::Explore, Mode::Stress],
            results_explained_by_a_register,
        )
        .run();
}

/// A value whose words are all `tag`: a read that mixes two writes has words that differ.
fn uniform<const N: usize>(tag: u64) -> [u64; N] {
    [tag; N]
}

/// Fails unless every word of `value` is the same (one write's value, whole).
#[track_caller]
fn assert_whole<const N: usize>(value: &[u64; N], context: &str) {
    assert!(
        value.iter().all(|word| *word == value[0]),
        "{context}: read returned {value:?}, words of different writes (every write wrote all \
         {N} words equal): a torn read, a mix of two values. A read must return one write's \
         value whole"
    );
}

fn new_lock_reads_initial_value() {
    let one = SeqLock::new([7]);
    assert_eq!(
        one.read_versioned(),
        (0, [7]),
        "SeqLock::new([7]).read_versioned() should be (0, [7]): the initial value, no write yet"
    );
    let three = SeqLock::new([1, 2, 3]);
    for attempt in 1..=2 {
        assert_eq!(
            three.read(),
            [1, 2, 3],
            "SeqLock::new([1, 2, 3]).read() should be [1, 2, 3] (attempt {attempt}): reading \
             changes nothing"
        );
        assert_eq!(
            three.read_versioned(),
            (0, [1, 2, 3]),
            "SeqLock::new([1, 2, 3]).read_versioned() should be (0, [1, 2, 3]) (attempt \
             {attempt})"
        );
    }
}

fn reads_return_last_write() {
    fn rounds<const N: usize>() {
        let lock = SeqLock::new([0; N]);
        for write in 1..=5_u64 {
            // Words that differ, so that a word stored in the wrong place shows.
            let value: [u64; N] = std::array::from_fn(|i| write * 100 + i as u64);
            lock.write(value);
            for attempt in 1..=2 {
                assert_eq!(
                    lock.read_versioned(),
                    (write, value),
                    "with {N} word(s), after {write} write(s), the last of {value:?}, \
                     read_versioned() should be ({write}, {value:?}) (attempt {attempt})"
                );
                assert_eq!(
                    lock.read(),
                    value,
                    "with {N} word(s), after write({value:?}), read() should be {value:?} \
                     (attempt {attempt})"
                );
            }
        }
    }
    rounds::<1>();
    rounds::<2>();
    rounds::<5>();
}

fn write_on_another_thread() {
    let lock = Arc::new(SeqLock::new([0; 3]));
    for round in 1..=3_u64 {
        let writer = {
            let lock = Arc::clone(&lock);
            spawn_named("writer", move || lock.write([round, round + 1, round + 2]))
        };
        writer.join().unwrap();
        assert_eq!(
            lock.read_versioned(),
            (round, [round, round + 1, round + 2]),
            "after {round} write(s) on other threads, each joined, the last of [{round}, {}, {}], \
             read_versioned() should return them with version {round}",
            round + 1,
            round + 2
        );
    }
}

/// One writer writes `[1; N]`, `[2; N]`, ... `[writes; N]` while `readers` spawned threads and
/// this thread read `reads` times each: every read is whole, version v comes with `[v; N]` (the
/// v-th write's value), each thread's versions never go down, and after the join the last value
/// is read with version `writes`.
fn one_writer<const N: usize>(writes: u64, readers: usize, reads: usize) {
    let lock = Arc::new(SeqLock::new(uniform::<N>(0)));
    let read_all = move |lock: &SeqLock<N>, who: &str| {
        let mut last = 0;
        for _ in 0..reads {
            let (version, value) = lock.read_versioned();
            let context = format!("{who}, with one writer writing [1; {N}] to [{writes}; {N}]");
            assert_whole(&value, &context);
            assert_eq!(
                value,
                uniform::<N>(version),
                "{context}: read_versioned() returned version {version} with {value:?}, but the \
                 value written by write number {version} is {:?}: a version always comes with \
                 the value its write wrote",
                uniform::<N>(version)
            );
            assert!(
                version >= last,
                "{context}: this thread read version {last}, then version {version}: a later \
                 read never returns an older value"
            );
            last = version;
        }
    };
    let reader_handles: Vec<JoinHandle<()>> = (0..readers)
        .map(|reader| {
            let lock = Arc::clone(&lock);
            let name = format!("reader {reader}");
            spawn_named(name.clone(), move || read_all(&lock, &name))
        })
        .collect();
    let writer = {
        let lock = Arc::clone(&lock);
        spawn_named("writer", move || {
            for tag in 1..=writes {
                lock.write(uniform::<N>(tag));
            }
        })
    };
    read_all(&lock, "main");
    writer.join().unwrap();
    for handle in reader_handles {
        handle.join().unwrap();
    }
    assert_eq!(
        lock.read_versioned(),
        (writes, uniform::<N>(writes)),
        "after the writer wrote [1; {N}] to [{writes}; {N}] and was joined, read_versioned() \
         should return its last value with version {writes}"
    );
}

fn one_writer_whole_values() {
    match mode() {
        Mode::Model => one_writer::<2>(2, 0, 2),
        // Miri interprets every step, about a thousand times slower: a few of each.
        Mode::Miri => one_writer::<2>(3, 1, 3),
        Mode::Explore => {
            one_writer::<1>(6, 1, 6);
            one_writer::<3>(8, 2, 8);
        }
        _ => {
            one_writer::<1>(300, 2, 300);
            one_writer::<4>(300, 2, 300);
            one_writer::<64>(300, 2, 300);
        }
    }
}

/// The value writer `writer` writes in its write number `index` (from 0), all words equal:
/// 1001, 1002, ... for writer 0, 2001, 2002, ... for writer 1.
fn tag(writer: u64, index: u64) -> u64 {
    debug_assert!(index < 999, "a writer writes fewer than 999 values");
    (writer + 1) * 1000 + index + 1
}

/// Writer and index of a tag (`None` for the initial value 0).
fn untag(tag: u64) -> Option<(u64, u64)> {
    (tag != 0).then(|| ((tag / 1000).wrapping_sub(1), (tag % 1000).wrapping_sub(1)))
}

/// `writers` threads write `per_writer` values each at once while `readers` spawned threads and
/// this thread read `reads` times each. Every read is whole and was written (or is the initial
/// value, at version 0 only); the same version comes with the same value in every thread; one
/// writer's later write has a higher version; each thread's versions never go down; after the
/// joins the version counts every write and the value is one writer's last.
fn several_writers<const N: usize>(writers: u64, per_writer: u64, readers: usize, reads: usize) {
    let lock = Arc::new(SeqLock::new(uniform::<N>(0)));
    let total = writers * per_writer;
    let scene = format!("{writers} writers writing {per_writer} value(s) of {N} word(s) each");
    let read_all = {
        let scene = scene.clone();
        move |lock: &SeqLock<N>, who: &str| {
            let mut seen = Vec::with_capacity(reads);
            for _ in 0..reads {
                let (version, value) = lock.read_versioned();
                let context = format!("{who}, with {scene}");
                assert_whole(&value, &context);
                match untag(value[0]) {
                    None => assert_eq!(
                        version, 0,
                        "{context}: read_versioned() returned the initial value with version \
                         {version}; only version 0 comes with the initial value"
                    ),
                    Some((writer, index)) => {
                        assert!(
                            writer < writers && index < per_writer,
                            "{context}: read_versioned() returned {value:?}, which no write wrote"
                        );
                        assert!(
                            (1..=total).contains(&version),
                            "{context}: read_versioned() returned {value:?}, written by writer \
                             {writer}, with version {version}; a written value comes with a \
                             version from 1 to {total}, the number of writes"
                        );
                    }
                }
                if let Some(&(last, _)) = seen.last() {
                    assert!(
                        version >= last,
                        "{context}: this thread read version {last}, then version {version}: a \
                         later read never returns an older value"
                    );
                }
                seen.push((version, value[0]));
            }
            seen
        }
    };
    let reader_handles: Vec<JoinHandle<Vec<(u64, u64)>>> = (0..readers)
        .map(|reader| {
            let (lock, read_all) = (Arc::clone(&lock), read_all.clone());
            let name = format!("reader {reader}");
            spawn_named(name.clone(), move || read_all(&lock, &name))
        })
        .collect();
    let writer_handles: Vec<JoinHandle<()>> = (0..writers)
        .map(|writer| {
            let lock = Arc::clone(&lock);
            spawn_named(format!("writer {writer}"), move || {
                for index in 0..per_writer {
                    lock.write(uniform::<N>(tag(writer, index)));
                }
            })
        })
        .collect();
    let mut seen = read_all(&lock, "main");
    for handle in writer_handles {
        handle.join().unwrap();
    }
    for handle in reader_handles {
        seen.extend(handle.join().unwrap());
    }
    let (version, value) = lock.read_versioned();
    assert_whole(&value, &format!("after the joins, with {scene}"));
    let lasts: Vec<u64> = (0..writers).map(|w| tag(w, per_writer - 1)).collect();
    assert!(
        lasts.contains(&value[0]),
        "after {scene} were joined, read() returned {value:?}, but the value must be one \
         writer's last write (all words one of {lasts:?}): the writes take turns, so the last \
         to finish is some writer's last"
    );
    assert_eq!(
        version, total,
        "after {scene} were joined, {total} writes had finished, so the version should be \
         {total}, but it is {version}: a write was not counted (did two writers get in at once?)"
    );
    seen.push((version, value[0]));
    // Across every thread's reads: one value per version, and one writer's writes in order.
    seen.sort_unstable();
    for pair in seen.windows(2) {
        let ((v1, t1), (v2, t2)) = (pair[0], pair[1]);
        if v1 == v2 {
            assert_eq!(
                t1, t2,
                "with {scene}, two reads returned version {v1}, one with [{t1}; {N}] and one \
                 with [{t2}; {N}]: a version comes with one value, the one its write wrote"
            );
        } else if let (Some((w1, i1)), Some((w2, i2))) = (untag(t1), untag(t2)) {
            assert!(
                w1 != w2 || i1 < i2,
                "with {scene}, writer {w1}'s value number {i1} was read with version {v1} and \
                 its value number {i2} with the higher version {v2}: one writer's later write \
                 comes after its earlier one"
            );
        }
    }
}

fn writers_take_turns() {
    match mode() {
        Mode::Model => several_writers::<2>(2, 1, 0, 2),
        Mode::Miri => several_writers::<2>(2, 2, 1, 3),
        Mode::Explore => {
            several_writers::<1>(2, 4, 1, 6);
            several_writers::<3>(3, 3, 1, 8);
        }
        _ => {
            several_writers::<1>(3, 200, 1, 300);
            several_writers::<4>(3, 200, 2, 300);
            several_writers::<64>(2, 300, 2, 300);
        }
    }
}

/// A register taking one call at a time: a write replaces the value and counts one more
/// version; a read returns both.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Register {
    version: u64,
    value: Vec<u64>,
}

#[derive(Debug, Clone)]
enum RegisterOp {
    Write(Vec<u64>),
    Read,
}

#[derive(Debug, Clone, PartialEq)]
enum RegisterRet {
    Written,
    Read { version: u64, value: Vec<u64> },
}

impl Model for Register {
    type Op = RegisterOp;
    type Ret = RegisterRet;
    fn step(&mut self, op: &RegisterOp) -> RegisterRet {
        match op {
            RegisterOp::Write(value) => {
                self.version += 1;
                self.value.clone_from(value);
                RegisterRet::Written
            }
            RegisterOp::Read => RegisterRet::Read {
                version: self.version,
                value: self.value.clone(),
            },
        }
    }
}

/// `writers` threads write `per_writer` values each and `readers` threads (this one among them)
/// read `reads` times each, every call recorded: some order of the calls, each taking effect at
/// one instant between its call and its return, must give every result on a [`Register`]. So a
/// read that starts after a write returned sees that write or a later one.
fn register_history<const N: usize>(writers: u64, per_writer: u64, readers: usize, reads: usize) {
    let lock = Arc::new(SeqLock::new(uniform::<N>(0)));
    let history: Arc<History<Register>> = Arc::new(History::new());
    let read = |lock: &SeqLock<N>, history: &History<Register>, who: &str| {
        history.call(who, RegisterOp::Read, || {
            let (version, value) = lock.read_versioned();
            RegisterRet::Read {
                version,
                value: value.to_vec(),
            }
        });
    };
    let mut handles: Vec<JoinHandle<()>> = (0..writers)
        .map(|writer| {
            let (lock, history) = (Arc::clone(&lock), Arc::clone(&history));
            let name = format!("writer {writer}");
            spawn_named(name.clone(), move || {
                for index in 0..per_writer {
                    let value = uniform::<N>(tag(writer, index));
                    history.call(&name, RegisterOp::Write(value.to_vec()), || {
                        lock.write(value);
                        RegisterRet::Written
                    });
                }
            })
        })
        .collect();
    handles.extend((1..readers).map(|reader| {
        let (lock, history) = (Arc::clone(&lock), Arc::clone(&history));
        let name = format!("reader {reader}");
        spawn_named(name.clone(), move || {
            for _ in 0..reads {
                read(&lock, &history, &name);
            }
        })
    }));
    for _ in 0..reads {
        read(&lock, &history, "main");
    }
    for handle in handles {
        handle.join().unwrap();
    }
    read(&lock, &history, "main");
    let calls = history.operations().len();
    match history.check(Register {
        version: 0,
        value: uniform::<N>(0).to_vec(),
    }) {
        Outcome::Linearizable => {}
        Outcome::NotLinearizable(why) => panic!(
            "{writers} writers wrote {per_writer} value(s) of {N} word(s) each while \
             {readers} threads read, but no register taking one call at a time gives these \
             results: {why}"
        ),
        Outcome::Undecided => panic!(
            "the history of {calls} calls was too long to decide whether a register explains \
             it: make the check's rounds shorter"
        ),
    }
}

fn results_explained_by_a_register() {
    match mode() {
        Mode::Explore => {
            register_history::<1>(2, 2, 2, 3);
            register_history::<2>(2, 3, 1, 4);
        }
        _ => {
            register_history::<1>(2, 4, 2, 6);
            register_history::<3>(2, 4, 2, 6);
            register_history::<16>(3, 3, 1, 8);
        }
    }
}
