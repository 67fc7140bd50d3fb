//! Untrusted text made safe to show: what a submission names (its files, its folder) and what a
//! child prints (compiler errors, panic messages) is displayed by the reports, never interpreted.
//!
//! A terminal, a Markdown renderer or a spreadsheet must not be driven by it. Control characters
//! (ANSI escape sequences start with one) and characters that hide or reorder text are shown as
//! Rust escapes (`\n`, `\u{1b}`, `\u{202e}`); Markdown's special characters are
//! backslash-escaped; a CSV field that a spreadsheet would take for a formula starts with `'`.

/// Characters that make a Markdown renderer do something with the text: code spans, emphasis,
/// links and images, HTML, headings, table cells, strikethrough, entities, and the escape itself.
const MARKDOWN_SPECIAL: [char; 13] = [
    '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '!', '~', '&',
];

/// First characters that make a spreadsheet read a CSV field as a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text on one line: every control or hiding character, newlines included, as an escape.
pub fn one_line(text: &str) -> String {
    escape_hidden(text, |_| false)
}

/// Text of several lines (a compiler's errors, a check's message): newlines and tabs kept,
/// every other control or hiding character as an escape.
pub fn multi_line(text: &str) -> String {
    escape_hidden(text, |c| c == '\n' || c == '\t')
}

/// Text for inline Markdown (a heading, a table cell, a list item): on one line, with every
/// character Markdown or HTML would act on backslash-escaped.
pub fn markdown(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if MARKDOWN_SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One CSV field (RFC 4180) on one line, quoted when it must be; a field a spreadsheet would take
/// for a formula starts with `'` and is quoted.
pub fn csv_field(text: &str) -> String {
    let line = one_line(text);
    if text.starts_with(FORMULA_STARTS) {
        quoted(&format!("'{line}"))
    } else if line.contains([',', '"']) {
        quoted(&line)
    } else {
        line
    }
}

/// `text` between double quotes, its own double quotes doubled.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `text` with every control or hiding character except those `kept` as a Rust escape.
fn escape_hidden(text: &str, kept: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden(c) && !kept(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` acts on the display instead of showing: a control character (C0, DEL, C1), or a
/// zero-width, bidirectional or line-separating character that hides or reorders text.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_in_a_name_stays_on_one_line() {
        let name = one_line("lib.rs\n### Grade 515 of 515");
        assert_eq!(name, "lib.rs\\n### Grade 515 of 515");
        assert_eq!(name.lines().count(), 1);
        assert_eq!(one_line("a\tb\rc"), "a\\tb\\rc");
    }

    #[test]
    fn terminal_escapes_are_shown_not_executed() {
        assert_eq!(one_line("\x1b[2Jgone"), "\\u{1b}[2Jgone");
        assert_eq!(multi_line("\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(one_line("\u{9b}31m"), "\\u{9b}31m");
        assert!(!multi_line("\x1b[31mred\x1b[0m").contains('\x1b'));
    }

    #[test]
    fn hiding_and_reordering_characters_are_shown() {
        assert_eq!(one_line("evil\u{202e}sr.bil"), "evil\\u{202e}sr.bil");
        assert_eq!(one_line("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(one_line("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(one_line("Ünïcödé 名前"), "Ünïcödé 名前");
    }

    #[test]
    fn multi_line_text_keeps_its_lines_and_tabs() {
        assert_eq!(
            multi_line("error[E0308]:\n\tmismatched\r\n"),
            "error[E0308]:\n\tmismatched\\r\n"
        );
    }

    #[test]
    fn markdown_is_escaped_and_on_one_line() {
        let injected = markdown("x.rs\n### Grade 515 of 515");
        assert_eq!(injected, "x.rs\\\\n\\#\\#\\# Grade 515 of 515");
        assert_eq!(injected.lines().count(), 1);
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("`code`"), "\\`code\\`");
        assert_eq!(markdown("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(markdown("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(markdown("hit_counter"), "hit\\_counter");
        assert_eq!(markdown("\x1b[2J"), "\\\\u{1b}\\[2J");
    }

    #[test]
    fn csv_formulas_are_quoted_behind_a_quote() {
        assert_eq!(csv_field("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_field("+cmd"), "\"'+cmd\"");
        assert_eq!(csv_field("-2"), "\"'-2\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("\t=1"), "\"'\\t=1\"");
        assert_eq!(csv_field("\r=1"), "\"'\\r=1\"");
        assert_eq!(csv_field("=\"x\",1"), "\"'=\"\"x\"\",1\"");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("alice"), "alice");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("ann-marie"), "ann-marie");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("a\nb"), "a\\nb");
    }
}
