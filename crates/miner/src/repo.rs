//! Opening the repository read-only and finding where the walk starts.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::{Error, Selection};

/// Pack delta-base cache per thread, unless the repository configures one. The default of gix is
/// sized for checkouts; long walks over history resolve the same delta chains again and again.
const PACK_CACHE: &str = "256m";

/// Finds the repository at or above `path` and opens it for reading.
pub(crate) fn open(path: &Path) -> Result<gix::Repository, Error> {
    let mut repo = gix::discover(path).map_err(|err| match sha256_repository(path) {
        Some(root) => Error::Sha256 { path: root },
        None => Error::NotARepository {
            path: path.to_owned(),
            source: Box::new(err),
        },
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

/// The repository at or above `path` if it declares `extensions.objectFormat = sha256`, which
/// this build (SHA-1 only) cannot open: it deserves its own message, not "not a repository".
fn sha256_repository(path: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(path).ok()?;
    start.ancestors().find_map(|dir| {
        [dir.join(".git").join("config"), dir.join("config")]
            .iter()
            .filter_map(|config| std::fs::read_to_string(config).ok())
            .any(|text| {
                text.lines().any(|line| {
                    let line = line.trim().to_ascii_lowercase().replace(' ', "");
                    line == "objectformat=sha256"
                })
            })
            .then(|| dir.to_owned())
    })
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

/// A short name for the `repo` column: the last part of the `origin` remote's URL, else the
/// work tree's folder, else the git dir's folder without `.git` (a bare clone in a folder named
/// `repo` or `.git` takes its parent folder's name).
pub(crate) fn display_name(repo: &gix::Repository) -> String {
    remote_name(repo).unwrap_or_else(|| folder_name(repo))
}

fn remote_name(repo: &gix::Repository) -> Option<String> {
    let url = repo.config_snapshot().string("remote.origin.url")?;
    let url = url.to_string();
    let last = url
        .trim_end_matches('/')
        .rsplit(['/', '\\', ':'])
        .next()?
        .to_owned();
    let name = strip_suffixes(&last);
    (!name.is_empty()).then(|| name.to_owned())
}

fn folder_name(repo: &gix::Repository) -> String {
    let dir = repo.workdir().map_or_else(|| identity(repo), absolute);
    let generic = |name: &str| matches!(name, "" | "repo" | "repository" | ".git");
    let mut names = dir
        .ancestors()
        .filter_map(|d| d.file_name())
        .map(|n| strip_suffixes(&n.to_string_lossy()).to_owned());
    let first = names.next().unwrap_or_default();
    if !generic(&first) {
        return first;
    }
    names
        .find(|n| !generic(n))
        .unwrap_or_else(|| "repo".to_owned())
}

fn strip_suffixes(name: &str) -> &str {
    let name = name.strip_suffix(".git").unwrap_or(name);
    name.strip_suffix(".bundle").unwrap_or(name)
}

/// What identifies a repository before it is mined: its git dir (two paths into the same
/// repository have the same one) and its default name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The git dir, absolute.
    pub git_dir: PathBuf,
    /// The name used in the `repo` column unless the caller gives one.
    pub name: String,
    /// The name of the folder that holds the repository, to tell apart two of the same name.
    pub parent: String,
}

/// The identity of the repository at or above `path`.
pub fn identify(path: &Path) -> Result<Identity, Error> {
    let repo = open(path)?;
    let top = repo.workdir().map_or_else(|| identity(&repo), absolute);
    let parent = top
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Identity {
        git_dir: identity(&repo),
        name: display_name(&repo),
        parent,
    })
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

/// Whether the repository has a non-empty `info/grafts` file.
pub(crate) fn has_grafts(repo: &gix::Repository) -> bool {
    std::fs::metadata(repo.common_dir().join("info").join("grafts")).is_ok_and(|m| m.len() > 0)
}

/// The replace refs in force (`refs/replace/*` and their targets), as a fingerprint; empty when
/// there are none or replacements are turned off (`GIT_NO_REPLACE_OBJECTS`,
/// `core.useReplaceRefs = false`).
pub(crate) fn replace_refs_fingerprint(repo: &gix::Repository) -> Result<String, Error> {
    let off = std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_some()
        || repo.config_snapshot().boolean("core.useReplaceRefs") == Some(false);
    if off {
        return Ok(String::new());
    }
    let error = |err: Box<dyn std::error::Error + Send + Sync>| Error::Repository {
        path: absolute(repo.git_dir()),
        source: err,
    };
    let platform = repo.references().map_err(|e| error(Box::new(e)))?;
    let mut refs = Vec::new();
    for reference in platform
        .prefixed("refs/replace/")
        .map_err(|e| error(Box::new(e)))?
    {
        let reference = reference.map_err(|e| error(Box::new(e)))?;
        refs.push(format!(
            "{} {:?}",
            reference.name().as_bstr(),
            reference.target()
        ));
    }
    refs.sort();
    Ok(fingerprint(refs))
}

/// A short, stable fingerprint of some lines (FNV-1a, hex); empty for no lines.
pub(crate) fn fingerprint(lines: impl IntoIterator<Item = String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut any = false;
    for line in lines {
        any = true;
        for b in line.bytes().chain([b'\n']) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    if any {
        format!("{hash:016x}")
    } else {
        String::new()
    }
}

/// The work tree of the repository at or above `path`, if it has one (not for bare ones).
pub fn work_tree(path: &Path) -> Option<PathBuf> {
    let repo = gix::discover(path).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// Whether the existing file `path` lies in a git work tree, is part of its `HEAD` commit, and
/// holds content that `HEAD` does not (changes git could not give back if the file were
/// overwritten). `false` when any of that cannot be told.
pub fn has_uncommitted_changes(path: &Path) -> bool {
    let Ok(file) = std::fs::canonicalize(path) else {
        return false;
    };
    let Some(folder) = file.parent() else {
        return false;
    };
    let Ok(repo) = gix::discover(folder) else {
        return false;
    };
    let Some(root) = repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()) else {
        return false;
    };
    let Ok(relative) = file.strip_prefix(&root) else {
        return false;
    };
    let Some(relative) = relative.to_str().map(|r| r.replace('\\', "/")) else {
        return false;
    };
    let Ok(tree) = repo
        .head_commit()
        .map_err(|_| ())
        .and_then(|c| c.tree().map_err(|_| ()))
    else {
        return false;
    };
    let Ok(Some(entry)) = tree.lookup_entry_by_path(&relative) else {
        return false;
    };
    let Ok(content) = std::fs::read(&file) else {
        return false;
    };
    gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, &content)
        .is_ok_and(|id| id != entry.object_id())
}

/// The folder of the repository at or above `repo` (its work tree, else its git directory) that
/// holds `dir`, if one does; `dir` need not exist yet.
pub fn repository_holding(repo: &Path, dir: &Path) -> Option<PathBuf> {
    let found = gix::discover(repo).ok()?;
    let dir = canonical_beyond_existing(dir)?;
    let folders = [
        found.workdir().map(Path::to_path_buf),
        Some(found.git_dir().to_path_buf()),
        Some(found.common_dir().to_path_buf()),
    ];
    folders
        .into_iter()
        .flatten()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .find(|folder| dir.starts_with(folder))
}

/// `path` made absolute with links resolved in the part of it that exists.
fn canonical_beyond_existing(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut rest = Vec::new();
    let mut base = absolute.as_path();
    while std::fs::symlink_metadata(base).is_err() {
        rest.push(base.file_name()?.to_owned());
        base = base.parent()?;
    }
    let mut resolved = std::fs::canonicalize(base).ok()?;
    resolved.extend(rest.iter().rev());
    Some(resolved)
}
