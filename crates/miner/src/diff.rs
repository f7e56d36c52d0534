//! Tree diffs with rename detection and line counts, spread over threads.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;

use gix::ObjectId;
use gix::bstr::BString;
use gix::diff::blob::{Algorithm, Diff, InternedInput, sources::byte_lines};
use gix::diff::tree::Recorder;
use gix::diff::tree::recorder::{Change as RecordedChange, Location};
use gix::objs::tree::{EntryKind, EntryMode};
use gix::objs::{FindExt, TreeRefIter};

use crate::content::{count_lines, is_binary};
use crate::packs::{PackIndex, PackedObjects, SharedCache};
use crate::path::escape_path;
use crate::record::{ChangeKind, ChangeRecord, MergeRecord};
use crate::renames;
use crate::{Error, MineOptions, Progress};

/// What one commit needs diffed.
#[derive(Debug, Clone)]
pub(crate) enum Task {
    /// A commit's tree against its parent's (or the empty tree for roots).
    Commit {
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    },
    /// A merge's tree against each of its parents', for the replay of line origins.
    Merge {
        parent_trees: Vec<ObjectId>,
        tree: ObjectId,
    },
}

/// The changes of every task by the index the producer gave it, and what it took.
#[derive(Debug, Default)]
pub(crate) struct Diffed {
    pub changes: Vec<(usize, Vec<ChangeRecord>)>,
    pub merges: Vec<(usize, Vec<MergeRecord>)>,
    pub tree_diffs: usize,
    pub blob_diffs: usize,
    pub missing_blobs: BTreeSet<ObjectId>,
    /// Tasks whose rename detection skipped its inexact pass ([`RENAME_LIMIT`]).
    pub rename_limited: Vec<usize>,
}

/// What a worker made of one task.
enum Done {
    Commit(Vec<ChangeRecord>),
    Merge(Vec<MergeRecord>),
}

/// Tasks sent to a worker at once: runs of neighbouring commits share most of their trees.
const CHUNK: usize = 32;
/// `diff.renameLimit`'s default: above this many sources times destinations squared, git skips
/// inexact rename detection for the commit (exact renames are still found).
const RENAME_LIMIT: usize = 1000;

type Batch = Vec<(usize, Task)>;

/// Runs the tasks that `produce` emits on `threads` worker threads while `produce` is still
/// running on this thread, so the revision walk and the diffs overlap. Each worker has its own
/// repository handle; objects come through `packs` when given, and the workers share the
/// delta-base cache `cache`.
pub(crate) fn diff_streamed<R>(
    repo: &gix::Repository,
    packs: Option<&PackIndex>,
    cache: &SharedCache,
    options: MineOptions,
    threads: usize,
    progress: &dyn Progress,
    produce: impl FnOnce(&mut dyn FnMut(usize, Task)) -> Result<R, Error>,
) -> Result<(R, Diffed), Error> {
    let shared = repo.clone().into_sync();
    // Unbounded: a task is a few dozen bytes, and a walk that runs ahead knows the total early,
    // so the progress bar can show it.
    let (sender, receiver) = std::sync::mpsc::channel::<Batch>();
    let receiver = Mutex::new(receiver);
    let failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let workers = (0..threads.max(1))
            .map(|_| {
                let (shared, receiver, failed) = (&shared, &receiver, &failed);
                std::thread::Builder::new().spawn_scoped(scope, move || {
                    work(
                        shared.to_thread_local(),
                        packs,
                        cache,
                        options,
                        receiver,
                        failed,
                        progress,
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| Error::Threads { threads, source })?;
        let mut tasks = 0;
        let mut batch = Vec::with_capacity(CHUNK);
        let produced = produce(&mut |index, task| {
            tasks += 1u64;
            batch.push((index, task));
            if batch.len() == CHUNK {
                // A send fails only when every worker is gone, which they report themselves.
                let _ = sender.send(std::mem::replace(&mut batch, Vec::with_capacity(CHUNK)));
            }
        });
        if !batch.is_empty() {
            let _ = sender.send(batch);
        }
        drop(sender);
        progress.set_total(tasks);
        let mut diffed = Diffed::default();
        let mut first_error = None;
        for worker in workers {
            match worker.join().expect("diff workers do not panic") {
                Ok(done) => {
                    diffed.changes.extend(done.changes);
                    diffed.merges.extend(done.merges);
                    diffed.tree_diffs += done.tree_diffs;
                    diffed.blob_diffs += done.blob_diffs;
                    diffed.missing_blobs.extend(done.missing_blobs);
                    diffed.rename_limited.extend(done.rename_limited);
                }
                Err(err) => first_error = first_error.or(Some(err)),
            }
        }
        let produced = produced?;
        if let Some(err) = first_error {
            return Err(err);
        }
        diffed.changes.sort_unstable_by_key(|(index, _)| *index);
        diffed.merges.sort_unstable_by_key(|(index, _)| *index);
        diffed.rename_limited.sort_unstable();
        Ok((produced, diffed))
    })
}

/// One worker: diffs batches until the producer is done. After a failure it only drains the
/// queue, skipping the work.
fn work(
    repo: gix::Repository,
    packs: Option<&PackIndex>,
    cache: &SharedCache,
    options: MineOptions,
    receiver: &Mutex<Receiver<Batch>>,
    failed: &AtomicBool,
    progress: &dyn Progress,
) -> Result<Diffed, Error> {
    let mut differ = Differ::new(repo, packs, cache, options);
    let mut done = Diffed::default();
    let mut error = None;
    loop {
        let batch = receiver
            .lock()
            .expect("no worker panics while holding the lock")
            .recv();
        let Ok(batch) = batch else { break };
        if failed.load(Ordering::Relaxed) {
            continue;
        }
        for (index, task) in &batch {
            let result = match task {
                Task::Commit { old_tree, new_tree } => {
                    differ.diff(*old_tree, *new_tree).map(Done::Commit)
                }
                Task::Merge { parent_trees, tree } => {
                    differ.diff_merge(parent_trees, *tree).map(Done::Merge)
                }
            };
            if std::mem::take(&mut differ.rename_limited) {
                done.rename_limited.push(*index);
            }
            match result {
                Ok(Done::Commit(changes)) => done.changes.push((*index, changes)),
                Ok(Done::Merge(rows)) => done.merges.push((*index, rows)),
                Err(err) => {
                    failed.store(true, Ordering::Relaxed);
                    error = Some(err);
                    break;
                }
            }
        }
        progress.inc(batch.len() as u64);
    }
    if let Some(err) = error {
        return Err(err);
    }
    done.tree_diffs = differ.tree_diffs;
    done.blob_diffs = differ.blob_diffs;
    done.missing_blobs = differ.missing;
    Ok(done)
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
    fn from_change(change: RecordedChange) -> Option<Self> {
        let raw = match change {
            RecordedChange::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => RawChange {
                kind: ChangeKind::Added,
                path,
                old_path: None,
                old: None,
                new: Some((oid, entry_mode)),
            },
            RecordedChange::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } => RawChange {
                kind: ChangeKind::Deleted,
                path,
                old_path: None,
                old: Some((oid, entry_mode)),
                new: None,
            },
            RecordedChange::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => RawChange {
                kind: if same_type(previous_entry_mode, entry_mode) {
                    ChangeKind::Modified
                } else {
                    ChangeKind::TypeChanged
                },
                path,
                old_path: None,
                old: Some((previous_oid, previous_entry_mode)),
                new: Some((oid, entry_mode)),
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
struct Differ<'p> {
    repo: gix::Repository,
    /// Trees and blobs are read through the shared pack index and delta-base cache.
    objects: PackedObjects<'p>,
    options: MineOptions,
    state: gix::diff::tree::State,
    old_tree: Vec<u8>,
    new_tree: Vec<u8>,
    old_blob: Vec<u8>,
    new_blob: Vec<u8>,
    raw: Vec<RawChange>,
    line_diff: Diff,
    tree_diffs: usize,
    blob_diffs: usize,
    missing: BTreeSet<ObjectId>,
    /// Whether the last diff's rename detection hit [`RENAME_LIMIT`].
    rename_limited: bool,
}

/// A change's lines: added and deleted as `--numstat` counts them, binary, and the hunks.
struct Lines {
    added: Option<u32>,
    deleted: Option<u32>,
    binary: bool,
    hunks: Option<Vec<u32>>,
}

impl Lines {
    const NOT_COUNTED: Lines = Lines {
        added: None,
        deleted: None,
        binary: false,
        hunks: None,
    };
}

impl<'p> Differ<'p> {
    fn new(
        mut repo: gix::Repository,
        packs: Option<&'p PackIndex>,
        cache: &'p SharedCache,
        options: MineOptions,
    ) -> Self {
        crate::repo::configure_caches(&mut repo);
        Differ {
            objects: PackedObjects::new(packs, &repo, Box::new(cache)),
            repo,
            options,
            state: gix::diff::tree::State::default(),
            old_tree: Vec::new(),
            new_tree: Vec::new(),
            old_blob: Vec::new(),
            new_blob: Vec::new(),
            raw: Vec::new(),
            line_diff: Diff::default(),
            tree_diffs: 0,
            blob_diffs: 0,
            missing: BTreeSet::new(),
            rename_limited: false,
        }
    }

    fn diff(
        &mut self,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<Vec<ChangeRecord>, Error> {
        let raw = self.changes(old_tree, new_tree)?;
        let out = raw
            .iter()
            .map(|change| self.record(change, self.options.line_counts))
            .collect();
        self.raw = raw;
        self.raw.clear();
        out
    }

    /// The tree changes from `old_tree` to `new_tree`, renames paired when they are detected.
    fn changes(
        &mut self,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<Vec<RawChange>, Error> {
        self.tree_changes(old_tree, new_tree)?;
        let mut raw = std::mem::take(&mut self.raw);
        if self.options.renames {
            self.pair_renames(&mut raw);
        }
        Ok(raw)
    }

    fn record(&mut self, change: &RawChange, count_lines: bool) -> Result<ChangeRecord, Error> {
        let lines = if count_lines {
            self.lines(change)?
        } else {
            Lines::NOT_COUNTED
        };
        Ok(ChangeRecord {
            path: escape_path(&change.path),
            old_path: change.old_path.as_deref().map(|p| escape_path(p)),
            kind: change.kind,
            added: lines.added,
            deleted: lines.deleted,
            binary: lines.binary,
            hunks: lines.hunks,
        })
    }

    /// A merge against each parent (docs/architecture.md, *The cache*): every file that differs
    /// from the first parent, either named as equal to another parent's version or, when it
    /// differs from all of them, with its line diff against each.
    fn diff_merge(
        &mut self,
        parent_trees: &[ObjectId],
        tree: ObjectId,
    ) -> Result<Vec<MergeRecord>, Error> {
        let mut sides = Vec::with_capacity(parent_trees.len());
        for &parent in parent_trees {
            sides.push(self.changes(Some(parent), tree)?);
        }
        let Some((first, others)) = sides.split_first() else {
            return Ok(Vec::new());
        };
        // Per other parent: the files of the merge that differ from its version, by path.
        let changed: Vec<HashMap<&[u8], &RawChange>> = others
            .iter()
            .map(|raw| {
                raw.iter()
                    .filter(|c| c.kind != ChangeKind::Deleted)
                    .map(|c| (c.path.as_slice(), c))
                    .collect()
            })
            .collect();
        let mut out = Vec::new();
        for change in first {
            let equal_to = (change.kind != ChangeKind::Deleted)
                .then(|| {
                    changed
                        .iter()
                        .position(|c| !c.contains_key(change.path.as_slice()))
                })
                .flatten();
            if let Some(k) = equal_to {
                // With its diff against the first parent: following a line range through the
                // merge takes the first parent against which the range is unchanged.
                out.push(MergeRecord {
                    parent: 0,
                    change: self.record(change, self.options.line_counts)?,
                    from_parent: Some(k as u32 + 1),
                });
                continue;
            }
            let differs_from_all = change.kind != ChangeKind::Deleted;
            out.push(MergeRecord {
                parent: 0,
                change: self.record(change, differs_from_all)?,
                from_parent: None,
            });
            if differs_from_all {
                for (k, side) in changed.iter().enumerate() {
                    if let Some(other) = side.get(change.path.as_slice()) {
                        out.push(MergeRecord {
                            parent: k as u32 + 1,
                            change: self.record(other, true)?,
                            from_parent: None,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    fn tree_changes(
        &mut self,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<(), Error> {
        self.raw.clear();
        self.tree_diffs += 1;
        // No object cache in front of the pack: the pack's delta-base cache already keeps each
        // resolved tree by its offset, which is what the next diff of a neighbour asks for.
        let trees = &self.objects;
        let hash = self.repo.object_hash();
        let old = match old_tree {
            Some(id) => trees
                .find_tree_iter(&id, &mut self.old_tree)
                .map_err(|err| Error::object("tree", id, err))?,
            None => TreeRefIter::from_bytes(&[], hash),
        };
        let new = trees
            .find_tree_iter(&new_tree, &mut self.new_tree)
            .map_err(|err| Error::object("tree", new_tree, err))?;
        // A recorder keeps the path it was at; a fresh one per diff starts at the root.
        let mut recorder = Recorder::default().track_location(Some(Location::Path));
        gix::diff::tree(old, new, &mut self.state, trees, &mut recorder)
            .map_err(|err| Error::object("tree", new_tree, err))?;
        self.raw.extend(
            recorder
                .records
                .into_iter()
                .filter_map(RawChange::from_change),
        );
        Ok(())
    }

    /// Replaces each deletion and addition that git would see as a rename by one rename.
    fn pair_renames(&mut self, raw: &mut Vec<RawChange>) {
        fn side(
            change: &RawChange,
            side: Option<(ObjectId, EntryMode)>,
        ) -> Option<renames::Side<'_>> {
            side.map(|(id, mode)| renames::Side {
                path: change.path.as_ref(),
                id,
                mode,
            })
        }
        let (mut sources, mut source_rows) = (Vec::new(), Vec::new());
        let (mut destinations, mut destination_rows) = (Vec::new(), Vec::new());
        for (row, change) in raw.iter().enumerate() {
            match change.kind {
                ChangeKind::Deleted => {
                    sources.extend(side(change, change.old));
                    source_rows.push(row);
                }
                ChangeKind::Added => {
                    destinations.extend(side(change, change.new));
                    destination_rows.push(row);
                }
                _ => {}
            }
        }
        let mut blobs = OdbBlobs {
            objects: &self.objects,
            buf: Vec::new(),
        };
        let (pairs, limited) = renames::detect(&sources, &destinations, RENAME_LIMIT, &mut blobs);
        self.rename_limited |= limited;
        if pairs.is_empty() {
            return;
        }
        let mut removed = vec![false; raw.len()];
        let renamed: Vec<Renamed> = pairs
            .iter()
            .map(|&(s, d, _)| {
                let source = &raw[source_rows[s]];
                removed[source_rows[s]] = true;
                (destination_rows[d], source.path.clone(), source.old)
            })
            .collect();
        for (row, old_path, old) in renamed {
            let change = &mut raw[row];
            change.kind = ChangeKind::Renamed;
            change.old_path = Some(old_path);
            change.old = old;
        }
        let mut row = 0;
        raw.retain(|_| {
            row += 1;
            !removed[row - 1]
        });
    }

    /// Lines added and deleted as `git diff --numstat` counts them and the hunks, or `None` for
    /// binary content and missing blobs.
    fn lines(&mut self, change: &RawChange) -> Result<Lines, Error> {
        let objects = &self.objects;
        let (old, new) = (&mut self.old_blob, &mut self.new_blob);
        let old_ok = side_text(objects, change.old, old, &mut self.missing)?;
        let new_ok = side_text(objects, change.new, new, &mut self.missing)?;
        if !(old_ok && new_ok) {
            return Ok(Lines::NOT_COUNTED);
        }
        if is_binary(old) || is_binary(new) {
            return Ok(Lines {
                binary: true,
                ..Lines::NOT_COUNTED
            });
        }
        let (added, deleted, hunks) = if old == new {
            (0, 0, Vec::new())
        } else if old.is_empty() || new.is_empty() {
            let (added, deleted) = (count_lines(new), count_lines(old));
            (added, deleted, vec![0, deleted, 0, added])
        } else {
            self.blob_diffs += 1;
            line_diff(&mut self.line_diff, old, new)
        };
        Ok(Lines {
            added: Some(added),
            deleted: Some(deleted),
            binary: false,
            hunks: Some(hunks),
        })
    }
}

/// Lines added and deleted and the hunks (`(old_start, old_len, new_start, new_len)`, 0-based)
/// of two texts, computed in `diff` as mining computes them.
pub(crate) fn line_diff(diff: &mut Diff, old: &[u8], new: &[u8]) -> (u32, u32, Vec<u32>) {
    let input = InternedInput::new(byte_lines(old), byte_lines(new));
    diff.compute_with(
        Algorithm::Myers,
        &input.before,
        &input.after,
        input.interner.num_tokens(),
    );
    // Slide ambiguous hunks as git does (its indent heuristic), so lines are blamed on the
    // commits git blames; the counts do not change.
    diff.postprocess_lines(&input);
    let hunks = diff
        .hunks()
        .flat_map(|h| {
            [
                h.before.start,
                h.before.end - h.before.start,
                h.after.start,
                h.after.end - h.after.start,
            ]
        })
        .collect();
    (diff.count_additions(), diff.count_removals(), hunks)
}

/// The destination row, source path and source side of a rename.
type Renamed = (usize, BString, Option<(ObjectId, EntryMode)>);

/// Blob sizes and contents for rename detection, straight from the object database.
struct OdbBlobs<'a, 'p> {
    objects: &'a PackedObjects<'p>,
    buf: Vec<u8>,
}

impl renames::Blobs for OdbBlobs<'_, '_> {
    fn size(&mut self, id: &ObjectId) -> Option<u64> {
        use gix::odb::HeaderExt;
        self.objects
            .odb()
            .header(id)
            .ok()
            .map(|header| header.size())
    }

    fn data(&mut self, id: &ObjectId) -> Option<Vec<u8>> {
        self.objects
            .find_blob(id, &mut self.buf)
            .ok()
            .map(|blob| blob.data.to_vec())
    }
}

/// Fills `buf` with what git diffs for one side of a change; `false` if the blob is missing (a
/// partial clone). A blob that is there but cannot be read is an error.
fn side_text(
    objects: &impl gix::objs::Find,
    side: Option<(ObjectId, EntryMode)>,
    buf: &mut Vec<u8>,
    missing: &mut BTreeSet<ObjectId>,
) -> Result<bool, Error> {
    buf.clear();
    match side {
        None => Ok(true),
        // git shows a submodule as the one line `Subproject commit <id>`.
        Some((id, mode)) if mode.is_commit() => {
            buf.extend_from_slice(format!("Subproject commit {id}\n").as_bytes());
            Ok(true)
        }
        Some((id, _)) => {
            let found = read_blob(objects, &id, buf)?;
            if !found {
                missing.insert(id);
            }
            Ok(found)
        }
    }
}

/// Reads blob `id` into `buf`: `Ok(false)` when the object database does not have it, an error
/// when it has it but cannot decode it (a damaged pack or loose object) or it is not a blob.
pub(crate) fn read_blob(
    objects: &impl gix::objs::Find,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Result<bool, Error> {
    match objects.try_find(id, buf) {
        Ok(Some(data)) if data.kind == gix::objs::Kind::Blob => Ok(true),
        Ok(Some(data)) => Err(Error::object(
            "blob",
            id,
            format!("it is a {}, not a blob", data.kind),
        )),
        Ok(None) => Ok(false),
        Err(err) => Err(Error::object("blob", id, err)),
    }
}
