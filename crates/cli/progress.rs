//! The miner's progress, drawn with indicatif.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

const BAR: &str = "{msg} [{bar:30}] {human_pos}/{human_len}, {eta} left";
const SPINNER: &str = "{spinner} {msg}: {human_pos}, {elapsed}";

/// A bar for phases with a known length and a spinner for the others.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(target: indicatif::ProgressDrawTarget) -> Self {
        let bar = ProgressBar::with_draw_target(None, target);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl cochange_miner::Progress for Bar {
    fn phase(&self, name: &'static str, total: Option<u64>) {
        let template = if total.is_some() { BAR } else { SPINNER };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_message(name);
        self.bar.set_length(total.unwrap_or(0));
        self.bar.set_position(0);
        self.bar.reset_eta();
    }

    fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    fn set_total(&self, total: u64) {
        if let Ok(style) = ProgressStyle::with_template(BAR) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_length(total);
    }
}
