//! A bank whose accounts each have their own lock, so that transfers between different
//! accounts can run at the same time.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check bank` to see what
//! the checks think of this file.

/// Why a [`Bank::transfer`] was refused. A refused transfer changes no balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferError {
    /// The paying account holds less than the amount.
    InsufficientFunds,
    /// The paying and the receiving account are the same account.
    SameAccount,
    /// The paying or the receiving account does not exist.
    NoSuchAccount,
}

/// A bank of numbered accounts, each guarded by its own lock, shared between threads.
///
/// Accounts are numbered `0..n` in the order their opening balances were given to
/// [`Bank::new`]. Money is never created or destroyed: transfers only move it.
///
/// ```no_run
/// use bank::{Bank, TransferError};
///
/// let bank = Bank::new(&[100, 50]);
/// assert_eq!(bank.transfer(0, 1, 30), Ok(()));
/// assert_eq!(bank.balance(0), Some(70));
/// assert_eq!(bank.balance(1), Some(80));
/// assert_eq!(bank.transfer(1, 0, 500), Err(TransferError::InsufficientFunds));
/// assert_eq!(bank.total(), 150);
/// ```
pub struct Bank {
    // TODO: one lock per account (for example a `Vec` of `harness::sync::Mutex<u64>`),
    // not one lock around the whole bank. Name each after its account, and a failing check's
    // interleaving says which one a thread waits for:
    // `Mutex::new(balance).named(format!("account {i}"))`.
}

impl Bank {
    /// Opens one account per entry of `balances`, holding that entry. Account `i` starts with
    /// `balances[i]`. The balances must add up to at most `u64::MAX`.
    pub fn new(balances: &[u64]) -> Self {
        // TODO
        todo!("open one account per balance: {balances:?}")
    }

    /// Moves `amount` from account `from` to account `to`, as one indivisible step: no other
    /// thread ever sees the money in both accounts or in neither.
    ///
    /// Many transfers run at the same time, in any direction (from 0 to 1 while another
    /// thread transfers from 1 to 0): they must all finish, never deadlock. Moving 0 between
    /// two different existing accounts succeeds and changes nothing.
    ///
    /// # Errors
    ///
    /// When several apply, any one of them may be returned; checking in this order is natural. An error changes no balance.
    ///
    /// 1. [`TransferError::NoSuchAccount`] if `from` or `to` is not an account of this bank.
    /// 2. [`TransferError::SameAccount`] if `from == to`.
    /// 3. [`TransferError::InsufficientFunds`] if account `from` holds less than `amount` at
    ///    the moment of the transfer. Balances never go below zero.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        // TODO
        todo!("move {amount} from account {from} to account {to}")
    }

    /// Returns the balance of `account`, or `None` if there is no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        // TODO
        todo!("read the balance of account {account}")
    }

    /// Returns the sum of all balances, as one consistent snapshot: it never counts money
    /// that is halfway through a transfer twice, or not at all. Since transfers only move
    /// money, it always equals the sum of the opening balances, even while transfers run.
    pub fn total(&self) -> u64 {
        // TODO
        todo!("add up every balance at one instant")
    }
}
