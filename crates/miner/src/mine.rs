use std::path::Path;

use gix::ObjectId;
use gix::hashtable::HashSet;
use gix::objs::FindExt;
use polars::prelude::DataFrame;
use rustc_hash::FxHashMap;

use crate::cache::{Cache, Loaded, Stored, View};
use crate::diff::{Task, diff_streamed};
use crate::packs::{PackIndex, PackedObjects, SharedCache};
use crate::record::CommitRecord;
use crate::select::{Pick, select};
use crate::table::{changes_frame, col, commits_frame, id_column, merges_frame};
use crate::{
    CacheLocation, CacheStatus, Error, MineOptions, Options, Outcome, Progress, Statistics,
    Warning, repo, walk,
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
    Ok(Cache::new(
        root,
        &repo::identity(&repo),
        &name,
        options.mine,
        View::default(),
    )
    .is_present())
}

/// The cache of the repository at `path` for `options`, when there is one on disk.
fn existing_cache(path: &Path, options: &Options) -> Result<Option<Cache>, Error> {
    let CacheLocation::Dir(root) = &options.cache else {
        return Ok(None);
    };
    let repo = repo::open(path)?;
    let cache = Cache::new(
        root,
        &repo::identity(&repo),
        &repo::display_name(&repo),
        options.mine,
        View::default(),
    );
    Ok(cache.is_present().then_some(cache))
}

/// A table an analysis keeps beside the mined tables of the repository at `path` (see
/// [`store_side_table`]), if the cache holds one named `name` whose bytes check out.
pub fn read_side_table(path: &Path, options: &Options, name: &str) -> Option<DataFrame> {
    existing_cache(path, options).ok()??.read_side_table(name)
}

/// Stores `df` as the side table `name` in the cache of the repository at `path`, replacing the
/// one stored before; nothing when there is no cache. Side tables must be content-addressed (rows
/// keyed by blob id, say), as they are never invalidated with the mined tables.
pub fn store_side_table(
    path: &Path,
    options: &Options,
    name: &str,
    df: &mut DataFrame,
) -> Result<(), Error> {
    match existing_cache(path, options)? {
        Some(cache) => cache
            .store_side_table(name, df)
            .map_err(|source| Error::CacheWrite {
                path: cache.dir().to_owned(),
                source,
            }),
        None => Ok(()),
    }
}

/// What mining leaves before the tables are selected: the repository, every mined row (from
/// the cache and new), the cache, and the statistics and warnings so far.
struct Mined {
    repo: gix::Repository,
    name: String,
    tips: Vec<ObjectId>,
    all: Stored,
    cache: Option<Cache>,
    statistics: Statistics,
    warnings: Vec<Warning>,
    threads: usize,
}

/// Steps 1 to 4 of [`mine`] and the append to the cache.
fn mine_all(path: &Path, options: &Options, progress: &dyn Progress) -> Result<Mined, Error> {
    let repo = repo::open(path)?;
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| repo::display_name(&repo));
    let tips = repo::tips(&repo, &options.selection)?;
    let shallow = repo::shallow_boundary(&repo)?;
    let mailmap = repo.open_mailmap();
    let (view, mut warnings) = view_of(&repo, &shallow, &mailmap)?;
    let mut statistics = Statistics::default();

    let OpenedCache {
        mut cache,
        tables: cached,
        status,
        warning,
        missing_blobs: previously_missing,
        // The cache folder is named after the repository itself: `--name` only labels the output,
        // and a new label must not mean mining everything again.
    } = open_cache(&repo, &repo::display_name(&repo), options, view, progress);
    statistics.cache = status;
    warnings.extend(warning);
    let known: HashSet<ObjectId> = match &cached {
        Some(stored) => stored
            .commits
            .column(col::COMMIT)?
            .str()?
            .iter()
            .map(Option::unwrap_or_default)
            .filter_map(|hex| ObjectId::from_hex(hex.as_bytes()).ok())
            .collect(),
        None => HashSet::default(),
    };
    statistics.commits_from_cache = known.len();

    let shallow: HashSet<ObjectId> = shallow.into_iter().collect();
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        options.threads
    };
    progress.phase("mining commits", None);
    let packs = PackIndex::open(&repo);
    let walker = repo::commit_reader(&repo);
    // Commits are rarely stored as deltas: a small delta-base cache will do.
    let commits = PackedObjects::new(
        packs.as_ref(),
        &walker,
        Box::<gix::odb::pack::cache::lru::StaticLinkedList<64>>::default(),
    );
    let mut planner = Planner::new(&walker, &known, options.mine);
    let decoded = SharedCache::new(&repo);
    let (records, diffed) = diff_streamed(
        &repo,
        packs.as_ref(),
        &decoded,
        options.mine,
        threads,
        progress,
        |emit| {
            walk::walk(
                &commits,
                &mailmap,
                &tips,
                &known,
                options.mine.first_parent,
                &shallow,
                |index, record| planner.add(index, record, emit),
            )
        },
    )?;
    statistics.commits_mined = records.len();
    statistics.tree_diffs = diffed.tree_diffs;
    statistics.blob_diffs = diffed.blob_diffs;
    warnings.extend(note_missing_blobs(
        cache.as_mut(),
        previously_missing,
        &diffed.missing_blobs,
    ));
    if let Some(&first) = diffed.rename_limited.first() {
        warnings.push(Warning::RenameLimit {
            commits: diffed.rename_limited.len(),
            first: records[first].id.to_string(),
        });
    }
    drop(commits);
    // The decoded objects: a quarter of a gigabyte by default. The packs are unmapped here, so
    // that none is still open when mining returns.
    drop_elsewhere(decoded);
    drop(packs);
    let new = new_rows(&records, diffed.changes, diffed.merges)?;
    let all = store(cache.as_mut(), cached, new, &mut warnings)?;
    Ok(Mined {
        repo,
        name,
        tips,
        all,
        cache,
        statistics,
        warnings,
        threads,
    })
}

/// For each of `ranges` (lines of the files at `rev`), the non-merge commits of the mined history
/// that changed lines of it, newest first, followed back as `git log -L` follows a range
/// (docs/xray.md); `moves`, when given, also follows a range its commit moved within the file (see
/// [`MovedFrom`](crate::MovedFrom)). Mines first, as [`mine`] does (through the cache); needs
/// line counts, whose hunks it follows.
pub fn range_history(
    path: &Path,
    options: &Options,
    rev: &str,
    ranges: &[crate::LineRange],
    moves: Option<&dyn crate::MovedFrom>,
    progress: &dyn Progress,
) -> Result<Vec<Vec<crate::RangeTouch>>, Error> {
    if !options.mine.line_counts {
        return Err(Error::NeedsLineCounts {
            what: "following lines through the history",
        });
    }
    let mined = mine_all(path, options, progress)?;
    crate::ranges::follow_cached(
        &mined.repo,
        rev,
        (&mined.all, mined.cache.as_ref()),
        options.mine.first_parent,
        ranges,
        moves,
    )
}

/// Mines the repository at or above `path` into the tables of docs/architecture.md, *The tables*.
///
/// ## The algorithm
/// 1. Open the repository read-only and resolve the starting commits ([`Selection`](crate::Selection)).
/// 2. Load the cache for these [`MineOptions`](crate::MineOptions), if any and if it checks out.
/// 3. Walk every commit reachable from the tips that the cache does not hold.
/// 4. Diff each new non-merge commit against its parent (merges too, against the first parent,
///    with `first_parent`), on all threads, counting lines unless that is off.
/// 5. Append the new rows to the cache, then select, order and follow renames for the result.
pub fn mine(path: &Path, options: &Options, progress: &dyn Progress) -> Result<Outcome, Error> {
    let Mined {
        repo,
        name,
        tips,
        all,
        mut cache,
        mut statistics,
        warnings,
        threads,
    } = mine_all(path, options, progress)?;
    let origins = origins_at(path, &repo, options, &all, cache.as_mut(), threads)?;
    let tables = select(
        &all.commits,
        &all.changes,
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
        origins,
    })
}

/// The tables of the commits mined in this run, from the diffs by commit index.
fn new_rows(
    records: &[CommitRecord],
    changes: Vec<(usize, Vec<crate::record::ChangeRecord>)>,
    merges: Vec<(usize, Vec<crate::record::MergeRecord>)>,
) -> Result<Stored, Error> {
    let mut per_commit = vec![Vec::new(); records.len()];
    for (index, rows) in changes {
        per_commit[index] = rows;
    }
    let mut per_merge = vec![Vec::new(); records.len()];
    for (index, rows) in merges {
        per_merge[index] = rows;
    }
    // The tables are independent, and once mining is done the second core has only the freeing
    // of the decoded objects to do.
    let ids = id_column(records);
    let (commits, changes, merges) = std::thread::scope(|scope| {
        let commits = scope.spawn(|| commits_frame(records, &ids));
        let merges = merges_frame(&ids, &per_merge);
        let changes = changes_frame(&ids, &per_commit);
        let commits = commits.join().expect("building a table does not panic");
        (commits, changes, merges)
    });
    drop_elsewhere((per_commit, per_merge));
    Ok(Stored {
        commits: commits?,
        changes: changes?,
        merges: merges?,
    })
}

/// Drops `value` on a thread of its own, which this one does not wait for: freeing what mining
/// allocated (the decoded objects, a string per change) takes tens of milliseconds on long
/// histories, time in which the tables can be built and the history selected. Only for plain
/// memory: nothing whose release others may wait for (files, locks).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    // When no thread can be started, the closure, and with it `value`, is dropped here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// The line origins asked for. They come from the hunks, which only mining with line counts
/// records; a revision the mined history does not hold has none (the caller blames instead).
fn origins_at(
    path: &Path,
    repo: &gix::Repository,
    options: &Options,
    all: &Stored,
    cache: Option<&mut Cache>,
    threads: usize,
) -> Result<Option<crate::LineOrigins>, Error> {
    let Some(rev) = options
        .origins
        .as_deref()
        .filter(|_| options.mine.line_counts)
    else {
        return Ok(None);
    };
    let first_parent = options.mine.first_parent;
    match crate::origins::line_origins(path, repo, rev, all, first_parent, cache, threads) {
        Ok(origins) => Ok(Some(origins)),
        Err(Error::NotMined { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

/// What git shows of the history besides its commits, which keys the cache, and the warnings it
/// calls for (a shallow clone, grafts that are not read).
fn view_of(
    repo: &gix::Repository,
    shallow: &[ObjectId],
    mailmap: &gix::mailmap::Snapshot,
) -> Result<(View, Vec<Warning>), Error> {
    let mut warnings = Vec::new();
    if !shallow.is_empty() {
        warnings.push(Warning::Shallow {
            boundary_commits: shallow.len(),
        });
    }
    if repo::has_grafts(repo) {
        warnings.push(Warning::GraftsIgnored);
    }
    let view = View {
        shallow: repo::fingerprint(shallow.iter().map(ToString::to_string)),
        replace: repo::replace_refs_fingerprint(repo)?,
        mailmap: repo::fingerprint(mailmap.entries().iter().map(|e| format!("{e:?}"))),
    };
    Ok((view, warnings))
}

/// The warning about blobs missing now or when the cached rows were mined, which the cache keeps.
fn note_missing_blobs(
    cache: Option<&mut Cache>,
    previously: Vec<String>,
    now: &std::collections::BTreeSet<ObjectId>,
) -> Option<Warning> {
    let mut missing = previously;
    missing.extend(now.iter().map(ToString::to_string));
    missing.sort_unstable();
    missing.dedup();
    let warning = (!missing.is_empty()).then(|| Warning::MissingBlobs {
        count: missing.len(),
        first: missing.iter().take(MISSING_BLOBS_SHOWN).cloned().collect(),
    });
    if let Some(cache) = cache {
        cache.add_missing_blobs(missing);
    }
    warning
}

/// Adds the new rows to the cached ones and to the cache; returns all rows.
fn store(
    cache: Option<&mut Cache>,
    cached: Option<Stored>,
    mut new: Stored,
    warnings: &mut Vec<Warning>,
) -> Result<Stored, Error> {
    let (all, fresh) = match cached {
        Some(mut all) => {
            all.commits.vstack_mut(&new.commits)?;
            all.changes.vstack_mut(&new.changes)?;
            all.merges.vstack_mut(&new.merges)?;
            (all, false)
        }
        // Nothing cached: the new rows are all there is (no copy; the cache writes from them).
        None => (new.take(), true),
    };
    if let Some(cache) = cache {
        let result = if fresh {
            cache.append_all(&all)
        } else {
            cache.append(&mut new, &all)
        };
        if let Err(err) = result {
            warnings.push(Warning::CacheNotWritten {
                path: cache.dir().to_owned(),
                reason: err.to_string(),
            });
        }
    }
    Ok(all)
}

/// What [`open_cache`] found.
struct OpenedCache {
    cache: Option<Cache>,
    /// The cached tables, if the cache checks out.
    tables: Option<Stored>,
    status: CacheStatus,
    /// Why the cache had to be rebuilt or cannot be used, if so.
    warning: Option<Warning>,
    /// Blobs that were missing when the cached rows were mined.
    missing_blobs: Vec<String>,
}

/// The cache for this repository and these options, locked, the tables it held if it checks
/// out, what happened to it, and a warning if it had to be rebuilt or cannot be used.
fn open_cache(
    repo: &gix::Repository,
    name: &str,
    options: &Options,
    view: View,
    progress: &dyn Progress,
) -> OpenedCache {
    let disabled = |warning| OpenedCache {
        cache: None,
        tables: None,
        status: CacheStatus::Disabled,
        warning,
        missing_blobs: Vec::new(),
    };
    let CacheLocation::Dir(root) = &options.cache else {
        return disabled(None);
    };
    let mut cache = Cache::new(root, &repo::identity(repo), name, options.mine, view);
    let path = cache.dir().to_owned();
    let inaccessible = |reason| {
        disabled(Some(Warning::CacheNotUsed {
            path: path.clone(),
            reason,
        }))
    };
    if let Err(reason) = cache.lock(|| {
        progress.phase(
            "waiting for another cochange run to finish with the cache",
            None,
        );
    }) {
        return inaccessible(reason);
    }
    let arrived = |id: &str| {
        ObjectId::from_hex(id.as_bytes())
            .is_ok_and(|id| gix::objs::Exists::exists(&repo.objects, &id))
    };
    let (tables, status, warning, missing_blobs) = match cache.load(arrived) {
        Loaded::Found(stored, missing) => (Some(stored), CacheStatus::Used { path }, None, missing),
        Loaded::Missing => (None, CacheStatus::Created { path }, None, Vec::new()),
        Loaded::Unusable(reason) => {
            let warning = Warning::CacheRebuilt {
                path: path.clone(),
                reason,
            };
            (
                None,
                CacheStatus::Rebuilt { path },
                Some(warning),
                Vec::new(),
            )
        }
        Loaded::Inaccessible(reason) => return inaccessible(reason),
    };
    OpenedCache {
        cache: Some(cache),
        tables,
        status,
        warning,
        missing_blobs,
    }
}

/// Turns walked commits into tree diffs as soon as the trees they need are known: a commit's
/// parent is usually read right after it. Merges are diffed as `git log` does, only with
/// `first_parent` and against their first parent; with line counts they are also diffed
/// against every parent, for the replay of line origins.
struct Planner<'a> {
    repo: &'a gix::Repository,
    known: &'a HashSet<ObjectId>,
    first_parent: bool,
    merge_diffs: bool,
    trees: gix::hashtable::HashMap<ObjectId, ObjectId>,
    /// Commits waiting for parent trees, by their index.
    pending: FxHashMap<usize, Pending>,
    /// Parent id -> (index, position among its parents) of the commits that wait for its tree.
    waiting: gix::hashtable::HashMap<ObjectId, Vec<(usize, usize)>>,
    buf: Vec<u8>,
}

/// A commit whose diff waits for some of its parents' trees.
struct Pending {
    tree: ObjectId,
    merge: bool,
    parent_trees: Vec<Option<ObjectId>>,
}

impl Pending {
    fn task(&self) -> Option<Task> {
        let trees: Option<Vec<ObjectId>> = self.parent_trees.iter().copied().collect();
        let mut trees = trees?;
        Some(if self.merge {
            Task::Merge {
                parent_trees: trees,
                tree: self.tree,
            }
        } else {
            Task::Commit {
                old_tree: trees.pop(),
                new_tree: self.tree,
            }
        })
    }
}

impl<'a> Planner<'a> {
    fn new(repo: &'a gix::Repository, known: &'a HashSet<ObjectId>, options: MineOptions) -> Self {
        Planner {
            repo,
            known,
            first_parent: options.first_parent,
            merge_diffs: options.line_counts && !options.first_parent,
            trees: gix::hashtable::HashMap::default(),
            pending: FxHashMap::default(),
            waiting: gix::hashtable::HashMap::default(),
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
        let (against, merge): (&[ObjectId], bool) = match record.parents.as_slice() {
            [] => (&[], false),
            [_] => (&record.parents[..1], false),
            [_, ..] if self.first_parent => (&record.parents[..1], false),
            parents if self.merge_diffs => (parents, true),
            _ => (&[], true),
        };
        // A merge that is not diffed has nothing to wait for.
        if !(merge && against.is_empty()) {
            let mut pending = Pending {
                tree: record.tree,
                merge,
                parent_trees: vec![None; against.len()],
            };
            for (position, parent) in against.iter().enumerate() {
                if let Some(&tree) = self.trees.get(parent) {
                    pending.parent_trees[position] = Some(tree);
                } else if self.known.contains(parent) {
                    // The parent was mined in an earlier run: read its tree from its commit.
                    let commit = self
                        .repo
                        .objects
                        .find_commit(parent, &mut self.buf)
                        .map_err(|err| Error::object("commit", *parent, err))?;
                    pending.parent_trees[position] = Some(commit.tree());
                } else {
                    self.waiting
                        .entry(*parent)
                        .or_default()
                        .push((index, position));
                }
            }
            match pending.task() {
                Some(task) => emit(index, task),
                None => {
                    self.pending.insert(index, pending);
                }
            }
        }
        for (child, position) in self.waiting.remove(&record.id).unwrap_or_default() {
            let Some(pending) = self.pending.get_mut(&child) else {
                continue;
            };
            pending.parent_trees[position] = Some(record.tree);
            if let Some(task) = pending.task() {
                self.pending.remove(&child);
                emit(child, task);
            }
        }
        Ok(())
    }
}
