//! Change coupling between pairs of entities (docs/metrics.md, *coupling*), with code-maat's `coupling` semantics.

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;
use statrs::distribution::{DiscreteCDF, Hypergeometric};

use std::sync::Arc;

use crate::changesets::{CHANGE_SET, Grouping, SIZE, change_set_entities};
use crate::components::ComponentRules;

/// Thresholds of the coupling analysis; the defaults are code-maat's.
#[derive(Debug, Clone)]
pub struct CouplingOptions {
    /// Keep pairs whose average revisions are at least this (`--min-revs`).
    pub min_revs: u32,
    /// Keep pairs that changed together at least this often (`--min-shared`).
    pub min_shared: u32,
    /// Keep pairs whose degree is at least this percentage (`--min-degree`).
    pub min_degree: u32,
    /// Keep pairs whose degree, rounded down, is at most this percentage (`--max-degree`).
    pub max_degree: u32,
    /// Leave change sets with more entities than this out of coupling (`--max-changeset-size`).
    pub max_changeset_size: u32,
    /// Components, for the `cross-component` class.
    pub components: Arc<ComponentRules>,
    /// How commits form change sets (`--group-by`).
    pub grouping: Grouping,
}

impl Default for CouplingOptions {
    fn default() -> Self {
        CouplingOptions {
            min_revs: 5,
            min_shared: 5,
            min_degree: 30,
            max_degree: 100,
            max_changeset_size: 30,
            components: Arc::new(ComponentRules::new(Vec::new(), 1)),
            grouping: Grouping::Commit,
        }
    }
}

/// Column names of the coupling result. The first four are code-maat's.
pub mod coupling_col {
    /// The pair's first entity (the smaller name).
    pub const ENTITY: &str = "entity";
    /// The pair's second entity.
    pub const COUPLED: &str = "coupled";
    /// `floor(100 · shared / average revisions)`.
    pub const DEGREE: &str = "degree";
    /// `ceil((revs_a + revs_b) / 2)`.
    pub const AVERAGE_REVS: &str = "average-revs";
    /// Change sets that touch both.
    pub const SHARED: &str = "shared";
    /// Change sets that touch `entity`.
    pub const REVS_A: &str = "revs_a";
    /// Change sets that touch `coupled`.
    pub const REVS_B: &str = "revs_b";
    /// `shared / revs_a`: how often `coupled` changes when `entity` does.
    pub const CONFIDENCE_AB: &str = "confidence_ab";
    /// `shared / revs_b`.
    pub const CONFIDENCE_BA: &str = "confidence_ba";
    /// `shared / N`.
    pub const SUPPORT: &str = "support";
    /// `shared · N / (revs_a · revs_b)`.
    pub const LIFT: &str = "lift";
    /// `shared / (revs_a + revs_b − shared)`.
    pub const JACCARD: &str = "jaccard";
    /// Probability of at least `shared` co-changes if the two changed independently.
    pub const P_VALUE: &str = "p_value";
    /// `test-and-code`, `same-folder`, `cross-component` or `nearby` (see [`pair_class`](crate::pair_class)).
    pub const CLASS: &str = "class";
}

/// Every pair of entities that changed together, with the measures of docs/metrics.md, *coupling*, filtered and
/// sorted as code-maat's `coupling` analysis (degree, then average revisions, both descending;
/// ties by name). Change sets are formed by `options.grouping`; only those with at most
/// `max_changeset_size` entities count, for revisions as for shared changes.
pub fn coupling(tables: &Tables, options: &CouplingOptions) -> PolarsResult<DataFrame> {
    use coupling_col as c;
    let candidates = candidates(tables, options)?;
    let pairs = candidates
        .pairs
        .filter(
            thresholds(options)
                .into_iter()
                .reduce(Expr::and)
                .unwrap_or(lit(true)),
        )
        .with_columns([
            ((lit(200u64) * col(c::SHARED)) / revs_sum()).alias(c::DEGREE),
            ((revs_sum() + lit(1u64)) / lit(2u64)).alias(c::AVERAGE_REVS),
        ])
        .with_columns(ratios(candidates.change_sets))
        .sort_by_exprs(
            [
                col(c::DEGREE),
                col(c::AVERAGE_REVS),
                col(c::ENTITY),
                col(c::COUPLED),
            ],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false, false]),
        )
        .select(
            [
                c::ENTITY,
                c::COUPLED,
                c::DEGREE,
                c::AVERAGE_REVS,
                c::SHARED,
                c::REVS_A,
                c::REVS_B,
                c::CONFIDENCE_AB,
                c::CONFIDENCE_BA,
                c::SUPPORT,
                c::LIFT,
                c::JACCARD,
            ]
            .map(col),
        )
        .collect()?;
    let mut pairs = with_p_values(pairs, candidates.change_sets)?;
    let classes: StringChunked = {
        let entity = pairs.column(c::ENTITY)?.str()?;
        let coupled = pairs.column(c::COUPLED)?.str()?;
        entity
            .iter()
            .zip(coupled.iter())
            .map(|(a, b)| Some(crate::pair_class(a?, b?, &options.components).as_str()))
            .collect()
    };
    pairs.with_column(classes.with_name(c::CLASS.into()).into_column())?;
    Ok(pairs)
}

/// The most rows the coupling self-join may make (every ordered pair of entities of every change
/// set, before they are counted): about 40 bytes each, so this bounds it to a few GiB.
pub const MAX_PAIR_ROWS: u64 = 200_000_000;

/// The rows the coupling self-join would make for change sets of at most `max_changeset_size`
/// entities: Σ n² over those change sets. Cheap to compute; callers compare it with
/// [`MAX_PAIR_ROWS`] before running an analysis that pairs entities.
pub fn pair_rows(
    tables: &Tables,
    grouping: &Grouping,
    max_changeset_size: u32,
) -> PolarsResult<u64> {
    let sizes = change_set_entities(tables, grouping)?
        .filter(col(SIZE).lt_eq(lit(u64::from(max_changeset_size))))
        .group_by([col(CHANGE_SET)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .select([(col("n") * col("n")).sum().alias("rows")])
        .collect()?;
    Ok(sizes.column("rows")?.u64()?.get(0).unwrap_or(0))
}

/// How many of the candidate pairs each threshold removes, each counted on its own, to explain
/// an empty result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdCounts {
    /// Change sets left out for having more than `max_changeset_size` entities.
    pub large_change_sets: u64,
    /// Pairs that changed together at least once, in the change sets that count.
    pub candidates: u64,
    /// Removed by `min_revs`, `min_shared`, `min_degree` and `max_degree`, in that order.
    pub removed: [u64; 4],
}

/// Counts what each threshold of `options` removes (see [`ThresholdCounts`]).
pub fn coupling_threshold_counts(
    tables: &Tables,
    options: &CouplingOptions,
) -> PolarsResult<ThresholdCounts> {
    let candidates = candidates(tables, options)?;
    let counts = candidates
        .pairs
        .select(
            thresholds(options)
                .into_iter()
                .enumerate()
                .map(|(i, keep)| {
                    keep.not()
                        .cast(DataType::UInt64)
                        .sum()
                        .alias(format!("t{i}"))
                })
                .chain([len().cast(DataType::UInt64).alias("candidates")])
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let get =
        |name: &str| -> PolarsResult<u64> { Ok(counts.column(name)?.u64()?.get(0).unwrap_or(0)) };
    Ok(ThresholdCounts {
        large_change_sets: candidates.large_change_sets,
        candidates: get("candidates")?,
        removed: [get("t0")?, get("t1")?, get("t2")?, get("t3")?],
    })
}

/// Every pair that shares a change set (sets above `max_changeset_size` left out) with the number
/// it shares: `entity, coupled, shared`, unordered. For callers that need no measures, which cost
/// more than the count on the long tail of pairs that changed together once.
pub(crate) fn shared_pairs(tables: &Tables, options: &CouplingOptions) -> PolarsResult<DataFrame> {
    use coupling_col as c;
    candidates(tables, options)?
        .pairs
        .select([col(col::ENTITY), col(c::COUPLED), col(c::SHARED)])
        .collect()
}

/// All pairs with their shared changes and revisions, before thresholds.
struct Candidates {
    pairs: LazyFrame,
    change_sets: u64,
    large_change_sets: u64,
}

fn candidates(tables: &Tables, options: &CouplingOptions) -> PolarsResult<Candidates> {
    use coupling_col as c;
    let keys = [col(CHANGE_SET)];
    let all = change_set_entities(tables, &options.grouping)?.collect()?;
    let sets = all
        .clone()
        .lazy()
        .filter(col(SIZE).lt_eq(lit(u64::from(options.max_changeset_size))))
        .select([col(CHANGE_SET), col(col::ENTITY)])
        .collect()?;
    let count_sets =
        |df: &DataFrame| -> PolarsResult<u64> { Ok(df.column(CHANGE_SET)?.n_unique()? as u64) };
    let (change_sets, every_set) = (count_sets(&sets)?, count_sets(&all)?);
    let revs = sets
        .clone()
        .lazy()
        .group_by([col(col::ENTITY)])
        .agg([len().cast(DataType::UInt64).alias(c::REVS_A)]);
    let partners = sets
        .clone()
        .lazy()
        .select([col(CHANGE_SET), col(col::ENTITY).alias(c::COUPLED)]);
    let pairs = sets
        .lazy()
        .join(partners, keys.clone(), keys, JoinArgs::new(JoinType::Inner))
        .filter(col(col::ENTITY).lt(col(c::COUPLED)))
        .group_by([col(col::ENTITY), col(c::COUPLED)])
        .agg([len().cast(DataType::UInt64).alias(c::SHARED)])
        .join(
            revs.clone(),
            [col(col::ENTITY)],
            [col(col::ENTITY)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            revs.select([
                col(col::ENTITY).alias(c::COUPLED),
                col(c::REVS_A).alias(c::REVS_B),
            ]),
            [col(c::COUPLED)],
            [col(c::COUPLED)],
            JoinArgs::new(JoinType::Inner),
        );
    Ok(Candidates {
        pairs,
        change_sets,
        large_change_sets: every_set - change_sets,
    })
}

fn revs_sum() -> Expr {
    col(coupling_col::REVS_A) + col(coupling_col::REVS_B)
}

/// code-maat's four conditions for keeping a pair, on the exact average and degree, in integers:
/// average ≥ `min_revs`, shared ≥ `min_shared`, 100·shared/average ≥ `min_degree`, and
/// ⌊100·shared/average⌋ ≤ `max_degree`.
fn thresholds(options: &CouplingOptions) -> [Expr; 4] {
    use coupling_col as c;
    let shared200 = || lit(200u64) * col(c::SHARED);
    [
        revs_sum().gt_eq(lit(2 * u64::from(options.min_revs))),
        col(c::SHARED).gt_eq(lit(u64::from(options.min_shared))),
        shared200().gt_eq(lit(u64::from(options.min_degree)) * revs_sum()),
        (shared200() / revs_sum()).lt_eq(lit(u64::from(options.max_degree))),
    ]
}

/// Confidence both ways, support, lift and Jaccard index, as floats.
fn ratios(change_sets: u64) -> [Expr; 5] {
    use coupling_col as c;
    let f = |name: &str| col(name).cast(DataType::Float64);
    let n = lit(change_sets as f64);
    [
        (f(c::SHARED) / f(c::REVS_A)).alias(c::CONFIDENCE_AB),
        (f(c::SHARED) / f(c::REVS_B)).alias(c::CONFIDENCE_BA),
        (f(c::SHARED) / n.clone()).alias(c::SUPPORT),
        (f(c::SHARED) * n / (f(c::REVS_A) * f(c::REVS_B))).alias(c::LIFT),
        (f(c::SHARED) / (f(c::REVS_A) + f(c::REVS_B) - f(c::SHARED))).alias(c::JACCARD),
    ]
}

/// Adds the one-sided hypergeometric p-value of each pair: the probability of at least `shared`
/// co-changes among `change_sets` if `revs_a` and `revs_b` change sets were drawn independently.
/// Computed only for the pairs that passed the filters (it sums the upper tail term by term).
fn with_p_values(mut pairs: DataFrame, change_sets: u64) -> PolarsResult<DataFrame> {
    use coupling_col as c;
    let shared = pairs.column(c::SHARED)?.u64()?.clone();
    let revs_a = pairs.column(c::REVS_A)?.u64()?.clone();
    let revs_b = pairs.column(c::REVS_B)?.u64()?.clone();
    let p: Float64Chunked = shared
        .iter()
        .zip(revs_a.iter())
        .zip(revs_b.iter())
        .map(|((s, a), b)| Some(upper_tail(change_sets, a?, b?, s?)))
        .collect();
    pairs.with_column(p.with_name(c::P_VALUE.into()).into_column())?;
    Ok(pairs)
}

/// `P(X >= shared)` for `X ~ Hypergeometric(population, successes, draws)`.
fn upper_tail(population: u64, successes: u64, draws: u64, shared: u64) -> f64 {
    if shared == 0 {
        return 1.0;
    }
    Hypergeometric::new(population, successes, draws).map_or(f64::NAN, |h| h.sf(shared - 1))
}

#[cfg(test)]
mod tests {
    use super::upper_tail;

    #[test]
    fn upper_tail_matches_a_hand_computed_value() {
        // N = 5, K = 4, n = 3, at least 3: C(4,3)·C(1,0) / C(5,3) = 4/10.
        assert!((upper_tail(5, 4, 3, 3) - 0.4).abs() < 1e-12);
        // At least 2 of 3 draws from 4 of 5: (C(4,2)·C(1,1) + 4) / 10 = 1.
        assert!((upper_tail(5, 4, 3, 2) - 1.0).abs() < 1e-12);
    }
}
