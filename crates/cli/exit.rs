//! Exit codes, documented in `--help` and the README (SPEC §6).

/// The command did what was asked.
pub const SUCCESS: u8 = 0;
/// `check` found new findings.
pub const FINDINGS: u8 = 1;
/// The command line or the configuration is wrong.
pub const USAGE: u8 = 2;
/// The repository cannot be read (not a repository, no commits, a missing or corrupt object).
pub const REPOSITORY: u8 = 3;
/// Anything else: a bug, or the system failed us (disk full, output not writable).
pub const INTERNAL: u8 = 4;

/// The text `--help` shows after the options.
pub const HELP: &str = "\
Exit codes:
  0  success
  1  `check` found new findings
  2  usage or configuration error
  3  the repository cannot be read
  4  internal error (including output that cannot be written)";
