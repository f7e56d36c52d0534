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

/// A file that could not be blamed, and why.
pub type Unblamed = (String, String);

/// Blames `files` at `rev` (HEAD when `None`) on `threads` threads (0: one per core), telling
/// `progress` of each file done. Files that cannot be blamed (binary, missing objects) are
/// returned apart, with the reason.
pub fn blame_files(
    path: &Path,
    rev: Option<&str>,
    files: &[String],
    threads: usize,
    progress: &dyn crate::Progress,
) -> Result<(Vec<BlamedFile>, Vec<Unblamed>), Error> {
    progress.phase("blaming files", Some(files.len() as u64));
    let repo = repo::open(path)?;
    let commit = repo::commit_of(&repo, rev.unwrap_or("HEAD"))?.id;
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        threads
    };
    let blamed = Mutex::new(Vec::new());
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
                    let result = repo.blame_file(
                        raw.as_bstr(),
                        commit,
                        gix::repository::blame_file::Options::default(),
                    );
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
                            blamed
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .push(BlamedFile {
                                    path: file.clone(),
                                    lines,
                                });
                        }
                        Err(err) => failed
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push((file.clone(), err.to_string())),
                    }
                }
            });
        }
    });
    let mut blamed = blamed
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    blamed.sort_by(|a, b| a.path.cmp(&b.path));
    let mut failed = failed
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    failed.sort();
    Ok((blamed, failed))
}
