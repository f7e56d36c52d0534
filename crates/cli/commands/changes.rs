use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = super::load_history(settings, printer, super::Needs::LineCounts)?;
    let frame = cochange_analysis::changes(&history.tables, history.outcomes.len() > 1)?;
    super::print_frame("changes", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
