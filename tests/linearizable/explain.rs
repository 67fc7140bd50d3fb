//! A failing history in words and as a table: one column per thread, each call from its
//! invocation (┌) to its return (└). The report page reads the table back to draw the calls as
//! intervals (`xtask/src/report_page/history.rs`): change the two together.

use std::fmt::Write as _;

use super::{Model, Operation};

/// Thread names in order of their first call.
fn threads<M: Model>(operations: &[Operation<M>]) -> Vec<String> {
    let mut sorted: Vec<&Operation<M>> = operations.iter().collect();
    sorted.sort_by_key(|o| o.called);
    let mut names: Vec<String> = Vec::new();
    for operation in sorted {
        if !names.contains(&operation.thread) {
            names.push(operation.thread.clone());
        }
    }
    names
}

/// "`pop() → Some(2)`", or "`pop()` (did not return)".
fn describe<M: Model>(operation: &Operation<M>) -> String {
    match &operation.ret {
        Some(ret) => format!("{:?} → {ret:?}", operation.op),
        None => format!("{:?} (did not return)", operation.op),
    }
}

/// The words and the table of a failing prefix whose last return, `culprit`'s, is the first
/// result no order explains: one column per thread, each operation from its call (┌) to its
/// return (└).
pub(super) fn explain<M: Model>(operations: &[Operation<M>], culprit: usize) -> String {
    let mut text = format!(
        "no order of these operations, each taking effect at one instant between its call and \
         its return, gives every result they got: the first result none explains is `{}`'s `{}` \
         (shown up to it; a call still running then may or may not have taken effect)\n",
        operations[culprit].thread,
        describe(&operations[culprit])
    );
    text.push_str(&table(operations));
    text
}

fn table<M: Model>(operations: &[Operation<M>]) -> String {
    let threads = threads(operations);
    let mut rows: Vec<(usize, usize, String)> = Vec::new(); // (time, column, cell)
    for operation in operations {
        let column = threads
            .iter()
            .position(|t| *t == operation.thread)
            .unwrap_or(0);
        rows.push((operation.called, column, format!("┌ {:?}", operation.op)));
        if let Some(returned) = operation.returned {
            rows.push((
                returned,
                column,
                format!("└ → {:?}", operation.ret.as_ref().unwrap()),
            ));
        }
    }
    rows.sort_by_key(|(time, ..)| *time);
    let mut widths: Vec<usize> = threads.iter().map(|t| t.chars().count()).collect();
    for (_, column, cell) in &rows {
        widths[*column] = widths[*column].max(cell.chars().count());
    }
    // A thread's column shows │ between its call and its return.
    let mut open = vec![false; threads.len()];
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        let mut text = String::new();
        for (cell, width) in cells.iter().zip(&widths) {
            let _ = write!(text, "  {cell:<width$}");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(threads.clone());
    for (_, column, cell) in rows {
        let starts = cell.starts_with('┌');
        let cells = (0..threads.len())
            .map(|c| match (c == column, open[c]) {
                (true, _) => cell.clone(),
                (false, true) => "│".to_owned(),
                (false, false) => String::new(),
            })
            .collect();
        line(cells);
        open[column] = starts;
    }
    out
}
