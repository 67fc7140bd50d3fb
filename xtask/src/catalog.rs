//! Where the katas are: discovery under `exercises/`, lookup by name, and the paths of a kata's
//! files.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::metadata::Metadata;

/// The repository: its root and the katas found in it.
pub struct Catalog {
    /// The repository root (the workspace root).
    pub root: PathBuf,
    /// Every kata directory, sorted by name (metadata not read yet).
    entries: Vec<Entry>,
}

/// A kata directory found on disk.
struct Entry {
    name: String,
    dir: PathBuf,
}

/// One kata, with its metadata read.
#[derive(Debug, Clone)]
pub struct Kata {
    /// The parsed `kata.toml`.
    pub meta: Metadata,
    /// `exercises/NN-track/<kata>/`, absolute.
    pub dir: PathBuf,
    /// The track's name from its directory (`01-races` gives `races`).
    pub track_name: String,
    /// The repository root, where the kata's checks, benchmark and solutions are.
    root: PathBuf,
}

impl Catalog {
    /// Finds the katas of the repository that contains this xtask, or of the repository named
    /// by the environment variable `XTASK_ROOT` (the one place it is read: the end-to-end tests
    /// point it at a scratch copy so that they never touch the real katas or progress).
    pub fn discover() -> Result<Catalog> {
        let root = match std::env::var_os("XTASK_ROOT") {
            Some(root) => PathBuf::from(root),
            None => Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .context("the xtask crate has no parent directory")?
                .to_path_buf(),
        };
        // Canonical, so that canonical source paths show relative to it.
        let root = std::fs::canonicalize(&root)
            .with_context(|| format!("cannot find the repository at {}", root.display()))?;
        Catalog::at(root)
    }

    /// Finds the katas under `root/exercises`: every `NN-track/<kata>/` with a `kata.toml`.
    pub fn at(root: PathBuf) -> Result<Catalog> {
        let exercises = root.join("exercises");
        let mut entries = Vec::new();
        for track in read_dirs(&exercises)? {
            for dir in read_dirs(&track)? {
                if dir.join("kata.toml").is_file() {
                    let name = file_name(&dir);
                    entries.push(Entry { name, dir });
                }
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Catalog { root, entries })
    }

    /// The names of every kata, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.entries
            .iter()
            .map(|entry| entry.name.as_str())
            .collect()
    }

    /// The kata called `name`, with its metadata; an unknown name suggests the closest one.
    pub fn find(&self, name: &str) -> Result<Kata> {
        match self.entries.iter().find(|entry| entry.name == name) {
            Some(entry) => self.load(entry),
            None => bail!("{}", unknown_kata(name, &self.names())),
        }
    }

    /// Every kata with its metadata, sorted by (track, difficulty, name).
    pub fn all(&self) -> Result<Vec<Kata>> {
        let mut katas = self
            .entries
            .iter()
            .map(|entry| self.load(entry))
            .collect::<Result<Vec<_>>>()?;
        katas.sort_by(|a, b| {
            (a.meta.track, a.meta.difficulty, &a.meta.name).cmp(&(
                b.meta.track,
                b.meta.difficulty,
                &b.meta.name,
            ))
        });
        Ok(katas)
    }

    /// `path` relative to the root when it is inside it, else as it is.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn load(&self, entry: &Entry) -> Result<Kata> {
        let file = entry.dir.join("kata.toml");
        let shown = self.display(&file);
        let text =
            std::fs::read_to_string(&file).with_context(|| format!("cannot read {shown}"))?;
        let meta = Metadata::parse(&text, &shown).map_err(anyhow::Error::msg)?;
        if meta.name != entry.name {
            bail!(
                "{shown}: field `name`: is `{}` but the directory is `{}`",
                meta.name,
                entry.name
            );
        }
        let track_dir = entry.dir.parent().map(file_name).unwrap_or_default();
        let track_name = match track_dir.split_once('-') {
            Some((_, name)) => name.to_owned(),
            None => track_dir,
        };
        Ok(Kata {
            meta,
            dir: entry.dir.clone(),
            track_name,
            root: self.root.clone(),
        })
    }
}

impl Kata {
    /// The kata's name.
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// The repository root the kata was found in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The learner's file, `exercises/NN-track/<kata>/src/lib.rs`.
    pub fn learner_source(&self) -> PathBuf {
        self.dir.join("src").join("lib.rs")
    }

    /// Whether `path` is the learner's file (another path to it included): the one question
    /// behind remembering a check, "your file" and a replay command without `--source`.
    ///
    /// ```text
    /// assert!(kata.is_learner_file(&kata.learner_source()));
    /// ```
    pub fn is_learner_file(&self, path: &Path) -> bool {
        let canonical = |path: &Path| std::fs::canonicalize(path).ok();
        canonical(path).is_some_and(|path| Some(path) == canonical(&self.learner_source()))
    }

    /// The checks, `tests/<kata>.rs`.
    pub fn checks_file(&self) -> PathBuf {
        self.root.join("tests").join(format!("{}.rs", self.name()))
    }

    /// The benchmark, `tests/benches/<kata>.rs` (not every kata has one).
    pub fn bench_file(&self) -> PathBuf {
        self.root
            .join("tests")
            .join("benches")
            .join(format!("{}.rs", self.name()))
    }

    /// `solutions/<kata>/`.
    pub fn solutions_dir(&self) -> PathBuf {
        self.root.join("solutions").join(self.name())
    }

    /// The kata's support crate (code the kata provides, in `support/` beside `src/`): its
    /// package name, `<kata>_support`, and its directory, when it has one.
    pub fn support_crate(&self) -> Option<(String, PathBuf)> {
        let dir = self.dir.join("support");
        let name = format!("{}_support", self.name());
        dir.join("Cargo.toml").is_file().then_some((name, dir))
    }
}

/// "unknown kata `x`: did you mean `y`?", or the list of katas when nothing is close.
pub fn unknown_kata(name: &str, known: &[&str]) -> String {
    match closest(name, known) {
        Some(best) => format!("unknown kata `{name}`: did you mean `{best}`?"),
        None if known.is_empty() => format!("unknown kata `{name}` (there are no katas yet)"),
        None => format!(
            "unknown kata `{name}`; the closest names are {}; `cargo xtask list` shows all {}",
            nearest(name, known, 3)
                .iter()
                .map(|candidate| format!("`{candidate}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known.len()
        ),
    }
}

/// The known name closest to `name`, if any is close enough to be a typo of it.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let name = name.to_lowercase();
    known
        .iter()
        .filter_map(|&candidate| {
            let distance = strsim::damerau_levenshtein(&name, candidate);
            let close = distance <= (candidate.len() / 3).max(1)
                || (name.len() >= 3 && candidate.contains(&name));
            close.then_some((distance, candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

/// The `count` known names most like `name` (by Jaro-Winkler similarity), most alike first.
fn nearest<'a>(name: &str, known: &[&'a str], count: usize) -> Vec<&'a str> {
    let name = name.to_lowercase();
    let mut ranked: Vec<(f64, &str)> = known
        .iter()
        .map(|&candidate| (strsim::jaro_winkler(&name, candidate), candidate))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    ranked.into_iter().take(count).map(|(_, c)| c).collect()
}

/// The subdirectories of `dir`, sorted; a missing `dir` has none.
fn read_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KATAS: [&str; 4] = ["bank", "fair_rwlock", "hit_counter", "nightclub"];

    #[test]
    fn a_typo_gets_a_suggestion() {
        assert_eq!(closest("bnak", &KATAS), Some("bank"));
        assert_eq!(closest("hit-counter", &KATAS), Some("hit_counter"));
        assert_eq!(closest("rwlock", &KATAS), Some("fair_rwlock"));
        let message = unknown_kata("nightclb", &KATAS);
        assert_eq!(
            message,
            "unknown kata `nightclb`: did you mean `nightclub`?"
        );
    }

    /// A scratch repository with one kata `demo` whose `kata.toml` is `text`.
    fn repository(test: &str, text: &str) -> Catalog {
        let root =
            std::env::temp_dir().join(format!("xtask-catalog-{test}-{}", std::process::id()));
        let kata = root.join("exercises/01-demos/demo");
        std::fs::create_dir_all(&kata).unwrap();
        std::fs::write(kata.join("kata.toml"), text).unwrap();
        Catalog::at(root).unwrap()
    }

    #[test]
    fn a_malformed_kata_toml_is_named_with_its_field() {
        let catalog = repository("malformed", "name = \"demo\"\ntrack = \"one\"\n");
        let err = catalog.find("demo").unwrap_err().to_string();
        std::fs::remove_dir_all(&catalog.root).unwrap();
        assert_eq!(
            err,
            "exercises/01-demos/demo/kata.toml:2: field `track`: invalid type: string \"one\", \
             expected u32"
        );
    }

    #[test]
    fn the_name_must_match_the_directory() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../exercises/01-races/hit_counter/kata.toml"),
        )
        .unwrap();
        let catalog = repository("mismatch", &text);
        assert_eq!(catalog.names(), ["demo"]);
        let err = catalog.find("demo").unwrap_err().to_string();
        std::fs::remove_dir_all(&catalog.root).unwrap();
        assert!(
            err.contains("field `name`: is `hit_counter` but the directory is `demo`"),
            "{err}"
        );
    }

    #[test]
    fn nothing_close_names_the_nearest_few_and_the_list() {
        assert_eq!(closest("philosophers", &KATAS), None);
        let message = unknown_kata("philosophers", &KATAS);
        assert!(
            message.starts_with("unknown kata `philosophers`; the closest names are `"),
            "{message}"
        );
        assert_eq!(message.matches('`').count(), 2 + 2 * 3 + 2, "{message}");
        assert!(
            message.ends_with("`cargo xtask list` shows all 4"),
            "{message}"
        );
    }

    /// The numbers the README gives about the catalogue: "in eight tracks", "all 51 katas",
    /// "(the reference solutions, 1,350 points)".
    #[test]
    fn the_readmes_numbers_describe_the_catalogue() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let katas = Catalog::at(root).unwrap().all().unwrap();
        let words: Vec<&str> = readme.split_whitespace().collect();
        let names = [
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        ];
        // The numbers between `before` and `after` (which may end in punctuation).
        let numbers = |before: &str, after: &str| -> Vec<u64> {
            words
                .windows(3)
                .filter(|w| w[0] == before && w[2].trim_end_matches([',', '.', ')', ':']) == after)
                .map(|w| {
                    let number = w[1].replace(',', "");
                    number.parse().unwrap_or_else(|_| {
                        let named = names.iter().position(|name| *name == number);
                        named.map_or(0, |n| n as u64 + 1)
                    })
                })
                .collect()
        };
        let mut tracks: Vec<u32> = katas.iter().map(|kata| kata.meta.track).collect();
        tracks.dedup();
        let points: u64 = katas.iter().map(|kata| u64::from(kata.meta.points)).sum();
        let said = [
            ("in", "tracks", tracks.len() as u64),
            ("all", "katas", katas.len() as u64),
            ("solutions,", "points", points),
        ];
        for (before, after, count) in said {
            let given = numbers(before, after);
            assert!(
                !given.is_empty(),
                "the README says no \"{before} N {after}\""
            );
            for number in given {
                assert_eq!(
                    number, count,
                    "the README says {number} {after}, there are {count}"
                );
            }
        }
    }
}
