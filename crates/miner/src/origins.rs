//! Line origins by replay: which commit last added each line of every file at one commit,
//! computed from the mined diffs instead of blame (docs/metrics.md, *knowledge*).
//!
//! ## The algorithm
//! Commits are replayed parents first. The state of a commit maps each file to the origin of
//! each of its lines (an index into the commits). A non-merge commit takes its parent's state
//! and applies its changes: a deletion drops the file, an addition gives every line the commit,
//! a modification or rename keeps the origins of the lines outside its hunks and gives the
//! lines inside them the commit (renames are followed as the miner detects them). A merge takes
//! its first parent's state, then for each file that differs from it: the state of the first
//! other parent whose version it equals; or, when it differs from every parent (both sides
//! changed it, or a conflict was resolved), the origin each line has in the first parent it is
//! unchanged against, and the merge itself for lines new against all of them. That is how `git
//! blame` passes lines through a merge. A file whose history holds a binary version or a
//! missing blob has unknown origins.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use crate::cache::{Cache, Stored};
use crate::table::{col, stored};
use crate::{Error, LineOrigins};

/// The origins of one file's lines, shared between states until one of them changes it;
/// `None` when they are unknown.
type Lines = Option<Arc<Vec<u32>>>;

/// One commit's files (by interned path) and their line origins.
pub(crate) type State = HashMap<u32, Lines>;

/// How a file changed; the letters of the `kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Added,
    Deleted,
    /// Modified, type-changed or renamed: the old side is `old_path` (else `path`).
    Changed,
}

/// One file change as the replay sees it (paths interned).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step<'a> {
    pub kind: Kind,
    pub path: u32,
    pub old_path: Option<u32>,
    /// Flattened `(old_start, old_len, new_start, new_len)` quadruples, or `None` when the
    /// content was binary or missing.
    pub hunks: Option<&'a [u32]>,
}

impl Step<'_> {
    pub(crate) fn old(&self) -> u32 {
        self.old_path.unwrap_or(self.path)
    }
}

/// How a merge got one file that differs from its first parent's version.
#[derive(Debug, Clone)]
pub(crate) enum MergeStep<'a> {
    /// Deleted against the first parent (gone in the merge).
    Deleted { path: u32 },
    /// Equal to the version of parent `parent` (index into the merge's parents) at `path`;
    /// `old_path` is its path in the first parent when that renamed it.
    FromParent {
        path: u32,
        old_path: Option<u32>,
        parent: usize,
        /// The diff against the first parent, when recorded.
        first: Option<Step<'a>>,
    },
    /// Different from every parent: the diff against each parent, in parent order.
    Resolved { path: u32, diffs: Vec<Step<'a>> },
}

/// Applies the changes of a non-merge commit `commit` to its parent's `state`. Every old side is
/// taken before anything is written, so a commit that renames `a` to `b` and adds a new `a`
/// keeps them apart.
pub(crate) fn apply_commit(state: &mut State, commit: u32, steps: &[Step<'_>]) {
    let olds: Vec<Option<Lines>> = steps
        .iter()
        .map(|s| match s.kind {
            Kind::Added => None,
            Kind::Deleted | Kind::Changed => state.remove(&s.old()),
        })
        .collect();
    for (step, old) in steps.iter().zip(olds) {
        let lines = match step.kind {
            Kind::Deleted => continue,
            Kind::Added => step.hunks.and_then(|h| replace(&[], h, commit)),
            // A file the state does not hold (history cut by a shallow clone) is unknown.
            Kind::Changed => match (old.flatten(), step.hunks) {
                (Some(old), Some(hunks)) => replace(&old, hunks, commit),
                _ => None,
            },
        };
        state.insert(step.path, lines.map(Arc::new));
    }
}

/// Applies a merge's files to the state of its first parent (`state`); `parents[i]` is the
/// state of its parent `i` (index 0, the first parent, is not read: it is `state` before).
pub(crate) fn apply_merge(
    state: &mut State,
    commit: u32,
    parents: &[&State],
    steps: &[MergeStep<'_>],
) {
    let olds: Vec<Option<Lines>> = steps
        .iter()
        .map(|s| match s {
            MergeStep::Deleted { path } => state.remove(path),
            MergeStep::FromParent { old_path, .. } => {
                old_path.and_then(|p| state.remove(&p));
                None
            }
            MergeStep::Resolved { diffs, .. } => match diffs.first() {
                Some(d) if d.kind != Kind::Added => state.remove(&d.old()),
                _ => None,
            },
        })
        .collect();
    for (step, first_old) in steps.iter().zip(olds) {
        match step {
            MergeStep::Deleted { .. } => {}
            MergeStep::FromParent { path, parent, .. } => {
                let lines = parents
                    .get(*parent)
                    .and_then(|p| p.get(path).cloned())
                    .flatten();
                state.insert(*path, lines);
            }
            MergeStep::Resolved { path, diffs } => {
                let first_old = first_old.flatten();
                let lines = resolve(
                    commit,
                    first_old.as_deref().map(Vec::as_slice),
                    parents,
                    diffs,
                );
                state.insert(*path, lines.map(Arc::new));
            }
        }
    }
}

/// Marks a line of a merged file that no parent has given an origin yet.
const UNSET: u32 = u32::MAX;

fn resolve(
    commit: u32,
    first_old: Option<&[u32]>,
    parents: &[&State],
    diffs: &[Step<'_>],
) -> Option<Vec<u32>> {
    let mut lines: Option<Vec<u32>> = None;
    for (i, diff) in diffs.iter().enumerate() {
        // A side without a text diff (binary there, or no row) gives no origins.
        let Some(hunks) = diff.hunks else { continue };
        let old: Option<&[u32]> = match (i, diff.kind) {
            (_, Kind::Added) => Some(&[]),
            (0, _) => first_old,
            _ => parents
                .get(i)
                .and_then(|p| p.get(&diff.old()))
                .and_then(|lines| lines.as_deref().map(Vec::as_slice)),
        };
        // A parent whose origins are unknown gives none; the lines stay for the next parent.
        let Some(old) = old else { continue };
        let new_len = new_length(old.len(), hunks)?;
        let lines = lines.get_or_insert_with(|| vec![UNSET; new_len]);
        if lines.len() != new_len {
            return None;
        }
        for (old_start, new_start, len) in unchanged(old.len(), hunks)? {
            for k in 0..len {
                let slot = &mut lines[new_start + k];
                if *slot == UNSET {
                    *slot = old[old_start + k];
                }
            }
        }
    }
    let mut lines = lines?;
    for slot in &mut lines {
        if *slot == UNSET {
            *slot = commit;
        }
    }
    Some(lines)
}

/// The lines after `hunks` are applied to `old`: unchanged lines keep their origin, lines inside
/// a hunk get `commit`. `None` if the hunks do not fit `old` (the state went out of step).
fn replace(old: &[u32], hunks: &[u32], commit: u32) -> Option<Vec<u32>> {
    let mut new = Vec::with_capacity(new_length(old.len(), hunks)?);
    let mut pos = 0;
    for hunk in hunks.chunks_exact(4) {
        let [old_start, old_len, new_start, new_len] =
            [hunk[0], hunk[1], hunk[2], hunk[3]].map(|n| n as usize);
        if old_start < pos || old_start + old_len > old.len() {
            return None;
        }
        new.extend_from_slice(&old[pos..old_start]);
        if new.len() != new_start {
            return None;
        }
        new.extend(std::iter::repeat_n(commit, new_len));
        pos = old_start + old_len;
    }
    new.extend_from_slice(&old[pos..]);
    Some(new)
}

/// The number of lines after the hunks, if they fit a file of `old_len` lines.
fn new_length(old_len: usize, hunks: &[u32]) -> Option<usize> {
    let mut len = old_len as i64;
    for hunk in hunks.chunks_exact(4) {
        len += i64::from(hunk[3]) - i64::from(hunk[1]);
    }
    usize::try_from(len).ok()
}

/// The runs of lines the hunks leave unchanged: `(old_start, new_start, len)`.
fn unchanged(old_len: usize, hunks: &[u32]) -> Option<Vec<(usize, usize, usize)>> {
    let mut runs = Vec::with_capacity(hunks.len() / 4 + 1);
    let (mut old_pos, mut new_pos) = (0usize, 0usize);
    for hunk in hunks.chunks_exact(4) {
        let [old_start, old_len_h, new_start, new_len_h] =
            [hunk[0], hunk[1], hunk[2], hunk[3]].map(|n| n as usize);
        if old_start < old_pos || old_start + old_len_h > old_len {
            return None;
        }
        let len = old_start - old_pos;
        if new_pos + len != new_start {
            return None;
        }
        runs.push((old_pos, new_pos, len));
        old_pos = old_start + old_len_h;
        new_pos = new_start + new_len_h;
    }
    runs.push((old_pos, new_pos, old_len - old_pos));
    Some(runs)
}

/// The mined history as the replay reads it, by commit index: parents (the first only with
/// `--first-parent`), the steps of each non-merge commit and those of each merge.
#[derive(Debug, Default)]
pub(crate) struct Replay<'a> {
    pub parents: Vec<Vec<usize>>,
    pub steps: Vec<Vec<Step<'a>>>,
    pub merges: Vec<Vec<MergeStep<'a>>>,
}

impl Replay<'_> {
    /// The state of `target`, from its ancestors replayed parents first, and how many commits
    /// were replayed. With a `seed` (the state of one commit, from an earlier run), only the
    /// commits it does not reach are replayed, when every one of them descends from it alone;
    /// otherwise everything is.
    pub(crate) fn state_of(&self, target: usize, seed: Option<(usize, State)>) -> (State, usize) {
        let n = self.parents.len();
        let all = reachable(&self.parents, target, n);
        let seed = seed.and_then(|(commit, state)| {
            if commit == target {
                return Some((commit, state, Vec::new()));
            }
            let known = reachable(&self.parents, commit, n);
            if !all[commit] {
                return None;
            }
            let include: Vec<bool> = (0..n).map(|c| all[c] && !known[c]).collect();
            let closed = (0..n)
                .filter(|&c| include[c])
                .all(|c| self.parents[c].iter().all(|&p| include[p] || p == commit));
            closed.then_some((commit, state, include))
        });
        let (mut states, include) = match seed {
            Some((commit, state, _)) if commit == target => return (state, 0),
            Some((commit, state, include)) => (HashMap::from([(commit, state)]), include),
            None => (HashMap::new(), all),
        };
        let order = parents_first(&self.parents, target, &include);
        let mut children = vec![0u32; n];
        for &c in &order {
            for &p in &self.parents[c] {
                children[p] += 1;
            }
        }
        for &c in &order {
            let parents = &self.parents[c];
            let mut state = match parents.first() {
                Some(&p) => take(&mut states, &mut children, p),
                None => State::new(),
            };
            let others = parents.get(1..).unwrap_or_default();
            if others.is_empty() || self.merges[c].is_empty() {
                apply_commit(&mut state, c as u32, &self.steps[c]);
            } else {
                let empty = State::new();
                let sides: Vec<&State> = std::iter::once(&empty)
                    .chain(others.iter().map(|p| states.get(p).unwrap_or(&empty)))
                    .collect();
                apply_merge(&mut state, c as u32, &sides, &self.merges[c]);
            }
            for &p in others {
                children[p] = children[p].saturating_sub(1);
                if children[p] == 0 {
                    states.remove(&p);
                }
            }
            states.insert(c, state);
        }
        (states.remove(&target).unwrap_or_default(), order.len())
    }
}

impl Replay<'_> {
    /// The commits `target` reaches, each after all of its children.
    pub(crate) fn children_first(&self, target: usize) -> Vec<usize> {
        let all = reachable(&self.parents, target, self.parents.len());
        let mut order = parents_first(&self.parents, target, &all);
        order.reverse();
        order
    }
}

/// The state of `parent` for one more child: moved out for its last child, copied before.
fn take(states: &mut HashMap<usize, State>, children: &mut [u32], parent: usize) -> State {
    children[parent] = children[parent].saturating_sub(1);
    if children[parent] == 0 {
        states.remove(&parent).unwrap_or_default()
    } else {
        states.get(&parent).cloned().unwrap_or_default()
    }
}

fn reachable(parents: &[Vec<usize>], from: usize, n: usize) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack = vec![from];
    while let Some(c) = stack.pop() {
        if !std::mem::replace(&mut seen[c], true) {
            stack.extend(parents[c].iter().copied().filter(|&p| !seen[p]));
        }
    }
    seen
}

/// The commits of `include` that `target` reaches, parents before children: a depth-first walk
/// along first parents, so a merged branch is replayed right before its merge and few states are
/// kept at once.
fn parents_first(parents: &[Vec<usize>], target: usize, include: &[bool]) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; parents.len()];
    let mut order = Vec::new();
    let mut stack = vec![(target, 0usize)];
    while let Some((c, next)) = stack.pop() {
        if next == 0 {
            if mark[c] != Mark::New || !include[c] {
                continue;
            }
            mark[c] = Mark::Open;
        }
        if let Some(&p) = parents[c].get(next) {
            stack.push((c, next + 1));
            if include[p] && mark[p] == Mark::New {
                stack.push((p, 0));
            }
        } else {
            mark[c] = Mark::Done;
            order.push(c);
        }
    }
    order
}

/// Paths as small numbers, so that copying a state copies numbers, not strings.
#[derive(Debug, Default)]
pub(crate) struct Paths<'a> {
    ids: HashMap<&'a str, u32>,
    pub names: Vec<&'a str>,
}

impl<'a> Paths<'a> {
    pub(crate) fn intern(&mut self, path: &'a str) -> u32 {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(path);
        self.ids.insert(path, id);
        id
    }

    pub(crate) fn get(&self, path: &str) -> Option<u32> {
        self.ids.get(path).copied()
    }
}

/// The stored commits in row order, and where the commit of one revision is among them.
pub(crate) struct CommitRows<'s> {
    /// The revision's commit (40 hex digits).
    pub commit: String,
    /// The ids of the stored commits in row order.
    pub ids: Vec<&'s str>,
    /// The row of each id.
    pub index: rustc_hash::FxHashMap<&'s str, usize>,
    /// The row of `commit`.
    pub target: usize,
}

/// The [`CommitRows`] of `rev`; an error when its commit was not mined.
pub(crate) fn commit_rows<'s>(
    repo: &gix::Repository,
    rev: &str,
    stored: &'s Stored,
) -> Result<CommitRows<'s>, Error> {
    let commit = crate::repo::commit_of(repo, rev)?.id.to_string();
    let (ids, index) = crate::select::commit_ids(&stored.commits)?;
    let Some(&target) = index.get(commit.as_str()) else {
        return Err(Error::NotMined {
            rev: rev.to_owned(),
        });
    };
    Ok(CommitRows {
        commit,
        ids,
        index,
        target,
    })
}

/// The `hunks` column copied into one buffer: `(buffer, range of each row or None)`.
pub(crate) fn flat_hunks(column: &ListChunked) -> PolarsResult<FlatHunks> {
    let mut flat = Vec::new();
    let mut ranges = Vec::with_capacity(column.len());
    for row in column.amortized_iter() {
        match row {
            Some(series) => {
                let start = flat.len();
                flat.extend(series.as_ref().u32()?.into_no_null_iter());
                ranges.push(Some((start, flat.len())));
            }
            None => ranges.push(None),
        }
    }
    Ok((flat, ranges))
}

/// Turns a `kind` letter into the replay's kind.
pub(crate) fn kind_of(letter: &str) -> Kind {
    match letter {
        "A" => Kind::Added,
        "D" => Kind::Deleted,
        _ => Kind::Changed,
    }
}

/// Runs of lines with the same origin: `(path, start, len, origin)`, for storing a state.
pub(crate) fn runs(state: &State) -> Vec<(u32, u32, u32, Option<u32>)> {
    let mut out = Vec::new();
    let mut paths: Vec<&u32> = state.keys().collect();
    paths.sort_unstable();
    for &path in paths {
        match &state[&path] {
            None => out.push((path, 0, 0, None)),
            // An empty file is one run of no lines, so that it comes back.
            Some(lines) if lines.is_empty() => out.push((path, 0, 0, Some(0))),
            Some(lines) => {
                let mut start = 0;
                while start < lines.len() {
                    let origin = lines[start];
                    let len = lines[start..].iter().take_while(|&&o| o == origin).count();
                    out.push((path, start as u32, len as u32, Some(origin)));
                    start += len;
                }
            }
        }
    }
    out
}

/// The state that [`runs`] stored, rebuilt; `None` if the runs do not tile each file.
pub(crate) fn from_runs(
    runs: impl IntoIterator<Item = (u32, u32, u32, Option<u32>)>,
) -> Option<State> {
    let mut building: HashMap<u32, Option<Vec<u32>>> = HashMap::new();
    for (path, start, len, origin) in runs {
        let entry = building.entry(path).or_insert_with(|| Some(Vec::new()));
        match (origin, entry) {
            (None, entry) => *entry = None,
            (Some(origin), Some(lines)) => {
                if lines.len() != start as usize {
                    return None;
                }
                lines.extend(std::iter::repeat_n(origin, len as usize));
            }
            (Some(_), None) => return None,
        }
    }
    Some(
        building
            .into_iter()
            .map(|(path, lines)| (path, lines.map(Arc::new)))
            .collect(),
    )
}

/// The line origins of the files at `rev` (docs/metrics.md, *knowledge*): the cached ones when
/// they are of that commit, else replayed from the stored tables (starting from the cached ones
/// when the new commits descend from them alone), then counted on the files' blobs. A new result
/// replaces the cached one.
pub(crate) fn line_origins(
    path: &Path,
    repo: &gix::Repository,
    rev: &str,
    stored: &Stored,
    first_parent: bool,
    cache: Option<&mut Cache>,
    threads: usize,
) -> Result<LineOrigins, Error> {
    let CommitRows {
        commit,
        ids,
        index,
        target,
    } = commit_rows(repo, rev, stored)?;
    let mut cache = cache;
    // Counted on an earlier run at this very commit: no state to read, no blob to count.
    if let Some(out) = cache
        .as_deref()
        .and_then(|c| c.origin_counts(&commit))
        .and_then(|df| read_counts(&df, &commit, &index).ok().flatten())
    {
        return Ok(out);
    }
    let cached = cache.as_deref().and_then(Cache::origins);
    // Read only when a replay is needed; declared first, as the paths borrow from them.
    let (change_hunks, merge_hunks);
    let mut paths = Paths::default();
    // The cached origins of this very commit need no replay, nor the hunks read for one.
    let cached_here = cached
        .as_ref()
        .filter(|(of, _)| *of == commit)
        .and_then(|(_, df)| read_state(df, &index, &mut paths).ok().flatten());
    let (state, replayed) = if let Some(state) = cached_here {
        (state, 0)
    } else {
        change_hunks = flat_hunks(stored.changes.column(stored::HUNKS)?.list()?)?;
        merge_hunks = flat_hunks(stored.merges.column(stored::HUNKS)?.list()?)?;
        let replay = build(
            stored,
            &index,
            first_parent,
            (&change_hunks, &merge_hunks),
            &mut paths,
        )?;
        let seed = cached.as_ref().and_then(|(of, df)| {
            let seed = read_state(df, &index, &mut paths).ok().flatten()?;
            Some((*index.get(of.as_str())?, seed))
        });
        let (state, replayed) = replay.state_of(target, seed);
        if let Some(cache) = cache.as_deref_mut() {
            // Best effort: without it the next run replays again, which costs time, not
            // truth.
            let _ = state_frame(&state, &paths, &ids).and_then(|mut df| {
                cache
                    .store_origins(&commit, &mut df)
                    .map_err(|err| PolarsError::ComputeError(err.to_string().into()))
            });
        }
        (state, replayed)
    };
    let snapshot = crate::read_snapshot(
        path,
        Some(&commit),
        threads,
        |_| true,
        |file, bytes| count(paths.get(file).and_then(|p| state.get(&p)), bytes),
    )?;
    let mut out = LineOrigins {
        commit,
        replayed,
        ..LineOrigins::default()
    };
    for (file, counted) in snapshot.files {
        match counted {
            Some(Counted::Binary) => out.binary.push(file),
            Some(Counted::Lines(lines)) => out.files.push(crate::BlamedFile {
                path: file,
                lines: lines
                    .into_iter()
                    .map(|(origin, n)| (ids[origin as usize].to_owned(), n))
                    .collect(),
            }),
            // Unknown origins, or a missing blob (the miner's warning names those).
            Some(Counted::Unknown) | None => out.unknown.push(file),
        }
    }
    if let Some(cache) = cache {
        // Best effort, as above.
        let _ = counts_frame(&out).and_then(|mut df| {
            cache
                .store_origin_counts(&out.commit, &mut df)
                .map_err(|err| PolarsError::ComputeError(err.to_string().into()))
        });
    }
    Ok(out)
}

/// How a file of [`LineOrigins`] is stored in `origin-counts.parquet`.
const COUNTED: u8 = 0;
const BINARY: u8 = 1;
const UNKNOWN: u8 = 2;

/// [`LineOrigins`] as rows of `path, kind, origin, lines`: one per counted file and origin (a
/// file without non-blank lines gets one row with a null origin), one per binary or unknown file.
fn counts_frame(out: &LineOrigins) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&str, u8, Option<&str>, u32)> = Vec::new();
    for file in &out.files {
        if file.lines.is_empty() {
            rows.push((&file.path, COUNTED, None, 0));
        }
        rows.extend(
            file.lines
                .iter()
                .map(|(origin, n)| (file.path.as_str(), COUNTED, Some(origin.as_str()), *n)),
        );
    }
    rows.extend(out.binary.iter().map(|p| (p.as_str(), BINARY, None, 0)));
    rows.extend(out.unknown.iter().map(|p| (p.as_str(), UNKNOWN, None, 0)));
    df!(
        col::PATH => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "kind" => rows.iter().map(|r| u32::from(r.1)).collect::<Vec<_>>(),
        "origin" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "lines" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
}

/// The [`LineOrigins`] of `commit` that [`counts_frame`] stored; `None` if they name a commit the
/// tables do not hold or a kind this version does not write.
fn read_counts(
    df: &DataFrame,
    commit: &str,
    index: &rustc_hash::FxHashMap<&str, usize>,
) -> PolarsResult<Option<LineOrigins>> {
    let path = df.column(col::PATH)?.str()?;
    let kind = df.column("kind")?.u32()?;
    let origin = df.column("origin")?.str()?;
    let lines = df.column("lines")?.u32()?;
    let mut out = LineOrigins {
        commit: commit.to_owned(),
        ..LineOrigins::default()
    };
    for row in 0..df.height() {
        let (Some(p), Some(k)) = (path.get(row), kind.get(row)) else {
            return Ok(None);
        };
        match u8::try_from(k) {
            Ok(COUNTED) => {
                if out.files.last().is_none_or(|f| f.path != p) {
                    out.files.push(crate::BlamedFile {
                        path: p.to_owned(),
                        lines: Vec::new(),
                    });
                }
                if let Some(o) = origin.get(row) {
                    let (true, Some(n), Some(file)) =
                        (index.contains_key(o), lines.get(row), out.files.last_mut())
                    else {
                        return Ok(None);
                    };
                    file.lines.push((o.to_owned(), n));
                }
            }
            Ok(BINARY) => out.binary.push(p.to_owned()),
            Ok(UNKNOWN) => out.unknown.push(p.to_owned()),
            _ => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// What one file's blob says of its replayed origins.
enum Counted {
    Binary,
    /// The origins do not fit the blob, or are not known.
    Unknown,
    /// Non-blank lines per origin, in order of first appearance.
    Lines(Vec<(u32, u32)>),
}

fn count(origins: Option<&Lines>, bytes: &[u8]) -> Counted {
    if crate::content::is_binary(bytes) {
        return Counted::Binary;
    }
    let Some(Some(origins)) = origins else {
        return Counted::Unknown;
    };
    // Lines as the diffs split them: each ends after `\n`, and a last one may lack it.
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    if lines.len() != origins.len() {
        return Counted::Unknown;
    }
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for (line, &origin) in lines.iter().zip(origins.iter()) {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match counts.iter_mut().find(|(o, _)| *o == origin) {
            Some(slot) => slot.1 += 1,
            None => counts.push((origin, 1)),
        }
    }
    Counted::Lines(counts)
}

/// The replay's view of the stored tables.
pub(crate) fn build<'a>(
    stored: &'a Stored,
    index: &rustc_hash::FxHashMap<&str, usize>,
    first_parent: bool,
    (change_hunks, merge_hunks): (&'a FlatHunks, &'a FlatHunks),
    paths: &mut Paths<'a>,
) -> PolarsResult<Replay<'a>> {
    let n = index.len();
    let mut replay = Replay {
        parents: Vec::with_capacity(n),
        steps: vec![Vec::new(); n],
        merges: vec![Vec::new(); n],
    };
    for list in stored
        .commits
        .column(col::PARENTS)?
        .list()?
        .amortized_iter()
    {
        let mut parents = Vec::new();
        if let Some(list) = list {
            for parent in list.as_ref().str()?.iter().flatten() {
                // A parent outside the tables is beyond a shallow graft, diffed as a root.
                if let Some(&p) = index.get(parent) {
                    parents.push(p);
                }
                if first_parent {
                    break;
                }
            }
        }
        replay.parents.push(parents);
    }
    let changes = Rows::of(&stored.changes, change_hunks)?;
    for row in 0..stored.changes.height() {
        if let Some((commit, step)) = changes.step(row, index, paths) {
            replay.steps[commit].push(step);
        }
    }
    // Merge rows: those against the first parent in order; those against the others join the
    // first-parent row of the same path.
    let merges = Rows::of(&stored.merges, merge_hunks)?;
    let parent = stored.merges.column(stored::PARENT)?.u32()?;
    let from_parent = stored.merges.column(stored::FROM_PARENT)?.u32()?;
    for row in 0..stored.merges.height() {
        let Some((commit, step)) = merges.step(row, index, paths) else {
            continue;
        };
        let steps = &mut replay.merges[commit];
        match (parent.get(row), from_parent.get(row)) {
            (Some(0), _) if step.kind == Kind::Deleted => {
                steps.push(MergeStep::Deleted { path: step.path });
            }
            (Some(0), Some(from)) => steps.push(MergeStep::FromParent {
                path: step.path,
                old_path: step.old_path,
                parent: from as usize,
                first: Some(step),
            }),
            (Some(0), None) => steps.push(MergeStep::Resolved {
                path: step.path,
                diffs: vec![step],
            }),
            (Some(k), _) => {
                let resolved = steps.iter_mut().rev().find_map(|s| match s {
                    MergeStep::Resolved { path, diffs } if *path == step.path => Some(diffs),
                    _ => None,
                });
                if let Some(diffs) = resolved {
                    // A parent without a row equals nothing; keep the positions in step.
                    while diffs.len() < k as usize {
                        diffs.push(Step {
                            hunks: None,
                            ..step
                        });
                    }
                    diffs.push(step);
                }
            }
            (None, _) => {}
        }
    }
    Ok(replay)
}

/// The `hunks` column of a table, copied into one buffer (see [`flat_hunks`]).
type FlatHunks = (Vec<u32>, Vec<Option<(usize, usize)>>);

/// The columns of a changes or merges table that make a [`Step`].
struct Rows<'a> {
    commit: &'a StringChunked,
    path: &'a StringChunked,
    old_path: &'a StringChunked,
    kind: &'a StringChunked,
    hunks: &'a FlatHunks,
}

impl<'a> Rows<'a> {
    fn of(df: &'a DataFrame, hunks: &'a FlatHunks) -> PolarsResult<Self> {
        Ok(Rows {
            commit: df.column(col::COMMIT)?.str()?,
            path: df.column(col::PATH)?.str()?,
            old_path: df.column(col::OLD_PATH)?.str()?,
            kind: df.column(col::KIND)?.str()?,
            hunks,
        })
    }

    fn step(
        &self,
        row: usize,
        index: &rustc_hash::FxHashMap<&str, usize>,
        paths: &mut Paths<'a>,
    ) -> Option<(usize, Step<'a>)> {
        let commit = *index.get(self.commit.get(row)?)?;
        let (flat, ranges) = self.hunks;
        Some((
            commit,
            Step {
                kind: kind_of(self.kind.get(row)?),
                path: paths.intern(self.path.get(row)?),
                old_path: self.old_path.get(row).map(|p| paths.intern(p)),
                hunks: ranges
                    .get(row)
                    .copied()
                    .flatten()
                    .map(|(start, end)| &flat[start..end]),
            },
        ))
    }
}

/// A state as a table of runs: `path`, `start`, `len`, `origin` (the commit id; null for a file
/// whose origins are unknown).
fn state_frame(state: &State, paths: &Paths<'_>, ids: &[&str]) -> PolarsResult<DataFrame> {
    let runs = runs(state);
    df!(
        col::PATH => runs.iter().map(|r| paths.names[r.0 as usize]).collect::<Vec<_>>(),
        "start" => runs.iter().map(|r| r.1).collect::<Vec<_>>(),
        "len" => runs.iter().map(|r| r.2).collect::<Vec<_>>(),
        "origin" => runs.iter().map(|r| r.3.map(|o| ids[o as usize])).collect::<Vec<_>>(),
    )
}

/// The state [`state_frame`] stored; `None` if it names a commit the tables do not hold or
/// its runs do not tile the files.
fn read_state<'a>(
    df: &'a DataFrame,
    index: &rustc_hash::FxHashMap<&str, usize>,
    paths: &mut Paths<'a>,
) -> PolarsResult<Option<State>> {
    let path = df.column(col::PATH)?.str()?;
    let start = df.column("start")?.u32()?;
    let len = df.column("len")?.u32()?;
    let origin = df.column("origin")?.str()?;
    let mut runs = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let (Some(p), Some(s), Some(l)) = (path.get(row), start.get(row), len.get(row)) else {
            return Ok(None);
        };
        let o = match origin.get(row) {
            Some(id) => match index.get(id) {
                Some(&i) => Some(i as u32),
                None => return Ok(None),
            },
            None => None,
        };
        runs.push((paths.intern(p), s, l, o));
    }
    Ok(from_runs(runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(state: &State, path: u32) -> Option<Vec<u32>> {
        state.get(&path).cloned().flatten().map(|l| l.to_vec())
    }

    fn step(kind: Kind, path: u32, old_path: Option<u32>, hunks: &[u32]) -> Step<'_> {
        Step {
            kind,
            path,
            old_path,
            hunks: Some(hunks),
        }
    }

    #[test]
    fn edits_keep_the_origins_of_lines_outside_their_hunks() {
        let mut state = State::new();
        // Commit 0 adds file 7 with four lines.
        apply_commit(&mut state, 0, &[step(Kind::Added, 7, None, &[0, 0, 0, 4])]);
        assert_eq!(lines(&state, 7), Some(vec![0, 0, 0, 0]));
        // Commit 1 replaces line 2 (index 1) by two lines and appends one.
        apply_commit(
            &mut state,
            1,
            &[step(Kind::Changed, 7, None, &[1, 1, 1, 2, 4, 0, 5, 1])],
        );
        assert_eq!(lines(&state, 7), Some(vec![0, 1, 1, 0, 0, 1]));
        // Commit 2 renames it to file 8, deleting the first line, and adds a new file 7.
        apply_commit(
            &mut state,
            2,
            &[
                step(Kind::Changed, 8, Some(7), &[0, 1, 0, 0]),
                step(Kind::Added, 7, None, &[0, 0, 0, 1]),
            ],
        );
        assert_eq!(lines(&state, 8), Some(vec![1, 1, 0, 0, 1]));
        assert_eq!(lines(&state, 7), Some(vec![2]));
        // Hunks that do not fit the file make its origins unknown, not wrong.
        apply_commit(
            &mut state,
            3,
            &[step(Kind::Changed, 7, None, &[5, 1, 5, 1])],
        );
        assert_eq!(state.get(&7), Some(&None));
        apply_commit(&mut state, 4, &[step(Kind::Deleted, 8, None, &[])]);
        assert!(!state.contains_key(&8));
    }

    #[test]
    fn a_merge_passes_lines_on_from_the_parent_they_came_from() {
        // Base (commit 0): file 1 with lines a b c. Left (commit 1) changes line a; right
        // (commit 2) changes line c and adds file 2. The merge (commit 3) keeps both edits and
        // resolves by adding a line of its own at the end.
        let mut base = State::new();
        apply_commit(&mut base, 0, &[step(Kind::Added, 1, None, &[0, 0, 0, 3])]);
        let mut left = base.clone();
        apply_commit(&mut left, 1, &[step(Kind::Changed, 1, None, &[0, 1, 0, 1])]);
        let mut right = base.clone();
        apply_commit(
            &mut right,
            2,
            &[
                step(Kind::Changed, 1, None, &[2, 1, 2, 1]),
                step(Kind::Added, 2, None, &[0, 0, 0, 2]),
            ],
        );
        assert_eq!(lines(&left, 1), Some(vec![1, 0, 0]));
        assert_eq!(lines(&right, 1), Some(vec![0, 0, 2]));
        let mut merged = left.clone();
        // Merge has A' b C' m: against left, lines 3 and 4 are new; against right, 1 and 4.
        let left_diff = [2, 1, 2, 2];
        let right_diff = [0, 1, 0, 1, 3, 0, 3, 1];
        apply_merge(
            &mut merged,
            3,
            &[&left, &right],
            &[
                MergeStep::Resolved {
                    path: 1,
                    diffs: vec![
                        step(Kind::Changed, 1, None, &left_diff),
                        step(Kind::Changed, 1, None, &right_diff),
                    ],
                },
                MergeStep::FromParent {
                    path: 2,
                    old_path: None,
                    parent: 1,
                    first: None,
                },
            ],
        );
        assert_eq!(lines(&merged, 1), Some(vec![1, 0, 2, 3]));
        assert_eq!(lines(&merged, 2), Some(vec![2, 2]));
    }

    #[test]
    fn hunk_arithmetic() {
        assert_eq!(new_length(3, &[0, 1, 0, 3]), Some(5));
        assert_eq!(
            unchanged(5, &[1, 1, 1, 2, 4, 0, 5, 1]),
            Some(vec![(0, 0, 1), (2, 3, 2), (4, 6, 1)])
        );
        assert_eq!(replace(&[9, 9], &[0, 0, 0, 1], 3), Some(vec![3, 9, 9]));
        assert_eq!(replace(&[9, 9], &[1, 5, 1, 0], 3), None);
    }

    #[test]
    fn replay_follows_parents_and_starts_from_a_seed() {
        // 0 -> 1 -> 2 (merge of 1 and 3) -> 4, and 0 -> 3. Commit 0 adds file 1 (two lines),
        // 1 edits its first line, 3 its second, the merge takes both, 4 edits the second again.
        let add = [0, 0, 0, 2];
        let first = [0, 1, 0, 1];
        let second = [1, 1, 1, 1];
        let replay = Replay {
            parents: vec![vec![], vec![0], vec![1, 3], vec![0], vec![2]],
            steps: vec![
                vec![step(Kind::Added, 1, None, &add)],
                vec![step(Kind::Changed, 1, None, &first)],
                vec![],
                vec![step(Kind::Changed, 1, None, &second)],
                vec![step(Kind::Changed, 1, None, &second)],
            ],
            merges: vec![
                vec![],
                vec![],
                vec![MergeStep::Resolved {
                    path: 1,
                    diffs: vec![
                        step(Kind::Changed, 1, None, &second),
                        step(Kind::Changed, 1, None, &first),
                    ],
                }],
                vec![],
                vec![],
            ],
        };
        let (at_two, replayed) = replay.state_of(2, None);
        assert_eq!((lines(&at_two, 1), replayed), (Some(vec![1, 3]), 4));
        // From the state of the merge, only commit 4 is replayed.
        let (state, replayed) = replay.state_of(4, Some((2, at_two)));
        assert_eq!((lines(&state, 1), replayed), (Some(vec![1, 4]), 1));
        // From the state of 1 it cannot start: commit 3 descends from 0, whose state is not
        // known, so everything is replayed.
        let (at_one, _) = replay.state_of(1, None);
        let (state, replayed) = replay.state_of(2, Some((1, at_one.clone())));
        assert_eq!((lines(&state, 1), replayed), (Some(vec![1, 3]), 4));
        // A seed that is the target is the answer; one that is not an ancestor is ignored.
        assert_eq!(replay.state_of(1, Some((1, at_one))).1, 0);
        let (at_three, _) = replay.state_of(3, None);
        let (state, replayed) = replay.state_of(1, Some((3, at_three)));
        assert_eq!((lines(&state, 1), replayed), (Some(vec![1, 0]), 2));
    }

    #[test]
    fn a_state_survives_being_stored_as_runs() {
        let mut state = State::new();
        state.insert(3, Some(Arc::new(vec![1, 1, 2, 1])));
        state.insert(1, None);
        state.insert(2, Some(Arc::new(Vec::new())));
        let stored = runs(&state);
        assert_eq!(
            stored,
            [
                (1, 0, 0, None),
                (2, 0, 0, Some(0)),
                (3, 0, 2, Some(1)),
                (3, 2, 1, Some(2)),
                (3, 3, 1, Some(1))
            ]
        );
        let back = from_runs(stored).expect("runs tile the file");
        assert_eq!(lines(&back, 3), Some(vec![1, 1, 2, 1]));
        assert_eq!(lines(&back, 2), Some(vec![]));
        assert_eq!(back.get(&1), Some(&None));
        assert_eq!(from_runs([(3, 1, 2, Some(1))]), None);
    }
}
