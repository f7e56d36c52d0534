//! The files of one revision, read from its tree and blobs: no checkout, bare repositories too.

use std::path::Path;
use std::sync::Mutex;

use gix::ObjectId;

use crate::{Error, repo};

/// The regular files of a revision, each measured by the caller's function.
#[derive(Debug, Clone)]
pub struct Snapshot<T> {
    /// The commit the files were read at, 40 hex digits.
    pub commit: String,
    /// Files the caller wanted, in path order, with their measure (`None`: the blob is missing,
    /// as in blobless clones).
    pub files: Vec<(String, Option<T>)>,
    /// The blob id of each of `files`, in the same order, 40 hex digits.
    pub blobs: Vec<String>,
    /// Regular files the caller did not want (`wanted` said no).
    pub skipped: usize,
    /// Every regular file of the revision, wanted or not, in path order.
    pub paths: Vec<String>,
    /// Ids of missing blobs, for the warning.
    pub missing: Vec<String>,
}

/// Reads every regular file (not symlinks or submodules) of `rev` (HEAD when `None`) in the
/// repository at or above `path`. Files whose (escaped) path `wanted` accepts are read and passed,
/// with that path, to `measure`, on `threads` threads (0: one per core).
///
/// # Panics
///
/// Only if `measure` panics.
pub fn read_snapshot<T: Send>(
    path: &Path,
    rev: Option<&str>,
    threads: usize,
    wanted: impl Fn(&str) -> bool + Sync,
    measure: impl Fn(&str, &[u8]) -> T + Sync,
) -> Result<Snapshot<T>, Error> {
    read_snapshot_reusing(path, rev, threads, wanted, |_, _| None, measure)
}

/// [`read_snapshot`], except that a file for which `reuse` (given its path and blob id) has a
/// measure already is not read: a caller that keeps measures by blob id reads only new blobs.
///
/// # Panics
///
/// Only if `reuse` or `measure` panics.
pub fn read_snapshot_reusing<T: Send>(
    path: &Path,
    rev: Option<&str>,
    threads: usize,
    wanted: impl Fn(&str) -> bool + Sync,
    reuse: impl Fn(&str, &str) -> Option<T> + Sync,
    measure: impl Fn(&str, &[u8]) -> T + Sync,
) -> Result<Snapshot<T>, Error> {
    let repo = repo::open(path)?;
    let (commit, all) = regular_files(&repo, rev)?;
    let paths: Vec<String> = all.iter().map(|(p, _)| p.clone()).collect();
    let mut entries: Vec<(String, ObjectId)> = Vec::new();
    let mut skipped = 0;
    for (path, id) in all {
        if wanted(&path) {
            entries.push((path, id));
        } else {
            skipped += 1;
        }
    }
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        threads
    };
    let chunk = entries.len().div_ceil(threads).max(1);
    let results: Mutex<Vec<(usize, Option<T>)>> = Mutex::new(Vec::with_capacity(entries.len()));
    let safe = repo.clone().into_sync();
    std::thread::scope(|scope| -> Result<(), Error> {
        let mut workers = Vec::new();
        for (n, part) in entries.chunks(chunk).enumerate() {
            let (safe, results, measure, reuse) = (&safe, &results, &measure, &reuse);
            let worker = std::thread::Builder::new()
                .spawn_scoped(scope, move || -> Result<(), Error> {
                    let mut repo = safe.to_thread_local();
                    repo::configure_caches(&mut repo);
                    let mut buf = Vec::new();
                    let mut local = Vec::with_capacity(part.len());
                    for (i, (path, id)) in part.iter().enumerate() {
                        let value = match reuse(path, &id.to_string()) {
                            Some(value) => Some(value),
                            None => crate::diff::read_blob(&repo.objects, id, &mut buf)?
                                .then(|| measure(path, &buf)),
                        };
                        local.push((n * chunk + i, value));
                    }
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .extend(local);
                    Ok(())
                })
                .map_err(|source| Error::Threads { threads, source })?;
            workers.push(worker);
        }
        for worker in workers {
            worker.join().expect("snapshot workers do not panic")?;
        }
        Ok(())
    })?;
    let mut measured = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    measured.sort_by_key(|(i, _)| *i);
    let mut missing = Vec::new();
    let blobs = entries.iter().map(|(_, id)| id.to_string()).collect();
    let files = entries
        .into_iter()
        .zip(measured)
        .map(|((path, id), (_, value))| {
            if value.is_none() {
                missing.push(id.to_string());
            }
            (path, value)
        })
        .collect();
    Ok(Snapshot {
        commit,
        files,
        blobs,
        skipped,
        paths,
        missing,
    })
}

/// The commit id of `rev` and its regular files (not symlinks or submodules) with their blob
/// ids, in path order.
fn regular_files(
    repo: &gix::Repository,
    rev: Option<&str>,
) -> Result<(String, Vec<(String, ObjectId)>), Error> {
    let commit = repo::commit_of(repo, rev.unwrap_or("HEAD"))?;
    let tree = commit.tree().map_err(|err| Error::Object {
        kind: "tree",
        id: commit.id.to_string(),
        source: Box::new(err),
    })?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|err| Error::Object {
            kind: "tree",
            id: tree.id.to_string(),
            source: Box::new(err),
        })?;
    let mut files: Vec<(String, ObjectId)> = recorder
        .records
        .into_iter()
        .filter(|entry| entry.mode.is_blob())
        .map(|entry| (crate::escape_path(&entry.filepath), entry.oid))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((commit.id.to_string(), files))
}
