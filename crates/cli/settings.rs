//! Validated settings built from the raw arguments and the config file (ripgrep's `LowArgs` →
//! `HiArgs`).

use std::fmt;
use std::path::{Path, PathBuf};

use cochange_analysis::{
    CONFIG_FILE, CheckRules, ConfigFile, DEFAULT_TICKET_PATTERN, FilterSpec, Filters, Grouping,
    Settings as AnalysisSettings,
};
use cochange_miner::{CacheLocation, MineOptions, Selection};
use cochange_report::Format;
use regex::Regex;

use crate::args::{FormatArg, GlobalArgs, GroupBy};

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
    pub format: Format,
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
            text.as_deref()
                .map(|t| parse_date(flag, t, &now, end_of_day))
                .transpose()
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
        let config = load_config(args.config.as_deref(), &repos[0])?;
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
        let cache = cache_location(args, &repos)?;
        let analysis = AnalysisSettings {
            repos,
            names: args.name.clone(),
            mining: mining_options(args, since, until, cache),
            as_of,
            filters,
            grouping: grouping(args, file)?,
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
            format: match args.format {
                FormatArg::Table => Format::Table,
                FormatArg::Csv => Format::Csv,
                FormatArg::Json => Format::Json,
                FormatArg::Md => Format::Markdown,
                FormatArg::Dot => Format::Dot,
                FormatArg::Graphml => Format::GraphMl,
                FormatArg::Sarif => Format::Sarif,
            },
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

/// Reads `explicit` (`--config`), or else `.cochange.toml` at the root of the first repository's
/// work tree when there is one.
fn load_config(explicit: Option<&Path>, repo: &Path) -> Result<Option<ConfigFile>, UsageError> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => match cochange_miner::work_tree(repo) {
            Some(root) if root.join(CONFIG_FILE).is_file() => root.join(CONFIG_FILE),
            _ => return Ok(None),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|err| {
        UsageError(format!(
            "cannot read the config file `{}`: {err}",
            path.display()
        ))
    })?;
    cochange_analysis::parse_config(&path, &text)
        .map(Some)
        .map_err(|err| UsageError(err.to_string()))
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

fn grouping(args: &GlobalArgs, config: &ConfigFile) -> Result<Grouping, UsageError> {
    let days = args.window_days.or(config.window_days).unwrap_or(1);
    if days == 0 {
        return Err(UsageError("`--window-days` must be at least 1".into()));
    }
    Ok(match args.group_by {
        GroupBy::Commit => Grouping::Commit,
        GroupBy::Pr => Grouping::PullRequest,
        GroupBy::AuthorDay => Grouping::AuthorWindow { days },
        GroupBy::Ticket => Grouping::Ticket(match &config.ticket {
            Some(pattern) => pattern.clone(),
            None => Regex::new(DEFAULT_TICKET_PATTERN)
                .map_err(|e| UsageError(format!("the default ticket pattern: {e}")))?,
        }),
    })
}

/// `$COCHANGE_CACHE_DIR`, else `$XDG_CACHE_HOME/cochange`, else `~/.cache/cochange`.
/// The cache folder: `--cache-dir`, else the default; never inside an analysed repository, which
/// cochange only reads.
fn cache_location(args: &GlobalArgs, repos: &[PathBuf]) -> Result<CacheLocation, UsageError> {
    let Some(dir) = args.cache_dir.clone().or_else(default_cache_dir) else {
        return Ok(CacheLocation::Disabled);
    };
    if args.no_cache {
        return Ok(CacheLocation::Disabled);
    }
    for repo in repos {
        if let Some(folder) = cochange_miner::repository_holding(repo, &dir) {
            let named = if args.cache_dir.is_some() {
                format!("`--cache-dir {}`", dir.display())
            } else {
                format!("the cache folder `{}`", dir.display())
            };
            return Err(UsageError(format!(
                "{named} is inside the analysed repository `{}`, which cochange never writes to; \
                 choose a folder outside it, or `--no-cache`",
                folder.display()
            )));
        }
    }
    Ok(CacheLocation::Dir(dir))
}

fn default_cache_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("COCHANGE_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("cochange")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("cochange")))
}

fn parse_date(
    flag: &str,
    text: &str,
    now: &gix::date::Zoned,
    end_of_day: bool,
) -> Result<i64, UsageError> {
    let time = gix::date::parse(text, Some(now.clone())).map_err(|_| {
        UsageError(format!(
            "`{flag} {text}` is not a date: use `YYYY-MM-DD`, ISO 8601, `@<unix seconds>` or `6 months ago`"
        ))
    })?;
    let date_only = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    Ok(if end_of_day && date_only {
        time.seconds + 86_399
    } else {
        time.seconds
    })
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
