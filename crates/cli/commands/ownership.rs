//! The analyses with options of their own besides thresholds: main developers, fragmentation and
//! commit messages.

use cochange_analysis::MainDevBy;

use super::{Needs, run_analysis};
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
        MainDevBy::Added => ("main-dev", Needs::LineSums),
        MainDevBy::Deleted => ("refactoring-main-dev", Needs::LineSums),
        MainDevBy::Revisions => ("main-dev-by-revs", Needs::FileNames),
    };
    let code_maat = args.columns == Columns::CodeMaat;
    run_analysis(name, needs, settings, printer, |h| {
        cochange_analysis::main_dev(&h.tables, by, code_maat)
    })
}

pub fn fragmentation(
    args: &ColumnsArgs,
    settings: &Settings,
    printer: &Printer,
) -> anyhow::Result<u8> {
    let code_maat = args.columns == Columns::CodeMaat;
    run_analysis("fragmentation", Needs::FileNames, settings, printer, |h| {
        cochange_analysis::fragmentation(&h.tables, code_maat)
    })
}

pub fn messages(args: &MessagesArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let pattern = regex::Regex::new(&args.message_pattern).map_err(|err| {
        UsageError(format!(
            "`--message-pattern {}` is not a valid regular expression: {}",
            args.message_pattern,
            crate::settings::one_line(&err)
        ))
    })?;
    let subject_only = args.columns == Columns::CodeMaat;
    run_analysis("messages", Needs::FileNames, settings, printer, |h| {
        cochange_analysis::messages(&h.tables, &pattern, subject_only)
    })
}
