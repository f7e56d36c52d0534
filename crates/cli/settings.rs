//! Validated settings built from the raw arguments and the config file (ripgrep's `LowArgs` →
//! `HiArgs`).

use std::fmt;
use std::path::{Path, PathBuf};

use cochange_analysis::{
    CheckRules, ConfigFile, DateArgs, Dates, FilterSpec, Filters, Settings as AnalysisSettings,
};
use cochange_miner::{MineOptions, Selection};

use crate::args::{Command, GlobalArgs};

/// A mistake on the command line or in the configuration: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl From<cochange_analysis::Error> for UsageError {
    fn from(err: cochange_analysis::Error) -> Self {
        UsageError(err.to_string())
    }
}

/// Everything a command needs, checked: the libraries' settings and how to print.
#[derive(Debug)]
pub struct Settings {
    /// What the analyses need.
    pub analysis: AnalysisSettings,
    pub format: cochange_report::Format,
    pub top: Option<usize>,
    /// `[check]` of the config.
    pub check: CheckRules,
    /// Whether `--explain` was given.
    pub explain: bool,
    /// The effective settings, as `--explain` prints them and the report lists them.
    pub explained: Vec<(String, String)>,
    /// The config file read, if any.
    pub config: Option<PathBuf>,
}

/// Refuses options that `command` would ignore with `export` or `--tables`
/// ([`cochange_analysis::check_unusable`] says which and why).
pub fn refuse_unused(command: &Command, args: &GlobalArgs) -> Result<(), UsageError> {
    let reads_a_change = match command {
        Command::Impact(args) => args.paths.is_empty(),
        Command::Check(args) => args.change.source().is_some(),
        _ => false,
    };
    cochange_analysis::check_unusable(&cochange_analysis::Unusable {
        export: matches!(command, Command::Export(_)),
        tables: args.tables.is_some(),
        filters: &[
            (!args.include.is_empty(), "--include"),
            (!args.exclude.is_empty(), "--exclude"),
            (!args.author.is_empty(), "--author"),
            (!args.exclude_author.is_empty(), "--exclude-author"),
            (args.as_of.is_some(), "--as-of"),
        ],
        walk: !args.rev.is_empty() || args.all,
        reads_a_change,
        mines: matches!(command, Command::Mine),
        needs_files: match command {
            Command::Deps(_) => Some("`deps`"),
            Command::Tables(_) => Some("`tables`"),
            Command::Knowledge(_) => Some("`knowledge`"),
            Command::Xray(_) => Some("the X-ray"),
            _ => None,
        },
        output: args.output.as_deref(),
    })?;
    Ok(())
}

impl Settings {
    /// Checks the arguments and reads the config file. `code_maat` is whether the command asked
    /// for code-maat's semantics, which turns the default excludes off; `at` is its `--at`.
    pub fn from_args(
        args: &GlobalArgs,
        code_maat: bool,
        at: Option<&str>,
    ) -> Result<Settings, UsageError> {
        let dates = cochange_analysis::dates(
            DateArgs {
                since: args.since.as_deref(),
                until: args.until.as_deref(),
                as_of: args.as_of.as_deref(),
            },
            &cochange_miner::Zoned::now(),
        )?;
        cochange_analysis::check_walk(args.threads, &args.rev, at)?;
        // With `--tables`, names pick repositories of the export: any number of them.
        let named = match args.tables {
            Some(_) => args.name.len(),
            None => args.repo.len(),
        };
        cochange_analysis::check_names(&args.name, named)?;
        let config = cochange_analysis::read_config(
            args.config.as_deref(),
            args.repo.first().map_or(Path::new("."), PathBuf::as_path),
        )?;
        // With `--tables` no repository is read.
        let repos = match (&args.tables, args.repo.is_empty()) {
            (Some(_), _) => Vec::new(),
            (None, true) => vec![PathBuf::from(".")],
            (None, false) => args.repo.clone(),
        };
        let empty = ConfigFile::default();
        let file = config.as_ref().unwrap_or(&empty);
        let (filters, explained_filters) = Filters::build(&FilterSpec {
            defaults: !args.no_default_excludes && !code_maat,
            include: &args.include,
            exclude: &args.exclude,
            config_exclude: &file.exclude_paths,
            author: &args.author,
            exclude_author: &args.exclude_author,
            config_exclude_author: &file.exclude_authors,
        })?;
        let cache =
            cochange_analysis::cache_location(args.cache_dir.as_deref(), args.no_cache, &repos)?;
        let analysis = AnalysisSettings {
            repos,
            tables: args.tables.clone(),
            names: args.name.clone(),
            mining: mining_options(args, dates, cache),
            as_of: dates.as_of,
            filters,
            grouping: cochange_analysis::grouping(args.group_by, args.window_days, file)?,
            thresholds: file.thresholds,
            tests: file.tests.clone(),
            criticality: file.criticality.clone(),
            components: file.components.clone(),
            teams: file.teams.clone(),
            boundaries: file.boundaries.clone(),
            releases: file.releases.clone(),
        };
        let mut explained = analysis.describe();
        explained.push((
            "config".into(),
            config
                .as_ref()
                .map_or_else(|| "none".to_owned(), |c| format!("`{}`", c.path.display())),
        ));
        explained.extend(explained_filters);
        explained.push(("change sets".into(), analysis.grouping.describe()));
        Ok(Settings {
            analysis,
            format: args.format,
            top: args.top.map(|n| n as usize),
            check: file.check.clone(),
            explain: args.explain,
            explained,
            config: config.map(|c| c.path),
        })
    }

    /// The effective settings, for `--explain`.
    pub fn explain(&self) -> String {
        let lines: Vec<String> = self
            .explained
            .iter()
            .map(|(key, value)| format!("  {key}: {value}"))
            .collect();
        format!("settings:\n{}", lines.join("\n"))
    }
}

/// How to mine and what to select, from the arguments (the session asks for line origins).
fn mining_options(
    args: &GlobalArgs,
    dates: Dates,
    cache: cochange_miner::CacheLocation,
) -> cochange_miner::Options {
    cochange_miner::Options {
        mine: MineOptions {
            first_parent: args.first_parent,
            renames: !args.no_renames,
            line_counts: !args.no_line_counts,
        },
        selection: Selection {
            revs: args.rev.clone(),
            all: args.all,
            since: dates.since,
            until: dates.until,
        },
        cache,
        threads: args.threads.unwrap_or(0),
        name: None,
        origins: None,
    }
}
