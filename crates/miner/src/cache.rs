//! The incremental cache: Parquet parts plus a `meta.json` that names them.
//!
//! A cache folder holds `meta.json`, the part files it lists and a `lock` file. Each run that
//! mines new commits adds one part (so a re-run costs in proportion to the new commits); past
//! [`MAX_PARTS`] the parts are merged into one. `meta.json` is replaced by rename only after its
//! parts are completely written, so an interrupted run leaves the previous cache as it was.
//!
//! The cache is trusted only when everything that shapes the mined rows is what it was when the
//! cache was written: this version and format, the repository, the mining options, and git's
//! view of the history ([`View`]: the shallow boundary, replace refs, the `.mailmap`). Each part's
//! size, row count and CRC-32 are checked on load. Anything that does not check out makes the
//! caller rebuild the cache, saying why. Writers hold an advisory lock on `lock` from loading to
//! writing, so two runs on one cache take turns instead of racing; temporary files have unique
//! names, and those left by a run that died are removed by the next one.

use std::fs::{self, File};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MineOptions;
use crate::table::check_stored_schema;

/// Bumped whenever the stored columns, `meta.json` or their meaning change.
const FORMAT: u32 = 4;
const META: &str = "meta.json";
/// The line origins of one commit (docs/architecture.md, *The cache*), replaced by each run that
/// computes them.
const ORIGINS: &str = "origins.parquet";
/// The non-blank lines per file and origin that the origins give at their commit, so that a run
/// on the same commit reads no blob.
const ORIGIN_COUNTS: &str = "origin-counts.parquet";
const LOCK: &str = "lock";
/// Side tables that analyses keep in the cache start with this (see [`Cache::read_side_table`]).
const SIDE_PREFIX: &str = "side-";
/// Temporary files of writers start with this (then the final name and a random suffix).
pub(crate) const TMP_PREFIX: &str = ".tmp-";
/// More parts than this are merged into one, to keep loading fast.
const MAX_PARTS: usize = 16;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Meta {
    format: u32,
    tool_version: String,
    repository: PathBuf,
    options: MineOptions,
    view: View,
    /// Blobs that were missing when their commits were mined (their line counts are null): a
    /// later run warns about them again, and rebuilds once any of them has arrived.
    missing_blobs: Vec<String>,
    parts: Vec<Part>,
    /// The stored line origins, if a run computed them.
    #[serde(default)]
    origins: Option<OriginsFile>,
}

/// The stored line origins: of which commit, and the file's size, rows and checksum.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct OriginsFile {
    commit: String,
    rows: usize,
    bytes: u64,
    crc32: u32,
    /// `origin-counts.parquet`, once a run counted the lines of this commit's files.
    #[serde(default)]
    counts: Option<PartFile>,
}

/// The three stored tables: commits, changes (with their hunks) and the rows of merges against
/// their parents.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stored {
    pub commits: DataFrame,
    pub changes: DataFrame,
    pub merges: DataFrame,
}

impl Stored {
    /// Moves the tables out, leaving empty ones.
    pub(crate) fn take(&mut self) -> Stored {
        std::mem::take(self)
    }
}

/// What git shows of the history besides the commits themselves; when any of it changes, rows
/// mined earlier may be wrong even though the commit ids are the same.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct View {
    /// The shallow boundary (commits whose parents are missing), hashed; empty when not shallow.
    pub shallow: String,
    /// Replace refs in force (`git replace`), hashed; empty when there are none.
    pub replace: String,
    /// The canonical identities of the `.mailmap`, hashed; empty without one.
    pub mailmap: String,
}

impl View {
    /// Why `self` (the cache's) differs from `now` (the repository's), in words.
    fn difference(&self, now: &View) -> Option<String> {
        let mut what = Vec::new();
        if self.shallow != now.shallow {
            what.push(
                "the shallow boundary moved (a fetch with `--deepen`, `--depth` or `--unshallow`?)",
            );
        }
        if self.replace != now.replace {
            what.push("replace refs (`git replace`) changed");
        }
        if self.mailmap != now.mailmap {
            what.push("the `.mailmap` changed");
        }
        (!what.is_empty()).then(|| what.join("; "))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Part {
    id: u64,
    /// Rows, bytes and CRC-32 of the commits, changes and merges files, in that order.
    files: [PartFile; 3],
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
struct PartFile {
    rows: usize,
    bytes: u64,
    crc32: u32,
}

/// The tables of a part, in the order of [`Part::files`].
const TABLES: [&str; 3] = ["commits", "changes", "merges"];

impl Part {
    fn file_name(&self, table: usize) -> String {
        format!("{}-{:06}.parquet", TABLES[table], self.id)
    }
}

/// A cache folder for one repository and one set of [`MineOptions`].
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    repository: PathBuf,
    options: MineOptions,
    view: View,
    missing_blobs: Vec<String>,
    parts: Vec<Part>,
    origins: Option<OriginsFile>,
    /// Held from [`Cache::lock`] until the cache is dropped.
    lock: Option<File>,
}

/// What loading found.
pub(crate) enum Loaded {
    /// No cache yet.
    Missing,
    /// A usable cache with its tables and the blobs that were missing.
    Found(Stored, Vec<String>),
    /// A cache that must not be trusted, and why: it is rebuilt.
    Unusable(String),
    /// The cache folder cannot be used at all (it is a file, or unreadable), and why: the run
    /// goes on without a cache.
    Inaccessible(String),
}

impl Cache {
    /// The cache folder for `repository` (its canonical git dir) below `root`.
    pub(crate) fn new(
        root: &Path,
        repository: &Path,
        name: &str,
        options: MineOptions,
        view: View,
    ) -> Self {
        let key = format!(
            "{}-{:016x}",
            sanitize(name),
            fnv1a(repository.to_string_lossy().as_bytes())
        );
        let flavour = format!(
            "{}{}{}",
            if options.first_parent {
                "first-parent"
            } else {
                "all-parents"
            },
            if options.renames {
                "-renames"
            } else {
                "-no-renames"
            },
            if options.line_counts {
                "-lines"
            } else {
                "-no-lines"
            },
        );
        Cache {
            dir: root.join(key).join(flavour),
            repository: repository.to_owned(),
            options,
            view,
            missing_blobs: Vec::new(),
            parts: Vec::new(),
            origins: None,
            lock: None,
        }
    }

    /// Takes the cache's advisory lock, waiting while another run holds it (`waiting` is called
    /// first then), and removes temporary files that runs which died left behind. A cache folder
    /// that cannot be created or locked (a read-only disk) is read without the lock.
    pub(crate) fn lock(&mut self, waiting: impl FnOnce()) -> Result<(), String> {
        if let Some(reason) = self.inaccessible() {
            return Err(reason);
        }
        let file = fs::create_dir_all(&self.dir)
            .and_then(|()| {
                fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(self.dir.join(LOCK))
            })
            .ok();
        if let Some(file) = file {
            if file.try_lock().is_err() {
                waiting();
                if file.lock().is_err() {
                    return Ok(());
                }
            }
            self.lock = Some(file);
            self.sweep_temporaries();
        }
        Ok(())
    }

    /// Why the cache folder cannot be a folder: a file where it or a folder above it should be.
    fn inaccessible(&self) -> Option<String> {
        self.dir.ancestors().find_map(|dir| {
            let meta = fs::metadata(dir).ok()?;
            (!meta.is_dir()).then(|| format!("`{}` is a file, not a folder", dir.display()))
        })
    }

    /// With the lock held, every temporary file is a leftover.
    fn sweep_temporaries(&self) {
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let old_style = Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tmp"));
            if name.starts_with(TMP_PREFIX) || old_style {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Records blobs found missing in this run; they are stored with the next write.
    pub(crate) fn add_missing_blobs(&mut self, ids: impl IntoIterator<Item = String>) {
        self.missing_blobs.extend(ids);
        self.missing_blobs.sort_unstable();
        self.missing_blobs.dedup();
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The side table `name`: the file `side-NAME-CRC.parquet` whose bytes have the CRC-32 its
    /// name gives (a damaged or half-written file is not read).
    pub(crate) fn read_side_table(&self, name: &str) -> Option<DataFrame> {
        let prefix = format!("{SIDE_PREFIX}{name}-");
        fs::read_dir(&self.dir)
            .ok()?
            .flatten()
            .find_map(|entry| {
                let file = entry.file_name().to_string_lossy().into_owned();
                let crc = file.strip_prefix(&prefix)?.strip_suffix(".parquet")?;
                let crc = u32::from_str_radix(crc, 16).ok()?;
                let data = fs::read(entry.path()).ok()?;
                (crc32fast::hash(&data) == crc).then_some(data)
            })
            .and_then(|data| ParquetReader::new(Cursor::new(data)).finish().ok())
    }

    /// Stores `df` as the side table `name`, then removes the one stored before.
    pub(crate) fn store_side_table(&self, name: &str, df: &mut DataFrame) -> std::io::Result<()> {
        let mut data = Vec::new();
        ParquetWriter::new(&mut data)
            .finish(df)
            .map_err(std::io::Error::other)?;
        let prefix = format!("{SIDE_PREFIX}{name}-");
        let file = format!("{prefix}{:08x}.parquet", crc32fast::hash(&data));
        write_atomically(&self.dir.join(&file), &data)?;
        for entry in fs::read_dir(&self.dir)?.flatten() {
            let other = entry.file_name().to_string_lossy().into_owned();
            if other.starts_with(&prefix) && other != file {
                // Best effort: an old side table left behind costs disk space, not truth.
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Whether a cache made by this version for this repository and these options is there
    /// (without reading its tables; [`Cache::load`] still checks them).
    pub(crate) fn is_present(&self) -> bool {
        fs::read_to_string(self.dir.join(META))
            .ok()
            .and_then(|text| serde_json::from_str::<Meta>(&text).ok())
            .is_some_and(|meta| {
                meta.format == FORMAT
                    && meta.tool_version == env!("CARGO_PKG_VERSION")
                    && meta.repository == self.repository
                    && meta.options == self.options
            })
    }

    /// Reads the cache, checking everything that could make it wrong for this repository.
    /// `arrived` tells whether a blob recorded as missing is in the repository now.
    pub(crate) fn load(&mut self, arrived: impl Fn(&str) -> bool) -> Loaded {
        if let Some(reason) = self.inaccessible() {
            return Loaded::Inaccessible(reason);
        }
        let meta_path = self.dir.join(META);
        let text = match fs::read_to_string(&meta_path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
            Err(err) => {
                return Loaded::Inaccessible(format!(
                    "cannot read `{}`: {err}",
                    meta_path.display()
                ));
            }
        };
        let meta: Meta = match serde_json::from_str(&text) {
            Ok(meta) => meta,
            Err(err) => {
                return Loaded::Unusable(format!("`{}` is not valid: {err}", meta_path.display()));
            }
        };
        if meta.format != FORMAT || meta.tool_version != env!("CARGO_PKG_VERSION") {
            return Loaded::Unusable(format!(
                "it was written by cochange {} (cache format {}), this is {} (format {FORMAT})",
                meta.tool_version,
                meta.format,
                env!("CARGO_PKG_VERSION")
            ));
        }
        if meta.repository != self.repository || meta.options != self.options {
            return Loaded::Unusable(
                "it was made for another repository or other mining options".into(),
            );
        }
        if let Some(reason) = meta.view.difference(&self.view) {
            return Loaded::Unusable(reason);
        }
        let arrived_count = meta.missing_blobs.iter().filter(|id| arrived(id)).count();
        if arrived_count > 0 {
            return Loaded::Unusable(format!(
                "{arrived_count} blob(s) that were missing when it was written are in the repository now"
            ));
        }
        match self.read_parts(&meta.parts) {
            Ok(stored) => {
                self.parts = meta.parts;
                self.origins = meta.origins;
                self.missing_blobs.clone_from(&meta.missing_blobs);
                Loaded::Found(stored, meta.missing_blobs)
            }
            Err(reason) => Loaded::Unusable(reason),
        }
    }

    fn read_parts(&self, parts: &[Part]) -> Result<Stored, String> {
        let mut tables: [Option<DataFrame>; 3] = [None, None, None];
        for part in parts {
            let mut read = Vec::with_capacity(3);
            for (table, file) in part.files.iter().enumerate() {
                read.push(self.read_file(&part.file_name(table), *file)?);
            }
            check_stored_schema(&read[0], &read[1], &read[2])?;
            for (acc, df) in tables.iter_mut().zip(read) {
                match acc {
                    Some(acc) => {
                        acc.vstack_mut_owned(df).map_err(|e| e.to_string())?;
                    }
                    None => *acc = Some(df),
                }
            }
        }
        match tables {
            [Some(mut commits), Some(mut changes), Some(mut merges)] => {
                commits.rechunk_mut();
                changes.rechunk_mut();
                merges.rechunk_mut();
                Ok(Stored {
                    commits,
                    changes,
                    merges,
                })
            }
            _ => Err("it lists no parts".into()),
        }
    }

    fn read_file(&self, name: &str, expected: PartFile) -> Result<DataFrame, String> {
        let PartFile { rows, bytes, crc32 } = expected;
        let path = self.dir.join(name);
        let data =
            fs::read(&path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
        if data.len() as u64 != bytes {
            return Err(format!(
                "`{}` has {} bytes, expected {bytes}",
                path.display(),
                data.len()
            ));
        }
        // Sizes and row counts survive damage inside a data page; the checksum does not.
        if crc32fast::hash(&data) != crc32 {
            return Err(format!(
                "`{}` is damaged (its checksum does not match)",
                path.display()
            ));
        }
        let df = ParquetReader::new(Cursor::new(data))
            .finish()
            .map_err(|err| format!("`{}` is not readable: {err}", path.display()))?;
        if df.height() != rows {
            return Err(format!(
                "`{}` has {} rows, expected {rows}",
                path.display(),
                df.height()
            ));
        }
        Ok(df)
    }

    /// Replaces whatever was cached with `all` (a new or rebuilt cache).
    pub(crate) fn append_all(&mut self, all: &Stored) -> std::io::Result<()> {
        self.parts.clear();
        self.write_parts(&mut all.clone())
    }

    /// Adds the newly mined rows as a new part. `all` are the complete tables after this append,
    /// written as the only part instead when there would be too many.
    pub(crate) fn append(&mut self, new: &mut Stored, all: &Stored) -> std::io::Result<()> {
        if new.commits.height() == 0 {
            return Ok(());
        }
        if self.parts.len() + 1 > MAX_PARTS {
            self.parts.clear();
            return self.write_parts(&mut all.clone());
        }
        self.write_parts(new)
    }

    /// Writes one more part and the `meta.json` that lists it.
    fn write_parts(&mut self, tables: &mut Stored) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let id = self.next_part_id();
        let mut part = Part {
            id,
            files: [PartFile::default(); 3],
        };
        let frames = [&mut tables.commits, &mut tables.changes, &mut tables.merges];
        for (table, df) in frames.into_iter().enumerate() {
            let (bytes, crc32) = self.write_parquet(&part.file_name(table), df)?;
            part.files[table] = PartFile {
                rows: df.height(),
                bytes,
                crc32,
            };
        }
        self.parts.push(part);
        self.write_meta()?;
        self.remove_unlisted_parts();
        Ok(())
    }

    fn write_meta(&self) -> std::io::Result<()> {
        let meta = Meta {
            format: FORMAT,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            repository: self.repository.clone(),
            options: self.options,
            view: self.view.clone(),
            missing_blobs: self.missing_blobs.clone(),
            parts: self.parts.clone(),
            origins: self.origins.clone(),
        };
        let text = serde_json::to_string_pretty(&meta).map_err(std::io::Error::other)?;
        write_atomically(&self.dir.join(META), text.as_bytes())
    }

    /// The stored line origins and the commit they are of, if there are any and they check out.
    pub(crate) fn origins(&self) -> Option<(String, DataFrame)> {
        let file = self.origins.as_ref()?;
        let expected = PartFile {
            rows: file.rows,
            bytes: file.bytes,
            crc32: file.crc32,
        };
        let df = self.read_file(ORIGINS, expected).ok()?;
        Some((file.commit.clone(), df))
    }

    /// Stores the line origins of `commit`, replacing any stored before (and their counts). Only
    /// for a cache whose tables are written (`meta.json` lists them).
    pub(crate) fn store_origins(
        &mut self,
        commit: &str,
        df: &mut DataFrame,
    ) -> std::io::Result<()> {
        if self.parts.is_empty() {
            return Ok(());
        }
        let (bytes, crc32) = self.write_parquet(ORIGINS, df)?;
        self.origins = Some(OriginsFile {
            commit: commit.to_owned(),
            rows: df.height(),
            bytes,
            crc32,
            counts: None,
        });
        self.write_meta()
    }

    /// The stored line counts of the origins of `commit`, if there are any and they check out.
    pub(crate) fn origin_counts(&self, commit: &str) -> Option<DataFrame> {
        let counts = self
            .origins
            .as_ref()
            .filter(|o| o.commit == commit)?
            .counts?;
        self.read_file(ORIGIN_COUNTS, counts).ok()
    }

    /// Stores the line counts of the origins of `commit`, which must be the stored origins'.
    pub(crate) fn store_origin_counts(
        &mut self,
        commit: &str,
        df: &mut DataFrame,
    ) -> std::io::Result<()> {
        if self.origins.as_ref().is_none_or(|o| o.commit != commit) {
            return Ok(());
        }
        let (bytes, crc32) = self.write_parquet(ORIGIN_COUNTS, df)?;
        if let Some(origins) = &mut self.origins {
            origins.counts = Some(PartFile {
                rows: df.height(),
                bytes,
                crc32,
            });
        }
        self.write_meta()
    }

    fn next_part_id(&self) -> u64 {
        let listed = self.parts.iter().map(|p| p.id).max().unwrap_or(0);
        // Files of an interrupted run may exist with higher ids; step over them.
        let on_disk = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| part_id(&e.file_name().to_string_lossy()))
            .max()
            .unwrap_or(0);
        listed.max(on_disk) + 1
    }

    /// Writes one part file; returns its size and CRC-32.
    fn write_parquet(&self, name: &str, df: &mut DataFrame) -> std::io::Result<(u64, u32)> {
        let mut data = Vec::new();
        ParquetWriter::new(&mut data)
            .finish(df)
            .map_err(std::io::Error::other)?;
        write_atomically(&self.dir.join(name), &data)?;
        Ok((data.len() as u64, crc32fast::hash(&data)))
    }

    fn remove_unlisted_parts(&self) {
        let listed: Vec<u64> = self.parts.iter().map(|p| p.id).collect();
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = part_id(&name).is_some_and(|id| !listed.contains(&id));
            if stale {
                // Best effort: a leftover file costs disk space, never correctness.
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn part_id(file_name: &str) -> Option<u64> {
    let stem = file_name.strip_suffix(".parquet")?;
    let digits = TABLES
        .iter()
        .find_map(|table| stem.strip_prefix(table)?.strip_prefix('-'))?;
    digits.parse().ok()
}

/// Writes `path` so that readers see either the old or the new content, never a part of it,
/// through a temporary file of a unique name beside it.
pub(crate) fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TMP_PREFIX}{name}-"))
        .tempfile_in(dir)?;
    tmp.write_all(data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A stable 64-bit hash (FNV-1a) for folder names; not for security.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
