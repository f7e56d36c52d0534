use cochange_analysis::{CouplingOptions, coupling_col};

use crate::args::{Columns, CouplingArgs};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

pub fn run(args: &CouplingArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let configured = &settings.thresholds;
    let defaults = CouplingOptions::default();
    let options = CouplingOptions {
        min_revs: args
            .min_revs
            .or(configured.min_revs)
            .unwrap_or(defaults.min_revs),
        min_shared: args
            .min_shared
            .or(configured.min_shared)
            .unwrap_or(defaults.min_shared),
        min_degree: args
            .min_degree
            .or(configured.min_degree)
            .unwrap_or(defaults.min_degree),
        max_degree: args
            .max_degree
            .or(configured.max_degree)
            .unwrap_or(defaults.max_degree),
        max_changeset_size: args
            .max_changeset_size
            .or(configured.max_changeset_size)
            .unwrap_or(defaults.max_changeset_size),
        component_depth: args.component_depth,
        grouping: settings.grouping.clone(),
    };
    if options.min_degree > options.max_degree {
        return Err(UsageError(format!(
            "`--min-degree {}` is above `--max-degree {}`: no pair can match",
            options.min_degree, options.max_degree
        ))
        .into());
    }
    let history = super::load_history(settings, printer, super::Needs::FileNames)?;
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
