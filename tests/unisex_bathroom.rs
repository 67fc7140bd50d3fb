//! Checks of the `unisex_bathroom` kata: women and men share a bathroom, never at once.
//!
//! The promises: women and men are never inside together; never more than `capacity` inside;
//! people of the same sex do share it; a waiting visitor gets in when it is free (no lost
//! wakeup); a waiting visitor is overtaken only a bounded number of times (no starvation);
//! capacity 0 is refused. Visitors log when they are in and when they leave; the log is judged
//! by `checks::validators::unisex_bathroom`, during the run and once more at the end.

use std::sync::Mutex as StdMutex;

use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use checks::together::Together;
use checks::validators::unisex_bathroom::{
    self as validator, validate, validate_so_far, Event, Step,
};
use harness::check::{mode, Checks, Mode};
use harness::detect::Bypass;
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use unisex_bathroom::{Bathroom, Visitor};

fn main() {
    Checks::new()
        .sequential("one visitor goes in and out again", one_visitor)
        .sequential("people of the same sex share the bathroom", same_sex_shares)
        .sequential(
            "capacity 0 panics with a clear message",
            capacity_zero_panics,
        )
        .concurrent(
            "women and men are never inside together, and never too many",
            never_mixed_never_overfull,
        )
        .concurrent(
            "a waiting man gets in when the women leave",
            waiting_man_gets_in,
        )
        .only(
            "when the women leave, as many waiting men as fit go in together",
            &[Mode::Explore, Mode::Stress],
            waiting_men_go_in_together,
        )
        .only(
            "a man waiting among many women is not overtaken without bound",
            &[Mode::Explore],
            men_do_not_starve,
        )
        .run();
}

fn one_visitor() {
    let bathroom = Bathroom::new(1);
    for visitor in [Visitor::Woman, Visitor::Man, Visitor::Man, Visitor::Woman] {
        let pass = bathroom.enter(visitor);
        drop(pass);
    }
}

fn same_sex_shares() {
    // One thread holds three passes at once: if the bathroom made them wait for each other,
    // this thread would wait for itself.
    let bathroom = Bathroom::new(3);
    let passes: Vec<_> = (0..3).map(|_| bathroom.enter(Visitor::Woman)).collect();
    drop(passes);
    let passes: Vec<_> = (0..3).map(|_| bathroom.enter(Visitor::Man)).collect();
    drop(passes);
}

fn capacity_zero_panics() {
    let _bathroom = Bathroom::new(1);
    assert_refused(
        "Bathroom::new(0)",
        "Bathroom::new(0) returned a bathroom nobody can use; it should panic",
        || Bathroom::new(0),
    );
}

/// The log every visitor writes to: plain std bookkeeping, held only for an instant.
type Log = Arc<StdMutex<Vec<Event>>>;

fn record(log: &Log, capacity: usize, thread: &str, visitor: Visitor, step: Step) {
    let visitor = match visitor {
        Visitor::Woman => validator::Visitor::Woman,
        Visitor::Man => validator::Visitor::Man,
    };
    let verdict = {
        let mut log = log.lock().unwrap();
        log.push(Event::new(thread, visitor, step));
        validate_so_far(&log, capacity)
    };
    if let Err(problem) = verdict {
        panic!("{problem}");
    }
}

/// Visitors and the bathroom, and the log.
struct Building {
    bathroom: Arc<Bathroom>,
    capacity: usize,
    log: Log,
    bypass: Arc<Bypass>,
    threads: Vec<JoinHandle<()>>,
}

impl Building {
    fn new(capacity: usize) -> Self {
        Building {
            bathroom: Arc::new(Bathroom::new(capacity)),
            capacity,
            log: Arc::new(StdMutex::new(Vec::new())),
            bypass: Arc::new(Bypass::new("the bathroom")),
            threads: Vec::new(),
        }
    }

    /// Starts a visitor thread that goes in `visits` times. Each visit starts with a pause
    /// (`yield_now`): between visits a real person does other things. It also keeps the
    /// starvation checks fair under the PCT scheduler (see `fair_rwlock`'s checks).
    fn visitor(&mut self, visitor: Visitor, id: usize, visits: usize) {
        let name = format!(
            "{} {id}",
            if visitor == Visitor::Woman {
                "woman"
            } else {
                "man"
            }
        );
        let (bathroom, log, bypass) = (
            Arc::clone(&self.bathroom),
            Arc::clone(&self.log),
            Arc::clone(&self.bypass),
        );
        let capacity = self.capacity;
        let thread = spawn_named(name.clone(), move || {
            for _ in 0..visits {
                thread::yield_now();
                let waiting = bypass.wait();
                let pass = bathroom.enter(visitor);
                let inside = waiting.enter();
                record(&log, capacity, &name, visitor, Step::Enter);
                // Stay a moment, so that anyone wrongly let in meets this visitor.
                thread::yield_now();
                record(&log, capacity, &name, visitor, Step::Leave);
                drop(inside);
                drop(pass);
            }
        });
        self.threads.push(thread);
    }

    fn finish(self) {
        for thread in self.threads {
            thread.join().unwrap();
        }
        if let Err(problem) = validate(&self.log.lock().unwrap(), self.capacity) {
            panic!("{problem}");
        }
    }
}

fn never_mixed_never_overfull() {
    // Model mode tries every interleaving: two women and a man, one visit each, room for one.
    let (capacity, women, men, visits) = match mode() {
        Mode::Model => (1, 2, 1, 1),
        _ => (2, 3, 3, 3),
    };
    let mut building = Building::new(capacity);
    for id in 0..women {
        building.visitor(Visitor::Woman, id, visits);
    }
    for id in 0..men {
        building.visitor(Visitor::Man, id, visits);
    }
    building.finish();
}

fn waiting_man_gets_in() {
    let bathroom = Arc::new(Bathroom::new(2));
    let women: Vec<_> = (0..2).map(|_| bathroom.enter(Visitor::Woman)).collect();
    let man = {
        let bathroom = Arc::clone(&bathroom);
        spawn_named("man 0", move || drop(bathroom.enter(Visitor::Man)))
    };
    // The man may already be waiting; the women leaving must let him in.
    drop(women);
    man.join().unwrap();
}

fn men_do_not_starve() {
    // The sexes play the same part in every design; one direction is enough.
    let mut building = Building::new(3);
    for id in 0..3 {
        building.visitor(Visitor::Woman, id, 10);
    }
    building.visitor(Visitor::Man, 0, 3);
    building.finish();
}

/// A bathroom of capacity 2 (then 3) full of women, with as many men waiting; the women leave.
/// Each man stays until all the men are in: every one of them must get in, the second in line
/// as well as the first (a wake spent before the first went in must not leave the next one
/// asleep by a free place).
fn waiting_men_go_in_together() {
    for capacity in [2, 3] {
        let bathroom = Arc::new(Bathroom::new(capacity));
        let together = Arc::new(Together::new(capacity, "men"));
        let women: Vec<_> = (0..capacity)
            .map(|_| bathroom.enter(Visitor::Woman))
            .collect();
        let men: Vec<JoinHandle<()>> = (0..capacity)
            .map(|id| {
                let (bathroom, together) = (Arc::clone(&bathroom), Arc::clone(&together));
                spawn_named(format!("man {id}"), move || {
                    let _pass = bathroom.enter(Visitor::Man);
                    together.arrive_and_stay();
                })
            })
            .collect();
        drop(women);
        for man in men {
            man.join().unwrap();
        }
    }
}
