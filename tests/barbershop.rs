//! Checks of the `barbershop` kata: a barber, a waiting room, and first come, first served.
//!
//! The promises: customers get their haircuts in the order they sat down; the barber cuts one
//! head at a time, and only when someone sat down; a customer who finds every chair taken leaves
//! at once (`visit` returns `false` and calls neither closure), and nobody else leaves; a waiting
//! customer is always served (the barber never sleeps through one); 0 chairs is refused.
//! Customers log sitting down and their haircut, the barber each cut; the log is judged by
//! `checks::validators::barbershop`, during the run and once more at the end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex as StdMutex;

use barbershop::Barbershop;
use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use checks::validators::barbershop::{validate, validate_so_far, Event, Step};
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};

fn main() {
    Checks::new()
        .sequential("a shop can be opened", shop_opens)
        .sequential(
            "a shop with 0 chairs panics with a clear message",
            zero_chairs_panics,
        )
        .concurrent(
            "customers are served in the order they sat down",
            first_come_first_served,
        )
        .only(
            "a barber who opens before anyone comes sleeps until the first customer",
            &[Mode::Explore, Mode::Stress],
            barber_waits_for_the_first_customer,
        )
        .only(
            "a customer who finds every chair taken leaves",
            &[Mode::Explore, Mode::Stress],
            full_shop_turns_customers_away,
        )
        .run();
}

fn shop_opens() {
    // Every call waits for another thread, so this is all one thread can try.
    let _shop = Barbershop::new(1);
    let _shop = Barbershop::new(5);
}

fn zero_chairs_panics() {
    let _shop = Barbershop::new(1);
    assert_refused(
        "Barbershop::new(0)",
        "Barbershop::new(0) returned a shop that must turn everyone away; it should panic",
        || Barbershop::new(0),
    );
}

/// The shop, its log, and how its customers fared.
struct Day {
    shop: Arc<Barbershop>,
    chairs: usize,
    log: Arc<StdMutex<Vec<Event>>>,
    /// Customers whose visit returned `true` / `false`.
    stayed: Arc<AtomicUsize>,
    left: Arc<AtomicUsize>,
    customers: Vec<JoinHandle<()>>,
}

impl Day {
    fn new(chairs: usize) -> Self {
        Day {
            shop: Arc::new(Barbershop::new(chairs)),
            chairs,
            log: Arc::new(StdMutex::new(Vec::new())),
            stayed: Arc::new(AtomicUsize::new(0)),
            left: Arc::new(AtomicUsize::new(0)),
            customers: Vec::new(),
        }
    }

    /// Starts a customer thread that visits once.
    fn customer(&mut self, name: String) {
        let (shop, log, chairs) = (Arc::clone(&self.shop), Arc::clone(&self.log), self.chairs);
        let (stayed, left) = (Arc::clone(&self.stayed), Arc::clone(&self.left));
        let handle = spawn_named(name.clone(), move || {
            let calls = AtomicUsize::new(0);
            let served = shop.visit(
                || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    record(&log, chairs, &name, Step::SitDown);
                },
                || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    record(&log, chairs, &name, Step::Haircut);
                },
            );
            let calls = calls.load(Ordering::SeqCst);
            if served {
                assert!(
                    calls == 2,
                    "{name}'s visit returned true, but it called {calls} of sit_down and \
                     get_hair_cut instead of both"
                );
                stayed.fetch_add(1, Ordering::SeqCst);
            } else {
                assert!(
                    calls == 0,
                    "{name}'s visit returned false (the shop was full), but it still called \
                     sit_down or get_hair_cut"
                );
                left.fetch_add(1, Ordering::SeqCst);
            }
        });
        self.customers.push(handle);
    }

    /// The barber (this thread) serves `haircuts` customers.
    fn barber(&self, haircuts: usize) {
        for _ in 0..haircuts {
            self.shop.serve_next(|| {
                record(&self.log, self.chairs, "the barber", Step::Cut);
                thread::yield_now();
            });
        }
    }

    /// Starts the barber on a thread of its own, to serve `haircuts` customers.
    fn barber_thread(&self, haircuts: usize) -> thread::JoinHandle<()> {
        let (shop, log, chairs) = (Arc::clone(&self.shop), Arc::clone(&self.log), self.chairs);
        spawn_named("the barber", move || {
            for _ in 0..haircuts {
                shop.serve_next(|| {
                    record(&log, chairs, "the barber", Step::Cut);
                    thread::yield_now();
                });
            }
        })
    }

    /// Joins every customer, then judges the whole log.
    fn close(self) {
        for customer in self.customers {
            customer.join().unwrap();
        }
        let log = self.log.lock().unwrap();
        if let Err(problem) = validate(&log, self.chairs) {
            panic!("{problem}");
        }
    }
}

/// Appends one line to the log and judges the log so far; a broken promise fails the check at
/// once, in the thread that saw it.
fn record(log: &StdMutex<Vec<Event>>, chairs: usize, thread: &str, step: Step) {
    let verdict = {
        let mut log = log.lock().unwrap();
        log.push(Event::new(thread, step));
        validate_so_far(&log, chairs)
    };
    if let Err(problem) = verdict {
        panic!("{problem}");
    }
}

fn first_come_first_served() {
    // As many chairs as customers: nobody has to leave, so the barber knows how many to serve.
    let customers = match mode() {
        Mode::Model => 2,
        _ => 5,
    };
    let mut day = Day::new(customers);
    for id in 0..customers {
        day.customer(format!("customer {id}"));
    }
    day.barber(customers);
    let left = day.left.load(Ordering::SeqCst);
    assert!(
        left == 0,
        "{left} customer(s) left although the shop has a chair for every customer"
    );
    day.close();
}

fn full_shop_turns_customers_away() {
    let (chairs, customers) = (2, 5);
    let mut day = Day::new(chairs);
    for id in 0..customers {
        day.customer(format!("customer {id}"));
    }
    // The barber is out until every customer has either sat down or left.
    loop {
        let seated = day
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.step == Step::SitDown)
            .count();
        if seated + day.left.load(Ordering::SeqCst) == customers {
            break;
        }
        thread::yield_now();
    }
    let left = day.left.load(Ordering::SeqCst);
    assert!(
        left == customers - chairs,
        "{customers} customers came to a shop with {chairs} chairs while the barber was out, \
         but {left} of them left instead of {}",
        customers - chairs
    );
    day.barber(chairs);
    day.close();
}

/// The barber opens an empty shop and sleeps; the customers come a little later. A barber who
/// wakes without a customer (a spurious wakeup, say) must look again before serving anyone.
fn barber_waits_for_the_first_customer() {
    let mut day = Day::new(2);
    let barber = day.barber_thread(2);
    // Let the barber reach the empty shop first.
    for _ in 0..3 {
        thread::yield_now();
    }
    day.customer("customer 0".into());
    day.customer("customer 1".into());
    barber.join().unwrap();
    day.close();
}
