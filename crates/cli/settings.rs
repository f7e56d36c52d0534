//! Validated settings built from the raw arguments (ripgrep's `LowArgs` → `HiArgs`).

use std::fmt;
use std::path::PathBuf;

use cochange_analysis::{
    Criticality, DEFAULT_AUTHOR_EXCLUDE, DEFAULT_PATH_EXCLUDES, DEFAULT_TICKET_PATTERN, Filters,
    Grouping, Member, Teams, TestPaths, glob_set, path_glob,
};
use cochange_miner::{CacheLocation, MineOptions, Options, Selection};
use cochange_report::Format;
use regex::Regex;

use crate::args::{FormatArg, GlobalArgs, GroupBy};
use crate::config::{self, Thresholds};

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

/// Everything a command needs, checked.
#[derive(Debug)]
pub struct Settings {
    pub repos: Vec<PathBuf>,
    /// `--name`, in the order of `repos` (possibly fewer).
    pub names: Vec<String>,
    pub options: Options,
    pub format: Format,
    pub top: Option<usize>,
    /// `--as-of` in unix seconds; `None` means the newest analysed commit.
    pub as_of: Option<i64>,
    /// Path and author filters every analysis runs after.
    pub filters: Filters,
    /// How commits form change sets.
    pub grouping: Grouping,
    /// `[thresholds]` of the config file; the command line overrides each.
    pub thresholds: Thresholds,
    /// Which files are tests (`[tests] paths`, else the default conventions).
    pub tests: TestPaths,
    /// `[criticality]` weights.
    pub criticality: Criticality,
    /// `[components]` of the config, unparsed until a command needs components.
    pub components: Option<config::SourcedTable>,
    /// `[teams]` of the config.
    pub teams: Teams,
    /// `--format sarif` (which only `check` accepts).
    pub sarif: bool,
    /// `[check]` of the config.
    pub check: cochange_report::CheckRules,
    /// Whether `--explain` was given.
    pub explain: bool,
    /// What `--explain` says about the config, the filters and the change sets.
    explained_filters: Vec<String>,
}

impl Settings {
    /// Checks the arguments and reads the config file. `code_maat` is whether the command asked
    /// for code-maat's semantics, which turns the default excludes off.
    pub fn from_args(args: &GlobalArgs, code_maat: bool) -> Result<Settings, UsageError> {
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
        check_counts_and_names(args)?;
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
        let loaded = config::load(args.config.as_deref(), &repos[0])?;
        let mut explained_filters = vec![format!(
            "config: {}",
            loaded
                .source
                .as_ref()
                .map_or_else(|| "none".to_owned(), |s| format!("`{}`", s.path.display()))
        )];
        let filters = filters(args, code_maat, &loaded, &mut explained_filters)?;
        let grouping = grouping(args, &loaded, &mut explained_filters)?;
        let (tests, criticality) = tests_and_criticality(&loaded)?;
        let components = loaded.components();
        let teams = teams(&loaded)?;
        Ok(Settings {
            sarif: args.format == FormatArg::Sarif,
            check: check_rules(&loaded.config.check),
            teams,
            tests,
            criticality,
            components,
            explain: args.explain,
            filters,
            grouping,
            thresholds: loaded.config.thresholds,
            explained_filters,
            names: args.name.clone(),
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
                name: None,
            },
            format: match args.format {
                FormatArg::Table => Format::Table,
                FormatArg::Csv => Format::Csv,
                // Only `check` writes SARIF (see `sarif`); elsewhere it is refused.
                FormatArg::Json | FormatArg::Sarif => Format::Json,
                FormatArg::Md => Format::Markdown,
                FormatArg::Dot => Format::Dot,
                FormatArg::Graphml => Format::GraphMl,
            },
            top: args.top,
            as_of,
        })
    }

    /// The effective settings, for `--explain`.
    pub fn explain(&self) -> String {
        let mut text = self.explain_mining();
        for line in &self.explained_filters {
            text.push_str("\n  ");
            text.push_str(line);
        }
        text
    }

    fn explain_mining(&self) -> String {
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

/// The options that are checked on their own: thread count, revisions, names.
fn check_counts_and_names(args: &GlobalArgs) -> Result<(), UsageError> {
    match args.threads {
        Some(0) => return Err(UsageError("`--threads` must be at least 1".into())),
        Some(n) if n > MAX_THREADS => {
            return Err(UsageError(format!(
                "`--threads {n}` is more than cochange starts (at most {MAX_THREADS}); the default is one per core"
            )));
        }
        _ => {}
    }
    if let Some(rev) = args.rev.iter().find(|r| r.contains("..")) {
        return Err(UsageError(format!(
            "`--rev {rev}`: ranges are not supported; give the newest commit (`--rev {}`) and bound the history with `--since`",
            rev.rsplit("..")
                .next()
                .filter(|tip| !tip.is_empty())
                .unwrap_or("HEAD")
        )));
    }
    if args.name.len() > args.repo.len().max(1) {
        return Err(UsageError(format!(
            "{} `--name` given for {} repositories: give one per `--repo`, in the same order",
            args.name.len(),
            args.repo.len().max(1)
        )));
    }
    if let Some(name) = args
        .name
        .iter()
        .find(|n| n.is_empty() || n.contains(['/', '\\']))
    {
        return Err(UsageError(format!(
            "`--name {name}`: a name must be non-empty and without `/`"
        )));
    }
    Ok(())
}

/// Builds the path and author filters: defaults (unless turned off), then `[exclude]` from the
/// config, then the command line.
fn filters(
    args: &GlobalArgs,
    code_maat: bool,
    loaded: &config::Loaded,
    explained: &mut Vec<String>,
) -> Result<Filters, UsageError> {
    let defaults = !args.no_default_excludes && !code_maat;
    let section = &loaded.config.exclude;
    let mut excludes = Vec::new();
    let mut excluded_names = Vec::new();
    if defaults {
        excludes.extend(
            DEFAULT_PATH_EXCLUDES.iter().map(|p| {
                path_glob(p).map_err(|e| UsageError(format!("default exclude `{p}`: {e}")))
            }),
        );
        excluded_names.push(format!(
            "the defaults ({})",
            DEFAULT_PATH_EXCLUDES.join(" ")
        ));
    }
    if let Some(source) = &loaded.source {
        for pattern in &section.paths {
            excludes.push(path_glob(pattern.get_ref()).map_err(|e| {
                source.error(
                    pattern.span(),
                    format!(
                        "`{}` in [exclude] paths is not a valid glob: {e}",
                        pattern.get_ref()
                    ),
                )
            }));
            excluded_names.push(pattern.get_ref().clone());
        }
    }
    for pattern in &args.exclude {
        excludes
            .push(path_glob(pattern).map_err(|e| {
                UsageError(format!("`--exclude {pattern}` is not a valid glob: {e}"))
            }));
        excluded_names.push(pattern.clone());
    }
    let includes = args
        .include
        .iter()
        .map(|pattern| {
            path_glob(pattern)
                .map_err(|e| UsageError(format!("`--include {pattern}` is not a valid glob: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let set = |globs: Vec<globset::Glob>| {
        glob_set(globs).map_err(|e| UsageError(format!("cannot combine the globs: {e}")))
    };
    let exclude = excludes.into_iter().collect::<Result<Vec<_>, _>>()?;
    let exclude = if exclude.is_empty() {
        None
    } else {
        Some(set(exclude)?)
    };
    let include = if includes.is_empty() {
        None
    } else {
        Some(set(includes)?)
    };

    explained.push(format!(
        "paths included: {}",
        if args.include.is_empty() {
            "all".to_owned()
        } else {
            args.include.join(" ")
        }
    ));
    explained.push(format!(
        "paths excluded: {}",
        if excluded_names.is_empty() {
            "none".to_owned()
        } else {
            excluded_names.join(", ")
        }
    ));
    let (author, exclude_author) = author_filters(args, defaults, loaded, explained)?;
    Ok(Filters {
        include,
        exclude,
        author,
        exclude_author,
    })
}

/// The author filters: `--author`, and the excludes (the bot pattern unless turned off, then
/// `[exclude] authors`, then `--exclude-author`).
fn author_filters(
    args: &GlobalArgs,
    defaults: bool,
    loaded: &config::Loaded,
    explained: &mut Vec<String>,
) -> Result<(Option<Regex>, Option<Regex>), UsageError> {
    let section = &loaded.config.exclude;
    let mut author_excludes = Vec::new();
    if defaults {
        author_excludes.push(DEFAULT_AUTHOR_EXCLUDE.to_owned());
    }
    if let Some(source) = &loaded.source {
        for pattern in &section.authors {
            Regex::new(pattern.get_ref()).map_err(|e| {
                source.error(
                    pattern.span(),
                    format!(
                        "`{}` in [exclude] authors is not a valid regular expression: {}",
                        pattern.get_ref(),
                        one_line(&e)
                    ),
                )
            })?;
            author_excludes.push(pattern.get_ref().clone());
        }
    }
    author_excludes.extend(args.exclude_author.iter().cloned());
    let exclude_author = any_of("--exclude-author", &author_excludes)?;
    let author = any_of("--author", &args.author)?;

    explained.push(format!(
        "authors: {}; excluded: {}",
        if args.author.is_empty() {
            "all".to_owned()
        } else {
            args.author.join(" or ")
        },
        if author_excludes.is_empty() {
            "none".to_owned()
        } else {
            author_excludes.join(" or ")
        }
    ));
    Ok((author, exclude_author))
}

/// `[check]` of the config as the gate's rules.
fn check_rules(rules: &config::Check) -> cochange_report::CheckRules {
    cochange_report::CheckRules {
        new_cross_component_degree: rules.new_cross_component_degree,
        new_top_hotspots: rules.new_top_hotspots,
        crossing_growth: rules.crossing_growth,
        cross_component_degree: rules.cross_component_degree,
        hotspot_score: rules.hotspot_score,
    }
}

/// `[teams]` of the config: each member an email (with `@`) or a glob on the author's name.
fn teams(loaded: &config::Loaded) -> Result<Teams, UsageError> {
    let Some(table) = loaded.teams() else {
        return Ok(Teams::default());
    };
    let mut teams = Vec::new();
    for (team, value) in &table.table {
        let members: Vec<&str> = match value {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_str).collect(),
            _ => Vec::new(),
        };
        if members.is_empty() {
            return Err(table.error(format!(
                "[teams] `{team}`: give an email or name glob, or a list of them"
            )));
        }
        let members = members
            .iter()
            .map(|m| {
                if m.contains('@') {
                    Ok(Member::Email((*m).to_owned()))
                } else {
                    globset::GlobBuilder::new(m)
                        .case_insensitive(true)
                        .build()
                        .map(|g| Member::Name(g.compile_matcher()))
                        .map_err(|e| {
                            table.error(format!("[teams] `{team}`: `{m}` is not a valid glob: {e}"))
                        })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        teams.push((team.clone(), members));
    }
    Ok(Teams { teams })
}

/// `[tests] paths` and `[criticality]` of the config, checked.
fn tests_and_criticality(loaded: &config::Loaded) -> Result<(TestPaths, Criticality), UsageError> {
    let Some(source) = &loaded.source else {
        return Ok((TestPaths::default(), Criticality::default()));
    };
    let bad_glob = |section: &str, pattern: &str, span, e: globset::Error| {
        source.error(
            span,
            format!("`{pattern}` in [{section}] is not a valid glob: {e}"),
        )
    };
    let combine =
        |globs| glob_set(globs).map_err(|e| UsageError(format!("cannot combine the globs: {e}")));
    let test_globs = loaded
        .config
        .tests
        .paths
        .iter()
        .map(|p| path_glob(p.get_ref()).map_err(|e| bad_glob("tests", p.get_ref(), p.span(), e)))
        .collect::<Result<Vec<_>, _>>()?;
    let tests = TestPaths {
        globs: if test_globs.is_empty() {
            None
        } else {
            Some(combine(test_globs)?)
        },
    };
    let mut globs = Vec::new();
    let mut weights = Vec::new();
    for (pattern, weight) in &loaded.config.criticality {
        let glob =
            path_glob(pattern).map_err(|e| bad_glob("criticality", pattern, weight.span(), e))?;
        let value = *weight.get_ref();
        if !(value.is_finite() && value >= 0.0) {
            return Err(source.error(
                weight.span(),
                format!(
                    "the weight of `{pattern}` in [criticality] must be a number of at least 0"
                ),
            ));
        }
        globs.push(glob);
        weights.push(value);
    }
    let criticality = Criticality {
        globs: if globs.is_empty() {
            None
        } else {
            Some(combine(globs)?)
        },
        weights,
    };
    Ok((tests, criticality))
}

/// One regular expression matching when any of `patterns` does; each is checked on its own first
/// so that the error names the bad one.
fn any_of(flag: &str, patterns: &[String]) -> Result<Option<Regex>, UsageError> {
    for pattern in patterns {
        Regex::new(pattern).map_err(|e| {
            UsageError(format!(
                "`{flag} {pattern}` is not a valid regular expression: {}",
                one_line(&e)
            ))
        })?;
    }
    if patterns.is_empty() {
        return Ok(None);
    }
    let joined = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&joined).map(Some).map_err(|e| {
        UsageError(format!(
            "cannot combine the `{flag}` patterns: {}",
            one_line(&e)
        ))
    })
}

/// regex errors draw a caret under the pattern over several lines; messages here are one line.
pub fn one_line(err: &regex::Error) -> String {
    match err {
        regex::Error::Syntax(text) => text
            .lines()
            .last()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_owned(),
        other => other.to_string(),
    }
}

fn grouping(
    args: &GlobalArgs,
    loaded: &config::Loaded,
    explained: &mut Vec<String>,
) -> Result<Grouping, UsageError> {
    let window_days = args
        .window_days
        .or(loaded.config.thresholds.window_days)
        .unwrap_or(1);
    if window_days == 0 {
        return Err(UsageError("`--window-days` must be at least 1".into()));
    }
    let grouping = match args.group_by {
        GroupBy::Commit => Grouping::Commit,
        GroupBy::Pr => Grouping::PullRequest,
        GroupBy::AuthorDay => Grouping::AuthorWindow { days: window_days },
        GroupBy::Ticket => {
            let pattern = match (&loaded.source, &loaded.config.ticket.pattern) {
                (Some(source), Some(pattern)) => {
                    let regex = Regex::new(pattern.get_ref()).map_err(|e| {
                        source.error(
                            pattern.span(),
                            format!(
                                "`{}` in [ticket] pattern is not a valid regular expression: {}",
                                pattern.get_ref(),
                                one_line(&e)
                            ),
                        )
                    })?;
                    // A pattern that matches nothing at all would put every commit in one ticket.
                    if regex.is_match("") {
                        return Err(source.error(
                            pattern.span(),
                            format!(
                                "`{}` in [ticket] pattern matches the empty text, so every commit would be one ticket; give the form of a ticket key, such as `[A-Z][A-Z0-9]+-[0-9]+`",
                                pattern.get_ref()
                            ),
                        ));
                    }
                    regex
                }
                _ => Regex::new(DEFAULT_TICKET_PATTERN)
                    .map_err(|e| UsageError(format!("the default ticket pattern: {e}")))?,
            };
            Grouping::Ticket(pattern)
        }
    };
    explained.push(format!(
        "change sets: {}",
        match &grouping {
            Grouping::Commit => "one per non-merge commit".to_owned(),
            Grouping::PullRequest =>
                "one per first-parent commit, merges with their branch".to_owned(),
            Grouping::Ticket(p) => format!("commits sharing a ticket key matching `{p}`"),
            Grouping::AuthorWindow { days } => format!("one author's commits within {days} day(s)"),
        }
    ));
    Ok(grouping)
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
