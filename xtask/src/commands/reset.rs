//! `reset`: restore a kata's starting code from git, keeping the learner's file as a backup
//! under `target/xtask/backups/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::cli::Reset;
use crate::learner;

impl Reset {
    /// Writes the committed version of the learner's file of `name` over it, after copying it to a
    /// backup whose path is printed.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let name = self.kata.as_str();
        let kata = catalog.find(name)?;
        let file = kata.learner_source();
        let shown = catalog.display(&file);
        let starting = learner::committed(&catalog.root, &shown)?;
        let current = std::fs::read(&file).ok();
        if current.as_deref() == Some(starting.as_slice()) {
            println!("{shown} is already the starting code of {name}: nothing to reset.");
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(current) = current {
            let backup = backup_path(&catalog.root.join("target/xtask/backups"), name)?;
            std::fs::write(&backup, current)
                .with_context(|| format!("cannot write the backup {}", catalog.display(&backup)))?;
            println!("Your version is kept in {}", catalog.display(&backup));
        }
        std::fs::write(&file, &starting).with_context(|| format!("cannot write {shown}"))?;
        println!("Restored {shown} to the starting code of {name}.");
        Ok(ExitCode::SUCCESS)
    }
}

/// `dir/<kata>-<YYYYMMDD-HHMMSS>.rs` (UTC), with `-2`, `-3`, ... when that file exists already.
fn backup_path(dir: &Path, kata: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stamp = timestamp(seconds);
    let mut path = dir.join(format!("{kata}-{stamp}.rs"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{kata}-{stamp}-{n}.rs"));
        n += 1;
    }
    Ok(path)
}

/// `YYYYMMDD-HHMMSS` of a Unix time, in UTC.
fn timestamp(unix_seconds: u64) -> String {
    let days = unix_seconds / 86_400;
    let of_day = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// The (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_times() {
        assert_eq!(timestamp(0), "19700101-000000");
        assert_eq!(timestamp(951_782_400), "20000229-000000");
        assert_eq!(timestamp(1_795_700_000 + 3_723), "20261126-143523");
    }
}
