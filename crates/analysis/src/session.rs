//! One command's context: the settings, the mined history of every repository (loaded once), the
//! analysed revision with its component mapping, and the coupling options. Every command of the
//! command line is one [`Session`] and a call or two on it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use cochange_miner::polars::prelude::*;
use cochange_miner::{Outcome, Progress, Tables, col};
use globset::GlobSet;

use crate::blob_cache::{BlobCache, Cached};
use crate::{
    Authorship, BacklogInput, ComponentRules, CouplingOptions, Criticality, FilterStatistics,
    Filters, Grouping, MappingSource, Teams, TestPaths, TextMeasures, format_time, months_before,
};

/// Everything the analyses need besides the history, checked (the command line builds it from
/// its arguments and the config file).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The repositories (`--repo`), in order.
    pub repos: Vec<PathBuf>,
    /// Read the history from this folder of exported tables instead of the repositories
    /// (`--tables`, docs/scale.md).
    pub tables: Option<PathBuf>,
    /// Names for them (`--name`), by position; fewer than `repos` is fine.
    pub names: Vec<String>,
    /// How to mine, what to select, where the cache is.
    pub mining: cochange_miner::Options,
    /// "Now" (`--as-of`, unix seconds); `None`: the newest analysed commit.
    pub as_of: Option<i64>,
    /// Path and author filters.
    pub filters: Filters,
    /// How commits form change sets.
    pub grouping: Grouping,
    /// Coupling thresholds of the configuration (`[thresholds]`).
    pub thresholds: Thresholds,
    /// Which files are tests.
    pub tests: TestPaths,
    /// Declared criticality.
    pub criticality: Criticality,
    /// `[components]` of the configuration: name and globs, first match wins.
    pub components: Vec<(String, GlobSet)>,
    /// `[teams]` of the configuration.
    pub teams: Teams,
    /// `[boundaries]` of the configuration.
    pub boundaries: crate::Boundaries,
    /// `[releases] pattern` of the configuration, else the default: which tags are releases.
    pub releases: crate::ReleasePattern,
}

/// Checks the names given for `repos` repositories (`--name`, by position): at most one each,
/// non-empty, without `/`, and no two alike, since they prefix the entities.
pub fn check_names(names: &[String], repos: usize) -> Result<(), Error> {
    let refuse = |message: String| Err(Error::Invalid(message));
    let repos = repos.max(1);
    if names.len() > repos {
        return refuse(format!(
            "{} `--name` given for {repos} repositories: give one per `--repo`, in the same order",
            names.len()
        ));
    }
    if let Some(name) = names
        .iter()
        .find(|n| n.is_empty() || n.contains(['/', '\\']))
    {
        return refuse(format!(
            "`--name {name}`: a name must be non-empty and without `/`"
        ));
    }
    if let Some((i, name)) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return refuse(format!(
            "`--name {name}` is given twice (for repositories {} and {}): each repository needs a name of its own",
            names.iter().position(|n| n == name).unwrap_or(0) + 1,
            i + 1
        ));
    }
    Ok(())
}

impl Settings {
    /// What `--explain` says about the repositories and mining: `(what, value)` pairs.
    pub fn describe(&self) -> Vec<(String, String)> {
        let o = &self.mining;
        let revs = if o.selection.all {
            "all references".to_owned()
        } else if o.selection.revs.is_empty() {
            "`HEAD`".to_owned()
        } else {
            let revs: Vec<String> = o.selection.revs.iter().map(|r| format!("`{r}`")).collect();
            revs.join(", ")
        };
        let window = window_text(o.selection.since, o.selection.until);
        // Exported tables are analysed with the options they were mined with.
        let exported = |asked: String| match self.tables {
            Some(_) => {
                "as exported, per repository (`_cochange/NAME.json` of the export)".to_owned()
            }
            None => asked,
        };
        let repositories = match &self.tables {
            Some(dir) => format!(
                "the exported tables in `{}` (history and file measures only: no imports, functions, database tables or knowledge)",
                dir.display()
            ),
            None => self
                .repos
                .iter()
                .map(|r| format!("`{}`", r.display()))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let pairs = [
            ("repositories", repositories),
            ("start", exported(revs)),
            ("history analysed (author time)", window),
            (
                "as of",
                self.as_of.map_or_else(
                    || "the newest analysed commit".to_owned(),
                    |t| format_time(t, 0),
                ),
            ),
            (
                "first parent only",
                exported(o.mine.first_parent.to_string()),
            ),
            (
                "renames",
                exported(
                    if o.mine.renames {
                        "detected (similarity >= 50%)"
                    } else {
                        "off"
                    }
                    .to_owned(),
                ),
            ),
            (
                "line counts",
                exported(if o.mine.line_counts { "on" } else { "off" }.to_owned()),
            ),
            (
                "cache",
                match &o.cache {
                    _ if self.tables.is_some() => "not used (exported tables are read)".to_owned(),
                    cochange_miner::CacheLocation::Disabled => "off".to_owned(),
                    cochange_miner::CacheLocation::Dir(dir) => format!("`{}`", dir.display()),
                },
            ),
            (
                "threads",
                if o.threads == 0 {
                    "one per core".to_owned()
                } else {
                    o.threads.to_string()
                },
            ),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

/// Coupling thresholds where each may be unset; [`Thresholds::or`] layers them (command line
/// over configuration) and [`Thresholds::options`] fills the rest with code-maat's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Thresholds {
    /// `--min-revs`.
    pub min_revs: Option<u32>,
    /// `--min-shared`.
    pub min_shared: Option<u32>,
    /// `--min-degree`.
    pub min_degree: Option<u32>,
    /// `--max-degree`.
    pub max_degree: Option<u32>,
    /// `--max-changeset-size`.
    pub max_changeset_size: Option<u32>,
}

impl Thresholds {
    /// Each threshold of `self`, else of `fallback`.
    #[must_use]
    pub fn or(&self, fallback: &Thresholds) -> Thresholds {
        Thresholds {
            min_revs: self.min_revs.or(fallback.min_revs),
            min_shared: self.min_shared.or(fallback.min_shared),
            min_degree: self.min_degree.or(fallback.min_degree),
            max_degree: self.max_degree.or(fallback.max_degree),
            max_changeset_size: self.max_changeset_size.or(fallback.max_changeset_size),
        }
    }

    /// Coupling options with these thresholds (code-maat's defaults for the unset ones), the
    /// change sets of `grouping` and the components of `components`.
    pub fn options(
        &self,
        grouping: &Grouping,
        components: Arc<ComponentRules>,
    ) -> Result<CouplingOptions, Error> {
        let defaults = CouplingOptions::default();
        let options = CouplingOptions {
            min_revs: self.min_revs.unwrap_or(defaults.min_revs),
            min_shared: self.min_shared.unwrap_or(defaults.min_shared),
            min_degree: self.min_degree.unwrap_or(defaults.min_degree),
            max_degree: self.max_degree.unwrap_or(defaults.max_degree),
            max_changeset_size: self
                .max_changeset_size
                .unwrap_or(defaults.max_changeset_size),
            grouping: grouping.clone(),
            components,
        };
        if options.min_degree > options.max_degree {
            return Err(Error::Invalid(format!(
                "the minimum degree {} is above the maximum degree {} (`--min-degree` and `--max-degree`, or `[thresholds]` of the config): no pair can match",
                options.min_degree, options.max_degree
            )));
        }
        Ok(options)
    }
}

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A repository could not be mined or read.
    #[error("cannot {what} of `{}`", path.display())]
    Repository {
        /// `mine the history`, `read the files`, `blame the files`.
        what: &'static str,
        /// The repository as given.
        path: PathBuf,
        /// What failed.
        #[source]
        source: cochange_miner::Error,
    },
    /// The request cannot be served as asked (a usage mistake the settings could not see alone).
    #[error("{0}")]
    Invalid(String),
    /// A computation over the tables failed.
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// A message for the user that is not an error, in order of importance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Always shown.
    Warning(String),
    /// Shown unless `--quiet`.
    Info(String),
    /// Shown with `--verbose`.
    Detail(String),
}

/// What `knowledge` is asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KnowledgeOptions {
    /// Months without a commit after which a person is inactive.
    pub inactive_after: u32,
    /// Attribute lines with blame instead of the replay.
    pub blame: bool,
    /// People whose leaving is simulated: names or emails as the history has them.
    pub leaving: Vec<String>,
    /// A file is orphaned when less than this share of its lines stays with active people.
    pub orphaned_below: f64,
}

/// The canonical names of `people` (names or emails) in `history`; a person it does not hold
/// is an error that names them.
fn people_named(history: &Tables, people: &[String]) -> Result<Vec<String>, Error> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let commits = &history.commits;
    let names = commits.column(col::AUTHOR)?.str()?;
    let emails = commits.column(col::EMAIL)?.str()?;
    let coauthors = commits.column(col::COAUTHORS)?.list()?;
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    for (i, list) in coauthors.amortized_iter().enumerate() {
        if let (Some(name), Some(email)) = (names.get(i), emails.get(i)) {
            known.insert(name.to_lowercase(), name.to_owned());
            known.insert(email.to_lowercase(), name.to_owned());
        }
        if let Some(list) = list {
            for name in list.as_ref().str()?.iter().flatten() {
                known.insert(name.to_lowercase(), name.to_owned());
            }
        }
    }
    people
        .iter()
        .map(|p| {
            known.get(&p.to_lowercase()).cloned().ok_or_else(|| {
                Error::Invalid(format!(
                    "`--leaving {p}`: no author or co-author of the analysed history has that name or email (`cochange authors` lists them)"
                ))
            })
        })
        .collect()
}

/// What an analysis needs from mining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Which files changed; line counts are not used.
    FileNames,
    /// Line counts too, shown as they are (empty when the user turned them off).
    LineCounts,
    /// Line counts, summed: with `--no-line-counts` they count as 0, which the user is told.
    LineSums,
    /// Line sums, and the origins of the analysed revision's lines (replayed while mining).
    LineOrigins,
}

/// The mined history of every repository, as one pair of tables.
#[derive(Debug, Clone)]
pub struct History {
    /// The repositories mined, each once, in the order of `outcomes`.
    pub paths: Vec<PathBuf>,
    /// What mining each returned.
    pub outcomes: Vec<Outcome>,
    /// The options each was mined with (line counts may be off where they were not needed):
    /// the cache they name is where tables read from blobs are kept.
    pub options: Vec<cochange_miner::Options>,
    /// All of them, prefixed by repository name when there are several, after the filters.
    pub tables: Tables,
    /// With `--tables`: what the export holds besides the history, per repository in the order
    /// of `outcomes`; `None` when the history was mined from the repositories.
    pub exported: Option<Vec<ExportedExtras>>,
}

/// What an export holds of one repository besides its history (docs/schema.md).
#[derive(Debug, Clone)]
pub struct ExportedExtras {
    /// The commit whose files `files` lists.
    pub head: String,
    /// The repository's tags.
    pub tags: Vec<cochange_miner::Tag>,
    /// The files at `head` with their measures.
    pub files: DataFrame,
}

/// The files of `rev` in the repository at `repo` that `wanted` accepts, each read by `read`
/// unless the blob cache of `options` already holds what `read` gives for its blob; what was
/// read anew is stored for the next run.
pub(crate) fn read_files<T: Cached + Send + Sync>(
    repo: &std::path::Path,
    options: &cochange_miner::Options,
    rev: Option<&str>,
    wanted: impl Fn(&str) -> bool + Sync,
    read: impl Fn(&str, &[u8]) -> T + Sync,
) -> Result<cochange_miner::Snapshot<T>, Error> {
    let cache = BlobCache::<T>::read(repo, options);
    let snapshot = cochange_miner::read_snapshot_reusing(
        repo,
        rev,
        options.threads,
        wanted,
        |path, blob| cache.get(path, blob),
        read,
    )
    .map_err(|source| Error::Repository {
        what: "read the files",
        path: repo.to_path_buf(),
        source,
    })?;
    cache.update(repo, options, &snapshot);
    Ok(snapshot)
}

/// The refusal of `what` on exported tables, which do not hold the repository's files.
pub(crate) fn needs_files(what: &str) -> Error {
    Error::Invalid(format!(
        "{what} reads the repository's files, which exported tables (`--tables`) do not hold: run it on the repository (`--repo`)"
    ))
}

impl History {
    /// Refuses `what` when the history was read from exported tables, which do not hold the
    /// repository's files.
    pub fn needs_repository(&self, what: &str) -> Result<(), Error> {
        match self.exported {
            None => Ok(()),
            Some(_) => Err(needs_files(what)),
        }
    }

    /// Each repository with what mining returned and the options it was mined with.
    pub(crate) fn repositories(
        &self,
    ) -> impl Iterator<Item = (&PathBuf, &Outcome, &cochange_miner::Options)> {
        self.paths
            .iter()
            .zip(&self.outcomes)
            .zip(&self.options)
            .map(|((repo, outcome), options)| (repo, outcome, options))
    }
}

/// The component mapping of the analysed revision.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The rules.
    pub rules: ComponentRules,
    /// Every file of the revision, in path order (empty with several repositories).
    pub files: Vec<String>,
}

/// One command's context: the settings, the history loaded once, and what is read from the
/// analysed revision when first asked for.
#[derive(Debug)]
pub struct Session<'s> {
    /// The settings.
    pub settings: &'s Settings,
    /// The mined history.
    pub history: History,
    /// The revision whose files are read (`--at`, else the first `--rev`, else HEAD).
    revision: Option<String>,
    /// The line origins of the revision's files, when the command asked for them.
    origins: Option<cochange_miner::LineOrigins>,
    /// Folder levels that make a component when nothing else maps a file.
    depth: usize,
    mapping: OnceLock<Mapping>,
    notices: Vec<Notice>,
}

impl<'s> Session<'s> {
    /// Mines every repository (through the cache) for `needs`, and keeps the revision `at` (else
    /// the first `--rev`) and the component `depth` for what is read later.
    pub fn load(
        settings: &'s Settings,
        needs: Needs,
        at: Option<&str>,
        depth: usize,
        progress: &dyn Progress,
    ) -> Result<Session<'s>, Error> {
        let mut notices = Vec::new();
        let revision = at
            .map(str::to_owned)
            .or_else(|| settings.mining.selection.revs.first().cloned());
        let origins_at =
            (needs == Needs::LineOrigins).then(|| revision.as_deref().unwrap_or("HEAD"));
        let mut history = load_history(settings, needs, origins_at, progress, &mut notices)?;
        let origins = match history.outcomes.as_mut_slice() {
            [one] => one.origins.take(),
            _ => None,
        };
        if matches!(needs, Needs::LineSums | Needs::LineOrigins)
            && !history.options.iter().all(|o| o.mine.line_counts)
        {
            notices.push(Notice::Warning(
                "this analysis sums line counts, which `--no-line-counts` turned off: added and deleted are 0".into(),
            ));
        }
        Ok(Session {
            settings,
            history,
            revision,
            origins,
            depth,
            mapping: OnceLock::new(),
            notices,
        })
    }

    /// The notices gathered so far, for the caller to show; they are not kept.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Adds a notice for the caller to show.
    pub fn notify(&mut self, notice: Notice) {
        self.notices.push(notice);
    }

    /// The analysed revision as given (`None`: HEAD).
    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    /// "Now": `--as-of`, else the newest analysed commit's author time (so that a result on a
    /// fixed history is reproducible); for an empty history, the end of the window (`--until`,
    /// else `--since`), else the start of 1970.
    pub fn as_of(&self) -> PolarsResult<i64> {
        if let Some(as_of) = self.settings.as_of {
            return Ok(as_of);
        }
        let selection = &self.settings.mining.selection;
        Ok(self
            .history
            .tables
            .commits
            .column(col::AUTHOR_TIME)?
            .i64()?
            .max()
            .or(selection.until)
            .or(selection.since)
            .unwrap_or(0))
    }

    /// Adds a notice for the caller to show.
    pub(crate) fn push_notice(&mut self, notice: Notice) {
        self.notices.push(notice);
    }

    /// Whether several repositories are analysed together.
    pub fn several(&self) -> bool {
        self.history.outcomes.len() > 1
    }

    /// The component mapping of the analysed revision: `[components]` of the config, then
    /// `CODEOWNERS` and workspace manifests read from the revision's blobs, then folders. With
    /// several repositories entities carry the repository's name first, so only the config and
    /// the folders (the repository at depth 1) apply.
    pub fn mapping(&self) -> Result<&Mapping, Error> {
        if let Some(mapping) = self.mapping.get() {
            return Ok(mapping);
        }
        let mapping = self.read_mapping()?;
        Ok(self.mapping.get_or_init(|| mapping))
    }

    fn read_mapping(&self) -> Result<Mapping, Error> {
        let mut rules = ComponentRules::new(self.settings.components.clone(), self.depth);
        let [repo] = self.history.paths.as_slice() else {
            return Ok(Mapping {
                rules,
                files: Vec::new(),
            });
        };
        if let Some([extras]) = self.history.exported.as_deref() {
            // The export keeps the paths, not `CODEOWNERS` or manifests: config and folders map.
            let files =
                crate::exported_files::snapshot_of(&extras.files, &extras.head, |_| false)?.paths;
            return Ok(Mapping { rules, files });
        }
        let snapshot = cochange_miner::read_snapshot(
            repo,
            self.revision(),
            self.settings.mining.threads,
            crate::is_mapping_file,
            |_, bytes| String::from_utf8_lossy(bytes).into_owned(),
        )
        .map_err(|source| Error::Repository {
            what: "read the files",
            path: repo.clone(),
            source,
        })?;
        let files = snapshot.paths;
        let contents: HashMap<String, String> = snapshot
            .files
            .into_iter()
            .filter_map(|(path, text)| Some((path, text?)))
            .collect();
        let read = |path: &str| contents.get(path).cloned();
        rules.read_codeowners(&read);
        rules.read_workspaces(&files, &read);
        Ok(Mapping { rules, files })
    }

    /// How many files of the revision each mapping source mapped, as `source n, …`.
    pub fn mapping_sources(&self) -> Result<String, Error> {
        let mapping = self.mapping()?;
        let mut by_source: BTreeMap<MappingSource, u64> = BTreeMap::new();
        for file in &mapping.files {
            *by_source
                .entry(mapping.rules.component_of(file).1)
                .or_default() += 1;
        }
        Ok(by_source
            .iter()
            .map(|(source, n)| format!("{source} {n}"))
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// Coupling options: `thresholds` (the command line's) over the config's, the change sets of
    /// the settings and the components of the revision. Refuses thresholds whose self-join would
    /// not fit in memory.
    pub fn coupling_options(&self, thresholds: &Thresholds) -> Result<CouplingOptions, Error> {
        let rules = Arc::new(self.mapping()?.rules.clone());
        let options = thresholds
            .or(&self.settings.thresholds)
            .options(&self.settings.grouping, rules)?;
        within_budget(&self.history.tables, &options)?;
        Ok(options)
    }

    /// The files of the analysed revision, measured, with the history cut to the window of
    /// `months` before the as-of date (`--since` overrides its start).
    pub fn measure(&mut self, months: u32) -> Result<Measured, Error> {
        let as_of = self.as_of()?;
        let from = self
            .settings
            .mining
            .selection
            .since
            .unwrap_or_else(|| months_before(as_of, months));
        let revision = self.revision.clone();
        self.measure_at(revision.as_deref(), from, as_of)
    }

    /// The files of revision `rev` (`None`: HEAD), measured, with the history up to `as_of` and
    /// its window from `from`. A file's path at the revision is named by its entity (its newest
    /// path), so that a file renamed later meets its history.
    pub fn measure_at(
        &mut self,
        rev: Option<&str>,
        from: i64,
        as_of: i64,
    ) -> Result<Measured, Error> {
        let tables = &self.history.tables;
        let upto = crate::window(tables, i64::MIN, as_of)?;
        let windowed = crate::window(tables, from, as_of)?;
        let entities = entity_of_path(&upto)?;
        let several = self.several();
        let (mut files, mut revisions) = (Vec::new(), Vec::new());
        let (mut binary, mut excluded, mut missing) = (0, 0, Vec::new());
        for (i, (repo, outcome, options)) in self.history.repositories().enumerate() {
            let prefix = |path: &str| crate::prefixed(&outcome.repo, path, several);
            let entity = |path: &str| {
                let path = prefix(path);
                entities.get(&path).cloned().unwrap_or(path)
            };
            let wanted = |path: &str| self.settings.filters.keeps_path(&entity(path));
            let snapshot = match &self.history.exported {
                None => read_files(repo, options, rev, wanted, crate::measure_text)?,
                Some(extras) => {
                    let head = &extras[i].head;
                    if rev.is_some_and(|rev| !head.starts_with(rev)) {
                        return Err(Error::Invalid(format!(
                            "the exported tables of `{}` hold the files of commit {head} only, not of `{}`: measuring another revision needs the repository (`--repo`)",
                            outcome.repo,
                            rev.unwrap_or_default()
                        )));
                    }
                    crate::exported_files::snapshot_of(&extras[i].files, head, wanted)?
                }
            };
            revisions.push(format!(
                "{} ({})",
                rev.unwrap_or("HEAD"),
                &snapshot.commit[..snapshot.commit.len().min(12)]
            ));
            excluded += snapshot.skipped;
            missing.extend(snapshot.missing);
            for (path, measures) in snapshot.files {
                match measures {
                    Some(m) if m.binary => binary += 1,
                    other => files.push((entity(&path), other)),
                }
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        if !missing.is_empty() {
            self.notices.push(Notice::Warning(format!(
                "{} blobs are missing (a partial or blobless clone?): their size and complexity are \
                 unknown; the first: {}",
                missing.len(),
                missing.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        if windowed.commits.height() == 0 && upto.commits.height() > 0 {
            let newest = upto.commits.column(col::AUTHOR_TIME)?.i64()?.max();
            self.notices.push(Notice::Warning(format!(
                "no commit in the window {}{}: every file has 0 revisions in it",
                window_text(Some(from), Some(as_of)),
                newest.map_or_else(String::new, |t| format!(
                    " (the newest analysed commit is from {})",
                    format_time(t, 0)
                ))
            )));
        }
        let statistics = format!(
            "{} text files measured; skipped {binary} binary, {excluded} excluded by the path filters; {} blobs missing",
            files.len(),
            missing.len()
        );
        Ok(Measured {
            repositories: self.repositories(),
            upto,
            windowed,
            from,
            as_of,
            files,
            revisions,
            statistics,
            authorship: Arc::default(),
        })
    }

    /// Knowledge per file and per component (`(files, components)`, see
    /// [`knowledge`](crate::knowledge)) of the analysed revision's files that the filters keep;
    /// one repository only. Lines are attributed by the replay of the mined diffs, or by blame
    /// with `blame` (and for the files whose replayed origins are unknown).
    pub fn knowledge(
        &mut self,
        options: &KnowledgeOptions,
        progress: &dyn Progress,
    ) -> Result<crate::Knowledge, Error> {
        let (knowledge, notices) = self.knowledge_with_notices(options, progress)?;
        self.notices.extend(notices);
        Ok(knowledge)
    }

    /// [`Session::knowledge`] without touching the session, so that it can run beside other
    /// analyses: the notices are returned for the caller to keep.
    pub fn knowledge_with_notices(
        &self,
        options: &KnowledgeOptions,
        progress: &dyn Progress,
    ) -> Result<(crate::Knowledge, Vec<Notice>), Error> {
        let as_of = self.as_of()?;
        let upto = crate::window(&self.history.tables, i64::MIN, as_of)?;
        let authorship = Authorship::of(&upto)?;
        self.knowledge_over(&upto, &authorship, as_of, options, progress)
    }

    /// [`Session::knowledge_with_notices`] over the history and authorship of `measured`, which
    /// must be measured at the session's as-of date (as [`Session::measure`] does).
    pub fn knowledge_of(
        &self,
        measured: &Measured,
        options: &KnowledgeOptions,
        progress: &dyn Progress,
    ) -> Result<(crate::Knowledge, Vec<Notice>), Error> {
        let authorship = measured.authorship()?;
        self.knowledge_over(
            &measured.upto,
            authorship,
            measured.as_of,
            options,
            progress,
        )
    }

    fn knowledge_over(
        &self,
        upto: &Tables,
        authorship: &Authorship,
        as_of: i64,
        options: &KnowledgeOptions,
        progress: &dyn Progress,
    ) -> Result<(crate::Knowledge, Vec<Notice>), Error> {
        let KnowledgeOptions {
            inactive_after,
            blame,
            ..
        } = *options;
        self.history.needs_repository("`knowledge`")?;
        let [repo] = self.history.paths.as_slice() else {
            return Err(Error::Invalid(
                "`knowledge` reads one repository at a time".into(),
            ));
        };
        let repo = repo.clone();
        let mapping = self.mapping()?;
        let keep = |f: &str| self.settings.filters.keeps_path(f);
        let mut files: Vec<cochange_miner::BlamedFile> = Vec::new();
        let mut to_blame: Vec<String> = Vec::new();
        let (mut notes, mut warnings) = (Vec::new(), Vec::new());
        if let Some(origins) = self.origins.as_ref().filter(|_| !blame) {
            files.extend(origins.files.iter().filter(|f| keep(&f.path)).cloned());
            to_blame.extend(origins.unknown.iter().filter(|f| keep(f)).cloned());
            let binary = origins.binary.iter().filter(|f| keep(f)).count();
            notes.push(format!(
                "line origins of {} files from the replay of the mined diffs ({} {} replayed{}); skipped {binary} binary",
                files.len(),
                origins.replayed,
                if origins.replayed == 1 { "commit" } else { "commits" },
                if origins.replayed == 0 { ", cached" } else { "" }
            ));
            if !to_blame.is_empty() {
                notes.push(format!(
                    "{} files with unknown replayed origins (a binary version or a missing blob in their history) are blamed",
                    to_blame.len()
                ));
            }
        } else {
            if !blame {
                warnings.push(
                    "line origins could not be replayed (line counts off, or a revision outside the mined history): blaming every file".to_owned(),
                );
            }
            to_blame.extend(mapping.files.iter().filter(|f| keep(f)).cloned());
        }
        if !to_blame.is_empty() {
            let blamed = cochange_miner::blame_files(
                &repo,
                self.revision(),
                &to_blame,
                self.settings.mining.threads,
                progress,
            )
            .map_err(|source| Error::Repository {
                what: "blame the files",
                path: repo.clone(),
                source,
            })?;
            let mut done = format!("blamed {} files", blamed.files.len());
            if !blamed.binary.is_empty() {
                let _ = write!(done, "; skipped {} binary", blamed.binary.len());
            }
            if !blamed.failed.is_empty() {
                let _ = write!(done, "; {} could not be blamed", blamed.failed.len());
            }
            notes.push(done);
            for (file, reason) in blamed.failed.iter().take(3) {
                warnings.push(format!("cannot blame `{file}`: {reason}"));
            }
            files.extend(blamed.files);
            files.sort_by(|a, b| a.path.cmp(&b.path));
        }
        let leaving = people_named(upto, &options.leaving)?;
        let result = crate::knowledge(&crate::KnowledgeInput {
            history: upto,
            authorship,
            files: &files,
            rules: &mapping.rules,
            as_of,
            inactive_after_months: inactive_after,
            leaving: &leaving,
            orphaned_below: options.orphaned_below,
        })?;
        let notices = warnings
            .into_iter()
            .map(Notice::Warning)
            .chain(notes.into_iter().map(Notice::Info))
            .collect();
        Ok((result, notices))
    }

    /// Whether the line origins of the analysed revision were replayed (one repository, line
    /// counts on, a command that asked for them).
    pub fn has_origins(&self) -> bool {
        self.origins.is_some()
    }

    /// The analysed repositories' names, comma-separated.
    pub fn repositories(&self) -> String {
        let names: Vec<&str> = self
            .history
            .outcomes
            .iter()
            .map(|o| o.repo.as_str())
            .collect();
        names.join(", ")
    }

    /// Matches a coverage file's paths to the files of the analysed revision. Coverage paths may
    /// be relative to the repository, absolute inside its work tree, or relative to a Cobertura
    /// `<source>`; files the repository does not have are reported in a notice, not fatal.
    pub fn match_coverage(
        &mut self,
        coverage: &crate::Coverage,
        measured: &Measured,
    ) -> HashMap<String, f64> {
        let known: BTreeSet<&str> = measured.files.iter().map(|(p, _)| p.as_str()).collect();
        let roots: Vec<String> = self
            .history
            .paths
            .iter()
            .filter_map(|r| std::fs::canonicalize(r).ok())
            .filter_map(|r| cochange_miner::work_tree(&r))
            .filter_map(|w| std::fs::canonicalize(w).ok())
            .map(|w| format!("{}/", w.display()))
            .collect();
        let mut matched = HashMap::new();
        let mut unknown = Vec::new();
        for (name, &(found, hit)) in &coverage.files {
            let mut candidates = vec![name.trim_start_matches("./").to_owned()];
            for source in &coverage.sources {
                candidates.push(format!("{}/{name}", source.trim_end_matches('/')));
            }
            let candidates: Vec<String> = candidates
                .iter()
                .flat_map(|c| {
                    let mut forms = vec![c.clone()];
                    for root in &roots {
                        if let Some(rest) = c.strip_prefix(root.as_str()) {
                            forms.push(rest.to_owned());
                        }
                    }
                    forms
                })
                .collect();
            match candidates.iter().find(|c| known.contains(c.as_str())) {
                Some(path) if found > 0 => {
                    matched.insert(path.clone(), hit as f64 / found as f64);
                }
                Some(_) => {}
                None => unknown.push(name.clone()),
            }
        }
        if !unknown.is_empty() {
            self.notices.push(Notice::Warning(format!(
                "the coverage file names {} files that the analysed revision does not have (or that the filters leave out); the first: {}",
                unknown.len(),
                unknown.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        matched
    }
}

/// Mines every repository (through the cache), reporting warnings and what was done.
///
/// An analysis that needs only file names uses a cache with line counts when one exists (it
/// serves both), and otherwise mines without them: counting lines is most of mining's time.
fn load_history(
    settings: &Settings,
    needs: Needs,
    origins_at: Option<&str>,
    progress: &dyn Progress,
    notices: &mut Vec<Notice>,
) -> Result<History, Error> {
    if let Some(dir) = &settings.tables {
        progress.phase("reading the exported tables", None);
        return history_from_tables(settings, dir, notices);
    }
    let mut outcomes = Vec::new();
    let mut paths = Vec::new();
    let mut used = Vec::new();
    for (repo, name) in repositories(settings, notices)? {
        let mined = |err| Error::Repository {
            what: "mine the history",
            path: repo.clone(),
            source: err,
        };
        let mut options = settings.mining.clone();
        options.name = Some(name);
        // Line origins need line counts; with several repositories `knowledge` refuses anyway.
        if options.mine.line_counts && settings.repos.len() == 1 {
            options.origins = origins_at.map(str::to_owned);
        }
        if needs == Needs::FileNames
            && options.mine.line_counts
            && !cochange_miner::has_cache(&repo, &options).map_err(mined)?
        {
            options.mine.line_counts = false;
            notices.push(Notice::Detail(
                "line counts are not needed here and not cached: mining without them".into(),
            ));
        }
        let outcome = cochange_miner::mine(&repo, &options, progress).map_err(mined)?;
        notices.extend(
            outcome
                .warnings
                .iter()
                .map(|w| Notice::Warning(w.to_string())),
        );
        let s = &outcome.statistics;
        notices.push(Notice::Detail(format!(
            "{}: {} commits ({} from cache, {} mined, {} tree diffs, {} blob diffs)",
            outcome.repo,
            s.commits_selected,
            s.commits_from_cache,
            s.commits_mined,
            s.tree_diffs,
            s.blob_diffs,
        )));
        outcomes.push(outcome);
        paths.push(repo);
        used.push(options);
    }
    assemble(settings, (paths, outcomes, used), None, notices)
}

/// The history read from the exported tables in `dir` (`--tables`).
fn history_from_tables(
    settings: &Settings,
    dir: &std::path::Path,
    notices: &mut Vec<Notice>,
) -> Result<History, Error> {
    let selection = &settings.mining.selection;
    let read = cochange_miner::export::read_export(
        dir,
        &settings.names,
        (selection.since, selection.until),
    )
    .map_err(|source| Error::Repository {
        what: "read the exported tables",
        path: dir.to_path_buf(),
        source,
    })?;
    if !cochange_miner::export::is_url(dir) {
        notices.extend(
            cochange_miner::export::strays(dir)
                .into_iter()
                .map(Notice::Warning),
        );
    }
    let (mut paths, mut outcomes, mut used, mut extras) = (vec![], vec![], vec![], vec![]);
    for exported in read {
        // The export's rows are what they are: asking for more than they hold is an error,
        // for less (the export already follows first parents, or no renames) a notice.
        let (asked, held) = (settings.mining.mine, exported.options);
        let missing = [
            (asked.first_parent && !held.first_parent, "`--first-parent`"),
            (!asked.renames && held.renames, "`--no-renames`"),
        ];
        if let Some((_, flag)) = missing.iter().find(|(differs, _)| *differs) {
            return Err(Error::Invalid(format!(
                "the tables of `{}` in `{}` were exported without {flag}: export again with it, or leave it out here",
                exported.repo,
                dir.display(),
            )));
        }
        for (kept, flag) in [
            (held.first_parent && !asked.first_parent, "`--first-parent`"),
            (!held.renames && asked.renames, "`--no-renames`"),
            (
                !held.line_counts,
                "`--no-line-counts` (line counts are unknown)",
            ),
            (
                held.line_counts && !asked.line_counts,
                "line counts, which `--no-line-counts` does not take away",
            ),
        ] {
            if kept {
                notices.push(Notice::Info(format!(
                    "the tables of `{}` were exported with {flag}, and are analysed so",
                    exported.repo
                )));
            }
        }
        let tables = exported.tables;
        let statistics = cochange_miner::Statistics {
            commits_from_cache: tables.commits.height(),
            commits_selected: tables.commits.height(),
            merges_selected: tables
                .commits
                .column(col::IS_MERGE)?
                .bool()?
                .sum()
                .unwrap_or(0) as usize,
            changes_selected: tables.changes.height(),
            ..cochange_miner::Statistics::default()
        };
        notices.push(Notice::Detail(format!(
            "{}: {} commits read from the exported tables",
            exported.repo, statistics.commits_selected
        )));
        let mut options = settings.mining.clone();
        options.mine = exported.options;
        options.name = Some(exported.repo.clone());
        paths.push(dir.join(&exported.repo));
        used.push(options);
        outcomes.push(Outcome {
            repo: exported.repo,
            tables,
            statistics,
            warnings: Vec::new(),
            origins: None,
        });
        extras.push(ExportedExtras {
            head: exported.head,
            tags: exported.tags,
            files: exported.files,
        });
    }
    assemble(settings, (paths, outcomes, used), Some(extras), notices)
}

/// The [`History`] of the repositories (`paths`, what each gave and the options it was read
/// with): their tables as one pair, after the filters, checked for what the analyses can hold.
fn assemble(
    settings: &Settings,
    (paths, outcomes, options): (Vec<PathBuf>, Vec<Outcome>, Vec<cochange_miner::Options>),
    exported: Option<Vec<ExportedExtras>>,
    notices: &mut Vec<Notice>,
) -> Result<History, Error> {
    let (tables, removed) = settings.filters.apply(&crate::combine(&outcomes)?)?;
    if removed != FilterStatistics::default() {
        notices.push(Notice::Detail(format!(
            "filters left out {} commits and {} changes (`--explain` lists them)",
            removed.commits_removed, removed.changes_removed
        )));
    }
    if let Some(max) = settings.thresholds.max_changeset_size {
        let options = CouplingOptions {
            max_changeset_size: max,
            grouping: settings.grouping.clone(),
            ..CouplingOptions::default()
        };
        within_budget(&tables, &options)?;
    }
    if tables.commits.height() == 0 {
        let selected: usize = outcomes.iter().map(|o| o.statistics.commits_selected).sum();
        let selection = &settings.mining.selection;
        let why = if selected > 0 {
            format!(
                "the filters left out all {selected} commits of the selection (`--explain` lists them)"
            )
        } else if selection.since.is_some() || selection.until.is_some() {
            format!(
                "no commit's author date falls in the window {}",
                window_text(selection.since, selection.until)
            )
        } else {
            "the history holds no commit".to_owned()
        };
        notices.push(Notice::Warning(format!(
            "nothing to analyse: {why}; the results are empty"
        )));
    }
    Ok(History {
        paths,
        outcomes,
        options,
        tables,
        exported,
    })
}

/// A window of author time in words: `all`, `from 2024-01-01`, `until …`, `… .. …`.
fn window_text(since: Option<i64>, until: Option<i64>) -> String {
    match (since, until) {
        (None, None) => "all".to_owned(),
        (Some(since), None) => format!("from {}", format_time(since, 0)),
        (None, Some(until)) => format!("until {}", format_time(until, 0)),
        (Some(since), Some(until)) => {
            format!("{} .. {}", format_time(since, 0), format_time(until, 0))
        }
    }
}

/// The repositories to mine, each once, with names that tell them apart: `--name`, else the
/// repository's own name, else (when two share one) the name of the folder holding it too.
pub(crate) fn repositories(
    settings: &Settings,
    notices: &mut Vec<Notice>,
) -> Result<Vec<(PathBuf, String)>, Error> {
    let mut kept: Vec<(PathBuf, cochange_miner::Identity)> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for repo in &settings.repos {
        let identity = cochange_miner::identify(repo).map_err(|source| Error::Repository {
            what: "mine the history",
            path: repo.clone(),
            source,
        })?;
        if !seen.insert(identity.git_dir.clone()) {
            let first = kept
                .iter()
                .find(|(_, k)| k.git_dir == identity.git_dir)
                .map_or_else(String::new, |(p, _)| p.display().to_string());
            notices.push(Notice::Warning(format!(
                "`{}` is the same repository as `{first}`: it is analysed once",
                repo.display()
            )));
            continue;
        }
        kept.push((repo.clone(), identity));
    }
    let identities: Vec<_> = kept.iter().map(|(_, i)| i.clone()).collect();
    let names = crate::unique_names(&identities, &settings.names);
    for (i, ((repo, identity), name)) in kept.iter().zip(&names).enumerate() {
        if settings.names.get(i).is_none() && *name != identity.name {
            notices.push(Notice::Info(format!(
                "`{}` is named `{name}` in the output: another repository is also called `{}`",
                repo.display(),
                identity.name
            )));
        }
    }
    Ok(kept.into_iter().map(|(r, _)| r).zip(names).collect())
}

/// The entity (newest path) of each path in `tables`, from its newest change: the paths of an
/// older revision are named as the history names them.
pub(crate) fn entity_of_path(tables: &Tables) -> PolarsResult<HashMap<String, String>> {
    let changes = &tables.changes;
    let paths = changes.column(col::PATH)?.str()?;
    let entities = changes.column(col::ENTITY)?.str()?;
    let mut map = HashMap::new();
    for (path, entity) in paths.iter().zip(entities.iter()) {
        if let (Some(path), Some(entity)) = (path, entity) {
            // Changes are newest first: the first seen is the newest.
            map.entry(path.to_owned())
                .or_insert_with(|| entity.to_owned());
        }
    }
    Ok(map)
}

/// Refuses coupling whose self-join would not fit in memory (a huge `--max-changeset-size`).
fn within_budget(tables: &Tables, options: &CouplingOptions) -> Result<(), Error> {
    let rows = crate::pair_rows(tables, &options.grouping, options.max_changeset_size)?;
    if rows > crate::MAX_PAIR_ROWS {
        return Err(Error::Invalid(format!(
            "with `--max-changeset-size {}`, coupling would pair entities {rows} times, more than \
             fits in memory (at most {}): lower `--max-changeset-size` (default 30)",
            options.max_changeset_size,
            crate::MAX_PAIR_ROWS
        )));
    }
    Ok(())
}

/// Files that changed fewer times in the window are left out of the backlog (unless all files are
/// asked for): a file changed once is not a pattern.
const MIN_BACKLOG_REVISIONS: u64 = 2;

/// What a backlog run chose beyond the settings.
#[derive(Debug, Clone, Copy)]
pub struct BacklogChoices<'a> {
    /// Line coverage per file, when given.
    pub coverage: Option<&'a HashMap<String, f64>>,
    /// Months without a commit after which a main developer counts as inactive.
    pub inactive_after: u32,
    /// Rank every file, not only program code outside tests.
    pub all_files: bool,
    /// The function rows that name where a file's changes concentrate; empty names none.
    pub functions: &'a [crate::FunctionRow],
}

/// The analysed history cut at the as-of date, its window and the measured files.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The repositories' names, comma-separated.
    pub repositories: String,
    /// All history up to `as_of`.
    pub upto: Tables,
    /// The window `[from, as_of]`.
    pub windowed: Tables,
    /// The window's start (unix seconds).
    pub from: i64,
    /// The as-of date (unix seconds).
    pub as_of: i64,
    /// The text files of the analysed revision that the filters keep, with their measures
    /// (`None`: the blob is missing).
    pub files: Vec<(String, Option<TextMeasures>)>,
    /// `rev (commit)` per repository, for the output's context.
    pub revisions: Vec<String>,
    /// What was measured and skipped, for the output's context.
    pub statistics: String,
    /// [`Authorship`] of `upto`, read when first asked for (clones share it).
    authorship: Arc<OnceLock<Result<Authorship, String>>>,
}

impl Measured {
    /// Who added the lines of each file up to the as-of date, and when each person was last
    /// active; read once, however many analyses ask.
    pub fn authorship(&self) -> PolarsResult<&Authorship> {
        self.authorship
            .get_or_init(|| Authorship::of(&self.upto).map_err(|err| err.to_string()))
            .as_ref()
            .map_err(|err| PolarsError::ComputeError(err.clone().into()))
    }

    /// Ownership per folder at `depth` of the files at the analysed revision
    /// ([`folder_ownership`](crate::folder_ownership)).
    pub fn folder_ownership(&self, depth: usize) -> PolarsResult<DataFrame> {
        let files: HashSet<&str> = self.files.iter().map(|(p, _)| p.as_str()).collect();
        crate::folder_ownership(self.authorship()?, |e| files.contains(e), depth)
    }

    /// What the numbers cover: repository, revision, window, as-of date, files measured.
    pub fn context(&self) -> Vec<(String, String)> {
        vec![
            ("repository".to_owned(), self.repositories.clone()),
            ("revision".to_owned(), self.revisions.join(", ")),
            ("window".to_owned(), self.window()),
            ("as_of".to_owned(), day(self.as_of)),
            ("files".to_owned(), self.statistics.clone()),
        ]
    }

    /// The window as `YYYY-MM-DD .. YYYY-MM-DD`.
    pub fn window(&self) -> String {
        format!("{} .. {}", day(self.from), day(self.as_of))
    }

    /// Hotspots over the window.
    pub fn hotspots(&self, grouping: &Grouping) -> PolarsResult<DataFrame> {
        crate::hotspots(
            &self.files,
            &self.windowed,
            &self.upto,
            grouping,
            self.as_of,
        )
    }

    /// The backlog over the window, from its hotspots and coupling.
    pub fn backlog(
        &self,
        settings: &Settings,
        hotspots: &DataFrame,
        coupling: &DataFrame,
        choices: &BacklogChoices<'_>,
    ) -> PolarsResult<DataFrame> {
        let BacklogChoices {
            coverage,
            inactive_after,
            all_files,
            functions,
        } = *choices;
        let tests = crate::test_signal(&self.windowed, &settings.grouping, &settings.tests)?;
        let owners = crate::owners(self.authorship()?);
        let change_sets = crate::change_set_count(&self.windowed, &settings.grouping)?;
        let max_changeset_size = settings
            .thresholds
            .max_changeset_size
            .unwrap_or(CouplingOptions::default().max_changeset_size);
        let reach = crate::reach(&self.windowed, &settings.grouping, max_changeset_size)?;
        let fix_pattern = regex::Regex::new(crate::DEFAULT_FIX_PATTERN)
            .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
        let mut fixes: HashMap<String, u64> = HashMap::new();
        for (_, entities) in crate::ranking::fix_commits(&self.windowed, &fix_pattern)? {
            for entity in entities {
                *fixes.entry(entity).or_default() += 1;
            }
        }
        let inline_tests: HashSet<String> = self
            .files
            .iter()
            .filter(|(_, m)| m.is_some_and(|m| m.inline_tests))
            .map(|(p, _)| p.clone())
            .collect();
        crate::backlog(&BacklogInput {
            hotspots,
            coupling,
            tests: &tests,
            coverage,
            owners: &owners,
            test_paths: &settings.tests,
            criticality: &settings.criticality,
            change_sets,
            as_of: self.as_of,
            inactive_after_months: inactive_after,
            all_files,
            min_revisions: if all_files { 1 } else { MIN_BACKLOG_REVISIONS },
            reach: &reach,
            fixes: &fixes,
            inline_tests: &inline_tests,
            functions,
        })
    }

    /// A warning when the files that look like tests are implausibly few or many among the
    /// program files of the revision: the test signal would then mislead.
    pub fn test_share_warning(&self, tests: &TestPaths) -> Option<String> {
        let code: Vec<&str> = self
            .files
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| crate::is_code(crate::language_of(p)))
            .collect();
        let test_files = code.iter().filter(|p| tests.is_test(p)).count();
        let share = test_files as f64 / code.len().max(1) as f64;
        (code.len() >= 50 && !(0.02..=0.7).contains(&share)).then(|| {
            format!(
                "{test_files} of the {} program files look like tests ({:.0} %): the test signal of the backlog may mislead; if tests are named otherwise, list them in `[tests] paths` of .cochange.toml",
                code.len(),
                share * 100.0
            )
        })
    }
}

/// `YYYY-MM-DD` of a unix time (UTC).
pub fn day(seconds: i64) -> String {
    let text = format_time(seconds, 0);
    text[..text.find('T').unwrap_or(text.len())].to_owned()
}
