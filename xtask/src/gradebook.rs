//! A class's gradebook: one row per student, one column per kata, as CSV and as JSON, and the
//! class folder's entries that were not graded, with why.
//!
//! Names come from the class folder and the submissions, so they are cleaned ([`sanitize`]): a
//! CSV field never reaches a spreadsheet as a formula.

use anyhow::{bail, Context, Result};
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

/// One part of a class's gradebook, as `grade --class --shard` wrote it.
#[derive(Clone, Debug)]
pub struct Part {
    /// `gradebook.csv`.
    pub csv: String,
    /// `gradebook.json`.
    pub json: String,
}

/// Parts joined into one gradebook: students and skipped entries in name order, as one run over
/// the whole class writes them (each CSV line stays as it was written).
pub fn merge(parts: &[Part]) -> Result<Part> {
    let mut header: Option<&str> = None;
    let mut students: Vec<(String, Value, &str)> = Vec::new();
    let mut skipped: Vec<Value> = Vec::new();
    let mut notes: Vec<Value> = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        let value: Value = serde_json::from_str(&part.json)
            .with_context(|| format!("part {}: its gradebook.json is not JSON", n + 1))?;
        let part_students = value["students"].as_array().cloned().unwrap_or_default();
        let mut lines = part.csv.lines();
        let part_header = lines.next().unwrap_or_default();
        let rows: Vec<&str> = lines.collect();
        if rows.len() != part_students.len() {
            bail!(
                "part {}: gradebook.csv has {} students, gradebook.json {}: not one run's gradebook",
                n + 1,
                rows.len(),
                part_students.len()
            );
        }
        // A part with no student has no kata columns to compare.
        if !rows.is_empty() {
            match header {
                Some(seen) if seen != part_header => bail!(
                    "part {} graded other katas than part 1 (its columns: {part_header})",
                    n + 1
                ),
                _ => header = Some(part_header),
            }
        }
        for (student, row) in part_students.into_iter().zip(rows) {
            let name = student["student"].as_str().unwrap_or_default().to_owned();
            if students.iter().any(|(seen, _, _)| *seen == name) {
                bail!("student {name} is in two parts: each part must be a different shard");
            }
            students.push((name, student, row));
        }
        skipped.extend(value["skipped"].as_array().cloned().unwrap_or_default());
        for note in value["notes"].as_array().cloned().unwrap_or_default() {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    students.sort_by(|a, b| a.0.cmp(&b.0));
    skipped.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut csv = header.unwrap_or("student,total,max,ignored").to_owned();
    csv.push('\n');
    for (_, _, row) in &students {
        csv.push_str(row);
        csv.push('\n');
    }
    let value = json!({
        "version": 1,
        "students": students.into_iter().map(|(_, student, _)| student).collect::<Vec<_>>(),
        "skipped": skipped,
        "notes": notes,
    });
    let json = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
    Ok(Part { csv, json })
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
    fn parts_merge_into_the_gradebook_of_one_run() {
        let everyone = [grade("ada", &[]), grade("bo", &["x.rs"]), grade("cy", &[])];
        let skipped = |names: &[&str]| -> Vec<Skipped> {
            names
                .iter()
                .map(|name| Skipped {
                    name: name.to_string(),
                    reason: "not a directory".into(),
                })
                .collect()
        };
        let whole = Part {
            csv: csv(&everyone),
            json: json(&everyone, &skipped(&["a.txt", "z.txt"])),
        };
        // Dealt out in name order: a.txt, ada, bo, cy, z.txt → part 1: a.txt, bo, z.txt.
        let first = [grade("bo", &["x.rs"])];
        let second = [grade("ada", &[]), grade("cy", &[])];
        let parts = [
            Part {
                csv: csv(&first),
                json: json(&first, &skipped(&["a.txt", "z.txt"])),
            },
            Part {
                csv: csv(&second),
                json: json(&second, &[]),
            },
        ];
        let merged = merge(&parts).unwrap();
        assert_eq!(merged.csv, whole.csv);
        assert_eq!(merged.json, whole.json);
        let twice = merge(&[parts[1].clone(), parts[1].clone()]);
        assert!(twice.is_err(), "a student in two parts is refused");
    }

    #[test]
    fn names_in_the_json_are_cleaned() {
        let value: Value =
            serde_json::from_str(&json(&[grade("ada\x1b[2J", &["a\u{202e}b"])], &[])).unwrap();
        assert_eq!(value["students"][0]["student"], "ada\\u{1b}[2J");
        assert_eq!(value["students"][0]["ignored"][0], "a\\u{202e}b");
    }
}
