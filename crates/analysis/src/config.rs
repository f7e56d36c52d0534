//! The config file, `.cochange.toml`: read with serde and checked in one place, so that every
//! mistake names the file, the line and the value, and unknown keys are refused by name.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::{
    Boundaries, Criticality, Forbidden, Member, Teams, TestPaths, Thresholds, glob_set, path_glob,
};

/// The config file's name at the repository root.
pub const CONFIG_FILE: &str = ".cochange.toml";

/// A mistake in the config file: where it is and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// The line, 1 first.
    pub line: usize,
    /// What is wrong, with the offending value.
    pub message: String,
}

/// The rules of `cochange check` (`[check]`). Ratchet rules compare against a baseline and are
/// skipped without one; absolute rules look at the current snapshot alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckRules {
    /// Ratchet: a cross-component pair at this degree or above that the baseline did not have at
    /// this degree or above.
    pub new_cross_component_degree: Option<u64>,
    /// Ratchet: a file in the top-K hotspots that the baseline's top K did not have.
    pub new_top_hotspots: Option<usize>,
    /// Ratchet: the share of change sets crossing components grew by more than this many points.
    pub crossing_growth: Option<f64>,
    /// Ratchet: a component's knowledge loss grew by more than this many points.
    pub knowledge_loss_growth: Option<f64>,
    /// Ratchet: the median lead time for changes of the window's releases grew by more than
    /// this factor (docs/delivery.md).
    pub lead_time_growth: Option<f64>,
    /// Absolute: any cross-component pair at this degree or above.
    pub cross_component_degree: Option<u64>,
    /// Absolute: any file with a hotspot score at or above this.
    pub hotspot_score: Option<f64>,
    /// The rules on the code's structure that are on.
    pub structure: BTreeSet<StructureRule>,
    /// `missing-co-change`: whether `check --diff` reports the files a change likely misses.
    pub missing_co_change_rule: bool,
    /// When a file counts as missing (`missing-co-change-confidence`,
    /// `missing-co-change-min-support`), for `check --diff`, `impact --diff` and `eval`.
    pub missing_co_change: crate::WarningThresholds,
}

impl CheckRules {
    /// Whether a rule checks the analysed revision: any but `missing-co-change`, which checks a
    /// change.
    pub fn checks_revision(&self) -> bool {
        *self
            != CheckRules {
                missing_co_change_rule: self.missing_co_change_rule,
                missing_co_change: self.missing_co_change,
                ..CheckRules::default()
            }
    }
}

/// A `check` rule on the code's structure at the analysed revision: each finding is new unless
/// the baseline has it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StructureRule {
    /// `new-forbidden-import`: an import that breaks `[boundaries]`.
    ForbiddenImport,
    /// `new-dependency-cycle`: a cycle of component dependencies.
    DependencyCycle,
    /// `new-hidden-coupling`: a pair of files in different components that changes together
    /// with no import between them.
    HiddenCoupling,
    /// `new-shared-table`: a database table used by two components or more.
    SharedTable,
}

/// A checked config file; the default is an empty one.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// `[exclude] paths`: each pattern and its glob.
    pub exclude_paths: Vec<(String, Glob)>,
    /// `[exclude] authors`: regular expressions, each checked.
    pub exclude_authors: Vec<String>,
    /// `[thresholds]`.
    pub thresholds: Thresholds,
    /// `[thresholds] window-days`.
    pub window_days: Option<u32>,
    /// `[ticket] pattern`.
    pub ticket: Option<Regex>,
    /// `[tests] paths`, else the default conventions.
    pub tests: TestPaths,
    /// `[criticality]`.
    pub criticality: Criticality,
    /// `[components]`: name and globs, in file order.
    pub components: Vec<(String, GlobSet)>,
    /// `[teams]`.
    pub teams: Teams,
    /// `[check]`.
    pub check: CheckRules,
    /// `[boundaries]`.
    pub boundaries: Boundaries,
    /// `[releases] pattern`, else the default.
    pub releases: crate::ReleasePattern,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    exclude: RawExclude,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    ticket: RawTicket,
    #[serde(default)]
    tests: RawTests,
    #[serde(default)]
    criticality: BTreeMap<String, Spanned<f64>>,
    components: Option<Spanned<toml::Table>>,
    teams: Option<Spanned<toml::Table>>,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    boundaries: RawBoundaries,
    #[serde(default)]
    releases: RawReleases,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReleases {
    pattern: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoundaries {
    #[serde(default)]
    forbidden: Vec<Spanned<String>>,
    public: Option<Spanned<toml::Table>>,
}

// One field per key of `[check]`, as the file writes them; the rules that are on or off are bools.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    new_cross_component_degree: Option<Spanned<u64>>,
    new_top_hotspots: Option<Spanned<usize>>,
    crossing_growth: Option<Spanned<f64>>,
    knowledge_loss_growth: Option<Spanned<f64>>,
    lead_time_growth: Option<Spanned<f64>>,
    cross_component_degree: Option<Spanned<u64>>,
    hotspot_score: Option<Spanned<f64>>,
    new_forbidden_import: Option<Spanned<bool>>,
    #[serde(default)]
    new_dependency_cycle: bool,
    #[serde(default)]
    new_hidden_coupling: bool,
    #[serde(default)]
    new_shared_table: bool,
    #[serde(default)]
    missing_co_change: bool,
    missing_co_change_confidence: Option<Spanned<f64>>,
    missing_co_change_min_support: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclude {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    authors: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawThresholds {
    min_revs: Option<u32>,
    min_shared: Option<u32>,
    min_degree: Option<Spanned<u32>>,
    max_degree: Option<Spanned<u32>>,
    max_changeset_size: Option<u32>,
    window_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTicket {
    pattern: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTests {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
}

/// The text of a config file, to name lines in errors.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: &Range<usize>, message: impl Into<String>) -> ConfigError {
        let end = span.start.min(self.text.len());
        ConfigError {
            path: self.path.to_owned(),
            line: self.text[..end].matches('\n').count() + 1,
            message: message.into(),
        }
    }

    /// The text of the line holding byte `offset`, shortened.
    fn line_at(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        let line = self.text[start..end].trim();
        match line.char_indices().nth(60) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_owned(),
        }
    }

    /// A glob of `place` (`[tests]`), or an error at its line.
    fn glob(&self, place: &str, pattern: &Spanned<String>) -> Result<Glob, ConfigError> {
        path_glob(pattern.get_ref()).map_err(|e| {
            self.error(
                &pattern.span(),
                format!(
                    "`{}` in {place} is not a valid glob: {e}",
                    pattern.get_ref()
                ),
            )
        })
    }

    /// A regular expression of `place` (`[ticket] pattern`), or an error at its line.
    fn regex(&self, place: &str, pattern: &Spanned<String>) -> Result<Regex, ConfigError> {
        Regex::new(pattern.get_ref()).map_err(|e| {
            self.error(
                &pattern.span(),
                format!(
                    "`{}` in {place} is not a valid regular expression: {}",
                    pattern.get_ref(),
                    one_line(&e)
                ),
            )
        })
    }

    fn set(&self, span: &Range<usize>, globs: Vec<Glob>) -> Result<Option<GlobSet>, ConfigError> {
        if globs.is_empty() {
            return Ok(None);
        }
        glob_set(globs)
            .map(Some)
            .map_err(|e| self.error(span, format!("cannot combine the globs: {e}")))
    }
}

/// Reads a config file's `text`; `path` names it in errors.
pub fn parse_config(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let source = Source { path, text };
    let raw: Raw = toml::from_str(text).map_err(|err| {
        let message = err.message().trim_end().replace('\n', " ");
        match err.span() {
            Some(span) => {
                let line = source.line_at(span.start);
                source.error(&span, format!("{message}, in `{line}`"))
            }
            None => source.error(&(0..0), message),
        }
    })?;
    let exclude_paths = raw
        .exclude
        .paths
        .iter()
        .map(|p| Ok((p.get_ref().clone(), source.glob("[exclude] paths", p)?)))
        .collect::<Result<Vec<_>, ConfigError>>()?;
    let exclude_authors = raw
        .exclude
        .authors
        .iter()
        .map(|p| {
            source
                .regex("[exclude] authors", p)
                .map(|_| p.get_ref().clone())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ticket = match &raw.ticket.pattern {
        None => None,
        Some(pattern) => {
            let regex = source.regex("[ticket] pattern", pattern)?;
            // A pattern that matches nothing at all would put every commit in one ticket.
            if regex.is_match("") {
                return Err(source.error(
                    &pattern.span(),
                    format!(
                        "`{}` in [ticket] pattern matches the empty text, so every commit would be one ticket; give the form of a ticket key, such as `[A-Z][A-Z0-9]+-[0-9]+`",
                        pattern.get_ref()
                    ),
                ));
            }
            Some(regex)
        }
    };
    let test_globs = raw
        .tests
        .paths
        .iter()
        .map(|p| source.glob("[tests]", p))
        .collect::<Result<Vec<_>, _>>()?;
    let t = &raw.thresholds;
    if let (Some(min), Some(max)) = (&t.min_degree, &t.max_degree)
        && min.get_ref() > max.get_ref()
    {
        return Err(source.error(
            &min.span(),
            format!(
                "`min-degree = {}` is above `max-degree = {}`: no pair can match",
                min.get_ref(),
                max.get_ref()
            ),
        ));
    }
    Ok(ConfigFile {
        path: path.to_owned(),
        exclude_paths,
        exclude_authors,
        thresholds: Thresholds {
            min_revs: t.min_revs,
            min_shared: t.min_shared,
            min_degree: percent(&source, "min-degree", t.min_degree.as_ref())?,
            max_degree: percent(&source, "max-degree", t.max_degree.as_ref())?,
            max_changeset_size: t.max_changeset_size,
        },
        window_days: t.window_days,
        ticket,
        tests: TestPaths {
            globs: source.set(&(0..0), test_globs)?,
        },
        criticality: criticality(&source, &raw.criticality)?,
        components: components(&source, raw.components.as_ref())?,
        teams: teams(&source, raw.teams.as_ref())?,
        check: check_rules(&source, &raw.check, &raw.boundaries)?,
        boundaries: boundaries(&source, &raw.boundaries)?,
        releases: match &raw.releases.pattern {
            None => crate::ReleasePattern::default(),
            Some(pattern) => crate::ReleasePattern::new(pattern.get_ref()).map_err(|why| {
                source.error(
                    &pattern.span(),
                    format!("`{}` in [releases] pattern {why}", pattern.get_ref()),
                )
            })?,
        },
    })
}

/// A percentage of `[thresholds]` or `[check]`, checked to be at most 100.
fn percent<T: Copy + Into<u64>>(
    source: &Source<'_>,
    key: &str,
    value: Option<&Spanned<T>>,
) -> Result<Option<T>, ConfigError> {
    match value {
        Some(v) if (*v.get_ref()).into() > 100 => Err(source.error(
            &v.span(),
            format!(
                "`{key} = {}` is not a percentage: give 0 to 100",
                (*v.get_ref()).into()
            ),
        )),
        v => Ok(v.map(|v| *v.get_ref())),
    }
}

/// `[check]`, each rule checked for a value it can use.
fn check_rules(
    source: &Source<'_>,
    raw: &RawCheck,
    boundaries: &RawBoundaries,
) -> Result<CheckRules, ConfigError> {
    let bad = |span: Range<usize>, message: String| Err(source.error(&span, message));
    if let Some(v) = &raw.new_forbidden_import
        && *v.get_ref()
        && boundaries.forbidden.is_empty()
        && boundaries.public.is_none()
    {
        return bad(
            v.span(),
            "`new-forbidden-import = true` has no rule to check: add `[boundaries]` with `forbidden` dependencies or `[boundaries.public]` paths (see docs/structure.md)".into(),
        );
    }
    if let Some(v) = &raw.new_top_hotspots
        && *v.get_ref() == 0
    {
        return bad(
            v.span(),
            "`new-top-hotspots = 0` looks at no hotspot: give how many of the top hotspots to watch, such as 10".into(),
        );
    }
    if let Some(v) = &raw.crossing_growth
        && !(v.get_ref().is_finite() && *v.get_ref() >= 0.0)
    {
        return bad(
            v.span(),
            format!(
                "`crossing-growth = {}` must be a number of percentage points, 0 or more",
                v.get_ref()
            ),
        );
    }
    if let Some(v) = &raw.knowledge_loss_growth
        && !(v.get_ref().is_finite() && *v.get_ref() >= 0.0)
    {
        return bad(
            v.span(),
            format!(
                "`knowledge-loss-growth = {}` must be a number of percentage points, 0 or more",
                v.get_ref()
            ),
        );
    }
    if let Some(v) = &raw.lead_time_growth
        && !(v.get_ref().is_finite() && *v.get_ref() >= 1.0)
    {
        return bad(
            v.span(),
            format!(
                "`lead-time-growth = {}` must be a factor of 1 or more, such as 1.5 (fail when the median lead time grows by half)",
                v.get_ref()
            ),
        );
    }
    if let Some(v) = &raw.hotspot_score
        && !(v.get_ref().is_finite() && *v.get_ref() > 0.0 && *v.get_ref() <= 1.0)
    {
        return bad(
            v.span(),
            format!(
                "`hotspot-score = {}` is out of range: hotspot scores run from 0 to 1, so give a threshold above 0 and at most 1, such as 0.8",
                v.get_ref()
            ),
        );
    }
    Ok(CheckRules {
        missing_co_change_rule: raw.missing_co_change,
        missing_co_change: missing_co_change(source, raw)?,
        new_cross_component_degree: percent(
            source,
            "new-cross-component-degree",
            raw.new_cross_component_degree.as_ref(),
        )?,
        new_top_hotspots: raw.new_top_hotspots.as_ref().map(|v| *v.get_ref()),
        crossing_growth: raw.crossing_growth.as_ref().map(|v| *v.get_ref()),
        knowledge_loss_growth: raw.knowledge_loss_growth.as_ref().map(|v| *v.get_ref()),
        lead_time_growth: raw.lead_time_growth.as_ref().map(|v| *v.get_ref()),
        cross_component_degree: percent(
            source,
            "cross-component-degree",
            raw.cross_component_degree.as_ref(),
        )?,
        hotspot_score: raw.hotspot_score.as_ref().map(|v| *v.get_ref()),
        structure: [
            (
                raw.new_forbidden_import
                    .as_ref()
                    .is_some_and(|v| *v.get_ref()),
                StructureRule::ForbiddenImport,
            ),
            (raw.new_dependency_cycle, StructureRule::DependencyCycle),
            (raw.new_hidden_coupling, StructureRule::HiddenCoupling),
            (raw.new_shared_table, StructureRule::SharedTable),
        ]
        .into_iter()
        .filter_map(|(on, rule)| on.then_some(rule))
        .collect(),
    })
}

/// The thresholds of `missing-co-change`, the defaults where the file gives none.
fn missing_co_change(
    source: &Source<'_>,
    raw: &RawCheck,
) -> Result<crate::WarningThresholds, ConfigError> {
    let defaults = crate::WarningThresholds::default();
    let confidence = raw.missing_co_change_confidence.as_ref();
    if let Some(v) = confidence
        && !(v.get_ref().is_finite() && *v.get_ref() > 0.0 && *v.get_ref() <= 1.0)
    {
        return Err(source.error(
            &v.span(),
            format!(
                "`missing-co-change-confidence = {}` is out of range: it is a share of change sets, above 0 and at most 1, such as 0.6",
                v.get_ref()
            ),
        ));
    }
    if let Some(v) = &raw.missing_co_change_min_support
        && *v.get_ref() == 0
    {
        return Err(source.error(
            &v.span(),
            "`missing-co-change-min-support = 0` would warn about files that never changed with the change: give 1 or more, such as 5",
        ));
    }
    Ok(crate::WarningThresholds {
        min_confidence: confidence.map_or(defaults.min_confidence, |v| *v.get_ref()),
        min_shared: raw
            .missing_co_change_min_support
            .as_ref()
            .map_or(defaults.min_shared, |v| *v.get_ref()),
    })
}

fn criticality(
    source: &Source<'_>,
    entries: &BTreeMap<String, Spanned<f64>>,
) -> Result<Criticality, ConfigError> {
    let (mut globs, mut weights) = (Vec::new(), Vec::new());
    for (pattern, weight) in entries {
        let spanned = Spanned::new(weight.span(), pattern.clone());
        globs.push(source.glob("[criticality]", &spanned)?);
        let value = *weight.get_ref();
        if !(value.is_finite() && (0.0..=1000.0).contains(&value)) {
            return Err(source.error(
                &weight.span(),
                format!(
                    "the weight of `{pattern}` in [criticality] must be a number from 0 to 1000"
                ),
            ));
        }
        weights.push(value);
    }
    Ok(Criticality {
        globs: source.set(&(0..0), globs)?,
        weights,
    })
}

/// A string or a list of strings of a table.
fn strings(value: &toml::Value) -> Vec<&str> {
    match value {
        toml::Value::String(s) => vec![s.as_str()],
        toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `[components]`: name → glob or list of globs, in file order.
fn components(
    source: &Source<'_>,
    table: Option<&Spanned<toml::Table>>,
) -> Result<Vec<(String, GlobSet)>, ConfigError> {
    let Some(table) = table else {
        return Ok(Vec::new());
    };
    table
        .get_ref()
        .iter()
        .map(|(name, value)| {
            let (_, globs) = glob_list(
                source,
                "[components]",
                &table.span(),
                name,
                value,
                "give a glob or a list of globs",
            )?;
            Ok((name.clone(), globs))
        })
        .collect()
}

/// One entry of a table whose values are a glob or a list of globs: the patterns as written and
/// their compiled set. `place` names the table in errors; `empty_hint` says what to write instead.
fn glob_list(
    source: &Source<'_>,
    place: &str,
    span: &Range<usize>,
    name: &str,
    value: &toml::Value,
    empty_hint: &str,
) -> Result<(Vec<String>, GlobSet), ConfigError> {
    let bad = |what: String| source.error(span, format!("{place} `{name}`: {what}"));
    let patterns = strings(value);
    if patterns.is_empty() {
        return Err(bad(empty_hint.to_owned()));
    }
    let globs = patterns
        .iter()
        .map(|p| path_glob(p).map_err(|e| bad(format!("`{p}` is not a valid glob: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let set = glob_set(globs).map_err(|e| bad(e.to_string()))?;
    Ok((patterns.iter().map(|p| (*p).to_owned()).collect(), set))
}

/// `[boundaries]`: `forbidden = ["from -> to", …]` (a side may be `*`, any other component) and
/// `[boundaries.public]`: component → glob or list of globs of the files others may import.
fn boundaries(source: &Source<'_>, raw: &RawBoundaries) -> Result<Boundaries, ConfigError> {
    let mut forbidden = Vec::new();
    for rule in &raw.forbidden {
        let text = rule.get_ref();
        let sides = text
            .split_once("->")
            .map(|(from, to)| (from.trim(), to.trim()))
            .filter(|(from, to)| !from.is_empty() && !to.is_empty() && !to.contains("->"));
        let Some((from, to)) = sides else {
            return Err(source.error(
                &rule.span(),
                format!(
                    "`{text}` in [boundaries] forbidden is not a dependency: write `from -> to` with two component names (`*` for any component), such as `web -> storage`"
                ),
            ));
        };
        if from == "*" && to == "*" {
            return Err(source.error(
                &rule.span(),
                format!("`{text}` in [boundaries] forbidden forbids every dependency: name at least one component"),
            ));
        }
        forbidden.push(Forbidden {
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }
    let mut public = Vec::new();
    if let Some(table) = &raw.public {
        for (name, value) in table.get_ref() {
            let (patterns, globs) = glob_list(
                source,
                "[boundaries.public]",
                &table.span(),
                name,
                value,
                "give the glob, or list of globs, of the files other components may import",
            )?;
            public.push((name.clone(), patterns, globs));
        }
    }
    Ok(Boundaries { forbidden, public })
}

/// `[teams]`: each member an email (with `@`) or a glob on the author's name.
fn teams(source: &Source<'_>, table: Option<&Spanned<toml::Table>>) -> Result<Teams, ConfigError> {
    let Some(table) = table else {
        return Ok(Teams::default());
    };
    let span = table.span();
    let mut teams = Vec::new();
    for (team, value) in table.get_ref() {
        let members = strings(value);
        if members.is_empty() {
            return Err(source.error(
                &span,
                format!("[teams] `{team}`: give an email or name glob, or a list of them"),
            ));
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
                            source.error(
                                &span,
                                format!("[teams] `{team}`: `{m}` is not a valid glob: {e}"),
                            )
                        })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        teams.push((team.clone(), members));
    }
    Ok(Teams { teams })
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
