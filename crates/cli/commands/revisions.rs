use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = super::load_history(settings, printer, super::Needs::FileNames)?;
    let frame = cochange_analysis::revisions(&history.tables)?;
    super::print_frame("revisions", &frame, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
