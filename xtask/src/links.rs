//! Terminal hyperlinks: `file:line` locations in the human report become links to the file
//! (OSC 8), on terminals known to show them. `FORCE_HYPERLINK=1` or `0` decides instead.

use std::io::IsTerminal;
use std::path::Path;

/// Whether stdout is a terminal that shows hyperlinks.
pub fn supported() -> bool {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    match var("FORCE_HYPERLINK").as_str() {
        "" => {}
        "0" => return false,
        _ => return true,
    }
    if !std::io::stdout().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return false;
    }
    let program = var("TERM_PROGRAM");
    let term = var("TERM");
    ["iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper"].contains(&program.as_str())
        || var("VTE_VERSION").parse::<u32>().is_ok_and(|v| v >= 5000)
        || ["KITTY_WINDOW_ID", "WT_SESSION", "KONSOLE_VERSION"]
            .iter()
            .any(|name| std::env::var_os(name).is_some())
        || ["kitty", "alacritty", "foot", "ghostty"]
            .iter()
            .any(|name| term.contains(name))
}

/// `text` with every `path:line` naming an existing file under `root` made a link to the file.
pub fn add(text: &str, root: &Path) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push_str(&link(&rest[..end], root));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One word: a link when it is `path.rs:line`, maybe with punctuation around it.
fn link(word: &str, root: &Path) -> String {
    let inner = word.trim_matches(|c: char| "()[],;".contains(c));
    let is_location = inner.split_once(':').is_some_and(|(path, line)| {
        path.ends_with(".rs")
            && !line.is_empty()
            && line.chars().all(|c| c.is_ascii_digit())
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
    });
    let file = root.join(inner.split(':').next().unwrap_or_default());
    if !is_location || !file.is_file() {
        return word.to_owned();
    }
    word.replacen(inner, &to_file(inner, &file), 1)
}

/// `shown` as a link to the file at `path` (an absolute path).
pub fn to_file(shown: &str, path: &Path) -> String {
    format!(
        "\x1b]8;;file://{}\x1b\\{shown}\x1b]8;;\x1b\\",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_of_existing_files_become_links() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = "  at src/links.rs:12\n   3  load x  (src/main.rs:4)  no/such.rs:1 a:b\n";
        let linked = add(text, root);
        let url = format!("file://{}/src/links.rs", root.display());
        assert!(linked.contains(&format!(
            "  at \x1b]8;;{url}\x1b\\src/links.rs:12\x1b]8;;\x1b\\\n"
        )));
        assert!(linked.contains("(\x1b]8;;file://"));
        assert!(linked.contains("main.rs:4\x1b]8;;\x1b\\)"));
        assert!(linked.ends_with("  no/such.rs:1 a:b\n"));
        assert_eq!(anstream::adapter::strip_str(&linked).to_string(), text);
    }
}
