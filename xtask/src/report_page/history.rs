//! A linearizability failure's operations as intervals, read back from the table the checks
//! print (`checks::linearizable`, `tests/linearizable/explain.rs`): a header of thread names,
//! then one line per call (`┌ Op`) or return (`└ → result`) in the thread's column, `│` in the
//! columns of the calls still running.

use serde::Serialize;

/// The operations of a history no order explains, for the page to draw as intervals.
#[derive(Serialize, Debug, PartialEq)]
pub struct History {
    pub threads: Vec<String>,
    /// Rows of the table: the instants of the calls and returns, in order.
    pub instants: usize,
    pub operations: Vec<Interval>,
}

/// One call, from the instant it was made to the one it returned at.
#[derive(Serialize, Debug, PartialEq)]
pub struct Interval {
    /// Index into [`History::threads`].
    pub thread: usize,
    pub op: String,
    /// What it returned; `None` for a call still running where the table ends.
    pub ret: Option<String>,
    pub called: usize,
    pub returned: Option<usize>,
    /// The call whose result no order explains: the last to return.
    pub unexplained: bool,
}

/// The history in `message`, if it holds such a table.
///
/// ```ignore
/// let message = "…\n  thread 0        thread 1\n  ┌ Push(1)\n  └ → None\n                  ┌ Pop\n                  └ → Some(2)\n";
/// let history = read(message).unwrap();
/// assert_eq!(history.operations[1].ret.as_deref(), Some("Some(2)"));
/// ```
pub fn read(message: &str) -> Option<History> {
    let lines: Vec<Vec<char>> = message.lines().map(|l| l.chars().collect()).collect();
    // The header is the line before the first row that opens a call.
    let first_row = lines.iter().position(|line| opens_a_call(line))?;
    let header = lines.get(first_row.checked_sub(1)?)?;
    let columns = columns(header);
    if columns.is_empty() {
        return None;
    }
    let threads: Vec<String> = columns
        .iter()
        .map(|&(start, end)| text(header, start, end))
        .collect();
    let mut operations: Vec<Interval> = Vec::new();
    let mut running: Vec<Option<usize>> = vec![None; threads.len()];
    let mut instants = 0;
    for line in &lines[first_row..] {
        let cell = columns
            .iter()
            .enumerate()
            .find_map(|(thread, &(start, end))| {
                let mark = *line.get(start)?;
                matches!(mark, '┌' | '└').then(|| (thread, mark, text(line, start + 1, end)))
            });
        let Some((thread, mark, rest)) = cell else {
            break;
        };
        match (mark, running[thread]) {
            ('┌', None) => {
                running[thread] = Some(operations.len());
                operations.push(Interval {
                    thread,
                    op: rest,
                    ret: None,
                    called: instants,
                    returned: None,
                    unexplained: false,
                });
            }
            ('└', Some(at)) => {
                running[thread] = None;
                let operation = &mut operations[at];
                operation.ret = Some(rest.trim_start_matches('→').trim().to_owned());
                operation.returned = Some(instants);
            }
            _ => return None,
        }
        instants += 1;
    }
    let last_return = operations.iter().filter_map(|o| o.returned).max()?;
    for operation in &mut operations {
        operation.unexplained = operation.returned == Some(last_return);
    }
    Some(History {
        threads,
        instants,
        operations,
    })
}

/// Whether a line of the table opens a call in some column.
fn opens_a_call(line: &[char]) -> bool {
    line.iter().find(|c| **c != ' ') == Some(&'┌')
}

/// The columns of the header: where each name starts and where the next one does (names are
/// set apart by two spaces or more).
fn columns(header: &[char]) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut spaces = 2;
    for (at, c) in header.iter().enumerate() {
        if *c == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                starts.push(at);
            }
            spaces = 0;
        }
    }
    let ends = starts.iter().skip(1).copied().chain([usize::MAX]);
    starts.iter().copied().zip(ends).collect()
}

/// The trimmed text of `line` from `start` up to `end`.
fn text(line: &[char], start: usize, end: usize) -> String {
    let end = end.min(line.len());
    line.get(start..end)
        .map(|chars| chars.iter().collect::<String>().trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `checks::linearizable` prints it (the ms_queue check's failure on a mutant).
    const MESSAGE: &str = "2 threads each enqueued 1 value(s): no first-in, first-out queue taking one call at a time gives these results: no order of these operations, each taking effect at one instant between its call and its return, gives every result they got: the first result none explains is `thread 0`'s `Dequeue → None` (shown up to it; a call still running then may or may not have taken effect)
  thread 0        thread 1
  ┌ Enqueue(100)
  └ → None
  ┌ Dequeue
  │               ┌ Enqueue(200)
  │               └ → None
  │               ┌ Dequeue
  │               └ → Some(100)
  └ → None";

    #[test]
    fn the_table_reads_back_as_intervals() {
        let history = read(MESSAGE).unwrap();
        assert_eq!(history.threads, ["thread 0", "thread 1"]);
        assert_eq!(history.instants, 8);
        let shape: Vec<String> = history
            .operations
            .iter()
            .map(|o| {
                let ret = o.ret.as_deref().unwrap_or("-");
                let unexplained = if o.unexplained { " (unexplained)" } else { "" };
                let span = format!("{}..{:?}", o.called, o.returned);
                format!("{} {} → {ret} {span}{unexplained}", o.thread, o.op)
            })
            .collect();
        assert_eq!(
            shape,
            [
                "0 Enqueue(100) → None 0..Some(1)",
                "0 Dequeue → None 2..Some(7) (unexplained)",
                "1 Enqueue(200) → None 3..Some(4)",
                "1 Dequeue → Some(100) 5..Some(6)",
            ]
        );
    }

    #[test]
    fn a_call_still_running_stays_open_and_other_messages_hold_no_history() {
        let running = "…\n  a              b\n  ┌ Pop\n  │              ┌ Push(1)\n  │              └ → None\n";
        let history = read(running).unwrap();
        assert_eq!(history.operations[0].returned, None);
        assert!(history.operations[1].unexplained);
        assert_eq!(read("assertion failed: 1 == 2"), None);
    }
}
