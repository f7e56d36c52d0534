//! The report snapshot as `diff`, `check` and `report --baseline` read it: typed, so that a
//! snapshot of another shape (a section or a column missing, a number written as text) is refused
//! with the field that is wrong instead of being read as zeros. Its JSON Schema, generated from
//! these types, is `docs/snapshot.schema.json`.
//!
//! Rows are read by the fields the comparisons use; a row may hold more columns (the snapshot
//! holds every column of every table), and sections the comparisons do not use are kept as
//! plain rows.

use std::collections::BTreeMap;

use cochange_analysis::PairClass;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::SCHEMA_VERSION;

/// A snapshot that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Not JSON, or not of a snapshot's shape.
    #[error("`{name}` is not a cochange snapshot: {reason}")]
    Invalid {
        /// The file.
        name: String,
        /// What is wrong, with the field and where it is.
        reason: String,
    },
    /// The file cannot be read.
    #[error("cannot read the snapshot `{}`", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// Written by a version whose layout this one does not read.
    #[error(
        "`{name}` has schema_version {found}; this cochange reads schema_version {SCHEMA_VERSION}: \
         write a new baseline with `cochange report`"
    )]
    Version {
        /// The file.
        name: String,
        /// Its version.
        found: u64,
    },
}

/// A report snapshot (`snapshot.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Snapshot {
    /// The layout's version; this build reads only its own.
    pub schema_version: u32,
    /// The report's title.
    pub title: String,
    /// What the report covers.
    pub header: Header,
    /// The effective settings.
    pub settings: BTreeMap<String, String>,
    /// Single numbers a later run compares against.
    pub metrics: Metrics,
    /// Every table of the report, in full.
    pub analyses: Analyses,
}

/// What the report covers: repository, revision, window, as-of date and counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Header {
    /// The as-of date, `YYYY-MM-DD`.
    pub as_of: String,
    /// The other lines of the header.
    #[serde(flatten)]
    pub other: BTreeMap<String, String>,
}

/// Single numbers of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Metrics {
    /// Share of the window's change sets that touch more than one component.
    pub crossing_share: f64,
    /// Median lead time, in seconds, of the commits that the window's final releases released
    /// first (absent without releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time_median_s: Option<f64>,
}

/// The tables of a report, by section id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Analyses {
    /// Hotspots of the window.
    pub hotspots: Section<HotspotRow>,
    /// The refactoring backlog.
    pub backlog: Section<BacklogRow>,
    /// File coupling of the window that the layout does not explain.
    pub coupling: Section<CouplingRow>,
    /// Coupled pairs with a visible reason: one folder, a test and its code, prose or
    /// configuration (absent in snapshots before it existed).
    #[serde(rename = "coupling-expected", default)]
    pub coupling_expected: Section<CouplingRow>,
    /// Trend metrics per period.
    pub trends: Section<TrendRow>,
    /// Knowledge per component (absent in snapshots before it existed, and in reports without
    /// line origins).
    #[serde(default)]
    pub knowledge: Section<KnowledgeRow>,
    /// Coupled pairs across components that no import joins (absent in snapshots before it
    /// existed, and when no file's imports were read).
    #[serde(rename = "hidden-coupling", default)]
    pub hidden_coupling: Section<CouplingRow>,
    /// Component dependencies at the analysed revision (absent as `hidden-coupling` is).
    #[serde(default)]
    pub dependencies: Section<DependencyRow>,
    /// The dependencies inside each cycle of the component graph (absent as `hidden-coupling`
    /// is).
    #[serde(rename = "dependency-cycles", default)]
    pub dependency_cycles: Section<CycleRow>,
    /// The imports that break `[boundaries]` (absent without `[boundaries]` in the config).
    #[serde(rename = "boundary-violations", default)]
    pub boundary_violations: Section<ViolationRow>,
    /// The database tables (absent in snapshots before it existed, and when no table is
    /// declared).
    #[serde(default)]
    pub tables: Section<TableRow>,
    /// The functions with the highest hotspot score (absent in snapshots before it existed,
    /// and when no function was read).
    #[serde(rename = "function-hotspots", default)]
    pub function_hotspots: Section<FunctionHotspotRow>,
    /// The other sections (sum of coupling, ownership, activity, "since last time").
    #[serde(flatten)]
    pub other: BTreeMap<String, Section<Row>>,
}

/// One table: its columns and its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub struct Section<R> {
    /// Column names, in display order.
    pub columns: Vec<String>,
    /// The rows, each an object of column → value.
    pub rows: Vec<R>,
}

impl<R> Default for Section<R> {
    fn default() -> Self {
        Section {
            columns: Vec::new(),
            rows: Vec::new(),
        }
    }
}

/// A row read as it is.
pub type Row = BTreeMap<String, serde_json::Value>;

/// The columns a typed section must list, even when it has no rows, so that a table of another
/// shape is caught whether or not it has rows to show it.
pub(crate) const REQUIRED_COLUMNS: [(&str, &[&str]); 4] = [
    (
        "hotspots",
        &["rank", "entity", "revisions", "hotspot_score"],
    ),
    (
        "backlog",
        &["entity", "main_dev", "main_dev_share", "main_dev_inactive"],
    ),
    ("coupling", &["entity", "coupled", "degree", "class"]),
    ("trends", &["period"]),
];

/// A row of the hotspots table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HotspotRow {
    /// Rank, 1 first.
    pub rank: u64,
    /// The file.
    pub entity: String,
    /// Change sets in the window.
    pub revisions: u64,
    /// Percent rank of revisions × percent rank of complexity.
    pub hotspot_score: f64,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the function hotspots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionHotspotRow {
    /// Rank, 1 first.
    pub rank: u64,
    /// The file.
    pub file: String,
    /// The function's qualified name.
    pub function: String,
    /// Commits in the window that changed it.
    pub revisions: u64,
    /// Percent rank of revisions × percent rank of cognitive complexity, among all functions.
    pub hotspot_score: f64,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the coupling table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CouplingRow {
    /// The pair's first file.
    pub entity: String,
    /// The pair's second file.
    pub coupled: String,
    /// code-maat's degree of coupling, in percent.
    pub degree: u64,
    /// What kind of pair it is.
    pub class: PairClass,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the backlog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BacklogRow {
    /// The file.
    pub entity: String,
    /// Its main developer (most lines added), if any.
    pub main_dev: Option<String>,
    /// Their share of the added lines.
    pub main_dev_share: Option<f64>,
    /// Whether they have been inactive for the configured months.
    pub main_dev_inactive: Option<bool>,
    /// From when they count as inactive (their last commit plus the months of inactivity),
    /// `YYYY-MM-DD` (absent in snapshots before it existed).
    #[serde(default)]
    pub main_dev_inactive_from: Option<String>,
    /// An inactive main developer who holds at least half the file (absent in snapshots before
    /// it existed, where an inactive main developer at any share counted).
    #[serde(default)]
    pub knowledge_risk: Option<bool>,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the knowledge table: one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KnowledgeRow {
    /// The component.
    pub component: String,
    /// Share of its non-blank lines last written by people no longer active.
    pub knowledge_loss: f64,
    /// The fewest people whose leaving orphans more than half of its files.
    pub bus_factor: u64,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the component dependencies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DependencyRow {
    /// The importing component.
    pub from: String,
    /// The imported component.
    pub to: String,
    /// File imports behind the dependency.
    pub imports: u64,
    /// The first import behind it: `file:line -> file`.
    pub example: String,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the dependency cycles: one dependency inside a cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CycleRow {
    /// The cycle's number, from 1.
    pub cycle: u64,
    /// The components of the cycle, in name order, joined by `, `.
    pub components: String,
    /// The importing component.
    pub from: String,
    /// The imported component.
    pub to: String,
    /// The first import behind the dependency: `file:line -> file`.
    pub example: String,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

impl CycleRow {
    /// The importing file and line of [`CycleRow::example`].
    pub fn import(&self) -> Option<(&str, u32)> {
        let (at, _) = self.example.split_once(" -> ")?;
        let (file, line) = at.rsplit_once(':')?;
        Some((file, line.parse().ok()?))
    }
}

/// A row of the boundary violations: one import that breaks a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ViolationRow {
    /// `forbidden` (a forbidden component dependency) or `internal` (a file outside a
    /// component's public paths).
    pub rule: String,
    /// The importing file.
    pub from: String,
    /// The line of the import.
    pub line: u32,
    /// The imported file.
    pub to: String,
    /// The rule as written in the config.
    pub boundary: String,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

/// A row of the database tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TableRow {
    /// The table.
    pub table: String,
    /// Its first declaration, `file:line`.
    pub declared_in: String,
    /// Each component that uses it, with how.
    pub access: String,
    /// Whether two components or more use it.
    pub shared: bool,
    /// The other columns.
    #[serde(flatten)]
    pub other: Row,
}

impl TableRow {
    /// The file and line of [`TableRow::declared_in`].
    pub fn declaration(&self) -> Option<(&str, u32)> {
        let (file, line) = self.declared_in.rsplit_once(':')?;
        Some((file, line.parse().ok()?))
    }
}

/// A row of the trends: a period and its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendRow {
    /// The period (`2024-05`, `2024-W19`, `2024-Q2`).
    pub period: String,
    /// The metrics.
    #[serde(flatten)]
    pub metrics: Row,
}

impl Snapshot {
    /// Reads the snapshot file `path` and checks its version and shape.
    pub fn read(path: &std::path::Path) -> Result<Snapshot, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
            path: path.to_owned(),
            source,
        })?;
        Snapshot::parse(&path.display().to_string(), &text)
    }

    /// Parses a snapshot and checks its version and shape; `name` is used in errors.
    pub fn parse(name: &str, text: &str) -> Result<Snapshot, SnapshotError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SnapshotError::Invalid {
                name: name.to_owned(),
                reason: e.to_string(),
            })?;
        Snapshot::from_value(name, &value)
    }

    /// Reads a snapshot from JSON already parsed; `name` is used in errors.
    pub fn from_value(name: &str, value: &serde_json::Value) -> Result<Snapshot, SnapshotError> {
        let invalid = |reason: String| SnapshotError::Invalid {
            name: name.to_owned(),
            reason,
        };
        let version = match value.get("schema_version") {
            None => return Err(invalid("no `schema_version`".into())),
            Some(v) => v
                .as_u64()
                .ok_or_else(|| invalid(format!("`schema_version` is {v}, not a whole number")))?,
        };
        if version != u64::from(SCHEMA_VERSION) {
            return Err(SnapshotError::Version {
                name: name.to_owned(),
                found: version,
            });
        }
        let mut track = serde_path_to_error::Track::new();
        let deserializer = serde_path_to_error::Deserializer::new(value, &mut track);
        let snapshot = Snapshot::deserialize(deserializer).map_err(|e| {
            let path = track.path().to_string();
            invalid(format!("at `{path}`: {e}"))
        })?;
        let a = &snapshot.analyses;
        let listed = [
            &a.hotspots.columns,
            &a.backlog.columns,
            &a.coupling.columns,
            &a.trends.columns,
        ];
        for ((section, required), columns) in REQUIRED_COLUMNS.iter().zip(listed) {
            if let Some(missing) = required.iter().find(|c| !columns.iter().any(|x| x == *c)) {
                return Err(invalid(format!(
                    "at `analyses.{section}.columns`: column `{missing}` is missing"
                )));
            }
        }
        Ok(snapshot)
    }

    /// The section `name` with `rows`, its columns the ones a snapshot must list (for tests that
    /// build snapshots by hand).
    #[cfg(test)]
    pub(crate) fn test_section(name: &str, rows: &[serde_json::Value]) -> serde_json::Value {
        let columns = REQUIRED_COLUMNS
            .iter()
            .find(|(section, _)| *section == name)
            .map_or(&[][..], |(_, columns)| *columns);
        serde_json::json!({ "columns": columns, "rows": rows })
    }

    /// The JSON Schema of a snapshot, as `docs/snapshot.schema.json` holds it.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Snapshot);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
}
