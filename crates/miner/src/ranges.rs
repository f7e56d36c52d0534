//! Line ranges followed back through the mined history, as `git log -L` follows them: the history
//! of a function (docs/xray.md) without reading any old version of its file.
//!
//! ## The algorithm
//! The ranges are those of the files at one commit. Commits are visited children first; each
//! holds the ranges as they are in its version of each file. A non-merge commit maps the ranges
//! of each file it changed through its hunks to its parent's version: it *touched* a range when a
//! hunk adds or replaces lines inside it or deletes lines from its middle; a line inside a hunk
//! maps to the hunk's whole old side, so a range grows over what a change replaced; a range made
//! only of added lines (the function was written here, or moved here from elsewhere: `git log -L`
//! does not follow such moves either) goes no further. Ranges of files it did not change pass to
//! its parent unchanged, and renames move them to the old path. At a merge, each range goes to the
//! first parent, in parent order, against which it is unchanged (mapped through the diff against
//! that parent), else to every parent, mapped through the diff against each; ranges of files
//! equal to the first parent's go to it. Merges are not counted as touching: compare with
//! `git log --no-merges -L`.
//!
//! One step further than `git log -L`: a range made only of added lines, in a file the commit
//! changed and that lost at least half as many lines elsewhere, may have been moved within the
//! file. The caller's [`MovedFrom`] is shown both versions and says where in the old one the
//! range came from; the range is then followed from there.

use std::collections::HashMap;
use std::rc::Rc;

use polars::prelude::*;

use crate::cache::Stored;
use crate::origins::{Kind, MergeStep, Paths, Step, build, flat_hunks};
use crate::table::stored;
use crate::{Error, LineRange, RangeTouch};

/// Lines `(first, last)` of a file, 0-based and inclusive.
type Lines = (u32, u32);

/// What a change does to a range: the lines it added to and deleted from it when it touched it,
/// and the range in the old version when there is one.
type Mapped = (Option<(u32, u32)>, Option<Lines>);

/// One followed range in one commit's version of a file: `(request, first, last)`, lines 0-based
/// and inclusive.
type Tracked = (u32, u32, u32);

/// The ranges of one commit, by interned path.
type State = HashMap<u32, Vec<Tracked>>;

/// One version of a file, for [`MovedFrom`].
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    /// Its blob id (40 hex digits), to cache what is read from it by.
    pub id: &'a str,
    /// Its content.
    pub data: &'a [u8],
}

/// Where lines a commit added to a file came from, when the commit moved them within the file.
pub trait MovedFrom {
    /// Names the rule, for the cache of followed ranges: it changes whenever the rule does.
    fn rule(&self) -> &'static str;

    /// `lines` (0-based, inclusive) of `new`, the commit's version of `path`, were all added by
    /// the commit; `deleted` are the lines (0-based, inclusive) it deleted from `old`, the
    /// parent's version. The lines of `old` they were moved from, if they were.
    fn moved_from(
        &self,
        path: &str,
        old: Version<'_>,
        new: Version<'_>,
        lines: (u32, u32),
        deleted: &[(u32, u32)],
    ) -> Option<(u32, u32)>;
}

/// The side table of followed ranges: the touches of each range followed from one commit.
const RANGE_TABLE: &str = "range-history-v1";

/// [`follow`] through the cache: ranges followed before from the same commit by the same rules
/// are read back, the others followed and stored with them (those of other commits dropped).
pub(crate) fn follow_cached(
    repo: &gix::Repository,
    rev: &str,
    (stored, cache): (&Stored, Option<&crate::cache::Cache>),
    first_parent: bool,
    ranges: &[LineRange],
    moves: Option<&dyn MovedFrom>,
) -> Result<Vec<Vec<RangeTouch>>, Error> {
    let commit = crate::repo::commit_of(repo, rev)?.id.to_string();
    // The commit fixes the history followed; the tool's version and the rule how it is followed.
    let scope = format!(
        "{commit} {} {} ",
        env!("CARGO_PKG_VERSION"),
        moves.map_or("lines", |m| m.rule())
    );
    let key = |r: &LineRange| format!("{scope}{} {} {}", r.start, r.end, r.path);
    let mut known: HashMap<String, Vec<RangeTouch>> = cache
        .and_then(|c| c.read_side_table(RANGE_TABLE))
        .and_then(|df| decode(&df))
        .unwrap_or_default();
    let missing: Vec<LineRange> = ranges
        .iter()
        .filter(|r| !known.contains_key(&key(r)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let found = follow(repo, rev, stored, first_parent, &missing, moves)?;
        known.retain(|k, _| k.starts_with(&scope));
        for (range, touches) in missing.iter().zip(found) {
            known.insert(key(range), touches);
        }
        if let (Some(cache), Ok(mut df)) = (cache, encode(&known)) {
            // Best effort: without it the next run follows again, which costs time, not truth.
            let _ = cache.store_side_table(RANGE_TABLE, &mut df);
        }
    }
    Ok(ranges
        .iter()
        .map(|r| known.get(&key(r)).cloned().unwrap_or_default())
        .collect())
}

/// The side table of `known`: `key` and `touches` (`COMMIT ADDED DELETED` joined by `;`), by key.
fn encode(known: &HashMap<String, Vec<RangeTouch>>) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&String, String)> = known
        .iter()
        .map(|(key, touches)| {
            let text: Vec<String> = touches
                .iter()
                .map(|t| format!("{} {} {}", t.commit, t.added, t.deleted))
                .collect();
            (key, text.join(";"))
        })
        .collect();
    rows.sort_unstable();
    let (keys, touches): (Vec<&str>, Vec<&str>) =
        rows.iter().map(|(k, t)| (k.as_str(), t.as_str())).unzip();
    DataFrame::new(
        keys.len(),
        vec![
            Column::new("key".into(), keys),
            Column::new("touches".into(), touches),
        ],
    )
}

/// [`encode`] undone; `None` when any row does not read back.
fn decode(df: &DataFrame) -> Option<HashMap<String, Vec<RangeTouch>>> {
    let keys = df.column("key").ok()?.str().ok()?;
    let touches = df.column("touches").ok()?.str().ok()?;
    let mut known = HashMap::with_capacity(df.height());
    for (key, text) in keys.iter().zip(touches.iter()) {
        let mut list = Vec::new();
        for touch in text?.split(';').filter(|t| !t.is_empty()) {
            let mut parts = touch.split(' ');
            let (Some(commit), Some(added), Some(deleted), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            list.push(RangeTouch {
                commit: commit.to_owned(),
                added: added.parse().ok()?,
                deleted: deleted.parse().ok()?,
            });
        }
        known.insert(key?.to_owned(), list);
    }
    Some(known)
}

/// For each of `ranges` (lines of the files at `rev`), the commits of `stored` that touched it,
/// newest first, with the lines they added to it and deleted from it; `moves` follows ranges
/// moved within their file.
pub(crate) fn follow(
    repo: &gix::Repository,
    rev: &str,
    stored: &Stored,
    first_parent: bool,
    ranges: &[LineRange],
    moves: Option<&dyn MovedFrom>,
) -> Result<Vec<Vec<RangeTouch>>, Error> {
    let crate::origins::CommitRows {
        ids, index, target, ..
    } = crate::origins::commit_rows(repo, rev, stored)?;
    let change_hunks = flat_hunks(stored.changes.column(stored::HUNKS)?.list()?)?;
    let merge_hunks = flat_hunks(stored.merges.column(stored::HUNKS)?.list()?)?;
    let mut paths = Paths::default();
    let replay = build(
        stored,
        &index,
        first_parent,
        (&change_hunks, &merge_hunks),
        &mut paths,
    )?;
    let mut start = State::new();
    for (i, range) in ranges.iter().enumerate() {
        if range.end >= range.start && range.start >= 1 {
            let path = paths.intern(&range.path);
            start
                .entry(path)
                .or_default()
                .push((i as u32, range.start - 1, range.end - 1));
        }
    }
    let mut touches: Vec<Vec<RangeTouch>> = vec![Vec::new(); ranges.len()];
    let mut versions = Versions::new(repo);
    let mut states: HashMap<usize, State> = HashMap::from([(target, start)]);
    for c in replay.children_first(target) {
        let Some(mut state) = states.remove(&c) else {
            continue;
        };
        let parents = &replay.parents[c];
        if parents.len() > 1 && !replay.merges[c].is_empty() {
            for (parent, part) in split_merge(state, parents, &replay.merges[c]) {
                merge_into(&mut states, parent, part);
            }
            continue;
        }
        let steps = &replay.steps[c];
        // Ranges in the parent's coordinates, kept apart until every step has taken its own.
        let mut mapped = State::new();
        for step in steps {
            let Some(tracked) = state.remove(&step.path) else {
                continue;
            };
            let mut older = Vec::new();
            for (request, first, last) in tracked {
                let (touch, mut before) = map_range(step, first, last);
                if let (Some(moves), None, [parent]) = (moves, before, parents.as_slice()) {
                    let files = (
                        paths.names[step.path as usize],
                        paths.names[step.old() as usize],
                    );
                    let commits = (ids[c], ids[*parent]);
                    before = moved(moves, &mut versions, step, commits, files, (first, last))?;
                }
                if let Some((added, deleted)) = touch {
                    touches[request as usize].push(RangeTouch {
                        commit: ids[c].to_owned(),
                        added,
                        deleted,
                    });
                }
                if let Some((first, last)) = before {
                    older.push((request, first, last));
                }
            }
            if !older.is_empty() {
                mapped.entry(step.old()).or_default().extend(older);
            }
        }
        for (path, tracked) in mapped {
            state.entry(path).or_default().extend(tracked);
        }
        if let Some(&parent) = parents.first() {
            merge_into(&mut states, parent, state);
        }
    }
    Ok(touches)
}

/// Where the range `lines` of `step`'s new version, all added by it, was moved from within the
/// file, when `step` deleted at least half as many lines elsewhere and `moves` finds it.
fn moved(
    moves: &dyn MovedFrom,
    versions: &mut Versions<'_>,
    step: &Step<'_>,
    (commit, parent): (&str, &str),
    (path, old_path): (&str, &str),
    lines: Lines,
) -> Result<Option<Lines>, Error> {
    let (Kind::Changed, Some(hunks)) = (step.kind, step.hunks) else {
        return Ok(None);
    };
    let deleted: Vec<Lines> = hunks
        .chunks_exact(4)
        .filter(|h| h[1] > 0)
        .map(|h| (h[0], h[0] + h[1] - 1))
        .collect();
    let deleted_lines: u32 = deleted.iter().map(|(a, b)| b - a + 1).sum();
    if 2 * deleted_lines < lines.1 - lines.0 + 1 {
        return Ok(None);
    }
    let (Some(new), Some(old)) = (versions.get(commit, path)?, versions.get(parent, old_path)?)
    else {
        return Ok(None);
    };
    Ok(moves.moved_from(
        path,
        Version {
            id: &old.0,
            data: &old.1,
        },
        Version {
            id: &new.0,
            data: &new.1,
        },
        lines,
        &deleted,
    ))
}

/// A blob's id (40 hex digits) and content.
type Blob = (String, Vec<u8>);

/// The versions of files at commits, read once each.
struct Versions<'r> {
    repo: &'r gix::Repository,
    read: HashMap<(String, String), Option<Rc<Blob>>>,
}

impl<'r> Versions<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        Versions {
            repo,
            read: HashMap::new(),
        }
    }

    /// The blob id and content of `path` at `commit`; `None` when it is not a blob there.
    fn get(&mut self, commit: &str, path: &str) -> Result<Option<Rc<Blob>>, Error> {
        let key = (commit.to_owned(), path.to_owned());
        if let Some(found) = self.read.get(&key) {
            return Ok(found.clone());
        }
        let found = blob_at(self.repo, commit, path)?.map(Rc::new);
        self.read.insert(key, found.clone());
        Ok(found)
    }
}

/// The blob id and content of `path` in the tree of `commit`.
fn blob_at(repo: &gix::Repository, commit: &str, path: &str) -> Result<Option<Blob>, Error> {
    let id = gix::ObjectId::from_hex(commit.as_bytes())
        .map_err(|err| Error::object("commit", commit, err))?;
    let tree = repo
        .find_commit(id)
        .and_then(|c| c.tree())
        .map_err(|err| Error::object("commit", id, err))?;
    let Ok(Some(entry)) = tree.lookup_entry_by_path(path) else {
        return Ok(None);
    };
    let blob = entry.object_id();
    let mut data = Vec::new();
    if !crate::diff::read_blob(&repo.objects, &blob, &mut data)? {
        return Ok(None);
    }
    Ok(Some((blob.to_string(), data)))
}

/// What `step` does to the range `first..=last` of its new version: whether it touched it (with
/// the lines it added to it and deleted from it) and the range in the old version, if any.
fn map_range(step: &Step<'_>, first: u32, last: u32) -> Mapped {
    match (step.kind, step.hunks) {
        (Kind::Added, _) => (Some((last - first + 1, 0)), None),
        (Kind::Deleted, _) => (None, None),
        // Binary or missing: touched, its lines unknown; followed as it is.
        (Kind::Changed, None) => (Some((0, 0)), Some((first, last))),
        (Kind::Changed, Some(hunks)) => through_hunks(hunks, first, last),
    }
}

/// [`map_range`] through the hunks of a change: `(old_start, old_len, new_start, new_len)`
/// quadruples, 0-based, in order.
fn through_hunks(hunks: &[u32], first: u32, last: u32) -> Mapped {
    let (mut added, mut deleted, mut touched) = (0u32, 0u32, false);
    // Old positions of the range's ends: from the offset of the hunks before them, or from the
    // hunk they fall in (its whole old side).
    let mut old_first: Option<u32> = None;
    let mut old_last: Option<i64> = None;
    let mut shift: i64 = 0;
    for hunk in hunks.chunks_exact(4) {
        let [old_start, old_len, new_start, new_len] = [hunk[0], hunk[1], hunk[2], hunk[3]];
        let new_end = new_start + new_len;
        if old_first.is_none() && first < new_start {
            old_first = Some((i64::from(first) - shift) as u32);
        }
        if old_first.is_none() && first < new_end {
            old_first = Some(old_start);
        }
        if old_last.is_none() && last < new_start {
            old_last = Some(i64::from(last) - shift);
        }
        if old_last.is_none() && last < new_end {
            old_last = Some(i64::from(old_start) + i64::from(old_len) - 1);
        }
        let overlap = new_end.min(last + 1).saturating_sub(new_start.max(first));
        // A pure deletion touches the range when it falls between two of its lines.
        let inside = new_len == 0 && new_start > first && new_start <= last;
        if overlap > 0 || inside {
            touched = true;
            added += overlap;
            deleted += old_len;
        }
        shift += i64::from(new_len) - i64::from(old_len);
    }
    let old_first = old_first.unwrap_or_else(|| (i64::from(first) - shift) as u32);
    let old_last = old_last.unwrap_or(i64::from(last) - shift);
    let before = (old_last >= i64::from(old_first)).then_some((old_first, old_last as u32));
    (touched.then_some((added, deleted)), before)
}

/// Adds `part` to the ranges `parent` holds (from its other children), joining the ranges of one
/// request on one path into the range that covers both.
fn merge_into(states: &mut HashMap<usize, State>, parent: usize, part: State) {
    if part.is_empty() {
        return;
    }
    // The usual case, a parent with one child: the state moves, nothing is copied.
    let state = match states.entry(parent) {
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(part);
            return;
        }
        std::collections::hash_map::Entry::Occupied(slot) => slot.into_mut(),
    };
    for (path, tracked) in part {
        let held = state.entry(path).or_default();
        for (request, first, last) in tracked {
            match held.iter_mut().find(|(r, _, _)| *r == request) {
                Some(kept) => {
                    kept.1 = kept.1.min(first);
                    kept.2 = kept.2.max(last);
                }
                None => held.push((request, first, last)),
            }
        }
    }
}

/// The ranges of a merge's `state` for each of its `parents`: a file equal to one parent's
/// version goes to it; a file that differs from every parent goes to the first parent against
/// which a range is unchanged, else to every parent, mapped through the diff against each; every
/// other file (equal to the first parent's) to the first parent.
fn split_merge(
    mut state: State,
    parents: &[usize],
    steps: &[MergeStep<'_>],
) -> Vec<(usize, State)> {
    let mut parts: Vec<State> = vec![State::new(); parents.len()];
    for step in steps {
        match step {
            MergeStep::Deleted { path } => {
                state.remove(path);
            }
            MergeStep::FromParent {
                path,
                old_path,
                parent,
                first,
            } => {
                let Some(tracked) = state.remove(path) else {
                    continue;
                };
                // As `git log -L`: the first parent against which a range is unchanged, in
                // parent order, even when the file as a whole equals a later parent's.
                for (request, start, end) in tracked {
                    let via_first =
                        first
                            .as_ref()
                            .and_then(|diff| match map_range(diff, start, end) {
                                (None, Some(before)) => Some((diff.old(), before)),
                                _ => None,
                            });
                    let (to, at, (first_line, last_line)) = match via_first {
                        Some((at, before)) => (0, at, before),
                        None => (*parent, old_path.unwrap_or(*path), (start, end)),
                    };
                    if let Some(part) = parts.get_mut(to) {
                        part.entry(at)
                            .or_default()
                            .push((request, first_line, last_line));
                    }
                }
            }
            MergeStep::Resolved { path, diffs } => {
                let Some(tracked) = state.remove(path) else {
                    continue;
                };
                for (request, first, last) in tracked {
                    // (parent, range unchanged, range in the parent, path in the parent)
                    let mapped: Vec<(usize, bool, Option<Lines>, u32)> = diffs
                        .iter()
                        .enumerate()
                        .filter(|(_, diff)| diff.hunks.is_some())
                        .map(|(i, diff)| {
                            let (touch, before) = map_range(diff, first, last);
                            (i, touch.is_none(), before, diff.old())
                        })
                        .collect();
                    let unchanged = mapped.iter().find(|m| m.1);
                    let targets: Vec<&(usize, bool, Option<Lines>, u32)> = match unchanged {
                        Some(one) => vec![one],
                        None => mapped.iter().collect(),
                    };
                    for (i, _, before, old) in targets {
                        if let (Some((first, last)), Some(part)) = (before, parts.get_mut(*i)) {
                            part.entry(*old).or_default().push((request, *first, *last));
                        }
                    }
                }
            }
        }
    }
    if let Some(first) = parts.first_mut() {
        for (path, tracked) in state {
            first.entry(path).or_default().extend(tracked);
        }
    }
    parents.iter().copied().zip(parts).collect()
}
