use std::path::PathBuf;

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

/// What is read from each commit. Every field changes the mined rows, so together they key the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MineOptions {
    /// Follow only first parents and diff each merge against its first parent (`--first-parent`).
    pub first_parent: bool,
    /// Detect renames like git's default (exact, and similarity of at least 50 %).
    pub renames: bool,
    /// Count added and deleted lines per file (blob diffs); off with `--no-line-counts`.
    pub line_counts: bool,
}

impl Default for MineOptions {
    fn default() -> Self {
        MineOptions {
            first_parent: false,
            renames: true,
            line_counts: true,
        }
    }
}

/// Which part of the history the returned tables cover. It does not key the cache: the cache holds
/// every commit mined so far, and a selection picks from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Revisions to start from (`--rev`); empty means `HEAD`.
    pub revs: Vec<String>,
    /// Start from every reference (`--all`).
    pub all: bool,
    /// Keep commits whose author time is at or after this unix time (`--since`).
    pub since: Option<i64>,
    /// Keep commits whose author time is at or before this unix time (`--until`).
    pub until: Option<i64>,
}

/// Where the incremental cache lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLocation {
    /// Mine everything, store nothing (`--no-cache`).
    Disabled,
    /// Keep caches below this folder, one sub-folder per repository and [`MineOptions`].
    Dir(PathBuf),
}

/// Everything [`mine()`](crate::mine()) needs besides the repository path.
#[derive(Debug, Clone)]
pub struct Options {
    /// What is read from each commit.
    pub mine: MineOptions,
    /// Which commits the tables cover.
    pub selection: Selection,
    /// Where the cache lives.
    pub cache: CacheLocation,
    /// Threads for tree and blob diffs; 0 means one per core.
    pub threads: usize,
    /// The repository's name in the tables (the `repo` column, and the prefix of paths when
    /// several repositories are analysed together); `None`: its remote's or folder's name.
    pub name: Option<String>,
    /// Also compute the line origins of the files at this revision (`HEAD`, a branch, an id) by
    /// replaying the mined diffs ([`LineOrigins`]); needs line counts.
    pub origins: Option<String>,
}

/// Lines of a file at one commit to follow back through the history ([`range_history`](crate::range_history)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRange {
    /// The file's path at that commit.
    pub path: String,
    /// First line, 1-based.
    pub start: u32,
    /// Last line, inclusive.
    pub end: u32,
}

/// A commit that changed lines of a followed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeTouch {
    /// The commit (40 hex digits).
    pub commit: String,
    /// Lines it added to the range (those of its hunks inside the range).
    pub added: u32,
    /// Lines it deleted in the hunks that touched the range.
    pub deleted: u32,
}

/// The two mined tables (docs/architecture.md, *The tables*), as polars frames. Column names are in [`crate::col`].
#[derive(Debug, Clone)]
pub struct Tables {
    /// One row per commit, newest first (parents after their children).
    pub commits: DataFrame,
    /// One row per changed file, in the order of `commits`.
    pub changes: DataFrame,
}

/// The result of mining one repository.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The repository's display name, used in the `repo` column.
    pub repo: String,
    /// The selected history.
    pub tables: Tables,
    /// How much work was done.
    pub statistics: Statistics,
    /// Problems that did not stop the run but that the user must know about.
    pub warnings: Vec<Warning>,
    /// The line origins asked for with [`Options::origins`].
    pub origins: Option<LineOrigins>,
}

/// Which commit last added each line of the files at one commit, from the replay of the mined
/// diffs (docs/metrics.md, *knowledge*): what `git blame` answers, for every file at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineOrigins {
    /// The commit whose files these are (40 hex digits).
    pub commit: String,
    /// Every text file whose origins are known, in path order: its non-blank lines counted per
    /// commit that last added them.
    pub files: Vec<crate::BlamedFile>,
    /// Text files whose origins are not known (a binary version or a missing blob in their
    /// history, or a state that does not fit the file): blame them instead.
    pub unknown: Vec<String>,
    /// Binary files at the commit, which have no lines.
    pub binary: Vec<String>,
    /// Commits replayed in this run; 0 when the cache held the origins of this commit.
    pub replayed: usize,
}

/// The amount of work performed, to report and to check that caching works.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// Commits read from the cache.
    pub commits_from_cache: usize,
    /// Commits read from the repository in this run.
    pub commits_mined: usize,
    /// Tree diffs performed in this run.
    pub tree_diffs: usize,
    /// Blob diffs performed in this run to count lines.
    pub blob_diffs: usize,
    /// Commits in the returned tables.
    pub commits_selected: usize,
    /// Of those, merge commits.
    pub merges_selected: usize,
    /// Rows of the returned changes table.
    pub changes_selected: usize,
    /// What happened to the cache.
    pub cache: CacheStatus,
}

/// What happened to the cache during a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum CacheStatus {
    /// No cache was used.
    #[default]
    Disabled,
    /// There was no cache yet; one was written.
    Created {
        /// The cache folder.
        path: PathBuf,
    },
    /// The cache was read and, if there were new commits, extended.
    Used {
        /// The cache folder.
        path: PathBuf,
    },
    /// The cache was unusable and was rebuilt.
    Rebuilt {
        /// The cache folder.
        path: PathBuf,
    },
}

/// A problem that still allowed a correct, complete result for what exists.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The repository is a shallow clone: history stops at the graft commits.
    Shallow {
        /// How many commits are graft boundaries.
        boundary_commits: usize,
    },
    /// Blobs were missing (partial or blobless clone): their line counts are null.
    MissingBlobs {
        /// How many distinct blobs were missing.
        count: usize,
        /// The first few of them, in hex.
        first: Vec<String>,
    },
    /// The cache could not be used and was rebuilt.
    CacheRebuilt {
        /// The cache folder.
        path: PathBuf,
        /// Why it could not be used.
        reason: String,
    },
    /// The cache could not be written; the result is complete but the next run mines again.
    CacheNotWritten {
        /// The cache folder.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The cache folder cannot be used (it is a file, or cannot be read); the run mined without it.
    CacheNotUsed {
        /// The cache folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Commits with more deleted × added files than git's `diff.renameLimit` (1 000²) allows:
    /// like git, their renames were found by identical content and file name only, so renames
    /// with edits among them count as a deletion and an addition.
    RenameLimit {
        /// How many commits.
        commits: usize,
        /// The first of them, 40 hex digits.
        first: String,
    },
    /// `info/grafts` exists; cochange (like git since 2.18 recommends) does not read it.
    GraftsIgnored,
    /// The `.mailmap` could not be read completely; identities were taken as recorded where it failed.
    Mailmap {
        /// What failed.
        reason: String,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Shallow { boundary_commits } => write!(
                f,
                "the repository is a shallow clone: history is truncated at {boundary_commits} graft \
                 commit(s), and results cover only the history that exists"
            ),
            Warning::MissingBlobs { count, first } => write!(
                f,
                "{count} blob(s) are missing (partial or incomplete clone?): their line counts are null; \
                 first: {}",
                first.join(", ")
            ),
            Warning::CacheRebuilt { path, reason } => {
                write!(f, "the cache at `{}` was rebuilt: {reason}", path.display())
            }
            Warning::CacheNotWritten { path, reason } => write!(
                f,
                "the cache at `{}` could not be written ({reason}); the next run mines again",
                path.display()
            ),
            Warning::CacheNotUsed { path, reason } => write!(
                f,
                "the cache at `{}` cannot be used ({reason}); mining without it",
                path.display()
            ),
            Warning::RenameLimit { commits, first } => write!(
                f,
                "{commits} commit(s) delete and add too many files to compare each pair for renames \
                 (git's diff.renameLimit, 1000): as git does, only identical files and unique file \
                 names were paired there; the first is {first}"
            ),
            Warning::GraftsIgnored => f.write_str(
                "the repository has `info/grafts`, which cochange ignores (git itself deprecated it): \
                 results follow the real parents; convert it with `git replace --convert-graft-file`",
            ),
            Warning::Mailmap { reason } => write!(f, "the .mailmap could not be read: {reason}"),
        }
    }
}

/// Progress reporting, implemented by the caller (the CLI draws a bar). Must be cheap: it is
/// called from the diff threads.
pub trait Progress: Sync {
    /// A new phase starts; `total` is the number of steps, when known.
    fn phase(&self, name: &'static str, total: Option<u64>);
    /// `n` more steps of the current phase are done.
    fn inc(&self, n: u64);
    /// The number of steps of the current phase became known (or changed).
    fn set_total(&self, _total: u64) {}
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _name: &'static str, _total: Option<u64>) {}
    fn inc(&self, _n: u64) {}
}
