//! Checks of the `cigarette_smokers` kata: an agent puts two of three ingredients on the table,
//! and the smoker who holds the third makes a cigarette.
//!
//! The promises: each round, exactly the smoker who holds the missing ingredient takes the two on
//! the table, and only when both lie there; no ingredient is put on a table that already holds it,
//! and the agent starts a round only after the last cigarette was made; and nobody gets stuck (the
//! book's first attempt deadlocks). The checks record the table's history (the agent's `put` and
//! the smokers' `take` closures run while nobody else touches the table) and replay it with
//! `checks::validators::cigarette_smokers::validate`.

use std::sync::Mutex as StdMutex;

use checks::threads::spawn_named;
use checks::validators::cigarette_smokers::{validate, validate_so_far, Item, Step};
use cigarette_smokers::{Ingredient, Table};
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;

fn main() {
    Checks::new()
        .sequential("a smoker who finds both ingredients smokes", rounds_in_turn)
        .concurrent(
            "the right smoker smokes, one round after another",
            rounds_with_every_smoker,
        )
        .concurrent(
            "two smokers hold each ingredient: one of them smokes each round",
            two_smokers_per_ingredient,
        )
        .run();
}

/// The table's history. A std lock, held only for the instant of a push, never across a call
/// into the kata.
type Log = Arc<StdMutex<Vec<Step>>>;

fn item(ingredient: Ingredient) -> Item {
    match ingredient {
        Ingredient::Tobacco => Item::Tobacco,
        Ingredient::Paper => Item::Paper,
        Ingredient::Matches => Item::Matches,
    }
}

fn record(log: &Log, step: Step) {
    log.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(step);
}

/// The agent runs one round per entry of `missing`; `per_ingredient` smokers hold each
/// ingredient, and together they make as many cigarettes as there are rounds without it (shared
/// out as evenly as possible). Checks the table's history.
fn session(missing: &[Ingredient], per_ingredient: usize) {
    let table = Arc::new(Table::new());
    let log: Log = Arc::new(StdMutex::new(Vec::new()));
    // Smokers with no round to smoke stay home.
    let smokers: Vec<_> = Ingredient::ALL
        .into_iter()
        .flat_map(|has| {
            let rounds = missing.iter().filter(|&&m| m == has).count();
            (0..per_ingredient).map(move |i| {
                let share = rounds / per_ingredient + usize::from(i < rounds % per_ingredient);
                (has, i, share)
            })
        })
        .filter(|&(_, _, share)| share > 0)
        .map(|(has, i, share)| {
            let (table, log) = (Arc::clone(&table), Arc::clone(&log));
            let name = match i {
                0 => format!("smoker with {}", item(has)),
                _ => format!("smoker {} with {}", i + 1, item(has)),
            };
            spawn_named(name, move || {
                for _ in 0..share {
                    table.smoker(has, || record(&log, Step::Take(item(has))));
                }
            })
        })
        .collect();
    let agent = {
        let (table, log) = (Arc::clone(&table), Arc::clone(&log));
        let missing = missing.to_vec();
        spawn_named("agent", move || {
            for round in missing {
                table.agent(round, |put| {
                    record(&log, Step::Put(item(put)));
                    // Every put must keep the table's promises at once.
                    let so_far = log.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    if let Err(broken) = validate_so_far(&so_far) {
                        panic!("{broken}");
                    }
                });
            }
        })
    };
    for smoker in smokers {
        smoker.join().unwrap();
    }
    agent.join().unwrap();
    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|p| p.into_inner()));
    if let Err(broken) = validate(&log) {
        panic!("{broken}");
    }
    let takes = log
        .iter()
        .filter(|step| matches!(step, Step::Take(_)))
        .count();
    assert_eq!(
        takes,
        missing.len(),
        "the agent ran {} round(s), but {takes} cigarette(s) were made",
        missing.len()
    );
}

fn rounds_in_turn() {
    // One smoker at a time, who comes to the table only once both ingredients lie on it: no
    // interleaving matters here (this check runs on real threads).
    for missing in Ingredient::ALL {
        let table = Arc::new(Table::new());
        let log: Log = Arc::new(StdMutex::new(Vec::new()));
        let (down, both_down) = std::sync::mpsc::channel();
        let agent = {
            let (table, log) = (Arc::clone(&table), Arc::clone(&log));
            spawn_named("agent", move || {
                table.agent(missing, |put| {
                    record(&log, Step::Put(item(put)));
                    down.send(()).ok();
                })
            })
        };
        for _ in 0..2 {
            both_down
                .recv()
                .expect("the agent should put two ingredients on the table");
        }
        table.smoker(missing, || record(&log, Step::Take(item(missing))));
        agent.join().unwrap();
        let log = std::mem::take(&mut *log.lock().unwrap_or_else(|p| p.into_inner()));
        if let Err(broken) = validate(&log) {
            panic!("{broken}");
        }
        assert_eq!(
            log.len(),
            3,
            "one round for the smoker with {}: two puts and one take, but the log is {log:?}",
            item(missing)
        );
    }
}

fn rounds_with_every_smoker() {
    use Ingredient::{Matches, Paper, Tobacco};
    let missing: Vec<Ingredient> = match mode() {
        // Tobacco and paper go down first, and the smoker with tobacco (who lacks paper and
        // matches) and the smoker with matches (who lacks tobacco and paper) both reach for them.
        Mode::Model => vec![Matches, Tobacco],
        Mode::Explore => vec![
            Matches, Tobacco, Paper, Paper, Matches, Tobacco, Tobacco, Matches,
        ],
        _ => [Matches, Tobacco, Paper].repeat(30),
    };
    session(&missing, 1);
}

/// Two smokers hold each ingredient, and both wait at the table at once: both may see the two
/// ingredients they lack, but only one may take them, so a smoker must look and take in one
/// step. Each round's cigarette is made once, and the agent's next round finds the table empty.
fn two_smokers_per_ingredient() {
    use Ingredient::{Matches, Paper, Tobacco};
    let missing: Vec<Ingredient> = match mode() {
        // Both smokers with matches reach for the first round's tobacco and paper.
        Mode::Model => vec![Matches, Matches],
        Mode::Explore => vec![Matches, Tobacco, Tobacco, Paper, Matches, Paper],
        _ => [Matches, Tobacco, Paper].repeat(20),
    };
    session(&missing, 2);
}
