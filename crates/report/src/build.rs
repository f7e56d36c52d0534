//! Building the report from the analyses of one session: every section with its table and
//! charts, the header and the "since last time" sections against a baseline snapshot.

use std::collections::HashMap;

use cochange_analysis::{
    CouplingOptions, Grouping, Knowledge, KnowledgeOptions, Measured, PairClass, Session,
    Thresholds, coupling_col, day, hotspot_col,
};
use polars::prelude::*;

pub use crate::error::BuildError;
use crate::report::shown;
use crate::snapshot::Snapshot;
use crate::{HotspotPoint, Node, Report, Section, Table};

/// Hotspots drawn in the chart (the strongest), and how many of them get a label.
const CHART_POINTS: usize = 300;
const LABELLED: usize = 10;
/// Entities in the heatmap and folders in the ownership chart (the graphs draw at most
/// [`GRAPH_FOLDERS`](crate::charts::GRAPH_FOLDERS)).
const HEATMAP_ENTITIES: usize = 20;
const OWNERSHIP_FOLDERS: usize = 30;

/// What a report covers besides the session's settings.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The window, in months before the as-of date.
    pub months: u32,
    /// Months without a commit after which a person counts as inactive.
    pub inactive_after: u32,
    /// The effective settings, as `--explain` lists them, for the report's last section.
    pub settings: Vec<(String, String)>,
    /// Also list prose, data and configuration files.
    pub all_files: bool,
}

/// Measures, analyses and draws everything a report holds, in memory. The session's notices
/// (missing blobs) are left in it for the caller.
pub fn build(session: &mut Session<'_>, options: &ReportOptions) -> Result<Report, BuildError> {
    let measured = session.measure(options.months)?;
    if let Some(warning) = measured.test_share_warning(&session.settings.tests) {
        session.notify(cochange_analysis::Notice::Warning(warning));
    }
    let configured = session.coupling_options(&Thresholds::default())?;
    let structure = session.structure()?;
    let tables = session.tables(&structure)?;
    let settings = session.settings;
    // Trends read the whole history, and knowledge the line origins; they run beside the other
    // analyses. Without replayed origins (several repositories, no line counts) the report
    // leaves knowledge out rather than blame every file.
    let span = cochange_analysis::TrendSpan {
        as_of: measured.as_of,
        history_from: settings.mining.selection.since,
    };
    let knowledge_options = KnowledgeOptions {
        inactive_after: options.inactive_after,
        orphaned_below: DEFAULT_ORPHANED_BELOW,
        ..KnowledgeOptions::default()
    };
    let functions =
        session.function_rows_of(&measured, &|_| true, &cochange_analysis::NoProgress)?;
    let shared: &Session<'_> = session;
    let (analysed, trends, knowledge) = std::thread::scope(|scope| {
        let trends =
            scope.spawn(|| trends_section(&measured.upto, &settings.teams, &configured, span));
        let knowledge = shared.has_origins().then(|| {
            scope.spawn(|| {
                shared.knowledge_of(
                    &measured,
                    &knowledge_options,
                    &cochange_analysis::NoProgress,
                )
            })
        });
        let analysed = sections(
            shared,
            options,
            &measured,
            &configured,
            (&structure, &tables, &functions),
        );
        (
            analysed,
            trends.join(),
            knowledge.map(std::thread::ScopedJoinHandle::join),
        )
    });
    let panicked =
        |what: &str| cochange_analysis::Error::Invalid(format!("the {what} analysis panicked"));
    let knowledge = match knowledge {
        Some(joined) => {
            let (knowledge, notices) = joined.map_err(|_| panicked("knowledge"))??;
            for notice in notices {
                session.notify(notice);
            }
            Some(knowledge)
        }
        None => None,
    };
    let (mut sections, map_files, crossing_share) = analysed?;
    if let Some(knowledge) = &knowledge {
        let at = sections
            .iter()
            .position(|s| s.id == "soc")
            .unwrap_or(sections.len());
        let added = knowledge_sections(knowledge, &map_files, &measured, options)?;
        sections.splice(at..at, added);
    }
    let mut metrics = vec![("crossing_share".to_owned(), crossing_share)];
    if let Some((delivery, lead_time)) = crate::delivery::section(session, &measured)? {
        sections.push(delivery);
        metrics.extend(lead_time.map(|s| ("lead_time_median_s".to_owned(), s as f64)));
    }
    sections.push(trends.map_err(|_| panicked("trends"))??);
    Ok(Report {
        title: format!("cochange report: {}", measured.repositories),
        header: header(&measured, &settings.grouping)?,
        settings: options.settings.clone(),
        metrics,
        sections,
    })
}

/// Puts the "since last time" sections, what changed against `baseline`, first.
pub fn add_baseline(report: &mut Report, baseline: &Snapshot) -> Result<(), BuildError> {
    let current = report.snapshot()?;
    let since = baseline.header.as_of.clone();
    let sections: Vec<Section> = crate::diff(baseline, &current, 20)
        .into_iter()
        .map(|table| {
            let name = table.name.clone();
            let (id, title, text) = match name.as_str() {
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
                "dependency-changes" => (
                    "since-dependencies",
                    "Since last time: dependencies",
                    "Component dependencies and dependency cycles that are new or gone since the baseline, each with the import behind it.",
                ),
                "knowledge-loss-changes" => (
                    "since-knowledge-loss",
                    "Since last time: knowledge loss",
                    "Components whose knowledge loss changed since the baseline, most grown first.",
                ),
                "trend-changes" => (
                    "since-trends",
                    "Since last time: trends",
                    "The trend metrics of the last period, in the baseline and now.",
                ),
                other => (other, other, ""),
            };
            Section {
                id: id.into(),
                title: title.into(),
                text: format!("{text} Baseline as of {since}."),
                table,
                charts: Vec::new(),
                highlight: None,
                shown: Vec::new(),
            }
        })
        .collect();
    let counts: Vec<Vec<crate::Cell>> = sections
        .iter()
        .map(|section| {
            let mut by_change: std::collections::BTreeMap<String, usize> =
                std::collections::BTreeMap::new();
            if section.table.columns.first().is_some_and(|c| c == "change") {
                for row in &section.table.rows {
                    *by_change.entry(row[0].text()).or_default() += 1;
                }
            }
            let counted = if by_change.is_empty() {
                format!("{} rows", section.table.rows.len())
            } else {
                by_change
                    .iter()
                    .map(|(change, n)| format!("{n} {change}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                crate::Cell::Text("since last time".into()),
                crate::Cell::Text(
                    section
                        .title
                        .trim_start_matches("Since last time: ")
                        .to_owned(),
                ),
                crate::Cell::Text(format!("{counted} (baseline as of {since})")),
            ]
        })
        .collect();
    if let Some(summary) = report.sections.iter_mut().find(|s| s.id == "summary") {
        summary.table.rows.extend(counts);
    }
    let at = report
        .sections
        .iter()
        .position(|s| s.id == "summary")
        .map_or(0, |i| i + 1);
    report.sections.splice(at..at, sections);
    Ok(())
}

/// Runs the analyses and draws the charts, one section each; also the share of change sets that
/// cross components.
fn sections(
    session: &Session<'_>,
    options: &ReportOptions,
    measured: &Measured,
    configured: &CouplingOptions,
    (structure, tables, functions): (
        &cochange_analysis::Structure,
        &cochange_analysis::TablesReport,
        &[cochange_analysis::FunctionRow],
    ),
) -> Result<(Vec<Section>, Vec<crate::MapFile>, f64), BuildError> {
    let settings = session.settings;

    let window = measured.window();
    let all_spots = measured.hotspots(&settings.grouping)?;
    let (spots, test_spots) =
        cochange_analysis::split_hotspots(&all_spots, &settings.tests, options.all_files)?;
    let pairs = cochange_analysis::with_structure(
        cochange_analysis::coupling(&measured.windowed, configured)?,
        &cochange_analysis::PairStructure::new(structure),
    )?;
    let backlog = measured.backlog(
        settings,
        &all_spots,
        &pairs,
        &cochange_analysis::BacklogChoices {
            coverage: None,
            inactive_after: options.inactive_after,
            all_files: options.all_files,
            functions,
        },
    )?;
    let (surprising, expected) = split_pairs(&pairs, &settings.tests, options.all_files)?;
    let components = component_change(measured, &settings.grouping, configured)?;
    let graph = folder_graph(&components.revisions, &components.pairs, &window)?;
    let map_files = map_files(&spots)?;
    let thresholds = format!(
        "degree ≥ {} %, shared change sets ≥ {}, revisions of each file ≥ {}",
        configured.min_degree, configured.min_shared, configured.min_revs
    );
    let sections = vec![
        Section {
            id: "summary".into(),
            title: "Summary".into(),
            text: format!(
                "What to act on first: the top refactoring targets with their reasons, the strongest couplings across components, and files whose main developer is gone. Window {window}; the sections below give the details.{}",
                if session.history.exported.is_some() {
                    " Read from exported tables, which hold no file contents: the X-ray, function hotspots, imports, cycles, database tables and knowledge need the repository and are left out."
                } else {
                    ""
                }
            ),
            table: summary(&backlog, &surprising, &thresholds)?,
            charts: Vec::new(),
            highlight: None,
            shown: Vec::new(),
        },
        hotspots_section(&spots, &map_files, &window, options.all_files)?,
        Section {
            id: "backlog".into(),
            title: "Refactoring backlog".into(),
            text: format!(
                "What to refactor first: score = criticality × revisions × log2(2 + lines) × (1 + ¼ × the mean of coupling, test gap, ownership risk, hidden coupling and defects). Change frequency and size rank the list (`cochange eval backlog` measures how well that points at where fixes land); coupling across folders, a missing test signal, an inactive main developer (after {} months), coupling across components with no import and fix commits move a file by at most a quarter.{} Files changed at least twice in the window; rows with a knowledge risk are highlighted.",
                options.inactive_after,
                if functions.is_empty() {
                    ""
                } else {
                    " The reason names the functions where a file's changes concentrate."
                }
            ),
            table: Table::from_frame("backlog", &reason_first(&backlog)?)?,
            charts: Vec::new(),
            highlight: Some(("knowledge_risk".into(), "true".into())),
            shown: shown(&["rank", "entity", "score", "revisions", "loc", "reason"]),
        },
    ];
    let mut sections = sections;
    // Inside the files, right after the backlog that names them.
    sections.extend(xray_section(&spots, functions, &window)?);
    sections.extend(function_hotspots_section(
        functions,
        &settings.tests,
        &window,
    )?);
    sections.push(coupling_section(
        &surprising,
        graph,
        &window,
        configured,
        &thresholds,
    )?);
    sections.extend(expected_and_tests_sections(
        &expected,
        &test_spots,
        &window,
    )?);
    sections.extend(crate::dependencies::sections(
        structure,
        measured,
        settings,
        configured,
        &pairs,
        &crate::dependencies::ComponentChange {
            revisions: &components.revisions,
            pairs: &components.pairs,
        },
        &window,
    )?);
    sections.extend(crate::dependencies::tables_section(tables)?);
    sections.extend(history_sections(session, measured)?);
    Ok((sections, map_files, components.crossing_share))
}

/// The columns the report shows of file hotspots, tests' too.
const HOTSPOT_COLUMNS: &[&str] = &[
    "rank",
    "entity",
    "language",
    "revisions",
    "loc",
    "complexity",
    "churn",
    "authors",
    "age_months",
    "hotspot_score",
];

/// The file hotspots with their map and chart.
fn hotspots_section(
    spots: &DataFrame,
    map_files: &[crate::MapFile],
    window: &str,
    all_files: bool,
) -> Result<Section, BuildError> {
    Ok(Section {
        id: "hotspots".into(),
        title: "Hotspots".into(),
        text: format!(
            "Files of program code that changed often in the window and are complex (indentation read from the blobs at the analysed revision); hotspot_score = percent rank of revisions × percent rank of complexity. Tests have their own table below{}. The map shows every one of them in its folder: circle area = lines of code, colour = revisions in the window. Window {window}.",
            if all_files {
                ""
            } else {
                "; prose, data and configuration files are left out"
            }
        ),
        table: Table::from_frame("hotspots", spots)?,
        charts: vec![
            (
                "hotspot-map.svg".into(),
                crate::hotspot_map(
                    map_files,
                    crate::Colouring::Revisions,
                    MAP_LABELS,
                    &format!("Hotspot map: revisions in the window {window}"),
                ),
            ),
            ("hotspots.svg".into(), hotspot_chart(spots, window)?),
        ],
        highlight: None,
        shown: shown(HOTSPOT_COLUMNS),
    })
}

/// The pairs that change together for a visible reason, and the test hotspots.
fn expected_and_tests_sections(
    expected: &DataFrame,
    test_spots: &DataFrame,
    window: &str,
) -> Result<[Section; 2], BuildError> {
    Ok([
        Section {
            id: "coupling-expected".into(),
            title: "Expected coupling".into(),
            text: "Pairs that change together for a visible reason: files of one folder, a test and its code, and pairs with prose, data or configuration files.".into(),
            table: Table::from_frame("coupling-expected", expected)?,
            charts: Vec::new(),
            highlight: None,
            shown: shown(&["entity", "coupled", "degree", "shared", "revs_a", "revs_b", "confidence_ab", "confidence_ba", "lift", "p_value", "class"]),
        },
        Section {
            id: "test-hotspots".into(),
            title: "Test hotspots".into(),
            text: format!("Test files that changed often in the window and are complex, ranked as the hotspots are. Window {window}."),
            table: Table::from_frame("test-hotspots", test_spots)?,
            charts: Vec::new(),
            highlight: None,
            shown: shown(HOTSPOT_COLUMNS),
        },
    ])
}

/// How many of the top hotspot files the report's X-ray looks inside, how many functions of
/// each it lists, and how many functions the repository's function hotspots list.
const XRAY_FILES: usize = 3;
const XRAY_FUNCTIONS: usize = 10;
const FUNCTION_HOTSPOTS: usize = 20;

/// The X-ray section (docs/xray.md): the hottest functions of the top hotspot files, each file
/// with a chart of its functions' revisions against their cognitive complexity; `None` when no
/// function was read.
fn xray_section(
    spots: &DataFrame,
    functions: &[cochange_analysis::FunctionRow],
    window: &str,
) -> Result<Option<Section>, BuildError> {
    use hotspot_col as h;
    let entity = spots.column(h::ENTITY)?.str()?;
    let revisions = spots.column(h::REVISIONS)?.u64()?;
    let files: Vec<&str> = entity
        .iter()
        .zip(revisions.iter())
        .filter(|(_, r)| r.unwrap_or(0) > 0)
        .filter_map(|(e, _)| e)
        .filter(|e| functions.iter().any(|f| f.file == *e))
        .take(XRAY_FILES)
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    let mut rows: Vec<&cochange_analysis::FunctionRow> = Vec::new();
    // The place of each row among its file's functions: the number its chart labels it with.
    let mut ranks: Vec<u64> = Vec::new();
    let mut charts = Vec::new();
    for (n, file) in files.iter().enumerate() {
        // Functions the window did not change are not where its changes went.
        let of_file: Vec<&cochange_analysis::FunctionRow> = functions
            .iter()
            .filter(|f| f.file == *file && f.revisions > 0)
            .collect();
        rows.extend(of_file.iter().take(XRAY_FUNCTIONS));
        ranks.extend((1..=of_file.len().min(XRAY_FUNCTIONS) as u64).collect::<Vec<_>>());
        let points: Vec<HotspotPoint> = of_file
            .iter()
            .take(CHART_POINTS)
            .map(|f| HotspotPoint {
                name: f.function.name.clone(),
                revisions: f.revisions as f64,
                complexity: f64::from(f.function.cognitive),
                loc: f64::from(f.function.loc),
            })
            .collect();
        if !points.is_empty() {
            let what = format!("Functions of {file}");
            let axes = crate::charts::HotspotAxes {
                what: &what,
                x: "revisions (commits in the window that changed the function)",
                y: "cognitive complexity",
            };
            charts.push((
                format!("xray-{}.svg", n + 1),
                crate::charts::hotspot_chart(&points, LABELLED, window, &axes)?,
            ));
        }
    }
    let mut frame = function_frame(&rows)?;
    frame.insert_column(0, Column::new("rank".into(), ranks))?;
    Ok(Some(Section {
        id: "xray".into(),
        title: "X-ray of the top hotspots".into(),
        text: format!(
            "Inside the top {} hotspot files: their hottest functions (hotspot_score = percent rank of the commits in the window that changed the function × percent rank of its cognitive complexity, among all functions), at most {XRAY_FUNCTIONS} per file, and a chart per file whose labels are the rank within the file. A function's commits are those whose diffs changed its lines, followed back as `git log -L` follows them and through moves within their file. Window {window}.",
            files.len()
        ),
        table: Table::from_frame("xray", &frame)?,
        charts,
        highlight: None,
        shown: Vec::new(),
    }))
}

/// The function hotspots of the whole repository (docs/xray.md): the first ones that the window
/// changed, by hotspot score; the snapshot keeps them so that `diff` shows functions entering
/// the list. `None` when no function was read.
fn function_hotspots_section(
    functions: &[cochange_analysis::FunctionRow],
    tests: &cochange_analysis::TestPaths,
    window: &str,
) -> Result<Option<Section>, BuildError> {
    if functions.is_empty() {
        return Ok(None);
    }
    // Tests are left out, as they are of the file hotspots.
    let rows: Vec<&cochange_analysis::FunctionRow> = functions
        .iter()
        .filter(|f| f.revisions > 0 && !tests.is_test(&f.file))
        .take(FUNCTION_HOTSPOTS)
        .collect();
    let mut frame = function_frame(&rows)?;
    let rank: Vec<u64> = (1..=rows.len() as u64).collect();
    frame.insert_column(0, Column::new("rank".into(), rank))?;
    Ok(Some(Section {
        id: "function-hotspots".into(),
        title: "Function hotspots".into(),
        text: format!(
            "The {FUNCTION_HOTSPOTS} functions of the repository's program code (tests left out) with the highest hotspot score among those changed in the window {window} (`cochange xray` looks inside any file)."
        ),
        table: Table::from_frame("function-hotspots", &frame)?,
        charts: Vec::new(),
        highlight: None,
        shown: Vec::new(),
    }))
}

/// One row per function: where it is, its history in the window and its measures.
fn function_frame(rows: &[&cochange_analysis::FunctionRow]) -> PolarsResult<DataFrame> {
    df!(
        "file" => rows.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(),
        "function" => rows.iter().map(|r| r.function.name.as_str()).collect::<Vec<_>>(),
        "lines" => rows.iter().map(|r| format!("{}-{}", r.function.start, r.function.end)).collect::<Vec<_>>(),
        "revisions" => rows.iter().map(|r| r.revisions).collect::<Vec<_>>(),
        "cognitive" => rows.iter().map(|r| r.function.cognitive).collect::<Vec<_>>(),
        "cyclomatic" => rows.iter().map(|r| r.function.cyclomatic).collect::<Vec<_>>(),
        "nesting" => rows.iter().map(|r| r.function.nesting).collect::<Vec<_>>(),
        "loc" => rows.iter().map(|r| r.function.loc).collect::<Vec<_>>(),
        "authors" => rows.iter().map(|r| r.authors).collect::<Vec<_>>(),
        "main_dev" => rows.iter().map(|r| r.main_dev.as_deref()).collect::<Vec<_>>(),
        "hotspot_score" => rows.iter().map(|r| r.hotspot_score).collect::<Vec<_>>(),
    )
}

/// The pairs the layout does not explain, with the heatmap (when there are any) and the graph of
/// components.
fn coupling_section(
    surprising: &DataFrame,
    graph: String,
    window: &str,
    configured: &CouplingOptions,
    thresholds: &str,
) -> Result<Section, BuildError> {
    Ok(Section {
        id: "coupling".into(),
        title: "Change coupling".into(),
        text: format!(
            "Pairs of program files in different folders that change together in the window ({thresholds}), with code-maat's measures and more: the couplings the code's layout does not explain. Pairs across components are highlighted. Pairs in one folder, a test with its code, and pairs with prose or configuration are in the next table. A change set of more than {} files is left out, so `revs_a` can be below a file's revisions in Hotspots. {}The component graph draws weaker links too: every pair of components that changed together in two change sets or more, at a degree of 10 % or more.",
            configured.max_changeset_size,
            if surprising.height() == 0 {
                "No pair of files passed these thresholds in the window. "
            } else {
                ""
            }
        ),
        table: Table::from_frame("coupling", surprising)?,
        charts: if surprising.height() == 0 {
            vec![("coupling-components.svg".into(), graph)]
        } else {
            vec![
                ("coupling-heatmap.svg".into(), heatmap(surprising, window)?),
                ("coupling-components.svg".into(), graph),
            ]
        },
        highlight: Some((
            coupling_col::CLASS.into(),
            PairClass::CrossComponent.to_string(),
        )),
        shown: shown(&[
            "entity",
            "coupled",
            "degree",
            "shared",
            "revs_a",
            "revs_b",
            "confidence_ab",
            "confidence_ba",
            "lift",
            "p_value",
            "class",
            "structure",
        ]),
    })
}

/// The sections about the whole history: sum of coupling, ownership, activity.
fn history_sections(
    session: &Session<'_>,
    measured: &Measured,
) -> Result<Vec<Section>, BuildError> {
    let settings = session.settings;
    let min_revs = settings
        .thresholds
        .min_revs
        .unwrap_or(cochange_analysis::SOC_MIN_REVS);
    let soc = cochange_analysis::soc(
        &measured.windowed,
        &settings.grouping,
        min_revs,
        cochange_analysis::SocOrder::Ours,
    )?;
    let ownership = measured.folder_ownership(1)?;
    let activity = cochange_analysis::activity_by_month(&measured.upto, &settings.grouping)?;
    Ok(vec![
        Section {
            id: "soc".into(),
            title: "Sum of coupling".into(),
            text: format!(
                "For each file, how many other files changed with it, summed over its change sets in the window (listed above {min_revs})."
            ),
            table: Table::from_frame("soc", &soc)?,
            charts: Vec::new(),
            highlight: None,
            shown: Vec::new(),
        },
        Section {
            id: "ownership".into(),
            title: "Ownership".into(),
            text: "Per top-level folder of the analysed revision, the author who added most lines to its files over the analysed history, and their share.".into(),
            table: Table::from_frame("ownership", &ownership)?,
            charts: vec![("ownership.svg".into(), ownership_chart(&ownership, measured)?)],
            highlight: None,
            shown: Vec::new(),
        },
        Section {
            id: "activity".into(),
            title: "Activity over time".into(),
            text: "Change sets per month and the mean number of files per change set, over the analysed history; the table is newest first.".into(),
            table: Table::from_frame("activity", &activity.reverse())?,
            charts: vec![("activity.svg".into(), activity_chart(&activity, measured)?)],
            highlight: None,
            shown: Vec::new(),
        },
    ])
}

/// Files named in the hotspot map.
const MAP_LABELS: usize = 25;

/// The files of the map: the hotspots with their size and revisions (owners come with
/// knowledge).
fn map_files(spots: &DataFrame) -> Result<Vec<crate::MapFile>, BuildError> {
    use hotspot_col as h;
    let entity = spots.column(h::ENTITY)?.str()?;
    let loc = spots.column(h::LOC)?.u64()?;
    let revisions = spots.column(h::REVISIONS)?.u64()?;
    Ok((0..spots.height())
        .filter_map(|i| {
            let path = entity.get(i)?;
            Some(crate::MapFile {
                path: path.to_owned(),
                loc: loc.get(i).unwrap_or(0),
                revisions: revisions.get(i).unwrap_or(0),
                owner: None,
            })
        })
        .collect())
}

/// Each file's main developer by surviving lines, and whether at least half its lines were
/// written by people no longer active.
fn knowledge_owners(files: &DataFrame) -> Result<HashMap<String, (String, bool)>, BuildError> {
    let file = files.column("file")?.str()?;
    let main = files.column("main_dev")?.str()?;
    let loss = files.column("knowledge_loss")?.f64()?;
    Ok((0..files.height())
        .filter_map(|i| {
            Some((
                file.get(i)?.to_owned(),
                (main.get(i)?.to_owned(), loss.get(i)? >= KNOWLEDGE_RISK),
            ))
        })
        .collect())
}

/// A file or component whose lines are at least this share by people no longer active has lost
/// its knowledge (the backlog's knowledge risk uses the same half).
const KNOWLEDGE_RISK: f64 = 0.5;
/// `knowledge --orphaned-below`'s default.
const DEFAULT_ORPHANED_BELOW: f64 = 0.25;
/// Riskiest files listed in the report.
const KNOWLEDGE_FILES: usize = 50;

/// Knowledge: loss and bus factor per component with the knowledge map and code age, and the
/// files with most lines whose authors are gone.
fn knowledge_sections(
    knowledge: &Knowledge,
    map_files: &[crate::MapFile],
    measured: &Measured,
    options: &ReportOptions,
) -> Result<Vec<Section>, BuildError> {
    let as_of = day(measured.as_of);
    let owners = knowledge_owners(&knowledge.files)?;
    let map_files: Vec<crate::MapFile> = map_files
        .iter()
        .map(|f| crate::MapFile {
            owner: owners.get(&f.path).cloned(),
            ..f.clone()
        })
        .collect();
    let components = &knowledge.components;
    let name = components.column("component")?.str()?;
    let loss = components.column("knowledge_loss")?.f64()?;
    let bus = components.column("bus_factor")?.u64()?;
    let mut bars: Vec<(String, f64, u64)> = (0..components.height())
        .filter_map(|i| Some((name.get(i)?.to_owned(), loss.get(i)?, bus.get(i)?)))
        .collect();
    bars.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    bars.truncate(OWNERSHIP_FOLDERS);
    let age = &knowledge.age;
    let (component, year, lines) = (
        age.column("component")?.str()?,
        age.column("year")?.str()?,
        age.column("lines")?.u64()?,
    );
    let years: Vec<(String, u64)> = (0..age.height())
        .filter(|&i| component.get(i) == Some("(all)"))
        .filter_map(|i| Some((year.get(i)?.to_owned(), lines.get(i)?)))
        .collect();
    let riskiest = knowledge
        .files
        .filter(&knowledge.files.column("inactive_lines")?.u64()?.gt(0))?
        .sort(
            ["inactive_lines", "file"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )?
        .head(Some(KNOWLEDGE_FILES));
    Ok(vec![
        Section {
            id: "knowledge".into(),
            title: "Knowledge".into(),
            text: format!(
                "Who still knows the code: per component, the share of its non-blank lines last written by people with no commit in the {} months before {as_of} (knowledge loss), the main developer by surviving lines and the bus factor (the fewest people whose leaving would leave more than half of its files without an active author). Line origins are replayed from the mined diffs, following renames and merges as git blame does. The map shows the hotspots by main developer, files mostly written by people no longer active in black; the code-age chart shows when today's lines were written.",
                options.inactive_after
            ),
            table: Table::from_frame("knowledge", components)?,
            charts: vec![
                (
                    "knowledge.svg".into(),
                    crate::charts::knowledge_chart(&bars, &as_of)?,
                ),
                (
                    "knowledge-map.svg".into(),
                    crate::hotspot_map(
                        &map_files,
                        crate::Colouring::Owner,
                        MAP_LABELS,
                        &format!("Knowledge map: main developer by surviving lines as of {as_of}"),
                    ),
                ),
                (
                    "code-age.svg".into(),
                    crate::charts::code_age_chart(&years, &as_of)?,
                ),
            ],
            highlight: None,
            shown: Vec::new(),
        },
        Section {
            id: "knowledge-files".into(),
            title: "Knowledge at risk".into(),
            text: format!(
                "Files with most lines last written by people no longer active, up to {KNOWLEDGE_FILES} (`cochange knowledge` lists every file, and `--leaving NAME` simulates someone leaving)."
            ),
            table: Table::from_frame("knowledge-files", &riskiest)?,
            charts: Vec::new(),
            highlight: None,
            shown: Vec::new(),
        },
    ])
}

/// The pairs the code's layout does not explain (program files that are not tests, in different
/// folders), and the others.
fn split_pairs(
    pairs: &DataFrame,
    tests: &cochange_analysis::TestPaths,
    all_files: bool,
) -> Result<(DataFrame, DataFrame), BuildError> {
    use coupling_col as c;
    let a = pairs.column(c::ENTITY)?.str()?;
    let b = pairs.column(c::COUPLED)?.str()?;
    let class = pairs.column(c::CLASS)?.str()?;
    let program = |p: Option<&str>| {
        p.is_some_and(|p| {
            !tests.is_test(p)
                && (all_files || cochange_analysis::is_code(cochange_analysis::language_of(p)))
        })
    };
    let surprising: Vec<bool> = a
        .iter()
        .zip(b.iter())
        .zip(class.iter())
        .map(|((a, b), class)| {
            program(a)
                && program(b)
                && matches!(class, Some(c) if c == PairClass::CrossComponent.as_str() || c == PairClass::Nearby.as_str())
        })
        .collect();
    let mask = BooleanChunked::from_slice("surprising".into(), &surprising);
    Ok((pairs.filter(&mask)?, pairs.filter(&!&mask)?))
}

/// The summary: what to act on, as `what, item, why` rows.
fn summary(
    backlog: &DataFrame,
    surprising: &DataFrame,
    thresholds: &str,
) -> Result<Table, BuildError> {
    use coupling_col as c;
    let mut rows: Vec<Vec<crate::Cell>> = Vec::new();
    let text = |s: &str| crate::Cell::Text(s.to_owned());
    let entity = backlog.column("entity")?.str()?;
    let reason = backlog.column("reason")?.str()?;
    for i in 0..backlog.height().min(SUMMARY_ROWS) {
        rows.push(vec![
            text("refactor first"),
            text(entity.get(i).unwrap_or_default()),
            text(reason.get(i).unwrap_or_default()),
        ]);
    }
    let (a, b, class, degree, shared) = (
        surprising.column(c::ENTITY)?.str()?,
        surprising.column(c::COUPLED)?.str()?,
        surprising.column(c::CLASS)?.str()?,
        surprising.column(c::DEGREE)?.u64()?,
        surprising.column(c::SHARED)?.u64()?,
    );
    let crossing: Vec<usize> = (0..surprising.height())
        .filter(|&i| class.get(i) == Some(PairClass::CrossComponent.as_str()))
        .take(SUMMARY_ROWS)
        .collect();
    if crossing.is_empty() {
        rows.push(vec![
            text("coupling across components"),
            text("none"),
            text(&format!("no pair of program files in different components passed the coupling thresholds in the window ({thresholds}); the component graph under Change coupling draws weaker links")),
        ]);
    }
    for i in crossing {
        rows.push(vec![
            text("coupling across components"),
            text(&format!(
                "{} ↔ {}",
                a.get(i).unwrap_or_default(),
                b.get(i).unwrap_or_default()
            )),
            text(&format!(
                "changed together in {} change sets (degree {} %): one cannot change without the other",
                shared.get(i).unwrap_or(0),
                degree.get(i).unwrap_or(0)
            )),
        ]);
    }
    let risk = backlog.column("knowledge_risk")?.bool()?;
    let dev = backlog.column("main_dev")?.str()?;
    let share = backlog.column("main_dev_share")?.f64()?;
    let since = backlog.column("main_dev_last_commit")?.str()?;
    let risky: Vec<usize> = (0..backlog.height())
        .filter(|&i| risk.get(i) == Some(true))
        .take(SUMMARY_ROWS)
        .collect();
    for &i in &risky {
        rows.push(vec![
            text("knowledge risk"),
            text(entity.get(i).unwrap_or_default()),
            text(&format!(
                "{:.0} % of its added lines are by {}, inactive since {} (last commit)",
                share.get(i).unwrap_or(0.0) * 100.0,
                dev.get(i).unwrap_or_default(),
                since.get(i).unwrap_or_default()
            )),
        ]);
    }
    if risky.is_empty() {
        rows.push(vec![
            text("knowledge risk"),
            text("none"),
            text("no file of the backlog has a main developer who is no longer active"),
        ]);
    }
    if backlog.height() == 0 {
        rows.insert(
            0,
            vec![
                text("refactor first"),
                text("none"),
                text("no file of program code changed twice in the window"),
            ],
        );
    }
    Ok(Table::new("summary", &["what", "item", "why"], rows))
}

/// Rows of each kind in the summary.
const SUMMARY_ROWS: usize = 5;

/// The coupling graph of components, and the share of change sets in the window that touch more
/// than one component.
/// How the components changed together in the window, for the component graphs.
struct ComponentChange {
    /// Change sets per component: `entity`, `n-revs`, most first.
    revisions: DataFrame,
    /// Every pair of components that changed together in two change sets or more, at a degree of
    /// 10 % or more.
    pairs: DataFrame,
    /// Share of the window's change sets that touch more than one component.
    crossing_share: f64,
}

fn component_change(
    measured: &Measured,
    grouping: &Grouping,
    configured: &CouplingOptions,
) -> Result<ComponentChange, BuildError> {
    let rules = configured.components.clone();
    let components = cochange_analysis::map_entities(&measured.windowed, &|path: &str| {
        rules.component_of(path).0
    })?;
    let revisions = cochange_analysis::revisions(&components, grouping)?;
    // Components change far more often than files: every pair that changed together twice and
    // reaches 10 % is drawn, the width showing the degree.
    let options = CouplingOptions {
        min_revs: 1,
        min_shared: 2,
        min_degree: 10,
        ..configured.clone()
    };
    let pairs = cochange_analysis::coupling(&components, &options)?;
    let (crossing, total) = cochange_analysis::crossing(&components, grouping)?;
    let crossing_share = if total == 0 {
        0.0
    } else {
        crossing as f64 / total as f64
    };
    Ok(ComponentChange {
        revisions,
        pairs,
        crossing_share,
    })
}

/// Monthly trends over the analysed history, with the trailing 12 months for coupled pairs.
fn trends_section(
    upto: &cochange_analysis::Tables,
    teams: &cochange_analysis::Teams,
    configured: &CouplingOptions,
    span: cochange_analysis::TrendSpan,
) -> Result<Section, BuildError> {
    let trends = cochange_analysis::trends(
        upto,
        cochange_analysis::Period::Month,
        12,
        &configured.components,
        teams,
        configured,
        span,
    )?;
    Ok(Section {
        id: "trends".into(),
        title: "Trends".into(),
        text: "Per month: change sets, files per change set, the share crossing components, coupled pairs over the trailing 12 months, hotspot concentration, active authors and teams per component; the table is newest first, and a month that the history ends in is marked partial.".into(),
        table: Table::from_frame("trends", &trends.reverse())?,
        charts: vec![("trends.svg".into(), trend_chart(&trends)?)],
        highlight: None,
        // Teams per component is empty without `[teams]`: the page leaves the column out.
        shown: trends
            .columns()
            .iter()
            .filter(|c| c.is_empty() || c.null_count() < c.len())
            .map(|c| c.name().to_string())
            .collect(),
    })
}

/// One small chart per trend metric.
fn trend_chart(trends: &DataFrame) -> Result<String, BuildError> {
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
    let partial = trends
        .column("partial")?
        .bool()?
        .iter()
        .last()
        .flatten()
        .unwrap_or(false);
    Ok(crate::charts::trend_chart(
        &labels,
        &series,
        &format!("Trends per period, {span}"),
        partial,
    )?)
}

/// The backlog with its reason right after the entity, where a reader looks.
fn reason_first(backlog: &DataFrame) -> Result<DataFrame, BuildError> {
    let mut columns: Vec<&str> = vec!["rank", "entity", "score", "reason"];
    for name in backlog.get_column_names() {
        if !columns.contains(&name.as_str()) {
            columns.push(name.as_str());
        }
    }
    Ok(backlog.select(columns)?)
}

fn header(measured: &Measured, grouping: &Grouping) -> Result<Vec<(String, String)>, BuildError> {
    let w = &measured.windowed;
    let mut header = measured.context();
    header.extend([
        (
            "commits in the window".to_owned(),
            w.commits.height().to_string(),
        ),
        (
            "change sets in the window".to_owned(),
            cochange_analysis::change_set_count(w, grouping)?.to_string(),
        ),
        (
            "authors in the window".to_owned(),
            w.commits
                .column(cochange_analysis::col::AUTHOR)?
                .n_unique()?
                .to_string(),
        ),
    ]);
    Ok(header)
}

fn hotspot_chart(spots: &DataFrame, window: &str) -> Result<String, BuildError> {
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
    Ok(crate::charts::hotspot_chart(
        &points,
        LABELLED,
        window,
        &crate::charts::FILE_HOTSPOTS,
    )?)
}

/// The entities of the strongest pairs, in order of first appearance, and their degrees.
fn heatmap(pairs: &DataFrame, window: &str) -> Result<String, BuildError> {
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
    Ok(crate::charts::heatmap(&names, &matrix, window)?)
}

fn folder_graph(
    revisions: &DataFrame,
    pairs: &DataFrame,
    window: &str,
) -> Result<String, BuildError> {
    use coupling_col as c;
    let names = revisions.column("entity")?.str()?;
    let counts = revisions.column("n-revs")?.u64()?;
    let nodes: Vec<Node> = names
        .iter()
        .zip(counts.iter())
        .take(crate::charts::GRAPH_FOLDERS)
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
    Ok(crate::charts::coupling_graph(&nodes, &edges, window)?)
}

fn ownership_chart(ownership: &DataFrame, measured: &Measured) -> Result<String, BuildError> {
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
    Ok(crate::charts::ownership_chart(&rows, &span)?)
}

fn activity_chart(activity: &DataFrame, measured: &Measured) -> Result<String, BuildError> {
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
    Ok(crate::charts::activity_chart(&rows, &span)?)
}
