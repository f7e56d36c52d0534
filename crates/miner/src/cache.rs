//! The incremental cache (SPEC §3.3): Parquet parts plus a `meta.json` that names them.
//!
//! A cache folder holds `meta.json` and the part files it lists. Each run that mines new commits
//! adds one part (so a re-run costs in proportion to the new commits); past [`MAX_PARTS`] the
//! parts are merged into one. `meta.json` is replaced by rename only after its parts are
//! completely written, so an interrupted run leaves the previous cache as it was. Anything that
//! does not check out (other version, other options, missing or truncated part, row counts that
//! differ) makes the caller rebuild the cache.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MineOptions;
use crate::table::check_stored_schema;

/// Bumped whenever the stored columns or their meaning change.
const FORMAT: u32 = 1;
const META: &str = "meta.json";
/// More parts than this are merged into one, to keep loading fast.
const MAX_PARTS: usize = 16;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Meta {
    format: u32,
    tool_version: String,
    repository: PathBuf,
    options: MineOptions,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Part {
    id: u64,
    commits_rows: usize,
    changes_rows: usize,
    commits_bytes: u64,
    changes_bytes: u64,
}

impl Part {
    fn commits_file(&self) -> String {
        format!("commits-{:06}.parquet", self.id)
    }
    fn changes_file(&self) -> String {
        format!("changes-{:06}.parquet", self.id)
    }
}

/// A cache folder for one repository and one set of [`MineOptions`].
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    repository: PathBuf,
    options: MineOptions,
    parts: Vec<Part>,
}

/// What loading found.
pub(crate) enum Loaded {
    /// No cache yet.
    Missing,
    /// A usable cache with its tables (commits, changes).
    Found(DataFrame, DataFrame),
    /// A cache that must not be trusted, and why.
    Unusable(String),
}

impl Cache {
    /// The cache folder for `repository` (its canonical git dir) below `root`.
    pub(crate) fn new(root: &Path, repository: &Path, name: &str, options: MineOptions) -> Self {
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
            parts: Vec::new(),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
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
    pub(crate) fn load(&mut self) -> Loaded {
        let meta_path = self.dir.join(META);
        let text = match fs::read_to_string(&meta_path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
            Err(err) => {
                return Loaded::Unusable(format!("cannot read `{}`: {err}", meta_path.display()));
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
        match self.read_parts(&meta.parts) {
            Ok((commits, changes)) => {
                self.parts = meta.parts;
                Loaded::Found(commits, changes)
            }
            Err(reason) => Loaded::Unusable(reason),
        }
    }

    fn read_parts(&self, parts: &[Part]) -> Result<(DataFrame, DataFrame), String> {
        let mut commits: Option<DataFrame> = None;
        let mut changes: Option<DataFrame> = None;
        for part in parts {
            let c = self.read_file(&part.commits_file(), part.commits_bytes, part.commits_rows)?;
            let x = self.read_file(&part.changes_file(), part.changes_bytes, part.changes_rows)?;
            check_stored_schema(&c, &x)?;
            for (acc, df) in [(&mut commits, c), (&mut changes, x)] {
                match acc {
                    Some(acc) => {
                        acc.vstack_mut_owned(df).map_err(|e| e.to_string())?;
                    }
                    None => *acc = Some(df),
                }
            }
        }
        match (commits, changes) {
            (Some(mut commits), Some(mut changes)) => {
                commits.rechunk_mut();
                changes.rechunk_mut();
                Ok((commits, changes))
            }
            _ => Err("it lists no parts".into()),
        }
    }

    fn read_file(&self, name: &str, bytes: u64, rows: usize) -> Result<DataFrame, String> {
        let path = self.dir.join(name);
        let file =
            File::open(&path).map_err(|err| format!("cannot open `{}`: {err}", path.display()))?;
        let size = file.metadata().map_or(0, |m| m.len());
        if size != bytes {
            return Err(format!(
                "`{}` has {size} bytes, expected {bytes}",
                path.display()
            ));
        }
        let df = ParquetReader::new(file)
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

    /// Replaces whatever was cached with `commits` and `changes` (a new or rebuilt cache).
    pub(crate) fn append_all(
        &mut self,
        commits: &DataFrame,
        changes: &DataFrame,
    ) -> std::io::Result<()> {
        self.parts.clear();
        self.write_parts(&mut commits.clone(), &mut changes.clone())
    }

    /// Adds the newly mined rows as a new part. `all` are the complete tables after this append,
    /// written as the only part instead when there would be too many.
    pub(crate) fn append(
        &mut self,
        new_commits: &mut DataFrame,
        new_changes: &mut DataFrame,
        all: (&DataFrame, &DataFrame),
    ) -> std::io::Result<()> {
        if new_commits.height() == 0 {
            return Ok(());
        }
        if self.parts.len() + 1 > MAX_PARTS {
            self.parts.clear();
            return self.write_parts(&mut all.0.clone(), &mut all.1.clone());
        }
        self.write_parts(new_commits, new_changes)
    }

    /// Writes one more part and the `meta.json` that lists it.
    fn write_parts(
        &mut self,
        commits: &mut DataFrame,
        changes: &mut DataFrame,
    ) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let id = self.next_part_id();
        let part = self.write_part(id, commits, changes)?;
        self.parts.push(part);
        let meta = Meta {
            format: FORMAT,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            repository: self.repository.clone(),
            options: self.options,
            parts: self.parts.clone(),
        };
        let text = serde_json::to_string_pretty(&meta).map_err(std::io::Error::other)?;
        write_atomically(&self.dir.join(META), text.as_bytes())?;
        self.remove_unlisted_parts();
        Ok(())
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

    fn write_part(
        &self,
        id: u64,
        commits: &mut DataFrame,
        changes: &mut DataFrame,
    ) -> std::io::Result<Part> {
        let mut part = Part {
            id,
            commits_rows: commits.height(),
            changes_rows: changes.height(),
            commits_bytes: 0,
            changes_bytes: 0,
        };
        part.commits_bytes = self.write_parquet(&part.commits_file(), commits)?;
        part.changes_bytes = self.write_parquet(&part.changes_file(), changes)?;
        Ok(part)
    }

    fn write_parquet(&self, name: &str, df: &mut DataFrame) -> std::io::Result<u64> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!("{name}.tmp"));
        let mut file = File::create(&tmp)?;
        ParquetWriter::new(&mut file)
            .finish(df)
            .map_err(std::io::Error::other)?;
        file.sync_all()?;
        let bytes = file.metadata()?.len();
        fs::rename(&tmp, &path)?;
        Ok(bytes)
    }

    fn remove_unlisted_parts(&self) {
        let listed: Vec<u64> = self.parts.iter().map(|p| p.id).collect();
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = part_id(&name).is_some_and(|id| !listed.contains(&id))
                || Path::new(&name)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("tmp"));
            if stale {
                // Best effort: a leftover file costs disk space, never correctness.
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn part_id(file_name: &str) -> Option<u64> {
    let stem = file_name.strip_suffix(".parquet")?;
    let digits = stem
        .strip_prefix("commits-")
        .or_else(|| stem.strip_prefix("changes-"))?;
    digits.parse().ok()
}

/// Writes `path` so that readers see either the old or the new content, never a part of it.
pub(crate) fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(data)?;
    file.sync_all()?;
    fs::rename(&tmp, path)
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
