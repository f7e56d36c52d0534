//! `.cochange.toml` (SPEC §6): read with serde; every mistake names the file, the line and the value.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::settings::UsageError;

/// The config file's name at the repository root.
pub const FILE_NAME: &str = ".cochange.toml";

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub exclude: Exclude,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub ticket: Ticket,
    #[serde(default)]
    pub tests: Tests,
    /// Glob → weight (a number, such as `2.0`); default weight 1.
    #[serde(default)]
    pub criticality: BTreeMap<String, Spanned<f64>>,
    /// Component name → globs, in file order (the first match wins).
    pub components: Option<Spanned<toml::Table>>,
    /// Team name → emails or name globs, in file order (the first team that lists an author).
    pub teams: Option<Spanned<toml::Table>>,
    #[serde(default)]
    pub check: Check,
}

/// `[check]`: the rules of `cochange check` (see `cochange_report::CheckRules`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Check {
    pub new_cross_component_degree: Option<u64>,
    pub new_top_hotspots: Option<usize>,
    pub crossing_growth: Option<f64>,
    pub cross_component_degree: Option<u64>,
    pub hotspot_score: Option<f64>,
}

/// `[tests]`: which files are tests, replacing the default conventions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tests {
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
}

/// `[exclude]`: more paths and authors to leave out, on top of the defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclude {
    /// Path globs, as `--exclude`.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Author regular expressions matched against `Name <email>`.
    #[serde(default)]
    pub authors: Vec<Spanned<String>>,
}

/// `[thresholds]`: defaults for the analyses' thresholds; the command line overrides them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Thresholds {
    pub min_revs: Option<u32>,
    pub min_shared: Option<u32>,
    pub min_degree: Option<u32>,
    pub max_degree: Option<u32>,
    pub max_changeset_size: Option<u32>,
    pub window_days: Option<u32>,
}

/// `[ticket]`: how ticket keys look in commit messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    pub pattern: Option<Spanned<String>>,
}

/// A loaded config and where it came from, to name it in errors.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    /// `None` when no file was found.
    pub source: Option<Source>,
}

/// A config file's path and text.
#[derive(Debug)]
pub struct Source {
    pub path: PathBuf,
    text: String,
}

impl Source {
    /// The text of the line holding byte `offset`.
    fn line_at(&self, offset: usize) -> &str {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        &self.text[start..end]
    }

    /// A usage error about the value at `span`: `FILE:LINE: what`.
    pub fn error(&self, span: Range<usize>, what: impl fmt::Display) -> UsageError {
        let line = self.text[..span.start.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1;
        UsageError(format!("{}:{line}: {what}", self.path.display()))
    }
}

/// Reads `explicit` (`--config`), or else `.cochange.toml` at the root of the first repository's
/// work tree when there is one.
pub fn load(explicit: Option<&Path>, repo: &Path) -> Result<Loaded, UsageError> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => match repository_root(repo) {
            Some(root) if root.join(FILE_NAME).is_file() => root.join(FILE_NAME),
            _ => return Ok(Loaded::default()),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|err| {
        UsageError(format!(
            "cannot read the config file `{}`: {err}",
            path.display()
        ))
    })?;
    let source = Source { path, text };
    let config: Config = toml::from_str(&source.text).map_err(|err| {
        let message = err.message().trim_end().replace('\n', " ");
        match err.span() {
            Some(span) => {
                let line = source.line_at(span.start);
                source.error(span, format!("{message}, in `{}`", shorten(line.trim())))
            }
            None => UsageError(format!("{}: {message}", source.path.display())),
        }
    })?;
    Ok(Loaded {
        config,
        source: Some(source),
    })
}

/// A table of the config with what is needed to name its file and line in errors.
#[derive(Debug, Clone)]
pub struct SourcedTable {
    pub table: toml::Table,
    path: PathBuf,
    line: usize,
}

impl SourcedTable {
    /// A usage error about this table: `FILE:LINE: what`.
    pub fn error(&self, what: impl fmt::Display) -> UsageError {
        UsageError(format!("{}:{}: {what}", self.path.display(), self.line))
    }
}

impl Loaded {
    /// `[components]`, when the config has it.
    pub fn components(&self) -> Option<SourcedTable> {
        self.sourced(self.config.components.as_ref()?)
    }

    /// `[teams]`, when the config has it.
    pub fn teams(&self) -> Option<SourcedTable> {
        self.sourced(self.config.teams.as_ref()?)
    }

    fn sourced(&self, table: &Spanned<toml::Table>) -> Option<SourcedTable> {
        let source = self.source.as_ref()?;
        let start = table.span().start.min(source.text.len());
        Some(SourcedTable {
            table: table.get_ref().clone(),
            path: source.path.clone(),
            line: source.text[..start].matches('\n').count() + 1,
        })
    }
}

fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}

/// The work tree root of the repository at or above `path`, if it has one.
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    let repo = gix::discover(path).ok()?;
    repo.workdir().map(Path::to_path_buf)
}
