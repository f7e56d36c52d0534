//! Turning what a user chose into settings: the config file found, the change-set grouping and
//! the cache folder. Kept here so that every front end reads them the same way.

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::changesets::{DEFAULT_TICKET_PATTERN, Grouping};
use crate::config::{CONFIG_FILE, ConfigFile, parse_config};
use crate::session::Error;
use cochange_miner::CacheLocation;

/// Ways of forming change sets (docs/metrics.md, *Change sets*); [`grouping`] gives each its
/// parameters. The variants' docs are the `--group-by` help of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum GroupBy {
    /// One non-merge commit is one change set.
    Commit,
    /// A merge on the first-parent line, with every commit it brought in, is one change set;
    /// other first-parent commits are their own.
    Pr,
    /// Commits whose messages name the same ticket (`[ticket] pattern` in the config, default
    /// `[A-Z][A-Z0-9]+-[0-9]+`) are one change set; others are their own.
    Ticket,
    /// One author's commits within `--window-days` of the set's first commit are one change set,
    /// across repositories.
    AuthorDay,
}

/// `group_by` with its parameters: the window (`window_days`, else the config's, else 1 day) and
/// the ticket pattern (the config's, else [`DEFAULT_TICKET_PATTERN`]).
pub fn grouping(
    group_by: GroupBy,
    window_days: Option<u32>,
    config: &ConfigFile,
) -> Result<Grouping, Error> {
    let days = window_days.or(config.window_days).unwrap_or(1);
    if days == 0 {
        return Err(Error::Invalid("`--window-days` must be at least 1".into()));
    }
    Ok(match group_by {
        GroupBy::Commit => Grouping::Commit,
        GroupBy::Pr => Grouping::PullRequest,
        GroupBy::AuthorDay => Grouping::AuthorWindow { days },
        GroupBy::Ticket => Grouping::Ticket(match &config.ticket {
            Some(pattern) => pattern.clone(),
            None => Regex::new(DEFAULT_TICKET_PATTERN)
                .map_err(|e| Error::Invalid(format!("the default ticket pattern: {e}")))?,
        }),
    })
}

/// Reads `explicit` (`--config`), or else `.cochange.toml` at the root of `repo`'s work tree when
/// there is one.
pub fn read_config(explicit: Option<&Path>, repo: &Path) -> Result<Option<ConfigFile>, Error> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => match cochange_miner::work_tree(repo) {
            Some(root) if root.join(CONFIG_FILE).is_file() => root.join(CONFIG_FILE),
            _ => return Ok(None),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|err| {
        Error::Invalid(format!(
            "cannot read the config file `{}`: {err}",
            path.display()
        ))
    })?;
    parse_config(&path, &text)
        .map(Some)
        .map_err(|err| Error::Invalid(err.to_string()))
}

/// The cache folder: `explicit` (`--cache-dir`), else `$COCHANGE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/cochange`, else `~/.cache/cochange`; disabled with `no_cache` or when no
/// folder can be named. Never inside one of `repos`, which cochange only reads.
pub fn cache_location(
    explicit: Option<&Path>,
    no_cache: bool,
    repos: &[PathBuf],
) -> Result<CacheLocation, Error> {
    let Some(dir) = explicit.map(Path::to_path_buf).or_else(default_cache_dir) else {
        return Ok(CacheLocation::Disabled);
    };
    if no_cache {
        return Ok(CacheLocation::Disabled);
    }
    for repo in repos {
        if let Some(folder) = cochange_miner::repository_holding(repo, &dir) {
            let named = if explicit.is_some() {
                format!("`--cache-dir {}`", dir.display())
            } else {
                format!("the cache folder `{}`", dir.display())
            };
            return Err(Error::Invalid(format!(
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
