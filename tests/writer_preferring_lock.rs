//! Checks of the `writer_preferring_lock` kata: a readers-writer lock that prefers writers.
//!
//! The promises: a written value is seen by later readers, readers really share the lock, a
//! writer is alone inside, a thread waiting for the lock is woken when it is free (no lost
//! wakeup, also when several readers wait behind a writer), and a waiting writer is overtaken by
//! new readers only a bounded number of times (no writer starvation). Readers may starve: that is
//! the price of writer preference, and nothing here checks it.

use std::ops::{Deref, DerefMut};

use checks::rwlock::{self, Contenders, RwLockFamily};
use harness::check::{mode, Checks, Mode};
use writer_preferring_lock::WriterPreferringLock;

fn main() {
    Checks::new()
        .sequential(
            "a new lock holds its value",
            rwlock::new_lock_holds_value::<WriterPreferring>,
        )
        .sequential(
            "a write is seen by later reads",
            rwlock::write_is_seen::<WriterPreferring>,
        )
        .sequential(
            "dropping a guard releases the lock",
            rwlock::guards_release_the_lock::<WriterPreferring>,
        )
        .concurrent(
            "readers share the lock",
            rwlock::readers_share::<WriterPreferring>,
        )
        .concurrent(
            "a waiting writer gets in when the readers leave",
            rwlock::waiting_writer_gets_in::<WriterPreferring>,
        )
        .concurrent(
            "a waiting reader gets in when the writer leaves",
            waiting_reader_gets_in,
        )
        .concurrent("a writer is alone inside the lock", writer_is_alone)
        .only(
            "a waiting writer is not overtaken by new readers without bound",
            &[Mode::Explore],
            writers_do_not_starve,
        )
        .run();
}

/// The kata's lock, for the shared readers-writer scenarios.
struct WriterPreferring;

impl RwLockFamily for WriterPreferring {
    const NAME: &'static str = "WriterPreferringLock";
    type Lock<T: Send + Sync + 'static> = WriterPreferringLock<T>;

    fn new<T: Send + Sync + 'static>(value: T) -> WriterPreferringLock<T> {
        WriterPreferringLock::new(value)
    }

    fn read<T: Send + Sync + 'static>(
        lock: &WriterPreferringLock<T>,
    ) -> impl Deref<Target = T> + '_ {
        lock.read()
    }

    fn write<T: Send + Sync + 'static>(
        lock: &WriterPreferringLock<T>,
    ) -> impl DerefMut<Target = T> + '_ {
        lock.write()
    }
}

fn waiting_reader_gets_in() {
    // Several readers, so that a wake-up that reaches only one of them is found.
    let readers = match mode() {
        Mode::Model => 2,
        _ => 3,
    };
    rwlock::waiting_reader_gets_in::<WriterPreferring>(readers);
}

fn writer_is_alone() {
    // Under the model checker one writer and two readers keep it small; explore adds a
    // second writer.
    let (writers, readers, rounds) = match mode() {
        Mode::Model => (1, 2, 1),
        _ => (2, 3, 5),
    };
    rwlock::writer_is_alone::<WriterPreferring>(writers, readers, rounds);
}

fn writers_do_not_starve() {
    // A steady stream of overlapping readers must not keep a writer out for ever: once it waits,
    // new readers wait behind it. Readers may starve under writer preference: they are not judged.
    rwlock::contend::<WriterPreferring>(Contenders {
        readers: 3,
        reads: 10,
        writers: 1,
        writes: 3,
        readers_judged: false,
    });
}
