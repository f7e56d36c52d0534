//! Opening the repository read-only and finding where the walk starts.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::{Error, Selection};

/// Pack delta-base cache per thread, unless the repository configures one. The default of gix is
/// sized for checkouts; long walks over history resolve the same delta chains again and again.
const PACK_CACHE: &str = "256m";

/// Finds the repository at or above `path` and opens it for reading.
pub(crate) fn open(path: &Path) -> Result<gix::Repository, Error> {
    let mut repo = gix::discover(path).map_err(|err| Error::NotARepository {
        path: path.to_owned(),
        source: Box::new(err),
    })?;
    let configured = repo
        .config_snapshot()
        .string("core.deltaBaseCacheLimit")
        .is_some()
        || std::env::var_os("GIX_PACK_CACHE_MEMORY").is_some();
    if !configured {
        let mut config = repo.config_snapshot_mut();
        // Only the in-memory configuration of this handle changes; nothing is written.
        let set = config.set_raw_value("core.deltaBaseCacheLimit", PACK_CACHE);
        if set.is_ok() {
            config.commit().map_err(|err| Error::Repository {
                path: path.to_owned(),
                source: Box::new(err),
            })?;
        }
    }
    configure_caches(&mut repo);
    Ok(repo)
}

/// Turns off the decoded-object cache of a handle. Measured on 100 000 commits it cost a fifth
/// more CPU than it saved: copying every tree into it is dearer than decoding the few that repeat,
/// given the pack's delta-base cache. Handles made for other threads get their caches from the
/// configuration, so every worker calls this on its own.
pub(crate) fn configure_caches(repo: &mut gix::Repository) {
    repo.object_cache_size(None);
}

/// A handle for reading commits only. Commits are rarely stored as deltas, so it gets a small
/// pack cache: the large one the tree diffs need would only cost memory (and the time to zero it).
pub(crate) fn commit_reader(repo: &gix::Repository) -> gix::Repository {
    let mut reader = repo.clone();
    reader
        .objects
        .set_pack_cache(|| Box::<gix::odb::pack::cache::lru::StaticLinkedList<64>>::default());
    reader
}

/// The folder that identifies the repository: its git dir, made absolute.
pub(crate) fn identity(repo: &gix::Repository) -> PathBuf {
    absolute(repo.git_dir())
}

/// A short name for the `repo` column: the work tree's folder, or the git dir's without `.git`.
pub(crate) fn display_name(repo: &gix::Repository) -> String {
    let dir = repo.workdir().map_or_else(|| identity(repo), absolute);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".git").unwrap_or(&name);
    if name.is_empty() {
        "repo".to_owned()
    } else {
        name.to_owned()
    }
}

/// The commits the walk starts from, deduplicated and sorted for a stable cache key.
pub(crate) fn tips(repo: &gix::Repository, selection: &Selection) -> Result<Vec<ObjectId>, Error> {
    let path = || absolute(repo.git_dir());
    let mut tips = Vec::new();
    if selection.all {
        let platform = repo.references().map_err(|err| Error::Repository {
            path: path(),
            source: Box::new(err),
        })?;
        let refs = platform.all().map_err(|err| Error::Repository {
            path: path(),
            source: Box::new(err),
        })?;
        for reference in refs {
            let mut reference = reference.map_err(|err| Error::Repository {
                path: path(),
                source: Box::new(err),
            })?;
            // Tags may point at trees or blobs; only commits start a walk.
            if let Ok(id) = reference.peel_to_commit().map(|c| c.id) {
                tips.push(id);
            }
        }
        if let Ok(id) = repo.head_id() {
            tips.push(id.detach());
        }
        if tips.is_empty() {
            return Err(head_error(repo).unwrap_or(Error::NoReferences { path: path() }));
        }
    }
    for rev in &selection.revs {
        tips.push(commit_of(repo, rev)?.id);
    }
    if !selection.all && selection.revs.is_empty() {
        match repo.head_id() {
            Ok(id) => tips.push(id.detach()),
            Err(err) => {
                return Err(head_error(repo).unwrap_or_else(|| Error::Revision {
                    rev: "HEAD".into(),
                    source: Box::new(err),
                }));
            }
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// The commit `rev` names (a branch, tag, id or expression such as `HEAD~3`).
pub(crate) fn commit_of<'repo>(
    repo: &'repo gix::Repository,
    rev: &str,
) -> Result<gix::Commit<'repo>, Error> {
    let error = |err: Box<dyn std::error::Error + Send + Sync>| Error::Revision {
        rev: rev.to_owned(),
        source: err,
    };
    repo.rev_parse_single(rev)
        .map_err(|e| error(Box::new(e)))?
        .object()
        .map_err(|e| error(Box::new(e)))?
        .peel_to_commit()
        .map_err(|e| error(Box::new(e)))
}

fn head_error(repo: &gix::Repository) -> Option<Error> {
    match repo.head() {
        Ok(head) if head.is_unborn() => Some(Error::UnbornHead {
            path: absolute(repo.workdir().unwrap_or(repo.git_dir())),
        }),
        _ => None,
    }
}

/// `path` made absolute for messages, as it was if that fails.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

/// The graft commits of a shallow clone, whose parents are not in the repository.
pub(crate) fn shallow_boundary(repo: &gix::Repository) -> Result<Vec<ObjectId>, Error> {
    let commits = repo.shallow_commits().map_err(|err| Error::Repository {
        path: repo.git_dir().to_owned(),
        source: Box::new(err),
    })?;
    Ok(commits
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default())
}
