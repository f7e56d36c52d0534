//! Trends (docs/metrics.md, *trends*): the shape of change per calendar period.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cochange_miner::{Tables, col};
use polars::prelude::*;

use crate::changesets::change_set_ids;
use crate::components::ComponentRules;
use crate::coupling::CouplingOptions;
use crate::teams::{NO_TEAM, Teams};
use crate::time::{civil_from_days, days_from_civil};

/// The length of a trend period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Period {
    /// ISO weeks, Monday first (UTC).
    Week,
    /// Calendar months (UTC).
    Month,
    /// Calendar quarters (UTC).
    Quarter,
}

impl Period {
    /// The start (unix seconds) of the period holding `t`, and its label.
    fn of(self, t: i64) -> (i64, String) {
        let days = t.div_euclid(86_400);
        let (year, month, _) = civil_from_days(days);
        match self {
            Period::Week => {
                // 1970-01-01 was a Thursday: Monday is 3 days before.
                let monday = days - (days + 3).rem_euclid(7);
                let (y, m, d) = civil_from_days(monday);
                (monday * 86_400, format!("{y:04}-{m:02}-{d:02}"))
            }
            Period::Month => (
                days_from_civil(year, month, 1) * 86_400,
                format!("{year:04}-{month:02}"),
            ),
            Period::Quarter => {
                let first = (month - 1) / 3 * 3 + 1;
                (
                    days_from_civil(year, first, 1) * 86_400,
                    format!("{year:04}-Q{}", (month - 1) / 3 + 1),
                )
            }
        }
    }

    /// The label of the period holding `t` (`2024-06`, `2024-Q2`, the Monday of a week).
    pub fn label(self, t: i64) -> String {
        self.of(t).1
    }

    /// The start of the period after the one starting at `start`.
    fn next(self, start: i64) -> i64 {
        let (y, m, _) = civil_from_days(start.div_euclid(86_400));
        match self {
            Period::Week => start + 7 * 86_400,
            Period::Month => {
                let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                days_from_civil(y, m, 1) * 86_400
            }
            Period::Quarter => {
                let (y, m) = if m >= 10 { (y + 1, 1) } else { (y, m + 3) };
                days_from_civil(y, m, 1) * 86_400
            }
        }
    }
}

/// Where the analysed history ends and, when it was cut, where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendSpan {
    /// "Now": a period that ends after it is partial.
    pub as_of: i64,
    /// The start of the history when it was cut (`--since`).
    pub history_from: Option<i64>,
}

/// What one change set contributes to its period.
struct ChangeSet<'a> {
    time: i64,
    entities: BTreeSet<&'a str>,
    authors: BTreeSet<(&'a str, &'a str)>,
}

/// One row per period from the first to the last change set (empty periods included):
///
/// - `period` (label), `change_sets`, `mean_files` and `p90_files` (distinct files per change
///   set; p90 by nearest rank), `crossing_share` (change sets touching more than one component);
/// - `coupled_pairs` and `cross_component_pairs`: pairs passing `options` over the change sets of
///   the `trailing` periods that end with this one;
/// - `hotspot_concentration`: the share of the period's file revisions that fall on its top 5 %
///   of files (at least one file), by revisions;
/// - `active_authors`: distinct authors (name and email);
/// - `teams_per_component`: the mean number of teams changing each component changed in the
///   period, when `teams` has any (null otherwise);
/// - `partial`: the period had not ended at `span.as_of`, so its counts are not comparable yet.
///
/// When the history was cut at `span.history_from` (`--since`), the coupled-pair counts of the
/// periods whose trailing window starts before it are null: they would count fewer periods.
pub fn trends(
    tables: &Tables,
    period: Period,
    trailing: usize,
    rules: &ComponentRules,
    teams: &Teams,
    options: &CouplingOptions,
    span: TrendSpan,
) -> PolarsResult<DataFrame> {
    let sets = change_sets(tables, &options.grouping)?;
    let Some(first) = sets.iter().map(|s| s.time).min() else {
        return empty();
    };
    let last = sets.iter().map(|s| s.time).max().unwrap_or(first);
    let mut starts = vec![period.of(first)];
    while starts.last().is_some_and(|(s, _)| period.next(*s) <= last) {
        let next = period.next(starts.last().map_or(first, |s| s.0));
        starts.push(period.of(next));
    }
    // Components once per file, not once per change.
    let component: HashMap<&str, String> = sets
        .iter()
        .flat_map(|s| s.entities.iter().copied())
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .map(|e| (e, rules.component_of(e).0))
        .collect();
    let mut by_period: Vec<Vec<&ChangeSet<'_>>> = vec![Vec::new(); starts.len()];
    for set in &sets {
        // The last period starting at or before the change set.
        let i = starts.partition_point(|(start, _)| *start <= set.time);
        by_period[i.saturating_sub(1)].push(set);
    }
    let mut sliding = SlidingPairs::new(&sets);
    let trailing = trailing.max(1);
    let mut rows = Vec::new();
    for (i, (start, label)) in starts.iter().enumerate() {
        for set in &by_period[i] {
            sliding.update(set, options.max_changeset_size, true);
        }
        if i >= trailing {
            for set in &by_period[i - trailing] {
                sliding.update(set, options.max_changeset_size, false);
            }
        }
        let here = &by_period[i];
        let (coupled, crossing_pairs) = sliding.count(options);
        let window_start = starts[i.saturating_sub(trailing - 1)].0;
        let cut = span
            .history_from
            .is_some_and(|from| i + 1 < trailing || window_start < from);
        rows.push(Row {
            label: label.clone(),
            metrics: metrics(here, &component, teams),
            coupled: (!cut).then_some(coupled),
            crossing_pairs: (!cut).then_some(crossing_pairs),
            partial: period.next(*start) > span.as_of.saturating_add(1),
        });
    }
    df!(
        "period" => rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
        "change_sets" => rows.iter().map(|r| r.metrics.change_sets).collect::<Vec<_>>(),
        "mean_files" => rows.iter().map(|r| r.metrics.mean_files).collect::<Vec<_>>(),
        "p90_files" => rows.iter().map(|r| r.metrics.p90_files).collect::<Vec<_>>(),
        "crossing_share" => rows.iter().map(|r| r.metrics.crossing_share).collect::<Vec<_>>(),
        "coupled_pairs" => rows.iter().map(|r| r.coupled).collect::<Vec<_>>(),
        "cross_component_pairs" => rows.iter().map(|r| r.crossing_pairs).collect::<Vec<_>>(),
        "hotspot_concentration" => rows.iter().map(|r| r.metrics.concentration).collect::<Vec<_>>(),
        "active_authors" => rows.iter().map(|r| r.metrics.authors).collect::<Vec<_>>(),
        "teams_per_component" => rows.iter().map(|r| r.metrics.teams_per_component).collect::<Vec<_>>(),
        "partial" => rows.iter().map(|r| r.partial).collect::<Vec<_>>(),
    )
}

struct Row {
    label: String,
    metrics: Metrics,
    coupled: Option<u64>,
    crossing_pairs: Option<u64>,
    partial: bool,
}

#[derive(Default)]
struct Metrics {
    change_sets: u64,
    mean_files: f64,
    p90_files: u64,
    crossing_share: f64,
    concentration: f64,
    authors: u64,
    teams_per_component: Option<f64>,
}

fn empty() -> PolarsResult<DataFrame> {
    df!(
        "period" => Vec::<String>::new(),
        "change_sets" => Vec::<u64>::new(),
        "mean_files" => Vec::<f64>::new(),
        "p90_files" => Vec::<u64>::new(),
        "crossing_share" => Vec::<f64>::new(),
        "coupled_pairs" => Vec::<u64>::new(),
        "cross_component_pairs" => Vec::<u64>::new(),
        "hotspot_concentration" => Vec::<f64>::new(),
        "active_authors" => Vec::<u64>::new(),
        "teams_per_component" => Vec::<Option<f64>>::new(),
        "partial" => Vec::<bool>::new(),
    )
}

/// The change sets with their earliest author time, entities and authors.
fn change_sets<'a>(
    tables: &'a Tables,
    grouping: &crate::Grouping,
) -> PolarsResult<Vec<ChangeSet<'a>>> {
    let ids = change_set_ids(tables, grouping)?;
    let commits = &tables.commits;
    let mut info: HashMap<(&str, &str), (i64, &str, &str)> = HashMap::new();
    let (repo, id) = (
        commits.column(col::REPO)?.str()?,
        commits.column(col::COMMIT)?.str()?,
    );
    let (name, email) = (
        commits.column(col::AUTHOR)?.str()?,
        commits.column(col::EMAIL)?.str()?,
    );
    let time = commits.column(col::AUTHOR_TIME)?.i64()?;
    for i in 0..commits.height() {
        if let (Some(r), Some(c), Some(t), Some(n), Some(e)) = (
            repo.get(i),
            id.get(i),
            time.get(i),
            name.get(i),
            email.get(i),
        ) {
            info.insert((r, c), (t, n, e));
        }
    }
    let changes = &tables.changes;
    let (repo, id) = (
        changes.column(col::REPO)?.str()?,
        changes.column(col::COMMIT)?.str()?,
    );
    let entity = changes.column(col::ENTITY)?.str()?;
    let mut sets: BTreeMap<u32, ChangeSet<'a>> = BTreeMap::new();
    for i in 0..changes.height() {
        let (Some(set), Some(repo_name), Some(commit), Some(path)) =
            (ids.get(i), repo.get(i), id.get(i), entity.get(i))
        else {
            continue;
        };
        let Some(&(time, name, mail)) = info.get(&(repo_name, commit)) else {
            continue;
        };
        let entry = sets.entry(set).or_insert_with(|| ChangeSet {
            time,
            entities: BTreeSet::new(),
            authors: BTreeSet::new(),
        });
        entry.time = entry.time.min(time);
        entry.entities.insert(path);
        entry.authors.insert((name, mail));
    }
    Ok(sets.into_values().collect())
}

fn metrics(sets: &[&ChangeSet<'_>], component: &HashMap<&str, String>, teams: &Teams) -> Metrics {
    if sets.is_empty() {
        return Metrics {
            teams_per_component: (!teams.teams.is_empty()).then_some(0.0),
            ..Metrics::default()
        };
    }
    let mut sizes: Vec<u64> = sets.iter().map(|s| s.entities.len() as u64).collect();
    sizes.sort_unstable();
    let n = sizes.len();
    let p90 = sizes[(n * 9).div_ceil(10).max(1) - 1];
    let crossing = sets
        .iter()
        .filter(|s| {
            s.entities
                .iter()
                .map(|e| &component[e])
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .count();
    let mut revisions: BTreeMap<&str, u64> = BTreeMap::new();
    let mut authors: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut teams_of: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for set in sets {
        authors.extend(set.authors.iter().copied());
        for &e in &set.entities {
            *revisions.entry(e).or_default() += 1;
            if teams.teams.is_empty() {
                continue;
            }
            let component = component[e].clone();
            for &(name, email) in &set.authors {
                let team = teams.team_of(name, email);
                let teams_here = teams_of.entry(component.clone()).or_default();
                if team != NO_TEAM {
                    teams_here.insert(team);
                }
            }
        }
    }
    let mut counts: Vec<u64> = revisions.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top = counts.len().div_ceil(20).max(1);
    let total: u64 = counts.iter().sum();
    let in_top: u64 = counts.iter().take(top).sum();
    Metrics {
        change_sets: n as u64,
        mean_files: sizes.iter().sum::<u64>() as f64 / n as f64,
        p90_files: p90,
        crossing_share: crossing as f64 / n as f64,
        concentration: if total == 0 {
            0.0
        } else {
            in_top as f64 / total as f64
        },
        authors: authors.len() as u64,
        teams_per_component: (!teams.teams.is_empty()).then(|| {
            teams_of.values().map(|t| t.len() as f64).sum::<f64>() / teams_of.len().max(1) as f64
        }),
    }
}

/// Revisions and shared change sets over a sliding window of periods: change sets are added as
/// the window reaches their period and removed as it leaves, so each period costs only its own
/// change sets and the pairs in the window. Counts only change sets of at most
/// `max_changeset_size` entities, as `coupling`. Entities are numbered to keep hashing cheap.
struct SlidingPairs<'a> {
    names: Vec<&'a str>,
    number: HashMap<&'a str, u32>,
    revisions: Vec<u64>,
    /// `(a << 32) | b` with `a < b` → shared change sets; pairs leave when they reach 0.
    shared: HashMap<u64, u64>,
    cross_component: HashMap<u64, bool>,
}

impl<'a> SlidingPairs<'a> {
    fn new(sets: &[ChangeSet<'a>]) -> Self {
        let names: Vec<&'a str> = sets
            .iter()
            .flat_map(|s| s.entities.iter().copied())
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .collect();
        let number = names
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, i as u32))
            .collect();
        SlidingPairs {
            revisions: vec![0; names.len()],
            names,
            number,
            shared: HashMap::new(),
            cross_component: HashMap::new(),
        }
    }

    fn update(&mut self, set: &ChangeSet<'a>, max_size: u32, add: bool) {
        if set.entities.len() > max_size as usize {
            return;
        }
        // Entities are sorted by name, so numbers are increasing.
        let ids: Vec<u32> = set.entities.iter().map(|e| self.number[e]).collect();
        for (i, &a) in ids.iter().enumerate() {
            let revisions = &mut self.revisions[a as usize];
            *revisions = if add {
                *revisions + 1
            } else {
                revisions.saturating_sub(1)
            };
            for &b in &ids[i + 1..] {
                let key = (u64::from(a) << 32) | u64::from(b);
                if add {
                    *self.shared.entry(key).or_default() += 1;
                } else if let Some(count) = self.shared.get_mut(&key) {
                    *count -= 1;
                    if *count == 0 {
                        self.shared.remove(&key);
                    }
                }
            }
        }
    }

    /// Pairs passing `options` (code-maat's four conditions, as `coupling` applies them), and the
    /// cross-component ones among them.
    fn count(&mut self, options: &CouplingOptions) -> (u64, u64) {
        let (mut pairs, mut crossing) = (0, 0);
        for (&key, &shared) in &self.shared {
            let (a, b) = ((key >> 32) as usize, (key & 0xffff_ffff) as usize);
            let sum = self.revisions[a] + self.revisions[b];
            let passes = sum >= 2 * u64::from(options.min_revs)
                && shared >= u64::from(options.min_shared)
                && 200 * shared >= u64::from(options.min_degree) * sum
                && 200 * shared / sum.max(1) <= u64::from(options.max_degree);
            if passes {
                pairs += 1;
                let names = &self.names;
                let cross = *self.cross_component.entry(key).or_insert_with(|| {
                    crate::pair_class(names[a], names[b], &options.components)
                        == crate::PairClass::CrossComponent
                });
                crossing += u64::from(cross);
            }
        }
        (pairs, crossing)
    }
}

#[cfg(test)]
mod tests {
    use super::Period;
    use crate::time::days_from_civil;

    #[test]
    fn periods_start_where_the_calendar_says() {
        let day = |y, m, d| days_from_civil(y, m, d) * 86_400;
        // 2020-01-01 was a Wednesday: its week starts Monday 2019-12-30.
        assert_eq!(Period::Week.of(day(2020, 1, 1) + 5).1, "2019-12-30");
        assert_eq!(Period::Month.of(day(2020, 2, 29)).1, "2020-02");
        assert_eq!(Period::Quarter.of(day(2020, 5, 3)).1, "2020-Q2");
        assert_eq!(Period::Quarter.next(day(2020, 10, 1)), day(2021, 1, 1));
        assert_eq!(Period::Month.next(day(2020, 12, 1)), day(2021, 1, 1));
    }
}
