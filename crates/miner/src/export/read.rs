//! Reading an export back: from a local folder, or (with the `object-store` feature) from an
//! object-store URL. Every file is checked against the size and checksum its state recorded.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::store_url::{Store, is_url, store_of, url_meant};
use super::{Exported, SCHEMA_VERSION, STATE_DIR, State, column, table};
use crate::table::col;
use crate::{Error, Tag};

/// The files of an export, named by their path below its root (`_cochange/flask.json`).
pub(super) trait ExportFiles {
    /// The names of the files directly in `_cochange`; an error says why they cannot be listed.
    fn state_files(&self) -> Result<Vec<String>, String>;
    /// The bytes of one file.
    fn read(&self, relative: &str) -> Result<Vec<u8>, String>;
    /// Where `relative` is, for messages (the root itself for `""`).
    fn locate(&self, relative: &str) -> PathBuf;
    /// Fetches these files at once ahead of their reads, where each read is a round trip; stops
    /// at the first that cannot be fetched and returns it with the reason.
    fn prefetch(&self, _relatives: &[String]) -> Result<(), Unfetched> {
        Ok(())
    }
}

/// An export in a local folder.
pub(super) struct Folder<'a>(pub(super) &'a Path);

impl ExportFiles for Folder<'_> {
    fn state_files(&self) -> Result<Vec<String>, String> {
        let entries = std::fs::read_dir(self.0.join(STATE_DIR)).map_err(|e| e.to_string())?;
        Ok(entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    }

    fn read(&self, relative: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.locate(relative)).map_err(|e| e.to_string())
    }

    fn locate(&self, relative: &str) -> PathBuf {
        if relative.is_empty() {
            self.0.to_path_buf()
        } else {
            self.0.join(relative)
        }
    }
}

/// The files of the export at `location`, a folder or a URL.
fn open(location: &Path) -> Result<Box<dyn ExportFiles + '_>, Error> {
    let missing = || Error::Export {
        path: location.to_path_buf(),
        reason: "does not exist, or is not a folder".into(),
    };
    if !is_url(location) {
        if let Some(url) = url_meant(location).filter(|_| !location.exists()) {
            return Err(Error::ExportUrl {
                url: location.display().to_string(),
                reason: format!("is no folder here, and a URL needs its slashes: `{url}`"),
            });
        }
        if !location.is_dir() {
            return Err(missing());
        }
        return Ok(Box::new(Folder(location)));
    }
    let text = location.to_str().unwrap_or_default();
    let not_usable = |reason: String| Error::ExportUrl {
        url: text.to_owned(),
        reason,
    };
    let (url, store) = store_of(text).map_err(not_usable)?;
    if cfg!(feature = "object-store")
        && store == Store::Local
        && !url.to_file_path().is_ok_and(|path| path.is_dir())
    {
        return Err(missing());
    }
    open_url(text, &url, store).map_err(not_usable)
}

#[cfg(feature = "object-store")]
fn open_url(
    text: &str,
    url: &url::Url,
    store: Store,
) -> Result<Box<dyn ExportFiles + 'static>, String> {
    Ok(Box::new(super::remote::Remote::open(text, url, store)?))
}

#[cfg(not(feature = "object-store"))]
fn open_url(
    _text: &str,
    url: &url::Url,
    store: Store,
) -> Result<Box<dyn ExportFiles + 'static>, String> {
    Err(match store {
        Store::Local => format!(
            "is a file URL, which only a cochange built with the `object-store` feature reads: give the folder's path (`{}`)",
            url.to_file_path().unwrap_or_default().display()
        ),
        Store::S3 | Store::Gcs | Store::Azure => {
            "is an object store, and this cochange reads exported tables from local folders only: \
             install one built with the `object-store` feature \
             (`cargo install --locked cochange --features object-store`), or copy the export \
             to a folder (`aws s3 sync URL DIR`, `gsutil rsync`, `azcopy sync`) and give that"
                .into()
        }
    })
}

/// A file that prefetching could not fetch.
pub(super) struct Unfetched {
    /// Its path below the export's root.
    pub relative: String,
    /// Why, in words.
    pub reason: String,
}

/// The part files of one table, each checked against its recorded size and checksum, as one frame.
pub(super) fn read_parts(
    files: &dyn ExportFiles,
    state: &State,
    name: &str,
) -> Result<DataFrame, Error> {
    let mut all: Option<DataFrame> = None;
    for part in state.parts.get(name).into_iter().flatten() {
        let relative = part_file(name, &state.repo, &part.file);
        let damaged = |reason: String| export_error(files, &relative, reason);
        let data = read_file(files, &relative)?;
        if data.len() as u64 != part.bytes || crc32fast::hash(&data) != part.crc32 {
            return Err(damaged(format!(
                "does not match what `{STATE_DIR}/{}.json` recorded (changed or damaged since it was exported): export again",
                state.repo
            )));
        }
        let df = ParquetReader::new(Cursor::new(data))
            .finish()
            .map_err(|e| damaged(format!("is not a readable Parquet file: {e}")))?;
        match all.as_mut() {
            None => all = Some(df),
            Some(all) => {
                all.vstack_mut(&df)?;
            }
        }
    }
    Ok(all.unwrap_or_default())
}

/// The repositories exported at `location` (all of them when `only` is empty, else those it
/// names), by name, with their history windowed to author times in `window` (`since`, `until`).
///
/// `location` is a local folder or, with the `object-store` feature, an object-store URL
/// (`s3://`, `gs://`, `az://`, `https://`, `file://`), whose credentials come from the environment.
pub fn read_export(
    location: &Path,
    only: &[String],
    window: (Option<i64>, Option<i64>),
) -> Result<Vec<Exported>, Error> {
    let files = open(location)?;
    let not_export = |reason: String| Error::Export {
        path: location.to_path_buf(),
        reason,
    };
    let no_state = || {
        not_export(if is_url(location) {
            format!(
                "holds no export (nothing below `{STATE_DIR}/`): give the prefix the export folder was copied to"
            )
        } else {
            format!(
                "is not a folder of exported tables (it has no `{STATE_DIR}` folder): write one with `cochange export --output DIR`"
            )
        })
    };
    let listed = match files.state_files() {
        Ok(listed) => listed,
        Err(_) if !is_url(location) => return Err(no_state()),
        Err(reason) => return Err(not_export(format!("cannot be listed: {reason}"))),
    };
    // An object store has no empty folders: nothing listed means no `_cochange`.
    if listed.is_empty() && is_url(location) {
        return Err(no_state());
    }
    let mut names = state_names(&listed);
    names.sort();
    if names.is_empty() {
        return Err(not_export("holds no exported repository".into()));
    }
    if let Some(missing) = only.iter().find(|n| !names.contains(n)) {
        return Err(Error::NotExported {
            path: location.to_path_buf(),
            name: missing.clone(),
            held: names.join(", "),
        });
    }
    names.retain(|n| only.is_empty() || only.contains(n));
    let unreadable = |unfetched: Unfetched| {
        let reason = format!("cannot be read: {}", unfetched.reason);
        export_error(files.as_ref(), &unfetched.relative, reason)
    };
    let state_files: Vec<String> = names.iter().map(|n| state_file(n)).collect();
    files.prefetch(&state_files).map_err(unreadable)?;
    let states = names
        .iter()
        .map(|name| read_state(files.as_ref(), name))
        .collect::<Result<Vec<State>, Error>>()?;
    // One repository's files at a time: a store's round trips overlap, and memory holds one
    // repository's bytes beside the tables read so far, as a folder's reading does.
    states
        .into_iter()
        .map(|state| {
            let parts: Vec<String> = state
                .parts
                .iter()
                .flat_map(|(table, parts)| {
                    parts
                        .iter()
                        .map(|part| part_file(table, &state.repo, &part.file))
                })
                .collect();
            files.prefetch(&parts).map_err(unreadable)?;
            read_repository(files.as_ref(), &state, window)
        })
        .collect()
}

/// The repositories whose states `files` (names in `_cochange`) hold: `NAME.json` where `NAME`
/// can name a partition.
pub(super) fn state_names(files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter_map(|file| file.strip_suffix(".json"))
        .filter(|name| super::valid_partition_name(name))
        .map(str::to_owned)
        .collect()
}

fn state_file(repo: &str) -> String {
    format!("{STATE_DIR}/{repo}.json")
}

/// What is wrong with the export file at `relative`, naming it where it is.
fn export_error(files: &dyn ExportFiles, relative: &str, reason: String) -> Error {
    Error::Export {
        path: files.locate(relative),
        reason,
    }
}

/// The bytes of the export file at `relative`, or an error naming it.
fn read_file(files: &dyn ExportFiles, relative: &str) -> Result<Vec<u8>, Error> {
    files
        .read(relative)
        .map_err(|e| export_error(files, relative, format!("cannot be read: {e}")))
}

fn part_file(table: &str, repo: &str, file: &str) -> String {
    format!("{}/{file}", super::partition_name(table, repo))
}

/// The state of the exported repository `name`, if this cochange reads its schema.
pub(super) fn read_state(files: &dyn ExportFiles, name: &str) -> Result<State, Error> {
    let relative = state_file(name);
    let bad = |reason: String| export_error(files, &relative, reason);
    let bytes = read_file(files, &relative)?;
    let state: State =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("does not read: {e}")))?;
    if state.schema > SCHEMA_VERSION {
        return Err(bad(format!(
            "was written by a newer cochange (schema version {}; this one reads {SCHEMA_VERSION}): read it with that version",
            state.schema
        )));
    }
    if state.schema < SCHEMA_VERSION {
        return Err(bad(format!(
            "follows the older schema version {} (this cochange reads {SCHEMA_VERSION}): export again, which replaces it",
            state.schema
        )));
    }
    Ok(state)
}

fn read_repository(
    files: &dyn ExportFiles,
    state: &State,
    window: (Option<i64>, Option<i64>),
) -> Result<Exported, Error> {
    // Tables cochange does not read back are checked too, since other engines read them.
    for name in [table::PEOPLE, table::ENTITIES] {
        read_parts(files, state, name)?;
    }
    let commits = read_parts(files, state, table::COMMITS)?;
    let mut changes = read_parts(files, state, table::CHANGES)?;
    for name in [col::ADDED, col::DELETED] {
        if let Ok(signed) = changes.column(name) {
            let unsigned = signed.cast(&DataType::UInt32)?;
            changes.replace(name, unsigned)?;
        }
    }
    let tables = crate::tables_from_rows(
        &commits,
        &changes,
        &state.repo,
        state.options.first_parent,
        window,
    )?;
    let tag_rows = read_parts(files, state, table::TAGS)?;
    let mut tags = Vec::with_capacity(tag_rows.height());
    if tag_rows.height() > 0 {
        let name = tag_rows.column(column::NAME)?.str()?;
        let commit = tag_rows.column(col::COMMIT)?.str()?;
        let annotated = tag_rows.column(column::ANNOTATED)?.bool()?;
        let time = tag_rows.column(column::TIME)?.i64()?;
        for i in 0..tag_rows.height() {
            tags.push(Tag {
                name: name.get(i).unwrap_or_default().to_owned(),
                commit: commit.get(i).unwrap_or_default().to_owned(),
                annotated: annotated.get(i).unwrap_or_default(),
                time: time.get(i).unwrap_or_default(),
            });
        }
    }
    Ok(Exported {
        repo: state.repo.clone(),
        options: state.options,
        head: state.head.clone(),
        tables,
        tags,
        files: read_parts(files, state, table::FILES)?,
    })
}
