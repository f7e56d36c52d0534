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
