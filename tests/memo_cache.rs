//! Checks of the `memo_cache` kata: a get-or-compute cache whose computations use the cache.
//!
//! The promises: a new cache is empty, `get` returns stored values and never computes, a stored
//! value is returned without computing again, a computation may call back into the cache
//! (recursive memoization works and computes each key once on one thread), a stored value never
//! changes (two threads computing the same key at once both return the value stored first), and
//! memoized computations running on several threads at once all finish with the right values.

use std::cell::Cell;
use std::collections::BTreeMap;

use checks::linearizable::{History, Model, Outcome};
use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use memo_cache::Cache;

fn main() {
    Checks::new()
        .sequential("a new cache is empty", new_cache_is_empty)
        .sequential(
            "a stored value is returned without computing again",
            computes_once,
        )
        .sequential(
            "get() returns stored values and never computes",
            get_never_computes,
        )
        .sequential(
            "a computation can use the cache (recursive memoization)",
            recursive_memoization,
        )
        .concurrent(
            "two threads computing the same key get the same value",
            same_key_same_value,
        )
        .concurrent(
            "memoized computations on several threads all finish with the right values",
            concurrent_memoization,
        )
        .concurrent(
            "every result is one a map keeping the first value stored gives, one call at a time",
            results_explained_by_a_map,
        )
        .run();
}

fn new_cache_is_empty() {
    let cache: Cache<u64, u64> = Cache::new();
    assert_eq!(cache.len(), 0, "a new cache should be empty");
    assert!(cache.is_empty(), "a new cache should be empty");
    assert_eq!(cache.get(&1), None, "a new cache has no value for key 1");
    let cache: Cache<String, String> = Cache::default();
    assert!(cache.is_empty(), "Cache::default() should be empty");
}

fn computes_once() {
    let cache = Cache::new();
    let calls = Cell::new(0);
    for round in 0..3 {
        let value = cache.get_or_compute(7_u64, |_| {
            calls.set(calls.get() + 1);
            49_u64
        });
        assert_eq!(
            value, 49,
            "round {round}: get_or_compute(7, ..) should return 49, but it returned {value}"
        );
    }
    assert_eq!(
        calls.get(),
        1,
        "get_or_compute(7, ..) was called 3 times: it should compute once and then return the \
         stored value, but it computed {} times",
        calls.get()
    );
    assert_eq!(
        cache.len(),
        1,
        "one key was computed, but len() is {}",
        cache.len()
    );
    let other = cache.get_or_compute(8, |_| 64);
    assert_eq!(
        other, 64,
        "get_or_compute(8, ..) should compute 64 for a new key"
    );
    assert_eq!(
        cache.len(),
        2,
        "two keys were computed, but len() is {}",
        cache.len()
    );
}

fn get_never_computes() {
    let cache = Cache::new();
    assert_eq!(
        cache.get(&"a"),
        None,
        "nothing was stored, so get() should be None"
    );
    cache.get_or_compute("a", |_| String::from("alpha"));
    assert_eq!(
        cache.get(&"a").as_deref(),
        Some("alpha"),
        "get() should return the value stored by get_or_compute()"
    );
    assert_eq!(cache.get(&"b"), None, "key \"b\" was never computed");
    assert_eq!(cache.len(), 1, "get() must not store anything");
}

/// The `n`th Fibonacci number, memoized in `cache`: the computation calls back into the cache.
fn fib(cache: &Cache<u64, u64>, n: u64) -> u64 {
    cache.get_or_compute(n, |cache| {
        if n < 2 {
            n
        } else {
            fib(cache, n - 1) + fib(cache, n - 2)
        }
    })
}

/// The `n`th Fibonacci number, computed directly.
fn fib_plain(n: u64) -> u64 {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

fn recursive_memoization() {
    let cache = Cache::new();
    let calls = Cell::new(0);
    // A computation that uses the cache: it asks for two other keys.
    fn counted(cache: &Cache<u64, u64>, calls: &Cell<u32>, n: u64) -> u64 {
        cache.get_or_compute(n, |cache| {
            calls.set(calls.get() + 1);
            if n < 2 {
                n
            } else {
                counted(cache, calls, n - 1) + counted(cache, calls, n - 2)
            }
        })
    }
    let value = counted(&cache, &calls, 30);
    assert_eq!(
        value,
        fib_plain(30),
        "the memoized Fibonacci number 30 came out as {value}"
    );
    assert_eq!(
        calls.get(),
        31,
        "memoized Fibonacci of 30 needs keys 0 to 30, each computed once (31 computations), \
         but there were {}",
        calls.get()
    );
    assert_eq!(
        cache.len(),
        31,
        "keys 0 to 30 should be stored, but len() is {}",
        cache.len()
    );
}

fn same_key_same_value() {
    let threads = match mode() {
        Mode::Model => 2,
        _ => 4,
    };
    let cache = Arc::new(Cache::new());
    // Every thread would compute a different value for key 1: only one of them may be kept.
    let handles: Vec<_> = (1..threads)
        .map(|id| {
            let cache = Arc::clone(&cache);
            spawn_named(format!("thread {id}"), move || {
                cache.get_or_compute(1_u64, |_| 100 + id)
            })
        })
        .collect();
    let mut results = vec![cache.get_or_compute(1, |_| 100)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let stored = cache.get(&1);
    for (id, result) in results.iter().enumerate() {
        assert_eq!(
            Some(*result),
            stored,
            "{threads} threads asked for key 1 at once and got {results:?}; the stored value is \
             {stored:?}. A stored value never changes, so thread {id} should have got it too"
        );
    }
    assert_eq!(
        cache.len(),
        1,
        "one key was computed, but len() is {}",
        cache.len()
    );
}

fn concurrent_memoization() {
    let (threads, n) = match mode() {
        Mode::Model => (2, 2),
        _ => (3, 8),
    };
    let cache = Arc::new(Cache::new());
    let handles: Vec<_> = (1..threads)
        .map(|id| {
            let cache = Arc::clone(&cache);
            spawn_named(format!("thread {id}"), move || fib(&cache, n))
        })
        .collect();
    let mut results = vec![fib(&cache, n)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let expected = fib_plain(n);
    assert!(
        results.iter().all(|&result| result == expected),
        "{threads} threads computed the memoized Fibonacci number {n} at once and got \
         {results:?}; it is {expected}"
    );
    for key in 0..=n {
        let stored = cache.get(&key);
        assert_eq!(
            stored,
            Some(fib_plain(key)),
            "after computing Fibonacci {n}, the cache should hold Fibonacci {key} = {}, but \
             get({key}) is {stored:?}",
            fib_plain(key)
        );
    }
}

/// The cache as one thread at a time sees it: a map from keys to the values stored first.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct CacheModel(BTreeMap<u64, u64>);

#[derive(Debug, Clone)]
enum CacheOp {
    /// `get_or_compute(key, ..)` whose computation would return `computes`.
    GetOrCompute {
        key: u64,
        computes: u64,
    },
    Get(u64),
    Len,
}

#[derive(Debug, Clone, PartialEq)]
enum CacheRet {
    Value(u64),
    Got(Option<u64>),
    Len(usize),
}

impl Model for CacheModel {
    type Op = CacheOp;
    type Ret = CacheRet;
    fn step(&mut self, op: &CacheOp) -> CacheRet {
        match op {
            CacheOp::GetOrCompute { key, computes } => {
                CacheRet::Value(*self.0.entry(*key).or_insert(*computes))
            }
            CacheOp::Get(key) => CacheRet::Got(self.0.get(key).copied()),
            CacheOp::Len => CacheRet::Len(self.0.len()),
        }
    }
}

/// One call of a thread's script.
#[derive(Clone, Copy)]
enum Call {
    GetOrCompute(u64),
    Get(u64),
    Len,
}

/// Makes `call` on `cache` as `thread` number `id`, recorded in `history`; a computation returns
/// a value of the thread's own (`100 * id + key`), so a result shows whose value was stored.
fn recorded(
    history: &History<CacheModel>,
    thread: &str,
    id: u64,
    cache: &Cache<u64, u64>,
    call: Call,
) {
    match call {
        Call::GetOrCompute(key) => {
            let computes = 100 * id + key;
            history.call(thread, CacheOp::GetOrCompute { key, computes }, || {
                CacheRet::Value(cache.get_or_compute(key, |_| computes))
            });
        }
        Call::Get(key) => {
            history.call(thread, CacheOp::Get(key), || CacheRet::Got(cache.get(&key)));
        }
        Call::Len => {
            history.call(thread, CacheOp::Len, || CacheRet::Len(cache.len()));
        }
    }
}

/// Threads compute keys, look keys up and ask `len()` at once, every call recorded: some order
/// of the calls, each taking effect at one instant between its call and its return, must give
/// every result on a plain map where a key keeps the value stored first (so a value returned or
/// seen by `get` never changes, `get` sees every value stored before it was called, and `len()`
/// counts exactly the keys `get` can see then: none still being computed).
fn results_explained_by_a_map() {
    use Call::{Get, GetOrCompute, Len};
    let scripts: Vec<Vec<Call>> = match mode() {
        // thread 0 is this thread
        Mode::Model => vec![
            vec![Len, Get(1), GetOrCompute(1)],
            vec![GetOrCompute(1), Len],
        ],
        _ => vec![
            vec![Len, Get(1), GetOrCompute(1), GetOrCompute(2), Len, Get(3)],
            vec![GetOrCompute(1), Len, GetOrCompute(3), Get(2), Len],
            vec![GetOrCompute(2), Get(1), Len, GetOrCompute(3), Get(3)],
        ],
    };
    let cache = Arc::new(Cache::new());
    let history: Arc<History<CacheModel>> = Arc::new(History::new());
    let handles: Vec<_> = scripts
        .iter()
        .enumerate()
        .skip(1)
        .map(|(id, script)| {
            let (cache, history, script) =
                (Arc::clone(&cache), Arc::clone(&history), script.clone());
            let name = format!("thread {id}");
            spawn_named(name.clone(), move || {
                for call in script {
                    recorded(&history, &name, id as u64, &cache, call);
                }
            })
        })
        .collect();
    for &call in &scripts[0] {
        recorded(&history, "main", 0, &cache, call);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    let calls = history.operations().len();
    match history.check(CacheModel::default()) {
        Outcome::Linearizable => {}
        Outcome::NotLinearizable(why) => panic!(
            "{} threads computed keys (each computation returning 100 × thread + key), looked \
             keys up and asked len() at once, but no map where a key keeps the value stored \
             first, taking one call at a time, gives these results: {why}",
            scripts.len()
        ),
        Outcome::Undecided => panic!(
            "the history of {calls} calls on the cache was too long to decide whether a map \
             explains it: make the check's scripts shorter"
        ),
    }
}
