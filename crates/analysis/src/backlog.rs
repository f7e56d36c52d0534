//! The refactoring backlog (docs/metrics.md, *backlog*): one ranked list of files, each with its
//! factors and a reason in plain words.

use std::collections::{HashMap, HashSet};

use cochange_miner::Tables;
use globset::GlobSet;
use polars::prelude::*;

use crate::coupling::coupling_col;
use crate::hotspots::{TestPaths, TestSignal, hotspot_col};
use crate::ownership::{Authorship, main_developer};
use crate::time::{civil_from_days, months_before};

/// The main developer of a file: most lines added over the analysed history.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    /// Canonical author name.
    pub author: String,
    /// Their share of the file's added lines.
    pub share: f64,
    /// Their newest commit anywhere in the history (author time).
    pub last_active: i64,
}

/// Main developer per entity by added lines (ties: the name first in order), with their last
/// commit anywhere, over the history `authorship` was read from.
pub fn owners(authorship: &Authorship) -> HashMap<String, Owner> {
    authorship
        .added
        .iter()
        .filter_map(|(entity, by_author)| {
            let (author, share) = main_developer(by_author)?;
            let owner = Owner {
                author: author.to_owned(),
                share,
                last_active: authorship
                    .last_active
                    .get(author)
                    .copied()
                    .unwrap_or(i64::MIN),
            };
            Some((entity.clone(), owner))
        })
        .collect()
}

/// Declared criticality: globs with weights; a file takes the largest weight of the globs it
/// matches, 1.0 when none does.
#[derive(Debug, Clone, Default)]
pub struct Criticality {
    /// The globs, one per weight.
    pub globs: Option<GlobSet>,
    /// Weight of each glob, in the set's order.
    pub weights: Vec<f64>,
}

impl Criticality {
    /// The weight of `path`.
    pub fn weight(&self, path: &str) -> f64 {
        let Some(set) = &self.globs else {
            return 1.0;
        };
        set.matches(path)
            .into_iter()
            .map(|i| self.weights[i])
            .reduce(f64::max)
            .unwrap_or(1.0)
    }
}

/// Everything the backlog combines.
#[derive(Debug)]
pub struct BacklogInput<'a> {
    /// [`hotspots`](crate::hotspots) over the backlog's window.
    pub hotspots: &'a DataFrame,
    /// [`coupling`](crate::coupling) over the same window (all columns).
    pub coupling: &'a DataFrame,
    /// [`test_signal`](crate::test_signal) over the same window.
    pub tests: &'a HashMap<String, TestSignal>,
    /// Line coverage per file in [0, 1], when a coverage file was given.
    pub coverage: Option<&'a HashMap<String, f64>>,
    /// [`owners`] over the whole analysed history.
    pub owners: &'a HashMap<String, Owner>,
    /// Which files are tests (they are left out of the backlog).
    pub test_paths: &'a TestPaths,
    /// Declared criticality.
    pub criticality: &'a Criticality,
    /// Change sets in the window, for the reason text.
    pub change_sets: u64,
    /// The as-of date (unix seconds).
    pub as_of: i64,
    /// Months without a commit after which an author counts as inactive.
    pub inactive_after_months: u32,
    /// Also list prose, data and configuration files (see [`is_code`](crate::is_code)).
    pub all_files: bool,
    /// Files with fewer changes in the window are left out.
    pub min_revisions: u64,
    /// Per file, the weight of its co-changes that reach other folders ([`reach`]).
    pub reach: &'a HashMap<String, f64>,
    /// Files that carry their own tests (a Rust `#[cfg(test)]` module).
    pub inline_tests: &'a HashSet<String>,
    /// Fix commits (by their subject) in the window per file.
    pub fixes: &'a HashMap<String, u64>,
    /// The functions of the files with their history in the window (see
    /// [`function_rows`](crate::function_rows)), to name where a file's changes concentrate;
    /// empty when not read.
    pub functions: &'a [crate::FunctionRow],
}

/// How much of each file's change reaches other folders: over the change sets of at most
/// `max_changeset_size` entities, Σ (entities of the set in other folders) / (entities − 1). Each
/// change set adds at most 1, so a sweeping commit or a set of siblings changed together adds
/// little, and a file that always changes with files elsewhere gets its number of change sets.
pub fn reach(
    tables: &Tables,
    grouping: &crate::Grouping,
    max_changeset_size: u32,
) -> PolarsResult<HashMap<String, f64>> {
    use crate::changesets::{CHANGE_SET, SIZE, change_set_entities};
    let sets = change_set_entities(tables, grouping)?
        .filter(col(SIZE).lt_eq(lit(u64::from(max_changeset_size))))
        .select([col(CHANGE_SET), col(cochange_miner::col::ENTITY)])
        .collect()?;
    let ids = sets.column(CHANGE_SET)?.u32()?;
    let entities = sets.column(cochange_miner::col::ENTITY)?.str()?;
    // In change-set order, so that the sums come out the same to the last digit on every run.
    let mut members: std::collections::BTreeMap<u32, Vec<&str>> = std::collections::BTreeMap::new();
    for (id, entity) in ids.iter().zip(entities.iter()) {
        if let (Some(id), Some(entity)) = (id, entity) {
            members.entry(id).or_default().push(entity);
        }
    }
    let folder = |p: &str| p.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
    let mut reach: HashMap<String, f64> = HashMap::new();
    for set in members.values() {
        if set.len() < 2 {
            continue;
        }
        let folders: Vec<String> = set.iter().map(|e| folder(e)).collect();
        for (i, entity) in set.iter().enumerate() {
            let elsewhere = folders.iter().filter(|f| **f != folders[i]).count();
            *reach.entry((*entity).to_owned()).or_default() +=
                elsewhere as f64 / (set.len() - 1) as f64;
        }
    }
    Ok(reach)
}

/// How much the other factors may move a file up or down: at most a quarter of its base score.
const FACTOR_WEIGHT: f64 = 0.25;
/// An active main developer's share counts for a quarter of an inactive one's.
const ACTIVE_OWNER_WEIGHT: f64 = 0.25;
/// A main developer holding at least this share, inactive, is a knowledge risk.
const RISKY_SHARE: f64 = 0.5;

/// The ranked backlog (docs/metrics.md, *backlog*). For each file of program code (any file with
/// `all_files`) that is not a test and changed at least `min_revisions` times in the window:
///
/// ```text
/// score = criticality · revisions · log2(2 + loc) · (1 + ¼ · (coupling + test_gap + ownership + hidden + defects) / 5)
/// ```
///
/// where `coupling = min(1, reach / revisions)`, `test_gap = 1 − coverage` when coverage is known
/// and `1 − test_share` otherwise (halved for a file with its own test module), `ownership =
/// main_dev_share`, a quarter of it while the main developer is active, and `hidden` the share
/// of its coupling pairs that cross components with no import between the two files (known when
/// `coupling` has the [`STRUCTURE`](crate::STRUCTURE) column). Change frequency and size
/// rank the list (measured: they point at where fixes land, `eval backlog`); the other factors
/// move a file by at most a quarter. Sorted by score descending, then hotspot rank.
pub fn backlog(input: &BacklogInput<'_>) -> PolarsResult<DataFrame> {
    use hotspot_col as h;
    let spots = input.hotspots;
    let entity = spots.column(h::ENTITY)?.str()?;
    let score = spots.column(h::SCORE)?.f64()?;
    let revisions = spots.column(h::REVISIONS)?.u64()?;
    let loc = spots.column(h::LOC)?.u64()?;
    let comments = spots.column(h::COMMENT_LINES)?.u64()?;
    let indent_max = spots.column(h::COMPLEXITY_MAX)?.f64()?;
    let breadth = coupling_breadth(input.coupling)?;
    let all_revisions: Vec<u64> = revisions.iter().map(Option::unwrap_or_default).collect();
    let inactive_since = months_before(input.as_of, input.inactive_after_months);

    let mut rows: Vec<Row> = Vec::new();
    for i in 0..spots.height() {
        let (Some(path), Some(hotspot)) = (entity.get(i), score.get(i)) else {
            continue;
        };
        let revs = revisions.get(i).unwrap_or(0);
        let code = input.all_files || crate::is_code(crate::language_of(path));
        if revs < input.min_revisions.max(1) || !code || input.test_paths.is_test(path) {
            continue;
        }
        let n_coupled = breadth.coupled.get(path).copied().unwrap_or(0);
        let n_cross = breadth.crossing.get(path).copied().unwrap_or(0);
        let n_hidden = breadth.hidden.get(path).copied().unwrap_or(0);
        let hidden = n_hidden as f64 / n_coupled.max(1) as f64;
        let coupling = (input.reach.get(path).copied().unwrap_or(0.0) / revs as f64).min(1.0);
        let signal = input.tests.get(path).cloned().unwrap_or_default();
        let coverage = input.coverage.and_then(|c| c.get(path).copied());
        let inline_tests = input.inline_tests.contains(path);
        let test_gap = test_gap(coverage, &signal, inline_tests);
        let owner = input.owners.get(path);
        let inactive = owner.is_some_and(|o| o.last_active < inactive_since);
        let ownership = ownership(owner, inactive);
        let weight = input.criticality.weight(path);
        // Size counts comment lines too: leaving them out lowered the precision of `eval
        // backlog` on tokio (0.2375 to 0.225 over four cut-offs; docs/performance.md).
        let size = (2.0 + loc.get(i).unwrap_or(0) as f64).log2();
        let fixes = input.fixes.get(path).copied().unwrap_or(0);
        let defects = (fixes as f64 / revs as f64).min(1.0);
        let factors = (coupling + test_gap + ownership + hidden + defects) / 5.0;
        let total = weight * revs as f64 * size * (1.0 + FACTOR_WEIGHT * factors);
        let higher = all_revisions.iter().filter(|&&r| r > revs).count() as u64;
        let top = (100 * (higher + 1)).div_ceil(all_revisions.len().max(1) as u64);
        let inactive_from =
            owner.map(|o| crate::months_after(o.last_active, input.inactive_after_months));
        let hot = crate::concentrated_in(input.functions, path, revs);
        let reason = Reason {
            functions: &hot,
            revisions: revs,
            change_sets: input.change_sets,
            top,
            size: loc.get(i).zip(indent_max.get(i)),
            comments: comments.get(i).unwrap_or(0),
            coupling,
            coupled: n_coupled,
            cross: n_cross,
            hidden: n_hidden,
            fixes,
            coverage,
            test_share: signal.share(),
            inline_tests,
            owner,
            inactive,
            weight,
        }
        .text();
        rows.push(Row {
            entity: path.to_owned(),
            score: total,
            hotspot,
            revisions: revs,
            loc: loc.get(i),
            comment_lines: comments.get(i),
            indent_max: indent_max.get(i),
            coupling,
            coupled: n_coupled,
            cross: n_cross,
            hidden,
            hidden_pairs: n_hidden,
            fixes,
            test_share: signal.share(),
            test_partner: signal.partner.map(|p| p.0),
            inline_tests,
            coverage,
            owner: owner.map(|o| o.author.clone()),
            owner_share: owner.map(|o| o.share),
            inactive,
            inactive_from: inactive_from.map(crate::day),
            last_commit: owner.map(|o| crate::day(o.last_active)),
            risk: inactive && owner.is_some_and(|o| o.share >= RISKY_SHARE),
            weight,
            functions: names(&hot),
            reason,
            hotspot_rank: i,
        });
    }
    rows.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.hotspot_rank.cmp(&b.hotspot_rank))
    });
    frame(&rows)
}

/// "a", "a and b", "a, b and c".
fn listed(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

/// The main developer's share, a quarter of it while they are active.
fn ownership(owner: Option<&Owner>, inactive: bool) -> f64 {
    owner.map_or(0.0, |o| {
        o.share * if inactive { 1.0 } else { ACTIVE_OWNER_WEIGHT }
    })
}

/// The functions' names, comma-separated.
fn names(functions: &[&crate::FunctionRow]) -> String {
    let names: Vec<&str> = functions.iter().map(|f| f.function.name.as_str()).collect();
    names.join(", ")
}

/// How far a file's changes go untested: `1 − coverage` when coverage is known, else `1 −
/// test_share`, halved for a file with a test module of its own.
fn test_gap(coverage: Option<f64>, signal: &TestSignal, inline_tests: bool) -> f64 {
    match coverage {
        Some(covered) => 1.0 - covered,
        None => (1.0 - signal.share()) * if inline_tests { 0.5 } else { 1.0 },
    }
}

/// The backlog's rows as its table.
fn frame(rows: &[Row]) -> PolarsResult<DataFrame> {
    df!(
        "rank" => (1..=rows.len() as u64).collect::<Vec<_>>(),
        "entity" => rows.iter().map(|r| r.entity.as_str()).collect::<Vec<_>>(),
        "score" => rows.iter().map(|r| r.score).collect::<Vec<_>>(),
        "revisions" => rows.iter().map(|r| r.revisions).collect::<Vec<_>>(),
        "loc" => rows.iter().map(|r| r.loc).collect::<Vec<_>>(),
        "comment_lines" => rows.iter().map(|r| r.comment_lines).collect::<Vec<_>>(),
        "complexity_max" => rows.iter().map(|r| r.indent_max).collect::<Vec<_>>(),
        "hotspot_score" => rows.iter().map(|r| r.hotspot).collect::<Vec<_>>(),
        "coupling" => rows.iter().map(|r| r.coupling).collect::<Vec<_>>(),
        "coupled" => rows.iter().map(|r| r.coupled).collect::<Vec<_>>(),
        "coupled_cross" => rows.iter().map(|r| r.cross).collect::<Vec<_>>(),
        "hidden_coupling" => rows.iter().map(|r| r.hidden).collect::<Vec<_>>(),
        "coupled_hidden" => rows.iter().map(|r| r.hidden_pairs).collect::<Vec<_>>(),
        "fixes" => rows.iter().map(|r| r.fixes).collect::<Vec<_>>(),
        "test_share" => rows.iter().map(|r| r.test_share).collect::<Vec<_>>(),
        "test_partner" => rows.iter().map(|r| r.test_partner.as_deref()).collect::<Vec<_>>(),
        "inline_tests" => rows.iter().map(|r| r.inline_tests).collect::<Vec<_>>(),
        "coverage" => rows.iter().map(|r| r.coverage).collect::<Vec<_>>(),
        "main_dev" => rows.iter().map(|r| r.owner.as_deref()).collect::<Vec<_>>(),
        "main_dev_share" => rows.iter().map(|r| r.owner_share).collect::<Vec<_>>(),
        "main_dev_inactive" => rows.iter().map(|r| r.inactive).collect::<Vec<_>>(),
        "main_dev_last_commit" => rows.iter().map(|r| r.last_commit.as_deref()).collect::<Vec<_>>(),
        "main_dev_inactive_from" => rows.iter().map(|r| r.inactive_from.as_deref()).collect::<Vec<_>>(),
        "knowledge_risk" => rows.iter().map(|r| r.risk).collect::<Vec<_>>(),
        "criticality" => rows.iter().map(|r| r.weight).collect::<Vec<_>>(),
        "functions" => rows.iter().map(|r| r.functions.as_str()).collect::<Vec<_>>(),
        "reason" => rows.iter().map(|r| r.reason.as_str()).collect::<Vec<_>>(),
    )
}

/// The facts behind one row, told in plain words.
struct Reason<'a> {
    functions: &'a [&'a crate::FunctionRow],
    revisions: u64,
    change_sets: u64,
    top: u64,
    size: Option<(u64, f64)>,
    comments: u64,
    coupling: f64,
    coupled: u64,
    cross: u64,
    hidden: u64,
    fixes: u64,
    coverage: Option<f64>,
    test_share: f64,
    inline_tests: bool,
    owner: Option<&'a Owner>,
    inactive: bool,
    weight: f64,
}

impl Reason<'_> {
    fn text(&self) -> String {
        let mut parts = vec![
            format!(
                "changed in {} of {} change sets (top {} %)",
                self.revisions, self.change_sets, self.top
            ),
            match self.size {
                Some((loc, max)) if self.comments > 0 => format!(
                    "{} lines ({} of them comments), nesting up to {}",
                    group(loc),
                    group(self.comments),
                    levels(max)
                ),
                Some((loc, max)) => format!("{} lines, nesting up to {}", group(loc), levels(max)),
                None => "size unknown (blob missing)".to_owned(),
            },
            format!(
                "{} % of its co-changes reach other folders{}",
                (self.coupling * 100.0).round(),
                if self.coupled == 0 {
                    String::new()
                } else {
                    format!(
                        " (coupled with {} {}, {} in other components{})",
                        self.coupled,
                        if self.coupled == 1 { "file" } else { "files" },
                        self.cross,
                        match self.hidden {
                            0 => String::new(),
                            n => format!(
                                ", of which {n} without an import either way: hidden coupling"
                            ),
                        }
                    )
                }
            ),
            match self.coverage {
                Some(c) => format!("line coverage {} %", (c * 100.0).round()),
                None => format!(
                    "a test changed alongside in {} % of its changes{}",
                    (self.test_share * 100.0).round(),
                    if self.inline_tests {
                        " (it has a test module of its own)"
                    } else {
                        ""
                    }
                ),
            },
        ];
        if self.fixes > 0 {
            parts.push(format!(
                "defect-prone: {} fix commit{} in the window",
                self.fixes,
                if self.fixes == 1 { "" } else { "s" }
            ));
        }
        if let Some(o) = self.owner {
            let mut text = format!(
                "{} % of its added lines by {}",
                (o.share * 100.0).round(),
                o.author
            );
            if self.inactive {
                let (y, m, _) = civil_from_days(o.last_active.div_euclid(86_400));
                text = format!("{text}, inactive since {y}-{m:02}");
            }
            parts.push(text);
        }
        if !self.functions.is_empty() {
            let named: Vec<String> = self
                .functions
                .iter()
                .map(|f| {
                    format!(
                        "`{}` ({} of {}, cognitive {}, nesting {})",
                        f.function.name,
                        f.revisions,
                        self.revisions,
                        f.function.cognitive,
                        f.function.nesting
                    )
                })
                .collect();
            // "Most" only when the first function alone holds more than half of the changes:
            // the changes of several may overlap.
            let lead = if self.functions[0].revisions * 2 > self.revisions {
                "most of its changes are in"
            } else {
                "its changes concentrate in"
            };
            parts.push(format!("{lead} {}", listed(&named)));
        }
        if (self.weight - 1.0).abs() > f64::EPSILON {
            parts.push(format!("criticality ×{}", trim(self.weight)));
        }
        parts.join("; ")
    }
}

struct Row {
    entity: String,
    functions: String,
    score: f64,
    hotspot: f64,
    revisions: u64,
    loc: Option<u64>,
    comment_lines: Option<u64>,
    indent_max: Option<f64>,
    coupling: f64,
    coupled: u64,
    cross: u64,
    hidden: f64,
    hidden_pairs: u64,
    /// Fix commits in the window.
    fixes: u64,
    test_share: f64,
    test_partner: Option<String>,
    inline_tests: bool,
    coverage: Option<f64>,
    owner: Option<String>,
    owner_share: Option<f64>,
    inactive: bool,
    inactive_from: Option<String>,
    last_commit: Option<String>,
    risk: bool,
    weight: f64,
    reason: String,
    hotspot_rank: usize,
}

/// Per entity, how many coupling pairs it is in, how many of those are `cross-component`, and
/// how many of those are hidden (no import joins the two files).
#[derive(Default)]
struct Breadth {
    coupled: HashMap<String, u64>,
    crossing: HashMap<String, u64>,
    hidden: HashMap<String, u64>,
}

/// The [`Breadth`] of each entity of `pairs`; hidden pairs only when `pairs` has the
/// [`STRUCTURE`](crate::STRUCTURE) column.
fn coupling_breadth(pairs: &DataFrame) -> PolarsResult<Breadth> {
    use coupling_col as c;
    let mut breadth = Breadth::default();
    let a = pairs.column(c::ENTITY)?.str()?;
    let b = pairs.column(c::COUPLED)?.str()?;
    let class = pairs.column(c::CLASS)?.str()?;
    let structure = match pairs.column(crate::STRUCTURE) {
        Ok(column) => Some(column.str()?),
        Err(_) => None,
    };
    for (i, ((a, b), class)) in a.iter().zip(b.iter()).zip(class.iter()).enumerate() {
        let (Some(a), Some(b)) = (a, b) else { continue };
        let crossing = class == Some(crate::PairClass::CrossComponent.as_str());
        let hidden = crossing && structure.is_some_and(|s| s.get(i) == Some("none"));
        for side in [a, b] {
            *breadth.coupled.entry(side.to_owned()).or_insert(0) += 1;
            if crossing {
                *breadth.crossing.entry(side.to_owned()).or_insert(0) += 1;
            }
            if hidden {
                *breadth.hidden.entry(side.to_owned()).or_insert(0) += 1;
            }
        }
    }
    Ok(breadth)
}

/// `1310` → `1 310`: thousands apart, as the reasons are read, not parsed.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

/// A number without trailing zeros: `9`, `2.5`.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Nesting depth in words, in whole levels (`1 level`, `9 levels`): indentation that is not a
/// multiple of the indent unit (continuation lines) gives fractions nobody reads as levels.
fn levels(depth: f64) -> String {
    let text = trim(depth.round());
    let unit = if text == "1" { "level" } else { "levels" };
    format!("{text} {unit}")
}

#[cfg(test)]
mod tests {
    use super::{group, levels, listed, trim};

    #[test]
    fn lists_read_as_prose() {
        let items = |n: usize| -> Vec<String> {
            ["a", "b", "c"][..n]
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        };
        assert_eq!(listed(&items(0)), "");
        assert_eq!(listed(&items(1)), "a");
        assert_eq!(listed(&items(2)), "a and b");
        assert_eq!(listed(&items(3)), "a, b and c");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(1310), "1 310");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000_000), "1 000 000");
        assert_eq!(trim(9.0), "9");
        assert_eq!(trim(2.5), "2.5");
        assert_eq!(levels(1.0), "1 level");
        assert_eq!(levels(0.0), "0 levels");
        assert_eq!(levels(9.25), "9 levels");
        assert_eq!(levels(1.4), "1 level");
    }
}
