//! Validated settings built from the raw arguments (ripgrep's `LowArgs` → `HiArgs`).

use std::fmt;
use std::path::PathBuf;

use cochange_miner::{CacheLocation, MineOptions, Options, Selection};
use cochange_report::Format;

use crate::args::{FormatArg, GlobalArgs};

/// A mistake on the command line or in the configuration: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Everything a command needs, checked.
#[derive(Debug)]
pub struct Settings {
    pub repos: Vec<PathBuf>,
    pub options: Options,
    pub format: Format,
    pub top: Option<usize>,
    /// `--as-of` in unix seconds; `None` means the newest analysed commit.
    pub as_of: Option<i64>,
}

impl Settings {
    pub fn from_args(args: &GlobalArgs) -> Result<Settings, UsageError> {
        let now = gix::date::Zoned::now();
        let since = args
            .since
            .as_deref()
            .map(|s| parse_date("--since", s, &now, false))
            .transpose()?;
        let as_of = args
            .as_of
            .as_deref()
            .map(|s| parse_date("--as-of", s, &now, false))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|s| parse_date("--until", s, &now, true))
            .transpose()?;
        if let (Some(since), Some(until)) = (since, until)
            && since > until
        {
            return Err(UsageError(format!(
                "`--since {}` is after `--until {}`: no commit can match",
                args.since.as_deref().unwrap_or_default(),
                args.until.as_deref().unwrap_or_default()
            )));
        }
        if args.threads == Some(0) {
            return Err(UsageError("`--threads` must be at least 1".into()));
        }
        let cache = if args.no_cache {
            CacheLocation::Disabled
        } else {
            args.cache_dir
                .clone()
                .or_else(default_cache_dir)
                .map_or(CacheLocation::Disabled, CacheLocation::Dir)
        };
        let repos = if args.repo.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.repo.clone()
        };
        Ok(Settings {
            repos,
            options: Options {
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
            },
            format: match args.format {
                FormatArg::Table => Format::Table,
                FormatArg::Csv => Format::Csv,
                FormatArg::Json => Format::Json,
                FormatArg::Md => Format::Markdown,
            },
            top: args.top,
            as_of,
        })
    }

    /// The effective settings, for `--explain`.
    pub fn explain(&self) -> String {
        let o = &self.options;
        let date = |t: Option<i64>| {
            t.map_or_else(|| "-".to_owned(), |t| cochange_analysis::format_time(t, 0))
        };
        let cache = match &o.cache {
            CacheLocation::Disabled => "off".to_owned(),
            CacheLocation::Dir(dir) => format!("`{}`", dir.display()),
        };
        let revs = if o.selection.all {
            "all references".to_owned()
        } else if o.selection.revs.is_empty() {
            "HEAD".to_owned()
        } else {
            o.selection.revs.join(", ")
        };
        format!(
            "settings:\n  repositories: {}\n  start: {revs}\n  window (author time): {} .. {}\n  as of: {}\n  first parent only: {}\n  renames: {}\n  line counts: {}\n  cache: {cache}\n  threads: {}",
            self.repos
                .iter()
                .map(|r| format!("`{}`", r.display()))
                .collect::<Vec<_>>()
                .join(", "),
            date(o.selection.since),
            date(o.selection.until),
            self.as_of.map_or_else(
                || "the newest analysed commit".to_owned(),
                |t| cochange_analysis::format_time(t, 0)
            ),
            o.mine.first_parent,
            if o.mine.renames {
                "detected (similarity >= 50%)"
            } else {
                "off"
            },
            if o.mine.line_counts { "on" } else { "off" },
            if o.threads == 0 {
                "one per core".to_owned()
            } else {
                o.threads.to_string()
            },
        )
    }
}

/// `$COCHANGE_CACHE_DIR`, else `$XDG_CACHE_HOME/cochange`, else `~/.cache/cochange`.
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
