//! What was read from blobs, kept beside the mined tables by blob id and kind, so that a run
//! reads only the blobs it has not read before (docs/architecture.md, *The cache*): the text
//! measures of files and the facts of code (imports, manifests).

use std::collections::HashMap;
use std::path::Path;

use cochange_code::FileFacts;
use cochange_miner::polars::prelude::*;
use cochange_miner::{Options, Snapshot};

use crate::{TextMeasures, language_of};

/// Rows kept at most per table: those of the files just read, then older ones.
const MAX_ROWS: usize = 200_000;

/// A value read from a blob, storable in a side table.
pub(crate) trait Cached: Clone + Sized {
    /// The side table's name; its version changes whenever a blob would be read differently.
    const TABLE: &'static str;
    /// What the value of a blob depends on besides its bytes (the language, from the path).
    fn kind(path: &str) -> &'static str;
    fn to_frame(rows: &[(String, Self)]) -> PolarsResult<DataFrame>;
    fn from_frame(df: &DataFrame) -> PolarsResult<HashMap<String, Self>>;
}

/// The values of the blobs read before, keyed by blob id and kind.
#[derive(Debug)]
pub(crate) struct BlobCache<T> {
    /// By [`key`].
    known: HashMap<String, T>,
}

impl<T: Cached> BlobCache<T> {
    /// The values stored for the repository at `repo`; none when there is no cache or the table
    /// does not check out.
    pub(crate) fn read(repo: &Path, options: &Options) -> BlobCache<T> {
        let known = cochange_miner::read_side_table(repo, options, T::TABLE)
            .and_then(|df| T::from_frame(&df).ok())
            .unwrap_or_default();
        BlobCache { known }
    }

    /// The stored value of `path` whose blob is `blob`.
    pub(crate) fn get(&self, path: &str, blob: &str) -> Option<T> {
        self.known.get(&key::<T>(blob, path)).cloned()
    }

    /// Stores the values of `snapshot` with those known before, when it read any blob anew.
    /// Best effort: without it the next run reads again, which costs time, not truth.
    pub(crate) fn update(self, repo: &Path, options: &Options, snapshot: &Snapshot<T>) {
        let fresh: Vec<(String, T)> = snapshot
            .files
            .iter()
            .zip(&snapshot.blobs)
            .filter_map(|((path, value), blob)| Some((key::<T>(blob, path), value.clone()?)))
            .collect();
        if fresh.iter().all(|(key, _)| self.known.contains_key(key)) {
            return;
        }
        let mut rows = fresh;
        let current: std::collections::HashSet<String> =
            rows.iter().map(|(k, _)| k.clone()).collect();
        let mut older: Vec<_> = self
            .known
            .into_iter()
            .filter(|(k, _)| !current.contains(k))
            .collect();
        older.sort_by(|a, b| a.0.cmp(&b.0));
        rows.extend(older.into_iter().take(MAX_ROWS.saturating_sub(rows.len())));
        if let Ok(mut df) = T::to_frame(&rows) {
            let _ = cochange_miner::store_side_table(repo, options, T::TABLE, &mut df);
        }
    }
}

/// A blob read as a file of `path`'s kind: `BLOB KIND`.
fn key<T: Cached>(blob: &str, path: &str) -> String {
    format!("{blob} {}", T::kind(path))
}

impl Cached for TextMeasures {
    // The version changes whenever [`measure_text`](crate::measure_text) would measure a blob
    // differently.
    const TABLE: &'static str = "text-measures-v1";

    fn kind(path: &str) -> &'static str {
        language_of(path)
    }

    fn to_frame(rows: &[(String, TextMeasures)]) -> PolarsResult<DataFrame> {
        df!(
            "key" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            "binary" => rows.iter().map(|r| r.1.binary).collect::<Vec<_>>(),
            "loc" => rows.iter().map(|r| r.1.loc).collect::<Vec<_>>(),
            "comment_lines" => rows.iter().map(|r| r.1.comment_lines).collect::<Vec<_>>(),
            "indent_total" => rows.iter().map(|r| r.1.indent_total).collect::<Vec<_>>(),
            "indent_max" => rows.iter().map(|r| r.1.indent_max).collect::<Vec<_>>(),
            "inline_tests" => rows.iter().map(|r| r.1.inline_tests).collect::<Vec<_>>(),
        )
    }

    fn from_frame(df: &DataFrame) -> PolarsResult<HashMap<String, TextMeasures>> {
        let keys = df.column("key")?.str()?;
        let binary = df.column("binary")?.bool()?;
        let loc = df.column("loc")?.u64()?;
        let comment_lines = df.column("comment_lines")?.u64()?;
        let indent_total = df.column("indent_total")?.f64()?;
        let indent_max = df.column("indent_max")?.f64()?;
        let inline_tests = df.column("inline_tests")?.bool()?;
        let mut known = HashMap::with_capacity(df.height());
        for i in 0..df.height() {
            let row = (|| {
                let key = keys.get(i)?.to_owned();
                let measures = TextMeasures {
                    binary: binary.get(i)?,
                    loc: loc.get(i)?,
                    comment_lines: comment_lines.get(i)?,
                    indent_total: indent_total.get(i)?,
                    indent_max: indent_max.get(i)?,
                    inline_tests: inline_tests.get(i)?,
                };
                Some((key, measures))
            })();
            // A row this version cannot read: the file is measured again.
            if let Some((key, measures)) = row {
                known.insert(key, measures);
            }
        }
        Ok(known)
    }
}

impl Cached for FileFacts {
    const TABLE: &'static str = cochange_code::FACTS_TABLE;

    fn kind(path: &str) -> &'static str {
        cochange_code::kind_of(path)
    }

    fn to_frame(rows: &[(String, FileFacts)]) -> PolarsResult<DataFrame> {
        json_frame(rows)
    }

    fn from_frame(df: &DataFrame) -> PolarsResult<HashMap<String, FileFacts>> {
        from_json_frame(df)
    }
}

impl Cached for cochange_code::TableFacts {
    const TABLE: &'static str = cochange_code::TABLE_FACTS_TABLE;

    fn kind(path: &str) -> &'static str {
        cochange_code::table_kind(path)
    }

    fn to_frame(rows: &[(String, Self)]) -> PolarsResult<DataFrame> {
        json_frame(rows)
    }

    fn from_frame(df: &DataFrame) -> PolarsResult<HashMap<String, Self>> {
        from_json_frame(df)
    }
}

/// Values stored as JSON text, one row per key.
pub(crate) fn json_frame<T: serde::Serialize>(rows: &[(String, T)]) -> PolarsResult<DataFrame> {
    let facts: Vec<String> = rows
        .iter()
        .map(|(_, facts)| serde_json::to_string(facts).unwrap_or_default())
        .collect();
    df!(
        "key" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "facts" => facts,
    )
}

pub(crate) fn from_json_frame<T: serde::de::DeserializeOwned>(
    df: &DataFrame,
) -> PolarsResult<HashMap<String, T>> {
    let keys = df.column("key")?.str()?;
    let facts = df.column("facts")?.str()?;
    // A row this version cannot read: the file is read again.
    Ok(keys
        .iter()
        .zip(facts.iter())
        .filter_map(|(key, facts)| Some((key?.to_owned(), serde_json::from_str(facts?).ok()?)))
        .collect())
}
