//! Checks of the `delay_future` kata: a delay future written by hand, driven by a timer the
//! checks move.
//!
//! The promises: a delay made by `sleep(ticks)` has the deadline `now() + ticks`; it is
//! `Pending` while the time is before the deadline and `Ready` once it reached it; when it
//! returns `Pending` it leaves the waker of that poll (the most recent one) with the timer, and
//! the `advance` that reaches the deadline wakes it, from any thread, whenever it comes.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use checks::threads::spawn_named;
use checks::waker::counting_waker;
use delay_future::Timer;
use harness::check::Checks;
use harness::future::{block_on, judge, Probe};
use harness::sync::Arc;
use harness::thread;

fn main() {
    Checks::new()
        .sequential("a new timer reads 0 and advance moves it", time_moves)
        .sequential("sleep(0) is ready at once", sleep_zero_is_ready)
        .sequential(
            "a delay is Pending before its deadline and Ready at it",
            pending_then_ready,
        )
        .sequential(
            "the deadline counts from the time sleep was called",
            deadline_counts_from_sleep,
        )
        .sequential(
            "the advance that reaches the deadline wakes the waiting delay",
            advance_wakes_delay,
        )
        .sequential(
            "the waker of the most recent poll is the one woken",
            most_recent_waker_is_woken,
        )
        .sequential("two delays are each woken when they are due", two_delays)
        .concurrent(
            "block_on a delay while another thread advances the timer",
            advanced_by_another_thread,
        )
        .concurrent(
            "two threads advance the timer; the delay waits for both",
            two_threads_advance,
        )
        .run();
}

fn time_moves() {
    let timer = Timer::new();
    assert_eq!(
        timer.now(),
        0,
        "a new timer should read 0, but reads {}",
        timer.now()
    );
    timer.advance(3);
    assert_eq!(
        timer.now(),
        3,
        "after advance(3) the timer should read 3, but reads {}",
        timer.now()
    );
    timer.advance(2);
    assert_eq!(
        timer.now(),
        5,
        "after advance(3) and advance(2) the timer should read 5, but reads {}",
        timer.now()
    );
}

fn sleep_zero_is_ready() {
    let timer = Timer::new();
    let mut delay = pin!(timer.sleep(0));
    let (waker, _) = counting_waker();
    assert_eq!(
        delay.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Ready(()),
        "sleep(0) is due at once, but its first poll was Pending"
    );
    block_on(timer.sleep(0));
}

fn pending_then_ready() {
    let timer = Timer::new();
    let mut delay = pin!(timer.sleep(3));
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Pending,
        "sleep(3) at time 0 was Ready at once"
    );
    timer.advance(2);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Pending,
        "sleep(3) made at time 0 was Ready at time 2, before its deadline 3"
    );
    timer.advance(1);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Ready(()),
        "sleep(3) made at time 0 was still Pending at time 3, its deadline"
    );
}

fn deadline_counts_from_sleep() {
    let timer = Timer::new();
    timer.advance(5);
    let mut delay = pin!(timer.sleep(2));
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Pending,
        "sleep(2) made at time 5 was Ready at time 5: its deadline is 7"
    );
    timer.advance(1);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Pending,
        "sleep(2) made at time 5 was Ready at time 6: its deadline is 7"
    );
    timer.advance(1);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Ready(()),
        "sleep(2) made at time 5 was still Pending at time 7, its deadline"
    );
}

fn advance_wakes_delay() {
    let timer = Timer::new();
    let (delay, stats) = Probe::new("delay", timer.sleep(2));
    let mut delay = pin!(delay);
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Pending,
        "sleep(2) at time 0 was Ready at once"
    );
    timer.advance(2);
    assert!(
        stats.wakes() > 0,
        "the delay returned Pending, then advance(2) reached its deadline, but its waker was \
         never woken: an executor would never poll it again (a lost wakeup)"
    );
    assert_eq!(
        delay.as_mut().poll(&mut cx),
        Poll::Ready(()),
        "the delay was woken at its deadline, but the next poll was Pending"
    );
    judge(&[stats]);
}

fn most_recent_waker_is_woken() {
    let timer = Timer::new();
    let mut delay = pin!(timer.sleep(1));
    let (first, first_count) = counting_waker();
    let (second, second_count) = counting_waker();
    assert_eq!(
        delay.as_mut().poll(&mut Context::from_waker(&first)),
        Poll::Pending,
        "sleep(1) at time 0 was Ready at once"
    );
    // The task moved (say, to another executor thread): it is polled with another waker.
    assert_eq!(
        delay.as_mut().poll(&mut Context::from_waker(&second)),
        Poll::Pending,
        "sleep(1) at time 0 was Ready at the second poll, with the time unchanged"
    );
    timer.advance(1);
    assert!(
        second_count.wakes() > 0,
        "the delay was polled with waker A, then with waker B, then the timer reached its \
         deadline: B must be woken (it is the one the executor listens to now), but it was not \
         (A was woken {} time(s))",
        first_count.wakes()
    );
}

fn two_delays() {
    let timer = Timer::new();
    let mut short = pin!(timer.sleep(1));
    let mut long = pin!(timer.sleep(3));
    let (short_waker, short_count) = counting_waker();
    let (long_waker, long_count) = counting_waker();
    let mut short_cx = Context::from_waker(&short_waker);
    let mut long_cx = Context::from_waker(&long_waker);
    assert_eq!(
        short.as_mut().poll(&mut short_cx),
        Poll::Pending,
        "sleep(1) at time 0 was Ready at once"
    );
    assert_eq!(
        long.as_mut().poll(&mut long_cx),
        Poll::Pending,
        "sleep(3) at time 0 was Ready at once"
    );
    timer.advance(1);
    assert!(
        short_count.wakes() > 0,
        "two delays wait, due at 1 and at 3; advance(1) did not wake the one due at 1"
    );
    assert_eq!(
        short.as_mut().poll(&mut short_cx),
        Poll::Ready(()),
        "sleep(1) was Pending at time 1"
    );
    assert_eq!(
        long.as_mut().poll(&mut long_cx),
        Poll::Pending,
        "sleep(3) was Ready at time 1"
    );
    timer.advance(2);
    assert!(
        long_count.wakes() > 0,
        "two delays wait, due at 1 and at 3; advance(1) then advance(2) did not wake the one \
         due at 3"
    );
    assert_eq!(
        long.as_mut().poll(&mut long_cx),
        Poll::Ready(()),
        "sleep(3) was Pending at time 3"
    );
}

fn spawn_advancer(name: &str, timer: &Arc<Timer>, steps: Vec<u64>) -> thread::JoinHandle<()> {
    let timer = Arc::clone(timer);
    spawn_named(name.to_owned(), move || {
        for ticks in steps {
            timer.advance(ticks);
        }
    })
}

fn advanced_by_another_thread() {
    let timer = Arc::new(Timer::new());
    // Made before the clock starts: its deadline is 2.
    let (delay, stats) = Probe::new("delay", timer.sleep(2));
    let clock = spawn_advancer("clock", &timer, vec![1, 1]);
    block_on(delay);
    assert!(
        timer.now() >= 2,
        "block_on(sleep(2)) returned at time {}, before the deadline 2",
        timer.now()
    );
    clock.join().unwrap();
    judge(&[stats]);
}

fn two_threads_advance() {
    let timer = Arc::new(Timer::new());
    let delay = timer.sleep(2);
    let first = spawn_advancer("clock 1", &timer, vec![1]);
    let second = spawn_advancer("clock 2", &timer, vec![1]);
    block_on(delay);
    assert_eq!(
        timer.now(),
        2,
        "block_on(sleep(2)) returned at time {}: two threads advance by 1 each, so it can only \
         return at time 2",
        timer.now()
    );
    first.join().unwrap();
    second.join().unwrap();
}
