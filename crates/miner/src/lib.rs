/*!
Reads a git repository's history into two tables: one row per commit and one row per changed
file (docs/architecture.md, *The tables*), with an incremental cache so that later runs only read new commits.

# Brief overview

[`mine()`] opens the repository read-only with [gix], walks the commits reachable from the
requested tips, diffs each commit's tree against its parent on all cores (with git's default
rename detection and `--numstat` line counts), and returns the [`Tables`] as polars frames. The
column names are in [`col`].

Problems that still allow a correct result — a shallow clone, missing blobs, a cache that had to
be rebuilt — are returned as [`Warning`]s; everything else is an [`Error`].

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
let (commits, file_changes) = (outcome.tables.commits.height(), outcome.tables.changes.height());
assert!(commits > 0 && file_changes > 0);
# Ok::<(), cochange_miner::Error>(())
```
*/
#![deny(missing_docs)]

mod base_cache;
mod blame;
mod cache;
mod changed;
mod content;
mod diff;
mod error;
pub mod export;
mod gittime;
mod mine;
mod origins;
mod packs;
mod path;
mod ranges;
mod record;
mod renames;
mod repo;
mod select;
mod snapshot;
mod table;
mod tags;
mod types;
mod walk;

pub use blame::{Blamed, BlamedFile, blame_files};
pub use changed::{Change, ChangeSource, ChangedFile, ChangedKind, changed_files};
pub use error::{BoxError, Error};
pub use gittime::parse_date;
/// The local time zone and the moment a relative date such as `6 months ago` counts from.
pub use gix::date::Zoned;
pub use mine::{has_cache, mine, range_history, read_side_table, store_side_table};
pub use path::{escape_path, unescape_path};
pub use ranges::{MovedFrom, Version};
pub use repo::{Identity, has_uncommitted_changes, identify, repository_holding, work_tree};
pub use select::{CommitGraph, CommitIndex, commit_graph, tables_from_rows};
pub use snapshot::{Snapshot, read_snapshot, read_snapshot_reusing};
pub use table::col;
pub use tags::{Tag, tags};
pub use types::{
    CacheLocation, CacheStatus, LineOrigins, LineRange, MineOptions, NoProgress, Options, Outcome,
    Progress, RangeTouch, Selection, Statistics, Tables, Warning,
};

/// Re-exported so that callers name the same polars version as the tables.
pub use polars;
