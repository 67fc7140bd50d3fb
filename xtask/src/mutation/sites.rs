//! Where each [`Operator`] applies in a parsed file, and the edits that apply it.
//!
//! Expression operators are found where the expression is visited; statement operators
//! (deleting, swapping and moving statements, splitting a critical section) where a block is
//! visited, with its statements side by side. Code inside macro invocations (`assert!`,
//! `select!`) is tokens to `syn`, and is left alone.

use std::collections::BTreeSet;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{BinOp, Block, Expr, ExprBinary, ExprMethodCall, ExprWhile, Pat, Stmt, UnOp};

use super::held_together::{self, HeldTogether};
use super::state_use::{bound_names, StateUse};
use super::{Edit, Mutant, Operator};

/// Every mutant of `file`, whose text is `source`.
pub(super) fn find(file: &syn::File, source: &str) -> Vec<Mutant> {
    let mut finder = Finder {
        source,
        scope: Vec::new(),
        guard_helpers: guard_helpers(file),
        held_together: held_together::find(file),
        guards: Vec::new(),
        unequal: Vec::new(),
        wake_tests: Vec::new(),
        mutants: Vec::new(),
    };
    finder.visit_file(file);
    finder.mutants
}

/// The full path of `SeqCst`, valid wherever the facade's or std's atomics are.
const SEQ_CST: &str = "::std::sync::atomic::Ordering::SeqCst";

/// Method calls that take a lock and hand back its guard (with no argument).
pub(super) const LOCKS: [&str; 3] = ["lock", "read", "write"];

/// Method calls that wait in a loop's body: a condvar wait, a park, a futex wait.
const WAITS: [&str; 4] = ["wait", "wait_timeout", "park", "park_timeout"];

/// Condvar waits that test their condition under the lock before they sleep.
const CONDITION_WAITS: [&str; 2] = ["wait_while", "wait_timeout_while"];

/// Method calls whose value is a lock guard: a lock taken, or handed back by a condvar wait.
const GUARDS: [&str; 6] = [
    "lock",
    "read",
    "write",
    "wait",
    "wait_while",
    "wait_timeout",
];

/// Method calls that wake a waiting thread or task.
const WAKES: [&str; 5] = ["notify_one", "notify_all", "unpark", "wake", "wake_by_ref"];

/// Method calls that write an atomic.
const ATOMIC_WRITES: [&str; 12] = [
    "store",
    "swap",
    "fetch_add",
    "fetch_sub",
    "fetch_and",
    "fetch_or",
    "fetch_xor",
    "fetch_nand",
    "fetch_max",
    "fetch_min",
    "compare_exchange",
    "compare_exchange_weak",
];

struct Finder<'s> {
    source: &'s str,
    /// The type and function being visited: `["Barrier", "wait"]`.
    scope: Vec<String>,
    /// The file's functions that hand back a lock guard (`fn room(&self) -> MutexGuard<..>`):
    /// a call to one takes a lock, as [`GUARDS`] do.
    guard_helpers: Vec<String>,
    /// The places that hold two locks at once: a swap of two acquisitions needs another.
    held_together: Vec<HeldTogether>,
    /// Names of lock guards bound in the blocks being visited: dropping one a little later is
    /// most often no bug, so `drop(guard)` is left to [`Operator::SplitCriticalSection`].
    guards: Vec<String>,
    /// Pairs of names known to differ where the visit is, after `if a == b { return ..; }`:
    /// `a < b` and `a <= b` cannot differ there, so flipping the boundary is no mutant.
    unequal: Vec<(String, String)>,
    /// The comparisons that decide a wake and nothing else (see [`wake_tests`]): made true more
    /// often, they only add wakes.
    wake_tests: Vec<std::ops::Range<usize>>,
    mutants: Vec<Mutant>,
}

impl Finder<'_> {
    fn text(&self, span: Span) -> &str {
        &self.source[span.byte_range()]
    }

    /// `span`'s text, its spaces collapsed, at most 60 characters; only its first line when
    /// that opens a block (`while x {`).
    fn snippet(&self, span: Span) -> String {
        let text = self.text(span);
        let first = text.lines().next().unwrap_or_default();
        let shown = match first.trim_end().ends_with('{') {
            true => first,
            false => text,
        };
        let collapsed = shown
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" .", ".")
            .replace("( ", "(")
            .replace(" )", ")");
        match collapsed.char_indices().nth(60) {
            Some((cut, _)) => format!("{}…", &collapsed[..cut]),
            None => collapsed,
        }
    }

    /// The indentation of the line `span` starts on.
    fn indent(&self, span: Span) -> &str {
        let start = span.byte_range().start;
        let line_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.source[line_start..start];
        &line[..line.len() - line.trim_start().len()]
    }

    fn push(&mut self, operator: Operator, what: String, at: Span, edits: Vec<Edit>) {
        let place = match self.scope.is_empty() {
            true => "the file".to_owned(),
            false => self.scope.join("::"),
        };
        self.mutants.push(Mutant {
            operator,
            change: format!("{operator}: {what} in `{place}`"),
            line: at.start().line,
            edits,
        });
    }

    fn replace(span: Span, with: impl Into<String>) -> Edit {
        let range = span.byte_range();
        Edit {
            start: range.start,
            end: range.end,
            with: with.into(),
        }
    }

    fn scoped(&mut self, name: String, visit: impl FnOnce(&mut Self)) {
        self.scope.push(name);
        visit(self);
        self.scope.pop();
    }

    // --- Statement operators ------------------------------------------------------------------

    fn statements(&mut self, block: &Block) {
        let stmts = &block.stmts;
        for (i, stmt) in stmts.iter().enumerate() {
            let span = stmt_span(stmt);
            let kind = deletable(stmt);
            let drops_a_guard = self.guards.iter().any(|guard| is_drop_of(stmt, guard));
            if let Some(kind) = kind.filter(|_| !drops_a_guard) {
                let what = format!("delete `{}`", self.snippet(span));
                self.push(kind, what, span, vec![Self::replace(span, "")]);
            }
            let Some(next) = stmts.get(i + 1) else {
                continue;
            };
            let next_span = stmt_span(next);
            if let (Some(first), Some(second)) = (lock_binding(stmt), lock_binding(next)) {
                let swappable = !mentions(self.text(next_span), &first) && first != second;
                if swappable && self.held_together_elsewhere(stmt, next) {
                    let what = format!(
                        "swap `{}` and `{}`",
                        self.snippet(span),
                        self.snippet(next_span)
                    );
                    let edit = self.swap(span, next_span);
                    self.push(Operator::SwapLocks, what, span, vec![edit]);
                }
            }
            if deletable(next) == Some(Operator::DeleteWake) && writes_an_atomic(stmt) {
                let what = format!(
                    "`{}` moved above `{}`",
                    self.snippet(next_span),
                    self.snippet(span)
                );
                let edit = self.swap(span, next_span);
                self.push(Operator::WakeBeforeWrite, what, next_span, vec![edit]);
            }
        }
        self.split_critical_sections(stmts);
        self.waker_after_check(stmts);
    }

    /// Whether the locks that `first` and `second` take are also held together at another
    /// place: only then can taking them in the other order here close a cycle of waits. A lock
    /// that has no name (`lock_for(key).lock()`) might be held anywhere.
    fn held_together_elsewhere(&self, first: &Stmt, second: &Stmt) -> bool {
        let (Some(a), Some(b)) = (
            held_together::lock_taken_by_let(first),
            held_together::lock_taken_by_let(second),
        ) else {
            return true;
        };
        let here = (
            held_together::start_of(first),
            held_together::start_of(second),
        );
        held_together::elsewhere(&self.held_together, &a, &b, here)
    }

    /// One edit that swaps two neighbouring statements.
    fn swap(&self, first: Span, second: Span) -> Edit {
        let (a, b) = (first.byte_range(), second.byte_range());
        let between = &self.source[a.end..b.start];
        Edit {
            start: a.start,
            end: b.end,
            with: format!(
                "{}{between}{}",
                &self.source[b.clone()],
                &self.source[a.clone()]
            ),
        }
    }

    /// `let g = m.lock()..; A; B;` → `let g = m.lock()..; A; drop(g); let g = m.lock()..; B;`
    /// where A uses `g` and B acts on what an earlier statement read of the state into a name
    /// (see [`check_then_act`]: a check, then an act), else B is the last statement that uses
    /// `g`. A statement that only decides whether to wake (`if g.waiting > 0 {
    /// cv.notify_one(); }`) is not such a B: deciding on fresher state only moves a wake, which
    /// every waiter rechecks under the lock; nor is a `let` that names such a decision's test.
    fn split_critical_sections(&mut self, stmts: &[Stmt]) {
        for (i, stmt) in stmts.iter().enumerate() {
            let (Some(guard), Stmt::Local(local)) = (lock_binding(stmt), stmt) else {
                continue;
            };
            let Some(init) = &local.init else { continue };
            // The guard's statements, up to one that binds its name again.
            let scope_end = (i + 1..stmts.len())
                .find(|&j| binds(&stmts[j], &guard))
                .unwrap_or(stmts.len());
            let users: Vec<usize> = (i + 1..scope_end)
                .filter(|&j| mentions(self.text(stmt_span(&stmts[j])), &guard))
                .filter(|&j| !is_drop_of(&stmts[j], &guard) && !decides_a_wake(&stmts[j]))
                .filter(|&j| !self.names_a_wake_decision(stmts, j, &guard))
                .collect();
            let (Some(&first), Some(&last)) = (users.first(), users.last()) else {
                continue;
            };
            // A wait loop looks at the state again under the lock, and so does `wait_while`
            // before it sleeps: releasing just before either splits nothing.
            let waits_again = |at: usize| match &stmts[at] {
                Stmt::Expr(Expr::While(wait), _) => waits(&wait.body),
                stmt => statement_calls_any(stmt, &CONDITION_WAITS),
            };
            let act = check_then_act(stmts, &users, &guard).filter(|&at| !waits_again(at));
            let at = act.unwrap_or(last);
            if first == last || waits_again(at) {
                continue;
            }
            let split_before = stmt_span(&stmts[at]);
            let indent = self.indent(split_before).to_owned();
            let pattern = self.text(local.pat.span()).to_owned();
            let Some(lock) = self.relock(&init.expr) else {
                continue;
            };
            let what = format!(
                "`{guard}` released and taken again before `{}`",
                self.snippet(split_before)
            );
            let start = split_before.byte_range().start;
            let edit = Edit {
                start,
                end: start,
                with: format!("drop({guard});\n{indent}let {pattern} = {lock};\n{indent}"),
            };
            self.push(
                Operator::SplitCriticalSection,
                what,
                split_before,
                vec![edit],
            );
        }
    }

    /// Whether `stmts[at]` reads the state behind `guard` into a name that only decides a
    /// wake: `let empty = g.readers == 0; drop(g); if empty { cv.notify_all(); }` is
    /// `if g.readers == 0 { cv.notify_all(); }` with the test named, and no split goes before
    /// either (see [`Self::split_critical_sections`]).
    ///
    /// Only a test: a value read for the wake itself (`let waker = g.next_waiter();`) names
    /// whom to wake, and read afresh it may name one another thread already woke.
    fn names_a_wake_decision(&self, stmts: &[Stmt], at: usize, guard: &str) -> bool {
        let Some((name, value)) = let_binding(&stmts[at]) else {
            return false;
        };
        if !is_a_test(value) || !StateUse::of(&stmts[at], guard).writes.is_empty() {
            return false;
        }
        let tests_the_name = |stmt: &Stmt| match stmt {
            Stmt::Expr(Expr::If(decision), _) => {
                let test = match &*decision.cond {
                    Expr::Unary(not) if matches!(not.op, UnOp::Not(_)) => &*not.expr,
                    test => test,
                };
                matches!(test, Expr::Path(path) if path.path.is_ident(&name))
                    && decides_a_wake(stmt)
            }
            _ => false,
        };
        let mut uses = stmts[at + 1..]
            .iter()
            .filter(|stmt| mentions(self.text(stmt_span(stmt)), &name))
            .peekable();
        uses.peek().is_some() && uses.all(tests_the_name)
    }

    /// The expression that takes the lock of `init` again, plainly: `init` itself when it is
    /// `m.lock()` or `m.lock().unwrap()` (or `.expect(..)`), else `m.lock().unwrap()` for the
    /// first lock call inside it (a guard handed to `wait_while`, say).
    fn relock(&self, init: &Expr) -> Option<String> {
        let lock = calls(init, &LOCKS, Some(0)).first_method?;
        let plain = self.text(unwrapped(init).span()) == self.text(lock.span());
        Some(match plain {
            true => self.text(init.span()).to_owned(),
            false => format!("{}.unwrap()", self.text(lock.span())),
        })
    }

    /// A statement that stores the waker, followed by an `if` that returns `Poll::Ready`:
    /// the store moves below the `if`.
    fn waker_after_check(&mut self, stmts: &[Stmt]) {
        for (i, stmt) in stmts.iter().enumerate() {
            let span = stmt_span(stmt);
            if !self.text(span).contains("waker()") || matches!(stmt, Stmt::Expr(Expr::If(_), _)) {
                continue;
            }
            let check = stmts[i + 1..].iter().find(|later| {
                matches!(later, Stmt::Expr(Expr::If(_), _))
                    && self.text(stmt_span(later)).contains("Poll::Ready")
            });
            let Some(check) = check else { continue };
            let check_span = stmt_span(check);
            let indent = self.indent(span).to_owned();
            let what = format!(
                "`{}` moved below `{}`",
                self.snippet(span),
                self.snippet(check_span)
            );
            let moved = self.text(span).to_owned();
            let after = check_span.byte_range().end;
            let edits = vec![
                Self::replace(span, ""),
                Edit {
                    start: after,
                    end: after,
                    with: format!("\n{indent}{moved}"),
                },
            ];
            self.push(Operator::WakerAfterCheck, what, span, edits);
        }
    }

    // --- Expression operators -----------------------------------------------------------------

    fn method_call(&mut self, call: &ExprMethodCall) {
        let method = call.method.to_string();
        let span = call.span();
        if method == "notify_all" {
            let what = format!("`notify_all` → `notify_one`: `{}`", self.snippet(span));
            let edit = Self::replace(call.method.span(), "notify_one");
            self.push(Operator::NotifyAllToOne, what, span, vec![edit]);
        }
        let args: Vec<&Expr> = call.args.iter().collect();
        for (position, arg) in args.iter().enumerate() {
            let Some((ident_span, from)) = ordering(arg) else {
                continue;
            };
            let Some(to) = weaker(&method, position, args.len(), &from) else {
                continue;
            };
            let what = format!("`{from}` → `{to}` in `{}`", self.snippet(span));
            let edit = Self::replace(ident_span, to);
            self.push(Operator::WeakenOrdering, what, span, vec![edit]);
        }
        if let Some(replacement) = self.load_then_store(call, &method, &args) {
            let what = format!("a load then a store instead of `{}`", self.snippet(span));
            let edit = Self::replace(span, replacement);
            self.push(Operator::RmwToLoadStore, what, span, vec![edit]);
        }
    }

    /// The load-then-store block that stands for the read-modify-write `call`, if it is one.
    fn load_then_store(
        &self,
        call: &ExprMethodCall,
        method: &str,
        args: &[&Expr],
    ) -> Option<String> {
        let receiver = self.text(call.receiver.span());
        let arg = |n: usize| args.get(n).map(|arg| self.text(arg.span()));
        let load = format!("let value = {receiver}.load({SEQ_CST});");
        let store = |value: String| format!("{receiver}.store({value}, {SEQ_CST});");
        let new_value = match (method, args.len()) {
            ("fetch_add", 2) => format!("value.wrapping_add({})", arg(0)?),
            ("fetch_sub", 2) => format!("value.wrapping_sub({})", arg(0)?),
            ("fetch_or", 2) => format!("value | ({})", arg(0)?),
            ("fetch_and", 2) => format!("value & ({})", arg(0)?),
            ("fetch_xor", 2) => format!("value ^ ({})", arg(0)?),
            ("fetch_max", 2) => format!("value.max({})", arg(0)?),
            ("fetch_min", 2) => format!("value.min({})", arg(0)?),
            ("swap", 2) => arg(0)?.to_owned(),
            ("compare_exchange" | "compare_exchange_weak", 4) => {
                return Some(format!(
                    "{{ {load} if value == ({}) {{ {} Ok(value) }} else {{ Err(value) }} }}",
                    arg(0)?,
                    store(arg(1)?.to_owned())
                ));
            }
            _ => return None,
        };
        Some(format!("{{ {load} {} value }}", store(new_value)))
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        // A file's own unit tests are not the code under test.
        if module.ident == "tests" {
            return;
        }
        visit::visit_item_mod(self, module);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let written = self.text(item.self_ty.span());
        let name = written
            .split('<')
            .next()
            .unwrap_or(written)
            .trim()
            .to_owned();
        self.scoped(name, |finder| visit::visit_item_impl(finder, item));
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let name = item.sig.ident.to_string();
        self.scoped(name, |finder| visit::visit_item_fn(finder, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let name = item.sig.ident.to_string();
        self.scoped(name, |finder| visit::visit_impl_item_fn(finder, item));
    }

    fn visit_block(&mut self, block: &'ast Block) {
        let (outer_guards, outer_unequal) = (self.guards.len(), self.unequal.clone());
        let bound = block
            .stmts
            .iter()
            .filter_map(|stmt| guard_binding(stmt, &self.guard_helpers))
            .collect::<Vec<_>>();
        self.guards.extend(bound);
        self.statements(block);
        for stmt in &block.stmts {
            self.wake_tests
                .extend(wake_tests(stmt).map(|test| test.span().byte_range()));
            self.visit_stmt(stmt);
            self.unequal
                .retain(|(a, b)| !rebinds(stmt, a) && !rebinds(stmt, b));
            self.unequal.extend(refused_equality(stmt));
        }
        self.guards.truncate(outer_guards);
        self.unequal = outer_unequal;
    }

    fn visit_expr_while(&mut self, expr: &'ast ExprWhile) {
        if waits(&expr.body) {
            let what = format!(
                "`while` → `if` around a wait: `{}`",
                self.snippet(expr.span())
            );
            let edit = Self::replace(expr.while_token.span, "if");
            self.push(Operator::WhileToIf, what, expr.span(), vec![edit]);
        }
        visit::visit_expr_while(self, expr);
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        self.method_call(call);
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_binary(&mut self, expr: &'ast ExprBinary) {
        let flipped = match expr.op {
            BinOp::Lt(_) => Some("<="),
            BinOp::Le(_) => Some("<"),
            BinOp::Gt(_) => Some(">="),
            BinOp::Ge(_) => Some(">"),
            _ => None,
        };
        let sides = (self.text(expr.left.span()), self.text(expr.right.span()));
        let known_unequal = self
            .unequal
            .iter()
            .any(|(a, b)| [(a.as_str(), b.as_str()), (b, a)].contains(&sides));
        // An extra wake is no bug: std lets any wait end without one, so correct code waits
        // in a loop that checks again.
        let widens = matches!(expr.op, BinOp::Lt(_) | BinOp::Gt(_));
        let only_adds_wakes = widens && self.wake_tests.contains(&expr.span().byte_range());
        if let Some(to) = flipped.filter(|_| !known_unequal && !only_adds_wakes) {
            let op_span = expr.op.span();
            let from = self.text(op_span).to_owned();
            let what = format!("`{from}` → `{to}` in `{}`", self.snippet(expr.span()));
            self.push(
                Operator::Boundary,
                what,
                expr.span(),
                vec![Self::replace(op_span, to)],
            );
        }
        visit::visit_expr_binary(self, expr);
    }
}

/// The whole statement, with its semicolon.
fn stmt_span(stmt: &Stmt) -> Span {
    match stmt {
        Stmt::Expr(expr, Some(semi)) => expr
            .span()
            .join(semi.spans[0])
            .unwrap_or_else(|| expr.span()),
        other => other.span(),
    }
}

/// The call a statement is about, under `let _ =`, `.unwrap()`, `.expect(..)` and `?`.
fn statement_call(stmt: &Stmt) -> Option<&Expr> {
    match stmt {
        Stmt::Expr(expr, _) => Some(unwrapped(expr)),
        Stmt::Local(local) if matches!(local.pat, Pat::Wild(_)) => {
            Some(unwrapped(&local.init.as_ref()?.expr))
        }
        _ => None,
    }
}

/// `expr` without the `?`, `.unwrap()` and `.expect(..)` around it.
fn unwrapped(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Try(inner) => expr = inner.expr.as_ref(),
            Expr::MethodCall(call) if ["unwrap", "expect"].contains(&&*call.method.to_string()) => {
                expr = call.receiver.as_ref()
            }
            _ => return expr,
        }
    }
}

/// Which delete operator applies to the statement, if one does.
fn deletable(stmt: &Stmt) -> Option<Operator> {
    match statement_call(stmt)? {
        Expr::MethodCall(call) => {
            let method = call.method.to_string();
            match (method.as_str(), call.args.len()) {
                (m, _) if WAKES.contains(&m) => Some(Operator::DeleteWake),
                ("join", 0) => Some(Operator::DeleteJoin),
                ("wait", 0) => Some(Operator::DeleteWait),
                _ => None,
            }
        }
        Expr::Call(call) => {
            let Expr::Path(path) = &*call.func else {
                return None;
            };
            let last = path.path.segments.last()?.ident.to_string();
            match (last.as_str(), call.args.len()) {
                ("wake", _) => Some(Operator::DeleteWake),
                ("drop", 1) => Some(Operator::DeleteDrop),
                ("fence", 1) => Some(Operator::DeleteFence),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `stmt` is `drop(guard);`.
fn is_drop_of(stmt: &Stmt, guard: &str) -> bool {
    let Some(Expr::Call(call)) = statement_call(stmt) else {
        return false;
    };
    let is_drop = matches!(&*call.func, Expr::Path(path) if path.path.is_ident("drop"));
    let of_guard = matches!(call.args.first(), Some(Expr::Path(arg)) if arg.path.is_ident(guard));
    is_drop && of_guard
}

/// The name and the value of `let [mut] name = value;`.
fn let_binding(stmt: &Stmt) -> Option<(String, &Expr)> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let Pat::Ident(binding) = &local.pat else {
        return None;
    };
    Some((binding.ident.to_string(), &local.init.as_ref()?.expr))
}

/// `(a, b)` for `if a == b { ..; return ..; }` (no `else`) on two plain names: after it,
/// `a` and `b` differ.
fn refused_equality(stmt: &Stmt) -> Option<(String, String)> {
    let Stmt::Expr(Expr::If(refusal), _) = stmt else {
        return None;
    };
    let Expr::Binary(test) = &*refusal.cond else {
        return None;
    };
    let name = |expr: &Expr| match expr {
        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        _ => None,
    };
    let returns = matches!(
        refusal.then_branch.stmts.last(),
        Some(Stmt::Expr(Expr::Return(_), _))
    );
    let equal = matches!(test.op, BinOp::Eq(_));
    (equal && returns && refusal.else_branch.is_none())
        .then(|| Some((name(&test.left)?, name(&test.right)?)))
        .flatten()
}

/// Whether `stmt` binds `name` again or assigns to it: what was known of it is lost.
fn rebinds(stmt: &Stmt, name: &str) -> bool {
    let assigned = match stmt {
        Stmt::Expr(Expr::Assign(assign), _) => {
            matches!(&*assign.left, Expr::Path(path) if path.path.is_ident(name))
        }
        Stmt::Expr(Expr::Binary(binary), _) => {
            matches!(&*binary.left, Expr::Path(path) if path.path.is_ident(name))
        }
        _ => false,
    };
    assigned || binds(stmt, name)
}

/// Whether `stmt` is a `let` that binds `name` (shadowing an earlier binding).
fn binds(stmt: &Stmt, name: &str) -> bool {
    matches!(stmt, Stmt::Local(local) if matches!(&local.pat, Pat::Ident(binding) if binding.ident == name))
}

/// The name bound by `let [mut] name = <.. .lock() / .read() / .write() ..>;`: not by a block
/// that takes a lock inside and gives back something else (`let gate = { let g = m.lock()..;
/// Arc::clone(&g.gate) };`).
fn lock_binding(stmt: &Stmt) -> Option<String> {
    let (name, value) = let_binding(stmt)?;
    let a_block = matches!(value, Expr::Block(_));
    (!a_block && calls_any(value, &LOCKS, Some(0))).then_some(name)
}

/// The name bound by a `let` whose value is a lock guard: from one of [`GUARDS`], or from one
/// of the file's `helpers` that hand one back.
fn guard_binding(stmt: &Stmt, helpers: &[String]) -> Option<String> {
    let (name, value) = let_binding(stmt)?;
    let helpers: Vec<&str> = helpers.iter().map(String::as_str).collect();
    (calls_any(value, &GUARDS, None) || calls_any(value, &helpers, None)).then_some(name)
}

/// The names of `file`'s functions and methods whose return type is a lock guard (a type whose
/// name ends in `Guard`: `MutexGuard<'_, T>`, `RwLockWriteGuard<'_, T>`).
fn guard_helpers(file: &syn::File) -> Vec<String> {
    struct Helpers(Vec<String>);
    impl Helpers {
        fn note(&mut self, sig: &syn::Signature) {
            let syn::ReturnType::Type(_, ty) = &sig.output else {
                return;
            };
            let syn::Type::Path(path) = &**ty else {
                return;
            };
            let last = path.path.segments.last().map(|s| s.ident.to_string());
            if last.is_some_and(|name| name.ends_with("Guard")) {
                self.0.push(sig.ident.to_string());
            }
        }
    }
    impl Visit<'_> for Helpers {
        fn visit_item_fn(&mut self, item: &syn::ItemFn) {
            self.note(&item.sig);
            visit::visit_item_fn(self, item);
        }
        fn visit_impl_item_fn(&mut self, item: &syn::ImplItemFn) {
            self.note(&item.sig);
            visit::visit_impl_item_fn(self, item);
        }
    }
    let mut helpers = Helpers(Vec::new());
    helpers.visit_file(file);
    helpers.0
}

/// The calls in `expr` (itself included) to a method named one of `methods` (with `args`
/// arguments, when given), or to a function whose path ends so.
struct Calls<'m, 'ast> {
    methods: &'m [&'m str],
    args: Option<usize>,
    /// The first such method call, outermost first.
    first_method: Option<&'ast ExprMethodCall>,
    found: bool,
}

impl<'ast> Visit<'ast> for Calls<'_, 'ast> {
    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        let named = self.methods.contains(&&*call.method.to_string());
        if named && self.args.is_none_or(|n| n == call.args.len()) {
            self.found = true;
            self.first_method.get_or_insert(call);
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(path) = &*call.func {
            let last = path.path.segments.last().map(|s| s.ident.to_string());
            if last.is_some_and(|last| self.methods.contains(&last.as_str())) {
                self.found = true;
            }
        }
        visit::visit_expr_call(self, call);
    }
}

/// What [`Calls`] finds in `expr`.
fn calls<'m, 'ast>(
    expr: &'ast Expr,
    methods: &'m [&'m str],
    args: Option<usize>,
) -> Calls<'m, 'ast> {
    let mut calls = Calls {
        methods,
        args,
        first_method: None,
        found: false,
    };
    calls.visit_expr(expr);
    calls
}

/// Whether `expr` (or anything in it) calls one of `methods` (see [`Calls`]).
fn calls_any(expr: &Expr, methods: &[&str], args: Option<usize>) -> bool {
    calls(expr, methods, args).found
}

/// Whether the statement's expression (or a `let`'s value) calls one of `methods`.
fn statement_calls_any(stmt: &Stmt, methods: &[&str]) -> bool {
    match stmt {
        Stmt::Expr(expr, _) => calls_any(expr, methods, None),
        Stmt::Local(local) => local
            .init
            .as_ref()
            .is_some_and(|init| calls_any(&init.expr, methods, None)),
        _ => false,
    }
}

/// Whether `stmt` is an `if` that only wakes: `if g.waiting > 0 { cv.notify_one(); }`.
fn decides_a_wake(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::If(decision), _) = stmt else {
        return false;
    };
    let only_wakes = |block: &Block| {
        block
            .stmts
            .iter()
            .all(|stmt| deletable(stmt) == Some(Operator::DeleteWake))
    };
    let otherwise = match decision.else_branch.as_ref().map(|(_, branch)| &**branch) {
        None => true,
        Some(Expr::Block(block)) => only_wakes(&block.block),
        Some(_) => false,
    };
    !decision.then_branch.stmts.is_empty() && only_wakes(&decision.then_branch) && otherwise
}

/// The comparisons of an `if` without `else` that only wakes (`if g.waiting > 0 {
/// cv.notify_one(); }`) whose being true more often makes the whole test true more often:
/// the test itself, or the sides of `&&` and `||` (not under `!`).
fn wake_tests(stmt: &Stmt) -> impl Iterator<Item = &ExprBinary> {
    fn comparisons<'e>(test: &'e Expr, found: &mut Vec<&'e ExprBinary>) {
        match test {
            Expr::Binary(binary) if matches!(binary.op, BinOp::And(_) | BinOp::Or(_)) => {
                comparisons(&binary.left, found);
                comparisons(&binary.right, found);
            }
            Expr::Binary(binary) => found.push(binary),
            Expr::Paren(inner) => comparisons(&inner.expr, found),
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Stmt::Expr(Expr::If(decision), _) = stmt {
        if decision.else_branch.is_none() && decides_a_wake(stmt) {
            comparisons(&decision.cond, &mut found);
        }
    }
    found.into_iter()
}

/// Whether `expr` is a comparison, or comparisons joined by `&&`, `||` and `!`.
fn is_a_test(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(binary) => match binary.op {
            BinOp::And(_) | BinOp::Or(_) => is_a_test(&binary.left) && is_a_test(&binary.right),
            BinOp::Eq(_)
            | BinOp::Ne(_)
            | BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Gt(_)
            | BinOp::Ge(_) => true,
            _ => false,
        },
        Expr::Unary(not) if matches!(not.op, UnOp::Not(_)) => is_a_test(&not.expr),
        Expr::Paren(inner) => is_a_test(&inner.expr),
        _ => false,
    }
}

/// Whether a loop body waits: a condvar wait, a park, a futex wait.
fn waits(body: &Block) -> bool {
    body.stmts
        .iter()
        .any(|stmt| statement_calls_any(stmt, &WAITS))
}

/// Whether the statement writes an atomic (`store`, `fetch_*`, `swap`, `compare_exchange`).
fn writes_an_atomic(stmt: &Stmt) -> bool {
    statement_calls_any(stmt, &ATOMIC_WRITES)
}

/// `Ordering::X` or `X` for a memory ordering stronger than `Relaxed`: the span of `X`, and
/// `X`.
fn ordering(expr: &Expr) -> Option<(Span, String)> {
    let Expr::Path(path) = expr else { return None };
    let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
    let last = segments.last()?;
    let name = last.ident.to_string();
    let qualified = segments.len() == 1 || segments[segments.len() - 2].ident == "Ordering";
    let strong = ["SeqCst", "AcqRel", "Acquire", "Release"].contains(&name.as_str());
    (qualified && strong).then(|| (last.ident.span(), name))
}

/// The weaker ordering for argument `position` of `method` (of `count` arguments), if the
/// operation accepts one.
fn weaker(method: &str, position: usize, count: usize, from: &str) -> Option<&'static str> {
    // What the argument orders: a load, a store, a read-modify-write, or a failed exchange.
    enum Role {
        Load,
        Store,
        Rmw,
        Failure,
    }
    let role = match (method, position, count) {
        ("load", 0, 1) => Role::Load,
        ("store", 1, 2) => Role::Store,
        ("compare_exchange" | "compare_exchange_weak", 2, 4) => Role::Rmw,
        ("compare_exchange" | "compare_exchange_weak", 3, 4) => Role::Failure,
        ("fetch_update", 0, 3) => Role::Rmw,
        ("fetch_update", 1, 3) => Role::Failure,
        (m, p, c) if ATOMIC_WRITES.contains(&m) && p + 1 == c => Role::Rmw,
        _ => return None,
    };
    match (role, from) {
        (Role::Load | Role::Failure, "SeqCst") => Some("Acquire"),
        (Role::Store, "SeqCst") => Some("Release"),
        (Role::Rmw, "SeqCst") => Some("AcqRel"),
        (Role::Load | Role::Failure, "Acquire") => Some("Relaxed"),
        (Role::Store, "Release") => Some("Relaxed"),
        (Role::Rmw, "AcqRel" | "Acquire" | "Release") => Some("Relaxed"),
        _ => None,
    }
}

/// Of `users` (indices of the statements that use the guard `guard`), the first that writes
/// a field an earlier one read into a name: a read-modify-write of the state that goes through
/// a name (`let ticket = g.next; g.next += 1;`), which two threads can then both do from the
/// same value. Else the first that writes the state with such a name (`let busy = g.a != g.b;
/// if !busy { g.inside += 1; }`): an act on a check that may no longer hold. A value read and
/// used within one statement (`g.count += 1`, `if g.full { .. }`) carries nothing stale
/// across a split.
fn check_then_act(stmts: &[Stmt], users: &[usize], guard: &str) -> Option<usize> {
    let mut read_into_names = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut act_on_a_name = None;
    for &at in users {
        let used = StateUse::of(&stmts[at], guard);
        if used.writes_any_of(&read_into_names) {
            return Some(at);
        }
        if !used.writes.is_empty() && !used.names.is_disjoint(&names) {
            act_on_a_name.get_or_insert(at);
        }
        let bound = bound_names(&stmts[at]);
        if !bound.is_empty() && !used.reads.is_empty() {
            read_into_names.extend(used.reads);
            names.extend(bound);
        }
    }
    act_on_a_name
}

/// Whether `text` mentions the identifier `name` (as a whole word).
fn mentions(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}
