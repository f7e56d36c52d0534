//! Tree diffs with rename detection and line counts, spread over threads.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use gix::ObjectId;
use gix::bstr::BString;
use gix::diff::blob::{Algorithm, Diff, InternedInput, sources::byte_lines};
use gix::diff::tree::recorder::Location;
use gix::diff::tree_with_rewrites::{ChangeRef, Options as TreeOptions};
use gix::objs::tree::{EntryKind, EntryMode};
use gix::objs::{FindExt, TreeRefIter};

use crate::path::escape_path;
use crate::record::{ChangeKind, ChangeRecord};
use crate::{Error, MineOptions, Progress};

/// One tree diff: a commit's tree against its parent's (or the empty tree for roots).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Task {
    pub old_tree: Option<ObjectId>,
    pub new_tree: ObjectId,
}

/// The changes of every task, in task order, and what it took.
#[derive(Debug, Default)]
pub(crate) struct Diffed {
    pub changes: Vec<Vec<ChangeRecord>>,
    pub blob_diffs: usize,
    pub missing_blobs: BTreeSet<ObjectId>,
}

/// Tasks a worker takes at once: runs of neighbouring commits share most of their trees.
const CHUNK: usize = 32;
/// git reads the first 8000 bytes to decide whether content is binary (`buffer_is_binary`).
const BINARY_SNIFF_BYTES: usize = 8000;
/// git treats larger blobs as binary without looking (`core.bigFileThreshold`).
const BIG_FILE_THRESHOLD: usize = 512 * 1024 * 1024;

/// Runs all `tasks` on `threads` threads. Each thread has its own repository handle and caches.
pub(crate) fn diff_all(
    repo: &gix::Repository,
    tasks: &[Task],
    options: MineOptions,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Diffed, Error> {
    progress.phase("diffing trees", Some(tasks.len() as u64));
    let shared = repo.clone().into_sync();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<(usize, Vec<ChangeRecord>)>> =
        Mutex::new(Vec::with_capacity(tasks.len()));
    let threads = threads.clamp(1, tasks.len().div_ceil(CHUNK).max(1));
    let outcomes: Vec<Result<(usize, BTreeSet<ObjectId>), Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let shared = &shared;
                let (next, failed, results) = (&next, &failed, &results);
                scope.spawn(move || -> Result<(usize, BTreeSet<ObjectId>), Error> {
                    let mut differ = Differ::new(shared.to_thread_local(), options)?;
                    let mut local = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= tasks.len() || failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let end = (start + CHUNK).min(tasks.len());
                        for (offset, task) in tasks[start..end].iter().enumerate() {
                            match differ.diff(task) {
                                Ok(changes) => local.push((start + offset, changes)),
                                Err(err) => {
                                    failed.store(true, Ordering::Relaxed);
                                    return Err(err);
                                }
                            }
                        }
                        progress.inc((end - start) as u64);
                    }
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")
                        .extend(local);
                    Ok((differ.blob_diffs, differ.missing))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("diff workers do not panic"))
            .collect()
    });
    let mut diffed = Diffed::default();
    for outcome in outcomes {
        let (blob_diffs, missing) = outcome?;
        diffed.blob_diffs += blob_diffs;
        diffed.missing_blobs.extend(missing);
    }
    let mut results = results.into_inner().expect("workers are done");
    results.sort_unstable_by_key(|(index, _)| *index);
    diffed.changes = results.into_iter().map(|(_, changes)| changes).collect();
    Ok(diffed)
}

/// A change as the tree diff reports it, before line counting.
struct RawChange {
    kind: ChangeKind,
    path: BString,
    old_path: Option<BString>,
    old: Option<(ObjectId, EntryMode)>,
    new: Option<(ObjectId, EntryMode)>,
}

impl RawChange {
    /// Files, symlinks and submodules; `None` for trees, which git does not list.
    fn from_change(change: ChangeRef<'_>) -> Option<Self> {
        let raw = match change {
            ChangeRef::Addition {
                location,
                entry_mode,
                id,
                ..
            } => RawChange {
                kind: ChangeKind::Added,
                path: location.to_owned(),
                old_path: None,
                old: None,
                new: Some((id, entry_mode)),
            },
            ChangeRef::Deletion {
                location,
                entry_mode,
                id,
                ..
            } => RawChange {
                kind: ChangeKind::Deleted,
                path: location.to_owned(),
                old_path: None,
                old: Some((id, entry_mode)),
                new: None,
            },
            ChangeRef::Modification {
                location,
                previous_entry_mode,
                previous_id,
                entry_mode,
                id,
            } => RawChange {
                kind: if same_type(previous_entry_mode, entry_mode) {
                    ChangeKind::Modified
                } else {
                    ChangeKind::TypeChanged
                },
                path: location.to_owned(),
                old_path: None,
                old: Some((previous_id, previous_entry_mode)),
                new: Some((id, entry_mode)),
            },
            ChangeRef::Rewrite {
                source_location,
                source_entry_mode,
                source_id,
                entry_mode,
                id,
                location,
                ..
            } => RawChange {
                kind: ChangeKind::Renamed,
                path: location.to_owned(),
                old_path: Some(source_location.to_owned()),
                old: Some((source_id, source_entry_mode)),
                new: Some((id, entry_mode)),
            },
        };
        let is_tree =
            |side: Option<(ObjectId, EntryMode)>| side.is_some_and(|(_, mode)| mode.is_tree());
        (!is_tree(raw.old) && !is_tree(raw.new)).then_some(raw)
    }
}

/// An executable bit flip is a modification; file, symlink and submodule are different types.
fn same_type(a: EntryMode, b: EntryMode) -> bool {
    let class = |mode: EntryMode| match mode.kind() {
        EntryKind::Blob | EntryKind::BlobExecutable => EntryKind::Blob,
        other => other,
    };
    class(a) == class(b)
}

/// One thread's diff machinery and reusable buffers.
struct Differ {
    repo: gix::Repository,
    options: MineOptions,
    resource_cache: gix::diff::blob::Platform,
    state: gix::diff::tree::State,
    old_tree: Vec<u8>,
    new_tree: Vec<u8>,
    old_blob: Vec<u8>,
    new_blob: Vec<u8>,
    raw: Vec<RawChange>,
    line_diff: Diff,
    blob_diffs: usize,
    missing: BTreeSet<ObjectId>,
}

impl Differ {
    fn new(repo: gix::Repository, options: MineOptions) -> Result<Self, Error> {
        let resource_cache = repo
            .diff_resource_cache(
                gix::diff::blob::pipeline::Mode::ToGit,
                gix::diff::blob::pipeline::WorktreeRoots::default(),
            )
            .map_err(|err| Error::Repository {
                path: repo.git_dir().to_owned(),
                source: Box::new(err),
            })?;
        Ok(Differ {
            repo,
            options,
            resource_cache,
            state: gix::diff::tree::State::default(),
            old_tree: Vec::new(),
            new_tree: Vec::new(),
            old_blob: Vec::new(),
            new_blob: Vec::new(),
            raw: Vec::new(),
            line_diff: Diff::default(),
            blob_diffs: 0,
            missing: BTreeSet::new(),
        })
    }

    fn diff(&mut self, task: &Task) -> Result<Vec<ChangeRecord>, Error> {
        let rewrites = self.options.renames.then(gix::diff::Rewrites::default);
        if let Err(err) = self.tree_changes(task, rewrites) {
            // Similarity checks read blobs; in a partial clone some are missing. Exact renames
            // need only ids, so try once more with those before giving up on the commit.
            let exact_only = rewrites.map(|r| gix::diff::Rewrites {
                percentage: None,
                ..r
            });
            if rewrites.is_none() || self.tree_changes(task, exact_only).is_err() {
                return Err(Error::object("tree", task.new_tree, err));
            }
        }
        let raw = std::mem::take(&mut self.raw);
        let mut out = Vec::with_capacity(raw.len());
        for change in &raw {
            let (added, deleted, binary) = if self.options.line_counts {
                self.line_counts(change)
            } else {
                (None, None, false)
            };
            out.push(ChangeRecord {
                path: escape_path(&change.path),
                old_path: change.old_path.as_deref().map(|p| escape_path(p)),
                kind: change.kind,
                added,
                deleted,
                binary,
            });
        }
        self.raw = raw;
        self.raw.clear();
        Ok(out)
    }

    fn tree_changes(
        &mut self,
        task: &Task,
        rewrites: Option<gix::diff::Rewrites>,
    ) -> Result<(), Error> {
        self.raw.clear();
        let objects = &self.repo.objects;
        let hash = self.repo.object_hash();
        let old = match task.old_tree {
            Some(id) => objects
                .find_tree_iter(&id, &mut self.old_tree)
                .map_err(|err| Error::object("tree", id, err))?,
            None => TreeRefIter::from_bytes(&[], hash),
        };
        let new = objects
            .find_tree_iter(&task.new_tree, &mut self.new_tree)
            .map_err(|err| Error::object("tree", task.new_tree, err))?;
        let raw = &mut self.raw;
        let result = gix::diff::tree_with_rewrites(
            old,
            new,
            &mut self.resource_cache,
            &mut self.state,
            objects,
            |change| {
                raw.extend(RawChange::from_change(change));
                Ok(ControlFlow::Continue(()))
            },
            TreeOptions {
                location: Some(Location::Path),
                rewrites,
            },
        );
        self.resource_cache.clear_resource_cache_keep_allocation();
        result
            .map(|_| ())
            .map_err(|err| Error::object("tree", task.new_tree, err))
    }

    /// Lines added and deleted as `git diff --numstat` counts them, or `None` for binary content
    /// and missing blobs.
    fn line_counts(&mut self, change: &RawChange) -> (Option<u32>, Option<u32>, bool) {
        let objects = &self.repo.objects;
        let (old, new) = (&mut self.old_blob, &mut self.new_blob);
        let old_ok = side_text(objects, change.old, old, &mut self.missing);
        let new_ok = side_text(objects, change.new, new, &mut self.missing);
        if !(old_ok && new_ok) {
            return (None, None, false);
        }
        if is_binary(old) || is_binary(new) {
            return (None, None, true);
        }
        let (added, deleted) = if old.is_empty()
            || new.is_empty()
            || change.old.map(|s| s.0) == change.new.map(|s| s.0)
        {
            if old == new {
                (0, 0)
            } else {
                (count_lines(new), count_lines(old))
            }
        } else {
            self.blob_diffs += 1;
            let input = InternedInput::new(byte_lines(old), byte_lines(new));
            self.line_diff.compute_with(
                Algorithm::Myers,
                &input.before,
                &input.after,
                input.interner.num_tokens(),
            );
            (
                self.line_diff.count_additions(),
                self.line_diff.count_removals(),
            )
        };
        (Some(added), Some(deleted), false)
    }
}

/// Fills `buf` with what git diffs for one side of a change; `false` if the blob is missing.
fn side_text(
    objects: &gix::OdbHandle,
    side: Option<(ObjectId, EntryMode)>,
    buf: &mut Vec<u8>,
    missing: &mut BTreeSet<ObjectId>,
) -> bool {
    buf.clear();
    match side {
        None => true,
        // git shows a submodule as the one line `Subproject commit <id>`.
        Some((id, mode)) if mode.is_commit() => {
            buf.extend_from_slice(format!("Subproject commit {id}\n").as_bytes());
            true
        }
        Some((id, _)) => {
            let found = objects.find_blob(&id, buf).is_ok();
            if !found {
                missing.insert(id);
            }
            found
        }
    }
}

fn is_binary(data: &[u8]) -> bool {
    data.len() > BIG_FILE_THRESHOLD || data[..data.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

#[expect(
    clippy::naive_bytecount,
    reason = "the compiler vectorises this; a crate for it is not worth a dependency"
)]
fn count_lines(data: &[u8]) -> u32 {
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    let unterminated = usize::from(data.last().is_some_and(|&b| b != b'\n'));
    (newlines + unterminated) as u32
}

#[cfg(test)]
mod tests {
    use super::{count_lines, is_binary};

    #[test]
    fn lines_are_counted_like_git() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b"a\nb"), 2);
    }

    #[test]
    fn binary_means_a_nul_in_the_first_8000_bytes() {
        assert!(is_binary(b"a\0b"));
        let mut late = vec![b'a'; 8000];
        late.push(0);
        assert!(!is_binary(&late));
    }
}
