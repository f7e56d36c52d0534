use std::collections::{HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;
use gix::objs::FindExt;
use polars::prelude::DataFrame;

use crate::cache::{Cache, Loaded};
use crate::diff::{Task, diff_streamed};
use crate::record::CommitRecord;
use crate::select::{Pick, select};
use crate::table::{changes_frame, col, commits_frame};
use crate::{
    CacheLocation, CacheStatus, Error, Options, Outcome, Progress, Statistics, Warning, repo, walk,
};

/// How many missing blob ids a warning names.
const MISSING_BLOBS_SHOWN: usize = 5;

/// Whether the repository at or above `path` has a cache for `options` (mining would then read
/// only new commits). Used to choose between caches that can serve the same analysis.
pub fn has_cache(path: &Path, options: &Options) -> Result<bool, Error> {
    let CacheLocation::Dir(root) = &options.cache else {
        return Ok(false);
    };
    let repo = repo::open(path)?;
    let name = repo::display_name(&repo);
    Ok(Cache::new(root, &repo::identity(&repo), &name, options.mine).is_present())
}

/// Mines the repository at or above `path` into the tables of SPEC §3.2.
///
/// ## The algorithm
/// 1. Open the repository read-only and resolve the starting commits ([`Selection`](crate::Selection)).
/// 2. Load the cache for these [`MineOptions`](crate::MineOptions), if any and if it checks out.
/// 3. Walk every commit reachable from the tips that the cache does not hold.
/// 4. Diff each new non-merge commit against its parent (merges too, against the first parent,
///    with `first_parent`), on all threads, counting lines unless that is off.
/// 5. Append the new rows to the cache, then select, order and follow renames for the result.
pub fn mine(path: &Path, options: &Options, progress: &dyn Progress) -> Result<Outcome, Error> {
    let repo = repo::open(path)?;
    let name = repo::display_name(&repo);
    let tips = repo::tips(&repo, &options.selection)?;
    let shallow = repo::shallow_boundary(&repo)?;
    let mut warnings = Vec::new();
    if !shallow.is_empty() {
        warnings.push(Warning::Shallow {
            boundary_commits: shallow.len(),
        });
    }
    let mut statistics = Statistics::default();

    let OpenedCache {
        mut cache,
        tables: cached,
        status,
        warning,
    } = open_cache(&repo, &name, options);
    statistics.cache = status;
    warnings.extend(warning);
    let (cached_commits, cached_changes) = cached.unzip();
    let known: HashSet<ObjectId> = match &cached_commits {
        Some(df) => df
            .column(col::COMMIT)?
            .str()?
            .iter()
            .map(Option::unwrap_or_default)
            .filter_map(|hex| ObjectId::from_hex(hex.as_bytes()).ok())
            .collect(),
        None => HashSet::new(),
    };
    statistics.commits_from_cache = known.len();

    let shallow: HashSet<ObjectId> = shallow.into_iter().collect();
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        options.threads
    };
    progress.phase("mining commits", None);
    let walker = repo::commit_reader(&repo);
    let mut planner = Planner::new(&walker, &known, options.mine.first_parent);
    let (records, diffed) = diff_streamed(&repo, options.mine, threads, progress, |emit| {
        walk::walk(
            &walker,
            &tips,
            &known,
            options.mine.first_parent,
            &shallow,
            |index, record| planner.add(index, record, emit),
        )
    })?;
    statistics.commits_mined = records.len();
    statistics.tree_diffs = diffed.tasks;
    statistics.blob_diffs = diffed.blob_diffs;
    if !diffed.missing_blobs.is_empty() {
        warnings.push(Warning::MissingBlobs {
            count: diffed.missing_blobs.len(),
            first: diffed
                .missing_blobs
                .iter()
                .take(MISSING_BLOBS_SHOWN)
                .map(ToString::to_string)
                .collect(),
        });
    }
    let mut per_commit = vec![Vec::new(); records.len()];
    for (index, changes) in diffed.changes {
        per_commit[index] = changes;
    }
    let (all_commits, all_changes) = store(
        cache.as_mut(),
        (cached_commits, cached_changes),
        commits_frame(&records)?,
        changes_frame(&records, &per_commit)?,
        &mut warnings,
    )?;

    let tables = select(
        &all_commits,
        &all_changes,
        &Pick {
            tips: &tips,
            first_parent: options.mine.first_parent,
            since: options.selection.since,
            until: options.selection.until,
            repo: &name,
        },
    )?;
    statistics.commits_selected = tables.commits.height();
    statistics.merges_selected = tables
        .commits
        .column(col::IS_MERGE)?
        .bool()?
        .sum()
        .unwrap_or(0) as usize;
    statistics.changes_selected = tables.changes.height();
    Ok(Outcome {
        repo: name,
        tables,
        statistics,
        warnings,
    })
}

/// Adds the new rows to the cached ones and to the cache; returns all rows.
fn store(
    cache: Option<&mut Cache>,
    cached: (Option<DataFrame>, Option<DataFrame>),
    mut new_commits: DataFrame,
    mut new_changes: DataFrame,
    warnings: &mut Vec<Warning>,
) -> Result<(DataFrame, DataFrame), Error> {
    let (all_commits, all_changes, fresh) = match cached {
        (Some(mut commits), Some(mut changes)) => {
            commits.vstack_mut(&new_commits)?;
            changes.vstack_mut(&new_changes)?;
            (commits, changes, false)
        }
        // Nothing cached: the new rows are all there is (no copy; the cache writes from them).
        _ => (
            std::mem::take(&mut new_commits),
            std::mem::take(&mut new_changes),
            true,
        ),
    };
    if let Some(cache) = cache {
        let result = if fresh {
            cache.append_all(&all_commits, &all_changes)
        } else {
            cache.append(
                &mut new_commits,
                &mut new_changes,
                (&all_commits, &all_changes),
            )
        };
        if let Err(err) = result {
            warnings.push(Warning::CacheNotWritten {
                path: cache.dir().to_owned(),
                reason: err.to_string(),
            });
        }
    }
    Ok((all_commits, all_changes))
}

/// What [`open_cache`] found.
struct OpenedCache {
    cache: Option<Cache>,
    /// The cached commits and changes, if the cache checks out.
    tables: Option<(DataFrame, DataFrame)>,
    status: CacheStatus,
    /// Why the cache had to be rebuilt, if it had to.
    warning: Option<Warning>,
}

/// The cache for this repository and these options, the tables it held if it checks out, what
/// happened to it, and a warning if it had to be rebuilt.
fn open_cache(repo: &gix::Repository, name: &str, options: &Options) -> OpenedCache {
    let CacheLocation::Dir(root) = &options.cache else {
        return OpenedCache {
            cache: None,
            tables: None,
            status: CacheStatus::Disabled,
            warning: None,
        };
    };
    let mut cache = Cache::new(root, &repo::identity(repo), name, options.mine);
    let path = cache.dir().to_owned();
    let (tables, status, warning) = match cache.load() {
        Loaded::Found(commits, changes) => {
            (Some((commits, changes)), CacheStatus::Used { path }, None)
        }
        Loaded::Missing => (None, CacheStatus::Created { path }, None),
        Loaded::Unusable(reason) => {
            let warning = Warning::CacheRebuilt {
                path: path.clone(),
                reason,
            };
            (None, CacheStatus::Rebuilt { path }, Some(warning))
        }
    };
    OpenedCache {
        cache: Some(cache),
        tables,
        status,
        warning,
    }
}

/// Turns walked commits into tree diffs as soon as both trees are known: a commit's parent is
/// usually read right after it. Merges are diffed only with `first_parent`, against their first
/// parent, as `git log` does.
struct Planner<'a> {
    repo: &'a gix::Repository,
    known: &'a HashSet<ObjectId>,
    first_parent: bool,
    trees: HashMap<ObjectId, ObjectId>,
    /// Parent id -> (index, tree) of the children that wait for the parent's tree.
    waiting: HashMap<ObjectId, Vec<(usize, ObjectId)>>,
    buf: Vec<u8>,
}

impl<'a> Planner<'a> {
    fn new(repo: &'a gix::Repository, known: &'a HashSet<ObjectId>, first_parent: bool) -> Self {
        Planner {
            repo,
            known,
            first_parent,
            trees: HashMap::new(),
            waiting: HashMap::new(),
            buf: Vec::new(),
        }
    }

    fn add(
        &mut self,
        index: usize,
        record: &CommitRecord,
        emit: &mut dyn FnMut(usize, Task),
    ) -> Result<(), Error> {
        self.trees.insert(record.id, record.tree);
        let diffed_against = match record.parents.as_slice() {
            [] => {
                emit(
                    index,
                    Task {
                        old_tree: None,
                        new_tree: record.tree,
                    },
                );
                None
            }
            [parent] => Some(*parent),
            [parent, ..] if self.first_parent => Some(*parent),
            _ => None,
        };
        if let Some(parent) = diffed_against {
            if let Some(&old_tree) = self.trees.get(&parent) {
                emit(
                    index,
                    Task {
                        old_tree: Some(old_tree),
                        new_tree: record.tree,
                    },
                );
            } else if self.known.contains(&parent) {
                // The parent was mined in an earlier run: read its tree from its commit.
                let commit = self
                    .repo
                    .objects
                    .find_commit(&parent, &mut self.buf)
                    .map_err(|err| Error::object("commit", parent, err))?;
                emit(
                    index,
                    Task {
                        old_tree: Some(commit.tree()),
                        new_tree: record.tree,
                    },
                );
            } else {
                self.waiting
                    .entry(parent)
                    .or_default()
                    .push((index, record.tree));
            }
        }
        for (child, new_tree) in self.waiting.remove(&record.id).unwrap_or_default() {
            emit(
                child,
                Task {
                    old_tree: Some(record.tree),
                    new_tree,
                },
            );
        }
        Ok(())
    }
}
