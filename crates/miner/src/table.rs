//! The mined tables as polars frames: column names, and building frames from records.

use polars::prelude::*;

use crate::record::{ChangeRecord, CommitRecord, MergeRecord};

/// Stored-only columns (the cache's, not the returned tables'): the line diff of a change as
/// flattened `(old_start, old_len, new_start, new_len)` (list[u32]), and of merge rows the
/// parent diffed against and the parent whose version a file equals (u32).
pub(crate) mod stored {
    pub const HUNKS: &str = "hunks";
    pub const PARENT: &str = "parent";
    pub const FROM_PARENT: &str = "from_parent";
}

/// Column names of the two tables (docs/architecture.md, *The tables*).
pub mod col {
    /// Repository display name (str).
    pub const REPO: &str = "repo";
    /// Commit id, 40 hex digits (str).
    pub const COMMIT: &str = "commit";
    /// Parent ids (list[str]).
    pub const PARENTS: &str = "parents";
    /// Whether the commit has more than one parent (bool).
    pub const IS_MERGE: &str = "is_merge";
    /// Canonical author name after `.mailmap` (str).
    pub const AUTHOR: &str = "author";
    /// Canonical author email after `.mailmap` (str).
    pub const EMAIL: &str = "email";
    /// Author time, unix seconds (i64).
    pub const AUTHOR_TIME: &str = "author_time";
    /// Author time zone offset, minutes (i32).
    pub const AUTHOR_TZ: &str = "author_tz";
    /// Committer time, unix seconds (i64).
    pub const COMMITTER_TIME: &str = "committer_time";
    /// Full commit message (str).
    pub const MESSAGE: &str = "message";
    /// Canonical names from `Co-authored-by:` trailers (list[str]).
    pub const COAUTHORS: &str = "coauthors";
    /// Path as of the commit (str).
    pub const PATH: &str = "path";
    /// Path before a rename, null otherwise (str).
    pub const OLD_PATH: &str = "old_path";
    /// The file's newest path after following renames (str).
    pub const ENTITY: &str = "entity";
    /// `A`, `M`, `D`, `R` or `T` (str).
    pub const KIND: &str = "kind";
    /// Lines added; null if binary or line counts are off (u32).
    pub const ADDED: &str = "added";
    /// Lines deleted; null likewise (u32).
    pub const DELETED: &str = "deleted";
    /// Whether git considers the content binary (bool).
    pub const BINARY: &str = "binary";
}

fn list_column(name: &str, rows: impl Iterator<Item = Vec<String>>, capacity: usize) -> Column {
    let mut builder = ListStringChunkedBuilder::new(name.into(), capacity, capacity);
    for row in rows {
        builder.append_values_iter(row.iter().map(String::as_str));
    }
    builder.finish().into_series().into()
}

/// The commits of one mining run, as stored in the cache (no `repo` column).
pub(crate) fn commits_frame(records: &[CommitRecord]) -> PolarsResult<DataFrame> {
    let n = records.len();
    DataFrame::new(
        n,
        vec![
            Column::new(
                col::COMMIT.into(),
                records.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
            ),
            list_column(
                col::PARENTS,
                records
                    .iter()
                    .map(|r| r.parents.iter().map(ToString::to_string).collect()),
                n,
            ),
            Column::new(
                col::IS_MERGE.into(),
                records
                    .iter()
                    .map(|r| r.parents.len() > 1)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                col::AUTHOR.into(),
                records
                    .iter()
                    .map(|r| r.author.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                col::EMAIL.into(),
                records.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                col::AUTHOR_TIME.into(),
                records.iter().map(|r| r.author_time).collect::<Vec<_>>(),
            ),
            Column::new(
                col::AUTHOR_TZ.into(),
                records.iter().map(|r| r.author_tz).collect::<Vec<_>>(),
            ),
            Column::new(
                col::COMMITTER_TIME.into(),
                records.iter().map(|r| r.committer_time).collect::<Vec<_>>(),
            ),
            Column::new(
                col::MESSAGE.into(),
                records
                    .iter()
                    .map(|r| r.message.as_str())
                    .collect::<Vec<_>>(),
            ),
            list_column(
                col::COAUTHORS,
                records.iter().map(|r| r.coauthors.clone()),
                n,
            ),
        ],
    )
}

/// The changes of one mining run, as stored in the cache (no `repo` and `entity` columns, and
/// the stored-only `hunks`). `changes[i]` belongs to `records[i]`.
pub(crate) fn changes_frame(
    records: &[CommitRecord],
    changes: &[Vec<ChangeRecord>],
) -> PolarsResult<DataFrame> {
    let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
    let rows: Vec<(&str, &ChangeRecord)> = ids
        .iter()
        .zip(changes)
        .flat_map(|(id, changes)| changes.iter().map(move |c| (id.as_str(), c)))
        .collect();
    DataFrame::new(rows.len(), change_columns(&rows))
}

/// The rows of merges against their parents (for the replay of line origins), as stored in the
/// cache. `merges[i]` belongs to `records[i]`.
pub(crate) fn merges_frame(
    records: &[CommitRecord],
    merges: &[Vec<MergeRecord>],
) -> PolarsResult<DataFrame> {
    let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
    let rows: Vec<(&str, &MergeRecord)> = ids
        .iter()
        .zip(merges)
        .flat_map(|(id, rows)| rows.iter().map(move |r| (id.as_str(), r)))
        .collect();
    let changes: Vec<(&str, &ChangeRecord)> = rows.iter().map(|(id, r)| (*id, &r.change)).collect();
    let mut columns = change_columns(&changes);
    columns.insert(
        1,
        Column::new(
            stored::PARENT.into(),
            rows.iter().map(|(_, r)| r.parent).collect::<Vec<_>>(),
        ),
    );
    columns.push(Column::new(
        stored::FROM_PARENT.into(),
        rows.iter().map(|(_, r)| r.from_parent).collect::<Vec<_>>(),
    ));
    DataFrame::new(rows.len(), columns)
}

fn change_columns(rows: &[(&str, &ChangeRecord)]) -> Vec<Column> {
    let mut hunks = ListPrimitiveChunkedBuilder::<UInt32Type>::new(
        stored::HUNKS.into(),
        rows.len(),
        rows.len() * 4,
        DataType::UInt32,
    );
    for (_, change) in rows {
        match &change.hunks {
            Some(h) => hunks.append_slice(h),
            None => hunks.append_null(),
        }
    }
    vec![
        Column::new(
            col::COMMIT.into(),
            rows.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        ),
        Column::new(
            col::PATH.into(),
            rows.iter()
                .map(|(_, c)| c.path.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::OLD_PATH.into(),
            rows.iter()
                .map(|(_, c)| c.old_path.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::KIND.into(),
            rows.iter()
                .map(|(_, c)| c.kind.letter())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            col::ADDED.into(),
            rows.iter().map(|(_, c)| c.added).collect::<Vec<_>>(),
        ),
        Column::new(
            col::DELETED.into(),
            rows.iter().map(|(_, c)| c.deleted).collect::<Vec<_>>(),
        ),
        Column::new(
            col::BINARY.into(),
            rows.iter().map(|(_, c)| c.binary).collect::<Vec<_>>(),
        ),
        hunks.finish().into_series().into(),
    ]
}

/// The stored schema of each table, to reject caches whose columns do not match.
pub(crate) fn check_stored_schema(
    commits: &DataFrame,
    changes: &DataFrame,
    merges: &DataFrame,
) -> Result<(), String> {
    let expect = |df: &DataFrame, names: &[&str], table: &str| -> Result<(), String> {
        let got: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        if got == names {
            Ok(())
        } else {
            Err(format!(
                "the {table} table has columns {got:?}, expected {names:?}"
            ))
        }
    };
    expect(
        commits,
        &[
            col::COMMIT,
            col::PARENTS,
            col::IS_MERGE,
            col::AUTHOR,
            col::EMAIL,
            col::AUTHOR_TIME,
            col::AUTHOR_TZ,
            col::COMMITTER_TIME,
            col::MESSAGE,
            col::COAUTHORS,
        ],
        "commits",
    )?;
    expect(
        changes,
        &[
            col::COMMIT,
            col::PATH,
            col::OLD_PATH,
            col::KIND,
            col::ADDED,
            col::DELETED,
            col::BINARY,
            stored::HUNKS,
        ],
        "changes",
    )?;
    expect(
        merges,
        &[
            col::COMMIT,
            stored::PARENT,
            col::PATH,
            col::OLD_PATH,
            col::KIND,
            col::ADDED,
            col::DELETED,
            col::BINARY,
            stored::HUNKS,
            stored::FROM_PARENT,
        ],
        "merges",
    )
}
