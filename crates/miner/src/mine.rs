use std::collections::{HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;
use gix::objs::FindExt;
use polars::prelude::DataFrame;

use crate::cache::{Cache, Loaded};
use crate::diff::{Task, diff_all};
use crate::record::{ChangeRecord, CommitRecord};
use crate::select::{Pick, select};
use crate::table::{changes_frame, col, commits_frame};
use crate::{
    CacheLocation, CacheStatus, Error, Options, Outcome, Progress, Statistics, Warning, repo, walk,
};

/// How many missing blob ids a warning names.
const MISSING_BLOBS_SHOWN: usize = 5;

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
    let fresh = cached.is_none();
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
    let records = walk::walk(
        &repo,
        &tips,
        &known,
        options.mine.first_parent,
        &shallow,
        progress,
    )?;
    statistics.commits_mined = records.len();
    let per_commit = diff_new_commits(
        &repo,
        &records,
        options,
        progress,
        &mut statistics,
        &mut warnings,
    )?;
    let mut new_commits = commits_frame(&records)?;
    let mut new_changes = changes_frame(&records, &per_commit)?;
    let (all_commits, all_changes) = match (cached_commits, cached_changes) {
        (Some(mut commits), Some(mut changes)) => {
            commits.vstack_mut(&new_commits)?;
            changes.vstack_mut(&new_changes)?;
            (commits, changes)
        }
        _ => (new_commits.clone(), new_changes.clone()),
    };
    if let Some(cache) = cache.as_mut()
        && let Err(err) = cache.append(
            &mut new_commits,
            &mut new_changes,
            (&all_commits, &all_changes),
            fresh,
        )
    {
        warnings.push(Warning::CacheNotWritten {
            path: cache.dir().to_owned(),
            reason: err.to_string(),
        });
    }

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

/// Diffs the new commits on all threads; `result[i]` are the changes of `records[i]`.
fn diff_new_commits(
    repo: &gix::Repository,
    records: &[CommitRecord],
    options: &Options,
    progress: &dyn Progress,
    statistics: &mut Statistics,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Vec<ChangeRecord>>, Error> {
    let tasks = diff_tasks(repo, records, options.mine.first_parent)?;
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        options.threads
    };
    let task_list: Vec<Task> = tasks.iter().map(|(_, t)| *t).collect();
    let diffed = diff_all(repo, &task_list, options.mine, threads, progress)?;
    statistics.tree_diffs = task_list.len();
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
    for ((record_index, _), changes) in tasks.iter().zip(diffed.changes) {
        per_commit[*record_index] = changes;
    }
    Ok(per_commit)
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

/// The tree diffs to run, each with the index of its commit in `records`. Merges are diffed only
/// against their first parent and only with `first_parent`, as `git log` does.
fn diff_tasks(
    repo: &gix::Repository,
    records: &[CommitRecord],
    first_parent: bool,
) -> Result<Vec<(usize, Task)>, Error> {
    let trees: HashMap<ObjectId, ObjectId> = records.iter().map(|r| (r.id, r.tree)).collect();
    let mut buf = Vec::new();
    let mut tasks = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let old_tree = match record.parents.as_slice() {
            [] => None,
            [parent] => Some(parent_tree(repo, &trees, *parent, &mut buf)?),
            [parent, ..] if first_parent => Some(parent_tree(repo, &trees, *parent, &mut buf)?),
            _ => continue,
        };
        tasks.push((
            i,
            Task {
                old_tree,
                new_tree: record.tree,
            },
        ));
    }
    Ok(tasks)
}

/// The parent's tree: from this walk, or, for a parent already in the cache, from its commit.
fn parent_tree(
    repo: &gix::Repository,
    trees: &HashMap<ObjectId, ObjectId>,
    parent: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<ObjectId, Error> {
    if let Some(tree) = trees.get(&parent) {
        return Ok(*tree);
    }
    let commit = repo
        .objects
        .find_commit(&parent, buf)
        .map_err(|err| Error::object("commit", parent, err))?;
    Ok(commit.tree())
}
