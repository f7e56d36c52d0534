//! Main developers, fragmentation and communication: code-maat's `main-dev`,
//! `refactoring-main-dev`, `main-dev-by-revs`, `fragmentation` and `communication`.

use std::collections::{BTreeMap, HashMap};

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

use crate::churn::churn_by;
use crate::identity::{join_per_commit, people_per_commit, with_commit_info};

/// Entity → author → lines added. Every author who changed the entity is listed, with 0 when
/// they only deleted lines or changed a binary file.
pub(crate) type AddedLines = HashMap<String, BTreeMap<String, u64>>;

/// Who added the lines of each entity over a history, and when each person was last active: read
/// once, shared by the backlog's owners, knowledge and folder ownership.
#[derive(Debug, Default)]
pub struct Authorship {
    /// [`added_lines`].
    pub(crate) added: AddedLines,
    /// [`last_active`].
    pub(crate) last_active: HashMap<String, i64>,
}

impl Authorship {
    /// Reads both from `history`.
    pub fn of(history: &Tables) -> PolarsResult<Self> {
        Ok(Self {
            added: added_lines(history)?,
            last_active: last_active(history)?,
        })
    }
}

/// Lines added per entity and person over `history` (binary changes as 0, as code-maat counts);
/// each co-author of a commit is credited with its lines as its author is.
pub(crate) fn added_lines(history: &Tables) -> PolarsResult<AddedLines> {
    let people = people_per_commit(history)?.drop(col::AUTHOR_TIME)?;
    let rows = join_per_commit(history, people)
        .select([
            col(col::ENTITY),
            col(col::AUTHOR),
            col(col::ADDED).fill_null(lit(0u32)).cast(DataType::UInt64),
        ])
        .collect()?;
    let entity = rows.column(col::ENTITY)?.str()?;
    let author = rows.column(col::AUTHOR)?.str()?;
    let added = rows.column(col::ADDED)?.u64()?;
    let mut by_entity = AddedLines::new();
    for i in 0..rows.height() {
        let (Some(e), Some(a)) = (entity.get(i), author.get(i)) else {
            continue;
        };
        *by_entity
            .entry(e.to_owned())
            .or_default()
            .entry(a.to_owned())
            .or_default() += added.get(i).unwrap_or(0);
    }
    Ok(by_entity)
}

/// The author with most added lines (ties: the first name) and their share of all added lines
/// (0 when none were added); `None` without authors.
pub(crate) fn main_developer(by_author: &BTreeMap<String, u64>) -> Option<(&str, f64)> {
    let total: u64 = by_author.values().sum();
    let (author, lines) =
        by_author
            .iter()
            .fold(None::<(&String, u64)>, |best, (a, &n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((a, n)),
            })?;
    let share = if total == 0 {
        0.0
    } else {
        lines as f64 / total as f64
    };
    Some((author.as_str(), share))
}

/// Each person's newest commit (author time) in `history`, as author or co-author; names that share
/// an email count as one person.
pub(crate) fn last_active(history: &Tables) -> PolarsResult<HashMap<String, i64>> {
    let people = people_per_commit(history)?;
    let names = people.column(col::AUTHOR)?.str()?;
    let times = people.column(col::AUTHOR_TIME)?.i64()?;
    let mut last: HashMap<String, i64> = HashMap::new();
    for (name, time) in names.iter().zip(times.iter()) {
        if let (Some(name), Some(time)) = (name, time) {
            let slot = last.entry(name.to_owned()).or_insert(time);
            *slot = (*slot).max(time);
        }
    }
    // Names that share an email are one person who spelled their name two ways (without a
    // .mailmap to say so): each counts as active when any of them is.
    let authors = history.commits.column(col::AUTHOR)?.str()?;
    let emails = history.commits.column(col::EMAIL)?.str()?;
    let mut by_email: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, email) in authors.iter().zip(emails.iter()) {
        if let (Some(name), Some(email)) = (name, email)
            && !email.is_empty()
        {
            let names = by_email.entry(email).or_default();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let mut merged = last.clone();
    for names in by_email.values().filter(|n| n.len() > 1) {
        let newest = names.iter().filter_map(|n| last.get(*n)).max().copied();
        if let Some(newest) = newest {
            for name in names {
                let slot = merged.entry((*name).to_owned()).or_insert(newest);
                *slot = (*slot).max(newest);
            }
        }
    }
    Ok(merged)
}

/// What makes an author the main developer of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MainDevBy {
    /// Most lines added (`main-dev`).
    Added,
    /// Most lines deleted (`refactoring-main-dev`).
    Deleted,
    /// Most revisions (`main-dev-by-revs`).
    Revisions,
}

/// Per author and entity: lines added, lines deleted (binary as 0) and revisions (`commits`).
fn contributions(tables: &Tables) -> PolarsResult<DataFrame> {
    churn_by(tables, &[col::ENTITY, col::AUTHOR])?
        .sort_by_exprs(
            [col(col::ENTITY), col(col::AUTHOR)],
            SortMultipleOptions::default(),
        )
        .collect()
}

/// The main developer of each entity by `by`, with their share, by entity. Columns are
/// code-maat's: `entity, main-dev, added, total-added, ownership` (`removed, total-removed` for
/// [`MainDevBy::Deleted`]). Ownership is `main / max(total, 1)`, a float, or with `code_maat`
/// text rounded and printed as code-maat prints it. Among authors with the same contribution the
/// one first by name wins (code-maat leaves that to hash-map order).
pub fn main_dev(tables: &Tables, by: MainDevBy, code_maat: bool) -> PolarsResult<DataFrame> {
    let metric = match by {
        MainDevBy::Added => col::ADDED,
        MainDevBy::Deleted => col::DELETED,
        MainDevBy::Revisions => "commits",
    };
    let (own, total) = match by {
        MainDevBy::Deleted => ("removed", "total-removed"),
        _ => ("added", "total-added"),
    };
    contributions(tables)?
        .lazy()
        .group_by_stable([col(col::ENTITY)])
        .agg([
            col(col::AUTHOR)
                .sort_by(
                    [col(metric), col(col::AUTHOR)],
                    SortMultipleOptions::default().with_order_descending_multi([true, false]),
                )
                .first()
                .alias("main-dev"),
            col(metric).max().alias(own),
            col(metric).sum().alias(total),
        ])
        .sort_by_exprs([col(col::ENTITY)], SortMultipleOptions::default())
        .collect()
        .and_then(|df| with_ratio(df, own, total, "ownership", code_maat))
}

/// Adds `name` = `numerator / max(denominator, 1)` from two integer columns.
fn with_ratio(
    mut df: DataFrame,
    numerator: &str,
    denominator: &str,
    name: &str,
    code_maat: bool,
) -> PolarsResult<DataFrame> {
    let pairs: Vec<(u64, u64)> = df
        .column(numerator)?
        .u64()?
        .iter()
        .zip(df.column(denominator)?.u64()?.iter())
        .map(|(n, d)| (n.unwrap_or(0), d.unwrap_or(0).max(1)))
        .collect();
    let column = if code_maat {
        let text: Vec<String> = pairs
            .iter()
            .map(|&(n, d)| code_maat_ratio(n.into(), d.into()))
            .collect();
        Column::new(name.into(), text)
    } else {
        let value: Vec<f64> = pairs.iter().map(|&(n, d)| n as f64 / d as f64).collect();
        Column::new(name.into(), value)
    };
    df.with_column(column)?;
    Ok(df)
}

/// code-maat's `fragmentation`: `entity, fractal-value, total-revs`, where fractal-value is
/// `1 − Σ (author revisions / total revisions)²` (a float, or with `code_maat` text as code-maat
/// prints it); most fragmented first, then by entity.
pub fn fragmentation(tables: &Tables, code_maat: bool) -> PolarsResult<DataFrame> {
    let df = contributions(tables)?
        .lazy()
        .group_by([col(col::ENTITY)])
        .agg([
            (col("commits") * col("commits")).sum().alias("squares"),
            col("commits").sum().alias("total-revs"),
        ])
        .with_columns([
            (col("total-revs") * col("total-revs") - col("squares")).alias("spread"),
            (col("total-revs") * col("total-revs")).alias("all"),
        ])
        .sort_by_exprs(
            [
                (col("spread").cast(DataType::Float64) / col("all").cast(DataType::Float64)),
                col(col::ENTITY),
            ],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    with_ratio(df, "spread", "all", "fractal-value", code_maat)?.select([
        col::ENTITY,
        "fractal-value",
        "total-revs",
    ])
}

/// code-maat's `communication`: for each ordered pair of different authors, `shared` (entities both
/// changed), `average` = ⌈(entities of author + entities of peer) / 2⌉ and `strength` =
/// ⌊100 · shared / average⌋. Strongest first, then by author descending (code-maat's order), then
/// by peer.
pub fn communication(tables: &Tables) -> PolarsResult<DataFrame> {
    let worked = with_commit_info(tables)?
        .lazy()
        .select([col(col::ENTITY), col(col::AUTHOR)])
        .unique(None, UniqueKeepStrategy::First);
    let entities_of = worked
        .clone()
        .group_by([col(col::AUTHOR)])
        .agg([len().cast(DataType::UInt64).alias("mine")]);
    let peers = worked
        .clone()
        .select([col(col::ENTITY), col(col::AUTHOR).alias("peer")]);
    worked
        .join(
            peers,
            [col(col::ENTITY)],
            [col(col::ENTITY)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(col::AUTHOR).neq(col("peer")))
        .group_by([col(col::AUTHOR), col("peer")])
        .agg([len().cast(DataType::UInt64).alias("shared")])
        .join(
            entities_of.clone(),
            [col(col::AUTHOR)],
            [col(col::AUTHOR)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            entities_of.select([col(col::AUTHOR).alias("peer"), col("mine").alias("theirs")]),
            [col("peer")],
            [col("peer")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(((col("mine") + col("theirs") + lit(1u64)) / lit(2u64)).alias("average"))
        .with_column(((lit(100u64) * col("shared")) / col("average")).alias("strength"))
        .sort_by_exprs(
            [col("strength"), col(col::AUTHOR), col("peer")],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
        )
        .select([
            col(col::AUTHOR),
            col("peer"),
            col("shared"),
            col("average"),
            col("strength"),
        ])
        .collect()
}

/// `numerator / denominator` rounded to two significant digits (half up) and printed as Java
/// prints a double, which is how code-maat prints ownership and fragmentation: `1.0`, `0.67`,
/// `0.4`, `0.0`, `1.2E-4`.
pub fn code_maat_ratio(numerator: u128, denominator: u128) -> String {
    if numerator == 0 || denominator == 0 {
        return "0.0".to_owned();
    }
    // Find e with 10 <= n/d * 10^e < 100, then m = round(n/d * 10^e).
    let mut e: i32 = 0;
    let (mut n, mut d) = (numerator, denominator);
    while n * 10 < d * 100 && n < d * 10 {
        n *= 10;
        e += 1;
    }
    while n >= d * 100 {
        d *= 10;
        e -= 1;
    }
    let mut m = (2 * n + d) / (2 * d);
    if m >= 100 {
        m /= 10;
        e -= 1;
    }
    java_double(m, e)
}

/// The value `m · 10^-e` (m has two digits) as `Double.toString` prints it.
fn java_double(m: u128, e: i32) -> String {
    if e <= 0 {
        return format!("{}.0", m * 10u128.pow(e.unsigned_abs()));
    }
    let value_exponent = 1 - e; // m = d.d × 10^1, so the value is d.d × 10^(1-e)
    if value_exponent < -3 {
        let digits = format!("{m}");
        let (first, rest) = digits.split_at(1);
        let rest = rest.trim_end_matches('0');
        let rest = if rest.is_empty() { "0" } else { rest };
        return format!("{first}.{rest}E{value_exponent}");
    }
    let text = format!("{m:0>width$}", width = e as usize + 1);
    let (int, frac) = text.split_at(text.len() - e as usize);
    let frac = frac.trim_end_matches('0');
    format!(
        "{}.{}",
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac }
    )
}

#[cfg(test)]
mod tests {
    use super::code_maat_ratio;

    #[test]
    fn ratios_print_like_code_maat() {
        assert_eq!(code_maat_ratio(1, 1), "1.0");
        assert_eq!(code_maat_ratio(2, 3), "0.67");
        assert_eq!(code_maat_ratio(2, 5), "0.4");
        assert_eq!(code_maat_ratio(4, 9), "0.44");
        assert_eq!(code_maat_ratio(1, 8), "0.13");
        assert_eq!(code_maat_ratio(0, 5), "0.0");
        assert_eq!(code_maat_ratio(1, 80), "0.013");
        assert_eq!(code_maat_ratio(1, 8000), "1.3E-4");
        assert_eq!(code_maat_ratio(199, 200), "1.0");
    }
}
