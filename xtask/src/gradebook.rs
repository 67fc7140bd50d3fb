//! A class's gradebook: one row per student, one column per kata, as CSV and as JSON, and the
//! class folder's entries that were not graded, with why.
//!
//! Names come from the class folder and the submissions, so they are cleaned ([`sanitize`]): a
//! CSV field never reaches a spreadsheet as a formula.

use serde_json::{json, Value};

use crate::formats;
use crate::grading::Grade;
use crate::sanitize;

/// An entry of the class folder that was not graded.
pub struct Skipped {
    /// The entry's name, cleaned for display.
    pub name: String,
    /// Why it was not graded, in plain words.
    pub reason: String,
}

/// The CSV gradebook: `student,total,max,<kata>...,ignored`, one line per student.
pub fn csv(grades: &[Grade]) -> String {
    let katas: Vec<&str> = grades
        .first()
        .map(|grade| grade.katas.iter().map(|k| k.kata.as_str()).collect())
        .unwrap_or_default();
    let mut header = vec!["student", "total", "max"];
    header.extend(&katas);
    header.push("ignored");
    let mut out = header.join(",");
    out.push('\n');
    for grade in grades {
        let mut row = vec![
            sanitize::csv_field(&grade.student),
            grade.total().to_string(),
            grade.max().to_string(),
        ];
        row.extend(grade.katas.iter().map(|kata| kata.points.to_string()));
        row.push(sanitize::csv_field(&grade.ignored.join(" ")));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The JSON gradebook: every student's total, maximum and full per-kata grade, and the entries
/// of the class folder that were skipped.
pub fn json(grades: &[Grade], skipped: &[Skipped]) -> String {
    let students: Vec<Value> = grades
        .iter()
        .map(|grade| {
            json!({
                "student": sanitize::one_line(&grade.student),
                "total": grade.total(),
                "max": grade.max(),
                "katas": grade.katas.iter().map(formats::kata_json).collect::<Vec<_>>(),
                "ignored": formats::names(&grade.ignored),
            })
        })
        .collect();
    let skipped: Vec<Value> = skipped
        .iter()
        .map(|entry| json!({ "name": entry.name, "reason": entry.reason }))
        .collect();
    let value = json!({
        "version": 1,
        "students": students,
        "skipped": skipped,
        "notes": grades.first().map(|g| g.notes.clone()).unwrap_or_default(),
    });
    serde_json::to_string_pretty(&value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn grade(student: &str, ignored: &[&str]) -> Grade {
        Grade {
            student: student.into(),
            submission: format!("/class/{student}"),
            katas: Vec::new(),
            ignored: ignored.iter().map(|name| name.to_string()).collect(),
            sandbox: Vec::new(),
            notes: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn formulas_and_separators_in_names_stay_text() {
        let csv = csv(&[
            grade("=1+1", &[]),
            grade("ada", &["tests/a,b.rs", "@x\n=2"]),
        ]);
        assert_eq!(
            csv,
            "student,total,max,ignored\n\"'=1+1\",0,0,\nada,0,0,\"tests/a,b.rs @x\\n=2\"\n"
        );
    }

    #[test]
    fn skipped_entries_are_listed_with_their_reason() {
        let skipped = [Skipped {
            name: "bob".into(),
            reason: "a symbolic link: not followed".into(),
        }];
        let value: Value = serde_json::from_str(&json(&[grade("ada", &[])], &skipped)).unwrap();
        assert_eq!(value["students"][0]["student"], "ada");
        assert_eq!(value["skipped"][0]["name"], "bob");
        assert_eq!(
            value["skipped"][0]["reason"],
            "a symbolic link: not followed"
        );
    }

    #[test]
    fn names_in_the_json_are_cleaned() {
        let value: Value =
            serde_json::from_str(&json(&[grade("ada\x1b[2J", &["a\u{202e}b"])], &[])).unwrap();
        assert_eq!(value["students"][0]["student"], "ada\\u{1b}[2J");
        assert_eq!(value["students"][0]["ignored"][0], "a\\u{202e}b");
    }
}
