//! What one statement does with the state behind a lock guard: which of its fields it reads
//! and writes, and which local names it reads. [`super::sites`] splits a critical section
//! where a statement acts on what an earlier one read into a name under the same lock.
//!
//! A field is named by the first member after the guard (`g.queue.len()` reads `queue`); `*`
//! stands for the whole state (`*count += 1`). The guard handed to a function
//! (`self.form(&mut g)`) is no write: the function reads the state afresh.

use std::collections::BTreeSet;

use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Member, Stmt, UnOp};

/// Methods that change the value they are called on (collections, options, cells).
const MUTATORS: [&str; 24] = [
    "push",
    "push_back",
    "push_front",
    "pop",
    "pop_back",
    "pop_front",
    "insert",
    "remove",
    "take",
    "replace",
    "clear",
    "retain",
    "drain",
    "extend",
    "truncate",
    "append",
    "get_mut",
    "entry",
    "iter_mut",
    "as_mut",
    "sort",
    "dedup",
    "fill",
    "swap_remove",
];

/// The fields of a guard's state that one statement reads and writes, and the local names it
/// reads.
///
/// ```ignore
/// let stmt: syn::Stmt = syn::parse_quote!(state.next += ticket;);
/// let used = StateUse::of(&stmt, "state");
/// assert!(used.writes.contains("next") && used.names.contains("ticket"));
/// ```
#[derive(Debug, Default)]
pub(super) struct StateUse {
    /// The fields read (a field written with `+=` is read too).
    pub reads: BTreeSet<String>,
    /// The fields assigned, borrowed `&mut`, or changed by a method such as `push`.
    pub writes: BTreeSet<String>,
    /// Every plain name read (`ticket`, `self`, the guard's own name).
    pub names: BTreeSet<String>,
}

impl StateUse {
    /// What `stmt` does with the state behind the guard named `guard`.
    pub fn of(stmt: &Stmt, guard: &str) -> StateUse {
        let mut visitor = Visitor {
            guard,
            used: StateUse::default(),
        };
        visitor.visit_stmt(stmt);
        visitor.used
    }

    /// Whether this statement writes a field that `read` holds (`*` meets every field).
    pub fn writes_any_of(&self, read: &BTreeSet<String>) -> bool {
        let whole = |set: &BTreeSet<String>| set.contains("*");
        !self.writes.is_empty()
            && !read.is_empty()
            && (whole(read) || whole(&self.writes) || !self.writes.is_disjoint(read))
    }
}

/// The names a `let` statement binds (`let (a, b) = ..` binds both).
pub(super) fn bound_names(stmt: &Stmt) -> BTreeSet<String> {
    struct Names(BTreeSet<String>);
    impl Visit<'_> for Names {
        fn visit_pat_ident(&mut self, pat: &syn::PatIdent) {
            self.0.insert(pat.ident.to_string());
            visit::visit_pat_ident(self, pat);
        }
    }
    let mut names = Names(BTreeSet::new());
    if let Stmt::Local(local) = stmt {
        names.visit_pat(&local.pat);
    }
    names.0
}

struct Visitor<'g> {
    guard: &'g str,
    used: StateUse,
}

impl Visitor<'_> {
    /// Whether `expr` is the guard itself (`g`, `*g`, `(g)`).
    fn is_guard(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Path(path) => path.path.is_ident(self.guard),
            Expr::Unary(unary) if matches!(unary.op, UnOp::Deref(_)) => self.is_guard(&unary.expr),
            Expr::Paren(paren) => self.is_guard(&paren.expr),
            _ => false,
        }
    }

    /// The field of the guard's state that `place` is part of, if it is: `g.a[i].b` → `a`.
    fn field_of(&self, place: &Expr) -> Option<String> {
        if self.is_guard(place) {
            return Some("*".to_owned());
        }
        match place {
            Expr::Field(field) if self.is_guard(&field.base) => Some(match &field.member {
                Member::Named(name) => name.to_string(),
                Member::Unnamed(index) => index.index.to_string(),
            }),
            Expr::Field(field) => self.field_of(&field.base),
            Expr::Index(index) => self.field_of(&index.expr),
            Expr::Unary(unary) if matches!(unary.op, UnOp::Deref(_)) => self.field_of(&unary.expr),
            Expr::Paren(paren) => self.field_of(&paren.expr),
            Expr::MethodCall(call) => self.field_of(&call.receiver),
            _ => None,
        }
    }

    /// A write to `place` when it is part of the state: reads what `place` reads besides.
    fn write(&mut self, place: &Expr, also_reads: bool) -> bool {
        let Some(field) = self.field_of(place) else {
            return false;
        };
        if also_reads {
            self.used.reads.insert(field.clone());
        }
        self.used.writes.insert(field);
        true
    }

    /// The indices and arguments inside a `place` of the state (`g.slots[i] = ..` reads `i`).
    fn visit_indices(&mut self, place: &Expr) {
        match place {
            Expr::Field(field) => self.visit_indices(&field.base),
            Expr::Index(index) => {
                self.visit_expr(&index.index);
                self.visit_indices(&index.expr);
            }
            Expr::Unary(unary) => self.visit_indices(&unary.expr),
            Expr::Paren(paren) => self.visit_indices(&paren.expr),
            Expr::MethodCall(call) => {
                call.args.iter().for_each(|arg| self.visit_expr(arg));
                self.visit_indices(&call.receiver);
            }
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            // `g = cv.wait(g)..`: the same lock taken again, not a write to the state.
            Expr::Assign(assign) if self.is_guard(&assign.left) => {
                return self.visit_expr(&assign.right);
            }
            Expr::Assign(assign) if self.write(&assign.left, false) => {
                self.visit_indices(&assign.left);
                return self.visit_expr(&assign.right);
            }
            Expr::Binary(binary) if compound(&binary.op) && self.write(&binary.left, true) => {
                self.visit_indices(&binary.left);
                return self.visit_expr(&binary.right);
            }
            Expr::Reference(reference)
                if reference.mutability.is_some() && !self.is_guard(&reference.expr) =>
            {
                self.write(&reference.expr, true);
            }
            Expr::MethodCall(call) if MUTATORS.contains(&call.method.to_string().as_str()) => {
                self.write(&call.receiver, true);
            }
            Expr::Field(_) => {
                if let Some(field) = self.field_of(expr) {
                    self.used.reads.insert(field);
                    return self.visit_indices(expr);
                }
            }
            Expr::Path(path) => {
                if let Some(name) = path.path.get_ident() {
                    self.used.names.insert(name.to_string());
                    if *name == self.guard {
                        self.used.reads.insert("*".to_owned());
                    }
                }
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }

    /// A macro's arguments are read when they parse as expressions (`assert!(g.a > 0)`).
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = mac.parse_body_with(parser) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }
}

/// Whether `op` assigns (`+=`, `-=`, ..).
fn compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(stmt: &str) -> StateUse {
        StateUse::of(&syn::parse_str(stmt).unwrap(), "g")
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn fields_read_and_written_are_told_apart() {
        let taken = used("let ticket = g.next;");
        assert_eq!((taken.reads, taken.writes), (set(&["next"]), set(&[])));
        let bumped = used("g.next += 1;");
        assert_eq!(
            (bumped.reads, bumped.writes),
            (set(&["next"]), set(&["next"]))
        );
        let stored = used("g.queue[i].done = ticket + g.base;");
        assert_eq!(
            (stored.reads, stored.writes),
            (set(&["base"]), set(&["queue"]))
        );
        assert!(stored.names.contains("ticket") && stored.names.contains("i"));
        let looked_up = used("let done = g.slots[at].done;");
        assert_eq!(looked_up.reads, set(&["slots"]));
        assert!(looked_up.names.contains("at"));
    }

    #[test]
    fn mutating_calls_write_and_handing_the_guard_over_does_not() {
        assert_eq!(used("g.waiting.push_back(me);").writes, set(&["waiting"]));
        assert_eq!(used("let n = g.waiting.len();").writes, set(&[]));
        assert_eq!(used("*g -= 1;").writes, set(&["*"]));
        assert_eq!(used("take(&mut g.slots);").writes, set(&["slots"]));
        assert_eq!(used("self.call_boatload(&mut g);").writes, set(&[]));
        assert_eq!(used("self.join(g, ticket);").writes, set(&[]));
    }

    #[test]
    fn taking_the_lock_again_in_a_wait_is_no_write() {
        let waited = used("while g.serving != ticket { g = self.cv.wait(g).unwrap(); }");
        assert_eq!(waited.writes, set(&[]));
        assert!(waited.reads.contains("serving"));
    }

    #[test]
    fn macro_arguments_are_read() {
        assert_eq!(
            used("assert!(g.readers > 0, \"x\");").reads,
            set(&["readers"])
        );
    }
}
