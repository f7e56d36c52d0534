//! One module per command: load what it needs, call the libraries, hand the result to the printer.

mod compare;
mod components;
mod coupling;
mod hotspots;
mod mine;
mod ownership;
mod people;
mod report;
mod soc;

use std::time::Instant;

use anyhow::Context;
use cochange_analysis::{FilterStatistics, MainDevBy};
use cochange_miner::polars::prelude::*;
use cochange_miner::{Outcome, Tables, col};
use cochange_report::{Format, Table, render};

use crate::args::Command;
use crate::printer::Printer;
use crate::progress::Bar;
use crate::settings::Settings;

/// Runs one command and returns its exit code.
pub fn run(command: &Command, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    match command {
        Command::Mine => mine::run(settings, printer),
        Command::Changes(_) => run_analysis("changes", Needs::LineCounts, settings, printer, |h| {
            cochange_analysis::changes(&h.tables, h.outcomes.len() > 1)
        }),
        Command::Summary(_) => run_analysis("summary", Needs::FileNames, settings, printer, |h| {
            cochange_analysis::summary(&h.tables)
        }),
        Command::Revisions(_) => {
            run_analysis("revisions", Needs::FileNames, settings, printer, |h| {
                cochange_analysis::revisions(&h.tables, &settings.grouping)
            })
        }
        Command::Coupling(args) => coupling::run(args, settings, printer),
        Command::Soc(args) => soc::run(args, settings, printer),
        Command::Authors(_) => run_analysis("authors", Needs::FileNames, settings, printer, |h| {
            cochange_analysis::authors(&h.tables)
        }),
        Command::EntityChurn(_) => {
            run_analysis("entity-churn", Needs::LineSums, settings, printer, |h| {
                cochange_analysis::entity_churn(&h.tables)
            })
        }
        Command::AuthorChurn(_) => {
            run_analysis("author-churn", Needs::LineSums, settings, printer, |h| {
                cochange_analysis::author_churn(&h.tables)
            })
        }
        Command::AbsChurn(_) => {
            run_analysis("abs-churn", Needs::LineSums, settings, printer, |h| {
                cochange_analysis::abs_churn(&h.tables)
            })
        }
        Command::EntityOwnership(_) => run_analysis(
            "entity-ownership",
            Needs::LineSums,
            settings,
            printer,
            |h| cochange_analysis::entity_ownership(&h.tables),
        ),
        Command::EntityEffort(_) => {
            run_analysis("entity-effort", Needs::FileNames, settings, printer, |h| {
                cochange_analysis::entity_effort(&h.tables)
            })
        }
        Command::Communication(_) => {
            run_analysis("communication", Needs::FileNames, settings, printer, |h| {
                cochange_analysis::communication(&h.tables)
            })
        }
        Command::Age(args) => run_analysis("age", Needs::FileNames, settings, printer, |h| {
            let code_maat = args.columns == crate::args::Columns::CodeMaat;
            cochange_analysis::age(&h.tables, as_of(settings, &h.tables)?, code_maat)
        }),
        Command::MainDev(args) => ownership::main_dev(MainDevBy::Added, args, settings, printer),
        Command::RefactoringMainDev(args) => {
            ownership::main_dev(MainDevBy::Deleted, args, settings, printer)
        }
        Command::MainDevByRevs(args) => {
            ownership::main_dev(MainDevBy::Revisions, args, settings, printer)
        }
        Command::Fragmentation(args) => ownership::fragmentation(args, settings, printer),
        Command::Messages(args) => ownership::messages(args, settings, printer),
        Command::Hotspots(args) => hotspots::hotspots(args, settings, printer),
        Command::Backlog(args) => hotspots::backlog(args, settings, printer),
        Command::Report(args) => report::run(args, settings, printer),
        Command::Components(args) => components::run(args, settings, printer),
        Command::Knowledge(args) => people::knowledge(args, settings, printer),
        Command::Teams(args) => people::teams(args, settings, printer),
        Command::Trends(args) => compare::trends(args, settings, printer),
        Command::Diff(args) => compare::diff(args, settings, printer),
        Command::Check(args) => compare::check(args, settings, printer),
    }
}

/// The mined history of every `--repo`, as one pair of tables.
pub struct History {
    /// The repositories mined, each once, in the order of `outcomes`.
    pub paths: Vec<std::path::PathBuf>,
    pub outcomes: Vec<Outcome>,
    pub tables: Tables,
}

/// What an analysis needs from mining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Which files changed; line counts are not used.
    FileNames,
    /// Line counts too, shown as they are (empty when the user turned them off).
    LineCounts,
    /// Line counts, summed: with `--no-line-counts` they count as 0, which the user is told.
    LineSums,
}

/// Mines every repository (through the cache), reporting warnings and progress.
///
/// An analysis that needs only file names uses a cache with line counts when one exists (it
/// serves both), and otherwise mines without them: counting lines is most of mining's time.
pub fn load_history(
    settings: &Settings,
    printer: &Printer,
    needs: Needs,
) -> anyhow::Result<History> {
    let mut outcomes = Vec::new();
    let mut paths = Vec::new();
    for (repo, name) in repositories(settings, printer)? {
        let started = Instant::now();
        let mut options = settings.options.clone();
        options.name = Some(name);
        if needs == Needs::FileNames
            && options.mine.line_counts
            && !cochange_miner::has_cache(&repo, &options)?
        {
            options.mine.line_counts = false;
            printer.detail("line counts are not needed here and not cached: mining without them");
        }
        let bar = Bar::new(printer.progress_target());
        let outcome = cochange_miner::mine(&repo, &options, &bar);
        bar.finish();
        let outcome =
            outcome.with_context(|| format!("cannot mine the history of `{}`", repo.display()))?;
        for warning in &outcome.warnings {
            printer.warn(warning);
        }
        let s = &outcome.statistics;
        printer.detail(format_args!(
            "{}: {} commits ({} from cache, {} mined, {} tree diffs, {} blob diffs) in {:.2}s",
            outcome.repo,
            s.commits_selected,
            s.commits_from_cache,
            s.commits_mined,
            s.tree_diffs,
            s.blob_diffs,
            started.elapsed().as_secs_f64()
        ));
        outcomes.push(outcome);
        paths.push(repo);
    }
    let (tables, removed) = settings
        .filters
        .apply(&cochange_analysis::combine(&outcomes)?)?;
    if let Some(max) = settings.thresholds.max_changeset_size {
        let options = cochange_analysis::CouplingOptions {
            max_changeset_size: max,
            grouping: settings.grouping.clone(),
            ..cochange_analysis::CouplingOptions::default()
        };
        coupling::within_budget(&tables, &options)?;
    }
    if removed != FilterStatistics::default() {
        printer.detail(format_args!(
            "filters left out {} commits and {} changes (`--explain` lists them)",
            removed.commits_removed, removed.changes_removed
        ));
    }
    Ok(History {
        paths,
        outcomes,
        tables,
    })
}

/// The repositories to mine, each once, with names that tell them apart: `--name`, else the
/// repository's own name, else (when two share one) the name of the folder holding it too.
fn repositories(
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<Vec<(std::path::PathBuf, String)>> {
    let mut kept: Vec<(std::path::PathBuf, cochange_miner::Identity)> = Vec::new();
    for repo in &settings.repos {
        let identity = cochange_miner::identify(repo)
            .with_context(|| format!("cannot mine the history of `{}`", repo.display()))?;
        if let Some((first, _)) = kept.iter().find(|(_, k)| k.git_dir == identity.git_dir) {
            printer.warn(format_args!(
                "`{}` is the same repository as `{}`: it is analysed once",
                repo.display(),
                first.display()
            ));
            continue;
        }
        kept.push((repo.clone(), identity));
    }
    let identities: Vec<_> = kept.iter().map(|(_, i)| i.clone()).collect();
    let names = cochange_analysis::unique_names(&identities, &settings.names);
    for (i, ((repo, identity), name)) in kept.iter().zip(&names).enumerate() {
        if settings.names.get(i).is_none() && *name != identity.name {
            printer.info(format_args!(
                "`{}` is named `{name}` in the output: another repository is also called `{}`",
                repo.display(),
                identity.name
            ));
        }
    }
    Ok(kept.into_iter().map(|(r, _)| r).zip(names).collect())
}

/// "Now" for analyses: `--as-of`, else the newest analysed commit's author time (so that a report
/// on a fixed history is reproducible), else the start of 1970 for an empty history.
pub fn as_of(settings: &Settings, tables: &Tables) -> PolarsResult<i64> {
    if let Some(as_of) = settings.as_of {
        return Ok(as_of);
    }
    Ok(tables
        .commits
        .column(col::AUTHOR_TIME)?
        .i64()?
        .max()
        .unwrap_or(0))
}

/// Runs an analysis that needs only the mined history: mine what it needs, analyse, print.
pub(super) fn run_analysis(
    name: &str,
    needs: Needs,
    settings: &Settings,
    printer: &Printer,
    analysis: impl FnOnce(&History) -> PolarsResult<DataFrame>,
) -> anyhow::Result<u8> {
    let history = load_history(settings, printer, needs)?;
    if needs == Needs::LineSums && !settings.options.mine.line_counts {
        printer.warn(format_args!(
            "`{name}` sums line counts, which `--no-line-counts` turned off: added and deleted are 0"
        ));
    }
    print_frame(name, &analysis(&history)?, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

/// Renders an analysis frame as the requested format, honouring `--top`.
pub fn print_frame(
    name: &str,
    frame: &DataFrame,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<()> {
    print_table(Table::from_frame(name, frame)?, settings, printer)
}

/// Renders several tables: one after the other with their names as titles in text and Markdown,
/// as one JSON document, and only one at a time in CSV.
pub fn print_tables(
    mut tables: Vec<Table>,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<()> {
    if tables.len() == 1 {
        return print_table(tables.remove(0), settings, printer);
    }
    if let Some(top) = settings.top {
        for table in &mut tables {
            table.truncate(top);
        }
    }
    match settings.format {
        Format::Csv | Format::Dot | Format::GraphMl => Err(crate::settings::UsageError(
            "this format holds one table: choose one with `--show`".into(),
        )
        .into()),
        Format::Json => printer.data(|out| cochange_report::render_many(&tables, out)),
        Format::Table | Format::Markdown => printer.data(|out| {
            for (i, table) in tables.iter_mut().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                table.title.get_or_insert_with(|| table.name.clone());
                if i > 0 {
                    table.context.clear();
                }
                render(table, settings.format, out)?;
            }
            Ok(())
        }),
    }
}

/// Renders a table as the requested format, honouring `--top`.
pub fn print_table(mut table: Table, settings: &Settings, printer: &Printer) -> anyhow::Result<()> {
    if settings.sarif && table.name != "check" {
        return Err(crate::settings::UsageError(format!(
            "`--format sarif` is for the findings of `check`, not `{}`",
            table.name
        ))
        .into());
    }
    let is_pairs = ["entity", "coupled"]
        .iter()
        .all(|name| table.columns.iter().any(|c| c == name));
    if matches!(settings.format, Format::Dot | Format::GraphMl) && !is_pairs {
        return Err(crate::settings::UsageError(format!(
            "`--format dot` and `--format graphml` draw pairs of entities: use them with `coupling`, not `{}`",
            table.name
        ))
        .into());
    }
    if let Some(top) = settings.top {
        table.truncate(top);
    }
    printer.data(|out| render(&table, settings.format, out))
}
