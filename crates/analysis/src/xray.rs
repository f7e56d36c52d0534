//! X-ray (docs/xray.md): the functions inside files, each with its history (the commits whose
//! diffs changed its lines, followed back through the mined hunks as `git log -L` follows a
//! function), its measures, a hotspot score, and which functions change together.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cochange_code::Function;
use cochange_miner::col;
use cochange_miner::polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blob_cache::Cached;
use crate::session::read_files;
use crate::{Error, Session};

/// The functions of one file as read from its blob (`None`: not parsed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FileFunctions(Option<Vec<Function>>);

impl Cached for FileFunctions {
    const TABLE: &'static str = cochange_code::FUNCTION_FACTS_TABLE;

    fn kind(path: &str) -> &'static str {
        cochange_code::kind_of(path)
    }

    fn to_frame(rows: &[(String, Self)]) -> PolarsResult<DataFrame> {
        crate::blob_cache::json_frame(rows)
    }

    fn from_frame(df: &DataFrame) -> PolarsResult<HashMap<String, Self>> {
        crate::blob_cache::from_json_frame(df)
    }
}

/// A commit that changed lines of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionChange {
    /// The commit (40 hex digits).
    pub commit: String,
    /// Its author (canonical name).
    pub author: String,
    /// Its author time (unix seconds).
    pub time: i64,
    /// Lines it added to the function.
    pub added: u32,
    /// Lines it deleted in the hunks that touched the function.
    pub deleted: u32,
}

/// A function of the analysed revision with the commits of the analysed history that changed it,
/// newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionHistory {
    /// The file, as the analysed revision names it.
    pub file: String,
    /// The function, with its measures.
    pub function: Function,
    /// The commits that changed it, newest first (those the filters leave out are not here).
    pub changes: Vec<FunctionChange>,
}

impl Session<'_> {
    /// The functions of the analysed revision's files of a language cochange reads that `keep`
    /// accepts (and the path filters keep), read from their blobs on all cores; blobs read before
    /// come from the cache. One repository only.
    pub fn functions(
        &self,
        keep: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<BTreeMap<String, Vec<Function>>, Error> {
        self.history.needs_repository("the X-ray")?;
        let (repo, _, options) = self.one_repository("the X-ray")?;
        let wanted = |path: &str| {
            cochange_code::Language::of(path).is_some()
                && keep(path)
                && self.settings.filters.keeps_path(path)
        };
        let snapshot = read_files(repo, options, self.revision(), wanted, |path, bytes| {
            FileFunctions(
                cochange_code::Language::of(path)
                    .and_then(|language| cochange_code::functions(language, bytes).ok()),
            )
        })?;
        Ok(snapshot
            .files
            .into_iter()
            .filter_map(|(path, facts)| Some((path, facts?.0?)))
            .collect())
    }

    /// Each function of `functions` (files of the analysed revision) with the commits that
    /// changed its lines, followed back through the history's hunks (docs/xray.md); commits the
    /// filters leave out are dropped. Needs the history mined with line counts.
    pub fn function_history(
        &self,
        functions: &BTreeMap<String, Vec<Function>>,
        progress: &dyn cochange_miner::Progress,
    ) -> Result<Vec<FunctionHistory>, Error> {
        let (repo, _, options) = self.one_repository("the X-ray")?;
        let mut ranges = Vec::new();
        for (path, found) in functions {
            for function in found {
                ranges.push(cochange_miner::LineRange {
                    path: path.clone(),
                    start: function.start,
                    end: function.end,
                });
            }
        }
        let rev = self.revision().unwrap_or("HEAD");
        let moves = crate::moves::BodyMoves::default();
        let touches =
            cochange_miner::range_history(repo, options, rev, &ranges, Some(&moves), progress)
                .map_err(|source| Error::Repository {
                    what: "follow the functions through the history",
                    path: repo.clone(),
                    source,
                })?;
        let commits = commit_authors(&self.history.tables)?;
        let mut per_range = touches.into_iter();
        let mut out = Vec::new();
        for (path, found) in functions {
            for function in found {
                let changes = per_range
                    .next()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|t| {
                        let (author, time) = commits.get(t.commit.as_str())?;
                        Some(FunctionChange {
                            author: (*author).to_owned(),
                            time: *time,
                            added: t.added,
                            deleted: t.deleted,
                            commit: t.commit,
                        })
                    })
                    .collect();
                out.push(FunctionHistory {
                    file: path.clone(),
                    function: function.clone(),
                    changes,
                });
            }
        }
        Ok(out)
    }

    /// The function rows (see [`function_rows`]) of the files `keep` accepts, over the window of
    /// `measured`; none with several repositories or without line counts (whose hunks the
    /// history of functions follows), which the caller is told of by a notice.
    pub fn function_rows_of(
        &mut self,
        measured: &crate::Measured,
        keep: &(dyn Fn(&str) -> bool + Sync),
        progress: &dyn cochange_miner::Progress,
    ) -> Result<Vec<FunctionRow>, Error> {
        let line_counts = self.history.options.iter().all(|o| o.mine.line_counts);
        if self.several() || !line_counts || self.history.exported.is_some() {
            self.notify(crate::Notice::Detail(
                "functions are not read: they need one repository and line counts".into(),
            ));
            return Ok(Vec::new());
        }
        let functions = self.functions(keep)?;
        let histories = self.function_history(&functions, progress)?;
        Ok(function_rows(&histories, measured.from, measured.as_of))
    }

    /// The one repository analysed, its outcome and mining options; `what` names the analysis
    /// in the error when there are several.
    pub(crate) fn one_repository(
        &self,
        what: &str,
    ) -> Result<
        (
            &std::path::PathBuf,
            &cochange_miner::Outcome,
            &cochange_miner::Options,
        ),
        Error,
    > {
        let mut all = self.history.repositories();
        match (all.next(), all.next()) {
            (Some(one), None) => Ok(one),
            _ => Err(Error::Invalid(format!(
                "{what} reads one repository at a time{}",
                if self.history.exported.is_some() {
                    ": pick one of the export with `--name`"
                } else {
                    ""
                }
            ))),
        }
    }
}

/// Author and author time of each commit of `tables`.
fn commit_authors(tables: &crate::Tables) -> PolarsResult<HashMap<&str, (&str, i64)>> {
    let commits = &tables.commits;
    Ok(commits
        .column(col::COMMIT)?
        .str()?
        .iter()
        .zip(commits.column(col::AUTHOR)?.str()?.iter())
        .zip(commits.column(col::AUTHOR_TIME)?.i64()?.iter())
        .filter_map(|((c, a), t)| Some((c?, (a?, t?))))
        .collect())
}

/// `histories` with only the changes of the window `from..=as_of`.
pub fn histories_in_window(
    histories: &[FunctionHistory],
    from: i64,
    as_of: i64,
) -> Vec<FunctionHistory> {
    histories
        .iter()
        .map(|h| FunctionHistory {
            file: h.file.clone(),
            function: h.function.clone(),
            changes: h
                .changes
                .iter()
                .filter(|c| c.time >= from && c.time <= as_of)
                .cloned()
                .collect(),
        })
        .collect()
}

/// One function's row of the X-ray: its measures and its history in a window.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionRow {
    /// The file.
    pub file: String,
    /// The function and its measures.
    pub function: Function,
    /// Commits that changed it in the window.
    pub revisions: u64,
    /// Those commits (40 hex digits), newest first.
    pub commits: Vec<String>,
    /// Commits that changed it in the whole analysed history.
    pub total_revisions: u64,
    /// Lines added and deleted by the commits of the window.
    pub churn: u64,
    /// Distinct authors of the window's commits.
    pub authors: u64,
    /// The author of most of the window's commits (ties by name).
    pub main_dev: Option<String>,
    /// Author times of its oldest and newest commit in the whole history.
    pub first_change: Option<i64>,
    /// See `first_change`.
    pub last_change: Option<i64>,
    /// Percent rank of `revisions` × percent rank of cognitive complexity, among all functions
    /// given, as file hotspots are scored (docs/metrics.md, *hotspots*).
    pub hotspot_score: f64,
}

/// The rows of `histories` for the window `from..=as_of`, the highest hotspot score first (then
/// most revisions, then by file and name).
pub fn function_rows(histories: &[FunctionHistory], from: i64, as_of: i64) -> Vec<FunctionRow> {
    let in_window = |c: &&FunctionChange| c.time >= from && c.time <= as_of;
    let mut rows: Vec<FunctionRow> = histories
        .iter()
        .map(|h| {
            let window: Vec<&FunctionChange> = h.changes.iter().filter(in_window).collect();
            let mut by_author: BTreeMap<&str, u64> = BTreeMap::new();
            for change in &window {
                *by_author.entry(change.author.as_str()).or_default() += 1;
            }
            let main_dev = by_author
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(a, _)| (*a).to_owned());
            FunctionRow {
                file: h.file.clone(),
                function: h.function.clone(),
                revisions: window.len() as u64,
                commits: window.iter().map(|c| c.commit.clone()).collect(),
                total_revisions: h.changes.len() as u64,
                churn: window
                    .iter()
                    .map(|c| u64::from(c.added) + u64::from(c.deleted))
                    .sum(),
                authors: by_author.len() as u64,
                main_dev,
                first_change: h.changes.iter().map(|c| c.time).min(),
                last_change: h.changes.iter().map(|c| c.time).max(),
                hotspot_score: 0.0,
            }
        })
        .collect();
    let revisions: Vec<f64> = rows.iter().map(|r| r.revisions as f64).collect();
    let cognitive: Vec<f64> = rows
        .iter()
        .map(|r| f64::from(r.function.cognitive))
        .collect();
    let (revisions, cognitive) = (
        crate::percent_ranks(&revisions),
        crate::percent_ranks(&cognitive),
    );
    for ((row, r), c) in rows.iter_mut().zip(revisions).zip(cognitive) {
        row.hotspot_score = r * c;
    }
    rows.sort_by(|a, b| {
        b.hotspot_score
            .total_cmp(&a.hotspot_score)
            .then(b.revisions.cmp(&a.revisions))
            .then(a.file.cmp(&b.file))
            .then(a.function.name.cmp(&b.function.name))
    });
    rows
}

/// The functions of `file` where its `revisions` changes of the window concentrate, for the
/// backlog's reason: the most changed first, each changed in at least a fifth of them and at
/// least twice, and in a commit the ones before were not, at most three, until their commits
/// together are more than half of them. None when they are not, and for a file of one function,
/// where naming it would tell nothing.
pub fn concentrated_in<'r>(
    rows: &'r [FunctionRow],
    file: &str,
    revisions: u64,
) -> Vec<&'r FunctionRow> {
    let of_file: Vec<&FunctionRow> = rows.iter().filter(|r| r.file == file).collect();
    if of_file.len() < 2 {
        return Vec::new();
    }
    let mut of_file: Vec<&FunctionRow> = of_file
        .into_iter()
        .filter(|r| r.revisions >= 2 && r.revisions * 5 >= revisions)
        .collect();
    of_file.sort_by(|a, b| {
        b.revisions
            .cmp(&a.revisions)
            .then(b.function.cognitive.cmp(&a.function.cognitive))
            .then(a.function.name.cmp(&b.function.name))
    });
    let mut picked = Vec::new();
    let mut held: BTreeSet<&str> = BTreeSet::new();
    for row in of_file {
        if picked.len() == 3 || held.len() as u64 * 2 > revisions {
            break;
        }
        if row.commits.iter().all(|c| held.contains(c.as_str())) {
            continue;
        }
        held.extend(row.commits.iter().map(String::as_str));
        picked.push(row);
    }
    if held.len() as u64 * 2 > revisions {
        picked
    } else {
        Vec::new()
    }
}

/// The entity of a function in the coupling of functions: `file:name`.
pub fn function_entity(file: &str, name: &str) -> String {
    format!("{file}:{name}")
}

/// The coupling of functions (docs/xray.md): `coupling`'s measures and thresholds over the
/// commits of `histories`, each function an entity named `file:name` (see
/// [`function_entity`]); commits that changed more than `options.max_changeset_size` functions
/// are left out, as large change sets are for files. Only the pairs with a function of a file
/// in `focus` are computed (all pairs when it is empty).
pub fn function_coupling(
    histories: &[FunctionHistory],
    options: &crate::CouplingOptions,
    focus: &[String],
) -> PolarsResult<DataFrame> {
    // Commits of more functions than the limit count for none, here as in `coupling`; leaving
    // them out first lets the pairs be counted among the functions that matter only.
    let mut size: HashMap<&str, usize> = HashMap::new();
    for change in histories.iter().flat_map(|h| &h.changes) {
        *size.entry(change.commit.as_str()).or_default() += 1;
    }
    let kept = |c: &FunctionChange| size[c.commit.as_str()] <= options.max_changeset_size as usize;
    let in_focus = |h: &FunctionHistory| focus.is_empty() || focus.contains(&h.file);
    let focus_commits: std::collections::HashSet<&str> = histories
        .iter()
        .filter(|h| in_focus(h))
        .flat_map(|h| h.changes.iter().filter(|c| kept(c)))
        .map(|c| c.commit.as_str())
        .collect();
    let (mut commit, mut entity) = (Vec::new(), Vec::new());
    for history in histories {
        let relevant = in_focus(history)
            || history
                .changes
                .iter()
                .any(|c| focus_commits.contains(c.commit.as_str()));
        if !relevant {
            continue;
        }
        let name = function_entity(&history.file, &history.function.name);
        for change in history.changes.iter().filter(|c| kept(c)) {
            commit.push(change.commit.clone());
            entity.push(name.clone());
        }
    }
    let repo = vec![""; commit.len()];
    let changes = df!(
        col::REPO => repo,
        col::COMMIT => commit,
        col::ENTITY => entity,
    )?;
    let tables = crate::Tables {
        commits: DataFrame::empty(),
        changes,
    };
    let options = crate::CouplingOptions {
        grouping: crate::Grouping::Commit,
        ..options.clone()
    };
    crate::coupling(&tables, &options)
}

/// The function pairs behind a pair of files: each function of `a` with each of `b` that
/// changed in the same commits, most shared commits first: `(function of a, function of b,
/// shared, revisions of the first, revisions of the second)`.
pub fn function_pairs<'h>(
    histories: &'h [FunctionHistory],
    a: &str,
    b: &str,
) -> Vec<(&'h str, &'h str, u64, u64, u64)> {
    fn commits(h: &FunctionHistory) -> BTreeSet<&str> {
        h.changes.iter().map(|c| c.commit.as_str()).collect()
    }
    let of = |file: &str| -> Vec<(&'h FunctionHistory, BTreeSet<&'h str>)> {
        histories
            .iter()
            .filter(|h| h.file == file)
            .map(|h| (h, commits(h)))
            .collect()
    };
    let (left, right) = (of(a), of(b));
    let mut pairs = Vec::new();
    for (fa, ca) in &left {
        for (fb, cb) in &right {
            let shared = ca.intersection(cb).count() as u64;
            // Within one file, each pair once.
            if shared > 0 && (a != b || fa.function.name < fb.function.name) {
                pairs.push((
                    fa.function.name.as_str(),
                    fb.function.name.as_str(),
                    shared,
                    ca.len() as u64,
                    cb.len() as u64,
                ));
            }
        }
    }
    pairs.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(y.0)).then(x.1.cmp(y.1)));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of `a.py` for function `name` changed by `commits`.
    fn row(name: &str, commits: &[&str]) -> FunctionRow {
        FunctionRow {
            file: "a.py".into(),
            function: Function {
                name: name.into(),
                start: 1,
                end: 2,
                loc: 2,
                cyclomatic: 1,
                cognitive: 0,
                nesting: 0,
                parameters: 0,
            },
            revisions: commits.len() as u64,
            commits: commits.iter().map(|c| (*c).to_owned()).collect(),
            total_revisions: commits.len() as u64,
            churn: 0,
            authors: 1,
            main_dev: None,
            first_change: None,
            last_change: None,
            hotspot_score: 0.0,
        }
    }

    fn names(rows: &[&FunctionRow]) -> Vec<String> {
        rows.iter().map(|r| r.function.name.clone()).collect()
    }

    #[test]
    fn changes_concentrate_where_distinct_commits_hold_more_than_half() {
        // 10 revisions of the file. f and g changed by the same two commits are one place, and
        // with h (c3, c4) they hold 4 of 10: spread, nothing named.
        let spread = [
            row("f", &["c1", "c2"]),
            row("g", &["c1", "c2"]),
            row("h", &["c3", "c4"]),
        ];
        assert!(concentrated_in(&spread, "a.py", 10).is_empty());
        // f holds 4, g adds none of its own (skipped), h adds 2: 6 of 10 in f and h.
        let held = [
            row("f", &["c1", "c2", "c3", "c4"]),
            row("g", &["c1", "c2"]),
            row("h", &["c5", "c6"]),
        ];
        assert_eq!(names(&concentrated_in(&held, "a.py", 10)), ["f", "h"]);
        // One function with 6 of 10 is enough alone.
        let one = [
            row("f", &["c1", "c2", "c3", "c4", "c5", "c6"]),
            row("g", &["c7", "c8"]),
        ];
        assert_eq!(names(&concentrated_in(&one, "a.py", 10)), ["f"]);
        // Changed once, or in less than a fifth: not a place where changes concentrate.
        let thin = [row("f", &["c1"]), row("g", &["c2"])];
        assert!(concentrated_in(&thin, "a.py", 2).is_empty());
    }
}
