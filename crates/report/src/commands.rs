//! The tables of each command that does more than run one analysis: what the command line prints,
//! with the context lines, titles and legends that say what the numbers cover.

use std::collections::HashMap;

use cochange_analysis::{
    CacheStatus, Coverage, KnowledgeOptions, MainDevBy, Notice, Period, Session, Thresholds,
    coupling_col, day, months_before,
};
use polars::prelude::*;

use crate::BuildError;
use crate::snapshot::Snapshot;
use crate::{Cell, Table};

/// One row per repository: what mining did (`mine`).
pub fn mining_table(session: &Session<'_>) -> Table {
    let columns = [
        "repo",
        "commits",
        "merges",
        "changes",
        "from_cache",
        "mined",
        "tree_diffs",
        "blob_diffs",
        "cache",
        "cache_dir",
    ];
    let rows = session
        .history
        .outcomes
        .iter()
        .map(|o| {
            let s = &o.statistics;
            let (state, dir) = match &s.cache {
                CacheStatus::Disabled => ("off", String::new()),
                CacheStatus::Created { path } => ("created", path.display().to_string()),
                CacheStatus::Used { path } => ("used", path.display().to_string()),
                CacheStatus::Rebuilt { path } => ("rebuilt", path.display().to_string()),
            };
            let int = |n: usize| Cell::Int(n as i64);
            vec![
                Cell::Text(o.repo.clone()),
                int(s.commits_selected),
                int(s.merges_selected),
                int(s.changes_selected),
                int(s.commits_from_cache),
                int(s.commits_mined),
                int(s.tree_diffs),
                int(s.blob_diffs),
                Cell::Text(state.into()),
                Cell::Text(dir),
            ]
        })
        .collect();
    Table::new("mine", &columns, rows)
}

/// The analyses that run once over the whole history and print one table, named as the
/// commands are (most are code-maat's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryAnalysis<'a> {
    /// `changes`: every file change.
    Changes,
    /// `summary`.
    Summary,
    /// `revisions` per entity.
    Revisions,
    /// `authors` per entity.
    Authors,
    /// `entity-churn`.
    EntityChurn,
    /// `author-churn`.
    AuthorChurn,
    /// `abs-churn`.
    AbsChurn,
    /// `entity-ownership`.
    EntityOwnership,
    /// `entity-effort`.
    EntityEffort,
    /// `communication`.
    Communication,
    /// `age` as of the session's as-of instant.
    Age,
    /// `main-dev`, by added lines.
    MainDev,
    /// `refactoring-main-dev`, by deleted lines.
    RefactoringMainDev,
    /// `main-dev-by-revs`.
    MainDevByRevs,
    /// `fragmentation`.
    Fragmentation,
    /// `messages` matching a regular expression.
    Messages(&'a str),
    /// `soc` above `min_revs` (else the config's, else 5).
    Soc {
        /// `--min-revs`.
        min_revs: Option<u32>,
    },
}

/// The table of one [`HistoryAnalysis`]; `code_maat` asks for code-maat's columns and semantics.
pub fn history_table(
    session: &Session<'_>,
    analysis: HistoryAnalysis<'_>,
    code_maat: bool,
) -> Result<Table, BuildError> {
    use HistoryAnalysis as H;
    use cochange_analysis as a;
    let tables = &session.history.tables;
    let grouping = &session.settings.grouping;
    let (name, frame) = match analysis {
        H::Changes => ("changes", a::changes(tables, session.several())),
        H::Summary => ("summary", a::summary(tables)),
        H::Revisions => ("revisions", a::revisions(tables, grouping)),
        H::Authors => ("authors", a::authors(tables)),
        H::EntityChurn => ("entity-churn", a::entity_churn(tables)),
        H::AuthorChurn => ("author-churn", a::author_churn(tables)),
        H::AbsChurn => ("abs-churn", a::abs_churn(tables)),
        H::EntityOwnership => ("entity-ownership", a::entity_ownership(tables)),
        H::EntityEffort => ("entity-effort", a::entity_effort(tables)),
        H::Communication => ("communication", a::communication(tables)),
        H::Age => ("age", a::age(tables, session.as_of()?, code_maat)),
        H::MainDev => ("main-dev", a::main_dev(tables, MainDevBy::Added, code_maat)),
        H::RefactoringMainDev => (
            "refactoring-main-dev",
            a::main_dev(tables, MainDevBy::Deleted, code_maat),
        ),
        H::MainDevByRevs => (
            "main-dev-by-revs",
            a::main_dev(tables, MainDevBy::Revisions, code_maat),
        ),
        H::Fragmentation => ("fragmentation", a::fragmentation(tables, code_maat)),
        H::Messages(pattern) => {
            let regex = regex::Regex::new(pattern).map_err(|err| {
                a::Error::Invalid(format!(
                    "`--message-pattern {pattern}` is not a valid regular expression: {}",
                    a::one_line(&err)
                ))
            })?;
            ("messages", a::messages(tables, &regex, code_maat))
        }
        H::Soc { min_revs } => {
            let min_revs = min_revs
                .or(session.settings.thresholds.min_revs)
                .unwrap_or(a::SOC_MIN_REVS);
            let order = if code_maat {
                a::SocOrder::CodeMaat
            } else {
                a::SocOrder::Ours
            };
            let soc = a::soc(tables, grouping, min_revs, order)?;
            (
                "soc",
                if code_maat {
                    soc.select(["entity", "soc"])
                } else {
                    Ok(soc)
                },
            )
        }
    };
    Ok(Table::from_frame(name, &frame?)?)
}

/// `coupling`: the pairs over the whole analysed history with `thresholds` over the config's;
/// when no pair passes, a notice says how many each threshold removed.
pub fn coupling(
    session: &mut Session<'_>,
    thresholds: &Thresholds,
    code_maat: bool,
) -> Result<Table, BuildError> {
    let options = session.coupling_options(thresholds)?;
    let tables = &session.history.tables;
    let mut frame = cochange_analysis::coupling(tables, &options)?;
    if frame.height() == 0 {
        let counts = cochange_analysis::coupling_threshold_counts(tables, &options)?;
        let [revs, shared, min_degree, max_degree] = counts.removed;
        session.notify(Notice::Info(format!(
            "no pair passes the thresholds. Of {} pairs that changed together, \
             --min-revs {} removes {revs}, --min-shared {} removes {shared}, \
             --min-degree {} removes {min_degree}, --max-degree {} removes {max_degree} \
             (each counted alone); --max-changeset-size {} left out {} change sets",
            counts.candidates,
            options.min_revs,
            options.min_shared,
            options.min_degree,
            options.max_degree,
            options.max_changeset_size,
            counts.large_change_sets
        )));
    }
    if code_maat {
        use coupling_col as c;
        frame = frame.select([c::ENTITY, c::COUPLED, c::DEGREE, c::AVERAGE_REVS])?;
    } else {
        let graph = cochange_analysis::PairStructure::new(&session.structure()?);
        frame = cochange_analysis::with_structure(frame, &graph)?;
    }
    Ok(Table::from_frame("coupling", &frame)?)
}

/// `hotspots` over a window of `months`: program code that is not a test, or every file with
/// `all_files`.
pub fn hotspots(
    session: &mut Session<'_>,
    months: u32,
    all_files: bool,
) -> Result<Table, BuildError> {
    let measured = session.measure(months)?;
    let settings = session.settings;
    let frame = measured.hotspots(&settings.grouping)?;
    let frame = if all_files {
        frame
    } else {
        cochange_analysis::split_hotspots(&frame, &settings.tests, false)?.0
    };
    let mut table = Table::from_frame("hotspots", &frame)?;
    table.context = measured.context();
    Ok(table)
}

/// What `backlog` takes besides the session.
#[derive(Debug, Clone)]
pub struct BacklogOptions {
    /// The window, in months.
    pub months: u32,
    /// Months without a commit after which a person counts as inactive.
    pub inactive_after: u32,
    /// Line coverage of the analysed revision, when given.
    pub coverage: Option<Coverage>,
    /// Also list prose, data and configuration files.
    pub all_files: bool,
}

/// `backlog`: the ranked list with its legend.
pub fn backlog(session: &mut Session<'_>, options: &BacklogOptions) -> Result<Table, BuildError> {
    let measured = session.measure(options.months)?;
    let settings = session.settings;
    let spots = measured.hotspots(&settings.grouping)?;
    let configured = session.coupling_options(&Thresholds::default())?;
    let pairs = cochange_analysis::with_structure(
        cochange_analysis::coupling(&measured.windowed, &configured)?,
        &cochange_analysis::PairStructure::new(&session.structure()?),
    )?;
    let coverage: Option<HashMap<String, f64>> = options
        .coverage
        .as_ref()
        .map(|c| session.match_coverage(c, &measured));
    if let Some(warning) = measured.test_share_warning(&settings.tests) {
        session.notify(Notice::Warning(warning));
    }
    let functions =
        session.function_rows_of(&measured, &|_| true, &cochange_analysis::NoProgress)?;
    let frame = measured.backlog(
        settings,
        &spots,
        &pairs,
        &cochange_analysis::BacklogChoices {
            coverage: coverage.as_ref(),
            inactive_after: options.inactive_after,
            all_files: options.all_files,
            functions: &functions,
        },
    )?;
    let mut table = Table::from_frame("backlog", &frame)?;
    table.title = Some(format!("Refactoring backlog: {}", measured.repositories));
    table.context = measured.context();
    table.legend = vec![
        "score = criticality × revisions × log2(2 + loc) × (1 + ¼ × mean of coupling, test gap, ownership, hidden coupling, defects) (docs/metrics.md)".into(),
        "coupling: share of its co-changes that reach other folders, each change set counted once".into(),
        "coupled / coupled_cross / coupled_hidden: files it forms a coupling pair with (thresholds in force), how many are in other components, and how many of those neither import nor are imported by it; hidden_coupling: coupled_hidden / coupled".into(),
        "test_share: share of its change sets in which a test file changed too; coverage: line coverage, when given".into(),
        format!(
            "main_dev: most lines added; inactive after {} months without a commit; knowledge_risk: inactive and holding at least half",
            options.inactive_after
        ),
        "criticality: weight from [criticality] in .cochange.toml (1 when none matches)".into(),
    ];
    Ok(table)
}

/// The tables of `components`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ComponentsView {
    /// Per component: where it comes from, files, revisions, authors, fan-in, fan-out.
    Components,
    /// Pairs of components with the coupling measures and their strongest file pairs.
    Coupling,
    /// Sets of components that change in a cycle.
    Cycles,
    /// Clusters of files that change together, beside their declared components.
    Clusters,
    /// Every file of the analysed revision with its component and the source that mapped it.
    Files,
}

/// `components`: the views asked for (all but `Files` when `None`). With `explain`, notices say
/// which source mapped how many files.
pub fn components(
    session: &mut Session<'_>,
    view: Option<ComponentsView>,
    explain: bool,
) -> Result<Vec<Table>, BuildError> {
    let options = session.coupling_options(&Thresholds::default())?;
    // The import graph is read only for the table that shows it.
    let structure = match view {
        None | Some(ComponentsView::Coupling) => {
            Some(cochange_analysis::PairStructure::new(&session.structure()?))
        }
        Some(_) => None,
    };
    let mapping = session.mapping()?.clone();
    let report = cochange_analysis::components(
        &session.history.tables,
        &mapping.files,
        &mapping.rules,
        &options,
        structure.as_ref(),
    )?;
    let explained = session.mapping_sources()?;
    if explain {
        session.notify(Notice::Info(format!("files mapped by source: {explained}")));
        if let Some(file) = &mapping.rules.codeowners_file {
            session.notify(Notice::Info(format!("CODEOWNERS read from `{file}`")));
        }
        for (dir, name, kind) in &mapping.rules.members {
            session.notify(Notice::Info(format!(
                "{kind} workspace member `{dir}` → `{name}`"
            )));
        }
    }
    if !mapping.rules.skipped_lines.is_empty() {
        session.notify(Notice::Warning(format!(
            "CODEOWNERS lines with invalid patterns were skipped: {:?}",
            mapping.rules.skipped_lines
        )));
    }
    let (crossing, total) = report.crossing;
    let context = vec![
        ("files mapped by source".to_owned(), explained),
        (
            "change sets crossing components".to_owned(),
            format!(
                "{crossing} of {total} ({:.1} %)",
                if total == 0 {
                    0.0
                } else {
                    100.0 * crossing as f64 / total as f64
                }
            ),
        ),
    ];
    let views = match view {
        Some(view) => vec![view],
        None => vec![
            ComponentsView::Components,
            ComponentsView::Coupling,
            ComponentsView::Cycles,
            ComponentsView::Clusters,
        ],
    };
    let mut tables = Vec::new();
    for view in views {
        let mut table = match view {
            ComponentsView::Components => Table::from_frame("components", &report.components)?,
            ComponentsView::Coupling => Table::from_frame("component-coupling", &report.coupling)?,
            ComponentsView::Cycles => Table::from_frame("cycles", &report.cycles)?,
            ComponentsView::Clusters => Table::from_frame("clusters", &report.clusters)?,
            ComponentsView::Files => {
                let (components, sources): (Vec<String>, Vec<String>) = mapping
                    .files
                    .iter()
                    .map(|f| {
                        let (c, s) = mapping.rules.component_of(f);
                        (c, s.to_string())
                    })
                    .unzip();
                let frame = df!(
                    "file" => mapping.files.clone(),
                    "component" => components,
                    "source" => sources,
                )?;
                Table::from_frame("files", &frame)?
            }
        };
        table.context.clone_from(&context);
        tables.push(table);
    }
    Ok(tables)
}

/// The tables of `deps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DepsView {
    /// Per component: files, fan-in and fan-out (in components) and imports in and out.
    Components,
    /// Component dependencies with their number of file imports, how often the two components
    /// change together, whether they are coupled, and an example import.
    Edges,
    /// Stable interfaces: component dependencies whose two components never changed in the same
    /// change set.
    Stable,
    /// The dependencies inside each cycle of the component graph, with the import behind each.
    Cycles,
    /// Per file of code: component, fan-in and fan-out (in files), external and unresolved imports.
    Files,
    /// Every import edge between two files, with the line of the import.
    Imports,
    /// The imports that break a rule of `[boundaries]` in the config: a forbidden component
    /// dependency, or a file outside a component's public paths.
    Violations,
}

/// `deps`: the views asked for (all but `Files` and `Imports` when `None`; `Violations` too
/// when the config has `[boundaries]`).
pub fn deps(session: &mut Session<'_>, view: Option<DepsView>) -> Result<Vec<Table>, BuildError> {
    session.history.needs_repository("`deps`")?;
    let structure = session.structure()?;
    let options = session.coupling_options(&Thresholds::default())?;
    let rules = &session.mapping()?.rules;
    let co_change =
        cochange_analysis::component_co_change(&session.history.tables, rules, &options)?;
    let report = cochange_analysis::deps(
        &structure,
        &|path| rules.component_of(path).0,
        &co_change,
        &session.settings.boundaries,
        &session.settings.tests,
    )?;
    let context = vec![("imports".to_owned(), structure.summary())];
    let views = if let Some(view) = view {
        vec![view]
    } else {
        let mut views = vec![DepsView::Components, DepsView::Edges, DepsView::Cycles];
        let boundaries = &session.settings.boundaries;
        if !boundaries.forbidden.is_empty() || !boundaries.public.is_empty() {
            views.push(DepsView::Violations);
        }
        views
    };
    let mut tables = Vec::new();
    for view in views {
        let (name, frame) = match view {
            DepsView::Components => ("dependency-components", &report.components),
            DepsView::Edges => ("dependencies", &report.edges),
            DepsView::Cycles => ("dependency-cycles", &report.cycles),
            DepsView::Stable => ("stable-dependencies", &report.stable),
            DepsView::Files => ("file-dependencies", &report.files),
            DepsView::Imports => ("imports", &report.imports),
            DepsView::Violations => ("boundary-violations", &report.violations),
        };
        let mut table = Table::from_frame(name, frame)?;
        table.context.clone_from(&context);
        tables.push(table);
    }
    Ok(tables)
}

/// The tables of `tables`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum TablesView {
    /// Per database table: where it is declared, the components that use it and how, whether it
    /// is shared, and its migrations over the history with the components changed beside them.
    Tables,
    /// Every use of a table by a file: component, file, line, and `read`, `write` or `model`.
    References,
}

/// `tables`: the view asked for, or both.
pub fn tables(
    session: &mut Session<'_>,
    view: Option<TablesView>,
) -> Result<Vec<Table>, BuildError> {
    session.history.needs_repository("`tables`")?;
    let structure = session.structure()?;
    let report = session.tables(&structure)?;
    let views = view.map_or(vec![TablesView::Tables, TablesView::References], |v| {
        vec![v]
    });
    let mut tables = Vec::new();
    for view in views {
        let (name, frame) = match view {
            TablesView::Tables => ("tables", &report.tables),
            TablesView::References => ("table-references", &report.references),
        };
        let mut table = Table::from_frame(name, frame)?;
        table.context = vec![("imports".to_owned(), structure.summary())];
        tables.push(table);
    }
    Ok(tables)
}

/// The tables of `knowledge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum KnowledgeView {
    /// Per component, with the bus factor.
    Components,
    /// Per file.
    Files,
    /// Per file and commit that last added its lines (author, date, lines).
    Origins,
    /// Code age: surviving lines by the year they were written, overall and per component.
    Age,
    /// The off-boarding simulation of `--leaving`, per component and file (two tables).
    Leaving,
}

/// `knowledge`: the view asked for, or components and files (and the off-boarding simulation
/// when people are leaving).
pub fn knowledge(
    session: &mut Session<'_>,
    options: &KnowledgeOptions,
    view: Option<KnowledgeView>,
    progress: &dyn cochange_analysis::Progress,
) -> Result<Vec<Table>, BuildError> {
    let knowledge = session.knowledge(options, progress)?;
    let as_of = session.as_of()?;
    let mut context = vec![
        ("as_of".to_owned(), day(as_of)),
        (
            "inactive".to_owned(),
            format!(
                "no commit since {}",
                day(months_before(as_of, options.inactive_after))
            ),
        ),
    ];
    if !options.leaving.is_empty() {
        context.push(("leaving".to_owned(), options.leaving.join(", ")));
    }
    let wanted = |this: KnowledgeView| match view {
        Some(v) => v == this,
        None => {
            matches!(this, KnowledgeView::Components | KnowledgeView::Files)
                || (this == KnowledgeView::Leaving && knowledge.leaving.is_some())
        }
    };
    let mut frames: Vec<(&str, &DataFrame)> = Vec::new();
    if wanted(KnowledgeView::Components) {
        frames.push(("knowledge-components", &knowledge.components));
    }
    if wanted(KnowledgeView::Files) {
        frames.push(("knowledge-files", &knowledge.files));
    }
    if wanted(KnowledgeView::Origins) {
        frames.push(("knowledge-origins", &knowledge.origins));
    }
    if wanted(KnowledgeView::Age) {
        frames.push(("code-age", &knowledge.age));
    }
    if wanted(KnowledgeView::Leaving) {
        let Some((files, components)) = &knowledge.leaving else {
            return Err(cochange_analysis::Error::Invalid(
                "`--show leaving` simulates people leaving: name them with `--leaving NAME`".into(),
            )
            .into());
        };
        frames.push(("leaving-components", components));
        frames.push(("leaving-files", files));
    }
    let mut tables = Vec::new();
    for (name, frame) in frames {
        let mut table = Table::from_frame(name, frame)?;
        table.context.clone_from(&context);
        tables.push(table);
    }
    Ok(tables)
}

/// The tables of `teams`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum TeamsView {
    /// Team × component change sets.
    Matrix,
    /// Teams per component.
    Components,
    /// Pairs of teams that change coupled files.
    Coordination,
}

/// `teams`: the views asked for (`None`: all).
pub fn teams(session: &Session<'_>, view: Option<TeamsView>) -> Result<Vec<Table>, BuildError> {
    let settings = session.settings;
    if settings.teams.teams.is_empty() {
        return Err(cochange_analysis::Error::Invalid(
            "`teams` needs `[teams]` in the config: team = [\"email@example.com\", \"Name glob*\"]"
                .into(),
        )
        .into());
    }
    let options = session.coupling_options(&Thresholds::default())?;
    let tables = &session.history.tables;
    let pairs = cochange_analysis::coupling(tables, &options)?;
    let report =
        cochange_analysis::teams(tables, &settings.teams, &session.mapping()?.rules, &pairs)?;
    let mut out = Vec::new();
    for (this, name, frame) in [
        (TeamsView::Matrix, "team-matrix", &report.matrix),
        (
            TeamsView::Components,
            "teams-per-component",
            &report.per_component,
        ),
        (
            TeamsView::Coordination,
            "coordination",
            &report.coordination,
        ),
    ] {
        if view.is_none_or(|v| v == this) {
            out.push(Table::from_frame(name, frame)?);
        }
    }
    Ok(out)
}

/// `trends` per `period`, with coupled pairs over `trailing` periods (`None`: a year).
pub fn trends(
    session: &Session<'_>,
    period: Period,
    trailing: Option<usize>,
) -> Result<Table, BuildError> {
    let options = session.coupling_options(&Thresholds::default())?;
    let year = match period {
        Period::Week => 52,
        Period::Month => 12,
        Period::Quarter => 4,
    };
    let frame = cochange_analysis::trends(
        &session.history.tables,
        period,
        trailing.unwrap_or(year),
        &options.components,
        &session.settings.teams,
        &options,
        cochange_analysis::TrendSpan {
            as_of: session.as_of()?,
            history_from: session.settings.mining.selection.since,
        },
    )?;
    let frame = crate::delivery::with_delivery(session, frame, period)?;
    Ok(Table::from_frame("trends", &frame)?)
}

/// The tables of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DiffView {
    /// New, grown, shrunk and dissolved couplings.
    Coupling,
    /// Hotspots that entered, left or moved.
    Hotspots,
    /// New knowledge risks.
    Knowledge,
    /// Components whose knowledge loss changed.
    KnowledgeLoss,
    /// Component dependencies and dependency cycles that are new or gone, and tables newly
    /// shared or no longer shared.
    Dependencies,
    /// Trend metrics of the last period.
    Trends,
}

/// `diff OLD NEW`: the tables asked for (`None`: all), each with both snapshots named.
pub fn diff_tables(
    old: (&str, &Snapshot),
    new: (&str, &Snapshot),
    hotspots: usize,
    view: Option<DiffView>,
) -> Vec<Table> {
    let context = vec![
        (
            "old".to_owned(),
            format!("{} (as of {})", old.0, old.1.header.as_of),
        ),
        (
            "new".to_owned(),
            format!("{} (as of {})", new.0, new.1.header.as_of),
        ),
    ];
    crate::diff(old.1, new.1, hotspots)
        .into_iter()
        .filter(|t| {
            view.is_none_or(|view| {
                t.name
                    == match view {
                        DiffView::Coupling => "coupling-changes",
                        DiffView::Hotspots => "hotspot-changes",
                        DiffView::Knowledge => "new-knowledge-risks",
                        DiffView::KnowledgeLoss => "knowledge-loss-changes",
                        DiffView::Dependencies => "dependency-changes",
                        DiffView::Trends => "trend-changes",
                    }
            })
        })
        .map(|mut t| {
            t.context.clone_from(&context);
            t
        })
        .collect()
}

/// The tables of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum EvalView {
    /// Per ranker: queries, hit@1, hit@3, recall@10 and MRR.
    Rankers,
    /// How often the likely-missing warnings at the thresholds in force are right.
    Warnings,
}

/// `eval`: how well each ranker of `impact` predicts the other files of later change sets, and
/// how often its likely-missing warnings are right; the view asked for, or both.
pub fn impact_check(
    session: &Session<'_>,
    options: &cochange_analysis::EvalOptions,
    view: Option<EvalView>,
) -> Result<Vec<Table>, BuildError> {
    if !matches!(
        session.settings.grouping,
        cochange_analysis::Grouping::Commit
    ) {
        return Err(cochange_analysis::Error::Invalid(
            "`eval` follows its protocol over single commits (docs/metrics.md, *eval*): `--group-by` does not apply to it".into(),
        )
        .into());
    }
    let max_files = session
        .settings
        .thresholds
        .max_changeset_size
        .unwrap_or(cochange_analysis::CouplingOptions::default().max_changeset_size);
    let sets = cochange_analysis::eval_sets(&session.history.tables, max_files as usize)?;
    let rows = cochange_analysis::evaluate(&sets, options);
    let frame = df!(
        "ranker" => rows.iter().map(|r| r.ranker.as_str()).collect::<Vec<_>>(),
        "queries" => rows.iter().map(|r| r.queries).collect::<Vec<_>>(),
        "hit_1" => rows.iter().map(|r| r.hit_1).collect::<Vec<_>>(),
        "hit_3" => rows.iter().map(|r| r.hit_3).collect::<Vec<_>>(),
        "recall_10" => rows.iter().map(|r| r.recall_10).collect::<Vec<_>>(),
        "mrr" => rows.iter().map(|r| r.mrr).collect::<Vec<_>>(),
    )?;
    let tested = cochange_analysis::tested(sets.len(), options.test_share);
    let mut table = Table::from_frame("eval", &frame)?;
    table.context = vec![
        ("repository".to_owned(), session.repositories()),
        (
            "change sets".to_owned(),
            format!(
                "{} non-merge commits of 2 to {max_files} files, oldest first: the first {} learnt from, the newest {tested} tested (each learnt from once scored)",
                sets.len(),
                sets.len() - tested.min(sets.len()),
            ),
        ),
        (
            "queries".to_owned(),
            match options.query_size {
                None => "each file of a tested change set that changed before; the others are to be found".to_owned(),
                Some(n) => format!("the first {n} files of a tested change set by path, together; the others are to be found"),
            },
        ),
    ];
    let thresholds = &options.warnings;
    let warned = cochange_analysis::evaluate_warnings(&sets, options.test_share, thresholds);
    let ratio = |a: u64, b: u64| {
        if b == 0 {
            None
        } else {
            Some(a as f64 / b as f64)
        }
    };
    let mut warnings = Table::from_frame(
        "eval-warnings",
        &df!(
            "min_confidence" => [thresholds.min_confidence],
            "min_support" => [thresholds.min_shared],
            "queries" => [warned.queries],
            "warnings" => [warned.warnings],
            "right" => [warned.right],
            "precision" => [ratio(warned.right, warned.warnings)],
            "recall" => [ratio(warned.right, warned.queries)],
        )?,
    )?;
    warnings.context = vec![
        ("repository".to_owned(), session.repositories()),
        (
            "warnings".to_owned(),
            format!(
                "each file of the newest {tested} change sets that changed before is left out in turn and the others are the change; a file is warned about as missing when it changed in at least {} of the earlier change sets holding the largest part of the change that changed together before, and in at least {} % of them counting recent and small change sets more: precision = right / warnings, recall = right / queries (always leaving one file out, whatever --query-size)",
                thresholds.min_shared,
                (thresholds.min_confidence * 100.0).round()
            ),
        ),
    ];
    Ok(match view {
        None => vec![table, warnings],
        Some(EvalView::Rankers) => vec![table],
        Some(EvalView::Warnings) => vec![warnings],
    })
}

/// `eval backlog`: the precision at k of each ranking at each cut-off, with what it measures.
pub fn ranking_check(
    session: &mut Session<'_>,
    check: &cochange_analysis::RankingCheck,
) -> Result<Table, BuildError> {
    let frame = cochange_analysis::ranking_check(session, check)?;
    let mut table = Table::from_frame("ranking-check", &frame)?;
    table.context = vec![
        ("repository".to_owned(), session.repositories()),
        (
            "measure".to_owned(),
            format!(
                "share of each ranking's top {} files that fix commits touched in the {} months after the cut-off",
                check.k, check.horizon_months
            ),
        ),
        ("fix pattern".to_owned(), check.fix_pattern.to_string()),
        (
            "rankings".to_owned(),
            format!(
                "revisions: program files (not tests) by revisions in the {} months before; hotspots: as `hotspots` lists them (program code, not tests); backlog: as `backlog`",
                check.window_months
            ),
        ),
    ];
    Ok(table)
}

/// The tables of `impact`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ImpactView {
    /// With a change: the files that usually change with it and are not in it, above the
    /// thresholds, with the evidence.
    Missing,
    /// With a change: its files, how each was read, and those without history.
    Changed,
    /// Every file that changed with the query before, ranked, with the measures of each.
    Ranked,
}

/// What `impact` takes besides the session and the query.
#[derive(Debug, Clone, Copy)]
pub struct ImpactOptions {
    /// How candidates are ranked.
    pub ranker: cochange_analysis::Ranker,
    /// When a file counts as missing from a change.
    pub thresholds: cochange_analysis::WarningThresholds,
}

/// `impact`: the views asked for, else the ranked files for paths and the missing and changed
/// files for a change.
pub fn impact(
    session: &mut Session<'_>,
    query: &cochange_analysis::ImpactQuery,
    options: &ImpactOptions,
    view: Option<ImpactView>,
) -> Result<Vec<Table>, BuildError> {
    let is_change = matches!(query, cochange_analysis::ImpactQuery::Change(_));
    if !is_change && matches!(view, Some(ImpactView::Missing | ImpactView::Changed)) {
        return Err(cochange_analysis::Error::Invalid(
            "`--show missing` and `--show changed` are about a change: give `--diff`, `--staged`, or no paths (the work tree)".into(),
        )
        .into());
    }
    let found = session.impact(query, options.ranker, &options.thresholds)?;
    let views = match (view, is_change) {
        (Some(view), _) => vec![view],
        (None, false) => vec![ImpactView::Ranked],
        (None, true) => vec![ImpactView::Missing, ImpactView::Changed],
    };
    let history = format!(
        "{} change sets ({}) of at most {} files{}",
        found.change_sets,
        session.settings.grouping.describe(),
        session
            .settings
            .thresholds
            .max_changeset_size
            .unwrap_or(cochange_analysis::CouplingOptions::default().max_changeset_size),
        match query {
            cochange_analysis::ImpactQuery::Change(change) => format!(
                ", up to the commit the change starts from ({})",
                &change.base[..change.base.len().min(12)]
            ),
            cochange_analysis::ImpactQuery::Paths(_) => String::new(),
        }
    );
    let mut context = vec![
        ("repository".to_owned(), session.repositories()),
        ("history".to_owned(), history),
        (
            "query".to_owned(),
            if found.query.is_empty() {
                "no file with history".to_owned()
            } else {
                found.query.join(", ")
            },
        ),
    ];
    let mut tables = Vec::new();
    for view in views {
        let table = match view {
            ImpactView::Ranked => {
                let mut table = ranked_table(&found.ranked, found.query.len() > 1)?;
                table.title = Some("What changed with the query before".into());
                context.push(("ranker".to_owned(), options.ranker.as_str().to_owned()));
                table.context.clone_from(&context);
                context.pop();
                table
            }
            ImpactView::Missing => {
                let mut table = missing_table(&found.missing)?;
                table.title = Some("Files likely missing from this change".into());
                table.context.clone_from(&context);
                table.context.push((
                    "missing".to_owned(),
                    format!(
                        "files not in the change that changed in at least {} of the change sets holding the largest part of it that changed together before, and in at least {} % of them counting recent and small change sets more (weighted_confidence)",
                        options.thresholds.min_shared,
                        (options.thresholds.min_confidence * 100.0).round(),
                    ),
                ));
                table
            }
            ImpactView::Changed => {
                let mut table = changed_table(&found.changed)?;
                table.title = Some("The files of the change".into());
                table.context.clone_from(&context);
                table
            }
        };
        tables.push(table);
    }
    Ok(tables)
}

/// `abc123…` → its first 12 digits.
fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// "changed in 7 of the 9 change sets of a.rs (78 %), last together on 2024-03-02 in 1a2b3c4d5e6f".
fn together(shared: u32, sets: u32, with: &[String], last: &(String, i64)) -> String {
    let of = match with {
        [one] => format!("of {one}"),
        several => format!("that touched {} together", several.join(", ")),
    };
    format!(
        "changed in {shared} of the {sets} change sets {of} ({} %), last together on {} in {}",
        (100.0 * f64::from(shared) / f64::from(sets.max(1))).round(),
        day(last.1),
        short(&last.0)
    )
}

/// The ranked candidates; `with` (the rule's files) only when the query has several files, as
/// it is the query itself otherwise.
fn ranked_table(ranked: &[cochange_analysis::Candidate], with: bool) -> Result<Table, BuildError> {
    let mut frame = df!(
        "rank" => (1..=ranked.len() as u64).collect::<Vec<_>>(),
        "entity" => ranked.iter().map(|c| c.file.as_str()).collect::<Vec<_>>(),
        "score" => ranked.iter().map(|c| c.score).collect::<Vec<_>>(),
        "confidence" => ranked.iter().map(cochange_analysis::Candidate::confidence).collect::<Vec<_>>(),
        "support" => ranked.iter().map(cochange_analysis::Candidate::support).collect::<Vec<_>>(),
        "lift" => ranked.iter().map(cochange_analysis::Candidate::lift).collect::<Vec<_>>(),
        "shared" => ranked.iter().map(|c| c.shared).collect::<Vec<_>>(),
        "revisions" => ranked.iter().map(|c| c.revisions).collect::<Vec<_>>(),
        "with" => ranked.iter().map(|c| c.antecedent.join(", ")).collect::<Vec<_>>(),
        "last_together" => ranked.iter().map(|c| day(c.last.1)).collect::<Vec<_>>(),
        "last_commit" => ranked.iter().map(|c| short(&c.last.0).to_owned()).collect::<Vec<_>>(),
    )?;
    if !with {
        frame = frame.drop("with")?;
    }
    let mut table = Table::from_frame("impact", &frame)?;
    table.legend = vec![
        "score: the ranker's; confidence = shared / change sets of `with`; support = shared / all change sets; lift = confidence / (revisions / all change sets)".into(),
        "with (several query files): the largest part of the query that changed together before, which the row's rule starts from".into(),
    ];
    Ok(table)
}

fn missing_table(missing: &[cochange_analysis::Evidence]) -> Result<Table, BuildError> {
    let frame = df!(
        "entity" => missing.iter().map(|e| e.file.as_str()).collect::<Vec<_>>(),
        "weighted_confidence" => missing.iter().map(|e| e.weighted_confidence).collect::<Vec<_>>(),
        "confidence" => missing.iter().map(cochange_analysis::Evidence::confidence).collect::<Vec<_>>(),
        "shared" => missing.iter().map(|e| e.shared).collect::<Vec<_>>(),
        "with_sets" => missing.iter().map(|e| e.with_sets).collect::<Vec<_>>(),
        "with" => missing.iter().map(|e| e.with.join(", ")).collect::<Vec<_>>(),
        "last_together" => missing.iter().map(|e| day(e.last.1)).collect::<Vec<_>>(),
        "last_commit" => missing.iter().map(|e| short(&e.last.0).to_owned()).collect::<Vec<_>>(),
        "reason" => missing.iter().map(missing_reason).collect::<Vec<_>>(),
    )?;
    Ok(Table::from_frame("impact-missing", &frame)?)
}

/// Why a file is likely missing from a change, in words.
pub(crate) fn missing_reason(evidence: &cochange_analysis::Evidence) -> String {
    format!(
        "{} ({} % counting recent and small change sets more); it is not in this change",
        together(
            evidence.shared,
            evidence.with_sets,
            &evidence.with,
            &evidence.last
        ),
        (evidence.weighted_confidence * 100.0).round()
    )
}

fn changed_table(changed: &[cochange_analysis::ChangedEntity]) -> Result<Table, BuildError> {
    let note = |c: &cochange_analysis::ChangedEntity| {
        if !c.kept {
            "left out by the path filters"
        } else if c.revisions == 0 && c.file.kind == cochange_analysis::ChangedKind::Added {
            "new file"
        } else if c.revisions == 0 {
            "first change in the analysed history"
        } else {
            ""
        }
    };
    let frame = df!(
        "path" => changed.iter().map(|c| c.file.path.as_str()).collect::<Vec<_>>(),
        "kind" => changed.iter().map(|c| c.file.kind.letter()).collect::<Vec<_>>(),
        "old_path" => changed.iter().map(|c| c.file.old_path.as_deref()).collect::<Vec<_>>(),
        "entity" => changed.iter().map(|c| c.entity.as_str()).collect::<Vec<_>>(),
        "revisions" => changed.iter().map(|c| c.revisions).collect::<Vec<_>>(),
        "note" => changed.iter().map(note).collect::<Vec<_>>(),
    )?;
    Ok(Table::from_frame("impact-changed", &frame)?)
}

/// `check --diff`: each file likely missing from `change` (the rule `missing-co-change`),
/// located on the changed file its rule starts from.
pub fn missing_co_changes(
    session: &mut Session<'_>,
    change: cochange_analysis::Change,
    thresholds: &cochange_analysis::WarningThresholds,
) -> Result<Vec<crate::Finding>, BuildError> {
    let query = cochange_analysis::ImpactQuery::Change(change);
    let found = session.impact(&query, cochange_analysis::Ranker::Default, thresholds)?;
    // The rule's first changed file, by its path in the change (its entity may be an older name).
    let path_of = |entity: &str| {
        found
            .changed
            .iter()
            .find(|c| c.entity == entity)
            .map_or_else(|| entity.to_owned(), |c| c.file.path.clone())
    };
    Ok(found
        .missing
        .iter()
        .map(|evidence| crate::Finding {
            rule: "missing-co-change",
            location: evidence
                .with
                .first()
                .map(|e| path_of(e))
                .unwrap_or_default(),
            // The file as a whole implies it; its first line, so that code scanning annotates it.
            line: Some(1),
            message: format!(
                "{} is likely missing: {}",
                evidence.file,
                missing_reason(evidence)
            ),
            known: false,
        })
        .collect())
}

/// The tables of `xray`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum XrayView {
    /// Per function of the files: measures, revisions in the window, churn, authors, main
    /// developer, first and last change, hotspot score.
    Functions,
    /// Pairs of functions that change together, one of them in the files.
    Coupling,
    /// With `--pair A B`: the function pairs behind the coupling of two files.
    Pairs,
}

/// What `xray` takes besides the session.
#[derive(Debug, Clone)]
pub struct XrayOptions {
    /// The files to look inside (paths of the analysed revision); empty: the top hotspots.
    pub files: Vec<String>,
    /// How many of the top file hotspots when no file is named.
    pub top: usize,
    /// The window of revisions and hotspot scores, in months.
    pub months: u32,
    /// Two files whose coupling to explain by the pairs of their functions.
    pub pair: Option<(String, String)>,
}

/// `xray`: the views asked for (the functions and their coupling by default; the pairs of
/// `--pair` too).
pub fn xray(
    session: &mut Session<'_>,
    options: &XrayOptions,
    view: Option<XrayView>,
    progress: &dyn cochange_analysis::Progress,
) -> Result<Vec<Table>, BuildError> {
    let measured = session.measure(options.months)?;
    let mut files: Vec<String> = if let (true, Some((a, b))) =
        (options.files.is_empty(), &options.pair)
    {
        vec![a.clone(), b.clone()]
    } else if options.files.is_empty() {
        let spots = measured.hotspots(&session.settings.grouping)?;
        let (program, _) =
            cochange_analysis::split_hotspots(&spots, &session.settings.tests, false)?;
        let entity = program
            .column(cochange_analysis::hotspot_col::ENTITY)?
            .str()?;
        let revisions = program
            .column(cochange_analysis::hotspot_col::REVISIONS)?
            .u64()?;
        entity
            .iter()
            .zip(revisions.iter())
            .filter(|(e, r)| r.unwrap_or(0) > 0 && e.is_some_and(cochange_analysis::code_language))
            .filter_map(|(e, _)| e.map(str::to_owned))
            .take(options.top)
            .collect()
    } else {
        options.files.clone()
    };
    // A file given twice is looked inside once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    if files.is_empty() {
        session.notify(Notice::Warning(format!(
            "no file of program code changed in the window {}: name files, or widen it with --months",
            measured.window()
        )));
    }
    let all = session.functions(&|_| true)?;
    for file in files
        .iter()
        .chain(options.pair.iter().flat_map(|(a, b)| [a, b]))
    {
        if !all.contains_key(file) {
            session.notify(Notice::Warning(format!(
                "`{file}` has no function cochange reads at the analysed revision (not a file of it, or not code of a language it reads)"
            )));
        }
    }
    let histories = session.function_history(&all, progress)?;
    let rows = cochange_analysis::function_rows(&histories, measured.from, measured.as_of);
    // Coupling and pairs cover the window too, as the rows do.
    let histories =
        cochange_analysis::histories_in_window(&histories, measured.from, measured.as_of);
    let views = match (view, &options.pair) {
        (Some(view), _) => vec![view],
        (None, None) => vec![XrayView::Functions, XrayView::Coupling],
        (None, Some(_)) => vec![XrayView::Functions, XrayView::Coupling, XrayView::Pairs],
    };
    let context = vec![
        ("repository".to_owned(), session.repositories()),
        ("window".to_owned(), measured.window()),
        ("files".to_owned(), files.join(", ")),
    ];
    let mut tables = Vec::new();
    for view in views {
        let mut table = match view {
            XrayView::Functions => xray_functions(&rows, &files)?,
            XrayView::Coupling => {
                let options = session.coupling_options(&Thresholds::default())?;
                xray_coupling(
                    &cochange_analysis::function_coupling(&histories, &options, &files)?,
                    &files,
                )?
            }
            XrayView::Pairs => {
                let Some((a, b)) = &options.pair else {
                    return Err(cochange_analysis::Error::Invalid(
                        "`--show pairs` needs `--pair A B`: the two files whose coupling to explain"
                            .into(),
                    )
                    .into());
                };
                xray_pairs(&cochange_analysis::function_pairs(&histories, a, b), a, b)?
            }
        };
        table.context.clone_from(&context);
        tables.push(table);
    }
    Ok(tables)
}

fn xray_functions(
    rows: &[cochange_analysis::FunctionRow],
    files: &[String],
) -> Result<Table, BuildError> {
    let mut picked: Vec<&cochange_analysis::FunctionRow> = Vec::new();
    for file in files {
        picked.extend(rows.iter().filter(|r| &r.file == file));
    }
    let date = |t: Option<i64>| t.map(day);
    let frame = df!(
        "file" => picked.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(),
        "function" => picked.iter().map(|r| r.function.name.as_str()).collect::<Vec<_>>(),
        "lines" => picked.iter().map(|r| format!("{}-{}", r.function.start, r.function.end)).collect::<Vec<_>>(),
        "loc" => picked.iter().map(|r| r.function.loc).collect::<Vec<_>>(),
        "cyclomatic" => picked.iter().map(|r| r.function.cyclomatic).collect::<Vec<_>>(),
        "cognitive" => picked.iter().map(|r| r.function.cognitive).collect::<Vec<_>>(),
        "nesting" => picked.iter().map(|r| r.function.nesting).collect::<Vec<_>>(),
        "parameters" => picked.iter().map(|r| r.function.parameters).collect::<Vec<_>>(),
        "revisions" => picked.iter().map(|r| r.revisions).collect::<Vec<_>>(),
        "total_revisions" => picked.iter().map(|r| r.total_revisions).collect::<Vec<_>>(),
        "churn" => picked.iter().map(|r| r.churn).collect::<Vec<_>>(),
        "authors" => picked.iter().map(|r| r.authors).collect::<Vec<_>>(),
        "main_dev" => picked.iter().map(|r| r.main_dev.as_deref()).collect::<Vec<_>>(),
        "first_change" => picked.iter().map(|r| date(r.first_change)).collect::<Vec<_>>(),
        "last_change" => picked.iter().map(|r| date(r.last_change)).collect::<Vec<_>>(),
        "hotspot_score" => picked.iter().map(|r| r.hotspot_score).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("xray-functions", &frame)?;
    table.title = Some("X-ray: the functions of the files, hottest first".into());
    table.legend = vec![
        "revisions: commits in the window that changed lines of the function (followed back as `git log -L` follows it, and through moves within its file); total_revisions: in the whole analysed history".into(),
        "hotspot_score = percent rank of revisions × percent rank of cognitive complexity, among all functions of the revision (docs/xray.md)".into(),
    ];
    Ok(table)
}

fn xray_coupling(pairs: &DataFrame, files: &[String]) -> Result<Table, BuildError> {
    use coupling_col as c;
    let entity = pairs.column(c::ENTITY)?.str()?;
    let coupled = pairs.column(c::COUPLED)?.str()?;
    let file_of = |e: &str| {
        files
            .iter()
            .find(|f| e.starts_with(f.as_str()) && e[f.len()..].starts_with(':'))
            .cloned()
    };
    let mask: BooleanChunked = entity
        .iter()
        .zip(coupled.iter())
        .map(|(a, b)| Some(a.and_then(file_of).is_some() || b.and_then(file_of).is_some()))
        .collect();
    let kept = pairs.filter(&mask)?;
    let file = |e: &str| e.rsplit_once(':').map_or(e, |(f, _)| f).to_owned();
    let same_file: Vec<bool> = kept
        .column(c::ENTITY)?
        .str()?
        .iter()
        .zip(kept.column(c::COUPLED)?.str()?.iter())
        .map(|(a, b)| a.map(file) == b.map(file))
        .collect();
    let mut frame = kept.select([
        c::ENTITY,
        c::COUPLED,
        c::DEGREE,
        c::AVERAGE_REVS,
        c::SHARED,
        c::REVS_A,
        c::REVS_B,
        c::CONFIDENCE_AB,
        c::CONFIDENCE_BA,
    ])?;
    frame.with_column(Column::new("same_file".into(), same_file))?;
    let mut table = Table::from_frame("xray-coupling", &frame)?;
    table.title = Some("X-ray: functions that change together".into());
    table.legend = vec![
        "entity, coupled: `file:function`; the measures of `coupling` over the commits of the window that changed each function, with its thresholds".into(),
    ];
    Ok(table)
}

fn xray_pairs(
    pairs: &[(&str, &str, u64, u64, u64)],
    a: &str,
    b: &str,
) -> Result<Table, BuildError> {
    let frame = df!(
        "function_a" => pairs.iter().map(|p| p.0).collect::<Vec<_>>(),
        "function_b" => pairs.iter().map(|p| p.1).collect::<Vec<_>>(),
        "shared" => pairs.iter().map(|p| p.2).collect::<Vec<_>>(),
        "revisions_a" => pairs.iter().map(|p| p.3).collect::<Vec<_>>(),
        "revisions_b" => pairs.iter().map(|p| p.4).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("xray-pairs", &frame)?;
    table.title = Some(format!("X-ray: the function pairs behind {a} and {b}"));
    table.legend = vec![
        "shared: commits of the window that changed both; revisions_a, revisions_b: commits of the window that changed each".into(),
    ];
    Ok(table)
}
