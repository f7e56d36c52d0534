//! The author and churn analyses, which take no options of their own.

use crate::printer::Printer;
use crate::settings::Settings;

use super::Needs;

/// code-maat's analyses of authors and churn.
#[derive(Debug, Clone, Copy)]
pub enum Analysis {
    Authors,
    EntityChurn,
    AuthorChurn,
    AbsChurn,
    EntityOwnership,
    EntityEffort,
    Communication,
    Age,
}

impl Analysis {
    fn name(self) -> &'static str {
        match self {
            Analysis::Authors => "authors",
            Analysis::EntityChurn => "entity-churn",
            Analysis::AuthorChurn => "author-churn",
            Analysis::AbsChurn => "abs-churn",
            Analysis::EntityOwnership => "entity-ownership",
            Analysis::EntityEffort => "entity-effort",
            Analysis::Communication => "communication",
            Analysis::Age => "age",
        }
    }

    fn needs(self) -> Needs {
        match self {
            Analysis::Authors
            | Analysis::EntityEffort
            | Analysis::Communication
            | Analysis::Age => Needs::FileNames,
            _ => Needs::LineCounts,
        }
    }
}

pub fn run(analysis: Analysis, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = super::load_history(settings, printer, analysis.needs())?;
    if analysis.needs() == Needs::LineCounts && !settings.options.mine.line_counts {
        printer.warn(format_args!(
            "`{}` counts lines, which `--no-line-counts` turned off: added and deleted are 0",
            analysis.name()
        ));
    }
    let tables = &history.tables;
    let frame = match analysis {
        Analysis::Authors => cochange_analysis::authors(tables)?,
        Analysis::EntityChurn => cochange_analysis::entity_churn(tables)?,
        Analysis::AuthorChurn => cochange_analysis::author_churn(tables)?,
        Analysis::AbsChurn => cochange_analysis::abs_churn(tables)?,
        Analysis::EntityOwnership => cochange_analysis::entity_ownership(tables)?,
        Analysis::EntityEffort => cochange_analysis::entity_effort(tables)?,
        Analysis::Communication => cochange_analysis::communication(tables)?,
        Analysis::Age => cochange_analysis::age(tables, super::as_of(settings, tables)?)?,
    };
    super::print_frame(analysis.name(), &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
