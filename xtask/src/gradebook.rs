//! A class's gradebook: one row per student, one column per kata, as CSV and as JSON.

use serde_json::{json, Value};

use crate::formats;
use crate::grading::Grade;

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
            field(&grade.student),
            grade.total().to_string(),
            grade.max().to_string(),
        ];
        row.extend(grade.katas.iter().map(|kata| kata.points.to_string()));
        row.push(field(&grade.ignored.join(" ")));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The JSON gradebook: every student's total, maximum and full per-kata grade.
pub fn json(grades: &[Grade]) -> String {
    let students: Vec<Value> = grades
        .iter()
        .map(|grade| {
            json!({
                "student": grade.student,
                "total": grade.total(),
                "max": grade.max(),
                "katas": grade.katas.iter().map(formats::kata_json).collect::<Vec<_>>(),
                "ignored": grade.ignored,
            })
        })
        .collect();
    let value = json!({
        "version": 1,
        "students": students,
        "notes": grades.first().map(|g| g.notes.clone()).unwrap_or_default(),
    });
    serde_json::to_string_pretty(&value).expect("a JSON value always serializes")
}

/// One CSV field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("alice"), "alice");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
