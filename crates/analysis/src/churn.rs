//! Authors and churn per entity, per author and per day: code-maat's `authors`, `entity-churn`,
//! `author-churn`, `abs-churn`, `entity-ownership`, `entity-effort`, `age` and `messages`.

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

use crate::identity::{join_per_commit, with_commit_info};
use crate::time::months_between;

/// The sum of a line-count column, binary changes (null) counting 0 lines as in code-maat.
pub(crate) fn lines(name: &str) -> Expr {
    col(name)
        .fill_null(lit(0u32))
        .cast(DataType::UInt64)
        .sum()
        .alias(name)
}

/// Lines added and deleted, summed per `group` (binary changes as 0 lines, as code-maat counts
/// them), and the number of distinct commits.
pub(crate) fn churn_by(tables: &Tables, groups: &[&str]) -> PolarsResult<LazyFrame> {
    Ok(with_commit_info(tables)?
        .lazy()
        .group_by(groups.iter().map(|g| col(*g)).collect::<Vec<_>>())
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
    churn_by(tables, &[col::ENTITY])?
        .sort_by_exprs(
            [col(col::ADDED), col(col::ENTITY)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()
}

/// code-maat's `author-churn`: `author, added, deleted, commits`, by author.
pub fn author_churn(tables: &Tables) -> PolarsResult<DataFrame> {
    churn_by(tables, &[col::AUTHOR])?
        .sort_by_exprs([col(col::AUTHOR)], SortMultipleOptions::default())
        .collect()
}

/// code-maat's `abs-churn`: `date, added, deleted, commits` per day of the
/// author's local date, oldest first.
pub fn abs_churn(tables: &Tables) -> PolarsResult<DataFrame> {
    churn_by(tables, &["date"])?
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

/// code-maat's `age`: `entity, age-months`, the whole months from the last day the entity changed
/// (the author's local date, taken at its start) to `as_of` (unix seconds). Changes made at or
/// before `as_of` count; with `code_maat`, changes dated before `as_of`'s day, as code-maat
/// compares them. Youngest first, then by entity.
pub fn age(tables: &Tables, as_of: i64, code_maat: bool) -> PolarsResult<DataFrame> {
    // Changes at or before the as-of instant count; code-maat counts the days before its date.
    let tables = if code_maat {
        tables.clone()
    } else {
        crate::window(tables, i64::MIN, as_of)?
    };
    let changes = with_commit_info(&tables)?;
    let entities = changes.column(col::ENTITY)?.str()?;
    let dates = changes.column("date")?.str()?;
    let mut latest: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for (entity, date) in entities.iter().zip(dates.iter()) {
        let (Some(entity), Some(day)) = (entity, date.and_then(parse_day)) else {
            continue;
        };
        if !code_maat || day * 86_400 < as_of {
            let slot = latest.entry(entity).or_insert(day);
            *slot = (*slot).max(day);
        }
    }
    let (names, months): (Vec<&str>, Vec<u64>) = latest
        .into_iter()
        .map(|(entity, day)| (entity, months_between(day, as_of).max(0) as u64))
        .unzip();
    df!(col::ENTITY => names, "age-months" => months)?
        .lazy()
        .sort_by_exprs(
            [col("age-months"), col(col::ENTITY)],
            SortMultipleOptions::default(),
        )
        .collect()
}

/// Days since 1970 of a `YYYY-MM-DD` date.
fn parse_day(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    Some(crate::time::days_from_civil(year, month, day))
}

/// code-maat's `entity-effort`: `entity, author, author-revs, total-revs`, the revisions of each
/// author on each entity and the entity's revisions, by entity, then most revisions, then by
/// author (code-maat sorts by entity only).
pub fn entity_effort(tables: &Tables) -> PolarsResult<DataFrame> {
    let changes = with_commit_info(tables)?.lazy();
    let totals = changes
        .clone()
        .group_by([col(col::ENTITY)])
        .agg([col(col::COMMIT)
            .n_unique()
            .cast(DataType::UInt64)
            .alias("total-revs")]);
    changes
        .group_by([col(col::ENTITY), col(col::AUTHOR)])
        .agg([col(col::COMMIT)
            .n_unique()
            .cast(DataType::UInt64)
            .alias("author-revs")])
        .join(
            totals,
            [col(col::ENTITY)],
            [col(col::ENTITY)],
            JoinArgs::new(JoinType::Inner),
        )
        .sort_by_exprs(
            [col(col::ENTITY), col("author-revs"), col(col::AUTHOR)],
            SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
        )
        .collect()
}

/// code-maat's `messages`: `entity, matches`, the changes of each entity whose commit message
/// contains a match of `pattern`, most matches first, then by entity descending (code-maat's
/// order). With `subject_only`, only each message's subject is searched, as code-maat sees it.
pub fn messages(
    tables: &Tables,
    pattern: &regex::Regex,
    subject_only: bool,
) -> PolarsResult<DataFrame> {
    let commits = &tables.commits;
    let matching: Vec<bool> = commits
        .column(col::MESSAGE)?
        .str()?
        .iter()
        .map(|m| {
            let m = m.unwrap_or_default();
            if subject_only {
                pattern.is_match(&subject(m))
            } else {
                pattern.is_match(m)
            }
        })
        .collect();
    let matching = DataFrame::new(
        commits.height(),
        vec![
            commits.column(col::REPO)?.clone(),
            commits.column(col::COMMIT)?.clone(),
            Column::new("matching".into(), matching),
        ],
    )?;
    join_per_commit(tables, matching)
        .filter(col("matching"))
        .group_by([col(col::ENTITY)])
        .agg([len().cast(DataType::UInt64).alias("matches")])
        .sort_by_exprs(
            [col("matches"), col(col::ENTITY)],
            SortMultipleOptions::default().with_order_descending_multi([true, true]),
        )
        .collect()
}

/// A message's subject as git's `%s` gives it: the first paragraph, its lines joined by spaces.
pub(crate) fn subject(message: &str) -> String {
    message
        .lines()
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ")
}
