//! Which commit last added each line of a file at one revision, through gix's blame.

use std::path::Path;
use std::sync::Mutex;

use gix::bstr::ByteSlice;

use crate::{Error, repo};

/// The non-blank lines of one file, counted per commit that last added them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlamedFile {
    /// The (escaped) path.
    pub path: String,
    /// Commit id (40 hex digits) → non-blank lines it last added, in order of first appearance.
    pub lines: Vec<(String, u32)>,
}

/// What blame made of a list of files, each list in path order.
#[derive(Debug, Default)]
pub struct Blamed {
    /// The files blamed.
    pub files: Vec<BlamedFile>,
    /// Binary files (a NUL in the first 8000 bytes, git's test), which have no lines to blame.
    pub binary: Vec<String>,
    /// Files that could not be blamed, and why.
    pub failed: Vec<(String, String)>,
}

/// Blames `files` at `rev` (HEAD when `None`) on `threads` threads (0: one per core), telling
/// `progress` of each file done.
pub fn blame_files(
    path: &Path,
    rev: Option<&str>,
    files: &[String],
    threads: usize,
    progress: &dyn crate::Progress,
) -> Result<Blamed, Error> {
    progress.phase("blaming files", Some(files.len() as u64));
    let repo = repo::open(path)?;
    let (commit, tree) = {
        let rev = rev.unwrap_or("HEAD");
        let commit = repo::commit_of(&repo, rev)?;
        let tree = commit.tree_id().map_err(|err| Error::Revision {
            rev: rev.to_owned(),
            source: Box::new(err),
        })?;
        (commit.id, tree.detach())
    };
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        threads
    };
    let blamed = Mutex::new(Vec::new());
    let binary = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let safe = repo.into_sync();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let repo = safe.to_thread_local();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    progress.inc(1);
                    let raw =
                        crate::unescape_path(file).unwrap_or_else(|| file.as_bytes().to_vec());
                    if is_binary_at(&repo, tree, &raw) {
                        lock(&binary).push(file.clone());
                        continue;
                    }
                    // gix's blame checks its own work with assertions in debug builds, and
                    // some files fail them: that file goes unblamed, the others go on.
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        repo.blame_file(
                            raw.as_bstr(),
                            commit,
                            gix::repository::blame_file::Options::default(),
                        )
                        .map_err(|err| err.to_string())
                    }))
                    .unwrap_or_else(|_| Err("gix's blame failed on this file".to_owned()));
                    match result {
                        Ok(outcome) => {
                            let text: Vec<&[u8]> = outcome.blob.lines().collect();
                            let mut lines: Vec<(String, u32)> = Vec::new();
                            for entry in &outcome.entries {
                                let start = entry.start_in_blamed_file as usize;
                                let end = start + entry.len.get() as usize;
                                let non_blank = text
                                    .get(start..end.min(text.len()))
                                    .unwrap_or_default()
                                    .iter()
                                    .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
                                    .count() as u32;
                                if non_blank == 0 {
                                    continue;
                                }
                                let id = entry.commit_id.to_string();
                                match lines.iter_mut().find(|(c, _)| *c == id) {
                                    Some(slot) => slot.1 += non_blank,
                                    None => lines.push((id, non_blank)),
                                }
                            }
                            lock(&blamed).push(BlamedFile {
                                path: file.clone(),
                                lines,
                            });
                        }
                        Err(err) => lock(&failed).push((file.clone(), err)),
                    }
                }
            });
        }
    });
    let mut blamed = Blamed {
        files: into_inner(blamed),
        binary: into_inner(binary),
        failed: into_inner(failed),
    };
    blamed.files.sort_by(|a, b| a.path.cmp(&b.path));
    blamed.binary.sort();
    blamed.failed.sort();
    Ok(blamed)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn into_inner<T>(mutex: Mutex<T>) -> T {
    mutex
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether the blob at `path` in `tree` is binary; `false` when it cannot be read (blame will
/// say why).
fn is_binary_at(repo: &gix::Repository, tree: gix::ObjectId, path: &[u8]) -> bool {
    let Ok(tree) = repo.find_tree(tree) else {
        return false;
    };
    let Ok(Some(entry)) = tree.lookup_entry_by_path(path.to_str_lossy().as_ref()) else {
        return false;
    };
    repo.find_blob(entry.object_id())
        .is_ok_and(|blob| crate::content::is_binary(&blob.data))
}
