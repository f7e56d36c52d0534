//! The monthly job: `trends`, `diff` of two snapshots and the `check` gate.

use std::path::Path;

use cochange_analysis::Period;
use cochange_report::Table;

use super::{Needs, load_history};
use crate::args::{CheckArgs, DiffArgs, DiffView, PeriodArg, TrendsArgs};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

/// Reads a snapshot, refusing other schema versions with a clear message (exit 2).
pub fn read_snapshot(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        UsageError(format!(
            "cannot read the snapshot `{}`: {err}",
            path.display()
        ))
    })?;
    cochange_report::parse_snapshot(&path.display().to_string(), &text)
        .map_err(|err| UsageError(err.to_string()).into())
}

pub fn trends(args: &TrendsArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = load_history(settings, printer, Needs::FileNames)?;
    let mapping = super::components::mapping(settings, None, args.component_depth)?;
    let options = cochange_analysis::CouplingOptions {
        components: std::sync::Arc::new(mapping.rules.clone()),
        ..super::coupling::threshold_options(settings)?
    };
    let (period, year) = match args.period {
        PeriodArg::Week => (Period::Week, 52),
        PeriodArg::Month => (Period::Month, 12),
        PeriodArg::Quarter => (Period::Quarter, 4),
    };
    let frame = cochange_analysis::trends(
        &history.tables,
        period,
        args.trailing.unwrap_or(year),
        &mapping.rules,
        &settings.teams,
        &options,
    )?;
    super::print_frame("trends", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

pub fn diff(args: &DiffArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let old = read_snapshot(&args.old)?;
    let new = read_snapshot(&args.new)?;
    let as_of = |s: &serde_json::Value| s["header"]["as_of"].as_str().unwrap_or("?").to_owned();
    let context = vec![
        (
            "old".to_owned(),
            format!("{} (as of {})", args.old.display(), as_of(&old)),
        ),
        (
            "new".to_owned(),
            format!("{} (as of {})", args.new.display(), as_of(&new)),
        ),
    ];
    let tables: Vec<Table> = cochange_report::diff(&old, &new, args.hotspots)
        .into_iter()
        .filter(|t| {
            args.show.is_none_or(|view| {
                t.name
                    == match view {
                        DiffView::Coupling => "coupling-changes",
                        DiffView::Hotspots => "hotspot-changes",
                        DiffView::Knowledge => "new-knowledge-risks",
                        DiffView::Trends => "trend-changes",
                    }
            })
        })
        .map(|mut t| {
            t.context.clone_from(&context);
            t
        })
        .collect();
    super::print_tables(tables, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

pub fn check(args: &CheckArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let rules = &settings.check;
    if *rules == cochange_report::CheckRules::default() {
        return Err(UsageError(
            "`check` needs rules in `[check]` of the config, for example \
             `new-cross-component-degree = 50` (docs/ci.md lists them)"
                .into(),
        )
        .into());
    }
    let baseline = args.baseline.as_deref().map(read_snapshot).transpose()?;
    if baseline.is_none() {
        printer.info("no --baseline: only the absolute rules run");
    }
    let report = super::report::build(&args.window, settings, printer)?;
    let current = cochange_report::snapshot_value(&report);
    let findings = cochange_report::check(&current, baseline.as_ref(), rules);
    if settings.sarif {
        let sarif = cochange_report::sarif(&findings, env!("CARGO_PKG_VERSION"));
        printer.data(|out| {
            serde_json::to_writer_pretty(&mut *out, &sarif)?;
            writeln!(out)
        })?;
    } else if findings.is_empty() {
        printer.info("check: no new findings");
        if settings.format != cochange_report::Format::Table {
            super::print_table(
                cochange_report::findings_table(&findings),
                settings,
                printer,
            )?;
        }
    } else {
        super::print_table(
            cochange_report::findings_table(&findings),
            settings,
            printer,
        )?;
    }
    Ok(if findings.is_empty() {
        crate::exit::SUCCESS
    } else {
        printer.info(format_args!("check: {} new findings", findings.len()));
        crate::exit::FINDINGS
    })
}
