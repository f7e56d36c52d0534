//! Authors and churn per entity, per author and per day: code-maat's `authors`, `entity-churn`,
//! `author-churn`, `abs-churn` and `entity-ownership`.

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

use crate::identity::with_commit_info;

/// The sum of a line-count column, binary changes (null) counting 0 lines as in code-maat.
fn lines(name: &str) -> Expr {
    col(name)
        .fill_null(lit(0u32))
        .cast(DataType::UInt64)
        .sum()
        .alias(name)
}

/// Lines added and deleted, summed per `group` (binary changes as 0 lines, as code-maat counts
/// them), and the number of distinct commits.
fn churn_by(tables: &Tables, group: &str) -> PolarsResult<LazyFrame> {
    Ok(with_commit_info(tables)?
        .lazy()
        .group_by([col(group)])
        .agg([
            lines(col::ADDED),
            lines(col::DELETED),
            col(col::COMMIT)
                .n_unique()
                .cast(DataType::UInt64)
                .alias("commits"),
        ]))
}

/// code-maat's `entity-churn`: `entity, added, deleted, commits`, most added
/// first, then by entity.
pub fn entity_churn(tables: &Tables) -> PolarsResult<DataFrame> {
    churn_by(tables, col::ENTITY)?
        .sort_by_exprs(
            [col(col::ADDED), col(col::ENTITY)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()
}

/// code-maat's `author-churn`: `author, added, deleted, commits`, by author.
pub fn author_churn(tables: &Tables) -> PolarsResult<DataFrame> {
    churn_by(tables, col::AUTHOR)?
        .sort_by_exprs([col(col::AUTHOR)], SortMultipleOptions::default())
        .collect()
}

/// code-maat's `abs-churn`: `date, added, deleted, commits` per day of the
/// author's local date, oldest first.
pub fn abs_churn(tables: &Tables) -> PolarsResult<DataFrame> {
    churn_by(tables, "date")?
        .sort_by_exprs([col("date")], SortMultipleOptions::default())
        .collect()
}

/// code-maat's `authors`: `entity, n-authors, n-revs` (distinct commit authors and revisions per
/// entity), most authors first, then most revisions, then by entity.
pub fn authors(tables: &Tables) -> PolarsResult<DataFrame> {
    with_commit_info(tables)?
        .lazy()
        .group_by([col(col::ENTITY)])
        .agg([
            col(col::AUTHOR)
                .n_unique()
                .cast(DataType::UInt64)
                .alias("n-authors"),
            len().cast(DataType::UInt64).alias("n-revs"),
        ])
        .sort_by_exprs(
            [col("n-authors"), col("n-revs"), col(col::ENTITY)],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
        )
        .collect()
}

/// code-maat's `entity-ownership`: `entity, author, added, deleted` per entity and author, by
/// entity, then most added, then by author (code-maat sorts by entity only).
pub fn entity_ownership(tables: &Tables) -> PolarsResult<DataFrame> {
    with_commit_info(tables)?
        .lazy()
        .group_by([col(col::ENTITY), col(col::AUTHOR)])
        .agg([lines(col::ADDED), lines(col::DELETED)])
        .sort_by_exprs(
            [col(col::ENTITY), col(col::ADDED), col(col::AUTHOR)],
            SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
        )
        .collect()
}
