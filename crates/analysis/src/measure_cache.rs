//! Text measures kept beside the mined tables by blob id and language, so that a run reads only
//! the blobs it has not measured before (docs/architecture.md, *The cache*).

use std::collections::HashMap;
use std::path::Path;

use cochange_miner::polars::prelude::*;
use cochange_miner::{Options, Snapshot};

use crate::{TextMeasures, language_of};

/// The side table's name; the version changes whenever [`measure_text`](crate::measure_text)
/// would measure a blob differently.
const TABLE: &str = "text-measures-v1";
/// Rows kept at most: those of the files just measured, then older ones.
const MAX_ROWS: usize = 200_000;

/// The measures of the blobs measured before, keyed by blob id and language (the comment syntax
/// depends on the file's name, not only on its bytes).
#[derive(Debug, Default)]
pub(crate) struct MeasureCache {
    /// By [`key`].
    known: HashMap<String, TextMeasures>,
}

impl MeasureCache {
    /// The measures stored for the repository at `repo`; none when there is no cache or the table
    /// does not check out.
    pub(crate) fn read(repo: &Path, options: &Options) -> MeasureCache {
        cochange_miner::read_side_table(repo, options, TABLE)
            .and_then(|df| from_frame(&df).ok())
            .map(|known| MeasureCache { known })
            .unwrap_or_default()
    }

    /// The stored measures of `path` whose blob is `blob`.
    pub(crate) fn get(&self, path: &str, blob: &str) -> Option<TextMeasures> {
        self.known.get(&key(blob, path)).copied()
    }

    /// Stores the measures of `snapshot` with those known before, when it measured any blob
    /// anew. Best effort: without it the next run measures again, which costs time, not truth.
    pub(crate) fn update(self, repo: &Path, options: &Options, snapshot: &Snapshot<TextMeasures>) {
        let fresh: Vec<(String, TextMeasures)> = snapshot
            .files
            .iter()
            .zip(&snapshot.blobs)
            .filter_map(|((path, measures), blob)| Some((key(blob, path), (*measures)?)))
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
        if let Ok(mut df) = to_frame(&rows) {
            let _ = cochange_miner::store_side_table(repo, options, TABLE, &mut df);
        }
    }
}

/// A blob measured as a file of the language of `path`: `BLOB LANGUAGE`.
fn key(blob: &str, path: &str) -> String {
    format!("{blob} {}", language_of(path))
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
