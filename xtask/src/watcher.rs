//! Noticing that a file was saved: the operating system's file notifications, debounced, or
//! polling where the file system has none.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_mini::notify::{self, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer_opt, Config, DebounceEventResult, Debouncer};

/// How long a burst of file events must be quiet before it counts as one save.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// How often the polling fallback looks at the file.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A file being watched; dropping it stops the watching.
pub struct FileWatch {
    _debouncer: Watching,
    /// How changes are noticed, for people: "file notifications" or "polling (...)".
    pub how: String,
}

/// The debouncer in use, kept alive to keep watching.
#[allow(dead_code)]
enum Watching {
    Notified(Debouncer<RecommendedWatcher>),
    Polled(Debouncer<PollWatcher>),
}

impl FileWatch {
    /// Watches `file` (its directory, so that editors that save by replacing the file are seen
    /// too) and calls `saved` after each save: `Ok` for a save, `Err` when watching failed.
    /// Polls with `poll`, or when the operating system cannot notify.
    pub fn start<F>(file: &Path, poll: bool, saved: F) -> Result<FileWatch>
    where
        F: Fn(Result<(), String>) + Clone + Send + 'static,
    {
        let dir = file.parent().context("the watched file has no directory")?;
        let dir = std::fs::canonicalize(dir)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
        let file = dir.join(file.file_name().context("the watched file has no name")?);
        let reason = if poll {
            "as asked".to_owned()
        } else {
            match watch::<RecommendedWatcher, F>(&dir, &file, saved.clone(), false) {
                Ok(debouncer) => {
                    return Ok(FileWatch {
                        _debouncer: Watching::Notified(debouncer),
                        how: "file notifications".into(),
                    })
                }
                Err(err) => format!("no file notifications here: {err}"),
            }
        };
        let debouncer = watch::<PollWatcher, F>(&dir, &file, saved, true)
            .with_context(|| format!("cannot watch {}", file.display()))?;
        Ok(FileWatch {
            _debouncer: Watching::Polled(debouncer),
            how: format!("polling every {} ms ({reason})", POLL_INTERVAL.as_millis()),
        })
    }
}

/// A debounced watcher of type `W` on `dir` that reports saves of `file` to `saved`.
fn watch<W, F>(dir: &Path, file: &Path, saved: F, poll: bool) -> notify::Result<Debouncer<W>>
where
    W: notify::Watcher,
    F: Fn(Result<(), String>) + Send + 'static,
{
    let file: PathBuf = file.to_path_buf();
    let mut notify_config = notify::Config::default();
    if poll {
        notify_config = notify_config
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
    }
    let config = Config::default()
        .with_timeout(DEBOUNCE)
        .with_batch_mode(true)
        .with_notify_config(notify_config);
    let mut debouncer =
        new_debouncer_opt::<_, W>(config, move |result: DebounceEventResult| match result {
            Ok(events) if events.iter().any(|event| event.path == file) => saved(Ok(())),
            Ok(_) => {}
            Err(err) => saved(Err(err.to_string())),
        })?;
    debouncer
        .watcher()
        .watch(dir, RecursiveMode::NonRecursive)?;
    Ok(debouncer)
}
