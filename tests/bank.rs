//! Checks for the `bank` kata: transfers keep their promises (errors, no overdraft, money
//! conserved) and, run from many threads at once, never deadlock, never spend the same money
//! twice, and never let `total()` see money in flight.

use bank::{Bank, TransferError};
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};

fn main() {
    Checks::new()
        .sequential("new accounts hold their opening balances", opening_balances)
        .sequential("an empty bank has no accounts", empty_bank)
        .sequential("balance() of a missing account is None", missing_balance)
        .sequential("a transfer moves the money", transfer_moves_money)
        .sequential(
            "the whole balance can be sent, but not one unit more",
            no_overdraft,
        )
        .sequential("a transfer of 0 succeeds", zero_transfer)
        .sequential(
            "a transfer to or from a missing account is refused",
            missing_account_refused,
        )
        .sequential(
            "a transfer to the same account is refused",
            same_account_refused,
        )
        .sequential(
            "a refused transfer names a reason that applies",
            error_applies,
        )
        .concurrent(
            "transfers in opposite directions at once both finish",
            opposite_transfers_finish,
        )
        .concurrent(
            "exactly one of two withdrawals of the whole balance succeeds",
            competing_withdrawals,
        )
        .concurrent(
            "total() while transfers run always equals the opening sum",
            total_is_consistent,
        )
        .concurrent(
            "transfers around a circle of three accounts finish",
            circular_transfers_finish,
        )
        .run();
}

/// How many transfers each thread makes, scaled to the mode's engine.
fn rounds() -> u64 {
    match mode() {
        Mode::Model => 1,
        Mode::Explore => 5,
        _ => 100,
    }
}

/// Asserts every balance and the total of `bank`.
fn assert_balances(bank: &Bank, expected: &[u64], after: &str) {
    for (account, &balance) in expected.iter().enumerate() {
        let actual = bank.balance(account);
        assert_eq!(
            actual,
            Some(balance),
            "after {after}, balance({account}) should be Some({balance}), but it is {actual:?}"
        );
    }
    let total: u64 = expected.iter().sum();
    let actual = bank.total();
    assert_eq!(
        actual, total,
        "after {after}, total() should be {total}, but it is {actual}"
    );
}

/// Asserts that `transfer(from, to, amount)` returns `expected`.
fn assert_transfer(
    bank: &Bank,
    (from, to, amount): (usize, usize, u64),
    expected: Result<(), TransferError>,
) {
    let actual = bank.transfer(from, to, amount);
    assert_eq!(
        actual, expected,
        "transfer({from}, {to}, {amount}) should return {expected:?}, but it returned {actual:?}"
    );
}

/// Spawns a thread that makes `rounds` transfers of `amount` from `from` to `to` and returns
/// their results.
fn spawn_transfers(
    bank: &Arc<Bank>,
    from: usize,
    to: usize,
    amount: u64,
    rounds: u64,
) -> JoinHandle<Vec<Result<(), TransferError>>> {
    let bank = Arc::clone(bank);
    thread::spawn(move || {
        (0..rounds)
            .map(|_| bank.transfer(from, to, amount))
            .collect()
    })
}

/// Joins a thread from [`spawn_transfers`] and asserts that every transfer succeeded.
fn assert_all_succeeded(handle: JoinHandle<Vec<Result<(), TransferError>>>, what: &str) {
    for result in handle.join().unwrap() {
        assert_eq!(
            result,
            Ok(()),
            "{what}: every transfer had enough money, but one returned {result:?}"
        );
    }
}

fn opening_balances() {
    let bank = Bank::new(&[100, 50, 0]);
    assert_balances(&bank, &[100, 50, 0], "Bank::new(&[100, 50, 0])");
}

fn empty_bank() {
    let bank = Bank::new(&[]);
    assert_eq!(bank.total(), 0, "an empty bank's total() should be 0");
    assert_eq!(
        bank.balance(0),
        None,
        "an empty bank has no account 0, so balance(0) should be None"
    );
    assert_transfer(&bank, (0, 1, 0), Err(TransferError::NoSuchAccount));
}

fn missing_balance() {
    let bank = Bank::new(&[100, 50]);
    for account in [2, 3, usize::MAX] {
        let actual = bank.balance(account);
        assert_eq!(
            actual, None,
            "a bank of 2 accounts has no account {account}, so balance({account}) should be \
             None, but it is {actual:?}"
        );
    }
}

fn transfer_moves_money() {
    let bank = Bank::new(&[100, 50]);
    assert_transfer(&bank, (0, 1, 30), Ok(()));
    assert_balances(&bank, &[70, 80], "transfer(0, 1, 30) on [100, 50]");
    assert_transfer(&bank, (1, 0, 80), Ok(()));
    assert_balances(&bank, &[150, 0], "then transfer(1, 0, 80)");
}

fn no_overdraft() {
    let bank = Bank::new(&[100, 0]);
    assert_transfer(&bank, (0, 1, 101), Err(TransferError::InsufficientFunds));
    assert_balances(
        &bank,
        &[100, 0],
        "a refused transfer(0, 1, 101) on [100, 0]",
    );
    assert_transfer(&bank, (0, 1, 100), Ok(()));
    assert_balances(&bank, &[0, 100], "transfer(0, 1, 100) on [100, 0]");
    assert_transfer(&bank, (0, 1, 1), Err(TransferError::InsufficientFunds));
    assert_balances(&bank, &[0, 100], "a refused transfer(0, 1, 1) on [0, 100]");
}

fn zero_transfer() {
    let bank = Bank::new(&[0, 7]);
    assert_transfer(&bank, (0, 1, 0), Ok(()));
    assert_transfer(&bank, (1, 0, 0), Ok(()));
    assert_balances(&bank, &[0, 7], "two transfers of 0 on [0, 7]");
}

fn missing_account_refused() {
    let bank = Bank::new(&[100, 50]);
    for (from, to) in [(0, 2), (2, 0), (1, usize::MAX), (usize::MAX, 1), (2, 3)] {
        assert_transfer(&bank, (from, to, 10), Err(TransferError::NoSuchAccount));
    }
    assert_balances(&bank, &[100, 50], "transfers to and from missing accounts");
}

fn same_account_refused() {
    let bank = Bank::new(&[100, 50]);
    assert_transfer(&bank, (0, 0, 10), Err(TransferError::SameAccount));
    assert_transfer(&bank, (1, 1, 0), Err(TransferError::SameAccount));
    assert_balances(&bank, &[100, 50], "transfers from an account to itself");
}

fn error_applies() {
    use TransferError::{InsufficientFunds, NoSuchAccount, SameAccount};
    let bank = Bank::new(&[100, 50]);
    // When several reasons apply, any one of them is a right answer.
    type Refusal = ((usize, usize, u64), &'static [TransferError]);
    let cases: [Refusal; 4] = [
        ((5, 5, 1_000), &[NoSuchAccount, SameAccount]),
        ((0, 5, 1_000), &[NoSuchAccount, InsufficientFunds]),
        ((5, 0, 1_000), &[NoSuchAccount]),
        ((0, 0, 1_000), &[SameAccount, InsufficientFunds]),
    ];
    for ((from, to, amount), reasons) in cases {
        let actual = bank.transfer(from, to, amount);
        assert!(
            matches!(actual, Err(error) if reasons.contains(&error)),
            "transfer({from}, {to}, {amount}) on [100, 50] should be refused with one of \
             {reasons:?}, but it returned {actual:?}"
        );
    }
    assert_balances(&bank, &[100, 50], "refused transfers");
}

fn opposite_transfers_finish() {
    let rounds = rounds();
    // Each account holds enough for every transfer out of it, whatever the order.
    let bank = Arc::new(Bank::new(&[rounds, rounds]));
    let forth = spawn_transfers(&bank, 0, 1, 1, rounds);
    let back = spawn_transfers(&bank, 1, 0, 1, rounds);
    assert_all_succeeded(forth, "transfers from account 0 to 1");
    assert_all_succeeded(back, "transfers from account 1 to 0");
    assert_balances(
        &bank,
        &[rounds, rounds],
        &format!("{rounds} transfers of 1 each way between accounts 0 and 1"),
    );
}

fn competing_withdrawals() {
    let bank = Arc::new(Bank::new(&[10, 0, 0]));
    let first = spawn_transfers(&bank, 0, 1, 10, 1);
    let second = spawn_transfers(&bank, 0, 2, 10, 1);
    let first = first.join().unwrap()[0];
    let second = second.join().unwrap()[0];
    let succeeded = [first, second]
        .iter()
        .filter(|result| result.is_ok())
        .count();
    assert_eq!(
        succeeded, 1,
        "account 0 holds 10 and two threads each try to send all 10 at once: exactly one \
         should succeed, but transfer(0, 1, 10) returned {first:?} and transfer(0, 2, 10) \
         returned {second:?}"
    );
    for result in [first, second] {
        assert!(
            matches!(result, Ok(()) | Err(TransferError::InsufficientFunds)),
            "the refused withdrawal should return Err(InsufficientFunds), but it returned \
             {result:?}"
        );
    }
    let winner = if first.is_ok() { 1 } else { 2 };
    let mut expected = [0, 0, 0];
    expected[winner] = 10;
    assert_balances(
        &bank,
        &expected,
        &format!("the two competing withdrawals (account {winner} got the money)"),
    );
}

fn total_is_consistent() {
    let rounds = rounds();
    let bank = Arc::new(Bank::new(&[rounds, rounds]));
    let sum = 2 * rounds;
    let forth = spawn_transfers(&bank, 0, 1, 1, rounds);
    let back = spawn_transfers(&bank, 1, 0, 1, rounds);
    // The main thread takes snapshots while the money moves.
    for _ in 0..rounds {
        let total = bank.total();
        assert_eq!(
            total, sum,
            "the accounts always hold {sum} in all, but total() taken while transfers ran \
             returned {total}: it saw money in flight (counted twice or not at all)"
        );
    }
    assert_all_succeeded(forth, "transfers from account 0 to 1");
    assert_all_succeeded(back, "transfers from account 1 to 0");
    let total = bank.total();
    assert_eq!(
        total, sum,
        "after all transfers, total() should be {sum}, but it is {total}"
    );
}

fn circular_transfers_finish() {
    let rounds = rounds();
    let bank = Arc::new(Bank::new(&[rounds, rounds, rounds]));
    let handles: Vec<_> = (0..3)
        .map(|from| spawn_transfers(&bank, from, (from + 1) % 3, 1, rounds))
        .collect();
    for (from, handle) in handles.into_iter().enumerate() {
        assert_all_succeeded(
            handle,
            &format!("transfers from account {from} to {}", (from + 1) % 3),
        );
    }
    assert_balances(
        &bank,
        &[rounds, rounds, rounds],
        &format!("{rounds} transfers of 1 around the circle 0 -> 1 -> 2 -> 0"),
    );
}
