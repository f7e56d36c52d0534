//! The filters every analysis runs after (docs/metrics.md): path include/exclude globs and author patterns.

use std::collections::HashSet;

use cochange_miner::Tables;
use cochange_miner::col;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use polars::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;

use crate::changesets::commit_keys;

/// Paths excluded unless `--no-default-excludes` (or `--columns code-maat`): files that change
/// with every dependency bump or build and say nothing about the design.
pub const DEFAULT_PATH_EXCLUDES: &[&str] = &[
    // Lock files.
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "composer.lock",
    "Gemfile.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "go.sum",
    "flake.lock",
    "packages.lock.json",
    // Vendored code.
    "vendor/",
    "node_modules/",
    "third_party/",
    "third-party/",
    // Generated code and build output.
    "generated/",
    "*.generated.*",
    "*.pb.go",
    "*_pb2.py",
    "*.designer.cs",
    // Minified assets and their maps.
    "*.min.js",
    "*.min.css",
    "*.js.map",
    "*.css.map",
];

/// Authors excluded unless `--no-default-excludes` (or `--columns code-maat`): bots, matched
/// against `Name <email>`.
pub const DEFAULT_AUTHOR_EXCLUDE: &str = r"(?i)\[bot\]|^(dependabot|renovate|github-actions|greenkeeper|mergify|snyk-bot|pre-commit-ci)\b";

/// A path pattern, gitignore-like: without a `/` it matches a file name at any depth (`*.lock`),
/// with one it matches from the repository root (`src/*.rs`); `*` stays within a folder, `**`
/// crosses folders, and a trailing `/` means everything under that folder (`vendor/`).
pub fn path_glob(pattern: &str) -> Result<Glob, globset::Error> {
    let mut text = pattern.strip_prefix('/').unwrap_or(pattern).to_owned();
    let anchored = pattern.trim_end_matches('/').contains('/');
    if text.ends_with('/') {
        text.push_str("**");
    }
    if !anchored {
        text.insert_str(0, "**/");
    }
    GlobBuilder::new(&text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// Which changes and commits the analyses see.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// When set, only entities matching one of these globs are kept.
    pub include: Option<GlobSet>,
    /// Entities matching one of these globs are dropped.
    pub exclude: Option<GlobSet>,
    /// When set, only commits whose `Name <email>` matches are kept (`--author`).
    pub author: Option<Regex>,
    /// Commits whose `Name <email>` matches are dropped (bots by default).
    pub exclude_author: Option<Regex>,
}

/// What the filters removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilterStatistics {
    /// Commits dropped by the author filters.
    pub commits_removed: usize,
    /// Changes dropped, by the author or the path filters.
    pub changes_removed: usize,
}

/// Builds one glob set from patterns already checked one by one with [`path_glob`].
pub fn glob_set(globs: impl IntoIterator<Item = Glob>) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(glob);
    }
    builder.build()
}

/// The patterns the filters are built from: the defaults (unless turned off), then the config's
/// excludes, then the command line's.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec<'a> {
    /// Whether the default path excludes and the bot filter apply.
    pub defaults: bool,
    /// `--include` globs.
    pub include: &'a [String],
    /// `--exclude` globs.
    pub exclude: &'a [String],
    /// `[exclude] paths` of the config, checked.
    pub config_exclude: &'a [(String, Glob)],
    /// `--author` regular expressions.
    pub author: &'a [String],
    /// `--exclude-author` regular expressions.
    pub exclude_author: &'a [String],
    /// `[exclude] authors` of the config, checked.
    pub config_exclude_author: &'a [String],
}

/// `items` as code spans, joined by `separator`.
fn code<S: AsRef<str>>(items: &[S], separator: &str) -> String {
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(separator)
}

impl Filters {
    /// Builds the filters of `spec`, and what `--explain` says of them (`(what, value)`). A bad
    /// command-line pattern is an error naming its option and the pattern.
    pub fn build(spec: &FilterSpec<'_>) -> Result<(Filters, Vec<(String, String)>), crate::Error> {
        let invalid = |flag: &str, pattern: &str, e: &dyn std::fmt::Display| {
            crate::Error::Invalid(format!("`{flag} {pattern}` is not valid: {e}"))
        };
        let mut excludes = Vec::new();
        let mut names = Vec::new();
        if spec.defaults {
            for pattern in DEFAULT_PATH_EXCLUDES {
                excludes
                    .push(path_glob(pattern).map_err(|e| invalid("default exclude", pattern, &e))?);
            }
            names.push(format!(
                "the defaults ({})",
                code(DEFAULT_PATH_EXCLUDES, " ")
            ));
        }
        for (pattern, glob) in spec.config_exclude {
            excludes.push(glob.clone());
            names.push(format!("`{pattern}`"));
        }
        for pattern in spec.exclude {
            excludes.push(path_glob(pattern).map_err(|e| {
                crate::Error::Invalid(format!("`--exclude {pattern}` is not a valid glob: {e}"))
            })?);
            names.push(format!("`{pattern}`"));
        }
        let includes = spec
            .include
            .iter()
            .map(|pattern| {
                path_glob(pattern).map_err(|e| {
                    crate::Error::Invalid(format!("`--include {pattern}` is not a valid glob: {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let set = |globs: Vec<Glob>| -> Result<Option<GlobSet>, crate::Error> {
            if globs.is_empty() {
                return Ok(None);
            }
            glob_set(globs)
                .map(Some)
                .map_err(|e| crate::Error::Invalid(format!("cannot combine the globs: {e}")))
        };
        let mut author_excludes: Vec<String> = Vec::new();
        if spec.defaults {
            author_excludes.push(DEFAULT_AUTHOR_EXCLUDE.to_owned());
        }
        author_excludes.extend(spec.config_exclude_author.iter().cloned());
        author_excludes.extend(spec.exclude_author.iter().cloned());
        let or_none = |items: &[String], empty: &str, separator: &str| {
            if items.is_empty() {
                empty.to_owned()
            } else {
                code(items, separator)
            }
        };
        let explained = vec![
            (
                "paths included".to_owned(),
                or_none(spec.include, "all", " "),
            ),
            (
                "paths excluded".to_owned(),
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                },
            ),
            (
                "authors".to_owned(),
                format!(
                    "{}; excluded: {}",
                    or_none(spec.author, "all", " or "),
                    or_none(&author_excludes, "none", " or ")
                ),
            ),
        ];
        let filters = Filters {
            include: set(includes)?,
            exclude: set(excludes)?,
            author: any_of("--author", spec.author)?,
            exclude_author: any_of("--exclude-author", &author_excludes)?,
        };
        Ok((filters, explained))
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.include.is_none()
            && self.exclude.is_none()
            && self.author.is_none()
            && self.exclude_author.is_none()
    }

    /// The tables with filtered commits and changes removed.
    pub fn apply(&self, tables: &Tables) -> PolarsResult<(Tables, FilterStatistics)> {
        if self.is_empty() {
            return Ok((tables.clone(), FilterStatistics::default()));
        }
        let commits = self.filter_commits(&tables.commits)?;
        let changes = &tables.changes;
        // When every commit stays (no author filter, or it matched all), only paths decide, and
        // the changes need no lookup of their commit.
        let kept_commits: Option<HashSet<(&str, &str)>> =
            if commits.height() < tables.commits.height() {
                Some(commit_keys(&commits)?.into_iter().collect())
            } else {
                None
            };
        let commit_kept: Vec<bool> = match &kept_commits {
            Some(kept) => commit_keys(changes)?
                .iter()
                .map(|key| kept.contains(key))
                .collect(),
            None => vec![true; changes.height()],
        };
        let mut entity_kept: FxHashMap<&str, bool> = FxHashMap::default();
        let mask: BooleanChunked = changes
            .column(col::ENTITY)?
            .str()?
            .iter()
            .map(Option::unwrap_or_default)
            .zip(commit_kept)
            .map(|(entity, commit_kept)| {
                commit_kept
                    && *entity_kept
                        .entry(entity)
                        .or_insert_with(|| self.keeps_path(entity))
            })
            .collect();
        let changes = changes.filter(&mask)?;
        let statistics = FilterStatistics {
            commits_removed: tables.commits.height() - commits.height(),
            changes_removed: tables.changes.height() - changes.height(),
        };
        Ok((Tables { commits, changes }, statistics))
    }

    /// Whether the path filters keep `entity`.
    pub fn keeps_path(&self, entity: &str) -> bool {
        self.include.as_ref().is_none_or(|set| set.is_match(entity))
            && !self
                .exclude
                .as_ref()
                .is_some_and(|set| set.is_match(entity))
    }

    fn filter_commits(&self, commits: &DataFrame) -> PolarsResult<DataFrame> {
        if self.author.is_none() && self.exclude_author.is_none() {
            return Ok(commits.clone());
        }
        let mut identity = String::new();
        let mask: BooleanChunked = commits
            .column(col::AUTHOR)?
            .str()?
            .iter()
            .map(Option::unwrap_or_default)
            .zip(
                commits
                    .column(col::EMAIL)?
                    .str()?
                    .iter()
                    .map(Option::unwrap_or_default),
            )
            .map(|(name, email)| {
                identity.clear();
                identity.push_str(name);
                identity.push_str(" <");
                identity.push_str(email);
                identity.push('>');
                self.author.as_ref().is_none_or(|re| re.is_match(&identity))
                    && !self
                        .exclude_author
                        .as_ref()
                        .is_some_and(|re| re.is_match(&identity))
            })
            .collect();
        let kept = commits.filter(&mask)?;
        match &self.exclude_author {
            Some(exclude) => without_coauthors(kept, exclude),
            None => Ok(kept),
        }
    }
}

/// `commits` without the co-authors whose `Name <>` matches `exclude` (co-authors are kept by name
/// only, so a pattern on the email part cannot match them).
fn without_coauthors(mut commits: DataFrame, exclude: &Regex) -> PolarsResult<DataFrame> {
    let lists = commits.column(col::COAUTHORS)?.list()?;
    let mut builder =
        ListStringChunkedBuilder::new(col::COAUTHORS.into(), lists.len(), lists.len());
    for list in lists.amortized_iter() {
        let names = match list {
            Some(list) => list.as_ref().str()?.clone(),
            None => StringChunked::default(),
        };
        builder.append_values_iter(
            names
                .iter()
                .flatten()
                .filter(|name| !exclude.is_match(&format!("{name} <>"))),
        );
    }
    commits.replace(col::COAUTHORS, builder.finish().into_column())?;
    Ok(commits)
}

/// One regular expression matching when any of `patterns` does; each is checked on its own first
/// so that the error names the bad one.
fn any_of(flag: &str, patterns: &[String]) -> Result<Option<Regex>, crate::Error> {
    let invalid = |pattern: &str, e: &regex::Error| {
        crate::Error::Invalid(format!(
            "`{flag} {pattern}` is not a valid regular expression: {}",
            crate::config::one_line(e)
        ))
    };
    for pattern in patterns {
        Regex::new(pattern).map_err(|e| invalid(pattern, &e))?;
    }
    if patterns.is_empty() {
        return Ok(None);
    }
    let joined = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&joined)
        .map(Some)
        .map_err(|e| invalid(&patterns.join(" "), &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        path_glob(pattern).unwrap().compile_matcher().is_match(path)
    }

    #[test]
    fn patterns_are_gitignore_like() {
        assert!(matches("Cargo.lock", "Cargo.lock"));
        assert!(matches("Cargo.lock", "crates/a/Cargo.lock"));
        assert!(!matches("Cargo.lock", "Cargo.lock.bak"));
        assert!(matches("*.min.js", "web/static/app.min.js"));
        assert!(matches("vendor/", "vendor/x/y.c"));
        assert!(matches("vendor/", "src/vendor/y.c"));
        assert!(!matches("vendor/", "vendored.c"));
        assert!(matches("src/*.rs", "src/main.rs"));
        assert!(!matches("src/*.rs", "src/a/main.rs"));
        assert!(!matches("src/*.rs", "lib/src/main.rs"));
        assert!(matches("/src/**", "src/a/main.rs"));
        assert!(matches("docs/**/*.md", "docs/a/b/c.md"));
    }

    #[test]
    fn default_patterns_are_valid() {
        for pattern in DEFAULT_PATH_EXCLUDES {
            assert!(path_glob(pattern).is_ok(), "{pattern}");
        }
        let bots = Regex::new(DEFAULT_AUTHOR_EXCLUDE).unwrap();
        assert!(
            bots.is_match("dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>")
        );
        assert!(bots.is_match("renovate-bot <bot@renovateapp.com>"));
        assert!(
            bots.is_match("github-actions <41898282+github-actions[bot]@users.noreply.github.com>")
        );
        assert!(!bots.is_match("Abbott Robotham <abbott@example.com>"));
    }
}
