use cochange_analysis::MainDevBy;

use super::Needs;
use crate::args::{Columns, ColumnsArgs};
use crate::printer::Printer;
use crate::settings::Settings;

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
