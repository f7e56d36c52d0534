use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

/// code-maat's `summary`: columns `statistic, value` with the number of commits that changed at
/// least one file, distinct entities, entity changes (rows) and distinct authors of those commits.
pub fn summary(tables: &Tables) -> PolarsResult<DataFrame> {
    let changes = &tables.changes;
    let changed_commits = changes.column(col::COMMIT)?.n_unique()?;
    let entities = changes.column(col::ENTITY)?.n_unique()?;
    let authors = tables
        .commits
        .clone()
        .lazy()
        .join(
            changes
                .clone()
                .lazy()
                .select([col(col::REPO), col(col::COMMIT)])
                .unique(None, UniqueKeepStrategy::First),
            [col(col::REPO), col(col::COMMIT)],
            [col(col::REPO), col(col::COMMIT)],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col(col::AUTHOR).n_unique()])
        .collect()?
        .column(col::AUTHOR)?
        .get(0)?
        .extract::<u64>()
        .unwrap_or(0);
    df!(
        "statistic" => ["number-of-commits", "number-of-entities", "number-of-entities-changed", "number-of-authors"],
        "value" => [changed_commits as u64, entities as u64, changes.height() as u64, authors],
    )
}
