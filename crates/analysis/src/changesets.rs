//! Change sets (SPEC §4.1): the groups of entities that changed together, which coupling and
//! sum of coupling count over. For now one non-merge commit is one change set.

use cochange_miner::Tables;
use cochange_miner::col;
use polars::prelude::*;

/// The column with the number of distinct entities in a row's change set.
pub(crate) const SIZE: &str = "size";

/// One row per change set and entity, each entity once per set: `repo, commit, entity, size`.
pub(crate) fn change_set_entities(tables: &Tables) -> LazyFrame {
    let keys = [col(col::REPO), col(col::COMMIT)];
    let entities = tables
        .changes
        .clone()
        .lazy()
        .select([col(col::REPO), col(col::COMMIT), col(col::ENTITY)])
        .unique(None, UniqueKeepStrategy::First);
    let sizes = entities
        .clone()
        .group_by(keys.clone())
        .agg([len().cast(DataType::UInt64).alias(SIZE)]);
    entities.join(sizes, keys.clone(), keys, JoinArgs::new(JoinType::Inner))
}
