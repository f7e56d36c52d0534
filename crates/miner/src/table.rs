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

/// The `commit` column of the commits in `records`, in their order: hex ids. The other tables
/// take their `commit` column from it by row, which shares its bytes.
pub(crate) fn id_column(records: &[CommitRecord]) -> StringChunked {
    let mut ids = StringChunkedBuilder::new(col::COMMIT.into(), records.len());
    // Long enough for any hash's hex digits.
    let mut hex = [0u8; 64];
    for record in records {
        ids.append_value(&*record.id.hex_to_buf(&mut hex));
    }
    ids.finish()
}

/// The commits of one mining run, as stored in the cache (no `repo` column); `ids` is
/// [`id_column`] of `records`.
pub(crate) fn commits_frame(
    records: &[CommitRecord],
    ids: &StringChunked,
) -> PolarsResult<DataFrame> {
    let n = records.len();
    DataFrame::new(
        n,
        vec![
            ids.clone().into_column(),
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
/// the stored-only `hunks`). `changes[i]` belongs to the commit `ids[i]`.
pub(crate) fn changes_frame(
    ids: &StringChunked,
    changes: &[Vec<ChangeRecord>],
) -> PolarsResult<DataFrame> {
    let n = changes.iter().map(Vec::len).sum();
    DataFrame::new(n, change_columns(ids, || rows_by_commit(changes), n)?)
}

/// The rows of `per_commit` in order, each with the index of its commit.
fn rows_by_commit<T>(per_commit: &[Vec<T>]) -> impl Iterator<Item = (usize, &T)> {
    per_commit
        .iter()
        .enumerate()
        .flat_map(|(commit, rows)| rows.iter().map(move |row| (commit, row)))
}

/// The rows of merges against their parents (for the replay of line origins), as stored in the
/// cache. `merges[i]` belongs to the commit `ids[i]`.
pub(crate) fn merges_frame(
    ids: &StringChunked,
    merges: &[Vec<MergeRecord>],
) -> PolarsResult<DataFrame> {
    let n = merges.iter().map(Vec::len).sum();
    let mut columns = change_columns(
        ids,
        || rows_by_commit(merges).map(|(commit, row)| (commit, &row.change)),
        n,
    )?;
    let mut parents = PrimitiveChunkedBuilder::<UInt32Type>::new(stored::PARENT.into(), n);
    let mut from_parents =
        PrimitiveChunkedBuilder::<UInt32Type>::new(stored::FROM_PARENT.into(), n);
    for (_, row) in rows_by_commit(merges) {
        parents.append_value(row.parent);
        from_parents.append_option(row.from_parent);
    }
    columns.insert(1, parents.finish().into_column());
    columns.push(from_parents.finish().into_column());
    DataFrame::new(n, columns)
}

/// The columns of change rows: `rows` gives the `n` rows, each as the index of its commit in
/// `ids` and the change. It is walked twice, for the commits' rows and then for the other
/// columns at once, which is cheaper than collecting the rows (and than collecting each column
/// before polars copies it).
fn change_columns<'r, I>(
    ids: &StringChunked,
    rows: impl Fn() -> I,
    n: usize,
) -> PolarsResult<Vec<Column>>
where
    I: Iterator<Item = (usize, &'r ChangeRecord)>,
{
    let commits = IdxCa::from_iter_values(
        "row of each change".into(),
        rows().map(|(commit, _)| commit as IdxSize),
    );
    let mut path = StringChunkedBuilder::new(col::PATH.into(), n);
    let mut old_path = StringChunkedBuilder::new(col::OLD_PATH.into(), n);
    let mut kind = StringChunkedBuilder::new(col::KIND.into(), n);
    let mut added = PrimitiveChunkedBuilder::<UInt32Type>::new(col::ADDED.into(), n);
    let mut deleted = PrimitiveChunkedBuilder::<UInt32Type>::new(col::DELETED.into(), n);
    let mut binary = BooleanChunkedBuilder::new(col::BINARY.into(), n);
    let mut hunks = ListPrimitiveChunkedBuilder::<UInt32Type>::new(
        stored::HUNKS.into(),
        n,
        n * 4,
        DataType::UInt32,
    );
    for (_, change) in rows() {
        path.append_value(&change.path);
        old_path.append_option(change.old_path.as_deref());
        kind.append_value(change.kind.letter());
        added.append_option(change.added);
        deleted.append_option(change.deleted);
        binary.append_value(change.binary);
        match &change.hunks {
            Some(h) => hunks.append_slice(h),
            None => hunks.append_null(),
        }
    }
    Ok(vec![
        ids.take(&commits)?.into_column(),
        path.finish().into_column(),
        old_path.finish().into_column(),
        kind.finish().into_column(),
        added.finish().into_column(),
        deleted.finish().into_column(),
        binary.finish().into_column(),
        hunks.finish().into_series().into(),
    ])
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
