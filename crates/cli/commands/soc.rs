use cochange_analysis::SocOrder;

use crate::args::{Columns, SocArgs};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(args: &SocArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = super::load_history(settings, printer, super::Needs::FileNames)?;
    let order = match args.columns {
        Columns::All => SocOrder::Ours,
        Columns::CodeMaat => SocOrder::CodeMaat,
    };
    let mut frame = cochange_analysis::soc(&history.tables, args.min_revs, order)?;
    if args.columns == Columns::CodeMaat {
        frame = frame.select(["entity", "soc"])?;
    }
    super::print_frame("soc", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
