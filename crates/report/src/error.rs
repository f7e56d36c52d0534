//! Why a report, or the tables of a command, could not be built.

use polars::prelude::PolarsError;

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An analysis failed.
    #[error(transparent)]
    Analysis(#[from] cochange_analysis::Error),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] crate::ChartError),
    /// A computation over the tables failed.
    #[error(transparent)]
    Polars(#[from] PolarsError),
    /// The report's own snapshot does not read back (a bug).
    #[error(transparent)]
    Snapshot(#[from] crate::SnapshotError),
}

impl From<BuildError> for cochange_analysis::Error {
    fn from(err: BuildError) -> Self {
        match err {
            BuildError::Analysis(err) => err,
            BuildError::Polars(err) => cochange_analysis::Error::Polars(err),
            other => cochange_analysis::Error::Invalid(other.to_string()),
        }
    }
}
