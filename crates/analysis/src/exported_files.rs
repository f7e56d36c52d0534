//! The exported `files` table (docs/schema.md): the measured files of a revision, written by
//! `export` and read back as a snapshot by analyses from `--tables`.

use cochange_miner::Snapshot;
use cochange_miner::polars::prelude::*;

use crate::TextMeasures;

/// Column names of the exported `files` table besides `commit` and `path`: the fields of
/// [`TextMeasures`].
mod column {
    pub const PATH: &str = "path";
    pub const BINARY: &str = "binary";
    pub const LOC: &str = "loc";
    pub const INDENT_TOTAL: &str = "indent_total";
    pub const INDENT_MAX: &str = "indent_max";
    pub const INLINE_TESTS: &str = "inline_tests";
    pub const COMMENT_LINES: &str = "comment_lines";
}

/// The measured files of a snapshot as the exported `files` table (without `commit`). Counts are
/// stored signed, as engines such as Spark read unsigned types badly; a file without measures
/// (a missing blob) has nulls.
pub(crate) fn files_frame(snapshot: &Snapshot<TextMeasures>) -> PolarsResult<DataFrame> {
    let files = &snapshot.files;
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    DataFrame::new(
        files.len(),
        vec![
            Column::new(column::PATH.into(), paths),
            Column::new(column::BINARY.into(), measure(snapshot, |m| m.binary)),
            Column::new(column::LOC.into(), measure(snapshot, |m| m.loc as i64)),
            Column::new(
                column::INDENT_TOTAL.into(),
                measure(snapshot, |m| m.indent_total),
            ),
            Column::new(
                column::INDENT_MAX.into(),
                measure(snapshot, |m| m.indent_max),
            ),
            Column::new(
                column::INLINE_TESTS.into(),
                measure(snapshot, |m| m.inline_tests),
            ),
            Column::new(
                column::COMMENT_LINES.into(),
                measure(snapshot, |m| m.comment_lines as i64),
            ),
        ],
    )
}

/// One measure of every file of `snapshot`, null where the file has none.
fn measure<T>(
    snapshot: &Snapshot<TextMeasures>,
    of: impl Fn(&TextMeasures) -> T,
) -> Vec<Option<T>> {
    snapshot
        .files
        .iter()
        .map(|(_, m)| m.as_ref().map(&of))
        .collect()
}

/// The exported `files` of commit `head` as the snapshot mining would read, keeping the files
/// `wanted` accepts (a file whose measures are null had a missing blob).
pub(crate) fn snapshot_of(
    files: &DataFrame,
    head: &str,
    wanted: impl Fn(&str) -> bool,
) -> PolarsResult<Snapshot<TextMeasures>> {
    let path = files.column(column::PATH)?.str()?;
    let binary = files.column(column::BINARY)?.bool()?;
    // Read as the schema says, whatever integer type a writer chose.
    let loc = files.column(column::LOC)?.cast(&DataType::Int64)?;
    let loc = loc.i64()?;
    let indent_total = files.column(column::INDENT_TOTAL)?.f64()?;
    let indent_max = files.column(column::INDENT_MAX)?.f64()?;
    let inline_tests = files.column(column::INLINE_TESTS)?.bool()?;
    let comment_lines = files
        .column(column::COMMENT_LINES)?
        .cast(&DataType::Int64)?;
    let comment_lines = comment_lines.i64()?;
    let mut snapshot = Snapshot {
        commit: head.to_owned(),
        files: Vec::new(),
        blobs: Vec::new(),
        skipped: 0,
        paths: Vec::new(),
        missing: Vec::new(),
    };
    for i in 0..files.height() {
        let Some(p) = path.get(i) else { continue };
        snapshot.paths.push(p.to_owned());
        if !wanted(p) {
            snapshot.skipped += 1;
            continue;
        }
        let measures = loc.get(i).map(|loc| TextMeasures {
            binary: binary.get(i).unwrap_or_default(),
            loc: loc as u64,
            indent_total: indent_total.get(i).unwrap_or_default(),
            indent_max: indent_max.get(i).unwrap_or_default(),
            inline_tests: inline_tests.get(i).unwrap_or_default(),
            comment_lines: comment_lines.get(i).unwrap_or_default() as u64,
        });
        if measures.is_none() {
            snapshot.missing.push(p.to_owned());
        }
        snapshot.files.push((p.to_owned(), measures));
    }
    Ok(snapshot)
}
