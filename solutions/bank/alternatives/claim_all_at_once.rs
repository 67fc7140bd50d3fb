//! Alternative: breaks hold-and-wait instead of circular wait: a transfer claims both of its accounts in one step from a claim table (Mutex + Condvar), waiting until both are free, so no thread ever holds one account while waiting for another; balances stay in per-account Mutexes.

use harness::sync::{Condvar, Mutex, MutexGuard};

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
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
    /// `claimed[i]` is true while some thread works on account `i`.
    claimed: Mutex<Vec<bool>>,
    /// Notified whenever accounts are given back.
    released: Condvar,
}

/// Accounts claimed by one thread; dropping it gives them back.
struct Claim<'a> {
    bank: &'a Bank,
    accounts: Vec<usize>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut claimed = self.bank.claimed.lock().unwrap();
        for &account in &self.accounts {
            claimed[account] = false;
        }
        drop(claimed);
        self.bank.released.notify_all();
    }
}

impl Bank {
    /// Opens one account per entry of `balances`, holding that entry.
    pub fn new(balances: &[u64]) -> Self {
        Bank {
            accounts: balances
                .iter()
                .map(|&balance| Mutex::new(balance))
                .collect(),
            claimed: Mutex::new(vec![false; balances.len()]),
            released: Condvar::new(),
        }
    }

    /// Waits until none of `accounts` is claimed, then claims them all in one step. A thread
    /// never holds some accounts while waiting for others, so no cycle of waits can form.
    fn claim(&self, accounts: Vec<usize>) -> Claim<'_> {
        let claimed = self.claimed.lock().unwrap();
        let mut claimed = self
            .released
            .wait_while(claimed, |claimed| {
                accounts.iter().any(|&account| claimed[account])
            })
            .unwrap();
        for &account in &accounts {
            claimed[account] = true;
        }
        Claim {
            bank: self,
            accounts,
        }
    }

    /// Locks one account's balance. Only the thread that claimed the account does this, so
    /// the lock is never contended.
    #[track_caller]
    fn lock(&self, account: usize) -> MutexGuard<'_, u64> {
        self.accounts[account].lock().unwrap()
    }

    /// Moves `amount` from account `from` to account `to`, as one indivisible step.
    ///
    /// # Errors
    ///
    /// `NoSuchAccount`, then `SameAccount`, then `InsufficientFunds`; an error changes nothing.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        if from >= self.accounts.len() || to >= self.accounts.len() {
            return Err(TransferError::NoSuchAccount);
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let _claim = self.claim(vec![from, to]);
        let mut payer = self.lock(from);
        let mut payee = self.lock(to);
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

    /// Returns the sum of all balances, as one consistent snapshot.
    pub fn total(&self) -> u64 {
        // Claim every account at once, so no transfer runs while we add up.
        let _claim = self.claim((0..self.accounts.len()).collect());
        (0..self.accounts.len())
            .map(|account| *self.lock(account))
            .sum()
    }
}
