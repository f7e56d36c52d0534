//! Hotspots (docs/metrics.md, *hotspots*) and the test signal: where change meets complexity, and whether tests
//! change alongside.

use std::collections::HashMap;

use cochange_miner::Tables;
use cochange_miner::col;
use globset::GlobSet;
use polars::prelude::*;

use crate::changesets::{CHANGE_SET, Grouping, change_set_entities};
use crate::churn::lines;
use crate::complexity::{TextMeasures, language_of};
use crate::identity::{join_per_commit, people_per_commit};

/// Column names of the hotspot result.
pub mod hotspot_col {
    /// 1 for the strongest hotspot.
    pub const RANK: &str = "rank";
    /// The file's path at the analysed revision.
    pub const ENTITY: &str = "entity";
    /// Language by extension.
    pub const LANGUAGE: &str = "language";
    /// Change sets in the window that touched the file.
    pub const REVISIONS: &str = "revisions";
    /// Non-blank lines at the analysed revision (null when the blob is missing).
    pub const LOC: &str = "loc";
    /// Of those, lines that are comments only (or docstrings).
    pub const COMMENT_LINES: &str = "comment_lines";
    /// Σ indentation over non-blank lines (tabs + spaces/4).
    pub const COMPLEXITY: &str = "complexity";
    /// `complexity / loc`.
    pub const COMPLEXITY_MEAN: &str = "complexity_mean";
    /// The deepest indentation.
    pub const COMPLEXITY_MAX: &str = "complexity_max";
    /// Lines added plus deleted in the window.
    pub const CHURN: &str = "churn";
    /// Distinct authors in the window.
    pub const AUTHORS: &str = "authors";
    /// Months since the last change, as of the as-of date (null: never changed before it).
    pub const AGE_MONTHS: &str = "age_months";
    /// Percent rank of `revisions` among the files.
    pub const REVISIONS_RANK: &str = "revisions_pct";
    /// Percent rank of `complexity` among the files.
    pub const COMPLEXITY_RANK: &str = "complexity_pct";
    /// `revisions_pct · complexity_pct`.
    pub const SCORE: &str = "hotspot_score";
}

/// Which files are tests: the default conventions of [`is_test_path`](crate::is_test_path), or
/// globs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct TestPaths {
    /// `None`: the default conventions.
    pub globs: Option<GlobSet>,
}

impl TestPaths {
    /// Whether `path` is a test file.
    pub fn is_test(&self, path: &str) -> bool {
        match &self.globs {
            Some(set) => set.is_match(path),
            None => crate::is_test_path(path),
        }
    }
}

/// The commits authored in `[from, to]` and their changes.
pub fn window(tables: &Tables, from: i64, to: i64) -> PolarsResult<Tables> {
    let time = col(col::AUTHOR_TIME);
    let commits = tables
        .commits
        .clone()
        .lazy()
        .filter(time.clone().gt_eq(lit(from)).and(time.lt_eq(lit(to))))
        .collect()?;
    let keys = commits.select([col::REPO, col::COMMIT])?;
    let changes = tables
        .changes
        .clone()
        .lazy()
        .join(
            keys.lazy(),
            [col(col::REPO), col(col::COMMIT)],
            [col(col::REPO), col(col::COMMIT)],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Inner)
            },
        )
        .collect()?;
    Ok(Tables { commits, changes })
}

/// `PERCENT_RANK` as SQL defines it: (number of strictly smaller values) / (n − 1); 0 when n = 1.
pub fn percent_ranks(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let denominator = (values.len().max(2) - 1) as f64;
    values
        .iter()
        .map(|v| sorted.partition_point(|s| s.total_cmp(v).is_lt()) as f64 / denominator)
        .collect()
}

/// Per entity: change sets, churn and distinct authors and co-authors in `tables` (already
/// windowed).
pub(crate) fn activity(
    tables: &Tables,
    grouping: &Grouping,
) -> PolarsResult<HashMap<String, (u64, u64, u64)>> {
    let revisions = change_set_entities(tables, grouping)?
        .group_by([col(col::ENTITY)])
        .agg([col(CHANGE_SET).count().cast(DataType::UInt64).alias("r")]);
    let people = people_per_commit(tables)?.drop(col::AUTHOR_TIME)?;
    let authors = join_per_commit(tables, people)
        .group_by([col(col::ENTITY)])
        .agg([col(col::AUTHOR)
            .n_unique()
            .cast(DataType::UInt64)
            .alias("a")]);
    let per_entity = tables
        .changes
        .clone()
        .lazy()
        .group_by([col(col::ENTITY)])
        .agg([lines(col::ADDED), lines(col::DELETED)])
        .join(
            authors,
            [col(col::ENTITY)],
            [col(col::ENTITY)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            revisions,
            [col(col::ENTITY)],
            [col(col::ENTITY)],
            JoinArgs::new(JoinType::Left),
        )
        .collect()?;
    let entity = per_entity.column(col::ENTITY)?.str()?;
    let added = per_entity.column(col::ADDED)?.u64()?;
    let deleted = per_entity.column(col::DELETED)?.u64()?;
    let authors = per_entity.column("a")?.u64()?;
    let revisions = per_entity.column("r")?.u64()?;
    let mut out = HashMap::new();
    for i in 0..per_entity.height() {
        if let Some(name) = entity.get(i) {
            out.insert(
                name.to_owned(),
                (
                    revisions.get(i).unwrap_or(0),
                    added.get(i).unwrap_or(0) + deleted.get(i).unwrap_or(0),
                    authors.get(i).unwrap_or(0),
                ),
            );
        }
    }
    Ok(out)
}

/// Whole months from the day of each entity's last change (at or before `as_of`) to `as_of`.
/// Unlike code-maat's `age`, a change on the as-of day itself counts.
fn ages(history: &Tables, as_of: i64) -> PolarsResult<HashMap<String, u64>> {
    let times = history
        .commits
        .select([col::REPO, col::COMMIT, col::AUTHOR_TIME])?;
    let last = join_per_commit(history, times)
        .filter(col(col::AUTHOR_TIME).lt_eq(lit(as_of)))
        .group_by([col(col::ENTITY)])
        .agg([col(col::AUTHOR_TIME).max()])
        .collect()?;
    Ok(last
        .column(col::ENTITY)?
        .str()?
        .iter()
        .zip(last.column(col::AUTHOR_TIME)?.i64()?.iter())
        .filter_map(|(entity, time)| {
            let months = crate::months_between(time?.div_euclid(86_400), as_of);
            Some((entity?.to_owned(), months.max(0) as u64))
        })
        .collect())
}

/// Every text file of the analysed revision with its hotspot measures, strongest first
/// (`hotspot_score` descending, then revisions descending, then path).
///
/// `files` are the files at the analysed revision with their measures (`None` for a missing
/// blob); binary files must already be left out. `windowed` are the tables restricted to the
/// window; `history` all analysed history up to `as_of`, for the age.
pub fn hotspots(
    files: &[(String, Option<TextMeasures>)],
    windowed: &Tables,
    history: &Tables,
    grouping: &Grouping,
    as_of: i64,
) -> PolarsResult<DataFrame> {
    use hotspot_col as h;
    let activity = activity(windowed, grouping)?;
    let ages = ages(history, as_of)?;
    let revisions: Vec<f64> = files
        .iter()
        .map(|(path, _)| activity.get(path).map_or(0.0, |a| a.0 as f64))
        .collect();
    let complexity: Vec<f64> = files
        .iter()
        .map(|(_, m)| m.map_or(0.0, |m| m.indent_total))
        .collect();
    let revisions_pct = percent_ranks(&revisions);
    let complexity_pct = percent_ranks(&complexity);
    let mut order: Vec<usize> = (0..files.len()).collect();
    let score = |i: usize| revisions_pct[i] * complexity_pct[i];
    order.sort_by(|&a, &b| {
        score(b)
            .total_cmp(&score(a))
            .then(revisions[b].total_cmp(&revisions[a]))
            .then(files[a].0.cmp(&files[b].0))
    });
    let pick = |f: &dyn Fn(usize) -> Option<f64>| -> Vec<Option<f64>> {
        order.iter().map(|&i| f(i)).collect()
    };
    let measure = |i: usize| files[i].1;
    let act = |i: usize| activity.get(&files[i].0).copied().unwrap_or((0, 0, 0));
    df!(
        h::RANK => (1..=order.len() as u64).collect::<Vec<_>>(),
        h::ENTITY => order.iter().map(|&i| files[i].0.as_str()).collect::<Vec<_>>(),
        h::LANGUAGE => order.iter().map(|&i| language_of(&files[i].0)).collect::<Vec<_>>(),
        h::REVISIONS => order.iter().map(|&i| act(i).0).collect::<Vec<_>>(),
        h::LOC => order.iter().map(|&i| measure(i).map(|m| m.loc)).collect::<Vec<_>>(),
        h::COMMENT_LINES => order.iter().map(|&i| measure(i).map(|m| m.comment_lines)).collect::<Vec<_>>(),
        h::COMPLEXITY => pick(&|i| measure(i).map(|m| m.indent_total)),
        h::COMPLEXITY_MEAN => pick(&|i| measure(i).map(|m| m.indent_mean())),
        h::COMPLEXITY_MAX => pick(&|i| measure(i).map(|m| m.indent_max)),
        h::CHURN => order.iter().map(|&i| act(i).1).collect::<Vec<_>>(),
        h::AUTHORS => order.iter().map(|&i| act(i).2).collect::<Vec<_>>(),
        h::AGE_MONTHS => order.iter().map(|&i| ages.get(&files[i].0).copied()).collect::<Vec<_>>(),
        h::REVISIONS_RANK => pick(&|i| Some(revisions_pct[i])),
        h::COMPLEXITY_RANK => pick(&|i| Some(complexity_pct[i])),
        h::SCORE => pick(&|i| Some(score(i))),
    )
}

/// The hotspots split into program code that is not a test, and tests, each ranked again from 1;
/// prose, data and configuration files go with the program code only with `all_files`.
pub fn split_hotspots(
    hotspots: &DataFrame,
    tests: &TestPaths,
    all_files: bool,
) -> PolarsResult<(DataFrame, DataFrame)> {
    use hotspot_col as h;
    let entities = hotspots.column(h::ENTITY)?.str()?;
    let (code, test): (Vec<bool>, Vec<bool>) = entities
        .iter()
        .map(|e| {
            let e = e.unwrap_or_default();
            let is_test = tests.is_test(e);
            let keep = !is_test && (all_files || crate::is_code(language_of(e)));
            (keep, is_test)
        })
        .unzip();
    let ranked = |mask: Vec<bool>| -> PolarsResult<DataFrame> {
        let mut frame = hotspots.filter(&BooleanChunked::from_slice("mask".into(), &mask))?;
        let ranks: Vec<u64> = (1..=frame.height() as u64).collect();
        frame.replace(h::RANK, Column::new(h::RANK.into(), ranks))?;
        Ok(frame)
    };
    Ok((ranked(code)?, ranked(test)?))
}

/// Per non-test entity: the change sets that touched it, those in which a test file changed too,
/// and its most frequent test partner (ties by name). Counted over `tables` (already windowed).
pub fn test_signal(
    tables: &Tables,
    grouping: &Grouping,
    tests: &TestPaths,
) -> PolarsResult<HashMap<String, TestSignal>> {
    let sets = change_set_entities(tables, grouping)?
        .select([col(CHANGE_SET), col(col::ENTITY)])
        .collect()?;
    let ids = sets.column(CHANGE_SET)?.u32()?;
    let entities = sets.column(col::ENTITY)?.str()?;
    let mut members: HashMap<u32, Vec<&str>> = HashMap::new();
    for (id, entity) in ids.iter().zip(entities.iter()) {
        if let (Some(id), Some(entity)) = (id, entity) {
            members.entry(id).or_default().push(entity);
        }
    }
    let mut signal: HashMap<String, TestSignal> = HashMap::new();
    let mut partners: HashMap<(&str, &str), u64> = HashMap::new();
    for entities in members.values() {
        let set_tests: Vec<&str> = entities
            .iter()
            .copied()
            .filter(|e| tests.is_test(e))
            .collect();
        for &entity in entities {
            if tests.is_test(entity) {
                continue;
            }
            let s = signal.entry(entity.to_owned()).or_default();
            s.change_sets += 1;
            if !set_tests.is_empty() {
                s.with_tests += 1;
            }
            for &test in &set_tests {
                *partners.entry((entity, test)).or_default() += 1;
            }
        }
    }
    for ((entity, test), count) in partners {
        let Some(s) = signal.get_mut(entity) else {
            continue;
        };
        let better = match &s.partner {
            None => true,
            Some((name, best)) => count > *best || (count == *best && test < name.as_str()),
        };
        if better {
            s.partner = Some((test.to_owned(), count));
        }
    }
    Ok(signal)
}

/// Whether tests change with a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestSignal {
    /// Change sets that touched the file.
    pub change_sets: u64,
    /// Of those, the ones in which a test file changed too.
    pub with_tests: u64,
    /// The test file that changed with it most often, and how often.
    pub partner: Option<(String, u64)>,
}

impl TestSignal {
    /// `with_tests / change_sets`.
    pub fn share(&self) -> f64 {
        if self.change_sets == 0 {
            0.0
        } else {
            self.with_tests as f64 / self.change_sets as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent_ranks;

    #[test]
    fn percent_rank_as_sql_defines_it() {
        // Sorted 1, 2, 2, 5: smaller counts 0, 1, 1, 3 over n - 1 = 3.
        assert_eq!(
            percent_ranks(&[2.0, 5.0, 1.0, 2.0]),
            [1.0 / 3.0, 1.0, 0.0, 1.0 / 3.0]
        );
        assert_eq!(percent_ranks(&[7.0]), [0.0]);
        assert!(percent_ranks(&[]).is_empty());
    }
}
