//! Turning what a user chose into settings: the dates, the walk, the config file found, the
//! change-set grouping and the cache folder. Kept here so that every front end reads them the same way.

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
    if cochange_miner::export::is_url(&dir) {
        return Err(Error::Invalid(format!(
            "the cache folder `{}` is a URL: the cache is a local folder (`--cache-dir DIR`, `COCHANGE_CACHE_DIR`)",
            dir.display()
        )));
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

/// `--since`, `--until` and `--as-of` as the user typed them.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateArgs<'a> {
    /// `--since`: the oldest commit date kept.
    pub since: Option<&'a str>,
    /// `--until`: the newest commit date kept.
    pub until: Option<&'a str>,
    /// `--as-of`: the end of the analysis window.
    pub as_of: Option<&'a str>,
}

/// The dates of [`DateArgs`] in seconds since the epoch, checked against each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dates {
    /// The start of `--since`'s day or moment.
    pub since: Option<i64>,
    /// The last second of `--until`'s day, or its moment.
    pub until: Option<i64>,
    /// The moment of `--as-of`.
    pub as_of: Option<i64>,
}

/// Parses the dates relative to `now` (an `--until` day runs to its last second) and refuses a
/// window that cannot hold a commit.
pub fn dates(args: DateArgs<'_>, now: &cochange_miner::Zoned) -> Result<Dates, Error> {
    let parse = |flag, text: Option<&str>, end_of_day| {
        let Some(text) = text else { return Ok(None) };
        cochange_miner::parse_date(text, now, end_of_day)
            .map(Some)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "`{flag} {text}` is not a date: use `YYYY-MM-DD`, ISO 8601, `@<unix seconds>` or `6 months ago`"
                ))
            })
    };
    let dates = Dates {
        since: parse("--since", args.since, false)?,
        until: parse("--until", args.until, true)?,
        as_of: parse("--as-of", args.as_of, false)?,
    };
    let text = |t: Option<&str>| t.unwrap_or_default().to_owned();
    if let (Some(since), Some(until)) = (dates.since, dates.until)
        && since > until
    {
        return Err(Error::Invalid(format!(
            "`--since {}` is after `--until {}`: no commit can match",
            text(args.since),
            text(args.until)
        )));
    }
    if let (Some(since), Some(as_of)) = (dates.since, dates.as_of)
        && as_of < since
    {
        return Err(Error::Invalid(format!(
            "`--as-of {}` is before `--since {}`: the window would end before it starts",
            text(args.as_of),
            text(args.since)
        )));
    }
    Ok(dates)
}

/// What a command line asks of `export` or of exported tables (`--tables`) that they cannot
/// honour, for [`check_unusable`].
#[derive(Debug, Clone, Copy)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one field per thing a command line asks"
)]
pub struct Unusable<'a> {
    /// The command is `export`.
    pub export: bool,
    /// The history is read from exported tables.
    pub tables: bool,
    /// Each filter option (`--include`, `--exclude`, `--author`, `--exclude-author`, `--as-of`):
    /// whether it was given, and its flag.
    pub filters: &'a [(bool, &'a str)],
    /// `--rev` or `--all` was given.
    pub walk: bool,
    /// The command reads a change from a repository (`--diff`, `--staged`, the work tree).
    pub reads_a_change: bool,
    /// The command is `mine`.
    pub mines: bool,
    /// The command, named as a refusal names it (`deps`, the X-ray…), when it reads the
    /// repository's files.
    pub needs_files: Option<&'a str>,
    /// Where the output goes (`--output`), if not to stdout.
    pub output: Option<&'a Path>,
}

/// Refuses what `export` and exported tables would ignore: filters on `export` (it writes the
/// whole mined history; filters apply when the export is analysed), and with `--tables` a walk's
/// start, mining, or a change read from a repository.
pub fn check_unusable(asked: &Unusable<'_>) -> Result<(), Error> {
    let refuse = |message: String| Err(Error::Invalid(message));
    if asked.output.is_some_and(cochange_miner::export::is_url) {
        return refuse(format!(
            "`--output` is a URL: cochange writes a local file or folder; copy it to the store afterwards ({})",
            cochange_miner::export::COPY_TO_STORE
        ));
    }
    if asked.export
        && let Some((_, flag)) = asked.filters.iter().find(|(given, _)| *given)
    {
        return refuse(format!(
            "`export` writes the whole mined history, unfiltered: give `{flag}` when analysing the export (`--tables DIR {flag} …`)"
        ));
    }
    if !asked.tables {
        return Ok(());
    }
    if asked.walk {
        return refuse(
            "`--rev` and `--all` choose where a repository's walk starts; exported tables hold the history they were exported with (select with `--since`/`--until`, or export with `--rev`)".into(),
        );
    }
    if asked.reads_a_change {
        return refuse(
            "a change (`--diff`, `--staged`, the work tree) is read from a repository, not from exported tables: run it with `--repo`".into(),
        );
    }
    if asked.mines {
        return refuse("`mine` reads repositories; exported tables are already mined (`summary --tables DIR` describes them)".into());
    }
    if let Some(what) = asked.needs_files {
        return Err(crate::session::needs_files(what));
    }
    Ok(())
}

/// More threads than this are refused: each holds a pack cache, and the work never needs them.
const MAX_THREADS: usize = 1024;

/// Refuses options that do not fit how mining walks: a thread count of 0 or above
/// 1 024, a revision range where a revision belongs (`--rev A..B`, `--at A..B`).
pub fn check_walk(threads: Option<usize>, revs: &[String], at: Option<&str>) -> Result<(), Error> {
    match threads {
        Some(0) => return Err(Error::Invalid("`--threads` must be at least 1".into())),
        Some(n) if n > MAX_THREADS => {
            return Err(Error::Invalid(format!(
                "`--threads {n}` is more than cochange starts (at most {MAX_THREADS}); the default is one per core"
            )));
        }
        _ => {}
    }
    if let Some(rev) = revs.iter().find(|r| r.contains("..")) {
        let tip = rev.rsplit("..").next().filter(|t| !t.is_empty());
        return Err(Error::Invalid(format!(
            "`--rev {rev}`: ranges are not supported; give the newest commit (`--rev {}`) and bound the history with `--since`",
            tip.unwrap_or("HEAD")
        )));
    }
    if let Some(at) = at.filter(|at| at.contains("..")) {
        return Err(Error::Invalid(format!(
            "`--at {at}`: give one revision, the one whose files are measured, not a range"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(export: bool, tables: bool) -> Unusable<'static> {
        Unusable {
            export,
            tables,
            filters: &[(false, "--include"), (true, "--exclude")],
            walk: false,
            reads_a_change: false,
            mines: false,
            needs_files: None,
            output: None,
        }
    }

    #[test]
    fn export_refuses_filters_and_tables_refuse_what_needs_a_repository() {
        let refused = |asked: Unusable<'_>| match check_unusable(&asked) {
            Err(Error::Invalid(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert!(refused(asked(true, false)).contains("give `--exclude` when analysing the export"));
        // A filter is what an analysis of tables is for.
        assert!(check_unusable(&asked(false, true)).is_ok());
        for (walk, reads_a_change, mines, says) in [
            (true, false, false, "`--rev` and `--all`"),
            (false, true, false, "a change"),
            (false, false, true, "`mine` reads repositories"),
        ] {
            let message = refused(Unusable {
                walk,
                reads_a_change,
                mines,
                ..asked(false, true)
            });
            assert!(message.starts_with(says), "{message}");
        }
        let files = refused(Unusable {
            needs_files: Some("`deps`"),
            ..asked(false, true)
        });
        assert!(
            files.starts_with("`deps` reads the repository's files"),
            "{files}"
        );
        // Without `--tables` nothing of that is refused.
        assert!(
            check_unusable(&Unusable {
                walk: true,
                mines: true,
                needs_files: Some("`deps`"),
                ..asked(false, false)
            })
            .is_ok()
        );
        // Outputs are local, whatever is read.
        let output = refused(Unusable {
            output: Some(Path::new("s3://bucket/report")),
            ..asked(false, false)
        });
        assert!(output.starts_with("`--output` is a URL"), "{output}");
    }
}
