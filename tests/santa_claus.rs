//! Checks of the `santa_claus` kata: Santa serves either all his reindeer or a group of elves.
//!
//! The promises: Santa prepares the sleigh only when all the reindeer are back, and the
//! reindeer are hitched only in that round, once `prepare_sleigh` returned; he helps elves only
//! when a whole group asks, and once `help_elves` returned exactly that many elves get help in
//! the round: no extra elf joins a group being helped, nor one who asked after the round began;
//! a round ends only when its whole team has been served; nobody is left waiting (no lost
//! wakeup); 0 reindeer or groups of 0 elves are refused. Everybody logs what they do; the log is
//! judged by `checks::validators::santa_claus`, during the run and once more at the end.

use std::sync::Mutex as StdMutex;
use std::time::Duration;

use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use checks::validators::santa_claus::{validate, validate_so_far, Event, Step};
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use santa_claus::Workshop;

fn main() {
    Checks::new()
        .sequential("a workshop can be built", workshop_can_be_built)
        .sequential(
            "0 reindeer or groups of 0 elves panic with a clear message",
            zero_panics,
        )
        .sequential(
            "the reindeer go first when elves wait too",
            reindeer_go_first,
        )
        .concurrent("the reindeer are hitched once all are back", sleigh_round)
        .concurrent("elves get help in whole groups", elf_rounds)
        .only(
            "a whole season: reindeer and elves together",
            &[Mode::Explore, Mode::Stress],
            season,
        )
        .run();
}

/// The log everybody writes to: plain std bookkeeping, held only for an instant.
type Log = Arc<StdMutex<Vec<Event>>>;

/// A moment's pause that lets other threads run, outside model mode.
fn pause() {
    if mode() != Mode::Model {
        thread::yield_now();
    }
}

/// How long Santa's closures take in sequential mode: on one CPU, long enough for every reindeer
/// or elf that was already called to run meanwhile, so that one served before Santa is ready
/// shows it every run.
const SANTA_BUSY: Duration = Duration::from_millis(10);

/// Santa's closures take a moment: [`SANTA_BUSY`] in sequential mode, a yield under explore and
/// stress, nothing under the model checker (it tries every interleaving anyway).
fn santa_busy() {
    match mode() {
        Mode::Sequential => std::thread::sleep(SANTA_BUSY),
        Mode::Model => {}
        _ => thread::yield_now(),
    }
}

fn workshop_can_be_built() {
    let _workshop = Workshop::new(1, 1);
    let _workshop = Workshop::new(9, 3);
}

fn zero_panics() {
    let _workshop = Workshop::new(1, 1);
    for (reindeer, group) in [(0, 3), (9, 0)] {
        assert_refused(
            &format!("Workshop::new({reindeer}, {group})"),
            &format!(
                "Workshop::new({reindeer}, {group}) returned a workshop where Santa has nobody \
                 to wait for; it should panic"
            ),
            || Workshop::new(reindeer, group),
        );
    }
}

fn reindeer_go_first() {
    // Everybody arrives and is in line (as `waiting()` tells) before Santa wakes up.
    let mut pole = NorthPole::new(3, 2);
    pole.elves(1);
    pole.reindeer();
    while pole.workshop.waiting() != (3, 2) {
        thread::yield_now();
    }
    let first = Arc::new(StdMutex::new(None));
    let record = pole.recorder();
    pole.workshop.santa_round(
        || {
            *first.lock().unwrap() = Some("prepared the sleigh");
            record("Santa", Step::PrepareSleigh);
            record("Santa", Step::Ready);
        },
        || {
            *first.lock().unwrap() = Some("helped the elves");
            record("Santa", Step::HelpElves);
            record("Santa", Step::Ready);
        },
    );
    record("Santa", Step::RoundOver);
    // Serve the other round, so that nobody is left waiting, then judge.
    pole.rounds -= 1;
    pole.santa();
    let first = first.lock().unwrap().take();
    assert_eq!(
        first,
        Some("prepared the sleigh"),
        "all 3 reindeer and a group of 2 elves were waiting when Santa woke up, and he {} \
         first: the reindeer have priority, so he must prepare the sleigh first",
        first.unwrap_or("did neither")
    );
}

/// A workshop, its reindeer and elves, each a thread, and the log.
struct NorthPole {
    workshop: Arc<Workshop>,
    reindeer: usize,
    group: usize,
    log: Log,
    threads: Vec<JoinHandle<()>>,
    /// Rounds Santa has to serve: one for the reindeer, one per group of elves.
    rounds: usize,
    elves: usize,
}

impl NorthPole {
    fn new(reindeer: usize, group: usize) -> Self {
        NorthPole {
            workshop: Arc::new(Workshop::new(reindeer, group)),
            reindeer,
            group,
            log: Arc::new(StdMutex::new(Vec::new())),
            threads: Vec::new(),
            rounds: 0,
            elves: 0,
        }
    }

    /// A recorder for the log: appends one line and judges the log so far; a broken promise
    /// fails the check at once, in the thread that saw it.
    fn recorder(&self) -> impl Fn(&str, Step) + Send + 'static {
        let (log, reindeer, group) = (Arc::clone(&self.log), self.reindeer, self.group);
        move |thread, step| {
            let verdict = {
                let mut log = log.lock().unwrap();
                log.push(Event::new(thread, step));
                validate_so_far(&log, reindeer, group)
            };
            if let Err(problem) = verdict {
                panic!("{problem}");
            }
        }
    }

    /// Starts every reindeer: each comes back once and gets hitched.
    fn reindeer(&mut self) {
        for id in 0..self.reindeer {
            let name = format!("reindeer {id}");
            let (workshop, record) = (Arc::clone(&self.workshop), self.recorder());
            let thread = spawn_named(name.clone(), move || {
                record(&name, Step::Arrive);
                workshop.reindeer_back(|| {
                    pause();
                    record(&name, Step::Hitch);
                });
            });
            self.threads.push(thread);
        }
        self.rounds += 1;
    }

    /// Starts `groups` groups' worth of elves: each asks for help once.
    fn elves(&mut self, groups: usize) {
        for id in self.elves..self.elves + groups * self.group {
            let name = format!("elf {id}");
            let (workshop, record) = (Arc::clone(&self.workshop), self.recorder());
            let thread = spawn_named(name.clone(), move || {
                record(&name, Step::Ask);
                workshop.elf_needs_help(|| {
                    pause();
                    record(&name, Step::GetHelp);
                });
            });
            self.threads.push(thread);
        }
        self.elves += groups * self.group;
        self.rounds += groups;
    }

    /// Plays Santa on this thread for every round, joins everybody, then judges the whole log.
    /// Santa's closures take a moment ([`santa_busy`]), so that a reindeer or an elf served
    /// before he is ready gets the time to show it.
    fn santa(self) {
        let record = self.recorder();
        let closure = |step| {
            record("Santa", step);
            santa_busy();
            record("Santa", Step::Ready);
        };
        for _ in 0..self.rounds {
            self.workshop
                .santa_round(|| closure(Step::PrepareSleigh), || closure(Step::HelpElves));
            record("Santa", Step::RoundOver);
        }
        for thread in self.threads {
            thread.join().unwrap();
        }
        let log = self.log.lock().unwrap();
        if let Err(problem) = validate(&log, self.reindeer, self.group) {
            panic!("{problem}");
        }
    }
}

fn sleigh_round() {
    // Model mode tries every interleaving, so it gets two reindeer.
    let reindeer = match mode() {
        Mode::Model => 2,
        Mode::Stress => 9,
        _ => 4,
    };
    let mut pole = NorthPole::new(reindeer, 3);
    pole.reindeer();
    pole.santa();
}

fn elf_rounds() {
    // Model mode tries every interleaving, so it gets two elves helped one at a time: enough
    // for the second to try to join the first one's round.
    let (group, groups) = match mode() {
        Mode::Model => (1, 2),
        Mode::Stress => (3, 3),
        _ => (2, 2),
    };
    let mut pole = NorthPole::new(9, group);
    pole.elves(groups);
    pole.santa();
}

fn season() {
    let (reindeer, group, groups) = match mode() {
        Mode::Stress => (9, 3, 3),
        _ => (3, 2, 2),
    };
    let mut pole = NorthPole::new(reindeer, group);
    pole.elves(1);
    pole.reindeer();
    pole.elves(groups - 1);
    pole.santa();
}
