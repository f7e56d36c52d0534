//! The exported tables (docs/schema.md): the mined history as Parquet files that other engines
//! read, one folder per table and repository (`commits/repo=NAME/part-000001.parquet`).
//!
//! Each repository's state is `_cochange/NAME.json`: the schema version, the mining options and
//! every part file with its size and CRC-32. Commits, changes and people grow by one part per
//! export that found new commits; entities, tags and files describe the exported head and are
//! replaced. Parts are written first and the state last (both by rename), and parts the state does
//! not list are removed after it is written, so an interrupted export leaves the previous one
//! readable. Engines that read the folders directly (DuckDB, Spark) skip `_cochange`, as they skip
//! every name starting with `_`.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{TMP_PREFIX, write_atomically};
use crate::table::col;
use crate::{Error, MineOptions, Tables, Tag};

mod read;
#[cfg(feature = "object-store")]
mod remote;
mod store_url;

pub use read::read_export;
pub use store_url::is_url;

/// The version of docs/schema.md the files follow; bumped when a column is added, removed or
/// changes meaning.
pub const SCHEMA_VERSION: u32 = 1;
/// How to copy an export or an output to an object store, for messages refusing to write there.
pub const COPY_TO_STORE: &str = "`aws s3 sync DIR URL`, `gsutil rsync`, `azcopy sync`";
/// The folder of the per-repository state files.
const STATE_DIR: &str = "_cochange";

/// The exported tables, in the order docs/schema.md describes them.
pub mod table {
    /// One row per commit.
    pub const COMMITS: &str = "commits";
    /// One row per changed file of a commit.
    pub const CHANGES: &str = "changes";
    /// One row per person of a commit: its author and each co-author.
    pub const PEOPLE: &str = "people";
    /// The entity of each change whose file was later renamed.
    pub const ENTITIES: &str = "entities";
    /// Every tag that names a commit.
    pub const TAGS: &str = "tags";
    /// The files at the exported head, with their measures.
    pub const FILES: &str = "files";
    /// All of them.
    pub const ALL: [&str; 6] = [COMMITS, CHANGES, PEOPLE, ENTITIES, TAGS, FILES];
    /// The ones that grow by a part per export; the others are replaced.
    pub(crate) const APPENDED: [&str; 3] = [COMMITS, CHANGES, PEOPLE];
}

/// What one repository contributes to an export.
#[derive(Debug)]
pub struct ExportInput<'a> {
    /// Its name: the partition `repo=NAME`.
    pub repo: &'a str,
    /// The options its history was mined with.
    pub options: MineOptions,
    /// The commit whose files `files` lists (40 hex digits).
    pub head: &'a str,
    /// The mined history, as [`mine()`](crate::mine()) returns it.
    pub tables: &'a Tables,
    /// Its tags.
    pub tags: &'a [Tag],
    /// The files at `head` with their measures, one row per file, `path` first.
    pub files: DataFrame,
}

/// What an export of one repository did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The repository's partition name.
    pub repo: String,
    /// Commits written by this export.
    pub new_commits: usize,
    /// Commits in the export after it.
    pub total_commits: usize,
    /// Why the earlier parts were replaced rather than appended to, if they were.
    pub rewritten: Option<String>,
}

/// One repository's tables read back from an export.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The partition name.
    pub repo: String,
    /// The options its history was mined with.
    pub options: MineOptions,
    /// The commit whose files `files` lists.
    pub head: String,
    /// The history in the shape [`mine()`](crate::mine()) returns, windowed as asked.
    pub tables: Tables,
    /// Its tags, by name.
    pub tags: Vec<Tag>,
    /// The files at `head`, as exported (docs/schema.md, `files`).
    pub files: DataFrame,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct State {
    schema: u32,
    tool_version: String,
    repo: String,
    options: MineOptions,
    head: String,
    /// The part files of each table, oldest first.
    parts: BTreeMap<String, Vec<PartFile>>,
    next_part: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct PartFile {
    file: String,
    rows: usize,
    bytes: u64,
    crc32: u32,
}

/// Whether `name` can name a partition: letters, digits, `.`, `_` and `-`, not starting with
/// `.` or `_` (which engines skip).
pub fn valid_partition_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['.', '_'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Refuses `dir` as an export target when it holds anything but an earlier export: cochange
/// writes below it and removes its own stale parts, so it must never mix with other files.
pub fn check_export_dir(dir: &Path) -> Result<(), Error> {
    let refuse = |reason: String| Error::ExportTarget {
        path: dir.to_path_buf(),
        reason,
    };
    if is_url(dir) {
        return Err(refuse(format!(
            "is a URL: `export` writes a local folder; copy it to the store afterwards ({COPY_TO_STORE})"
        )));
    }
    match fs::metadata(dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(refuse(format!("cannot be read: {err}"))),
        Ok(meta) if !meta.is_dir() => return Err(refuse("is a file, not a folder".into())),
        Ok(_) => {}
    }
    let entries = fs::read_dir(dir).map_err(|err| refuse(format!("cannot be read: {err}")))?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let is_export = names.iter().any(|n| n == STATE_DIR);
    let foreign: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !is_export || (*n != STATE_DIR && !table::ALL.contains(n)))
        .collect();
    if !foreign.is_empty() {
        return Err(refuse(format!(
            "holds files that are not cochange's exported tables ({}): give an empty or new folder, or an earlier export",
            foreign
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// What an earlier export of the repository allows.
enum Previous {
    /// There is none.
    None,
    /// Its rows are what the history gives now: append the commits it lacks.
    Append(State, HashSet<String>),
    /// Replace its parts, for this reason.
    Replace(String),
}

/// Exports `input` below `dir`: appends the commits not exported yet, and replaces the entities,
/// tags and files. The earlier parts are replaced instead when their rows are not what the
/// history gives now (rewritten commits, a `.mailmap` change, a deepened shallow clone, other
/// options, a damaged part, another schema version). Refuses a name that another repository
/// holds (no commit in common) and an export a newer cochange wrote. While another export of the
/// repository runs, it waits, telling `progress`.
pub fn export(
    dir: &Path,
    input: &ExportInput<'_>,
    progress: &dyn crate::Progress,
) -> Result<Appended, Error> {
    check_export_dir(dir)?;
    let state_dir = dir.join(STATE_DIR);
    fs::create_dir_all(&state_dir).map_err(write_error(&state_dir))?;
    // Two exports of one repository take turns; the lock is released when the file is dropped.
    let lock_path = state_dir.join(format!("{}.lock", input.repo));
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(write_error(&lock_path))?;
    if lock.try_lock().is_err() {
        progress.phase("waiting for another export of this repository", None);
        lock.lock().map_err(write_error(&lock_path))?;
    }
    let state_path = state_dir.join(format!("{}.json", input.repo));
    let (mut state, exported, rewritten) = match previous(dir, &state_path, input)? {
        Previous::Append(state, exported) => (state, exported, None),
        Previous::None => (new_state(input), HashSet::new(), None),
        Previous::Replace(why) => (new_state(input), HashSet::new(), Some(why)),
    };

    let new_commit = |id: &str| !exported.contains(id);
    let commits = rows_of_commits(&input.tables.commits, &new_commit)?;
    let changes = rows_of_commits(&input.tables.changes, &new_commit)?;
    let new_commits = commits.height();
    // Never reuse a number on disk: a rewrite must not overwrite parts the old state still lists.
    let part = state.next_part.max(highest_part(dir, input.repo) + 1);
    state.next_part = part + 1;
    let mut frames: Vec<(&str, DataFrame)> = Vec::new();
    if new_commits > 0 {
        frames.push((table::COMMITS, commits_part(&commits)?));
        frames.push((table::CHANGES, changes_part(&changes)?));
        frames.push((table::PEOPLE, people_part(&commits)?));
    }
    frames.push((table::ENTITIES, entities_part(&input.tables.changes)?));
    frames.push((table::TAGS, tags_part(input.tags)?));
    let mut files = input.files.clone();
    files.insert_column(
        0,
        Column::new(col::COMMIT.into(), vec![input.head; files.height()]),
    )?;
    frames.push((table::FILES, files));

    for (name, mut frame) in frames {
        let folder = partition(dir, name, input.repo);
        fs::create_dir_all(&folder).map_err(write_error(&folder))?;
        let file = part_name(part);
        let mut data = Vec::new();
        ParquetWriter::new(&mut data).finish(&mut frame)?;
        let path = folder.join(&file);
        write_shared(&path, &data).map_err(write_error(&path))?;
        let written = PartFile {
            file,
            rows: frame.height(),
            bytes: data.len() as u64,
            crc32: crc32fast::hash(&data),
        };
        let parts = state.parts.entry(name.to_owned()).or_default();
        if !table::APPENDED.contains(&name) {
            parts.clear();
        }
        parts.push(written);
    }
    input.head.clone_into(&mut state.head);
    env!("CARGO_PKG_VERSION").clone_into(&mut state.tool_version);
    let text = serde_json::to_string_pretty(&state).map_err(|e| Error::ExportWrite {
        path: state_path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_shared(&state_path, text.as_bytes()).map_err(write_error(&state_path))?;
    remove_unlisted(dir, &state);
    drop(lock);
    Ok(Appended {
        repo: input.repo.to_owned(),
        new_commits,
        total_commits: exported.len() + new_commits,
        rewritten,
    })
}

fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::ExportWrite { path, source }
}

fn new_state(input: &ExportInput<'_>) -> State {
    State {
        schema: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        repo: input.repo.to_owned(),
        options: input.options,
        head: String::new(),
        parts: BTreeMap::new(),
        next_part: 1,
    }
}

/// The earlier export of this repository, checked against what the history gives now.
fn previous(dir: &Path, state_path: &Path, input: &ExportInput<'_>) -> Result<Previous, Error> {
    let Ok(text) = fs::read_to_string(state_path) else {
        return Ok(Previous::None);
    };
    let replace = |why: String| Ok(Previous::Replace(why));
    let Ok(state) = serde_json::from_str::<State>(&text) else {
        return replace("its state file does not read".into());
    };
    if state.schema > SCHEMA_VERSION {
        return Err(Error::ExportTarget {
            path: state_path.to_path_buf(),
            reason: format!(
                "was written by a newer cochange (schema version {}; this one writes {SCHEMA_VERSION}): use that version, or another folder",
                state.schema
            ),
        });
    }
    if state.schema < SCHEMA_VERSION {
        return replace(format!(
            "it follows the older schema version {}",
            state.schema
        ));
    }
    if state.options != input.options {
        return replace(
            "it was mined with other options (`--no-renames`, `--no-line-counts` or `--first-parent`)".into(),
        );
    }
    let mut exported_rows = Vec::new();
    for name in table::ALL {
        match read::read_parts(&read::Folder(dir), &state, name) {
            Ok(df) => exported_rows.push(df),
            Err(err) => return replace(format!("one of its parts cannot be used: {err}")),
        }
    }
    let exported: HashSet<String> = exported_rows[0].column(col::COMMIT).map(|c| {
        c.str()
            .map(|s| s.iter().flatten().map(str::to_owned).collect())
    })??;
    let (_, mined) = crate::select::commit_ids(&input.tables.commits)?;
    let gone = exported
        .iter()
        .filter(|id| !mined.contains_key(id.as_str()))
        .count();
    if !exported.is_empty() && gone == exported.len() {
        return Err(Error::ExportTarget {
            path: state_path.to_path_buf(),
            reason: format!(
                "holds a repository named `{}` that has none of this history's commits: is it another repository with the same name? Give this one another `--name`, or delete `{}` and the `repo={}` folders to replace it",
                input.repo,
                state_path.display(),
                input.repo
            ),
        });
    }
    if let Some(id) = exported.iter().find(|id| !mined.contains_key(id.as_str())) {
        return replace(format!(
            "it holds {gone} commit(s) that this history does not (rewritten, another branch, or a narrower `--since`/`--rev`), such as {id}"
        ));
    }
    let was_exported = |id: &str| exported.contains(id);
    let same =
        |frame: PolarsResult<DataFrame>, stored: &DataFrame, keys: &[&str]| -> PolarsResult<bool> {
            let sort =
                |df: &DataFrame| df.sort(keys.iter().copied(), SortMultipleOptions::default());
            Ok(sort(&frame?)?.equals_missing(&sort(stored)?))
        };
    let commits = rows_of_commits(&input.tables.commits, &was_exported)?;
    let changes = rows_of_commits(&input.tables.changes, &was_exported)?;
    let unchanged = same(commits_part(&commits), &exported_rows[0], &[col::COMMIT])?
        && same(
            changes_part(&changes),
            &exported_rows[1],
            &[col::COMMIT, col::PATH, col::KIND],
        )?;
    if !unchanged {
        return replace(
            "the history gives other rows for commits it holds (a `.mailmap` change, a deepened shallow clone, replace refs)".into(),
        );
    }
    Ok(Previous::Append(state, exported))
}

/// The file name of part number `n`.
fn part_name(n: u64) -> String {
    format!("part-{n:06}.parquet")
}

/// The number of a part file's name, or of a temporary file written for one; `None` for any
/// other file, which cochange never touches.
fn part_number(file: &str) -> Option<u64> {
    let stem = file.strip_prefix(TMP_PREFIX).unwrap_or(file);
    let digits = stem.strip_prefix("part-")?;
    let digits = if file.starts_with(TMP_PREFIX) {
        digits.split_once(".parquet-")?.0
    } else {
        digits.strip_suffix(".parquet")?
    };
    (digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Writes `path` atomically (see [`write_atomically`]), readable by everyone (as a report is):
/// other users and services read exports.
fn write_shared(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_atomically(path, data)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

/// The highest part number on disk for `repo`, in any table (0 when there is none).
fn highest_part(dir: &Path, repo: &str) -> u64 {
    table::ALL
        .iter()
        .flat_map(|name| {
            fs::read_dir(partition(dir, name, repo))
                .into_iter()
                .flatten()
                .flatten()
        })
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("part-")?
                .strip_suffix(".parquet")?
                .parse()
                .ok()
        })
        .max()
        .unwrap_or(0)
}

fn partition(dir: &Path, table: &str, repo: &str) -> PathBuf {
    dir.join(partition_name(table, repo))
}

/// A repository's folder of one table, below the export's root (`commits/repo=NAME`).
fn partition_name(table: &str, repo: &str) -> String {
    format!("{table}/repo={repo}")
}

/// The part files of `table` that `state` lists.
fn listed_parts<'a>(state: &'a State, table: &str) -> Vec<&'a str> {
    state
        .parts
        .get(table)
        .map(|parts| parts.iter().map(|p| p.file.as_str()).collect())
        .unwrap_or_default()
}

/// Removes the part files of this repository that `state` does not list (earlier replaced parts,
/// and those of an export that was interrupted).
fn remove_unlisted(dir: &Path, state: &State) {
    for name in table::ALL {
        let listed = listed_parts(state, name);
        let folder = partition(dir, name, &state.repo);
        for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if part_number(&file).is_some() && !listed.contains(&file.as_str()) {
                // Best effort: a leftover costs space; readers of the state never see it.
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// What DuckDB or Spark would read below the table folders of the export `dir` that no state
/// lists, as a sentence each, sorted: partitions of a repository without a state, Parquet files
/// that are not one of a repository's parts, and partitions whose state does not read. cochange
/// reads only what the states list, so these would make the engines' rows differ from cochange's.
pub fn strays(dir: &Path) -> Vec<String> {
    let folder = read::Folder(dir);
    let listed = read::ExportFiles::state_files(&folder).unwrap_or_default();
    let states: BTreeMap<String, Option<State>> = read::state_names(&listed)
        .into_iter()
        .map(|repo| {
            let state = read::read_state(&folder, &repo).ok();
            (repo, state)
        })
        .collect();
    let read_by_engines = |name: &str| !name.starts_with(['.', '_']);
    let mut found = Vec::new();
    for table in table::ALL {
        for entry in fs::read_dir(dir.join(table))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(repo) = name.strip_prefix("repo=").filter(|_| entry.path().is_dir()) else {
                continue;
            };
            let state = match states.get(repo) {
                None => {
                    found.push(format!(
                        "`{table}/{name}/` has no `{STATE_DIR}/{repo}.json`: cochange ignores it, DuckDB and Spark read it (remove it, or export that repository again)"
                    ));
                    continue;
                }
                Some(None) => {
                    found.push(format!(
                        "`{table}/{name}/` belongs to `{STATE_DIR}/{repo}.json`, which does not read: export that repository again"
                    ));
                    continue;
                }
                Some(Some(state)) => state,
            };
            let listed = listed_parts(state, table);
            for file in fs::read_dir(entry.path()).into_iter().flatten().flatten() {
                let file = file.file_name().to_string_lossy().into_owned();
                if read_by_engines(&file)
                    && Path::new(&file).extension().is_some_and(|e| e == "parquet")
                    && !listed.contains(&file.as_str())
                {
                    found.push(format!(
                        "`{table}/{name}/{file}` is not one of the export's parts: DuckDB and Spark read its rows too (move it out)"
                    ));
                }
            }
        }
    }
    found.sort();
    found
}

/// The rows of `df` whose commit `keep` accepts.
fn rows_of_commits(df: &DataFrame, keep: &dyn Fn(&str) -> bool) -> PolarsResult<DataFrame> {
    let mask: BooleanChunked = df
        .column(col::COMMIT)?
        .str()?
        .iter()
        .map(|id| id.is_some_and(keep))
        .collect();
    df.filter(&mask)
}

fn commits_part(commits: &DataFrame) -> PolarsResult<DataFrame> {
    commits.select([
        col::COMMIT,
        col::PARENTS,
        col::IS_MERGE,
        col::AUTHOR,
        col::EMAIL,
        col::AUTHOR_TIME,
        col::AUTHOR_TZ,
        col::COMMITTER_TIME,
        col::MESSAGE,
        col::COAUTHORS,
    ])
}

/// Line counts are stored signed: engines such as Spark and Trino read unsigned Parquet types
/// badly.
fn changes_part(changes: &DataFrame) -> PolarsResult<DataFrame> {
    let mut part = changes.select([
        col::COMMIT,
        col::PATH,
        col::OLD_PATH,
        col::KIND,
        col::ADDED,
        col::DELETED,
        col::BINARY,
    ])?;
    for name in [col::ADDED, col::DELETED] {
        let signed = part.column(name)?.cast(&DataType::Int32)?;
        part.replace(name, signed)?;
    }
    Ok(part)
}

/// Column names of `people` and `entities` beyond those of the mined tables.
pub mod column {
    /// `author` or `coauthor` (people).
    pub const ROLE: &str = "role";
    /// The person's canonical name (people).
    pub const NAME: &str = "name";
    /// Whether the tag is annotated (tags).
    pub const ANNOTATED: &str = "annotated";
    /// The tagger's or the commit's time (tags).
    pub const TIME: &str = "time";
}

fn people_part(commits: &DataFrame) -> PolarsResult<DataFrame> {
    let ids = commits.column(col::COMMIT)?.str()?;
    let authors = commits.column(col::AUTHOR)?.str()?;
    let emails = commits.column(col::EMAIL)?.str()?;
    let coauthors = commits.column(col::COAUTHORS)?.list()?;
    let (mut commit, mut role, mut name, mut email) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, people) in coauthors.amortized_iter().enumerate() {
        let id = ids.get(i).unwrap_or_default();
        commit.push(id.to_owned());
        role.push("author");
        name.push(authors.get(i).unwrap_or_default().to_owned());
        email.push(emails.get(i).map(str::to_owned));
        if let Some(people) = people {
            for person in people.as_ref().str()?.iter().flatten() {
                commit.push(id.to_owned());
                role.push("coauthor");
                name.push(person.to_owned());
                email.push(None);
            }
        }
    }
    DataFrame::new(
        commit.len(),
        vec![
            Column::new(col::COMMIT.into(), commit),
            Column::new(column::ROLE.into(), role),
            Column::new(column::NAME.into(), name),
            Column::new(col::EMAIL.into(), email),
        ],
    )
}

/// The changes whose entity is not their path (files renamed later).
fn entities_part(changes: &DataFrame) -> PolarsResult<DataFrame> {
    let path = changes.column(col::PATH)?.str()?;
    let entity = changes.column(col::ENTITY)?.str()?;
    let mask: BooleanChunked = path
        .iter()
        .zip(entity.iter())
        .map(|(p, e)| p != e)
        .collect();
    changes
        .select([col::COMMIT, col::PATH, col::ENTITY])?
        .filter(&mask)
}

fn tags_part(tags: &[Tag]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        tags.len(),
        vec![
            Column::new(
                column::NAME.into(),
                tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                col::COMMIT.into(),
                tags.iter().map(|t| t.commit.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                column::ANNOTATED.into(),
                tags.iter().map(|t| t.annotated).collect::<Vec<_>>(),
            ),
            Column::new(
                column::TIME.into(),
                tags.iter().map(|t| t.time).collect::<Vec<_>>(),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cochanges_part_files_and_their_temporaries_are_numbered() {
        assert_eq!(part_number("part-000012.parquet"), Some(12));
        assert_eq!(part_number(".tmp-part-000003.parquet-Ab12Cd"), Some(3));
        for other in [
            "part-000012-backup.parquet",
            "part-12.parquet",
            "part-000012.parquet.bak",
            "notes.txt",
            ".tmp-notes-1",
        ] {
            assert_eq!(part_number(other), None, "{other}");
        }
    }

    #[test]
    fn partition_names_are_plain() {
        assert!(valid_partition_name("tokio-util.v2_x"));
        for bad in ["", ".hidden", "_state", "a/b", "a=b", "a b"] {
            assert!(!valid_partition_name(bad), "{bad}");
        }
    }
}
