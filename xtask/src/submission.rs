//! A submission to grade: a clone of this repository with a learner's work in it, read through a
//! pristine overlay.
//!
//! Only the learner-editable files are taken from it: everything under a kata's
//! `exercises/NN-track/<kata>/src/`. They are copied into a scratch directory under
//! `target/xtask/grade/` and built against this repository's own checks, harness and manifests.
//! Every other file the submission changed (edited checks, harness, manifests, workflows) is only
//! listed, as ignored.
//!
//! A submission is hostile input. Symbolic links are never followed: a kata reached through one
//! (a linked `exercises/`, track, kata, `src/` or `lib.rs`) is not graded, and links and other
//! special files inside `src/` are left out and listed. A kata's `src/` is walked without
//! recursion and refused, before anything is copied, past [`DEPTH_CAP`] levels of directories,
//! [`ENTRY_CAP`] entries or [`SOURCE_CAP`] bytes.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::catalog::{Catalog, Kata};
use crate::fingerprint;
use crate::sanitize;

/// The most bytes taken from one kata's `src/`: more is not a learner's work.
const SOURCE_CAP: u64 = 16 << 20;

/// The most entries (files, directories, anything else) in one kata's `src/`.
const ENTRY_CAP: usize = 1_000;

/// The most levels of directories in one kata's `src/` (`src/a/` is one level).
const DEPTH_CAP: usize = 16;

/// The most files looked at when listing ignored changes.
const WALK_CAP: usize = 50_000;

/// Directories never compared: build output and version control.
const SKIPPED_DIRS: [&str; 2] = [".git", "target"];

/// One submission directory.
pub struct Submission {
    /// The directory, canonical.
    pub dir: PathBuf,
    /// Where its katas' sources are copied: `target/xtask/grade/<hash of dir>/`.
    scratch: PathBuf,
}

/// Where a kata's source came from in a submission.
pub enum Source {
    /// The copy of the learner's `src/lib.rs` (with the rest of `src/` beside it), and the
    /// original's path relative to the submission.
    Found { lib: PathBuf, shown: String },
    /// The submission has no `src/lib.rs` for the kata that can be graded (none, one reached
    /// through a symbolic link, or a `src/` over a limit): why, in plain words.
    Missing(String),
}

impl Submission {
    /// Opens the submission at `dir` for grading against `catalog`.
    pub fn open(catalog: &Catalog, dir: &Path) -> Result<Submission> {
        let dir = std::fs::canonicalize(dir)
            .with_context(|| format!("cannot find the submission {}", dir.display()))?;
        if !dir.is_dir() {
            bail!("the submission {} is not a directory", dir.display());
        }
        if dir == catalog.root {
            bail!(
                "the submission is this repository itself: grade a copy of it (e.g. a clone in \
                 another directory)"
            );
        }
        let hash = fingerprint::hex(dir.as_os_str().as_encoded_bytes());
        let scratch = catalog.root.join("target/xtask/grade").join(hash);
        Ok(Submission { dir, scratch })
    }

    /// The submission's name: its directory's, on one line.
    pub fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|name| sanitize::one_line(&name.to_string_lossy()))
            .unwrap_or_default()
    }

    /// Copies the learner's `src/` of `kata` into the scratch directory and names its `lib.rs`.
    ///
    /// The kata is looked for where this repository has it, then under any track directory,
    /// never through a symbolic link. Only regular files are copied.
    pub fn source(&self, catalog: &Catalog, kata: &Kata) -> Result<Source> {
        let relative = kata.dir.strip_prefix(&catalog.root).unwrap_or(&kata.dir);
        let found = match self.locate(relative, kata.name()) {
            Ok(found) => found,
            Err(why) => return Ok(Source::Missing(why)),
        };
        let src = self.dir.join(&found).join("src");
        let tree = match Tree::scan(&src) {
            Ok(tree) => tree,
            Err(limit) => {
                return Ok(Source::Missing(format!(
                    "{}/src {limit}: not graded",
                    found.display()
                )))
            }
        };
        let copy = self.scratch.join(kata.name()).join("src");
        tree.copy(&src, &copy)?;
        Ok(Source::Found {
            lib: copy.join("lib.rs"),
            shown: found.join("src/lib.rs").display().to_string(),
        })
    }

    /// The kata directory (relative) with a regular `src/lib.rs` reached without symbolic links:
    /// at `relative`, else `<kata>` in another track. Else why not: the first link met on the way
    /// (not followed), or that the kata was not submitted.
    fn locate(&self, relative: &Path, kata: &str) -> Result<PathBuf, String> {
        let mut candidates = vec![relative.to_path_buf()];
        for track in self.tracks() {
            let candidate = track.join(kata);
            if !candidates.contains(&candidate) {
                candidates.push(candidate);
            }
        }
        let mut link = None;
        for candidate in candidates {
            match look_up(&self.dir, &candidate.join("src/lib.rs")) {
                Entry::RegularFile => return Ok(candidate),
                Entry::Link(at) => {
                    link.get_or_insert(at);
                }
                Entry::Other => {}
            }
        }
        Err(match link {
            Some(link) => format!("{} is a symbolic link: not followed", link.display()),
            None => format!(
                "the submission has no {}/src/lib.rs: kata `{kata}` was not submitted",
                relative.display()
            ),
        })
    }

    /// The track directories of the submission (`exercises/*/`, relative), when `exercises/` and
    /// they are real directories, sorted.
    fn tracks(&self) -> Vec<PathBuf> {
        let exercises = Path::new("exercises");
        if !is_real_dir(&self.dir.join(exercises)) {
            return Vec::new();
        }
        read_names(&self.dir.join(exercises), WALK_CAP)
            .into_iter()
            .map(|name| exercises.join(name))
            .filter(|track| is_real_dir(&self.dir.join(track)))
            .collect()
    }

    /// The files of the submission that differ from this repository's (or that it lacks), other
    /// than learner-editable ones, relative and sorted: they are ignored when grading. Symbolic
    /// links and other special files are always listed (never used, never followed).
    pub fn ignored_changes(&self, catalog: &Catalog) -> Vec<String> {
        let katas = catalog.names();
        let mut changed = Vec::new();
        let mut seen = 0;
        let mut pending = vec![PathBuf::new()];
        while let Some(dir) = pending.pop() {
            for name in read_names(&self.dir.join(&dir), WALK_CAP) {
                seen += 1;
                if seen > WALK_CAP {
                    changed.push(format!(
                        "(more than {WALK_CAP} files: the rest not compared)"
                    ));
                    changed.sort();
                    return changed;
                }
                let relative = dir.join(name);
                let path = self.dir.join(&relative);
                let Ok(kind) = std::fs::symlink_metadata(&path).map(|m| m.file_type()) else {
                    continue;
                };
                if kind.is_dir() {
                    if !SKIPPED_DIRS.contains(&relative.to_string_lossy().as_ref()) {
                        pending.push(relative);
                    }
                } else if !kind.is_file()
                    || !is_learner_file(&relative, &katas)
                        && !same_content(&path, &catalog.root.join(&relative))
                {
                    changed.push(relative.display().to_string());
                }
            }
        }
        changed.sort();
        changed
    }
}

/// What a path in a submission leads to, looked at one component at a time.
enum Entry {
    /// A regular file, reached through real directories only.
    RegularFile,
    /// A symbolic link on the way, relative to the submission: not followed.
    Link(PathBuf),
    /// Nothing, or something other than a regular file.
    Other,
}

/// What `relative` leads to under `root`, without following any symbolic link: each component
/// from `root` down is looked at itself, so a linked `exercises/` or kata directory is seen as
/// the link it is.
fn look_up(root: &Path, relative: &Path) -> Entry {
    let mut path = root.to_path_buf();
    let mut last = None;
    for part in relative.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_symlink() => {
                let shown = path.strip_prefix(root).unwrap_or(&path);
                return Entry::Link(shown.to_path_buf());
            }
            Ok(meta) => last = Some(meta),
            Err(_) => return Entry::Other,
        }
    }
    match last {
        Some(meta) if meta.is_file() => Entry::RegularFile,
        _ => Entry::Other,
    }
}

/// The regular files and directories of a kata's `src/`, relative to it: what is copied.
#[derive(Default)]
struct Tree {
    dirs: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
}

impl Tree {
    /// Walks `src` with an explicit stack, never through a symbolic link; refuses, with the
    /// limit in words, a tree past [`ENTRY_CAP`] entries, [`DEPTH_CAP`] levels or
    /// [`SOURCE_CAP`] bytes, as soon as it is seen. Links and other special files are left out.
    fn scan(src: &Path) -> Result<Tree, String> {
        let mut tree = Tree::default();
        let (mut entries, mut bytes) = (0, 0);
        let mut pending = vec![PathBuf::new()];
        while let Some(dir) = pending.pop() {
            // Counted before any is looked at, so that which limit is met first does not
            // depend on the order the file system lists a large directory in.
            let names = read_names(&src.join(&dir), ENTRY_CAP - entries + 1);
            entries += names.len();
            if entries > ENTRY_CAP {
                return Err(format!("holds more than {ENTRY_CAP} files and directories"));
            }
            for name in names {
                let path = dir.join(name);
                let Ok(meta) = std::fs::symlink_metadata(src.join(&path)) else {
                    continue;
                };
                if meta.is_dir() {
                    if path.components().count() > DEPTH_CAP {
                        return Err(format!(
                            "nests directories more than {DEPTH_CAP} levels deep"
                        ));
                    }
                    tree.dirs.insert(path.clone());
                    pending.push(path);
                } else if meta.is_file() {
                    bytes += meta.len();
                    if bytes > SOURCE_CAP {
                        return Err(format!(
                            "holds more than the {} MiB a kata's sources may have",
                            SOURCE_CAP >> 20
                        ));
                    }
                    tree.files.insert(path);
                }
            }
        }
        Ok(tree)
    }

    /// Makes `to` hold exactly this tree's files, read from `from`. Files whose content is
    /// already there are left untouched, so that cargo does not rebuild an unchanged submission.
    fn copy(&self, from: &Path, to: &Path) -> Result<()> {
        self.remove_others(to)?;
        for dir in std::iter::once(to.to_path_buf()).chain(self.dirs.iter().map(|d| to.join(d))) {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        for file in &self.files {
            let content = read_regular_file(&from.join(file))?;
            let target = to.join(file);
            if std::fs::read(&target).ok().as_ref() != Some(&content) {
                std::fs::write(&target, &content)
                    .with_context(|| format!("cannot write {}", target.display()))?;
            }
        }
        Ok(())
    }

    /// Removes from `to` everything that is not a directory or a regular file of this tree.
    fn remove_others(&self, to: &Path) -> Result<()> {
        let mut pending = vec![PathBuf::new()];
        while let Some(dir) = pending.pop() {
            for name in read_names(&to.join(&dir), usize::MAX) {
                let path = dir.join(name);
                match std::fs::symlink_metadata(to.join(&path)) {
                    Ok(meta) if meta.is_dir() && self.dirs.contains(&path) => pending.push(path),
                    Ok(meta) if meta.is_file() && self.files.contains(&path) => {}
                    _ => remove(&to.join(&path))?,
                }
            }
        }
        Ok(())
    }
}

/// The content of the regular file at `path`, up to [`SOURCE_CAP`] bytes. It is opened without
/// following a link and without blocking on a FIFO, should either have taken the file's place
/// since it was looked at.
fn read_regular_file(path: &Path) -> Result<Vec<u8>> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    if !file.metadata().is_ok_and(|meta| meta.is_file()) {
        bail!("{} is no longer a regular file", path.display());
    }
    let mut content = Vec::new();
    Read::take(file, SOURCE_CAP + 1)
        .read_to_end(&mut content)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if content.len() as u64 > SOURCE_CAP {
        bail!("{} grew past {} MiB", path.display(), SOURCE_CAP >> 20);
    }
    Ok(content)
}

/// Whether `relative` is `exercises/<track>/<kata>/src/...` for a known kata.
fn is_learner_file(relative: &Path, katas: &[&str]) -> bool {
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str().unwrap_or(""))
        .collect();
    matches!(parts.as_slice(), ["exercises", _, kata, "src", _, ..] if katas.contains(kata))
}

/// Whether the submission's regular file `theirs` has the content of this repository's `ours`.
fn same_content(theirs: &Path, ours: &Path) -> bool {
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len()).ok();
    match (size(theirs), size(ours)) {
        (Some(x), Some(y)) if x == y => read_regular_file(theirs).ok() == std::fs::read(ours).ok(),
        _ => false,
    }
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Removes a file or a directory tree, if there is one.
fn remove(path: &Path) -> Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    };
    removed.with_context(|| format!("cannot remove {}", path.display()))
}

/// The names in `dir`, at most `cap` of them, sorted; none when it cannot be read.
fn read_names(dir: &Path, cap: usize) -> Vec<OsString> {
    let mut names: Vec<OsString> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.file_name()))
                .take(cap)
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    const HIT_COUNTER: &str = "exercises/01-races/hit_counter";

    /// A scratch directory for one test, empty.
    fn scratch(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-submission-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes `text` at `path`, creating its directories.
    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A repository with the one kata `hit_counter`, and a submission beside it.
    fn repository_and_submission(base: &Path) -> (Catalog, Kata, Submission) {
        let kata_toml = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(HIT_COUNTER)
            .join("kata.toml");
        let root = base.join("repository");
        write(
            &root.join(HIT_COUNTER).join("kata.toml"),
            &std::fs::read_to_string(kata_toml).unwrap(),
        );
        write(
            &root.join(HIT_COUNTER).join("src/lib.rs"),
            "// starting code",
        );
        let catalog = Catalog::at(std::fs::canonicalize(&root).unwrap()).unwrap();
        let kata = catalog.find("hit_counter").unwrap();
        std::fs::create_dir_all(base.join("student")).unwrap();
        let submission = Submission::open(&catalog, &base.join("student")).unwrap();
        (catalog, kata, submission)
    }

    fn missing_reason(source: Source) -> String {
        match source {
            Source::Missing(why) => why,
            Source::Found { shown, .. } => panic!("taken from {shown}"),
        }
    }

    #[test]
    fn only_kata_sources_are_learner_files() {
        let katas = ["hit_counter", "bank"];
        let yes = |p: &str| is_learner_file(Path::new(p), &katas);
        assert!(yes("exercises/01-races/hit_counter/src/lib.rs"));
        assert!(yes("exercises/01-races/hit_counter/src/more/helper.rs"));
        assert!(!yes("exercises/01-races/hit_counter/Cargo.toml"));
        assert!(!yes("exercises/01-races/hit_counter/kata.toml"));
        assert!(!yes("exercises/01-races/unknown/src/lib.rs"));
        assert!(!yes("tests/hit_counter.rs"));
        assert!(!yes("solutions/hit_counter/lib.rs"));
    }

    #[test]
    fn copying_keeps_unchanged_files_and_drops_stale_ones_and_links() {
        let base = scratch("copy");
        let (from, to) = (base.join("from"), base.join("to"));
        write(&from.join("lib.rs"), "pub fn a() {}");
        write(&from.join("more/helper.rs"), "pub fn b() {}");
        symlink("/etc/hostname", from.join("link.rs")).unwrap();
        symlink(base.join("elsewhere"), from.join("linked_dir")).unwrap();
        write(&base.join("elsewhere/secret.rs"), "secret");
        let tree = Tree::scan(&from).unwrap();
        tree.copy(&from, &to).unwrap();
        assert!(to.join("more/helper.rs").is_file());
        assert!(!to.join("link.rs").exists());
        assert!(!to.join("linked_dir").exists());
        let modified = |path: &Path| std::fs::metadata(path).unwrap().modified().unwrap();
        let before = modified(&to.join("lib.rs"));
        write(&to.join("stale.rs"), "");
        write(&to.join("stale/deep/x.rs"), "");
        symlink("/etc", to.join("more/stale_link")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        tree.copy(&from, &to).unwrap();
        assert_eq!(modified(&to.join("lib.rs")), before);
        assert!(!to.join("stale.rs").exists());
        assert!(!to.join("stale").exists());
        assert!(std::fs::symlink_metadata(to.join("more/stale_link")).is_err());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_tree_thousands_of_levels_deep_is_refused_without_recursion() {
        let base = scratch("deep");
        let mut deep = base.join("src");
        for _ in 0..2_000 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        write(&base.join("src/lib.rs"), "");
        let refused = Tree::scan(&base.join("src")).err();
        assert_eq!(
            refused.as_deref(),
            Some("nests directories more than 16 levels deep")
        );
        let mut allowed = base.join("ok");
        for _ in 0..DEPTH_CAP {
            allowed.push("d");
        }
        write(&allowed.join("x.rs"), "");
        assert_eq!(Tree::scan(&base.join("ok")).unwrap().files.len(), 1);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn too_many_entries_are_refused() {
        let base = scratch("many");
        for i in 0..ENTRY_CAP {
            write(&base.join(format!("src/f{i}.rs")), "");
        }
        assert_eq!(
            Tree::scan(&base.join("src")).unwrap().files.len(),
            ENTRY_CAP
        );
        write(&base.join("src/one_more.rs"), "");
        assert_eq!(
            Tree::scan(&base.join("src")).err().as_deref(),
            Some("holds more than 1000 files and directories")
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn too_many_bytes_are_refused() {
        let base = scratch("large");
        write(&base.join("src/lib.rs"), "");
        let big = std::fs::File::create(base.join("src/big.rs")).unwrap();
        big.set_len(SOURCE_CAP + 1).unwrap();
        assert_eq!(
            Tree::scan(&base.join("src")).err().as_deref(),
            Some("holds more than the 16 MiB a kata's sources may have")
        );
        big.set_len(SOURCE_CAP).unwrap();
        assert_eq!(Tree::scan(&base.join("src")).unwrap().files.len(), 2);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn every_component_is_looked_at_without_following_links() {
        let base = scratch("look-up");
        let lib = Path::new(HIT_COUNTER).join("src/lib.rs");
        let real = base.join("real");
        write(&real.join(&lib), "");
        assert!(matches!(look_up(&real, &lib), Entry::RegularFile));
        let linked_at = |component: &str| {
            let root = base.join(component.replace('/', "-"));
            std::fs::create_dir_all(&root).unwrap();
            let at = Path::new(component);
            std::fs::create_dir_all(root.join(at.parent().unwrap())).unwrap();
            symlink(real.join(at), root.join(at)).unwrap();
            match look_up(&root, &lib) {
                Entry::Link(link) => link,
                _ => panic!("{component} followed"),
            }
        };
        for component in [
            "exercises",
            "exercises/01-races",
            HIT_COUNTER,
            "exercises/01-races/hit_counter/src",
            "exercises/01-races/hit_counter/src/lib.rs",
        ] {
            assert_eq!(linked_at(component), Path::new(component));
        }
        assert!(matches!(
            look_up(&real, Path::new("nothing/here")),
            Entry::Other
        ));
        assert!(matches!(
            look_up(&real, Path::new(HIT_COUNTER)),
            Entry::Other
        ));
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_kata_reached_through_a_link_is_not_graded_and_the_link_is_listed() {
        let base = scratch("linked-kata");
        let (catalog, kata, submission) = repository_and_submission(&base);
        let borrowed = base.join("classmate").join(HIT_COUNTER);
        write(&borrowed.join("src/lib.rs"), "// the classmate's work");
        write(&submission.dir.join("exercises/01-races/.keep"), "");
        symlink(&borrowed, submission.dir.join(HIT_COUNTER)).unwrap();
        let why = missing_reason(submission.source(&catalog, &kata).unwrap());
        assert_eq!(
            why,
            "exercises/01-races/hit_counter is a symbolic link: not followed"
        );
        let ignored = submission.ignored_changes(&catalog);
        assert!(ignored.contains(&HIT_COUNTER.to_owned()), "{ignored:?}");
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_linked_exercises_directory_is_not_followed() {
        let base = scratch("linked-exercises");
        let (catalog, kata, submission) = repository_and_submission(&base);
        symlink(
            catalog.root.join("exercises"),
            submission.dir.join("exercises"),
        )
        .unwrap();
        let why = missing_reason(submission.source(&catalog, &kata).unwrap());
        assert_eq!(why, "exercises is a symbolic link: not followed");
        assert_eq!(submission.ignored_changes(&catalog), ["exercises"]);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_real_kata_is_copied_with_its_links_left_out_and_listed() {
        let base = scratch("real-kata");
        let (catalog, kata, submission) = repository_and_submission(&base);
        let src = submission.dir.join(HIT_COUNTER).join("src");
        write(&src.join("lib.rs"), "// the learner's work");
        symlink(
            catalog.root.join(HIT_COUNTER).join("src"),
            src.join("borrowed"),
        )
        .unwrap();
        let Source::Found { lib, shown } = submission.source(&catalog, &kata).unwrap() else {
            panic!("not found");
        };
        assert_eq!(shown, "exercises/01-races/hit_counter/src/lib.rs");
        assert_eq!(
            std::fs::read_to_string(&lib).unwrap(),
            "// the learner's work"
        );
        assert!(!lib.with_file_name("borrowed").exists());
        assert_eq!(
            submission.ignored_changes(&catalog),
            ["exercises/01-races/hit_counter/src/borrowed"]
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_kata_over_a_limit_is_not_graded_and_says_which() {
        let base = scratch("over-limit");
        let (catalog, kata, submission) = repository_and_submission(&base);
        let src = submission.dir.join(HIT_COUNTER).join("src");
        write(&src.join("lib.rs"), "");
        let mut deep = src.clone();
        for _ in 0..=DEPTH_CAP {
            deep.push("d");
        }
        std::fs::create_dir_all(deep).unwrap();
        let why = missing_reason(submission.source(&catalog, &kata).unwrap());
        assert_eq!(
            why,
            "exercises/01-races/hit_counter/src nests directories more than 16 levels deep: not \
             graded"
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_name_with_control_characters_is_shown_on_one_line() {
        let base = scratch("name");
        let (catalog, _, _) = repository_and_submission(&base);
        let dir = base.join("ada\n### Grade 515 of 515");
        std::fs::create_dir_all(&dir).unwrap();
        let submission = Submission::open(&catalog, &dir).unwrap();
        assert_eq!(submission.name(), "ada\\n### Grade 515 of 515");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
