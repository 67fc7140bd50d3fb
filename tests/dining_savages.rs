//! Checks of the `dining_savages` kata: savages eat from a pot that one cook refills.
//!
//! The promises: the cook fills only an empty pot; no savage takes from an empty pot; a savage who
//! finds the pot empty gets the cook to fill it, and every hungry savage is fed once there is
//! stew (no lost wakeup). The checks record the pot's history (the cook's `fill` and the savages'
//! `take` closures run while nobody else touches the pot) and replay it with
//! `checks::validators::dining_savages::validate`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex as StdMutex;

use checks::threads::spawn_named;
use checks::validators::dining_savages::{validate, Event, Step};
use dining_savages::Pot;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread;

fn main() {
    Checks::new()
        .sequential("a savage and the cook share a pot", one_savage_and_the_cook)
        .sequential("a pot of 0 servings panics", zero_servings_panics)
        .concurrent(
            "a savage at an empty pot gets the cook to fill it",
            savage_wakes_the_cook,
        )
        .concurrent(
            "every savage is fed, and the cook fills only an empty pot",
            everyone_is_fed,
        )
        .run();
}

/// The pot's history, as the closures record it. A std lock, held only for the instant of a
/// push, never across a call into the kata.
type Log = Arc<StdMutex<Vec<Event>>>;

fn record(log: &Log, step: Step) {
    let thread = thread::current().name().unwrap_or("main").to_owned();
    log.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(Event::new(thread, step));
}

/// A pot of `servings`, a cook who fills it `fills` times, and `savages` savages who eat `meals`
/// servings each (`fills * servings == savages * meals`: every serving is eaten, and the last
/// fill is needed). Checks the pot's history and returns it.
fn feast(servings: usize, fills: usize, savages: usize, meals: usize) -> Vec<Event> {
    assert_eq!(
        fills * servings,
        savages * meals,
        "the scenario must add up"
    );
    let pot = Arc::new(Pot::new(servings));
    let log: Log = Arc::new(StdMutex::new(Vec::new()));
    let cook = {
        let (pot, log) = (Arc::clone(&pot), Arc::clone(&log));
        spawn_named("cook", move || {
            for _ in 0..fills {
                pot.cook(|| record(&log, Step::Fill));
            }
        })
    };
    let eaters: Vec<_> = (0..savages)
        .map(|id| {
            let (pot, log) = (Arc::clone(&pot), Arc::clone(&log));
            spawn_named(format!("savage {id}"), move || {
                for _ in 0..meals {
                    pot.get_serving(|| record(&log, Step::Take));
                }
            })
        })
        .collect();
    for eater in eaters {
        eater.join().unwrap();
    }
    cook.join().unwrap();
    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|p| p.into_inner()));
    if let Err(broken) = validate(&log, servings) {
        panic!("{broken}");
    }
    let count = |step| log.iter().filter(|event| event.step == step).count();
    let (filled, taken) = (count(Step::Fill), count(Step::Take));
    assert_eq!(
        (filled, taken),
        (fills, savages * meals),
        "the cook cooked {fills} time(s) and {savages} savage(s) ate {meals} serving(s) each, \
         but the fill closure ran {filled} time(s) and the take closure {taken} time(s)"
    );
    log
}

fn one_savage_and_the_cook() {
    feast(3, 2, 1, 6);
}

fn zero_servings_panics() {
    let made = catch_unwind(AssertUnwindSafe(|| {
        let _pot = Pot::new(0);
    }));
    if let Err(payload) = &made {
        // A `todo!()` is not the promised panic: let it through as such.
        let message = payload.downcast_ref::<String>().map(String::as_str);
        if message.is_some_and(|m| m.starts_with("not yet implemented")) {
            std::panic::resume_unwind(made.unwrap_err());
        }
    }
    assert!(
        made.is_err(),
        "Pot::new(0) should panic: a refill of 0 servings feeds nobody, but it returned a pot"
    );
}

fn savage_wakes_the_cook() {
    // The cook may be asleep before the savage arrives, or arrive after the savage called.
    feast(2, 1, 1, 2);
}

fn everyone_is_fed() {
    let (servings, fills, savages, meals) = match mode() {
        Mode::Model => (1, 2, 2, 1),
        Mode::Explore => (3, 4, 3, 4),
        _ => (3, 100, 3, 100),
    };
    feast(servings, fills, savages, meals);
}
