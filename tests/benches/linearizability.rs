//! How fast `checks::linearizable` decides histories: histories checked per second for 3, 4 and
//! 6 threads, each making 6 calls on a queue, half of them linearizable as recorded and half with
//! one result changed to a value nobody pushed (which the search must prove impossible).
//!
//! `cargo bench -p checks --bench linearizability`

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use checks::linearizable::{check, simulate, Model, Outcome, STEP_BUDGET};

/// A FIFO queue of small numbers.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
struct Queue(VecDeque<u8>);

#[derive(Debug, Clone)]
enum Op {
    Push(u8),
    Pop,
}

impl Model for Queue {
    type Op = Op;
    type Ret = Option<u8>;
    fn step(&mut self, op: &Op) -> Option<u8> {
        match op {
            Op::Push(value) => {
                self.0.push_back(*value);
                None
            }
            Op::Pop => self.0.pop_front(),
        }
    }
}

/// How long each thread count is measured.
const MEASURE: Duration = Duration::from_secs(2);

const CALLS_PER_THREAD: usize = 6;

fn main() {
    println!("threads  calls  histories/s  undecided");
    for threads in [3, 4, 6] {
        let per_thread: Vec<Vec<Op>> = (0..threads)
            .map(|t| {
                (0..CALLS_PER_THREAD)
                    .map(|k| match (t + k) % 2 {
                        0 => Op::Push((t * CALLS_PER_THREAD + k) as u8),
                        _ => Op::Pop,
                    })
                    .collect()
            })
            .collect();
        let started = Instant::now();
        let (mut checked, mut undecided) = (0u64, 0u64);
        let mut seed = 0;
        while started.elapsed() < MEASURE {
            seed += 1;
            let mut history = simulate(Queue::default(), &per_thread, seed);
            if seed % 2 == 0 {
                // One pop's result changed to a value nobody pushed.
                if let Some(pop) = history.iter_mut().rev().find(|o| matches!(o.op, Op::Pop)) {
                    pop.ret = Some(Some(u8::MAX));
                }
            }
            match check(&Queue::default(), &history, STEP_BUDGET) {
                Outcome::Undecided => undecided += 1,
                Outcome::Linearizable | Outcome::NotLinearizable(_) => {}
            }
            checked += 1;
        }
        let per_second = checked as f64 / started.elapsed().as_secs_f64();
        println!(
            "{threads:>7}  {:>5}  {per_second:>11.0}  {undecided:>9}",
            threads * CALLS_PER_THREAD
        );
    }
}
