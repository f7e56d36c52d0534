//! The only place that writes to stdout and stderr.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::ProgressDrawTarget;

/// Where data and messages go, and how much is said.
#[derive(Debug)]
pub struct Printer {
    quiet: bool,
    verbose: bool,
    output: Option<PathBuf>,
}

impl Printer {
    pub fn new(quiet: bool, verbose: bool, output: Option<PathBuf>) -> Self {
        Printer {
            quiet,
            verbose,
            output,
        }
    }

    /// `--output`, when given.
    pub fn output_path(&self) -> Option<&Path> {
        self.output.as_deref()
    }

    /// An informational line on stderr, hidden by `--quiet`.
    pub fn info(&self, message: impl Display) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{message}");
        }
    }

    /// A line shown only with `--verbose`.
    pub fn detail(&self, message: impl Display) {
        if self.verbose {
            let _ = writeln!(io::stderr().lock(), "{message}");
        }
    }

    /// A warning: always shown.
    #[expect(
        clippy::unused_self,
        reason = "all output goes through the printer, warnings too"
    )]
    pub fn warn(&self, message: impl Display) {
        let _ = writeln!(io::stderr().lock(), "warning: {message}");
    }

    /// Where progress bars draw: stderr when it is a terminal and not `--quiet`, else nowhere.
    pub fn progress_target(&self) -> ProgressDrawTarget {
        if self.quiet || !io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        }
    }

    /// Writes data to stdout, or to `--output`, which is replaced only when `write` succeeds.
    pub fn data(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
        match &self.output {
            None => {
                let mut out = io::BufWriter::new(io::stdout().lock());
                write(&mut out)?;
                out.flush()?;
                Ok(())
            }
            Some(path) => Ok(cochange_report::write_file(path, write)?),
        }
    }
}
