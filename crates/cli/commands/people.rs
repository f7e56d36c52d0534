//! `knowledge` and `teams`: who knows what, and who must talk to whom.

use std::time::Instant;

use anyhow::Context;
use cochange_report::Table;

use super::{Needs, as_of, load_history};
use crate::args::{KnowledgeArgs, KnowledgeView, TeamsArgs, TeamsView};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

pub fn knowledge(
    args: &KnowledgeArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    if settings.repos.len() > 1 {
        return Err(UsageError("`knowledge` reads one repository at a time".into()).into());
    }
    let history = load_history(settings, printer, Needs::LineSums)?;
    let as_of = as_of(settings, &history.tables)?;
    let upto = cochange_analysis::window(&history.tables, i64::MIN, as_of)?;
    let mapping = super::components::mapping(settings, args.at.as_deref(), args.component_depth)?;
    let files: Vec<String> = mapping
        .files
        .iter()
        .filter(|f| settings.filters.keeps_path(f))
        .cloned()
        .collect();
    let started = Instant::now();
    let repo = &settings.repos[0];
    let rev = args
        .at
        .as_deref()
        .or(settings.options.selection.revs.first().map(String::as_str));
    let (blamed, failed) = cochange_miner::blame_files(repo, rev, &files, settings.options.threads)
        .with_context(|| format!("cannot blame the files of `{}`", repo.display()))?;
    printer.info(format_args!(
        "blamed {} files in {:.1}s{}",
        blamed.len(),
        started.elapsed().as_secs_f64(),
        if failed.is_empty() {
            String::new()
        } else {
            format!(
                "; {} could not be blamed (binary or missing objects)",
                failed.len()
            )
        }
    ));
    for (file, reason) in failed.iter().take(3) {
        printer.detail(format_args!("cannot blame `{file}`: {reason}"));
    }
    let (files, components) =
        cochange_analysis::knowledge(&upto, &blamed, &mapping.rules, as_of, args.inactive_after)?;
    let context = vec![
        ("as_of".to_owned(), super::hotspots::day(as_of)),
        (
            "inactive".to_owned(),
            format!(
                "no commit since {}",
                super::hotspots::day(cochange_analysis::months_before(as_of, args.inactive_after))
            ),
        ),
    ];
    let mut tables = Vec::new();
    for (view, name, frame) in [
        (
            KnowledgeView::Components,
            "knowledge-components",
            &components,
        ),
        (KnowledgeView::Files, "knowledge-files", &files),
    ] {
        if args.show.is_none_or(|v| v == view) {
            let mut table = Table::from_frame(name, frame)?;
            table.context.clone_from(&context);
            tables.push(table);
        }
    }
    super::print_tables(tables, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

pub fn teams(args: &TeamsArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    if settings.teams.teams.is_empty() {
        return Err(UsageError(
            "`teams` needs `[teams]` in the config: team = [\"email@example.com\", \"Name glob*\"]"
                .into(),
        )
        .into());
    }
    let history = load_history(settings, printer, Needs::FileNames)?;
    let mapping = super::components::mapping(settings, None, args.component_depth)?;
    let options = cochange_analysis::CouplingOptions {
        components: std::sync::Arc::new(mapping.rules.clone()),
        ..super::coupling::threshold_options(settings)?
    };
    let pairs = cochange_analysis::coupling(&history.tables, &options)?;
    let report =
        cochange_analysis::teams(&history.tables, &settings.teams, &mapping.rules, &pairs)?;
    let mut tables = Vec::new();
    for (view, name, frame) in [
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
        if args.show.is_none_or(|v| v == view) {
            tables.push(Table::from_frame(name, frame)?);
        }
    }
    super::print_tables(tables, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
