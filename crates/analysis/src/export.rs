//! `export`: the mined tables of one or many repositories as Parquet files for other engines
//! (docs/schema.md, docs/scale.md).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cochange_miner::export::{Appended, ExportInput};
use cochange_miner::{NoProgress, Progress};

use crate::session::{Error, Settings, read_files};

/// One repository's export, as it finished.
#[derive(Debug)]
pub struct ExportOutcome {
    /// The repository as given.
    pub path: PathBuf,
    /// What the export did, or why it failed.
    pub result: Result<Appended, Error>,
    /// Warnings of its mining.
    pub warnings: Vec<String>,
}

/// What an export of several repositories did.
#[derive(Debug)]
pub struct ExportRun {
    /// Each repository's outcome, in the order of `settings.repos`.
    pub outcomes: Vec<ExportOutcome>,
    /// What DuckDB or Spark would read in the folder that no state lists, a sentence each
    /// ([`cochange_miner::export::strays`]).
    pub strays: Vec<String>,
}

/// Exports every repository of `settings` below `dir`, `jobs` at a time (each mined on its share
/// of the threads), calling `done` as each finishes. A failed repository does not stop the others.
pub fn export_repositories(
    settings: &Settings,
    dir: &Path,
    jobs: usize,
    progress: &dyn Progress,
    done: &(dyn Fn(&ExportOutcome) + Sync),
) -> Result<ExportRun, Error> {
    cochange_miner::export::check_export_dir(dir).map_err(|source| Error::Repository {
        what: "write the exported tables",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut notices = Vec::new();
    let repos = crate::session::repositories(settings, &mut notices)?;
    for (repo, _) in &repos {
        if let Some(folder) = cochange_miner::repository_holding(repo, dir) {
            return Err(Error::Invalid(format!(
                "`--output {}` is inside the analysed repository `{}`, which cochange never writes to: choose a folder outside it",
                dir.display(),
                folder.display()
            )));
        }
    }
    if let Some((_, name)) = repos
        .iter()
        .find(|(_, name)| !cochange_miner::export::valid_partition_name(name))
    {
        return Err(Error::Invalid(format!(
            "`{name}` cannot name a partition of the export (letters, digits, `.`, `_` and `-`, not first `.` or `_`): give another with `--name`"
        )));
    }
    let jobs = jobs.clamp(1, repos.len().max(1));
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = match settings.mining.threads {
        0 => (cores / jobs).max(1),
        n => n,
    };
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<ExportOutcome>>> =
        Mutex::new((0..repos.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((path, name)) = repos.get(i) else {
                        break;
                    };
                    // One bar makes sense for one repository; several report as they finish.
                    let progress: &dyn Progress = if repos.len() == 1 {
                        progress
                    } else {
                        &NoProgress
                    };
                    let mut warnings = Vec::new();
                    let result =
                        export_one(settings, dir, path, name, threads, progress, &mut warnings);
                    let outcome = ExportOutcome {
                        path: path.clone(),
                        result,
                        warnings,
                    };
                    done(&outcome);
                    if let Ok(mut all) = outcomes.lock() {
                        all[i] = Some(outcome);
                    }
                }
            });
        }
    });
    Ok(ExportRun {
        outcomes: outcomes
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect(),
        strays: cochange_miner::export::strays(dir),
    })
}

fn export_one(
    settings: &Settings,
    dir: &Path,
    repo: &Path,
    name: &str,
    threads: usize,
    progress: &dyn Progress,
    warnings: &mut Vec<String>,
) -> Result<Appended, Error> {
    let failed = |what: &'static str| {
        move |source| Error::Repository {
            what,
            path: repo.to_path_buf(),
            source,
        }
    };
    let mut options = settings.mining.clone();
    options.name = Some(name.to_owned());
    options.threads = threads;
    let outcome =
        cochange_miner::mine(repo, &options, progress).map_err(failed("mine the history"))?;
    warnings.extend(outcome.warnings.iter().map(ToString::to_string));
    let tags = cochange_miner::tags(repo).map_err(failed("read the tags"))?;
    let snapshot = read_files(repo, &options, None, |_| true, crate::measure_text)?;
    if !snapshot.missing.is_empty() {
        warnings.push(format!(
            "{} blobs are missing: their files' measures are null",
            snapshot.missing.len()
        ));
    }
    let input = ExportInput {
        repo: name,
        options: options.mine,
        head: &snapshot.commit,
        tables: &outcome.tables,
        tags: &tags,
        files: crate::exported_files::files_frame(&snapshot)?,
    };
    cochange_miner::export::export(dir, &input, progress)
        .map_err(failed("write the exported tables"))
}
