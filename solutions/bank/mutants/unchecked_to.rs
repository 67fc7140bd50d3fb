//! Mutant: `transfer` checks that the paying account exists but forgets the receiving one, so a transfer to a missing account panics with an index out of bounds instead of returning NoSuchAccount.
//! Expect: panic

use harness::sync::{Mutex, MutexGuard};

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
/// ```
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
    accounts: Vec<Mutex<u64>>,
}

impl Bank {
    /// Opens one account per entry of `balances`, holding that entry. Account `i` starts with
    /// `balances[i]`. The balances must add up to at most `u64::MAX`.
    pub fn new(balances: &[u64]) -> Self {
        Bank {
            accounts: balances
                .iter()
                .map(|&balance| Mutex::new(balance))
                .collect(),
        }
    }

    /// Locks one account. `#[track_caller]` makes traces show the line that called this.
    #[track_caller]
    fn lock(&self, account: usize) -> MutexGuard<'_, u64> {
        self.accounts[account].lock().unwrap()
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
        if from >= self.accounts.len() {
            return Err(TransferError::NoSuchAccount);
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        // Lock the smaller index first, whichever way the money flows.
        let (mut payer, mut payee) = if from < to {
            let payer = self.lock(from);
            (payer, self.lock(to))
        } else {
            let payee = self.lock(to);
            (self.lock(from), payee)
        };
        // Check and act under the same guard: nobody can spend the money in between.
        if *payer < amount {
            return Err(TransferError::InsufficientFunds);
        }
        *payer -= amount;
        *payee += amount;
        Ok(())
    }

    /// Returns the balance of `account`, or `None` if there is no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        self.accounts
            .get(account)
            .map(|balance| *balance.lock().unwrap())
    }

    /// Returns the sum of all balances, as one consistent snapshot: it never counts money
    /// that is halfway through a transfer twice, or not at all. Since transfers only move
    /// money, it always equals the sum of the opening balances, even while transfers run.
    pub fn total(&self) -> u64 {
        // Hold every lock at once (taken in index order, like transfers), so no transfer can
        // run while we add up.
        let guards: Vec<MutexGuard<'_, u64>> = (0..self.accounts.len())
            .map(|account| self.lock(account))
            .collect();
        guards.iter().map(|balance| **balance).sum()
    }
}
