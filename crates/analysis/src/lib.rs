/*!
Measures over mined git history (docs/metrics.md), computed with polars over the tables of
[`cochange_miner`].

# Brief overview

Each analysis is a function from the mined [`Tables`] to a polars
[`DataFrame`](polars::prelude::DataFrame) whose rows are already in their final, explicit order
(for example revisions descending, then entity ascending), so renderers never sort and no hash
order reaches a user. Column names follow code-maat where code-maat has the same analysis.

# Example

```no_run
use cochange_miner::{mine, CacheLocation, MineOptions, NoProgress, Options, Selection};

let options = Options {
    mine: MineOptions::default(),
    selection: Selection::default(),
    cache: CacheLocation::Disabled,
    threads: 0,
    name: None,
    origins: None,
};
let outcome = mine(std::path::Path::new("."), &options, &NoProgress)?;
let revisions = cochange_analysis::revisions(&outcome.tables, &cochange_analysis::Grouping::Commit)?;
// Columns `entity` and `n-revs`, the most revised entity first.
let most_revised = revisions.column("entity")?.str()?.get(0);
assert!(most_revised.is_some());
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

mod backlog;
mod blob_cache;
mod changesets;
mod churn;
mod classify;
mod complexity;
mod component_graph;
mod components;
mod config;
mod coupling;
mod coverage;
mod delivery;
mod deps;
mod export;
mod exported_files;
mod filter;
mod folders;
mod hotspots;
mod identity;
mod impact;
mod knowledge;
mod moves;
mod ownership;
mod pair_structure;
mod ranking;
mod repos;
mod session;
mod setup;
mod soc;
mod summary;
mod tables;
mod teams;
mod time;
mod trends;
mod xray;

pub use backlog::{BacklogInput, Criticality, Owner, backlog, owners, reach};
pub use changesets::{DEFAULT_TICKET_PATTERN, Grouping, change_set_count};
pub use churn::{
    abs_churn, age, author_churn, authors, entity_churn, entity_effort, entity_ownership, messages,
};
pub use classify::{PairClass, is_test_path, pair_class};
/// The miner's types that analyses take and return, so that callers name one crate.
pub use cochange_miner::{
    CacheStatus, Change, ChangeSource, ChangedFile, ChangedKind, NoProgress, Outcome, Progress,
    Tables, changed_files, col, has_uncommitted_changes,
};
pub use complexity::{TextMeasures, is_code, language_of, measure_text};

/// Whether cochange reads the functions and imports of `path` (a language it parses).
pub fn code_language(path: &str) -> bool {
    cochange_code::Language::of(path).is_some()
}
pub use component_graph::{
    ComponentReport, component_co_change, components, crossing, map_entities,
};
pub use components::{ComponentRules, MappingSource, UNMAPPED, is_mapping_file};
pub use config::{
    CONFIG_FILE, CheckRules, ConfigError, ConfigFile, StructureRule, one_line, parse_config,
};
pub use coupling::{
    CouplingOptions, MAX_PAIR_ROWS, ThresholdCounts, coupling, coupling_col,
    coupling_threshold_counts, pair_rows,
};
pub use coverage::{Coverage, CoverageError, CoverageFileError, parse_coverage, read_coverage};
pub use delivery::{
    DEFAULT_RELEASE_PATTERN, Delivered, Delivery, Failure, FailureRules, MergedBranch, Release,
    ReleasePattern, ReleasedTogether, nearest_rank, released_together, releases,
};
pub use deps::{Boundaries, CoChange, DepsReport, Forbidden, Structure, deps};
pub use export::{ExportOutcome, ExportRun, export_repositories};
pub use filter::{
    DEFAULT_AUTHOR_EXCLUDE, DEFAULT_PATH_EXCLUDES, FilterSpec, FilterStatistics, Filters, glob_set,
    path_glob,
};
pub use folders::{activity_by_month, folder_of, folder_ownership};
pub use hotspots::{
    TestPaths, TestSignal, hotspot_col, hotspots, percent_ranks, split_hotspots, test_signal,
    window,
};
pub use identity::{changes, revisions};
pub use impact::{
    Candidate, ChangedEntity, CoChanges, DEFAULT_MIN_CONFIDENCE, DEFAULT_MIN_SHARED, EvalOptions,
    EvalRow, EvalSet, Evidence, Impact, ImpactQuery, Ranker, WarningRow, WarningThresholds,
    co_changes, eval_sets, evaluate, evaluate_warnings, read_change, repository_path, tested,
};
pub use knowledge::{Knowledge, KnowledgeInput, knowledge};
pub use ownership::{
    Authorship, MainDevBy, code_maat_ratio, communication, fragmentation, main_dev,
};
pub use pair_structure::{PairStructure, STRUCTURE, with_structure};
pub use ranking::{DEFAULT_FIX_PATTERN, RANKINGS, RankingCheck, ranking_check};
pub use repos::{combine, prefixed, unique_names};
pub use session::{
    BacklogChoices, Error, ExportedExtras, History, KnowledgeOptions, Mapping, Measured, Needs,
    Notice, Session, Settings, Thresholds, check_names, day,
};
pub use setup::{
    DateArgs, Dates, GroupBy, Unusable, cache_location, check_unusable, check_walk, dates,
    grouping, read_config,
};
pub use soc::{SOC_MIN_REVS, SocOrder, soc};
pub use summary::summary;
pub use tables::TablesReport;
pub use teams::{Member, NO_TEAM, TeamReport, Teams, teams};
pub use time::{format_time, months_after, months_before, months_between};
pub use trends::{Period, TrendSpan, trends};
pub use xray::{
    FunctionChange, FunctionHistory, FunctionRow, concentrated_in, function_coupling,
    function_entity, function_pairs, function_rows, histories_in_window,
};
