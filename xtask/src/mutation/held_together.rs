//! Which locks a file's code holds at once: a guard bound by a `let`, and a lock taken by a
//! later statement of the same block. [`super::sites`] swaps two acquisitions only where
//! another place holds the same two locks: where they are held together nowhere else, the
//! swapped order is the order everywhere, and a reversed order is as free of cycles as the
//! original (highest fork first is a global order too).
//!
//! A lock is named by the place it is called on, with indices left out: `self.forks[seat]` and
//! `self.forks[(seat + 1) % n]` are both `self.forks[_]`. A lock taken inside a function called
//! while a guard is held is not seen.

use syn::visit::{self, Visit};
use syn::{Block, Expr, Stmt};

use super::sites::LOCKS;

/// Two locks held at once at one place: the guard's `let` and the later statement, each
/// named by where it starts in the file (a byte offset).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct HeldTogether {
    pub first: String,
    pub second: String,
    pub at: (usize, usize),
}

/// Every place in `file` that holds two locks at once.
pub(super) fn find(file: &syn::File) -> Vec<HeldTogether> {
    let mut finder = Finder(Vec::new());
    finder.visit_file(file);
    finder.0
}

/// Whether `pairs` has `first` and `second` held together (in either order) anywhere but at
/// `except`.
pub(super) fn elsewhere(
    pairs: &[HeldTogether],
    first: &str,
    second: &str,
    except: (usize, usize),
) -> bool {
    pairs.iter().any(|pair| {
        let same = (pair.first == first && pair.second == second)
            || (pair.first == second && pair.second == first);
        same && pair.at != except
    })
}

/// The lock a `let` takes as its guard: `let g = self.a[i].lock().unwrap();` takes `self.a[_]`.
pub(super) fn lock_taken_by_let(stmt: &Stmt) -> Option<String> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    locks_in(&local.init.as_ref()?.expr).into_iter().next()
}

struct Finder(Vec<HeldTogether>);

impl Visit<'_> for Finder {
    fn visit_block(&mut self, block: &Block) {
        for (i, stmt) in block.stmts.iter().enumerate() {
            let Some(held) = lock_taken_by_let(stmt) else {
                continue;
            };
            let start = start_of(stmt);
            for later in &block.stmts[i + 1..] {
                for taken in locks_in_stmt(later) {
                    self.0.push(HeldTogether {
                        first: held.clone(),
                        second: taken,
                        at: (start, start_of(later)),
                    });
                }
            }
        }
        visit::visit_block(self, block);
    }
}

/// Where `stmt` starts in the file, as the mutation sites count it.
pub(super) fn start_of(stmt: &Stmt) -> usize {
    syn::spanned::Spanned::span(stmt).byte_range().start
}

fn locks_in_stmt(stmt: &Stmt) -> Vec<String> {
    let mut finder = LockCalls(Vec::new());
    finder.visit_stmt(stmt);
    finder.0
}

fn locks_in(expr: &Expr) -> Vec<String> {
    let mut finder = LockCalls(Vec::new());
    finder.visit_expr(expr);
    finder.0
}

/// The locks taken in an expression, innermost first.
struct LockCalls(Vec<String>);

impl Visit<'_> for LockCalls {
    fn visit_expr_method_call(&mut self, call: &syn::ExprMethodCall) {
        visit::visit_expr_method_call(self, call);
        let method = call.method.to_string();
        if call.args.is_empty() && LOCKS.contains(&method.as_str()) {
            if let Some(name) = lock_name(&call.receiver) {
                self.0.push(name);
            }
        }
    }
}

/// `self.forks[_]` for `self.forks[first]`; `None` for what is not a place.
fn lock_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) => Some(
            path.path
                .segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect::<Vec<_>>()
                .join("::"),
        ),
        Expr::Field(field) => {
            let member = match &field.member {
                syn::Member::Named(name) => name.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            Some(format!("{}.{member}", lock_name(&field.base)?))
        }
        Expr::Index(index) => Some(format!("{}[_]", lock_name(&index.expr)?)),
        Expr::Paren(inner) => lock_name(&inner.expr),
        Expr::Reference(inner) => lock_name(&inner.expr),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Deref(_),
            expr,
            ..
        }) => lock_name(expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(source: &str) -> Vec<(String, String)> {
        let file = syn::parse_file(source).unwrap();
        find(&file)
            .into_iter()
            .map(|pair| (pair.first, pair.second))
            .collect()
    }

    #[test]
    fn a_guard_and_a_later_lock_of_its_block_are_held_together() {
        let found = pairs(
            "fn f(&self, i: usize) {
                 let _t = self.turnstile.lock().unwrap();
                 *self.room[i + 1].lock().unwrap() += 1;
             }
             fn g(&self) { let a = self.a.lock(); drop(a); }",
        );
        assert_eq!(
            found,
            [("self.turnstile".to_owned(), "self.room[_]".to_owned())]
        );
    }

    #[test]
    fn locks_in_different_blocks_are_not_held_together() {
        let found = pairs(
            "fn f(&self) {
                 { let _a = self.a.lock(); }
                 let _b = self.b.lock();
             }",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
