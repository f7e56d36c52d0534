//! `report`: every analysis of one window, with charts, written as a directory (SPEC §5).

use std::collections::HashMap;
use std::path::PathBuf;

use cochange_analysis::{coupling_col, hotspot_col};
use cochange_miner::polars::prelude::*;
use cochange_report::{HotspotPoint, Node, Report, Section, Table};

use super::hotspots::{Measured, day, measure};
use crate::args::{ReportArgs, ReportWindow};
use crate::printer::Printer;
use crate::settings::Settings;

/// Hotspots drawn in the chart (the strongest), and how many of them get a label.
const CHART_POINTS: usize = 300;
const LABELLED: usize = 10;
/// Entities in the heatmap, folders in the graph and in the ownership chart.
const HEATMAP_ENTITIES: usize = 20;
const GRAPH_FOLDERS: usize = 40;
const OWNERSHIP_FOLDERS: usize = 30;

pub fn run(args: &ReportArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let dir = printer
        .output_path()
        .map_or_else(|| PathBuf::from("cochange-report"), PathBuf::from);
    let baseline = args
        .baseline
        .as_deref()
        .map(super::compare::read_snapshot)
        .transpose()?;
    let mut report = build(&args.window, settings, printer)?;
    if let Some(baseline) = &baseline {
        let current = cochange_report::snapshot_value(&report);
        let since = since_last_time(baseline, &current);
        report.sections.splice(0..0, since);
    }
    printer.info("[3/3] writing");
    let files = cochange_report::write_report(&dir, &report)?;
    printer.detail(format_args!("{} files written", files.len()));
    printer.info(format_args!(
        "report written to {}",
        dir.join("index.html").display()
    ));
    Ok(crate::exit::SUCCESS)
}

/// Mines, measures and analyses everything a report holds, in memory.
pub(super) fn build(
    window: &ReportWindow,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Report> {
    printer.info("[1/3] mining the history and reading the files");
    let measured = measure(settings, printer, window.at.as_deref(), window.months)?;
    printer.info("[2/3] analysing and drawing");
    // Trends read the whole history; they run beside the other analyses.
    let configured = measured.options(settings)?.clone();
    let (analysed, trends) = std::thread::scope(|scope| {
        let trends = scope.spawn(|| trends_section(&measured.upto, &settings.teams, &configured));
        let analysed = sections(window, settings, &measured);
        (analysed, trends.join())
    });
    let (mut sections, crossing_share) = analysed?;
    sections.push(trends.map_err(|_| anyhow::anyhow!("the trends analysis panicked"))??);
    Ok(Report {
        title: format!("cochange report: {}", measured.repositories()),
        header: header(&measured, settings)?,
        settings: settings
            .explain()
            .lines()
            .skip(1)
            .filter_map(|line| line.trim().split_once(": "))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        metrics: vec![("crossing_share".to_owned(), crossing_share)],
        sections,
    })
}

/// The "since last time" sections: what changed against the baseline snapshot.
fn since_last_time(baseline: &serde_json::Value, current: &serde_json::Value) -> Vec<Section> {
    let since = baseline["header"]["as_of"]
        .as_str()
        .unwrap_or("the baseline")
        .to_owned();
    cochange_report::diff(baseline, current, 20)
        .into_iter()
        .map(|table| {
            let (id, title, text) = match table.name.as_str() {
                "coupling-changes" => (
                    "since-coupling",
                    "Since last time: coupling",
                    "Couplings that are new, grew, shrank or dissolved since the baseline, with the degree before and after.",
                ),
                "hotspot-changes" => (
                    "since-hotspots",
                    "Since last time: hotspots",
                    "Files that entered, left or moved within the top 20 hotspots.",
                ),
                "new-knowledge-risks" => (
                    "since-knowledge",
                    "Since last time: knowledge risks",
                    "Backlog files whose main developer has become inactive since the baseline.",
                ),
                _ => (
                    "since-trends",
                    "Since last time: trends",
                    "The trend metrics of the last period, in the baseline and now.",
                ),
            };
            Section {
                id: id.into(),
                title: title.into(),
                text: format!("{text} Baseline as of {since}."),
                table,
                charts: Vec::new(),
                highlight: None,
            }
        })
        .collect()
}

/// Runs the analyses and draws the charts, one section each.
fn sections(
    args: &ReportWindow,
    settings: &Settings,
    measured: &Measured,
) -> anyhow::Result<(Vec<Section>, f64)> {
    let window = format!("{} .. {}", day(measured.from), day(measured.as_of));
    let spots = measured.hotspots(settings)?;
    let pairs = measured.coupling(settings)?;
    let backlog = measured.backlog(settings, &spots, &pairs, None, args.inactive_after, false)?;
    let min_revs = settings.thresholds.min_revs.unwrap_or(5);
    let soc = cochange_analysis::soc(
        &measured.windowed,
        &settings.grouping,
        min_revs,
        cochange_analysis::SocOrder::Ours,
    )?;
    let ownership = cochange_analysis::folder_ownership(&measured.existing()?, 1)?;
    let activity = cochange_analysis::activity_by_month(&measured.upto, &settings.grouping)?;
    let configured = measured.options(settings)?.clone();
    let (graph, crossing_share) = component_graph(measured, settings, &configured, &window)?;
    let sections = vec![
        Section {
            id: "hotspots".into(),
            title: "Hotspots".into(),
            text: format!(
                "Files that changed often in the window and are complex (indentation read from the blobs at the analysed revision); hotspot_score = percent rank of revisions × percent rank of complexity. Window {window}."
            ),
            table: Table::from_frame("hotspots", &spots)?,
            charts: vec![("hotspots.svg".into(), hotspot_chart(&spots, &window)?)],
            highlight: None,
        },
        Section {
            id: "backlog".into(),
            title: "Refactoring backlog".into(),
            text: format!(
                "What to refactor first: hotspots weighed by coupling breadth, the test signal, ownership risk (main developer inactive after {} months) and criticality; score = criticality × hotspot_score × (1 + coupling + test gap + ownership) / 4.",
                args.inactive_after
            ),
            table: Table::from_frame("backlog", &reason_first(&backlog)?)?,
            charts: Vec::new(),
            highlight: Some(("main_dev_inactive".into(), "true".into())),
        },
        Section {
            id: "coupling".into(),
            title: "Change coupling".into(),
            text: "Pairs of files that change together in the window, with code-maat's measures and thresholds and more; pairs across components are highlighted.".into(),
            table: Table::from_frame("coupling", &pairs)?,
            charts: vec![
                ("coupling-heatmap.svg".into(), heatmap(&pairs, &window)?),
                ("coupling-components.svg".into(), graph),
            ],
            highlight: Some((coupling_col::CLASS.into(), "cross-component".into())),
        },
        Section {
            id: "soc".into(),
            title: "Sum of coupling".into(),
            text: format!(
                "For each file, how many other files changed with it, summed over its change sets in the window (listed above {min_revs})."
            ),
            table: Table::from_frame("soc", &soc)?,
            charts: Vec::new(),
            highlight: None,
        },
        Section {
            id: "ownership".into(),
            title: "Ownership".into(),
            text: "Per top-level folder of the analysed revision, the author who added most lines to its files over the analysed history, and their share.".into(),
            table: Table::from_frame("ownership", &ownership)?,
            charts: vec![("ownership.svg".into(), ownership_chart(&ownership, measured)?)],
            highlight: None,
        },
        Section {
            id: "activity".into(),
            title: "Activity over time".into(),
            text: "Change sets per month and the mean number of files per change set, over the analysed history.".into(),
            table: Table::from_frame("activity", &activity)?,
            charts: vec![("activity.svg".into(), activity_chart(&activity, measured)?)],
            highlight: None,
        },
    ];
    Ok((sections, crossing_share))
}

/// The coupling graph of components, and the share of change sets in the window that touch more
/// than one component.
fn component_graph(
    measured: &Measured,
    settings: &Settings,
    configured: &cochange_analysis::CouplingOptions,
    window: &str,
) -> anyhow::Result<(String, f64)> {
    let rules = configured.components.clone();
    let components = cochange_analysis::map_entities(&measured.windowed, &|path: &str| {
        rules.component_of(path).0
    })?;
    let revisions = cochange_analysis::revisions(&components, &settings.grouping)?;
    // Components change far more often than files: every pair that changed together twice and
    // reaches 10 % is drawn, the width showing the degree.
    let options = cochange_analysis::CouplingOptions {
        min_revs: 1,
        min_shared: 2,
        min_degree: 10,
        ..configured.clone()
    };
    let pairs = cochange_analysis::coupling(&components, &options)?;
    let (crossing, total) = cochange_analysis::crossing(&components, &settings.grouping)?;
    let share = if total == 0 {
        0.0
    } else {
        crossing as f64 / total as f64
    };
    Ok((folder_graph(&revisions, &pairs, window)?, share))
}

/// Monthly trends over the analysed history, with the trailing 12 months for coupled pairs.
fn trends_section(
    upto: &cochange_miner::Tables,
    teams: &cochange_analysis::Teams,
    configured: &cochange_analysis::CouplingOptions,
) -> anyhow::Result<Section> {
    let trends = cochange_analysis::trends(
        upto,
        cochange_analysis::Period::Month,
        12,
        &configured.components,
        teams,
        configured,
    )?;
    Ok(Section {
        id: "trends".into(),
        title: "Trends".into(),
        text: "Per month: change sets, files per change set, the share crossing components, coupled pairs over the trailing 12 months, hotspot concentration, active authors and teams per component.".into(),
        table: Table::from_frame("trends", &trends)?,
        charts: vec![("trends.svg".into(), trend_chart(&trends)?)],
        highlight: None,
    })
}

/// One small chart per trend metric.
fn trend_chart(trends: &DataFrame) -> anyhow::Result<String> {
    let labels: Vec<String> = trends
        .column("period")?
        .str()?
        .iter()
        .map(|l| l.unwrap_or_default().to_owned())
        .collect();
    let mut series = Vec::new();
    for (name, unit) in [
        ("change_sets", "change sets"),
        ("mean_files", "files per change set"),
        ("p90_files", "files (90th percentile)"),
        ("crossing_share", "share crossing components"),
        ("coupled_pairs", "pairs (trailing 12 months)"),
        ("cross_component_pairs", "pairs (trailing 12 months)"),
        (
            "hotspot_concentration",
            "share of revisions in top 5 % files",
        ),
        ("active_authors", "authors"),
        ("teams_per_component", "teams"),
    ] {
        let column = trends.column(name)?.cast(&DataType::Float64)?;
        // Teams per component is empty without `[teams]`: no panel then.
        if column.null_count() == column.len() && !column.is_empty() {
            continue;
        }
        let values: Vec<f64> = column.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect();
        series.push((name.to_owned(), unit.to_owned(), values));
    }
    let span = match (labels.first(), labels.last()) {
        (Some(a), Some(b)) => format!("{a} .. {b}"),
        _ => String::new(),
    };
    Ok(cochange_report::trend_chart(&labels, &series, &span)?)
}

/// The backlog with its reason right after the entity, where a reader looks.
fn reason_first(backlog: &DataFrame) -> anyhow::Result<DataFrame> {
    let mut columns: Vec<&str> = vec!["rank", "entity", "score", "reason"];
    for name in backlog.get_column_names() {
        if !columns.contains(&name.as_str()) {
            columns.push(name.as_str());
        }
    }
    Ok(backlog.select(columns)?)
}

fn header(measured: &Measured, settings: &Settings) -> anyhow::Result<Vec<(String, String)>> {
    let w = &measured.windowed;
    let mut header = measured.context();
    header.extend([
        (
            "commits in the window".to_owned(),
            w.commits.height().to_string(),
        ),
        (
            "change sets in the window".to_owned(),
            cochange_analysis::change_set_count(w, &settings.grouping)?.to_string(),
        ),
        (
            "authors in the window".to_owned(),
            w.commits
                .column(cochange_miner::col::AUTHOR)?
                .n_unique()?
                .to_string(),
        ),
    ]);
    Ok(header)
}

fn hotspot_chart(spots: &DataFrame, window: &str) -> anyhow::Result<String> {
    use hotspot_col as h;
    let entity = spots.column(h::ENTITY)?.str()?;
    let revisions = spots.column(h::REVISIONS)?.u64()?;
    let complexity = spots.column(h::COMPLEXITY)?.f64()?;
    let loc = spots.column(h::LOC)?.u64()?;
    let points: Vec<HotspotPoint> = (0..spots.height())
        .filter(|&i| revisions.get(i).unwrap_or(0) > 0)
        .take(CHART_POINTS)
        .filter_map(|i| {
            Some(HotspotPoint {
                name: entity.get(i)?.to_owned(),
                revisions: revisions.get(i)? as f64,
                complexity: complexity.get(i).unwrap_or(0.0),
                loc: loc.get(i).unwrap_or(0) as f64,
            })
        })
        .collect();
    Ok(cochange_report::hotspot_chart(&points, LABELLED, window)?)
}

/// The entities of the strongest pairs, in order of first appearance, and their degrees.
fn heatmap(pairs: &DataFrame, window: &str) -> anyhow::Result<String> {
    use coupling_col as c;
    let a = pairs.column(c::ENTITY)?.str()?;
    let b = pairs.column(c::COUPLED)?.str()?;
    let degree = pairs.column(c::DEGREE)?.u64()?;
    let mut names: Vec<String> = Vec::new();
    for (a, b) in a.iter().zip(b.iter()) {
        for name in [a, b].into_iter().flatten() {
            if names.len() < HEATMAP_ENTITIES && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut matrix = vec![vec![0u32; names.len()]; names.len()];
    for ((a, b), d) in a.iter().zip(b.iter()).zip(degree.iter()) {
        if let (Some(&i), Some(&j), Some(d)) = (
            a.and_then(|a| index.get(a)),
            b.and_then(|b| index.get(b)),
            d,
        ) {
            matrix[i][j] = d as u32;
            matrix[j][i] = d as u32;
        }
    }
    Ok(cochange_report::heatmap(&names, &matrix, window)?)
}

fn folder_graph(revisions: &DataFrame, pairs: &DataFrame, window: &str) -> anyhow::Result<String> {
    use coupling_col as c;
    let names = revisions.column("entity")?.str()?;
    let counts = revisions.column("n-revs")?.u64()?;
    let nodes: Vec<Node> = names
        .iter()
        .zip(counts.iter())
        .take(GRAPH_FOLDERS)
        .filter_map(|(n, r)| {
            Some(Node {
                name: n?.to_owned(),
                revisions: r? as f64,
            })
        })
        .collect();
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let a = pairs.column(c::ENTITY)?.str()?;
    let b = pairs.column(c::COUPLED)?.str()?;
    let degree = pairs.column(c::DEGREE)?.u64()?;
    let edges: Vec<(usize, usize, u32)> = a
        .iter()
        .zip(b.iter())
        .zip(degree.iter())
        .filter_map(|((a, b), d)| Some((*index.get(a?)?, *index.get(b?)?, d? as u32)))
        .collect();
    Ok(cochange_report::coupling_graph(&nodes, &edges, window)?)
}

fn ownership_chart(ownership: &DataFrame, measured: &Measured) -> anyhow::Result<String> {
    let folder = ownership.column("folder")?.str()?;
    let developer = ownership.column("main_dev")?.str()?;
    let share = ownership.column("main_dev_share")?.f64()?;
    let rows: Vec<(String, String, f64)> = (0..ownership.height().min(OWNERSHIP_FOLDERS))
        .filter_map(|i| {
            Some((
                folder.get(i)?.to_owned(),
                developer.get(i)?.to_owned(),
                share.get(i)?,
            ))
        })
        .collect();
    let span = format!("history up to {}", day(measured.as_of));
    Ok(cochange_report::ownership_chart(&rows, &span)?)
}

fn activity_chart(activity: &DataFrame, measured: &Measured) -> anyhow::Result<String> {
    let month = activity.column("month")?.str()?;
    let sets = activity.column("change_sets")?.u64()?;
    let mean = activity.column("mean_files")?.f64()?;
    let rows: Vec<(String, u64, f64)> = (0..activity.height())
        .filter_map(|i| Some((month.get(i)?.to_owned(), sets.get(i)?, mean.get(i)?)))
        .collect();
    let span = match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => format!("{} .. {}", first.0, last.0),
        _ => format!("history up to {}", day(measured.as_of)),
    };
    Ok(cochange_report::activity_chart(&rows, &span)?)
}
