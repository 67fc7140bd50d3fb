//! The code policy: what learner code may use, read off its tokens before anything is built.
//!
//! A kata's checks run the learner's code inside the check process, so code that reaches the
//! file system, starts processes or runs before `main` could forge a report or harm the grader.
//! Most katas need none of that. Every file the compiler would read for a variant (the library
//! file and the modules it declares) is lexed with `proc_macro2`, and each token sequence is held
//! against rules that need no type information, inside macro definitions and invocations too:
//!
//! - never allowed: linker and loader attributes (`link_section`, `used`, `no_mangle`,
//!   `export_name`, `global_allocator`, ...), `#[path]`, attributes built from a macro's input,
//!   `extern` blocks and `extern crate`, `asm!`, `include!`/`include_str!`/`include_bytes!`,
//!   `env!`/`option_env!`, replacing the panic hook, the harness's own machinery
//!   (`harness::check`, `protocol`, `verdict`, ...), and renaming or glob-importing a crate's root
//!   (which would hide the paths below);
//! - allowed per kata ([`Capability`], `[policy] allow = [...]` in `kata.toml`): `std::env`,
//!   `std::fs`, `std::process` (and `harness::process`), `std::net`, `std::os`, and the system
//!   call crates `libc`, `rustix` and `nix`.
//!
//! ```text
//! src/lib.rs:3: `std::fs` (the file system) is not allowed in this kata
//! ```

use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use serde::Deserialize;

/// What a kata may allow its learner code beyond the default.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// `std::env`: environment variables, arguments, the current directory.
    Env,
    /// `std::fs`: the file system.
    Fs,
    /// `std::process` and `harness::process`: starting and ending processes.
    Process,
    /// `std::net`: sockets.
    Net,
    /// `std::os`: operating-system specific extensions (file descriptors, Unix sockets).
    Os,
    /// The system call crates `libc`, `rustix` and `nix`.
    Syscalls,
}

/// `[policy]` of a `kata.toml`.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// What the learner's code may use besides the default.
    #[serde(default)]
    pub allow: Vec<Capability>,
}

/// One construct the policy does not allow, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file, relative to the library's directory (under `src/` when the library is in one).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What was found and why it is refused, in plain words.
    pub what: String,
    /// The file could not be lexed: most often a compile error, which then says more.
    pub unreadable: bool,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.what)
    }
}

/// Modules of std (and core, alloc) and the capability each needs.
const STD_MODULES: [(&str, Capability); 5] = [
    ("env", Capability::Env),
    ("fs", Capability::Fs),
    ("process", Capability::Process),
    ("net", Capability::Net),
    ("os", Capability::Os),
];

/// Crate roots whose paths are checked; renaming or glob-importing them is refused.
const ROOTS: [&str; 5] = ["std", "core", "alloc", "harness", "tokio"];

/// The harness's modules learner code may name; the rest is the checks' machinery.
const HARNESS_MODULES: [&str; 6] = ["sync", "thread", "cell", "hint", "future", "shm"];

/// tokio's modules that reach the operating system.
const TOKIO_MODULES: [(&str, Capability); 4] = [
    ("fs", Capability::Fs),
    ("process", Capability::Process),
    ("net", Capability::Net),
    ("signal", Capability::Process),
];

/// The system call crates.
const SYSCALL_CRATES: [&str; 3] = ["libc", "rustix", "nix"];

/// Attributes that place code or data for the linker or loader (code that runs before `main`),
/// load other files, or change what the crate is.
const FORBIDDEN_ATTRIBUTES: [&str; 16] = [
    "link_section",
    "export_name",
    "no_mangle",
    "used",
    "global_allocator",
    "naked",
    "link",
    "link_name",
    "link_ordinal",
    "linkage",
    "path",
    "crate_type",
    "crate_name",
    "no_main",
    "no_std",
    "no_core",
];

/// Macros that read files or the environment at compile time, or emit assembly.
const FORBIDDEN_MACROS: [&str; 8] = [
    "include",
    "include_str",
    "include_bytes",
    "env",
    "option_env",
    "asm",
    "global_asm",
    "naked_asm",
];

/// Functions that replace the panic hook, through which the harness sees failures.
const PANIC_HOOK: [&str; 4] = ["set_hook", "take_hook", "update_hook", "always_abort"];

/// The most violations reported for one variant.
const REPORTED: usize = 10;

/// The most module files followed from one library file.
const MODULE_FILES: usize = 200;

impl Policy {
    /// Whether the policy allows `capability`.
    pub fn allows(&self, capability: Capability) -> bool {
        self.allow.contains(&capability)
    }

    /// Checks `lib` and every module file it declares (`mod name;`), as the compiler would find
    /// them (a file that cannot be read is left to the compiler; one that cannot be lexed is an
    /// [unreadable](Violation::unreadable) violation).
    pub fn check(&self, lib: &Path) -> Vec<Violation> {
        let base = lib.parent().unwrap_or(Path::new("."));
        let mut violations = Vec::new();
        let mut pending = vec![(lib.to_path_buf(), base.to_path_buf())];
        let mut seen = 0;
        while let Some((file, children)) = pending.pop() {
            seen += 1;
            if seen > MODULE_FILES || violations.len() >= REPORTED {
                break;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let shown = shown_path(base, &file);
            let tokens = match TokenStream::from_str(&text) {
                Ok(tokens) => tokens,
                Err(error) => {
                    violations.push(Violation {
                        file: shown,
                        line: error.span().start().line,
                        what: "the policy cannot read this file; code it cannot read is never run"
                            .into(),
                        unreadable: true,
                    });
                    continue;
                }
            };
            let mut scan = Scan {
                policy: self,
                file: shown,
                violations: &mut violations,
                modules: Vec::new(),
            };
            scan.stream(&tokens, &children);
            for (module, dir) in scan.modules {
                let flat = dir.join(format!("{module}.rs"));
                let nested = dir.join(&module).join("mod.rs");
                let found = if flat.is_file() { flat } else { nested };
                if found.is_file() {
                    pending.push((found, dir.join(&module)));
                }
            }
        }
        violations.truncate(REPORTED);
        violations
    }
}

/// The walk over one file's tokens.
struct Scan<'a> {
    policy: &'a Policy,
    file: PathBuf,
    violations: &'a mut Vec<Violation>,
    /// `mod name;` declarations found, with the directory their file is looked for in.
    modules: Vec<(String, PathBuf)>,
}

/// An identifier's text without the raw prefix (`r#fs` is `fs`).
fn word(tree: &TokenTree) -> Option<String> {
    match tree {
        TokenTree::Ident(ident) => {
            let text = ident.to_string();
            Some(text.strip_prefix("r#").map(str::to_owned).unwrap_or(text))
        }
        _ => None,
    }
}

fn is_punct(tree: Option<&TokenTree>, ch: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == ch)
}

/// Whether `tokens[i..]` starts with `::`.
fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(tokens.get(i + 1), ':')
}

fn line_of(tree: &TokenTree) -> usize {
    tree.span().start().line
}

impl Scan<'_> {
    fn refuse(&mut self, at: &TokenTree, what: String) {
        self.violations.push(Violation {
            file: self.file.clone(),
            line: line_of(at),
            what,
            unreadable: false,
        });
    }

    /// Scans a token stream whose `mod name;` files live in `dir`.
    fn stream(&mut self, stream: &TokenStream, dir: &Path) {
        let tokens: Vec<TokenTree> = stream.clone().into_iter().collect();
        for (i, tree) in tokens.iter().enumerate() {
            match tree {
                TokenTree::Group(group) => {
                    let is_attribute = is_punct(i.checked_sub(1).and_then(|j| tokens.get(j)), '#')
                        || (is_punct(i.checked_sub(1).and_then(|j| tokens.get(j)), '!')
                            && is_punct(i.checked_sub(2).and_then(|j| tokens.get(j)), '#'));
                    if is_attribute && group.delimiter() == Delimiter::Bracket {
                        self.attribute(tree, group.stream());
                    }
                    let inner = match module_block(&tokens, i) {
                        Some(name) => dir.join(name),
                        None => dir.to_path_buf(),
                    };
                    self.stream(&group.stream(), &inner);
                }
                TokenTree::Ident(_) => self.ident(&tokens, i, dir),
                TokenTree::Punct(p) if p.as_char() == '$' => self.metavariable(&tokens, i),
                _ => {}
            }
        }
    }

    /// The rules that start at an identifier.
    fn ident(&mut self, tokens: &[TokenTree], i: usize, dir: &Path) {
        let tree = &tokens[i];
        let name = word(tree).unwrap_or_default();
        let next = tokens.get(i + 1);
        let after_path_sep = i >= 2 && is_path_sep(tokens, i - 2);
        if FORBIDDEN_MACROS.contains(&name.as_str()) && is_punct(next, '!') {
            let why = match name.as_str() {
                "env" | "option_env" => "reading the environment while compiling",
                "asm" | "global_asm" | "naked_asm" => "assembly",
                _ => "reading a file while compiling",
            };
            let what = format!("`{name}!` ({why}) is never allowed");
            self.refuse(tree, what);
        }
        if name == "extern" {
            let block = match next {
                Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Brace,
                Some(TokenTree::Literal(_)) => {
                    matches!(tokens.get(i + 2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
                }
                Some(other) => word(other).as_deref() == Some("crate"),
                None => false,
            };
            if block {
                self.refuse(
                    tree,
                    "`extern` blocks and `extern crate` (foreign code, or a crate under another name) are never allowed".into(),
                );
            }
        }
        if PANIC_HOOK.contains(&name.as_str()) {
            let what = format!("`{name}` (replacing the panic hook, through which the checks see failures) is never allowed");
            self.refuse(tree, what);
        }
        if SYSCALL_CRATES.contains(&name.as_str())
            && !after_path_sep
            && !self.policy.allows(Capability::Syscalls)
        {
            let what = format!("the crate `{name}` (system calls) is not allowed in this kata");
            self.refuse(tree, what);
        }
        if name == "mod" {
            if let (Some(module), Some(TokenTree::Punct(semi))) =
                (tokens.get(i + 1).and_then(word), tokens.get(i + 2))
            {
                if semi.as_char() == ';' {
                    self.modules.push((module, dir.to_path_buf()));
                }
            }
        }
        // A root is one wherever it stands: `use std;` makes `crate::std::fs` a path to std.
        if ROOTS.contains(&name.as_str()) {
            self.root(tokens, i, &name);
        }
    }

    /// The rules for a path that starts at the crate root `root` (`tokens[i]`).
    fn root(&mut self, tokens: &[TokenTree], i: usize, root: &str) {
        let tree = &tokens[i];
        if word_at(tokens, i + 1).as_deref() == Some("as") {
            let what = format!(
                "renaming the crate `{root}` hides the paths below it and is never allowed"
            );
            self.refuse(tree, what);
            return;
        }
        if !is_path_sep(tokens, i + 1) {
            return;
        }
        match tokens.get(i + 3) {
            Some(TokenTree::Punct(p)) if p.as_char() == '*' => {
                let what = format!("a glob import of the crate `{root}` (`{root}::*`) hides what it brings in and is never allowed");
                self.refuse(tree, what);
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                for (j, item) in inner.iter().enumerate() {
                    let starts_subtree = j == 0 || is_punct(inner.get(j - 1), ',');
                    if !starts_subtree {
                        continue;
                    }
                    if is_punct(Some(item), '*') {
                        let what = format!("a glob import of the crate `{root}` (`{root}::{{*}}`) hides what it brings in and is never allowed");
                        self.refuse(item, what);
                    }
                    let Some(module) = word(item) else { continue };
                    if module == "self" && word_at(&inner, j + 1).as_deref() == Some("as") {
                        let what = format!("renaming the crate `{root}` hides the paths below it and is never allowed");
                        self.refuse(item, what);
                    }
                    self.module(item, root, &module);
                }
            }
            Some(next) => {
                if let Some(module) = word(next) {
                    self.module(next, root, &module);
                }
            }
            None => {}
        }
    }

    /// The rule for `root::module`.
    fn module(&mut self, at: &TokenTree, root: &str, module: &str) {
        let needed = match root {
            "std" | "core" | "alloc" => STD_MODULES
                .iter()
                .find(|(name, _)| *name == module)
                .map(|&(_, capability)| capability),
            "tokio" => TOKIO_MODULES
                .iter()
                .find(|(name, _)| *name == module)
                .map(|&(_, capability)| capability),
            "harness" if module == "process" => Some(Capability::Process),
            "harness" if !HARNESS_MODULES.contains(&module) => {
                let what = format!(
                    "`harness::{module}` is the checks' machinery: learner code may use only harness::{{{}}}",
                    HARNESS_MODULES.join(", ")
                );
                self.refuse(at, what);
                None
            }
            _ => None,
        };
        if let Some(capability) = needed.filter(|&c| !self.policy.allows(c)) {
            let what = format!(
                "`{root}::{module}` ({}) is not allowed in this kata",
                capability.describe()
            );
            self.refuse(at, what);
        }
    }

    /// A `$name` of a macro definition next to `::`: a path the policy cannot read.
    fn metavariable(&mut self, tokens: &[TokenTree], i: usize) {
        let Some(name) = word_at(tokens, i + 1) else {
            return;
        };
        if name == "crate" {
            return;
        }
        if is_path_sep(tokens, i + 2) || (i >= 2 && is_path_sep(tokens, i - 2)) {
            let what = format!("a path built from a macro's input (`${name}` next to `::`) cannot be checked and is never allowed");
            self.refuse(&tokens[i], what);
        }
    }

    /// The rules for the inside of `#[...]` or `#![...]`.
    fn attribute(&mut self, at: &TokenTree, stream: TokenStream) {
        let mut stack = vec![stream];
        while let Some(stream) = stack.pop() {
            for tree in stream {
                match &tree {
                    TokenTree::Group(group) => stack.push(group.stream()),
                    TokenTree::Punct(p) if p.as_char() == '$' => {
                        self.refuse(at, "an attribute built from a macro's input cannot be checked and is never allowed".into());
                    }
                    TokenTree::Ident(_) => {
                        let name = word(&tree).unwrap_or_default();
                        if FORBIDDEN_ATTRIBUTES.contains(&name.as_str()) {
                            let why = match name.as_str() {
                                "path" => "loading another file as a module",
                                "crate_type" | "crate_name" | "no_main" | "no_std" | "no_core" => {
                                    "changing what the crate is"
                                }
                                _ => "code or data placed for the linker or loader, which can run before `main`",
                            };
                            let what = format!("the attribute `{name}` ({why}) is never allowed");
                            self.refuse(at, what);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// `file` as a learner knows it: relative to the library's directory, under `src/` when the
/// library lives in one.
fn shown_path(base: &Path, file: &Path) -> PathBuf {
    let relative = file.strip_prefix(base).unwrap_or(file);
    match base.file_name() {
        Some(name) if name == "src" => Path::new("src").join(relative),
        _ => relative.to_path_buf(),
    }
}

fn word_at(tokens: &[TokenTree], i: usize) -> Option<String> {
    tokens.get(i).and_then(word)
}

/// The module's name when `tokens[i]` is the block of `mod name { ... }`.
fn module_block(tokens: &[TokenTree], i: usize) -> Option<String> {
    let TokenTree::Group(group) = &tokens[i] else {
        return None;
    };
    if group.delimiter() != Delimiter::Brace || i < 2 {
        return None;
    }
    (word_at(tokens, i - 2).as_deref() == Some("mod"))
        .then(|| word_at(tokens, i - 1))
        .flatten()
}

impl Capability {
    /// What the capability gives, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Capability::Env => "the environment",
            Capability::Fs => "the file system",
            Capability::Process => "processes",
            Capability::Net => "the network",
            Capability::Os => "operating-system extensions",
            Capability::Syscalls => "system calls",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The violations of `code` as the only file, one `line: what` each.
    fn violations(policy: &Policy, code: &str) -> Vec<String> {
        let dir = tempdir();
        std::fs::write(dir.join("lib.rs"), code).unwrap();
        let found = policy.check(&dir.join("lib.rs"));
        std::fs::remove_dir_all(&dir).unwrap();
        found
            .iter()
            .map(|v| format!("{}: {}", v.line, v.what))
            .collect()
    }

    fn tempdir() -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "xtask-policy-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn refused(code: &str) -> bool {
        !violations(&Policy::default(), code).is_empty()
    }

    #[test]
    fn code_that_runs_before_main_is_refused() {
        assert!(refused(
            "#[used]\n#[link_section = \".init_array\"]\nstatic INIT: extern \"C\" fn() = init;"
        ));
        assert!(refused(
            "#[unsafe(link_section = \".init_array\")] static X: u8 = 0;"
        ));
        assert!(refused(
            "#[cfg_attr(all(), export_name = \"main\")] fn f() {}"
        ));
        assert!(refused("#[no_mangle] pub extern \"C\" fn _init() {}"));
        assert!(refused("#[global_allocator] static A: MyAlloc = MyAlloc;"));
        assert!(refused(
            "macro_rules! m { ($a:meta) => { #[$a] static X: u8 = 0; } }"
        ));
    }

    #[test]
    fn other_files_and_the_environment_are_out_of_reach() {
        assert!(refused(
            "#[path = \"../../solutions/hit_counter/lib.rs\"] mod reference;"
        ));
        assert!(refused("const P: &str = include_str!(\"/etc/passwd\");"));
        assert!(refused("compile_error!(include_str!(\"/etc/passwd\"));"));
        assert!(refused("const K: &str = env!(\"HOME\");"));
        assert!(refused("fn f() { std::fs::read(\"/etc/passwd\").ok(); }"));
        assert!(refused("use std::{sync::Arc, fs};"));
        assert!(refused("use ::std::process::Command;"));
        assert!(refused("use std::{self as s};"));
        assert!(refused("use std as s;"));
        assert!(refused(
            "use std;\nfn f() { crate::std::fs::read(\"x\").ok(); }"
        ));
        assert!(refused("use std::*;"));
        assert!(refused("use std::{*};"));
        assert!(refused("fn f() { let _ = std::env::var(\"CI_TOKEN\"); }"));
        assert!(refused("fn f() { libc::getppid(); }"));
        assert!(refused(
            "extern \"C\" { fn kill(pid: i32, sig: i32) -> i32; }"
        ));
        assert!(refused("extern crate std as s;"));
        assert!(refused("fn f() { std::arch::asm!(\"nop\"); }"));
        assert!(refused(
            "fn f() { std::panic::set_hook(Box::new(|_| {})); }"
        ));
        assert!(refused("use harness::check::deliberate_panic;"));
        assert!(refused("use harness::{sync::Mutex, protocol};"));
        assert!(refused(
            "macro_rules! m { ($m:ident) => { std::$m::read(\"x\") } }"
        ));
        assert!(refused("fn f() { tokio::fs::read(\"x\"); }"));
    }

    #[test]
    fn ordinary_concurrent_code_is_allowed() {
        let code = r#"
            //! A counter. See `std::fs` for files (docs are not code).
            use std::collections::HashMap;
            use std::sync::atomic::{AtomicU64, Ordering};
            use harness::sync::{Arc, Condvar, Mutex};
            use harness::{cell::UnsafeCell, hint, thread};
            #[derive(Debug, Default)]
            #[allow(unused, clippy::new_without_default)]
            pub struct Counter { used: AtomicU64, path: Mutex<Vec<u8>>, env: u8 }
            impl Counter {
                #[must_use]
                pub fn process(&self) -> u64 { Self::env(self.used.load(Ordering::Relaxed)) }
                fn env(x: u64) -> u64 { x as u64 }
            }
            unsafe impl Send for Counter {}
            pub extern "C" fn callback() {}
            macro_rules! twice { ($e:expr) => { $e; $e }; }
            mod inner { pub fn fs() {} }
            fn g() { inner::fs(); let s = "std::fs::read"; }
        "#;
        assert_eq!(violations(&Policy::default(), code), Vec::<String>::new());
    }

    #[test]
    fn a_file_that_cannot_be_lexed_is_unreadable() {
        let dir = tempdir();
        std::fs::write(dir.join("lib.rs"), "pub struct S { x: u8").unwrap();
        let found = Policy::default().check(&dir.join("lib.rs"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(found.len() == 1 && found[0].unreadable, "{found:?}");
    }

    #[test]
    fn a_kata_may_allow_a_capability() {
        let code = "use std::fs::File;\nuse std::process::Command;";
        let fs_only = Policy {
            allow: vec![Capability::Fs],
        };
        assert_eq!(
            violations(&fs_only, code),
            ["2: `std::process` (processes) is not allowed in this kata"]
        );
        let both = Policy {
            allow: vec![Capability::Fs, Capability::Process],
        };
        assert!(violations(&both, code).is_empty());
        let harness = Policy {
            allow: vec![Capability::Process],
        };
        assert!(violations(&harness, "use harness::process::role_args;").is_empty());
        assert!(refused("use harness::process::role_args;"));
    }

    #[test]
    fn declared_module_files_are_checked_too() {
        let dir = tempdir();
        std::fs::write(dir.join("lib.rs"), "mod outer;\nmod inline { mod deep; }").unwrap();
        std::fs::write(dir.join("outer.rs"), "mod leaf;").unwrap();
        std::fs::create_dir_all(dir.join("outer")).unwrap();
        std::fs::create_dir_all(dir.join("inline")).unwrap();
        std::fs::write(dir.join("outer/leaf.rs"), "\n\nuse std::env;").unwrap();
        std::fs::write(dir.join("inline/deep.rs"), "use std::net::TcpStream;").unwrap();
        let mut found: Vec<String> = Policy::default()
            .check(&dir.join("lib.rs"))
            .iter()
            .map(ToString::to_string)
            .collect();
        found.sort();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found,
            [
                "inline/deep.rs:1: `std::net` (the network) is not allowed in this kata",
                "outer/leaf.rs:3: `std::env` (the environment) is not allowed in this kata",
            ]
        );
    }
}

#[cfg(test)]
mod katas {
    use crate::catalog::Catalog;

    /// The files of every kata that must build: starting code, reference, alternatives and
    /// mutants (a mutant is wrong about concurrency, never about the policy).
    #[test]
    fn every_kata_file_follows_its_kata_policy() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let catalog = Catalog::at(root.canonicalize().unwrap()).unwrap();
        let mut refused = Vec::new();
        for kata in catalog.all().unwrap() {
            let solutions = kata.solutions_dir();
            let mut files = vec![kata.learner_source(), solutions.join("lib.rs")];
            for dir in ["alternatives", "mutants"] {
                if let Ok(entries) = std::fs::read_dir(solutions.join(dir)) {
                    files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
                }
            }
            for file in files {
                for violation in kata.meta.policy.check(&file) {
                    refused.push(format!("{}: {violation}", file.display()));
                }
            }
        }
        assert!(refused.is_empty(), "{}", refused.join("\n"));
    }
}
