//! One arm per command: load the session the command needs, call the library, print.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use cochange_analysis::{KnowledgeOptions, Needs, RankingCheck, Session, Thresholds};
use cochange_report::{
    BacklogOptions, ComponentsView, DepsView, HistoryAnalysis, KnowledgeView, Output, Report,
    ReportOptions, Snapshot, Table,
};

use crate::args::{
    Args, Command, ComponentsArgs, DepsArgs, DiffArgs, EvalArgs, EvalCommand, ReportWindow,
    TablesArgs, TeamsArgs, ThresholdArgs,
};
use crate::exit;
use crate::printer::Printer;
use crate::progress::Bar;
use crate::settings::{Settings, UsageError};

/// The files a command reads, read before the work so that a mistake in them costs nothing.
struct Inputs {
    baseline: Option<Snapshot>,
    coverage: Option<cochange_analysis::Coverage>,
    /// The change `impact` or `check` reads (`--diff`, `--staged`, the work tree).
    change: Option<cochange_analysis::Change>,
}

impl Inputs {
    fn read(command: &Command) -> anyhow::Result<Inputs> {
        let inputs = command.inputs();
        let named = |flag| {
            inputs
                .iter()
                .find(|(f, _)| *f == flag)
                .map(|(_, path)| *path)
        };
        Ok(Inputs {
            baseline: named("--baseline").map(Snapshot::read).transpose()?,
            coverage: named("--coverage")
                .map(cochange_analysis::read_coverage)
                .transpose()?,
            change: None,
        })
    }
}

/// Refuses an `--output` file that is one of the command's inputs or holds changes git could not
/// give back, and one that `write_file` would refuse at the end.
fn check_output(path: &Path, command: &Command, settings: &Settings) -> anyhow::Result<()> {
    let config = settings.config.iter().map(|p| ("the config", p.as_path()));
    let inputs: Vec<_> = command.inputs().into_iter().chain(config).collect();
    cochange_report::check_file(path, &inputs)?;
    Ok(())
}

/// Warns when `old` and `new` may not compare like with like.
fn warn_incomparable(printer: &Printer, what: &str, old: &Snapshot, new: &Snapshot) {
    for reason in cochange_report::incomparable(old, new) {
        printer.warn(format_args!(
            "{what} may not compare like with like: {reason}"
        ));
    }
}

/// Where `report` writes without `--output`.
const REPORT_FOLDER: &str = "cochange-report";

/// What the command prints, which decides the formats it takes.
fn output(command: &Command) -> Output {
    match command {
        Command::Coupling(_) => Output::Pairs,
        Command::Components(args) if args.show == Some(ComponentsView::Coupling) => Output::Pairs,
        Command::Deps(args)
            if matches!(
                args.show,
                Some(DepsView::Edges | DepsView::Cycles | DepsView::Imports | DepsView::Stable)
            ) =>
        {
            Output::Pairs
        }
        Command::Check(_) => Output::Findings,
        Command::Report(_) => Output::Folder,
        Command::Knowledge(args) if args.show.is_none_or(|s| s == KnowledgeView::Leaving) => {
            Output::Tables
        }
        Command::Components(ComponentsArgs { show: None, .. })
        | Command::Teams(TeamsArgs { show: None, .. })
        | Command::Diff(DiffArgs { show: None, .. })
        | Command::Deps(DepsArgs { show: None, .. })
        | Command::Impact(crate::args::ImpactArgs { show: None, .. })
        | Command::Xray(crate::args::XrayArgs { show: None, .. })
        | Command::Eval(EvalArgs {
            command: None,
            impact: crate::args::EvalImpactArgs { show: None, .. },
        })
        | Command::Tables(TablesArgs { show: None, .. })
        | Command::Delivery(crate::args::DeliveryArgs { show: None, .. }) => Output::Tables,
        _ => Output::Table,
    }
}

/// Runs one command and returns its exit code.
pub fn run(command: &Command, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    if let Some(refusal) = settings.format.refusal(printer.command(), output(command)) {
        return Err(UsageError(refusal).into());
    }
    match (command, printer.output_path()) {
        (Command::Export(args), output) => return export(args, output, settings, printer),
        (Command::Report(_), output) => {
            cochange_report::check_folder(output.unwrap_or(Path::new(REPORT_FOLDER)))?;
        }
        (_, Some(path)) => check_output(path, command, settings)?,
        (_, None) => {}
    }
    let mut inputs = Inputs::read(command)?;
    match command {
        Command::Completions(args) => {
            return printer
                .data(|out| {
                    // clap_complete panics when a write fails; a closed pipe is not a bug.
                    let mut script = Vec::new();
                    clap_complete::generate(
                        args.shell,
                        &mut Args::command(),
                        "cochange",
                        &mut script,
                    );
                    out.write_all(&script)
                })
                .map(|()| exit::SUCCESS);
        }
        Command::Manpage => {
            return printer
                .data(|out| clap_mangen::Man::new(Args::command()).render(out))
                .map(|()| exit::SUCCESS);
        }
        Command::Diff(args) => {
            let (old, new) = (Snapshot::read(&args.old)?, Snapshot::read(&args.new)?);
            warn_incomparable(printer, "the two snapshots", &old, &new);
            let (old_name, new_name) = (args.old.display(), args.new.display());
            printer.tables(cochange_report::diff_tables(
                (&old_name.to_string(), &old),
                (&new_name.to_string(), &new),
                args.hotspots,
                args.show,
            ))?;
            return Ok(exit::SUCCESS);
        }
        Command::Check(args) => check_rules_apply(args, &settings.check)?,
        _ => {}
    }
    if matches!(command, Command::Report(_) | Command::Check(_)) && change_source(command).is_none()
    {
        printer.info("[1/3] mining the history and reading the files");
    }
    // A change is read first: its history ends where it starts.
    let (analysis, at) = match change_source(command) {
        Some(source) => {
            let (change, analysis) = cochange_analysis::read_change(&settings.analysis, &source)?;
            let head = change.head.clone();
            inputs.change = Some(change);
            (std::borrow::Cow::Owned(analysis), Some(head))
        }
        None => (
            std::borrow::Cow::Borrowed(&settings.analysis),
            command.at().map(str::to_owned),
        ),
    };
    let bar = Bar::new(printer.progress_target());
    let loaded = Session::load(
        &analysis,
        needs(command),
        at.as_deref(),
        component_depth(command),
        &bar,
    );
    bar.finish();
    let mut session = loaded?;
    printer.notices(session.take_notices());
    let code = analyse(command, inputs, &mut session, settings, printer);
    printer.notices(session.take_notices());
    code
}

/// `export`: every repository's tables below `output`, each reported as it finishes.
fn export(
    args: &crate::args::ExportArgs,
    output: Option<&Path>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    let Some(dir) = output else {
        return Err(UsageError(
            "`export` writes a folder of Parquet tables: name it with `--output DIR`".into(),
        )
        .into());
    };
    if settings.analysis.tables.is_some() {
        return Err(UsageError(
            "`export` reads repositories (`--repo`), not exported tables (`--tables`)".into(),
        )
        .into());
    }
    // One repository's mining draws the bar; several mined at once count on it as each finishes.
    let bar = Bar::new(printer.progress_target());
    let several = settings.analysis.repos.len() > 1;
    let progress: &dyn cochange_analysis::Progress = if several {
        cochange_analysis::Progress::phase(
            &bar,
            "exporting repositories",
            Some(settings.analysis.repos.len() as u64),
        );
        &cochange_analysis::NoProgress
    } else {
        &bar
    };
    let report = |outcome: &cochange_analysis::ExportOutcome| {
        if several {
            cochange_analysis::Progress::inc(&bar, 1);
        }
        for warning in &outcome.warnings {
            printer.warn(format_args!("{}: {warning}", outcome.path.display()));
        }
        if let Ok(done) = &outcome.result {
            if let Some(why) = &done.rewritten {
                printer.warn(format_args!(
                    "{}: the earlier export was replaced, not appended to: {why}",
                    done.repo
                ));
            }
            printer.info(format_args!(
                "{}: {} new commits, {} in the export",
                done.repo, done.new_commits, done.total_commits
            ));
        }
    };
    let run = cochange_analysis::export_repositories(
        &settings.analysis,
        dir,
        args.jobs as usize,
        progress,
        &report,
    );
    bar.finish();
    let run = run?;
    for stray in &run.strays {
        printer.warn(format_args!("{stray}"));
    }
    let mut failed = run.outcomes.into_iter().filter_map(|o| o.result.err());
    match failed.next() {
        None => {
            printer.info(format_args!("tables written below `{}`", dir.display()));
            Ok(exit::SUCCESS)
        }
        // The others were exported; the first failure decides the exit code.
        Some(first) => {
            for other in failed {
                printer.warn(format_args!("{:#}", anyhow::Error::from(other)));
            }
            Err(first.into())
        }
    }
}

/// The command's analysis on a loaded session, printed.
fn analyse(
    command: &Command,
    inputs: Inputs,
    session: &mut Session<'_>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    let tables = match command {
        Command::Report(args) => {
            return report(
                &args.window,
                inputs.baseline.as_ref(),
                session,
                settings,
                printer,
            );
        }
        Command::Check(args) if inputs.change.is_some() => {
            let change = inputs
                .change
                .unwrap_or_else(|| unreachable!("matched above"));
            let findings = cochange_report::missing_co_changes(
                session,
                change,
                &warning_thresholds(&args.warnings, settings),
            )?;
            return print_findings(&findings, settings, printer);
        }
        Command::Impact(args) => impact(args, inputs.change, session, settings)?,
        Command::Xray(args) => xray(args, session, settings, printer)?,
        Command::Check(args) => {
            return check(
                &args.window,
                inputs.baseline.as_ref(),
                session,
                settings,
                printer,
            );
        }
        Command::Coupling(args) => vec![cochange_report::coupling(
            session,
            &thresholds(&args.thresholds)?,
            command.code_maat_columns(),
        )?],
        Command::Hotspots(args) => vec![cochange_report::hotspots(
            session,
            args.window.months,
            args.files.all_files,
        )?],
        Command::Backlog(args) => {
            let options = BacklogOptions {
                months: args.window.months,
                inactive_after: args.inactive.inactive_after,
                coverage: inputs.coverage,
                all_files: args.files.all_files,
            };
            vec![cochange_report::backlog(session, &options)?]
        }
        Command::Trends(args) => {
            vec![cochange_report::trends(
                session,
                args.period,
                args.trailing,
            )?]
        }
        Command::Components(args) => {
            cochange_report::components(session, args.show, settings.explain)?
        }
        Command::Knowledge(args) => {
            let options = KnowledgeOptions {
                inactive_after: args.inactive.inactive_after,
                blame: args.blame,
                leaving: args.leaving.clone(),
                orphaned_below: args.orphaned_below,
            };
            let bar = Bar::new(printer.progress_target());
            let tables = cochange_report::knowledge(session, &options, args.show, &bar);
            bar.finish();
            tables?
        }
        Command::Teams(args) => cochange_report::teams(session, args.show)?,
        Command::Deps(args) => cochange_report::deps(session, args.show)?,
        Command::Tables(args) => cochange_report::tables(session, args.show)?,
        Command::Delivery(args) => {
            let options = cochange_report::DeliveryOptions {
                failures: cochange_analysis::FailureRules {
                    fix: cochange_analysis::RankingCheck::fix_pattern(args.fix_pattern.as_deref())?,
                    days: args.failure_days,
                },
                together_window: i64::from(args.together_hours) * 3600,
            };
            cochange_report::delivery(session, args.show, &options)?
        }
        Command::Eval(args) => eval(args, session, settings)?,
        _ => vec![history_table(command, session)?],
    };
    printer.tables(tables)?;
    Ok(exit::SUCCESS)
}

/// Refuses a `check` whose rules would check nothing: none at all, `--diff` without the rule
/// `missing-co-change`, or that rule alone without a change.
fn check_rules_apply(
    args: &crate::args::CheckArgs,
    rules: &cochange_report::CheckRules,
) -> Result<(), UsageError> {
    let refuse = |message: &str| Err(UsageError(message.into()));
    let change = args.change.source().is_some();
    if change && !rules.missing_co_change_rule {
        return refuse(
            "`check --diff` and `check --staged` apply the rule `missing-co-change`, which is off: \
             turn it on in `[check]` of the config (`missing-co-change = true`; docs/ci.md)",
        );
    }
    if !change && rules.missing_co_change_rule && !rules.checks_revision() {
        return refuse(
            "the only rule on is `missing-co-change`, which checks a change: give `--diff BASE...HEAD` or `--staged` (docs/ci.md, *Pull requests*)",
        );
    }
    if *rules == cochange_report::CheckRules::default() {
        return refuse(
            "`check` needs rules in `[check]` of the config, for example \
             `new-cross-component-degree = 50` (docs/ci.md lists them)",
        );
    }
    Ok(())
}

/// `eval` (of `impact`'s rankers and warnings) or `eval backlog`.
fn eval(
    args: &EvalArgs,
    session: &mut Session<'_>,
    settings: &Settings,
) -> anyhow::Result<Vec<Table>> {
    match &args.command {
        None => {
            let impact = &args.impact;
            let options = cochange_analysis::EvalOptions {
                test_share: impact.test_share,
                query_size: impact.query_size.map(usize::from),
                rankers: impact.rankers.clone(),
                warnings: warning_thresholds(&impact.warnings, settings),
            };
            Ok(cochange_report::impact_check(
                session,
                &options,
                impact.show,
            )?)
        }
        Some(EvalCommand::Backlog(args)) => {
            let check = cochange_analysis::RankingCheck {
                cutoffs: usize::from(args.cutoffs),
                every_months: args.every,
                horizon_months: args.horizon,
                window_months: args.months,
                k: usize::from(args.k),
                fix_pattern: RankingCheck::fix_pattern(args.fix_pattern.as_deref())?,
                inactive_after: args.inactive.inactive_after,
            };
            Ok(vec![cochange_report::ranking_check(session, &check)?])
        }
    }
}

/// `xray` of the files given, else of the top hotspots, with a progress bar.
fn xray(
    args: &crate::args::XrayArgs,
    session: &mut Session<'_>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Vec<Table>> {
    let path = |p: &String| cochange_analysis::repository_path(&settings.analysis, p);
    let options = cochange_report::XrayOptions {
        files: args.files.iter().map(path).collect::<Result<_, _>>()?,
        top: usize::from(args.hotspots),
        months: args.window.months,
        pair: match args.pair.as_slice() {
            [a, b] => Some((path(a)?, path(b)?)),
            _ => None,
        },
    };
    let bar = Bar::new(printer.progress_target());
    let tables = cochange_report::xray(session, &options, args.show, &bar);
    bar.finish();
    Ok(tables?)
}

/// `impact` of the paths given, else of the change read before the history.
fn impact(
    args: &crate::args::ImpactArgs,
    change: Option<cochange_analysis::Change>,
    session: &mut Session<'_>,
    settings: &Settings,
) -> anyhow::Result<Vec<Table>> {
    let query = match change {
        Some(change) => cochange_analysis::ImpactQuery::Change(change),
        None => cochange_analysis::ImpactQuery::Paths(
            args.paths
                .iter()
                .map(|p| cochange_analysis::repository_path(&settings.analysis, p))
                .collect::<Result<_, _>>()?,
        ),
    };
    let options = cochange_report::ImpactOptions {
        ranker: args.ranker,
        thresholds: warning_thresholds(&args.warnings, settings),
    };
    Ok(cochange_report::impact(
        session, &query, &options, args.show,
    )?)
}

/// The thresholds of likely-missing files: the command line's, else `[check]`'s, else the
/// defaults.
fn warning_thresholds(
    args: &crate::args::WarningArgs,
    settings: &Settings,
) -> cochange_analysis::WarningThresholds {
    let configured = settings.check.missing_co_change;
    cochange_analysis::WarningThresholds {
        min_confidence: args.min_confidence.unwrap_or(configured.min_confidence),
        min_shared: args.min_support.unwrap_or(configured.min_shared),
    }
}

/// The table of a command that runs one analysis over the history.
fn history_table(command: &Command, session: &Session<'_>) -> anyhow::Result<Table> {
    use HistoryAnalysis as H;
    let analysis = match command {
        Command::Mine => return Ok(cochange_report::mining_table(session)),
        Command::Changes(_) => H::Changes,
        Command::Summary(_) => H::Summary,
        Command::Revisions(_) => H::Revisions,
        Command::Authors(_) => H::Authors,
        Command::EntityChurn(_) => H::EntityChurn,
        Command::AuthorChurn(_) => H::AuthorChurn,
        Command::AbsChurn(_) => H::AbsChurn,
        Command::EntityOwnership(_) => H::EntityOwnership,
        Command::EntityEffort(_) => H::EntityEffort,
        Command::Communication(_) => H::Communication,
        Command::Age(_) => H::Age,
        Command::MainDev(_) => H::MainDev,
        Command::RefactoringMainDev(_) => H::RefactoringMainDev,
        Command::MainDevByRevs(_) => H::MainDevByRevs,
        Command::Fragmentation(_) => H::Fragmentation,
        Command::Messages(args) => H::Messages(&args.message_pattern),
        Command::Soc(args) => H::Soc {
            min_revs: args.min_revs,
        },
        _ => unreachable!("the other commands are handled by `run` and `analyse`"),
    };
    let table = cochange_report::history_table(session, analysis, command.code_maat_columns())?;
    Ok(table)
}

/// The change the command reads: `impact` without paths reads one (the work tree unless
/// `--diff` or `--staged`), `check` with `--diff` or `--staged`.
fn change_source(command: &Command) -> Option<cochange_analysis::ChangeSource> {
    match command {
        Command::Impact(args) if args.paths.is_empty() => Some(
            args.change
                .source()
                .unwrap_or(cochange_analysis::ChangeSource::WorkTree),
        ),
        Command::Check(args) => args.change.source(),
        _ => None,
    }
}

/// What the command needs from mining.
fn needs(command: &Command) -> Needs {
    if change_source(command).is_some() {
        return Needs::FileNames;
    }
    match command {
        Command::Mine | Command::Changes(_) => Needs::LineCounts,
        Command::EntityChurn(_)
        | Command::AuthorChurn(_)
        | Command::AbsChurn(_)
        | Command::EntityOwnership(_)
        | Command::MainDev(_)
        | Command::RefactoringMainDev(_)
        | Command::Hotspots(_)
        | Command::Xray(_)
        | Command::Backlog(_)
        | Command::Eval(EvalArgs {
            command: Some(_), ..
        }) => Needs::LineSums,
        Command::Knowledge(_) | Command::Report(_) | Command::Check(_) => Needs::LineOrigins,
        _ => Needs::FileNames,
    }
}

/// `--component-depth` of the commands that take it; 1 for the others.
fn component_depth(command: &Command) -> usize {
    match command {
        Command::Coupling(args) => args.components.component_depth,
        Command::Components(args) => args.components.component_depth,
        Command::Knowledge(args) => args.components.component_depth,
        Command::Teams(args) => args.components.component_depth,
        Command::Trends(args) => args.components.component_depth,
        Command::Deps(args) => args.components.component_depth,
        Command::Tables(args) => args.components.component_depth,
        Command::Delivery(args) => args.components.component_depth,
        _ => 1,
    }
}

fn thresholds(args: &ThresholdArgs) -> Result<Thresholds, UsageError> {
    if let (Some(min), Some(max)) = (args.min_degree, args.max_degree)
        && min > max
    {
        return Err(UsageError(format!(
            "`--min-degree {min}` is above `--max-degree {max}`: no pair can match"
        )));
    }
    Ok(Thresholds {
        min_revs: args.min_revs,
        min_shared: args.min_shared,
        min_degree: args.min_degree,
        max_degree: args.max_degree,
        max_changeset_size: args.max_changeset_size,
    })
}

fn report_options(window: &ReportWindow, settings: &Settings) -> ReportOptions {
    ReportOptions {
        months: window.window.months,
        inactive_after: window.inactive.inactive_after,
        settings: settings.explained.clone(),
        all_files: window.files.all_files,
    }
}

fn build_report(
    window: &ReportWindow,
    session: &mut Session<'_>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Report> {
    printer.info("[2/3] analysing and drawing");
    let report = cochange_report::build(session, &report_options(window, settings))?;
    printer.notices(session.take_notices());
    Ok(report)
}

fn report(
    window: &ReportWindow,
    baseline: Option<&Snapshot>,
    session: &mut Session<'_>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    let dir = printer
        .output_path()
        .map_or_else(|| PathBuf::from(REPORT_FOLDER), PathBuf::from);
    let mut report = build_report(window, session, settings, printer)?;
    if let Some(baseline) = baseline {
        warn_incomparable(
            printer,
            "the baseline and this report",
            baseline,
            &report.snapshot()?,
        );
        cochange_report::add_baseline(&mut report, baseline)?;
    }
    printer.info("[3/3] writing");
    cochange_report::write_report(&dir, &report)?;
    printer.info(format_args!(
        "report written to {}",
        dir.join("index.html").display()
    ));
    Ok(exit::SUCCESS)
}

fn check(
    window: &ReportWindow,
    baseline: Option<&Snapshot>,
    session: &mut Session<'_>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    if baseline.is_none() {
        printer.info("no --baseline: only the absolute rules run");
    }
    let current = build_report(window, session, settings, printer)?.snapshot()?;
    if let Some(baseline) = baseline {
        warn_incomparable(printer, "the baseline and this run", baseline, &current);
    }
    let findings = cochange_report::check(&current, baseline, &settings.check);
    print_findings(&findings, settings, printer)
}

/// Prints what `check` found (SARIF, or a table when there is something to show or the format
/// is for programs) and a summary line; exit 1 on a new finding.
fn print_findings(
    findings: &[cochange_report::Finding],
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    if settings.format == cochange_report::Format::Sarif {
        let sarif = cochange_report::sarif(findings, env!("CARGO_PKG_VERSION"));
        printer.data(|out| {
            serde_json::to_writer_pretty(&mut *out, &sarif)?;
            writeln!(out)
        })?;
    } else if !findings.is_empty() || settings.format != cochange_report::Format::Table {
        printer.tables(vec![cochange_report::findings_table(findings)])?;
    }
    printer.info(cochange_report::findings_summary(findings));
    Ok(if findings.iter().all(|f| f.known) {
        exit::SUCCESS
    } else {
        exit::FINDINGS
    })
}
