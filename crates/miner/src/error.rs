use std::path::PathBuf;

/// A boxed error from a lower layer (gix, polars, the file system), kept as the `source`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can stop mining.
///
/// Problems that still allow a correct result (a shallow clone, missing blobs, a cache that had to
/// be rebuilt) are not errors: they are reported as [`Warning`](crate::Warning)s in the outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path is not inside a git repository.
    #[error("`{}` is not a git repository (or any of its parent folders)", path.display())]
    NotARepository {
        /// The path that was searched from.
        path: PathBuf,
        /// Why discovery failed.
        #[source]
        source: BoxError,
    },
    /// The repository exists but `HEAD` points to a branch without commits.
    #[error("the repository at `{}` has no commits yet (HEAD points to an unborn branch)", path.display())]
    UnbornHead {
        /// The repository's path.
        path: PathBuf,
    },
    /// `--all` was asked for but there is not a single reference to start from.
    #[error("the repository at `{}` has no references to walk", path.display())]
    NoReferences {
        /// The repository's path.
        path: PathBuf,
    },
    /// A revision given with `--rev` does not resolve to a commit.
    #[error("cannot resolve revision `{rev}` to a commit")]
    Revision {
        /// The revision as the user wrote it.
        rev: String,
        /// Why it did not resolve.
        #[source]
        source: BoxError,
    },
    /// Line origins were asked for at a revision the mined history does not hold.
    #[error("revision `{rev}` is not in the mined history (mine it with `--rev`, or use blame)")]
    NotMined {
        /// The revision as the user wrote it.
        rev: String,
    },
    /// What was asked for reads the hunks of line counts, which mining was told to skip.
    #[error("{what} needs line counts, which `--no-line-counts` turns off")]
    NeedsLineCounts {
        /// What was asked for.
        what: &'static str,
    },
    /// A commit or tree the history needs is missing or cannot be decoded.
    #[error("cannot read {kind} {id}: the object is missing or corrupt")]
    Object {
        /// `commit` or `tree`.
        kind: &'static str,
        /// The object's id, in hex.
        id: String,
        /// What failed underneath.
        #[source]
        source: BoxError,
    },
    /// A file of the cache could not be written.
    #[error("cannot write to the cache folder `{}`", path.display())]
    CacheWrite {
        /// The cache folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Something else in the repository could not be read (references, configuration).
    #[error("cannot read the repository at `{}`", path.display())]
    Repository {
        /// The repository's path.
        path: PathBuf,
        /// What failed underneath.
        #[source]
        source: BoxError,
    },
    /// The operating system would not start the threads asked for (`threads`).
    #[error("cannot start {threads} threads")]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The repository stores objects by SHA-256, which this build cannot read.
    #[error("`{}` is a SHA-256 repository; SHA-256 repositories are not supported yet", path.display())]
    Sha256 {
        /// The repository's path.
        path: PathBuf,
    },
    /// A folder of exported tables, or one of its files, cannot be used (docs/schema.md).
    #[error("`{}` {reason}", path.display())]
    Export {
        /// The folder or file.
        path: PathBuf,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// An export's URL that cannot name one (an unknown scheme, credentials in it), or that
    /// this build cannot read (docs/scale.md).
    #[error("`{url}` {reason}")]
    ExportUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// A folder that an export would write into holds something else (docs/schema.md).
    #[error("`{}` {reason}", path.display())]
    ExportTarget {
        /// The folder.
        path: PathBuf,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// `--name` asked an export for a repository it does not hold.
    #[error("`{}` holds no repository named `{name}` (it holds {held})", path.display())]
    NotExported {
        /// The export folder.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// The names it holds, comma-separated.
        held: String,
    },
    /// A file of an export could not be written.
    #[error("cannot write the exported tables at `{}`", path.display())]
    ExportWrite {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Building the tables failed.
    #[error("cannot build the mined tables")]
    Table(#[source] polars::error::PolarsError),
}

impl Error {
    pub(crate) fn object(
        kind: &'static str,
        id: impl std::fmt::Display,
        source: impl Into<BoxError>,
    ) -> Self {
        Error::Object {
            kind,
            id: id.to_string(),
            source: source.into(),
        }
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(err: polars::error::PolarsError) -> Self {
        Error::Table(err)
    }
}
