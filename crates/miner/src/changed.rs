//! The files a change touches, for `impact --diff` and `check --diff`: between two revisions, in
//! the index against `HEAD` (staged), or in the work tree against `HEAD`. Renames are detected as
//! git detects them; nothing is written to the repository (the index is read, not refreshed).

use std::path::Path;

use gix::bstr::BStr;

use crate::{Error, escape_path};

/// Which change to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeSource {
    /// `BASE..HEAD` (the trees of both revisions) or `BASE...HEAD` (the tree of their merge base
    /// and of `HEAD`), as `git diff` reads them.
    Range(String),
    /// The index against `HEAD`, as `git diff --staged`.
    Staged,
    /// The work tree (with untracked files) against `HEAD`, as `git status` lists it.
    WorkTree,
}

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangedKind {
    /// New.
    Added,
    /// Changed in place.
    Modified,
    /// Removed.
    Deleted,
    /// Moved from another path (its content mostly kept).
    Renamed,
}

impl ChangedKind {
    /// The letter git uses: `A`, `M`, `D`, `R`.
    pub fn letter(self) -> &'static str {
        match self {
            ChangedKind::Added => "A",
            ChangedKind::Modified => "M",
            ChangedKind::Deleted => "D",
            ChangedKind::Renamed => "R",
        }
    }
}

/// One file a change touches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangedFile {
    /// Its path after the change (before it, for a deleted file), as the mined tables write paths.
    pub path: String,
    /// Its path before a rename.
    pub old_path: Option<String>,
    /// How it changed.
    pub kind: ChangedKind,
}

/// The files a change touches, and the commit it starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The commit the change is made on (the base of a range, `HEAD` otherwise), in hex: the
    /// history that predicts the change is the one up to it.
    pub base: String,
    /// The commit whose files the change leads to (the head of a range, `HEAD` otherwise), in
    /// hex.
    pub head: String,
    /// The files, by path.
    pub files: Vec<ChangedFile>,
}

/// The files `source` touches in the repository at or above `repo`.
pub fn changed_files(repo: &Path, source: &ChangeSource) -> Result<Change, Error> {
    let repository = crate::repo::open(repo)?;
    let failed = |source: crate::BoxError| Error::Repository {
        path: repo.to_owned(),
        source,
    };
    let mut files = match source {
        ChangeSource::Range(range) => {
            let (base, head) = range_ends(&repository, range)?;
            let (old, new) = (tree_of(&base)?, tree_of(&head)?);
            let changes = repository
                .diff_tree_to_tree(
                    &old,
                    &new,
                    gix::diff::Options::default()
                        .with_rewrites(Some(gix::diff::Rewrites::default())),
                )
                .map_err(|err| failed(Box::new(err)))?;
            let files = changes
                .iter()
                .filter(|c| !c.entry_mode().is_tree())
                .map(|change| {
                    use gix::object::tree::diff::ChangeDetached as C;
                    match change {
                        C::Addition { location, .. } => {
                            file(location.as_ref(), None, ChangedKind::Added)
                        }
                        C::Deletion { location, .. } => {
                            file(location.as_ref(), None, ChangedKind::Deleted)
                        }
                        C::Modification { location, .. } => {
                            file(location.as_ref(), None, ChangedKind::Modified)
                        }
                        C::Rewrite {
                            source_location,
                            location,
                            copy,
                            ..
                        } => {
                            if *copy {
                                file(location.as_ref(), None, ChangedKind::Added)
                            } else {
                                file(
                                    location.as_ref(),
                                    Some(source_location.as_ref()),
                                    ChangedKind::Renamed,
                                )
                            }
                        }
                    }
                })
                .collect();
            return Ok(Change {
                base: base.id.to_string(),
                head: head.id.to_string(),
                files: sorted(files),
            });
        }
        _ if repository.workdir().is_none() => {
            return Err(failed(
                "it is a bare repository: there is no index or work tree to compare with `HEAD`; give `--diff BASE..HEAD`".into(),
            ));
        }
        ChangeSource::Staged => staged(&repository).map_err(failed)?,
        ChangeSource::WorkTree => work_tree(&repository).map_err(failed)?,
    };
    let head = repository
        .head_commit()
        .map_err(|err| failed(Box::new(err)))?;
    files.dedup_by(|a, b| a.path == b.path);
    Ok(Change {
        base: head.id.to_string(),
        head: head.id.to_string(),
        files: sorted(files),
    })
}

fn tree_of<'repo>(commit: &gix::Commit<'repo>) -> Result<gix::Tree<'repo>, Error> {
    commit.tree().map_err(|err| Error::Object {
        kind: "tree",
        id: commit.id.to_string(),
        source: Box::new(err),
    })
}

fn file(path: &BStr, old_path: Option<&BStr>, kind: ChangedKind) -> ChangedFile {
    ChangedFile {
        path: escape_path(path),
        old_path: old_path.map(|p| escape_path(p)),
        kind,
    }
}

fn sorted(mut files: Vec<ChangedFile>) -> Vec<ChangedFile> {
    files.sort();
    files.dedup_by(|a, b| a.path == b.path);
    files
}

/// The two commits of `BASE..HEAD` or `BASE...HEAD` (whose base is the merge base).
fn range_ends<'repo>(
    repo: &'repo gix::Repository,
    range: &str,
) -> Result<(gix::Commit<'repo>, gix::Commit<'repo>), Error> {
    let (base, head, merge_base) = if let Some((base, head)) = range.split_once("...") {
        (base, head, true)
    } else if let Some((base, head)) = range.split_once("..") {
        (base, head, false)
    } else {
        return Err(Error::Revision {
            rev: range.to_owned(),
            source: "a range is `BASE..HEAD` (the two revisions' trees) or `BASE...HEAD` (from their merge base)".into(),
        });
    };
    let or_head = |rev: &str| {
        if rev.is_empty() {
            "HEAD".to_owned()
        } else {
            rev.to_owned()
        }
    };
    let (base, head) = (or_head(base), or_head(head));
    let head_commit = crate::repo::commit_of(repo, &head)?;
    let base_commit = crate::repo::commit_of(repo, &base)?;
    if !merge_base {
        return Ok((base_commit, head_commit));
    }
    let id = repo
        .merge_base(base_commit.id, head_commit.id)
        .map_err(|err| Error::Revision {
            rev: range.to_owned(),
            source: Box::new(err),
        })?
        .ok_or_else(|| Error::Revision {
            rev: range.to_owned(),
            source: format!("`{base}` and `{head}` have no common ancestor").into(),
        })?;
    let base = crate::repo::commit_of(repo, &id.to_string())?;
    Ok((base, head_commit))
}

/// The index against `HEAD`.
fn staged(repo: &gix::Repository) -> Result<Vec<ChangedFile>, crate::BoxError> {
    let index = repo.index_or_empty()?;
    let tree = repo.head_tree_id_or_empty()?;
    let mut files = Vec::new();
    repo.tree_index_status(
        &tree,
        &index,
        None,
        gix::status::tree_index::TrackRenames::AsConfigured,
        |change, _, _| {
            files.push(index_change(&change));
            Ok(gix::diff::index::Action::Continue(()))
        },
    )?;
    Ok(files)
}

fn index_change(change: &gix::diff::index::ChangeRef<'_, '_>) -> ChangedFile {
    use gix::diff::index::ChangeRef as C;
    match change {
        C::Addition { location, .. } => file(location.as_ref(), None, ChangedKind::Added),
        C::Deletion { location, .. } => file(location.as_ref(), None, ChangedKind::Deleted),
        C::Modification { location, .. } => file(location.as_ref(), None, ChangedKind::Modified),
        C::Rewrite {
            source_location,
            location,
            copy,
            ..
        } => {
            if *copy {
                file(location.as_ref(), None, ChangedKind::Added)
            } else {
                file(
                    location.as_ref(),
                    Some(source_location.as_ref()),
                    ChangedKind::Renamed,
                )
            }
        }
    }
}

/// The work tree against `HEAD`: what is staged, then what the work tree changes besides, with
/// untracked files as added.
fn work_tree(repo: &gix::Repository) -> Result<Vec<ChangedFile>, crate::BoxError> {
    use gix::status::index_worktree::iter::Summary;
    let mut files = staged(repo)?;
    let status = repo
        .status(gix::progress::Discard)?
        .untracked_files(gix::status::UntrackedFiles::Files)
        .index_worktree_rewrites(None);
    for item in status.into_index_worktree_iter(Vec::new())? {
        let item = item?;
        let kind = match item.summary() {
            Some(Summary::Added | Summary::IntentToAdd | Summary::Copied) => ChangedKind::Added,
            Some(Summary::Removed) => ChangedKind::Deleted,
            Some(
                Summary::Modified | Summary::TypeChange | Summary::Conflict | Summary::Renamed,
            ) => ChangedKind::Modified,
            None => continue,
        };
        let path = escape_path(item.rela_path());
        // What is staged says more (an added file modified since is still added).
        if !files.iter().any(|f| f.path == path) {
            files.push(ChangedFile {
                path,
                old_path: None,
                kind,
            });
        }
    }
    Ok(files)
}
