//! Validated settings built from the raw arguments and the config file (ripgrep's `LowArgs` →
//! `HiArgs`).

use std::fmt;
use std::path::PathBuf;

use cochange_analysis::{
    CheckRules, ConfigFile, FilterSpec, Filters, Settings as AnalysisSettings,
};
use cochange_miner::{MineOptions, Selection};

use crate::args::GlobalArgs;

/// More threads than this are refused: each holds a pack cache, and the work never needs them.
const MAX_THREADS: usize = 1024;

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

impl Settings {
    /// Checks the arguments and reads the config file. `code_maat` is whether the command asked
    /// for code-maat's semantics, which turns the default excludes off.
    pub fn from_args(args: &GlobalArgs, code_maat: bool) -> Result<Settings, UsageError> {
        let now = gix::date::Zoned::now();
        let date = |flag, text: &Option<String>, end_of_day| {
            let Some(text) = text.as_deref() else {
                return Ok(None);
            };
            cochange_miner::parse_date(text, &now, end_of_day).map(Some).ok_or_else(|| UsageError(format!(
                "`{flag} {text}` is not a date: use `YYYY-MM-DD`, ISO 8601, `@<unix seconds>` or `6 months ago`"
            )))
        };
        let since = date("--since", &args.since, false)?;
        let as_of = date("--as-of", &args.as_of, false)?;
        let until = date("--until", &args.until, true)?;
        if let (Some(since), Some(until)) = (since, until)
            && since > until
        {
            return Err(UsageError(format!(
                "`--since {}` is after `--until {}`: no commit can match",
                args.since.as_deref().unwrap_or_default(),
                args.until.as_deref().unwrap_or_default()
            )));
        }
        if let (Some(since), Some(as_of)) = (since, as_of)
            && as_of < since
        {
            return Err(UsageError(format!(
                "`--as-of {}` is before `--since {}`: the window would end before it starts",
                args.as_of.as_deref().unwrap_or_default(),
                args.since.as_deref().unwrap_or_default()
            )));
        }
        check_counts_and_names(args)?;
        let repos = if args.repo.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.repo.clone()
        };
        let config = cochange_analysis::read_config(args.config.as_deref(), &repos[0])?;
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
            names: args.name.clone(),
            mining: mining_options(args, since, until, cache),
            as_of,
            filters,
            grouping: cochange_analysis::grouping(args.group_by, args.window_days, file)?,
            thresholds: file.thresholds,
            tests: file.tests.clone(),
            criticality: file.criticality.clone(),
            components: file.components.clone(),
            teams: file.teams.clone(),
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

/// The options that are checked on their own: thread count, revisions, names.
fn check_counts_and_names(args: &GlobalArgs) -> Result<(), UsageError> {
    let refuse = |message: String| Err(UsageError(message));
    match args.threads {
        Some(0) => return refuse("`--threads` must be at least 1".into()),
        Some(n) if n > MAX_THREADS => {
            return refuse(format!(
                "`--threads {n}` is more than cochange starts (at most {MAX_THREADS}); the default is one per core"
            ));
        }
        _ => {}
    }
    if let Some(rev) = args.rev.iter().find(|r| r.contains("..")) {
        let tip = rev.rsplit("..").next().filter(|t| !t.is_empty());
        return refuse(format!(
            "`--rev {rev}`: ranges are not supported; give the newest commit (`--rev {}`) and bound the history with `--since`",
            tip.unwrap_or("HEAD")
        ));
    }
    Ok(cochange_analysis::check_names(&args.name, args.repo.len())?)
}

/// How to mine and what to select, from the arguments (the session asks for line origins).
fn mining_options(
    args: &GlobalArgs,
    since: Option<i64>,
    until: Option<i64>,
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
            since,
            until,
        },
        cache,
        threads: args.threads.unwrap_or(0),
        name: None,
        origins: None,
    }
}
