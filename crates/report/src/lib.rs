/*!
Renders analysis results for people and for programs: aligned text tables, CSV, JSON and
Markdown, SVG charts drawn with plotters, and the report directory (docs/report.md); the
tables of each command; the report snapshot, typed, and the comparisons of `diff` and `check`.

# Brief overview

A [`Table`] is a titled list of typed columns, built from an analysis frame with
[`Table::from_frame`]. [`render`] writes it in one [`Format`] into any [`std::io::Write`]; nothing
here prints or sorts: rows keep the order the analysis gave them.

# Example

```
use cochange_report::{render, Format, Table};
use polars::prelude::*;

let frame = df!("entity" => ["src/a.rs", "src/b.rs"], "n-revs" => [4u64, 3])?;
let table = Table::from_frame("revisions", &frame)?;
let mut out = Vec::new();
render(&table, Format::Csv, &mut out)?;
assert_eq!(String::from_utf8(out)?, "entity,n-revs\nsrc/a.rs,4\nsrc/b.rs,3\n");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

mod build;
mod charts;
mod commands;
mod compare;
mod compare_structure;
mod delivery;
mod dependencies;
mod error;
mod finding;
mod map;
mod output;
mod render;
mod report;
mod snapshot;
mod table;

pub use build::{BuildError, ReportOptions, add_baseline, build};
pub use charts::{
    ChartError, CoChangeEdge, HotspotPoint, ImportEdge, Node, activity_chart, coupling_graph,
    dependency_graph, heatmap, hotspot_chart, ownership_chart, trend_chart,
};
pub use cochange_analysis::CheckRules;
pub use commands::{
    BacklogOptions, ComponentsView, DepsView, DiffView, EvalView, HistoryAnalysis, ImpactOptions,
    ImpactView, KnowledgeView, TablesView, TeamsView, XrayOptions, XrayView, backlog, components,
    coupling, deps, diff_tables, history_table, hotspots, impact, impact_check, knowledge,
    mining_table, missing_co_changes, ranking_check, tables, teams, trends, xray,
};
pub use compare::{check, diff, incomparable};
pub use delivery::{DeliveryOptions, DeliveryView, delivery};
pub use finding::{Finding, findings_summary, findings_table, sarif};
pub use map::{Colouring, MapFile, hotspot_map};
pub use output::{Files, MARKER, OutputError, check_file, check_folder, write_file, write_folder};
pub use render::{Format, Output, SCHEMA_VERSION, render, render_tables};
pub use report::{PAGE_ROWS, Report, Section, snapshot_value, write_report};
pub use snapshot::{
    Analyses, BacklogRow, CouplingRow, CycleRow, DependencyRow, Header, HotspotRow, Metrics, Row,
    Section as SnapshotSection, Snapshot, SnapshotError, TableRow, TrendRow, ViolationRow,
};
pub use table::{Cell, Table};
