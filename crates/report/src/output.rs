//! Writing output files and report folders without ever destroying what the user had.
//!
//! A report folder is written only where it cannot overwrite anything that is not a report: a
//! folder that does not exist yet, an empty one, or one holding an earlier cochange report
//! (recognised by its marker file, [`MARKER`], or, for reports written before the marker existed,
//! by a cochange `snapshot.json` beside nothing but report files). Never the current folder or
//! one above it, a git directory or anything inside one, or a work tree. The new report is
//! written into a temporary sibling and then swapped into place; of the old report, only the files
//! it wrote are removed. A folder where the user keeps files beside the report gets the report's
//! files one by one instead, so that the user's files never leave it.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The file in a report folder that lists the files the report wrote, so that a later run
/// replaces exactly those and nothing else.
pub const MARKER: &str = ".cochange-report";
/// Held locked inside a folder while it is being written; a folder whose lock can be taken was
/// left by a run that died, and is removed.
const WRITING: &str = ".cochange-writing";

/// Why output was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Writing there could destroy something that is not cochange's: nothing was written.
    #[error("refusing to write `{}`: {reason}", path.display())]
    Refused {
        /// The folder or file as given.
        path: PathBuf,
        /// What is there, in words.
        reason: String,
    },
    /// The file system failed (full disk, no permission).
    #[error("cannot write `{}`", path.display())]
    Io {
        /// The file or folder that could not be written.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
}

impl OutputError {
    fn io(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
        move |source| OutputError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Extensions of the files cochange writes: an existing file is replaced only when it has one
/// of them, so that a mistyped `--output` cannot overwrite a source file.
const OUTPUT_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "json", "md", "markdown", "txt", "text", "html", "htm", "svg", "dot", "gv",
    "graphml", "xml", "sarif", "out", "log", "bash", "zsh", "fish", "elv", "ps1", "1", "man",
];

/// Extensions of the files a report folder holds.
const REPORT_EXTENSIONS: &[&str] = &["html", "md", "json", "csv", "svg"];

/// Where one output file goes.
enum FileTarget {
    /// A regular file (existing or not, symbolic links resolved), replaced as a whole.
    Replace {
        path: PathBuf,
        existing: Option<fs::Metadata>,
    },
    /// A device, a pipe or a socket (`/dev/stdout`, a process substitution): written into.
    Stream(PathBuf),
}

/// Checks that one output file may be written to `path` (see [`write_file`]), before the work of
/// computing it; [`write_file`] checks again when it writes.
///
/// `inputs` are the files the command reads, each with the option that names it: an output that
/// is one of them is refused, and so is one whose changes git could not give back.
pub fn check_file(path: &Path, inputs: &[(&str, &Path)]) -> Result<(), OutputError> {
    checked_file(path)?;
    let refuse = |reason: String| OutputError::Refused {
        path: path.to_owned(),
        reason,
    };
    let canonical = |p: &Path| fs::canonicalize(p).ok();
    let output = canonical(path);
    if let Some((what, _)) = inputs
        .iter()
        .find(|(_, input)| output.is_some() && canonical(input) == output)
    {
        return Err(refuse(format!(
            "it is the file read as {what}; write the output elsewhere"
        )));
    }
    if cochange_analysis::has_uncommitted_changes(path) {
        return Err(refuse(
            "it has changes that are not committed; commit them or write the output elsewhere"
                .into(),
        ));
    }
    Ok(())
}

fn checked_file(path: &Path) -> Result<FileTarget, OutputError> {
    let refuse = |reason: String| OutputError::Refused {
        path: path.to_owned(),
        reason,
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => Some(meta),
        Err(_) if fs::symlink_metadata(path).is_ok() => {
            let target = fs::read_link(path).unwrap_or_default();
            return Err(refuse(format!(
                "it is a symbolic link to `{}`, which does not exist",
                target.display()
            )));
        }
        Err(_) => None,
    };
    let resolved = match &meta {
        Some(meta) if meta.is_dir() => {
            return Err(refuse(
                "it is a folder; give a file name (only `report` writes a folder)".into(),
            ));
        }
        Some(meta) if !meta.is_file() => return Ok(FileTarget::Stream(path.to_owned())),
        Some(_) => fs::canonicalize(path).map_err(OutputError::io(path))?,
        None => {
            let parent = parent_of(path);
            match fs::metadata(parent) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(refuse(format!(
                        "`{}` is a file, not a folder",
                        parent.display()
                    )));
                }
                Err(_) => {
                    return Err(refuse(format!(
                        "the folder `{}` does not exist",
                        parent.display()
                    )));
                }
            }
            fs::canonicalize(parent)
                .map_err(OutputError::io(parent))?
                .join(path.file_name().unwrap_or_default())
        }
    };
    if let Some(git_dir) = resolved.ancestors().skip(1).find(|a| is_git_dir(a)) {
        return Err(refuse(format!(
            "it is inside the git directory `{}`",
            git_dir.display()
        )));
    }
    if let Some(meta) = &meta {
        if meta.permissions().readonly() {
            return Err(refuse("the file is read-only".into()));
        }
        if !has_extension(&resolved, OUTPUT_EXTENSIONS) {
            return Err(refuse(format!(
                "it exists and is not a kind of file cochange writes (those end in .{}); remove it first or choose another name",
                OUTPUT_EXTENSIONS[..8].join(", .")
            )));
        }
    }
    Ok(FileTarget::Replace {
        path: resolved,
        existing: meta,
    })
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Writes one output file. A regular file is written to a temporary sibling first, which then
/// replaces it (through a symbolic link, the file it points to), so that a reader sees the old
/// content or the new, never a part; it keeps its permissions. A device or a pipe is written
/// into. Refused: a folder, a read-only file, a place inside a git directory, a missing folder,
/// and an existing file that is not of a kind cochange writes (see `OUTPUT_EXTENSIONS`).
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let (target, existing) = match checked_file(path)? {
        FileTarget::Stream(path) => {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(OutputError::io(&path))?;
            let mut out = io::BufWriter::new(file);
            write(&mut out).map_err(OutputError::io(&path))?;
            return out.flush().map_err(OutputError::io(&path));
        }
        FileTarget::Replace { path, existing } => (path, existing),
    };
    let parent = parent_of(&target);
    let name = file_name(&target);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.cochange-"))
        .tempfile_in(parent)
        .map_err(OutputError::io(path))?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        write(&mut out).map_err(OutputError::io(path))?;
        out.flush().map_err(OutputError::io(path))?;
    }
    if let Some(meta) = existing {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(OutputError::io(path))?;
    } else {
        // A temporary file is private (0600); a new output file gets the usual mode.
        set_default_mode(tmp.as_file()).map_err(OutputError::io(path))?;
    }
    tmp.as_file().sync_all().map_err(OutputError::io(path))?;
    tmp.persist(&target)
        .map_err(|err| OutputError::io(path)(err.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_default_mode(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_mode(_file: &File) -> io::Result<()> {
    Ok(())
}

/// The files of a report folder: names (no folders) and contents.
pub type Files = Vec<(String, Vec<u8>)>;

/// Writes `files` as the report folder `dir`, after checking that nothing but an earlier report
/// is there (see the module's documentation). Returns the names written, sorted.
pub fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<String>, OutputError> {
    let target = checked_target(dir)?;
    let parent = parent_of(&target.path).to_owned();
    let name = file_name(&target.path);
    fs::create_dir_all(&parent).map_err(OutputError::io(&parent))?;
    sweep_abandoned(&parent, &name);

    // The new report, complete, in a temporary sibling that is locked while it is written.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.cochange-new-"))
        .tempdir_in(&parent)
        .map_err(OutputError::io(&parent))?;
    let lock = File::create(staging.path().join(WRITING)).map_err(OutputError::io(&parent))?;
    lock.lock().map_err(OutputError::io(&parent))?;
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    for (file, data) in files {
        let path = staging.path().join(file);
        fs::write(&path, data).map_err(OutputError::io(&target.path.join(file)))?;
    }
    let marker = marker_text(&names);
    fs::write(staging.path().join(MARKER), marker)
        .map_err(OutputError::io(&target.path.join(MARKER)))?;

    match target.existing {
        None => {
            let staged = staging.keep();
            fs::rename(&staged, &target.path).map_err(|err| {
                let _ = fs::remove_dir_all(&staged);
                OutputError::io(&target.path)(err)
            })?;
        }
        Some(Existing { owned, foreign }) if foreign.is_empty() => {
            // Swap the folders, then empty the old one of what it held (all of it the report's).
            let staged = staging.keep();
            let old = swap_folders(&staged, &target.path, &parent, &name)?;
            remove_owned(&old, &owned);
            let _ = fs::remove_dir(&old);
        }
        Some(Existing { owned, .. }) => {
            // Files the user put beside the report stay: replace the report's files one by one.
            for file in &names {
                let to = target.path.join(file);
                fs::rename(staging.path().join(file), &to).map_err(OutputError::io(&to))?;
            }
            let stale: BTreeSet<&String> = owned
                .iter()
                .filter(|o| names.binary_search(o).is_err())
                .collect();
            for file in stale {
                let _ = fs::remove_file(target.path.join(file));
            }
            let to = target.path.join(MARKER);
            fs::rename(staging.path().join(MARKER), &to).map_err(OutputError::io(&to))?;
        }
    }
    drop(lock);
    let _ = fs::remove_file(target.path.join(WRITING));
    Ok(names)
}

/// Puts the folder `staged` in place of the folder `target` and returns where the old one went.
/// On Linux one `renameat2(RENAME_EXCHANGE)`: at every moment `target` is either the old report
/// or the new one. Elsewhere (or on file systems without it) two renames, with the old report put
/// back if the second fails.
fn swap_folders(
    staged: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
) -> Result<PathBuf, OutputError> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE).is_ok() {
            return Ok(staged.to_owned());
        }
    }
    let old = tempfile::Builder::new()
        .prefix(&format!(".{name}.cochange-old-"))
        .tempdir_in(parent)
        .map_err(OutputError::io(parent))?
        .keep();
    fs::remove_dir(&old).map_err(OutputError::io(&old))?;
    fs::rename(target, &old).map_err(OutputError::io(target))?;
    if let Err(err) = fs::rename(staged, target) {
        let _ = fs::rename(&old, target);
        let _ = fs::remove_dir_all(staged);
        return Err(OutputError::io(target)(err));
    }
    Ok(old)
}

/// Checks that a report may be written into `dir` (see [`write_folder`]), before the work of
/// building it; [`write_folder`] checks again when it writes.
pub fn check_folder(dir: &Path) -> Result<(), OutputError> {
    checked_target(dir).map(|_| ())
}

/// A checked place for the report.
struct Target {
    /// Absolute, with symbolic links resolved where the folder exists.
    path: PathBuf,
    /// What the folder holds, if it exists.
    existing: Option<Existing>,
}

/// An earlier report: the files it wrote and the entries somebody else put beside them.
struct Existing {
    owned: Vec<String>,
    foreign: Vec<String>,
}

fn checked_target(dir: &Path) -> Result<Target, OutputError> {
    let refuse = |reason: String| OutputError::Refused {
        path: dir.to_owned(),
        reason,
    };
    if !matches!(dir.components().next_back(), Some(Component::Normal(_))) {
        return Err(refuse(
            "it names the current folder, a parent folder or the root; give a folder for the report alone, such as `cochange-report`".into(),
        ));
    }
    let meta = fs::metadata(dir).ok();
    if meta.is_none() && fs::symlink_metadata(dir).is_ok() {
        let target = fs::read_link(dir).unwrap_or_default();
        return Err(refuse(format!(
            "it is a symbolic link to `{}`, which does not exist",
            target.display()
        )));
    }
    if meta.as_ref().is_some_and(|m| !m.is_dir()) {
        return Err(refuse(
            "it is a file, and a report is a folder; give the name of a new or empty folder".into(),
        ));
    }
    if meta.is_none() && has_extension(dir, REPORT_EXTENSIONS) {
        return Err(refuse(
            "it names a file, and a report is a folder (index.html, charts, tables and snapshot.json); give a folder name such as `cochange-report`".into(),
        ));
    }
    let path = if meta.is_some() {
        fs::canonicalize(dir).map_err(OutputError::io(dir))?
    } else {
        absolute_beyond_existing(dir).map_err(OutputError::io(dir))?
    };
    for ancestor in path.ancestors() {
        if is_git_dir(ancestor) {
            return Err(refuse(format!(
                "it is inside the git directory `{}`",
                ancestor.display()
            )));
        }
    }
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
        && cwd.starts_with(&path)
    {
        return Err(refuse(format!(
            "it holds the current folder `{}`",
            cwd.display()
        )));
    }
    if meta.is_none() {
        return Ok(Target {
            path,
            existing: None,
        });
    }
    let entries = entry_names(&path).map_err(OutputError::io(&path))?;
    if entries.iter().any(|e| e == ".git") {
        return Err(refuse("it is a git work tree".into()));
    }
    let existing = if let Some(owned) = read_marker(&path) {
        let foreign = entries
            .iter()
            .filter(|e| *e != MARKER && *e != WRITING && !owned.contains(e))
            .cloned()
            .collect();
        Existing { owned, foreign }
    } else if entries.is_empty() || is_unmarked_report(&path, &entries) {
        Existing {
            owned: entries,
            foreign: Vec::new(),
        }
    } else {
        let shown: Vec<String> = entries.iter().take(3).map(|e| format!("`{e}`")).collect();
        let more = entries.len().saturating_sub(shown.len());
        return Err(refuse(format!(
            "it is not empty and is not an earlier cochange report (it holds {}{}); choose a new or empty folder",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )));
    };
    Ok(Target {
        path,
        existing: Some(existing),
    })
}

/// `path` made absolute, with links resolved in the part of it that exists.
fn absolute_beyond_existing(path: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut rest = Vec::new();
    let mut base = absolute.as_path();
    while fs::metadata(base).is_err() {
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                base = parent;
            }
            _ => break,
        }
    }
    let mut resolved = fs::canonicalize(base)?;
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

/// A git directory: `HEAD`, `objects/` and `refs/` (a bare repository or a `.git` folder), or a
/// linked work tree's git folder (`commondir`).
fn is_git_dir(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == ".git")
        || (path.join("HEAD").is_file()
            && path.join("objects").is_dir()
            && path.join("refs").is_dir())
        || (path.join("HEAD").is_file() && path.join("commondir").is_file())
}

fn entry_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

fn marker_text(names: &[String]) -> String {
    let doc = serde_json::json!({
        "written_by": "cochange",
        "version": env!("CARGO_PKG_VERSION"),
        "files": names,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The files an earlier report wrote, from its marker; `None` without a readable marker.
fn read_marker(dir: &Path) -> Option<Vec<String>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    if doc["written_by"] != "cochange" {
        return None;
    }
    let files = doc["files"].as_array()?;
    Some(
        files
            .iter()
            .filter_map(serde_json::Value::as_str)
            // Only plain names of report files: a marker cannot make cochange remove files
            // outside the folder, or files of another kind.
            .filter(|n| is_plain_name(n) && has_extension(Path::new(n), REPORT_EXTENSIONS))
            .map(str::to_owned)
            .collect(),
    )
}

fn is_plain_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!(parts.next(), Some(Component::Normal(_))) && parts.next().is_none()
}

/// A report written before the marker existed: a cochange `snapshot.json` and nothing but the
/// kinds of file a report writes.
fn is_unmarked_report(dir: &Path, entries: &[String]) -> bool {
    let is_report_file = |name: &String| {
        let plain = fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file());
        plain && has_extension(Path::new(name), REPORT_EXTENSIONS)
    };
    let snapshot = fs::read_to_string(dir.join("snapshot.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|doc| doc.get("schema_version").is_some() && doc.get("analyses").is_some());
    snapshot && entries.iter().all(is_report_file)
}

fn remove_owned(dir: &Path, owned: &[String]) {
    for file in owned.iter().map(String::as_str).chain([MARKER, WRITING]) {
        let _ = fs::remove_file(dir.join(file));
    }
}

/// Removes temporary folders of earlier runs for this report that died before finishing: their
/// lock file is free (or was never made). Best effort.
fn sweep_abandoned(parent: &Path, name: &str) {
    let prefixes = [
        format!(".{name}.cochange-new-"),
        format!(".{name}.cochange-old-"),
    ];
    for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        if !prefixes.iter().any(|p| entry_name.starts_with(p)) {
            continue;
        }
        let path = entry.path();
        let abandoned = match File::open(path.join(WRITING)) {
            Ok(lock) => lock.try_lock().is_ok(),
            Err(_) => true,
        };
        if abandoned {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        vec![
            ("index.html".into(), b"<html/>".to_vec()),
            ("report.md".into(), b"# r".to_vec()),
        ]
    }

    #[test]
    fn a_new_folder_gets_the_files_and_the_marker() -> Result<(), OutputError> {
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let dir = tmp.path().join("out");
        let names = write_folder(&dir, &files())?;
        assert_eq!(names, ["index.html", "report.md"]);
        assert_eq!(
            entry_names(&dir).ok(),
            Some(vec![
                MARKER.to_owned(),
                "index.html".to_owned(),
                "report.md".to_owned()
            ])
        );
        assert_eq!(read_marker(&dir), Some(names));
        assert_eq!(entry_names(tmp.path()).ok(), Some(vec!["out".to_owned()]));
        Ok(())
    }

    #[test]
    fn a_folder_with_other_files_is_refused_and_left_as_it_was() -> Result<(), OutputError> {
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let dir = tmp.path().join("notes");
        fs::create_dir(&dir).map_err(OutputError::io(&dir))?;
        fs::write(dir.join("todo.txt"), "keep").map_err(OutputError::io(&dir))?;
        let err = write_folder(&dir, &files()).err();
        assert!(
            matches!(&err, Some(OutputError::Refused { reason, .. }) if reason.contains("`todo.txt`")),
            "{err:?}"
        );
        assert_eq!(entry_names(&dir).ok(), Some(vec!["todo.txt".to_owned()]));
        assert_eq!(entry_names(tmp.path()).ok(), Some(vec!["notes".to_owned()]));
        Ok(())
    }

    #[test]
    fn a_second_report_replaces_only_the_files_of_the_first() -> Result<(), OutputError> {
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let dir = tmp.path().join("out");
        write_folder(
            &dir,
            &[
                ("index.html".into(), b"old".to_vec()),
                ("gone.csv".into(), b"old".to_vec()),
            ],
        )?;
        fs::write(dir.join("mine.txt"), "user").map_err(OutputError::io(&dir))?;
        write_folder(&dir, &files())?;
        assert_eq!(
            entry_names(&dir).ok(),
            Some(vec![
                MARKER.to_owned(),
                "index.html".to_owned(),
                "mine.txt".to_owned(),
                "report.md".to_owned()
            ])
        );
        assert_eq!(
            fs::read(dir.join("index.html")).ok(),
            Some(b"<html/>".to_vec())
        );
        assert_eq!(fs::read(dir.join("mine.txt")).ok(), Some(b"user".to_vec()));
        assert_eq!(entry_names(tmp.path()).ok(), Some(vec!["out".to_owned()]));
        Ok(())
    }

    #[test]
    fn git_directories_and_work_trees_are_refused() -> Result<(), OutputError> {
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let tree = tmp.path().join("tree");
        let git = tree.join(".git");
        fs::create_dir_all(git.join("objects")).map_err(OutputError::io(&git))?;
        fs::create_dir_all(git.join("refs")).map_err(OutputError::io(&git))?;
        fs::write(git.join("HEAD"), "ref: refs/heads/main\n").map_err(OutputError::io(&git))?;
        for dir in [tree.clone(), git.clone(), git.join("reports")] {
            let err = write_folder(&dir, &files()).err();
            assert!(
                matches!(err, Some(OutputError::Refused { .. })),
                "{}: {err:?}",
                dir.display()
            );
        }
        assert!(!git.join("reports").exists());
        Ok(())
    }

    #[test]
    fn the_current_and_parent_folders_are_refused() {
        for dir in [".", "..", "a/..", "/"] {
            let err = write_folder(Path::new(dir), &files()).err();
            assert!(
                matches!(err, Some(OutputError::Refused { .. })),
                "{dir}: {err:?}"
            );
        }
    }

    #[test]
    fn a_new_folder_named_like_a_file_is_refused() -> Result<(), OutputError> {
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let err = write_folder(&tmp.path().join("report.html"), &files()).err();
        assert!(matches!(err, Some(OutputError::Refused { .. })), "{err:?}");
        assert_eq!(entry_names(tmp.path()).ok(), Some(Vec::new()));
        write_folder(&tmp.path().join("report-2026.12"), &files())?;
        Ok(())
    }

    #[test]
    fn an_abandoned_temporary_folder_is_swept() -> Result<(), OutputError> {
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let left = tmp.path().join(".out.cochange-new-abc123");
        fs::create_dir(&left).map_err(OutputError::io(&left))?;
        fs::write(left.join(WRITING), "").map_err(OutputError::io(&left))?;
        write_folder(&tmp.path().join("out"), &files())?;
        assert_eq!(entry_names(tmp.path()).ok(), Some(vec!["out".to_owned()]));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_single_file_keeps_its_mode_and_a_read_only_one_is_refused() -> Result<(), OutputError> {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().map_err(OutputError::io(Path::new("tmp")))?;
        let file = tmp.path().join("out.csv");
        let mode = |file: &Path| {
            fs::metadata(file)
                .map(|m| m.permissions().mode() & 0o777)
                .ok()
        };
        fs::write(&file, "old").map_err(OutputError::io(&file))?;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640))
            .map_err(OutputError::io(&file))?;
        write_file(&file, |out| out.write_all(b"new"))?;
        assert_eq!(fs::read(&file).ok(), Some(b"new".to_vec()));
        assert_eq!(mode(&file), Some(0o640));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o444))
            .map_err(OutputError::io(&file))?;
        let err = write_file(&file, |out| out.write_all(b"newer")).err();
        assert!(matches!(err, Some(OutputError::Refused { .. })), "{err:?}");
        assert_eq!(fs::read(&file).ok(), Some(b"new".to_vec()));
        assert_eq!(
            entry_names(tmp.path()).ok(),
            Some(vec!["out.csv".to_owned()])
        );
        Ok(())
    }
}
