//! `export`: the mined tables of one or many repositories as Parquet files for other engines
//! (docs/schema.md, docs/scale.md), and the measured files of an export read back.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cochange_miner::export::{Appended, ExportInput};
use cochange_miner::polars::prelude::*;
use cochange_miner::{NoProgress, Progress, Snapshot};

use crate::TextMeasures;
use crate::session::{Error, Settings, read_files};

/// Column names of the exported `files` table besides `commit` and `path`: the fields of
/// [`TextMeasures`].
mod column {
    pub const PATH: &str = "path";
    pub const BINARY: &str = "binary";
    pub const LOC: &str = "loc";
    pub const INDENT_TOTAL: &str = "indent_total";
    pub const INDENT_MAX: &str = "indent_max";
    pub const INLINE_TESTS: &str = "inline_tests";
    pub const COMMENT_LINES: &str = "comment_lines";
}

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

/// Exports every repository of `settings` below `dir`, `jobs` at a time (each mined on its share
/// of the threads), calling `done` as each finishes. A failed repository does not stop the others;
/// the outcomes come back in the order of `settings.repos`.
pub fn export_repositories(
    settings: &Settings,
    dir: &Path,
    jobs: usize,
    progress: &dyn Progress,
    done: &(dyn Fn(&ExportOutcome) + Sync),
) -> Result<Vec<ExportOutcome>, Error> {
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
    Ok(outcomes
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect())
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
        files: files_frame(&snapshot)?,
    };
    cochange_miner::export::export(dir, &input).map_err(failed("write the exported tables"))
}

/// The measured files of a snapshot as the exported `files` table (without `commit`).
fn files_frame(snapshot: &Snapshot<TextMeasures>) -> PolarsResult<DataFrame> {
    let files = &snapshot.files;
    let get = |f: fn(&TextMeasures) -> Option<f64>| -> Vec<Option<f64>> {
        files.iter().map(|(_, m)| m.as_ref().and_then(f)).collect()
    };
    DataFrame::new(
        files.len(),
        vec![
            Column::new(
                column::PATH.into(),
                files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                column::BINARY.into(),
                files
                    .iter()
                    .map(|(_, m)| m.as_ref().map(|m| m.binary))
                    .collect::<Vec<_>>(),
            ),
            // Counts are stored signed, as engines such as Spark read unsigned types badly.
            Column::new(
                column::LOC.into(),
                files
                    .iter()
                    .map(|(_, m)| m.as_ref().map(|m| m.loc as i64))
                    .collect::<Vec<_>>(),
            ),
            Column::new(column::INDENT_TOTAL.into(), get(|m| Some(m.indent_total))),
            Column::new(column::INDENT_MAX.into(), get(|m| Some(m.indent_max))),
            Column::new(
                column::INLINE_TESTS.into(),
                files
                    .iter()
                    .map(|(_, m)| m.as_ref().map(|m| m.inline_tests))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                column::COMMENT_LINES.into(),
                files
                    .iter()
                    .map(|(_, m)| m.as_ref().map(|m| m.comment_lines as i64))
                    .collect::<Vec<_>>(),
            ),
        ],
    )
}

/// The exported `files` of commit `head` as the snapshot mining would read, keeping the files
/// `wanted` accepts (a file whose measures are null had a missing blob).
pub(crate) fn snapshot_of(
    files: &DataFrame,
    head: &str,
    wanted: impl Fn(&str) -> bool,
) -> PolarsResult<Snapshot<TextMeasures>> {
    let path = files.column(column::PATH)?.str()?;
    let binary = files.column(column::BINARY)?.bool()?;
    let loc = files.column(column::LOC)?.i64()?;
    let indent_total = files.column(column::INDENT_TOTAL)?.f64()?;
    let indent_max = files.column(column::INDENT_MAX)?.f64()?;
    let inline_tests = files.column(column::INLINE_TESTS)?.bool()?;
    let comment_lines = files.column(column::COMMENT_LINES)?.i64()?;
    let mut snapshot = Snapshot {
        commit: head.to_owned(),
        files: Vec::new(),
        blobs: Vec::new(),
        skipped: 0,
        paths: Vec::new(),
        missing: Vec::new(),
    };
    for i in 0..files.height() {
        let Some(p) = path.get(i) else { continue };
        snapshot.paths.push(p.to_owned());
        if !wanted(p) {
            snapshot.skipped += 1;
            continue;
        }
        let measures = loc.get(i).map(|loc| TextMeasures {
            binary: binary.get(i).unwrap_or_default(),
            loc: loc as u64,
            indent_total: indent_total.get(i).unwrap_or_default(),
            indent_max: indent_max.get(i).unwrap_or_default(),
            inline_tests: inline_tests.get(i).unwrap_or_default(),
            comment_lines: comment_lines.get(i).unwrap_or_default() as u64,
        });
        if measures.is_none() {
            snapshot.missing.push(p.to_owned());
        }
        snapshot.files.push((p.to_owned(), measures));
    }
    Ok(snapshot)
}
