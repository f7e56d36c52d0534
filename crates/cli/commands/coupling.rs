use std::sync::Arc;

use cochange_analysis::{CouplingOptions, coupling_col};

use crate::args::{Columns, CouplingArgs};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

/// The coupling options of the configuration (`[thresholds]`, else code-maat's defaults), with
/// the components of `rev`, for analyses that use coupling without taking its options.
pub fn configured_options(
    settings: &Settings,
    rev: Option<&str>,
) -> anyhow::Result<CouplingOptions> {
    let mapping = super::components::mapping(settings, rev, 1)?;
    Ok(CouplingOptions {
        components: Arc::new(mapping.rules),
        ..threshold_options(settings)?
    })
}

/// The thresholds of the configuration with the folder stand-in for components, for callers
/// that bring their own component mapping.
pub fn threshold_options(settings: &Settings) -> Result<CouplingOptions, UsageError> {
    options(None, settings)
}

/// Each threshold from the command line, else `[thresholds]`, else code-maat's default.
fn options(
    args: Option<&CouplingArgs>,
    settings: &Settings,
) -> Result<CouplingOptions, UsageError> {
    let configured = &settings.thresholds;
    let defaults = CouplingOptions::default();
    // The same field of the command line, the config and the defaults, in that order.
    macro_rules! pick {
        ($field:ident) => {
            args.and_then(|a| a.$field)
                .or(configured.$field)
                .unwrap_or(defaults.$field)
        };
    }
    let options = CouplingOptions {
        min_revs: pick!(min_revs),
        min_shared: pick!(min_shared),
        min_degree: pick!(min_degree),
        max_degree: pick!(max_degree),
        max_changeset_size: pick!(max_changeset_size),
        grouping: settings.grouping.clone(),
        components: defaults.components,
    };
    if options.min_degree > options.max_degree {
        return Err(UsageError(format!(
            "`--min-degree {}` is above `--max-degree {}`: no pair can match",
            options.min_degree, options.max_degree
        )));
    }
    Ok(options)
}

pub fn run(args: &CouplingArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let mapping = super::components::mapping(settings, None, args.component_depth)?;
    let options = CouplingOptions {
        components: Arc::new(mapping.rules),
        ..options(Some(args), settings)?
    };
    let history = super::load_history(settings, printer, super::Needs::FileNames)?;
    within_budget(&history.tables, &options)?;
    let mut frame = cochange_analysis::coupling(&history.tables, &options)?;
    if frame.height() == 0 {
        let counts = cochange_analysis::coupling_threshold_counts(&history.tables, &options)?;
        let [revs, shared, min_degree, max_degree] = counts.removed;
        printer.info(format_args!(
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
        ));
    }
    if args.columns == Columns::CodeMaat {
        use coupling_col as c;
        frame = frame.select([c::ENTITY, c::COUPLED, c::DEGREE, c::AVERAGE_REVS])?;
    }
    super::print_frame("coupling", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

/// Refuses coupling whose self-join would not fit in memory (a huge `--max-changeset-size`).
pub fn within_budget(
    tables: &cochange_miner::Tables,
    options: &CouplingOptions,
) -> anyhow::Result<()> {
    let rows = cochange_analysis::pair_rows(tables, &options.grouping, options.max_changeset_size)?;
    if rows > cochange_analysis::MAX_PAIR_ROWS {
        return Err(UsageError(format!(
            "with `--max-changeset-size {}`, coupling would pair entities {rows} times, more than \
             fits in memory (at most {}): lower `--max-changeset-size` (default 30)",
            options.max_changeset_size,
            cochange_analysis::MAX_PAIR_ROWS
        ))
        .into());
    }
    Ok(())
}
