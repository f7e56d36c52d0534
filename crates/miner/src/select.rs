//! Picking the requested history out of everything mined, ordering it, and following renames.

use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use gix::ObjectId;
use polars::prelude::*;

use crate::Tables;
use crate::table::{col, stored};

/// What to pick: commits reachable from `tips` (along first parents only, if asked) whose author
/// time lies in `[since, until]`.
pub(crate) struct Pick<'a> {
    pub tips: &'a [ObjectId],
    pub first_parent: bool,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub repo: &'a str,
}

/// Builds the returned tables from the cached (or freshly mined) ones.
///
/// Commits come newest first with parents after all their children (git's `--date-order`).
/// `entity` is computed over all reachable commits, not only the time window, so a file keeps
/// the same entity whatever window is asked for.
pub(crate) fn select(
    commits: &DataFrame,
    changes: &DataFrame,
    pick: &Pick<'_>,
) -> PolarsResult<Tables> {
    let (ids, index) = commit_ids(commits)?;
    let parents = parent_indices(commits, &index, pick.first_parent)?;
    let committer_time: Vec<i64> = commits
        .column(col::COMMITTER_TIME)?
        .i64()?
        .into_no_null_iter()
        .collect();
    let author_time: Vec<i64> = commits
        .column(col::AUTHOR_TIME)?
        .i64()?
        .into_no_null_iter()
        .collect();

    let tips: Vec<usize> = pick
        .tips
        .iter()
        .filter_map(|tip| index.get(tip.to_string().as_str()).copied())
        .collect();
    let reachable = reachable(&tips, &parents, ids.len());
    let order = date_order(&reachable, &parents, &committer_time, &ids);

    // Change rows of each commit, in their stored order.
    let change_commits: Vec<&str> = changes
        .column(col::COMMIT)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect();
    let mut rows_of: Vec<Vec<IdxSize>> = vec![Vec::new(); ids.len()];
    for (row, commit) in change_commits.iter().enumerate() {
        if let Some(&i) = index.get(commit) {
            rows_of[i].push(row as IdxSize);
        }
    }
    let entities = follow_renames(changes, &order, &rows_of)?;

    let in_window = |i: usize| {
        pick.since.is_none_or(|s| author_time[i] >= s)
            && pick.until.is_none_or(|u| author_time[i] <= u)
    };
    let kept: Vec<usize> = order.iter().copied().filter(|&i| in_window(i)).collect();
    let commit_rows: Vec<IdxSize> = kept.iter().map(|&i| i as IdxSize).collect();
    let change_rows: Vec<IdxSize> = kept
        .iter()
        .flat_map(|&i| rows_of[i].iter().copied())
        .collect();
    let path = changes.column(col::PATH)?.str()?;
    let change_entities: Vec<&str> = change_rows
        .iter()
        .map(|&row| match &entities[row as usize] {
            Some(entity) => entity.as_str(),
            None => path.get(row as usize).unwrap_or_default(),
        })
        .collect();

    let mut commits_out = commits.take(&IdxCa::from_vec("idx".into(), commit_rows))?;
    let n = commits_out.height();
    commits_out.insert_column(0, Column::new(col::REPO.into(), vec![pick.repo; n]))?;

    // The hunks are the cache's, for the replay of line origins; the returned table lacks them.
    let without_hunks = if changes.schema().contains(stored::HUNKS) {
        changes.drop(stored::HUNKS)?
    } else {
        changes.clone()
    };
    let mut changes_out = without_hunks.take(&IdxCa::from_vec("idx".into(), change_rows))?;
    let m = changes_out.height();
    changes_out.insert_column(0, Column::new(col::REPO.into(), vec![pick.repo; m]))?;
    changes_out.insert_column(4, Column::new(col::ENTITY.into(), change_entities))?;
    Ok(Tables {
        commits: commits_out,
        changes: changes_out,
    })
}

/// The [`Tables`] mining returns, from rows read elsewhere (exported Parquet tables):
/// `commits` and `changes` hold the columns of [`Tables`] without `repo` (and `changes` without
/// `entity`), in any order. Every commit that is no other's parent is a tip (along first parents
/// only, if the rows were mined so); the result is ordered, windowed to author times in
/// `[since, until]` and its renames followed as mining does.
pub fn tables_from_rows(
    commits: &DataFrame,
    changes: &DataFrame,
    repo: &str,
    first_parent: bool,
    (since, until): (Option<i64>, Option<i64>),
) -> PolarsResult<Tables> {
    let (ids, index) = commit_ids(commits)?;
    let parents = parent_indices(commits, &index, first_parent)?;
    let mut is_parent = vec![false; ids.len()];
    for &p in parents.iter().flatten() {
        is_parent[p] = true;
    }
    let tips: Vec<ObjectId> = ids
        .iter()
        .zip(&is_parent)
        .filter(|(_, parent)| !**parent)
        .filter_map(|(id, _)| ObjectId::from_hex(id.as_bytes()).ok())
        .collect();
    select(
        commits,
        changes,
        &Pick {
            tips: &tips,
            first_parent,
            since,
            until,
            repo,
        },
    )
}

/// The row of each commit id (40 hex digits).
pub type CommitIndex<'t> = FxHashMap<&'t str, usize>;

/// The commits of a table as a graph.
#[derive(Debug, Clone)]
pub struct CommitGraph<'t> {
    /// The ids (40 hex digits) in row order.
    pub ids: Vec<&'t str>,
    /// The row of each id.
    pub index: CommitIndex<'t>,
    /// For each row, the rows of its parents (a parent beyond a shallow graft has no row, and is
    /// left out).
    pub parents: Vec<Vec<usize>>,
}

/// The [`CommitGraph`] of `commits`.
pub fn commit_graph(commits: &DataFrame) -> PolarsResult<CommitGraph<'_>> {
    let (ids, index) = commit_ids(commits)?;
    let parents = parent_indices(commits, &index, false)?;
    Ok(CommitGraph {
        ids,
        index,
        parents,
    })
}

/// The ids of `commits` in row order, and the row of each.
pub(crate) fn commit_ids(commits: &DataFrame) -> PolarsResult<(Vec<&str>, FxHashMap<&str, usize>)> {
    let ids: Vec<&str> = commits
        .column(col::COMMIT)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect();
    let index: FxHashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    Ok((ids, index))
}

fn parent_indices(
    commits: &DataFrame,
    index: &FxHashMap<&str, usize>,
    first_parent: bool,
) -> PolarsResult<Vec<Vec<usize>>> {
    let lists = commits.column(col::PARENTS)?.list()?;
    let mut out = Vec::with_capacity(commits.height());
    for list in lists.amortized_iter() {
        let mut parents = Vec::new();
        if let Some(list) = list {
            for parent in list.as_ref().str()?.iter().flatten() {
                // A parent outside the table is beyond a shallow graft; it has no rows.
                if let Some(&i) = index.get(parent) {
                    parents.push(i);
                }
                if first_parent {
                    break;
                }
            }
        }
        out.push(parents);
    }
    Ok(out)
}

fn reachable(tips: &[usize], parents: &[Vec<usize>], n: usize) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack = tips.to_vec();
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(parents[i].iter().copied().filter(|&p| !seen[p]));
        }
    }
    seen
}

/// Children before parents; among commits that are ready, the newest committer time first, then
/// the larger id, so the order never depends on how the rows were stored.
fn date_order(
    reachable: &[bool],
    parents: &[Vec<usize>],
    committer_time: &[i64],
    ids: &[&str],
) -> Vec<usize> {
    let mut children = vec![0usize; reachable.len()];
    for (i, ps) in parents.iter().enumerate() {
        if reachable[i] {
            for &p in ps {
                children[p] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<(i64, &str, usize)> = (0..reachable.len())
        .filter(|&i| reachable[i] && children[i] == 0)
        .map(|i| (committer_time[i], ids[i], i))
        .collect();
    let mut order = Vec::new();
    while let Some((_, _, i)) = ready.pop() {
        order.push(i);
        for &p in &parents[i] {
            children[p] -= 1;
            if children[p] == 0 {
                ready.push((committer_time[p], ids[p], p));
            }
        }
    }
    order
}

/// The entity of every change row (by row; `None`: the row's own path): the newest path of the
/// file, following renames backwards.
///
/// Walking from the newest commit to the oldest, a rename `old -> new` makes older changes of
/// `old` belong to the entity of `new`; an addition ends that, because an older file at the same
/// path was a different file. Within one commit all entities are taken before any update, so a
/// commit that renames `a -> b` and adds a new `a` keeps the two apart.
fn follow_renames(
    changes: &DataFrame,
    order: &[usize],
    rows_of: &[Vec<IdxSize>],
) -> PolarsResult<Vec<Option<String>>> {
    let path = changes.column(col::PATH)?.str()?;
    let old_path = changes.column(col::OLD_PATH)?.str()?;
    let kind = changes.column(col::KIND)?.str()?;
    // Older path -> the entity its changes belong to; most files are never renamed, so most rows
    // are their own path's entity and need no string of their own.
    let mut alias: FxHashMap<&str, String> = FxHashMap::default();
    let mut out: Vec<Option<String>> = vec![None; changes.height()];
    for &commit in order {
        let rows = &rows_of[commit];
        for &row in rows {
            let p = path.get(row as usize).unwrap_or_default();
            out[row as usize] = alias.get(p).cloned();
        }
        for &row in rows {
            let p = path.get(row as usize).unwrap_or_default();
            match kind.get(row as usize) {
                Some("A") => {
                    alias.remove(p);
                }
                Some("R") => {
                    let entity = out[row as usize].clone().unwrap_or_else(|| p.to_owned());
                    alias.remove(p);
                    if let Some(old) = old_path.get(row as usize) {
                        alias.insert(old, entity);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(out)
}
