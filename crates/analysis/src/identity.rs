use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

use crate::changesets::{Grouping, change_set_entities};
use crate::format_time;

/// The changes table with each commit's `author`, `author_time` (local ISO 8601, like git's
/// `%aI`) and `date` (the author's local `YYYY-MM-DD`, like `git log --date=short`), in the mined
/// order.
pub(crate) fn with_commit_info(tables: &Tables) -> PolarsResult<DataFrame> {
    let commits = tables.commits.select([
        col::REPO,
        col::COMMIT,
        col::AUTHOR,
        col::AUTHOR_TIME,
        col::AUTHOR_TZ,
    ])?;
    let times: Vec<String> = commits
        .column(col::AUTHOR_TIME)?
        .i64()?
        .into_no_null_iter()
        .zip(commits.column(col::AUTHOR_TZ)?.i32()?.into_no_null_iter())
        .map(|(t, tz)| format_time(t, tz))
        .collect();
    let dates: Vec<&str> = times
        .iter()
        .map(|t| &t[..t.find('T').unwrap_or(t.len())])
        .collect();
    let mut commits = commits.drop(col::AUTHOR_TZ)?;
    commits.with_column(Column::new("date".into(), dates))?;
    commits.replace(
        col::AUTHOR_TIME,
        Column::new(col::AUTHOR_TIME.into(), times.clone()),
    )?;
    join_per_commit(tables, commits).collect()
}

/// One row per commit and person who made it, columns `repo, commit, author, author_time`: the
/// author, then each `Co-authored-by` co-author not already named (docs/metrics.md, *Co-authors*: co-authors count as
/// authors in cochange's own people measures; code-maat's analyses see the author alone, as
/// code-maat does).
pub(crate) fn people_per_commit(history: &Tables) -> PolarsResult<DataFrame> {
    let commits = &history.commits;
    let repo = commits.column(col::REPO)?.str()?;
    let commit = commits.column(col::COMMIT)?.str()?;
    let author = commits.column(col::AUTHOR)?.str()?;
    let time = commits.column(col::AUTHOR_TIME)?.i64()?;
    let coauthors = commits.column(col::COAUTHORS)?.list()?;
    let (mut repos, mut ids, mut names, mut times) = (vec![], vec![], vec![], vec![]);
    for (i, list) in coauthors.amortized_iter().enumerate() {
        let (Some(r), Some(c), Some(a), Some(t)) =
            (repo.get(i), commit.get(i), author.get(i), time.get(i))
        else {
            continue;
        };
        let mut people = vec![a.to_owned()];
        if let Some(list) = list {
            for name in list.as_ref().str()?.iter().flatten() {
                if !people.iter().any(|p| p == name) {
                    people.push(name.to_owned());
                }
            }
        }
        for person in people {
            repos.push(r);
            ids.push(c);
            names.push(person);
            times.push(t);
        }
    }
    df!(
        col::REPO => repos,
        col::COMMIT => ids,
        col::AUTHOR => names,
        col::AUTHOR_TIME => times,
    )
}

/// The changes table with the columns of `per_commit` (keyed by `repo` and `commit`) joined onto
/// each change, in the mined order.
pub(crate) fn join_per_commit(tables: &Tables, per_commit: DataFrame) -> LazyFrame {
    tables.changes.clone().lazy().join(
        per_commit.lazy(),
        [col(col::REPO), col(col::COMMIT)],
        [col(col::REPO), col(col::COMMIT)],
        JoinArgs {
            maintain_order: MaintainOrderJoin::Left,
            ..JoinArgs::new(JoinType::Left)
        },
    )
}

/// The changes table joined with each commit's author and date, like code-maat's `identity`:
/// columns `commit, author, author_time, path, old_path, entity, kind, added, deleted, binary`
/// (plus `repo` first when `with_repo`), in the mined order (newest commit first).
pub fn changes(tables: &Tables, with_repo: bool) -> PolarsResult<DataFrame> {
    let joined = with_commit_info(tables)?;
    let mut columns = vec![
        col::COMMIT,
        col::AUTHOR,
        col::AUTHOR_TIME,
        col::PATH,
        col::OLD_PATH,
        col::ENTITY,
        col::KIND,
        col::ADDED,
        col::DELETED,
        col::BINARY,
    ];
    if with_repo {
        columns.insert(0, col::REPO);
    }
    joined.select(columns)
}

/// Revisions per entity, code-maat's `revisions`: columns `entity, n-revs`, most revised first,
/// then by entity. A revision is a change set that touches the entity.
pub fn revisions(tables: &Tables, grouping: &Grouping) -> PolarsResult<DataFrame> {
    change_set_entities(tables, grouping)?
        .group_by([col(col::ENTITY)])
        .agg([len().cast(DataType::UInt64).alias("n-revs")])
        .sort_by_exprs(
            [col("n-revs"), col(col::ENTITY)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()
}
