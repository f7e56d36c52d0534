//! Views of the history by month and by folder, for the report's activity, ownership and
//! folder-coupling charts.

use std::collections::{BTreeMap, HashMap};

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

use crate::changesets::{Grouping, change_set_ids};
use crate::identity::join_per_commit;
use crate::ownership::{Authorship, main_developer};
use crate::time::civil_from_days;

/// The folder of `path` at `depth` levels (`a/b` for `a/b/c/d.rs` at depth 2), or `(root)` for a
/// file at the top.
pub fn folder_of(path: &str, depth: usize) -> String {
    let dirs: Vec<&str> = path.split('/').collect();
    let folders = &dirs[..dirs.len() - 1];
    if folders.is_empty() || depth == 0 {
        "(root)".to_owned()
    } else {
        folders[..depth.min(folders.len())].join("/")
    }
}

/// Per calendar month (UTC, of each change set's earliest commit): `month` (`YYYY-MM`),
/// `change_sets`, and `mean_files`, the mean number of distinct entities per change set. Months
/// without change sets between the first and the last are listed with zeros.
pub fn activity_by_month(tables: &Tables, grouping: &Grouping) -> PolarsResult<DataFrame> {
    let ids = change_set_ids(tables, grouping)?;
    let times = tables
        .commits
        .select([col::REPO, col::COMMIT, col::AUTHOR_TIME])?;
    let joined = join_per_commit(tables, times)
        .select([col(col::ENTITY), col(col::AUTHOR_TIME)])
        .collect()?;
    let mut sets: HashMap<u32, (i64, Vec<&str>)> = HashMap::new();
    let entities = joined.column(col::ENTITY)?.str()?;
    let times = joined.column(col::AUTHOR_TIME)?.i64()?;
    for ((id, entity), time) in ids.iter().zip(entities.iter()).zip(times.iter()) {
        let (Some(id), Some(entity), Some(time)) = (id, entity, time) else {
            continue;
        };
        let set = sets.entry(id).or_insert((time, Vec::new()));
        set.0 = set.0.min(time);
        set.1.push(entity);
    }
    let mut months: BTreeMap<(i64, u32), (u64, u64)> = BTreeMap::new();
    for (time, mut members) in sets.into_values() {
        members.sort_unstable();
        members.dedup();
        let (year, month, _) = civil_from_days(time.div_euclid(86_400));
        let slot = months.entry((year, month)).or_default();
        slot.0 += 1;
        slot.1 += members.len() as u64;
    }
    if let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) {
        let mut at = first;
        while at < last {
            months.entry(at).or_default();
            at = if at.1 == 12 {
                (at.0 + 1, 1)
            } else {
                (at.0, at.1 + 1)
            };
        }
    }
    let labels: Vec<String> = months
        .keys()
        .map(|(y, m)| format!("{y:04}-{m:02}"))
        .collect();
    let counts: Vec<u64> = months.values().map(|v| v.0).collect();
    let means: Vec<f64> = months
        .values()
        .map(|&(sets, files)| {
            if sets == 0 {
                0.0
            } else {
                files as f64 / sets as f64
            }
        })
        .collect();
    df!("month" => labels, "change_sets" => counts, "mean_files" => means)
}

/// Per folder at `depth` of the entities that `keep` keeps: `main_dev` (most lines added, ties
/// by name), `main_dev_share` of the folder's added lines, `authors` and `added`; sorted by added
/// lines descending, then folder.
pub fn folder_ownership(
    authorship: &Authorship,
    keep: impl Fn(&str) -> bool,
    depth: usize,
) -> PolarsResult<DataFrame> {
    let mut per_folder: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (entity, by_author) in authorship.added.iter().filter(|(e, _)| keep(e)) {
        let folder = per_folder.entry(folder_of(entity, depth)).or_default();
        for (author, lines) in by_author {
            *folder.entry(author.clone()).or_default() += lines;
        }
    }
    let mut out: Vec<(String, String, f64, u64, u64)> = per_folder
        .into_iter()
        .map(|(folder, by_author)| {
            let (main, share) = main_developer(&by_author)
                .map_or((String::new(), 0.0), |(a, share)| (a.to_owned(), share));
            let total: u64 = by_author.values().sum();
            (folder, main, share, by_author.len() as u64, total)
        })
        .collect();
    out.sort_by(|a, b| b.4.cmp(&a.4).then(a.0.cmp(&b.0)));
    df!(
        "folder" => out.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "main_dev" => out.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "main_dev_share" => out.iter().map(|r| r.2).collect::<Vec<_>>(),
        "authors" => out.iter().map(|r| r.3).collect::<Vec<_>>(),
        "added" => out.iter().map(|r| r.4).collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::folder_of;

    #[test]
    fn folders_at_a_depth() {
        assert_eq!(folder_of("a/b/c/d.rs", 1), "a");
        assert_eq!(folder_of("a/b/c/d.rs", 2), "a/b");
        assert_eq!(folder_of("a/d.rs", 3), "a");
        assert_eq!(folder_of("README.md", 1), "(root)");
    }
}
