use cochange_analysis::MainDevBy;

use super::Needs;
use crate::args::{Columns, ColumnsArgs, MessagesArgs};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

pub fn main_dev(
    by: MainDevBy,
    args: &ColumnsArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    let (name, needs) = match by {
        MainDevBy::Added => ("main-dev", Needs::LineCounts),
        MainDevBy::Deleted => ("refactoring-main-dev", Needs::LineCounts),
        MainDevBy::Revisions => ("main-dev-by-revs", Needs::FileNames),
    };
    let history = super::load_history(settings, printer, needs)?;
    let frame =
        cochange_analysis::main_dev(&history.tables, by, args.columns == Columns::CodeMaat)?;
    super::print_frame(name, &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

pub fn fragmentation(
    args: &ColumnsArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    let history = super::load_history(settings, printer, Needs::FileNames)?;
    let frame =
        cochange_analysis::fragmentation(&history.tables, args.columns == Columns::CodeMaat)?;
    super::print_frame("fragmentation", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

pub fn messages(args: &MessagesArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let pattern = regex::Regex::new(&args.message_pattern).map_err(|err| {
        UsageError(format!(
            "`--message-pattern {}` is not a valid regular expression: {err}",
            args.message_pattern
        ))
    })?;
    let history = super::load_history(settings, printer, Needs::FileNames)?;
    let frame =
        cochange_analysis::messages(&history.tables, &pattern, args.columns == Columns::CodeMaat)?;
    super::print_frame("messages", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
