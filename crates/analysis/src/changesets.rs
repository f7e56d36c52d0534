//! Change sets (docs/metrics.md, *Change sets*): the groups of entities that changed together, which coupling, sum of
//! coupling and revisions count over.

use std::collections::HashMap;

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;
use regex::Regex;

/// The column with a row's change set, a number unique over all repositories.
pub(crate) const CHANGE_SET: &str = "change_set";

/// The column with the number of distinct entities in a row's change set.
pub(crate) const SIZE: &str = "size";

/// The ticket key pattern when the config names none: `PROJ-123`.
pub const DEFAULT_TICKET_PATTERN: &str = "[A-Z][A-Z0-9]+-[0-9]+";

/// How commits are grouped into change sets (`--group-by`).
#[derive(Debug, Clone, Default)]
pub enum Grouping {
    /// One non-merge commit is one change set (code-maat's unit).
    #[default]
    Commit,
    /// Each commit on the first-parent line is one change set, and a merge on it takes every
    /// commit it brought in: a merged pull request is one change set.
    PullRequest,
    /// Commits whose messages carry the same ticket key (the first match of the pattern) are one
    /// change set; a commit without a key is its own.
    Ticket(Regex),
    /// One author's commits within `days` days of the first commit of the set are one change
    /// set; the next commit after that starts a new one. Repositories are not told apart, so
    /// this couples files across repositories.
    AuthorWindow {
        /// The window's length in days (`--window-days`).
        days: u32,
    },
}

/// One row per change set and entity, each entity once per set: `change_set, entity, size`.
pub(crate) fn change_set_entities(tables: &Tables, grouping: &Grouping) -> PolarsResult<LazyFrame> {
    let ids = change_set_ids(tables, grouping)?;
    let entities = DataFrame::new(
        ids.len(),
        vec![
            ids.into_series().into_column(),
            tables.changes.column(col::ENTITY)?.clone(),
        ],
    )?
    .lazy()
    .unique(None, UniqueKeepStrategy::First);
    let sizes = entities
        .clone()
        .group_by([col(CHANGE_SET)])
        .agg([len().cast(DataType::UInt64).alias(SIZE)]);
    Ok(entities.join(
        sizes,
        [col(CHANGE_SET)],
        [col(CHANGE_SET)],
        JoinArgs::new(JoinType::Inner),
    ))
}

impl Grouping {
    /// What a change set is, in words (for `--explain`).
    pub fn describe(&self) -> String {
        match self {
            Grouping::Commit => "one per non-merge commit".to_owned(),
            Grouping::PullRequest => {
                "one per first-parent commit, merges with their branch".to_owned()
            }
            Grouping::Ticket(p) => format!("commits sharing a ticket key matching `{p}`"),
            Grouping::AuthorWindow { days } => {
                format!("one author's commits within {days} day(s)")
            }
        }
    }
}

/// The number of change sets (that changed at least one entity).
pub fn change_set_count(tables: &Tables, grouping: &Grouping) -> PolarsResult<u64> {
    Ok(change_set_ids(tables, grouping)?.n_unique()? as u64)
}

/// The change set of each row of the changes table.
pub(crate) fn change_set_ids(tables: &Tables, grouping: &Grouping) -> PolarsResult<UInt32Chunked> {
    let changes = &tables.changes;
    let commit_group = match grouping {
        Grouping::Commit => HashMap::new(),
        Grouping::PullRequest => pull_requests(&tables.commits)?,
        Grouping::Ticket(pattern) => tickets(&tables.commits, pattern)?,
        Grouping::AuthorWindow { days } => author_windows(&tables.commits, *days)?,
    };
    // Numbers are handed out in order of first appearance, so they are deterministic.
    let mut numbers: HashMap<(&str, &str), u32> = HashMap::new();
    let mut groups: HashMap<u32, u32> = HashMap::new();
    let ids: Vec<u32> = commit_keys(changes)?
        .into_iter()
        .map(|key| {
            let next = numbers.len() as u32;
            let commit_number = *numbers.entry(key).or_insert(next);
            match commit_group.get(&key) {
                None => commit_number,
                Some(&group) => {
                    let next = commit_number;
                    *groups.entry(group).or_insert(next)
                }
            }
        })
        .collect();
    Ok(UInt32Chunked::from_vec(CHANGE_SET.into(), ids))
}

type CommitGroups<'a> = HashMap<(&'a str, &'a str), u32>;

/// `(repo, commit)` of each row of a frame with those columns.
pub(crate) fn commit_keys(commits: &DataFrame) -> PolarsResult<Vec<(&str, &str)>> {
    Ok(commits
        .column(col::REPO)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .zip(
            commits
                .column(col::COMMIT)?
                .str()?
                .iter()
                .map(Option::unwrap_or_default),
        )
        .collect())
}

/// Assigns each commit to the first-parent commit that brought it into the line: walking each
/// repository's first-parent line from its oldest commit, a commit claims every ancestor not
/// claimed yet, so a merge claims exactly the commits of its branch.
fn pull_requests(commits: &DataFrame) -> PolarsResult<CommitGroups<'_>> {
    let keys = commit_keys(commits)?;
    let index: HashMap<(&str, &str), usize> =
        keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    let parents_column = commits.column(col::PARENTS)?.list()?;
    let parents: Vec<Vec<usize>> = keys
        .iter()
        .enumerate()
        .map(|(i, &(repo, _))| {
            let Some(list) = parents_column.get_as_series(i) else {
                return Vec::new();
            };
            list.str().map_or_else(
                |_| Vec::new(),
                |ids| {
                    ids.iter()
                        .filter_map(|id| index.get(&(repo, id?)).copied())
                        .collect()
                },
            )
        })
        .collect();
    // Tips are the commits no other selected commit names as a parent, in table order.
    let mut is_parent = vec![false; keys.len()];
    for list in &parents {
        for &p in list {
            is_parent[p] = true;
        }
    }
    let mut owner: Vec<Option<u32>> = vec![None; keys.len()];
    for tip in (0..keys.len()).filter(|&i| !is_parent[i]) {
        let mut line = vec![tip];
        let mut at = tip;
        while let Some(first) = first_parent(parents_column, at, keys[at].0, &index) {
            if owner[first].is_some() {
                break;
            }
            line.push(first);
            at = first;
        }
        for &head in line.iter().rev() {
            if owner[head].is_some() {
                continue;
            }
            let group = head as u32;
            let mut stack = vec![head];
            while let Some(c) = stack.pop() {
                if owner[c].is_some() {
                    continue;
                }
                owner[c] = Some(group);
                stack.extend(parents[c].iter().copied().filter(|&p| owner[p].is_none()));
            }
        }
    }
    Ok(keys
        .into_iter()
        .zip(owner)
        .filter_map(|(key, group)| group.map(|g| (key, g)))
        .collect())
}

/// The first parent of commit `i`, when it is among the selected commits.
fn first_parent(
    parents: &ListChunked,
    i: usize,
    repo: &str,
    index: &HashMap<(&str, &str), usize>,
) -> Option<usize> {
    let list = parents.get_as_series(i)?;
    let first = list.str().ok()?.iter().next()??;
    index.get(&(repo, first)).copied()
}

/// Groups commits by the first ticket key in their message.
fn tickets<'a>(commits: &'a DataFrame, pattern: &Regex) -> PolarsResult<CommitGroups<'a>> {
    let keys = commit_keys(commits)?;
    let mut numbers: HashMap<(&str, &str), u32> = HashMap::new();
    let mut groups = HashMap::new();
    for (key, message) in keys
        .into_iter()
        .zip(commits.column(col::MESSAGE)?.str()?.iter())
    {
        if let Some(ticket) = message.and_then(|m| pattern.find(m)) {
            let next = numbers.len() as u32;
            let number = *numbers.entry((key.0, ticket.as_str())).or_insert(next);
            groups.insert(key, number);
        }
    }
    Ok(groups)
}

/// Groups each author's commits into windows of `days` days, each starting at its first commit.
fn author_windows(commits: &DataFrame, days: u32) -> PolarsResult<CommitGroups<'_>> {
    let keys = commit_keys(commits)?;
    let authors: Vec<&str> = commits
        .column(col::AUTHOR)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect();
    let times: Vec<i64> = commits
        .column(col::AUTHOR_TIME)?
        .i64()?
        .into_no_null_iter()
        .collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| (authors[a], times[a], keys[a]).cmp(&(authors[b], times[b], keys[b])));
    let length = i64::from(days) * 86_400;
    let mut groups = HashMap::new();
    let mut current: Option<(&str, i64, u32)> = None;
    let mut next = 0u32;
    for i in order {
        let group = match current {
            Some((author, start, group)) if author == authors[i] && times[i] < start + length => {
                group
            }
            _ => {
                next += 1;
                current = Some((authors[i], times[i], next));
                next
            }
        };
        groups.insert(keys[i], group);
    }
    Ok(groups)
}
