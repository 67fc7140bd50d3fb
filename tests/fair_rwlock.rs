//! Checks of the `fair_rwlock` kata: a readers-writer lock in which nobody starves.
//!
//! The promises: a written value is seen by later readers, readers really share the lock, a
//! writer is alone inside, a thread waiting for the lock is woken when it is free (no lost
//! wakeup), and a waiting thread is overtaken only a bounded number of times (no starvation).

use std::ops::{Deref, DerefMut};

use checks::rwlock::{self, Contenders, RwLockFamily};
use fair_rwlock::FairRwLock;
use harness::check::{mode, Checks, Mode};

fn main() {
    Checks::new()
        .sequential(
            "a new lock holds its value",
            rwlock::new_lock_holds_value::<Fair>,
        )
        .sequential(
            "a write is seen by later reads",
            rwlock::write_is_seen::<Fair>,
        )
        .sequential(
            "dropping a guard releases the lock",
            rwlock::guards_release_the_lock::<Fair>,
        )
        .concurrent("readers share the lock", rwlock::readers_share::<Fair>)
        .concurrent(
            "a waiting writer gets in when the readers leave",
            rwlock::waiting_writer_gets_in::<Fair>,
        )
        .concurrent(
            "a waiting reader gets in when the writer leaves",
            waiting_reader_gets_in,
        )
        .concurrent(
            "readers waiting behind a writer go in together",
            queued_readers_go_in_together,
        )
        .concurrent("a writer is alone inside the lock", writer_is_alone)
        .only(
            "a waiting writer is not overtaken without bound",
            &[Mode::Explore],
            writers_do_not_starve,
        )
        .only(
            "a waiting reader is not overtaken without bound",
            &[Mode::Explore],
            readers_do_not_starve,
        )
        .run();
}

/// The kata's lock, for the shared readers-writer scenarios.
struct Fair;

impl RwLockFamily for Fair {
    const NAME: &'static str = "FairRwLock";
    type Lock<T: Send + Sync + 'static> = FairRwLock<T>;

    fn new<T: Send + Sync + 'static>(value: T) -> FairRwLock<T> {
        FairRwLock::new(value)
    }

    fn read<T: Send + Sync + 'static>(lock: &FairRwLock<T>) -> impl Deref<Target = T> + '_ {
        lock.read()
    }

    fn write<T: Send + Sync + 'static>(lock: &FairRwLock<T>) -> impl DerefMut<Target = T> + '_ {
        lock.write()
    }
}

fn waiting_reader_gets_in() {
    let readers = match mode() {
        Mode::Model => 1,
        _ => 3,
    };
    rwlock::waiting_reader_gets_in::<Fair>(readers);
}

fn queued_readers_go_in_together() {
    // Three readers, so that one wakeup may go to the wrong one of two still asleep (two under
    // the model checker, which cannot try every interleaving of three in time).
    let readers = match mode() {
        Mode::Model => 2,
        _ => 3,
    };
    rwlock::queued_readers_go_in_together::<Fair>(readers);
}

fn writer_is_alone() {
    let (writers, readers, rounds) = match mode() {
        Mode::Model => (2, 1, 1),
        _ => (2, 3, 5),
    };
    rwlock::writer_is_alone::<Fair>(writers, readers, rounds);
}

fn writers_do_not_starve() {
    // A steady stream of overlapping readers must not keep a writer out for ever.
    rwlock::contend::<Fair>(Contenders {
        readers: 3,
        reads: 10,
        writers: 1,
        writes: 3,
        readers_judged: true,
    });
}

fn readers_do_not_starve() {
    // A steady stream of writers, one after the other, must not keep a reader out for ever.
    rwlock::contend::<Fair>(Contenders {
        readers: 1,
        reads: 3,
        writers: 3,
        writes: 8,
        readers_judged: true,
    });
}
