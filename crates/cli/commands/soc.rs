use cochange_analysis::SocOrder;

use super::{Needs, run_analysis};
use crate::args::{Columns, SocArgs};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: &SocArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let code_maat = args.columns == Columns::CodeMaat;
    let order = if code_maat {
        SocOrder::CodeMaat
    } else {
        SocOrder::Ours
    };
    let min_revs = args.min_revs.or(settings.thresholds.min_revs).unwrap_or(5);
    run_analysis("soc", Needs::FileNames, settings, printer, |h| {
        let frame = cochange_analysis::soc(&h.tables, &settings.grouping, min_revs, order)?;
        if code_maat {
            frame.select(["entity", "soc"])
        } else {
            Ok(frame)
        }
    })
}
