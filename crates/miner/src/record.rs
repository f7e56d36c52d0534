//! The rows as they are mined, before they become polars columns.

use gix::ObjectId;

/// One commit as read from the object database.
#[derive(Debug, Clone)]
pub(crate) struct CommitRecord {
    pub id: ObjectId,
    /// The parents git sees: none for roots and for the graft commits of a shallow clone.
    pub parents: Vec<ObjectId>,
    pub tree: ObjectId,
    pub author: String,
    pub email: String,
    pub author_time: i64,
    pub author_tz: i32,
    pub committer_time: i64,
    pub message: String,
    pub coauthors: Vec<String>,
}

/// How a file changed in a commit; the letters are git's `--name-status` letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    TypeChanged,
}

impl ChangeKind {
    pub fn letter(self) -> &'static str {
        match self {
            ChangeKind::Added => "A",
            ChangeKind::Modified => "M",
            ChangeKind::Deleted => "D",
            ChangeKind::Renamed => "R",
            ChangeKind::TypeChanged => "T",
        }
    }
}

/// One changed file of one commit.
#[derive(Debug, Clone)]
pub(crate) struct ChangeRecord {
    pub path: String,
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    pub added: Option<u32>,
    pub deleted: Option<u32>,
    pub binary: bool,
    /// The line diff as flattened `(old_start, old_len, new_start, new_len)` quadruples (an
    /// addition is one hunk of all its lines); `None` when lines are not counted, the content is
    /// binary or a blob is missing.
    pub hunks: Option<Vec<u32>>,
}

/// One file of a merge that differs from a parent's version, for the replay of line origins
/// (docs/architecture.md, *The cache*). Rows against the first parent list every such file;
/// rows against the other parents only the files that differ from all of them.
#[derive(Debug, Clone)]
pub(crate) struct MergeRecord {
    /// Which parent the diff is against (0: the first).
    pub parent: u32,
    pub change: ChangeRecord,
    /// For a first-parent row: the first other parent whose version the file equals, if any.
    pub from_parent: Option<u32>,
}
