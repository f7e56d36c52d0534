//! Sum of coupling per entity (docs/metrics.md, *soc*), as code-maat's `soc`.

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

use crate::changesets::{Grouping, SIZE, change_set_entities};

/// `soc`'s threshold when neither the command line nor the config sets one (code-maat's).
pub const SOC_MIN_REVS: u32 = 5;

/// How `soc` rows are ordered among equal sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocOrder {
    /// Sum descending, then entity ascending.
    Ours,
    /// Sum descending, then entity descending: code-maat's order.
    CodeMaat,
}

/// For each entity A, `soc` = Σ over the change sets that touch A of (entities in the set − 1),
/// with no change-set size limit; `revisions` = those change sets. Lists the entities whose sum
/// is above `min_revs` (code-maat's `--min-revs`, compared strictly, as code-maat does).
pub fn soc(
    tables: &Tables,
    grouping: &Grouping,
    min_revs: u32,
    order: SocOrder,
) -> PolarsResult<DataFrame> {
    change_set_entities(tables, grouping)?
        .group_by([col(col::ENTITY)])
        .agg([
            (col(SIZE) - lit(1u64)).sum().alias("soc"),
            len().cast(DataType::UInt64).alias("revisions"),
        ])
        .filter(col("soc").gt(lit(u64::from(min_revs))))
        .sort_by_exprs(
            [col("soc"), col(col::ENTITY)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, order == SocOrder::CodeMaat]),
        )
        .collect()
}
