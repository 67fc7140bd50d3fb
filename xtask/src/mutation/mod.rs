//! Mutants written by a machine: concurrency mutation operators applied to a correct source
//! file, one change per mutant, for `cargo xtask mutate` to prove that a kata's checks catch
//! them.
//!
//! The file is parsed with `syn` ([`sites`] finds where each [`Operator`] applies) and every
//! mutant is a few byte-range [`Edit`]s of the original text, so a mutant keeps the file's
//! formatting and comments and its diff is one or two lines. A mutant is named by a stable
//! [`Mutant::change`] ("`notify_all` → `notify_one`: `self.turn.notify_all()` in
//! `Barrier::wait`"), which `kata.toml` uses to declare a mutant equivalent; line numbers are
//! only shown.
//!
//! ```text
//! let mutants = mutation::generate(&source)?;
//! let text = mutants[0].apply(&source);
//! ```

mod held_together;
mod sites;
mod state_use;

use std::fmt;

use anyhow::{Context, Result};

/// A concurrency mutation operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// `while` → `if` around a condvar wait or a park.
    WhileToIf,
    /// `notify_all` → `notify_one`.
    NotifyAllToOne,
    /// One `notify_*`, `unpark`, `wake`, `wake_by_ref` or futex wake deleted.
    DeleteWake,
    /// One memory ordering weakened (`SeqCst` → `AcqRel`, `Acquire`, `Release`; the others →
    /// `Relaxed`).
    WeakenOrdering,
    /// Two consecutive lock acquisitions swapped.
    SwapLocks,
    /// A wake moved before the atomic write it announces.
    WakeBeforeWrite,
    /// A critical section split in two: the lock is released and taken again between a read
    /// of the state into a name and the write that relies on it, else before the section's
    /// last statement.
    SplitCriticalSection,
    /// An atomic read-modify-write (`fetch_*`, `swap`, `compare_exchange`) turned into a load
    /// followed by a store.
    RmwToLoadStore,
    /// `<` ↔ `<=`, `>` ↔ `>=`.
    Boundary,
    /// One `join()` deleted.
    DeleteJoin,
    /// The waker stored after the readiness check instead of before it.
    WakerAfterCheck,
    /// One `drop(..)` deleted (a write end of a pipe left open, a guard held longer).
    DeleteDrop,
    /// One `wait()` for a child process (or a barrier) deleted.
    DeleteWait,
    /// One memory fence (`fence(..)`) deleted.
    DeleteFence,
}

impl Operator {
    /// The operator's short name, as in reports: `while-to-if`.
    pub fn name(self) -> &'static str {
        match self {
            Operator::WhileToIf => "while-to-if",
            Operator::NotifyAllToOne => "notify-all-to-one",
            Operator::DeleteWake => "delete-wake",
            Operator::WeakenOrdering => "weaken-ordering",
            Operator::SwapLocks => "swap-locks",
            Operator::WakeBeforeWrite => "wake-before-write",
            Operator::SplitCriticalSection => "split-critical-section",
            Operator::RmwToLoadStore => "rmw-to-load-store",
            Operator::Boundary => "boundary",
            Operator::DeleteJoin => "delete-join",
            Operator::WakerAfterCheck => "waker-after-check",
            Operator::DeleteDrop => "delete-drop",
            Operator::DeleteWait => "delete-wait",
            Operator::DeleteFence => "delete-fence",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Replace the bytes `start..end` of the original text with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub with: String,
}

/// One mutant: one change to the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    pub operator: Operator,
    /// What changed and where, stable across edits elsewhere in the file.
    pub change: String,
    /// The 1-based line of the change, for people.
    pub line: usize,
    /// The edits, in any order, not overlapping.
    pub edits: Vec<Edit>,
}

impl Mutant {
    /// The mutated text of `source` (the text this mutant was generated from).
    pub fn apply(&self, source: &str) -> String {
        let mut edits = self.edits.clone();
        edits.sort_by_key(|edit| std::cmp::Reverse(edit.start));
        let mut text = source.to_owned();
        for edit in edits {
            text.replace_range(edit.start..edit.end, &edit.with);
        }
        text
    }

    /// The lines that differ between `source` and the mutant, `-` then `+`, with their line
    /// numbers: a compact diff for reports.
    pub fn diff(&self, source: &str) -> String {
        let mutated = self.apply(source);
        let (old, new): (Vec<&str>, Vec<&str>) =
            (source.lines().collect(), mutated.lines().collect());
        let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let tail = old[head..]
            .iter()
            .rev()
            .zip(new[head..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let mut text = String::new();
        for (n, line) in old[head..old.len() - tail].iter().enumerate() {
            text.push_str(&format!("{:>5} - {}\n", head + n + 1, line.trim_end()));
        }
        for (n, line) in new[head..new.len() - tail].iter().enumerate() {
            text.push_str(&format!("{:>5} + {}\n", head + n + 1, line.trim_end()));
        }
        text
    }
}

/// Every mutant of `source`, in the order of the file (then by operator); changes that would
/// read the same get an ordinal (`(2nd)`), so every [`Mutant::change`] is unique.
pub fn generate(source: &str) -> Result<Vec<Mutant>> {
    let file = syn::parse_file(source).context("the file does not parse as Rust")?;
    let mut mutants = sites::find(&file, source);
    mutants.sort_by_key(|mutant| (mutant.edits.iter().map(|e| e.start).min(), mutant.operator));
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for mutant in &mut mutants {
        let count = seen.entry(mutant.change.clone()).or_default();
        *count += 1;
        if *count > 1 {
            mutant.change = format!("{} ({})", mutant.change, ordinal(*count));
        }
    }
    Ok(mutants)
}

/// "2nd", "3rd", "4th".
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(source: &str) -> Vec<(Operator, String)> {
        generate(source)
            .unwrap()
            .into_iter()
            .map(|mutant| (mutant.operator, mutant.apply(source)))
            .collect()
    }

    /// The mutated sources of `source`'s mutants by `operator`.
    fn changes_by(source: &str, operator: Operator) -> Vec<String> {
        changes(source)
            .into_iter()
            .filter(|(op, _)| *op == operator)
            .map(|(_, text)| text)
            .collect()
    }

    #[test]
    fn a_condvar_loop_becomes_an_if_and_loses_its_notify() {
        let source = "impl Gate {\n    fn pass(&self) {\n        let mut open = self.open.lock().unwrap();\n        while !*open {\n            open = self.changed.wait(open).unwrap();\n        }\n    }\n    fn open(&self) {\n        *self.open.lock().unwrap() = true;\n        self.changed.notify_all();\n    }\n}\n";
        let all = changes(source);
        assert!(all
            .iter()
            .any(|(op, text)| *op == Operator::WhileToIf && text.contains("        if !*open {")));
        assert!(all.iter().any(|(op, text)| *op == Operator::NotifyAllToOne
            && text.contains("self.changed.notify_one();")));
        assert!(all
            .iter()
            .any(|(op, text)| *op == Operator::DeleteWake && !text.contains("notify")));
        let mutants = generate(source).unwrap();
        let while_to_if = mutants
            .iter()
            .find(|m| m.operator == Operator::WhileToIf)
            .unwrap();
        assert_eq!(while_to_if.line, 4);
        assert!(
            while_to_if.change.contains("Gate::pass"),
            "{}",
            while_to_if.change
        );
        assert_eq!(
            while_to_if.diff(source),
            "    4 -         while !*open {\n    4 +         if !*open {\n"
        );
    }

    #[test]
    fn orderings_weaken_to_what_the_operation_accepts() {
        let source = "fn f(a: &AtomicU32) {\n    a.store(1, Ordering::SeqCst);\n    let _ = a.load(Ordering::SeqCst);\n    a.fetch_add(1, Ordering::Release);\n}\n";
        let texts: Vec<String> = changes_by(source, Operator::WeakenOrdering);
        assert!(texts
            .iter()
            .any(|t| t.contains("a.store(1, Ordering::Release)")));
        assert!(texts
            .iter()
            .any(|t| t.contains("a.load(Ordering::Acquire)")));
        assert!(texts
            .iter()
            .any(|t| t.contains("a.fetch_add(1, Ordering::Relaxed)")));
    }

    #[test]
    fn a_fence_is_deleted() {
        let source = "fn f(a: &AtomicBool) {\n    fence(Ordering::Release);\n    a.store(true, Ordering::Relaxed);\n}\n";
        let (_, text) = changes(source)
            .into_iter()
            .find(|(op, _)| *op == Operator::DeleteFence)
            .unwrap();
        assert!(!text.contains("fence"), "{text}");
        assert!(text.contains("a.store(true"), "{text}");
    }

    #[test]
    fn a_fetch_add_becomes_a_load_and_a_store() {
        let source = "fn f(a: &AtomicU32) -> u32 {\n    a.fetch_add(1, Ordering::SeqCst)\n}\n";
        let (_, text) = changes(source)
            .into_iter()
            .find(|(op, _)| *op == Operator::RmwToLoadStore)
            .unwrap();
        assert!(text.contains("let value = a.load("), "{text}");
        assert!(text.contains("a.store(value.wrapping_add(1)"), "{text}");
    }

    #[test]
    fn identical_changes_get_ordinals() {
        let source = "fn f(c: &Condvar) {\n    c.notify_all();\n    c.notify_all();\n}\n";
        let names: Vec<String> = generate(source)
            .unwrap()
            .into_iter()
            .filter(|m| m.operator == Operator::NotifyAllToOne)
            .map(|m| m.change)
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names[1].ends_with("(2nd)"), "{names:?}");
    }

    #[test]
    fn a_critical_section_splits_before_its_last_statement_but_not_across_a_new_binding() {
        let source = "fn f(&self) {\n    let mut count = self.count.lock().unwrap();\n    *count += 1;\n    self.total.set(*count);\n}\nfn g(&self) {\n    let permits = self.permits.lock().unwrap();\n    let mut permits = self.freed.wait_while(permits, |p| *p == 0).unwrap();\n    *permits -= 1;\n}\n";
        assert_one_split(source, "    *count += 1;\n    drop(count);\n    let mut count = self.count.lock().unwrap();\n    self.total.set(*count);");
    }

    #[test]
    fn a_read_modify_write_through_a_name_is_split_between_the_read_and_the_write() {
        let source = "fn f(&self) {\n    let mut s = self.state.lock().unwrap();\n    let ticket = s.next;\n    s.next += 1;\n    while s.serving != ticket {\n        s = self.cv.wait(s).unwrap();\n    }\n    s.serving += 1;\n}\n";
        assert_one_split(source, "    let ticket = s.next;\n    drop(s);\n    let mut s = self.state.lock().unwrap();\n    s.next += 1;");
    }

    #[test]
    fn an_act_on_a_check_kept_in_a_name_is_split_from_the_check() {
        let source = "fn f(&self) {\n    let mut s = self.state.lock().unwrap();\n    let busy = s.writer || s.queued > 0;\n    s.seen += 1;\n    if !busy {\n        s.readers += 1;\n    }\n    s.last = 0;\n}\n";
        assert_one_split(source, "    s.seen += 1;\n    drop(s);\n    let mut s = self.state.lock().unwrap();\n    if !busy {");
    }

    /// Fails unless `source` has exactly one split-critical-section mutant, and its text
    /// contains `expected`.
    fn assert_one_split(source: &str, expected: &str) {
        let splits: Vec<String> = changes_by(source, Operator::SplitCriticalSection);
        assert_eq!(splits.len(), 1, "{splits:?}");
        assert!(splits[0].contains(expected), "{splits:?}");
    }

    #[test]
    fn a_decision_to_wake_is_no_place_to_split_but_the_last_act_before_it_is() {
        let source = "fn f(&self) {\n    let mut s = self.state.lock().unwrap();\n    s.ready = true;\n    s.count += 1;\n    if s.count == 2 {\n        self.changed.notify_all();\n    }\n}\n";
        assert_one_split(source, "    s.ready = true;\n    drop(s);\n    let mut s = self.state.lock().unwrap();\n    s.count += 1;");
    }

    #[test]
    fn a_name_for_a_decision_to_wake_is_no_place_to_split_but_a_waiter_read_for_the_wake_is() {
        let named_test = "fn f(&self) {\n    let mut s = self.state.lock().unwrap();\n    s.ready = true;\n    s.readers -= 1;\n    let empty = s.readers == 0;\n    drop(s);\n    if empty {\n        self.changed.notify_all();\n    }\n}\n";
        assert_one_split(named_test, "    s.ready = true;\n    drop(s);\n    let mut s = self.state.lock().unwrap();\n    s.readers -= 1;");
        let whom = "fn f(&self) {\n    let mut s = self.state.lock().unwrap();\n    s.permits += 1;\n    let waker = s.next_waiter();\n    drop(s);\n    if let Some(waker) = waker {\n        waker.wake();\n    }\n}\n";
        assert_one_split(whom, "    s.permits += 1;\n    drop(s);\n    let mut s = self.state.lock().unwrap();\n    let waker = s.next_waiter();");
    }

    #[test]
    fn no_split_goes_before_a_wait_while_which_looks_again_under_the_lock() {
        let source = "fn f(&self) {\n    let mut s = self.state.lock().unwrap();\n    s.ready = true;\n    drop(self.done.wait_while(s, |s| !s.ready).unwrap());\n}\n";
        let splits = changes_by(source, Operator::SplitCriticalSection).len();
        assert_eq!(splits, 0);
    }

    #[test]
    fn a_block_that_takes_a_lock_inside_binds_no_guard() {
        let source = "fn f(&self) {\n    let gate = {\n        let mut current = self.current.lock().unwrap();\n        current.waiters += 1;\n        Arc::clone(&current.gate)\n    };\n    gate.open();\n    gate.wait();\n}\n";
        let splits: Vec<String> = changes_by(source, Operator::SplitCriticalSection);
        assert!(
            splits.iter().all(|text| !text.contains("drop(gate)")),
            "{splits:?}"
        );
    }

    #[test]
    fn a_test_that_only_wakes_is_narrowed_but_never_widened() {
        let source = "fn f(&self, s: &State) {\n    if s.waiting > 0 && s.free >= 1 {\n        self.cv.notify_one();\n    }\n    if s.waiting > 0 {\n        s.woken += 1;\n        self.cv.notify_one();\n    }\n}\n";
        let flips: Vec<String> = changes_by(source, Operator::Boundary);
        assert_eq!(flips.len(), 2, "{flips:?}");
        assert!(
            flips[0].contains("s.waiting > 0 && s.free > 1"),
            "narrowed: {}",
            flips[0]
        );
        assert!(
            flips[1].contains("s.waiting >= 0 {\n        s.woken"),
            "not only a wake: {}",
            flips[1]
        );
    }

    #[test]
    fn a_boundary_is_not_flipped_where_equality_was_refused_above() {
        let refused = "fn f(a: usize, b: usize) {\n    if a == b {\n        return;\n    }\n    if a < b {}\n}\n";
        let open = "fn f(a: usize, b: usize) {\n    if a < b {}\n}\n";
        let shadowed = "fn f(a: usize, b: usize) {\n    if a == b {\n        return;\n    }\n    let a = b + 1;\n    if a < b {}\n}\n";
        let boundaries = |source: &str| changes_by(source, Operator::Boundary).len();
        assert_eq!(boundaries(refused), 0);
        assert_eq!(boundaries(open), 1);
        assert_eq!(boundaries(shadowed), 1);
    }

    #[test]
    fn a_guard_is_never_dropped_later_but_a_write_end_is_kept_open() {
        let source = "fn f(&self, writer: File) {\n    let mut queue = self.queue.lock().unwrap();\n    queue.push(1);\n    drop(queue);\n    drop(writer);\n}\n";
        let deleted: Vec<String> = changes_by(source, Operator::DeleteDrop);
        assert_eq!(deleted.len(), 1);
        assert!(deleted[0].contains("drop(queue);") && !deleted[0].contains("drop(writer);"));
    }

    #[test]
    fn a_guard_from_a_helper_is_a_guard_too() {
        let source = "impl Room {\n    fn enter(&self) {\n        let mut count = self.count();\n        *count += 1;\n        drop(count);\n    }\n    fn count(&self) -> MutexGuard<'_, usize> {\n        self.count.lock().unwrap()\n    }\n}\n";
        assert!(changes(source)
            .iter()
            .all(|(op, _)| *op != Operator::DeleteDrop));
    }

    #[test]
    fn the_waker_is_stored_after_the_readiness_check() {
        let source = "fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {\n    *self.waker.lock().unwrap() = Some(cx.waker().clone());\n    if self.ready.load(Ordering::SeqCst) {\n        return Poll::Ready(());\n    }\n    Poll::Pending\n}\n";
        let (_, text) = changes(source)
            .into_iter()
            .find(|(op, _)| *op == Operator::WakerAfterCheck)
            .unwrap();
        let check = text.find("if self.ready").unwrap();
        let store = text.find("cx.waker()").unwrap();
        assert!(check < store, "{text}");
    }

    #[test]
    fn two_locks_are_swapped_only_where_another_place_holds_them_together() {
        let swaps = |source: &str| changes_by(source, Operator::SwapLocks).len();
        let only_here = "fn dine(&self, first: usize, second: usize) {
    let _first = self.forks[first].lock().unwrap();
    let _second = self.forks[second].lock().unwrap();
}
";
        assert_eq!(swaps(only_here), 0, "one order everywhere has no cycle");
        let also_elsewhere = "fn read(&self) {
    let _turnstile = self.turnstile.lock().unwrap();
    *self.room.lock().unwrap() += 1;
}
fn write(&self) {
    let turnstile = self.turnstile.lock().unwrap();
    let readers = self.room.lock().unwrap();
}
";
        assert_eq!(swaps(also_elsewhere), 1);
    }

    #[test]
    fn boundaries_flip_and_joins_go() {
        let source = "fn f(handle: JoinHandle<()>, n: usize) {\n    if n < CAPACITY {\n        handle.join().unwrap();\n    }\n}\n";
        let all = changes(source);
        assert!(all
            .iter()
            .any(|(op, text)| *op == Operator::Boundary && text.contains("n <= CAPACITY")));
        assert!(all
            .iter()
            .any(|(op, text)| *op == Operator::DeleteJoin && !text.contains("join")));
    }

    #[test]
    fn ordinals_read_as_english() {
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
    }
}
