//! Exit codes: one table, from which `--help` is written and which the README repeats (a test
//! compares them).

/// The command did what was asked.
pub const SUCCESS: u8 = 0;
/// `check` found new findings.
pub const FINDINGS: u8 = 1;
/// The command line or the configuration is wrong, or an output would replace something that is
/// not cochange's.
pub const USAGE: u8 = 2;
/// The repository or the exported tables cannot be read (not a repository, no commits, a missing
/// or corrupt object; a damaged export, a store that refuses or does not answer).
pub const REPOSITORY: u8 = 3;
/// Anything else: a bug, or the system failed us (disk full, output not writable).
pub const INTERNAL: u8 = 4;

/// Every exit code and what it means, in order.
pub const CODES: [(u8, &str); 5] = [
    (SUCCESS, "success"),
    (FINDINGS, "`check` found new findings"),
    (
        USAGE,
        "usage or configuration error, or an output that would replace what is not cochange's",
    ),
    (
        REPOSITORY,
        "the repository or exported tables cannot be read (missing, corrupt, or refused by a store)",
    ),
    (
        INTERNAL,
        "internal error, including output that cannot be written (a full disk)",
    ),
];

/// The text `--help` shows after the options.
pub fn help() -> String {
    let lines: Vec<String> = CODES
        .iter()
        .map(|(code, meaning)| format!("  {code}  {meaning}"))
        .collect();
    format!("Exit codes:\n{}", lines.join("\n"))
}
