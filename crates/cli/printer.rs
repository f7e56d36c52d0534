//! The only place that writes to stdout and stderr.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use cochange_analysis::Notice;
use cochange_report::{Format, Table};
use indicatif::ProgressDrawTarget;

/// Where data and messages go, and how much is said.
#[derive(Debug)]
pub struct Printer {
    /// The command's name as typed, for messages.
    command: String,
    quiet: bool,
    verbose: bool,
    output: Option<PathBuf>,
    format: Format,
    top: Option<usize>,
}

impl Printer {
    pub fn new(
        command: String,
        quiet: bool,
        verbose: bool,
        output: Option<PathBuf>,
        format: Format,
        top: Option<usize>,
    ) -> Self {
        Printer {
            command,
            quiet,
            verbose,
            output,
            format,
            top,
        }
    }

    /// The command's name as typed (`coupling`, `eval`).
    pub fn command(&self) -> &str {
        &self.command
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

    /// A warning: always shown.
    #[expect(
        clippy::unused_self,
        reason = "all output goes through the printer, warnings too"
    )]
    pub fn warn(&self, message: impl Display) {
        let _ = writeln!(io::stderr().lock(), "warning: {message}");
    }

    /// The notices of a library call, each as its kind asks.
    pub fn notices(&self, notices: Vec<Notice>) {
        for notice in notices {
            match notice {
                Notice::Warning(text) => self.warn(text),
                Notice::Info(text) => self.info(text),
                Notice::Detail(text) if self.verbose => self.info(text),
                Notice::Detail(_) => {}
            }
        }
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

    /// Renders tables in the requested format, honouring `--top`.
    pub fn tables(&self, tables: Vec<Table>) -> anyhow::Result<()> {
        self.data(|out| cochange_report::render_tables(tables, self.format, self.top, out))
    }
}
