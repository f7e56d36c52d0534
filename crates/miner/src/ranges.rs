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

use std::collections::HashMap;

use crate::cache::Stored;
use crate::origins::{Kind, MergeStep, Paths, Step, build, flat_hunks};
use crate::table::{col, stored};
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

/// For each of `ranges` (lines of the files at `rev`), the commits of `stored` that touched it,
/// newest first, with the lines they added to it and deleted from it.
pub(crate) fn follow(
    repo: &gix::Repository,
    rev: &str,
    stored: &Stored,
    first_parent: bool,
    ranges: &[LineRange],
) -> Result<Vec<Vec<RangeTouch>>, Error> {
    let commit = crate::repo::commit_of(repo, rev)?.id.to_string();
    let ids: Vec<&str> = stored
        .commits
        .column(col::COMMIT)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let Some(&target) = index.get(commit.as_str()) else {
        return Err(Error::NotMined {
            rev: rev.to_owned(),
        });
    };
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
                let (touch, before) = map_range(step, first, last);
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
