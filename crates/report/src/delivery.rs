//! The tables of `delivery` (docs/delivery.md): releases with the lead time of the commits each
//! released first, the same per month, every commit with its release, and the pending commits.

use std::collections::{BTreeMap, BTreeSet};

use cochange_analysis::{Delivered, Delivery, FailureRules, Release, Session, day, nearest_rank};
use polars::prelude::*;

use crate::{BuildError, Table};

/// The tables of `delivery`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DeliveryView {
    /// Per release: its component, version, date, and the commits it released first with the
    /// median and 90th percentile of their lead time.
    Releases,
    /// Per component and month of release: releases, commits released, lead time, and the delay
    /// from authoring a commit to committing it.
    Months,
    /// Every non-merge commit with the first release of its component that holds it.
    Commits,
    /// The commits no release holds yet, with their age at the as-of date.
    Pending,
    /// Branches merged into the main line: commits, first commit, merge, and the cycle time
    /// from the first commit to the merge.
    Merges,
    /// Pairs of components released together (within `--together-hours`), beside how often
    /// their files changed together.
    Together,
}

/// What `delivery` takes besides the session and the view.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// What counts as a failed release.
    pub failures: FailureRules,
    /// Releases of components within this many seconds of the first form one release event.
    pub together_window: i64,
}

/// What the component column says of releases of the whole repository.
const ALL: &str = "(all)";

/// `delivery`: the views asked for (releases, months and pending by default), over the whole
/// analysed history; pending commits are aged at the as-of date.
pub fn delivery(
    session: &mut Session<'_>,
    view: Option<DeliveryView>,
    options: &DeliveryOptions,
) -> Result<Vec<Table>, BuildError> {
    // The as-of date ages pending commits; delivery covers every release of the history.
    let measured = session.measure(1)?;
    let found = session.delivery(&session.settings.releases, &options.failures)?;
    if found.releases.is_empty() {
        session.notify(cochange_analysis::Notice::Warning(format!(
            "no tag is a release by the release pattern ({} tags): the release tables are empty; tag releases, or give `[releases] pattern` (docs/delivery.md)",
            found.other_tags
        )));
    }
    let unmapped: BTreeSet<&str> = found
        .releases
        .iter()
        .filter(|r| r.scope.is_none())
        .filter_map(|r| r.component.as_deref())
        .collect();
    if !unmapped.is_empty() {
        let names: Vec<&str> = unmapped.into_iter().collect();
        session.notify(cochange_analysis::Notice::Warning(format!(
            "tag prefixes that name no component count as releases of the whole repository, (all): {}",
            names.join(", ")
        )));
    }
    let views = match view {
        Some(view) => vec![view],
        None => vec![
            DeliveryView::Releases,
            DeliveryView::Months,
            DeliveryView::Together,
            DeliveryView::Pending,
        ],
    };
    let context = vec![
        ("repository".to_owned(), session.repositories()),
        ("as_of".to_owned(), day(measured.as_of)),
        (
            "tags".to_owned(),
            format!(
                "{} releases; {} other tags",
                found.releases.len(),
                found.other_tags
            ),
        ),
    ];
    let mut tables = Vec::new();
    for view in views {
        let mut table = match view {
            DeliveryView::Releases => releases_table(&found)?,
            DeliveryView::Months => months_table(&found)?,
            DeliveryView::Commits => commits_table(&found)?,
            DeliveryView::Pending => pending_table(&found, measured.as_of)?,
            DeliveryView::Merges => merges_table(&found)?,
            DeliveryView::Together => together_table(session, &measured, &found, options)?,
        };
        table.context.clone_from(&context);
        tables.push(table);
    }
    Ok(tables)
}

/// How many months of releases the report's chart shows.
const CHART_MONTHS: usize = 24;

/// The report's delivery section (docs/report.md): the releases with their lead time and
/// failure proxy, and per month of release the releases, the lead time of the commits released
/// and the change-failure rate, all components together; with the median lead time of the
/// commits that final releases of the window released, which `check` compares
/// (`lead-time-growth`). `None` with several repositories or without releases.
pub(crate) fn section(
    session: &Session<'_>,
    measured: &cochange_analysis::Measured,
) -> Result<Option<(crate::Section, Option<i64>)>, BuildError> {
    if session.several() {
        return Ok(None);
    }
    let found = session.delivery(&session.settings.releases, &default_rules()?)?;
    if found.releases.is_empty() {
        return Ok(None);
    }
    let table = releases_table(&found)?;
    let months: Vec<(String, Totals)> = totals(&found, &|r: &Release| month(r.time))
        .into_iter()
        .collect();
    let shown: Vec<&(String, Totals)> = months.iter().rev().take(CHART_MONTHS).rev().collect();
    let labels: Vec<String> = shown.iter().map(|(m, _)| m.clone()).collect();
    let days = |v: Option<i64>| v.map_or(0.0, |s| s as f64 / 86_400.0);
    let series = vec![
        (
            "releases".to_owned(),
            "final releases".to_owned(),
            shown.iter().map(|(_, t)| t.releases as f64).collect(),
        ),
        (
            "lead_time_median".to_owned(),
            "days".to_owned(),
            shown
                .iter()
                .map(|(_, t)| days(nearest_rank(&t.leads, 0.5)))
                .collect(),
        ),
        (
            "lead_time_p90".to_owned(),
            "days".to_owned(),
            shown
                .iter()
                .map(|(_, t)| days(nearest_rank(&t.leads, 0.9)))
                .collect(),
        ),
        (
            "change_failure_rate".to_owned(),
            "share of final releases (proxy)".to_owned(),
            shown
                .iter()
                .map(|(_, t)| t.failure_rate().unwrap_or(0.0))
                .collect(),
        ),
    ];
    let span = match (labels.first(), labels.last()) {
        (Some(a), Some(b)) => format!("Delivery per month with releases, {a} .. {b}"),
        _ => "Delivery per month with releases".to_owned(),
    };
    let chart = crate::charts::trend_chart(&labels, &series, &span, false)?;
    let mut window_leads: Vec<i64> = found
        .commits
        .iter()
        .filter(|c| {
            c.release
                .is_some_and(|r| (measured.from..=measured.as_of).contains(&found.releases[r].time))
        })
        .filter_map(|c| c.lead_time(&found.releases))
        .collect();
    window_leads.sort_unstable();
    let section = crate::Section {
        id: "delivery".into(),
        title: "Delivery".into(),
        text: format!(
            "Releases read from tags ({} releases, {} other tags), newest first, with the commits each released first and their lead time (commit to release, median and 90th percentile), the files they changed, and whether a patch release, a revert or a fix on their files followed within 14 days (a proxy of change failure). The chart shows, per month with releases (the last {CHART_MONTHS}), the final releases, the lead time of the commits they released and the change-failure rate, all components together. `cochange delivery` has the months per component, the components released together and the pending commits (docs/delivery.md).",
            found.releases.len(),
            found.other_tags
        ),
        table,
        charts: vec![("delivery.svg".into(), chart)],
        highlight: Some(("failed".into(), "true".into())),
        shown: [
            "tag",
            "component",
            "date",
            "commits",
            "lead_median",
            "lead_p90",
            "files",
            "failed",
            "failure",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    };
    Ok(Some((section, nearest_rank(&window_leads, 0.5))))
}

/// The failure rules the report and `trends` use: the default fix pattern and 14 days.
fn default_rules() -> Result<FailureRules, BuildError> {
    Ok(FailureRules {
        fix: cochange_analysis::RankingCheck::fix_pattern(None)?,
        days: 14,
    })
}

/// `trends` with three delivery columns when the tags hold releases (one repository): per
/// period of release, `releases` (final ones), `lead_time_median_s` of the commits they released
/// first and `change_failure_rate` (docs/delivery.md); `frame` unchanged otherwise.
pub(crate) fn with_delivery(
    session: &Session<'_>,
    frame: DataFrame,
    period: cochange_analysis::Period,
) -> Result<DataFrame, BuildError> {
    if session.several() {
        return Ok(frame);
    }
    let found = session.delivery(&session.settings.releases, &default_rules()?)?;
    if found.releases.is_empty() {
        return Ok(frame);
    }
    let periods = totals(&found, &|r: &Release| period.label(r.time));
    let labels: Vec<String> = frame
        .column("period")?
        .str()?
        .iter()
        .map(|l| l.unwrap_or_default().to_owned())
        .collect();
    let of = |l: &String| periods.get(l);
    let mut frame = frame;
    frame.with_column(Column::new(
        "releases".into(),
        labels
            .iter()
            .map(|l| of(l).map_or(0, |t| t.releases))
            .collect::<Vec<u64>>(),
    ))?;
    frame.with_column(Column::new(
        "lead_time_median_s".into(),
        labels
            .iter()
            .map(|l| of(l).and_then(|t| nearest_rank(&t.leads, 0.5)))
            .collect::<Vec<Option<i64>>>(),
    ))?;
    frame.with_column(Column::new(
        "change_failure_rate".into(),
        labels
            .iter()
            .map(|l| of(l).and_then(Totals::failure_rate))
            .collect::<Vec<Option<f64>>>(),
    ))?;
    Ok(frame)
}

/// What the final releases of one period (and scope) give.
#[derive(Debug, Default)]
struct Totals {
    /// Final releases.
    releases: u64,
    /// Of them, failed by the proxy.
    failed: u64,
    /// Lead times of the commits they released first, sorted.
    leads: Vec<i64>,
    /// Author-to-commit delays of those commits, sorted.
    delays: Vec<i64>,
}

impl Totals {
    fn failure_rate(&self) -> Option<f64> {
        (self.releases > 0).then(|| self.failed as f64 / self.releases as f64)
    }
}

/// The totals of the final releases grouped by `key` (a period label, with a scope or not),
/// in key order; a commit counts where its first release does.
fn totals<K: Ord>(found: &Delivery, key: &dyn Fn(&Release) -> K) -> BTreeMap<K, Totals> {
    let mut out: BTreeMap<K, Totals> = BTreeMap::new();
    for (r, release) in found
        .releases
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.prerelease)
    {
        let entry = out.entry(key(release)).or_default();
        entry.releases += 1;
        entry.failed += u64::from(found.failures[r].failed());
    }
    for commit in &found.commits {
        if let (Some(r), Some(lead)) = (commit.release, commit.lead_time(&found.releases)) {
            let entry = out.entry(key(&found.releases[r])).or_default();
            entry.leads.push(lead);
            entry
                .delays
                .push((commit.committed - commit.authored).max(0));
        }
    }
    for entry in out.values_mut() {
        entry.leads.sort_unstable();
        entry.delays.sort_unstable();
    }
    out
}

/// The month of a release time: `2024-06`.
fn month(time: i64) -> String {
    day(time).get(..7).unwrap_or_default().to_owned()
}

fn scope(scope: Option<&str>) -> &str {
    scope.unwrap_or(ALL)
}

/// `d h` (or `h m` under a day) of a number of seconds, for reading; the seconds are beside it.
fn duration(seconds: i64) -> String {
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    if days > 0 {
        format!("{days}d {hours}h")
    } else {
        format!("{hours}h {minutes}m")
    }
}

/// The lead times of `commits` that `release` released first, sorted.
fn lead_times<'d>(commits: impl Iterator<Item = &'d Delivered>, releases: &[Release]) -> Vec<i64> {
    let mut times: Vec<i64> = commits.filter_map(|c| c.lead_time(releases)).collect();
    times.sort_unstable();
    times
}

fn releases_table(found: &Delivery) -> Result<Table, BuildError> {
    let mut by_release: BTreeMap<usize, Vec<&Delivered>> = BTreeMap::new();
    for commit in &found.commits {
        if let Some(r) = commit.release {
            by_release.entry(r).or_default().push(commit);
        }
    }
    // Newest first.
    let order: Vec<usize> = (0..found.releases.len()).rev().collect();
    let stats: Vec<(u64, Option<i64>, Option<i64>)> = order
        .iter()
        .map(|r| {
            let of = by_release.get(r).map_or(&[][..], Vec::as_slice);
            let times = lead_times(of.iter().copied(), &found.releases);
            (
                of.len() as u64,
                nearest_rank(&times, 0.5),
                nearest_rank(&times, 0.9),
            )
        })
        .collect();
    let release = |r: &usize| &found.releases[*r];
    let frame = df!(
        "tag" => order.iter().map(|r| release(r).tag.as_str()).collect::<Vec<_>>(),
        "component" => order.iter().map(|r| scope(release(r).scope.as_deref())).collect::<Vec<_>>(),
        "version" => order.iter().map(|r| release(r).version.as_str()).collect::<Vec<_>>(),
        "prerelease" => order.iter().map(|r| release(r).prerelease).collect::<Vec<_>>(),
        "annotated" => order.iter().map(|r| release(r).annotated).collect::<Vec<_>>(),
        "date" => order.iter().map(|r| day(release(r).time)).collect::<Vec<_>>(),
        "time" => order.iter().map(|r| release(r).time).collect::<Vec<_>>(),
        "commit" => order.iter().map(|r| release(r).commit.get(..12).unwrap_or_default()).collect::<Vec<_>>(),
        "commits" => stats.iter().map(|s| s.0).collect::<Vec<_>>(),
        "lead_median_s" => stats.iter().map(|s| s.1).collect::<Vec<_>>(),
        "lead_p90_s" => stats.iter().map(|s| s.2).collect::<Vec<_>>(),
        "lead_median" => stats.iter().map(|s| s.1.map(duration)).collect::<Vec<_>>(),
        "lead_p90" => stats.iter().map(|s| s.2.map(duration)).collect::<Vec<_>>(),
        "files" => order.iter().map(|r| found.files[*r] as u64).collect::<Vec<_>>(),
        "components" => order.iter().map(|r| found.components[*r] as u64).collect::<Vec<_>>(),
        "failed" => order.iter().map(|r| found.failures[*r].failed()).collect::<Vec<_>>(),
        "failure" => order.iter().map(|r| failure_text(found, *r)).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("releases", &frame)?;
    table.title = Some("Releases, newest first".into());
    table.legend = vec![
        "a release is a tag that the release pattern accepts (`[releases] pattern`); its time is the tagger's for an annotated tag, else the commit's; component: the tag's prefix when it names a component, else (all)".into(),
        "commits: non-merge commits this release held first among the releases of its component; lead: from a commit's committer time to the release time, median and 90th percentile by nearest rank, in seconds and in days and hours".into(),
        "files, components: the files those commits changed and their components (the batch size); failed (a proxy, not a count of incidents): a patch release, a revert of one of its commits, or a fix commit on one of its files followed it within the failure window".into(),
    ];
    Ok(table)
}

/// Why release `r` counts as failed, in words; empty when it does not.
fn failure_text(found: &Delivery, r: usize) -> String {
    let failure = &found.failures[r];
    let mut parts = Vec::new();
    if let Some(p) = failure.patch {
        parts.push(format!("patch {}", found.releases[p].tag));
    }
    let short = |ids: &[String]| -> String {
        let ids: Vec<&str> = ids.iter().map(|c| c.get(..12).unwrap_or(c)).collect();
        ids.join(" ")
    };
    if !failure.reverts.is_empty() {
        parts.push(format!("reverted by {}", short(&failure.reverts)));
    }
    if !failure.fixes.is_empty() {
        parts.push(format!(
            "{} fix commit{} on its files: {}",
            failure.fixes.len(),
            if failure.fixes.len() == 1 { "" } else { "s" },
            short(&failure.fixes)
        ));
    }
    parts.join("; ")
}

fn months_table(found: &Delivery) -> Result<Table, BuildError> {
    let months = totals(found, &|r: &Release| {
        (scope(r.scope.as_deref()).to_owned(), month(r.time))
    });
    let mut rows: Vec<((String, String), Totals)> = months.into_iter().collect();
    // Newest month first, components in name order.
    rows.sort_by(|a, b| b.0.1.cmp(&a.0.1).then(a.0.0.cmp(&b.0.0)));
    let lead =
        |p: f64| -> Vec<Option<i64>> { rows.iter().map(|r| nearest_rank(&r.1.leads, p)).collect() };
    let (median, p90) = (lead(0.5), lead(0.9));
    let frame = df!(
        "component" => rows.iter().map(|r| r.0.0.as_str()).collect::<Vec<_>>(),
        "month" => rows.iter().map(|r| r.0.1.as_str()).collect::<Vec<_>>(),
        "releases" => rows.iter().map(|r| r.1.releases).collect::<Vec<_>>(),
        "commits" => rows.iter().map(|r| r.1.leads.len() as u64).collect::<Vec<_>>(),
        "lead_median_s" => &median,
        "lead_p90_s" => &p90,
        "lead_median" => median.iter().map(|s| s.map(duration)).collect::<Vec<_>>(),
        "lead_p90" => p90.iter().map(|s| s.map(duration)).collect::<Vec<_>>(),
        "commit_delay_median_s" => rows.iter().map(|r| nearest_rank(&r.1.delays, 0.5)).collect::<Vec<_>>(),
        "failed" => rows.iter().map(|r| r.1.failed).collect::<Vec<_>>(),
        "change_failure_rate" => rows.iter().map(|r| r.1.failure_rate()).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("delivery-months", &frame)?;
    table.title = Some("Lead time and change failure per component and month of release".into());
    table.legend = vec![
        "commits: non-merge commits released first in that month; lead: commit to release; commit_delay: author time to committer time (review and rebase), medians and 90th percentiles by nearest rank".into(),
        "failed: final releases of the month that a patch release, a revert or a fix on their files followed within the failure window; change_failure_rate = failed / final releases (a proxy)".into(),
    ];
    Ok(table)
}

fn commits_table(found: &Delivery) -> Result<Table, BuildError> {
    let c = &found.commits;
    let release = |d: &Delivered| d.release.map(|r| &found.releases[r]);
    let frame = df!(
        "component" => c.iter().map(|d| scope(d.scope.as_deref())).collect::<Vec<_>>(),
        "commit" => c.iter().map(|d| d.commit.as_str()).collect::<Vec<_>>(),
        "subject" => c.iter().map(|d| d.subject.as_str()).collect::<Vec<_>>(),
        "authored" => c.iter().map(|d| d.authored).collect::<Vec<_>>(),
        "committed" => c.iter().map(|d| d.committed).collect::<Vec<_>>(),
        "release" => c.iter().map(|d| release(d).map(|r| r.tag.as_str())).collect::<Vec<_>>(),
        "released" => c.iter().map(|d| release(d).map(|r| r.time)).collect::<Vec<_>>(),
        "lead_time_s" => c.iter().map(|d| d.lead_time(&found.releases)).collect::<Vec<_>>(),
        "lead_time" => c.iter().map(|d| d.lead_time(&found.releases).map(duration)).collect::<Vec<_>>(),
        "commit_delay_s" => c.iter().map(|d| (d.committed - d.authored).max(0)).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("delivery-commits", &frame)?;
    table.title = Some("Commits and the first release that holds each".into());
    table.legend = vec![
        "times in unix seconds; a commit of a component with releases of its own appears once for it and once for the releases of the whole repository, if there are any".into(),
    ];
    Ok(table)
}

/// Components released together, with their change coupling over the history up to the as-of
/// date (every change set, no threshold) beside.
fn together_table(
    session: &Session<'_>,
    measured: &cochange_analysis::Measured,
    found: &Delivery,
    options: &DeliveryOptions,
) -> Result<Table, BuildError> {
    use cochange_analysis::coupling_col as c;
    let pairs = cochange_analysis::released_together(&found.releases, options.together_window);
    let configured = session.coupling_options(&cochange_analysis::Thresholds::default())?;
    let rules = configured.components.clone();
    let components =
        cochange_analysis::map_entities(&measured.upto, &|path: &str| rules.component_of(path).0)?;
    let every = cochange_analysis::CouplingOptions {
        min_revs: 1,
        min_shared: 1,
        min_degree: 0,
        ..configured
    };
    let coupled = cochange_analysis::coupling(&components, &every)?;
    let mut changed: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for ((a, b), (degree, shared)) in coupled
        .column(c::ENTITY)?
        .str()?
        .iter()
        .zip(coupled.column(c::COUPLED)?.str()?.iter())
        .zip(
            coupled
                .column(c::DEGREE)?
                .u64()?
                .iter()
                .zip(coupled.column(c::SHARED)?.u64()?.iter()),
        )
    {
        if let (Some(a), Some(b)) = (a, b) {
            let key = if a < b { (a, b) } else { (b, a) };
            let value = (degree.unwrap_or(0), shared.unwrap_or(0));
            changed.insert((key.0.to_owned(), key.1.to_owned()), value);
        }
    }
    let change = |p: &cochange_analysis::ReleasedTogether| {
        changed
            .get(&(p.a.clone(), p.b.clone()))
            .copied()
            .unwrap_or((0, 0))
    };
    let frame = df!(
        "component_a" => pairs.iter().map(|p| p.a.as_str()).collect::<Vec<_>>(),
        "component_b" => pairs.iter().map(|p| p.b.as_str()).collect::<Vec<_>>(),
        "events_a" => pairs.iter().map(|p| p.events_a).collect::<Vec<_>>(),
        "events_b" => pairs.iter().map(|p| p.events_b).collect::<Vec<_>>(),
        "together" => pairs.iter().map(|p| p.together).collect::<Vec<_>>(),
        "lift" => pairs.iter().map(|p| p.lift).collect::<Vec<_>>(),
        "change_shared" => pairs.iter().map(|p| change(p).1).collect::<Vec<_>>(),
        "change_degree" => pairs.iter().map(|p| change(p).0).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("released-together", &frame)?;
    table.title = Some("Components released together".into());
    table.legend = vec![
        format!(
            "release events: final releases of components, each event the releases within {} of its first; events_a, events_b: the events releasing each; together: events holding both; lift: together over what independence would give (events_a × events_b / events)",
            match options.together_window / 3600 {
                1 => "1 hour".to_owned(),
                hours => format!("{hours} hours"),
            }
        ),
        "change_shared, change_degree: change sets in which files of both changed, and code-maat's degree, over the whole history: released together but never changed together is coupling by release process, not by code".into(),
    ];
    Ok(table)
}

fn merges_table(found: &Delivery) -> Result<Table, BuildError> {
    let m = &found.merges;
    let cycle = |b: &cochange_analysis::MergedBranch| (b.merged - b.first_authored).max(0);
    let frame = df!(
        "merge" => m.iter().map(|b| b.merge.get(..12).unwrap_or_default()).collect::<Vec<_>>(),
        "subject" => m.iter().map(|b| b.subject.as_str()).collect::<Vec<_>>(),
        "commits" => m.iter().map(|b| b.commits).collect::<Vec<_>>(),
        "first_commit" => m.iter().map(|b| day(b.first_authored)).collect::<Vec<_>>(),
        "merged" => m.iter().map(|b| day(b.merged)).collect::<Vec<_>>(),
        "cycle_s" => m.iter().map(cycle).collect::<Vec<_>>(),
        "cycle" => m.iter().map(|b| duration(cycle(b))).collect::<Vec<_>>(),
    )?;
    let mut cycles: Vec<i64> = m.iter().map(cycle).collect();
    cycles.sort_unstable();
    let mut table = Table::from_frame("merges", &frame)?;
    table.title = Some("Branches merged into the main line, newest first".into());
    table.legend = vec![format!(
        "commits: those the merge brought in that the main line (first parents from the newest commit) and older merges had not; cycle: from the earliest author time among them to the merge's committer time (a proxy of development cycle time); median {}, 90th percentile {} over {} merges",
        nearest_rank(&cycles, 0.5).map_or_else(|| "-".to_owned(), duration),
        nearest_rank(&cycles, 0.9).map_or_else(|| "-".to_owned(), duration),
        cycles.len()
    )];
    Ok(table)
}

fn pending_table(found: &Delivery, as_of: i64) -> Result<Table, BuildError> {
    let pending: Vec<&Delivered> = found
        .commits
        .iter()
        .filter(|d| d.release.is_none() && d.committed <= as_of)
        .collect();
    let frame = df!(
        "component" => pending.iter().map(|d| scope(d.scope.as_deref())).collect::<Vec<_>>(),
        "commit" => pending.iter().map(|d| d.commit.get(..12).unwrap_or_default()).collect::<Vec<_>>(),
        "subject" => pending.iter().map(|d| d.subject.as_str()).collect::<Vec<_>>(),
        "date" => pending.iter().map(|d| day(d.committed)).collect::<Vec<_>>(),
        "age_days" => pending.iter().map(|d| (as_of - d.committed) / 86_400).collect::<Vec<_>>(),
    )?;
    let mut table = Table::from_frame("pending", &frame)?;
    table.title = Some("Pending: commits no release of their component holds yet".into());
    table.legend = vec![
        "age_days: whole days from the commit to the as-of date; a component without releases of its own is counted under (all)".into(),
    ];
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_in_days_and_hours() {
        assert_eq!(duration(0), "0h 0m");
        assert_eq!(duration(3_660), "1h 1m");
        assert_eq!(duration(86_400 + 7_200 + 59), "1d 2h");
    }
}
