//! How well a ranking of files points at where fixes land: at past cut-off dates, the share of a
//! ranking's top files that fix commits touched in the months after (precision at k). A backlog
//! whose top rows rarely need work is not one to defend; this measures it, on the repository's
//! own history, for the backlog, the hotspots and plain revisions side by side.

use std::collections::{HashMap, HashSet};

use cochange_miner::col;
use cochange_miner::polars::prelude::*;
use regex::Regex;

use crate::{Error, Session, Thresholds, months_before};

/// Commit subjects that mark a fix, by default.
pub const DEFAULT_FIX_PATTERN: &str = r"(?i)\b(fix(es|ed)?|bugs?|regression)\b";

/// What the ranking check looks at.
#[derive(Debug, Clone)]
pub struct RankingCheck {
    /// How many cut-off dates.
    pub cutoffs: usize,
    /// Months between two cut-offs.
    pub every_months: u32,
    /// Months after a cut-off in which fixes are counted.
    pub horizon_months: u32,
    /// The window of each ranking, in months before its cut-off.
    pub window_months: u32,
    /// How many top files of each ranking are scored.
    pub k: usize,
    /// Commit subjects that mark a fix.
    pub fix_pattern: Regex,
    /// Months without a commit after which an author counts as inactive (for the backlog).
    pub inactive_after: u32,
}

impl RankingCheck {
    /// The fix pattern `pattern` (`None`: [`DEFAULT_FIX_PATTERN`]), checked.
    pub fn fix_pattern(pattern: Option<&str>) -> Result<Regex, Error> {
        let pattern = pattern.unwrap_or(DEFAULT_FIX_PATTERN);
        let regex = Regex::new(pattern).map_err(|err| {
            Error::Invalid(format!(
                "`--fix-pattern {pattern}` is not a valid regular expression: {}",
                crate::one_line(&err)
            ))
        })?;
        if regex.is_match("") {
            return Err(Error::Invalid(format!(
                "`--fix-pattern {pattern}` matches the empty text, so every commit would count as a fix; give words a fix's subject holds, such as `(?i)\\bfix`"
            )));
        }
        Ok(regex)
    }
}

/// The rankings compared, in the table's order.
pub const RANKINGS: [&str; 3] = ["revisions", "hotspots", "backlog"];

/// One row per cut-off (newest first) and a last row of means: the cut-off, the revision ranked,
/// how many files fixes touched in the horizon, and the precision at k of each ranking.
pub fn ranking_check(session: &mut Session<'_>, check: &RankingCheck) -> Result<DataFrame, Error> {
    let [outcome] = session.history.outcomes.as_slice() else {
        return Err(Error::Invalid(
            "`eval backlog` reads one repository at a time".into(),
        ));
    };
    // The whole line of history, before the filters (which may leave out a bot's commit on it).
    let mainline = first_parent_line(&outcome.tables)?;
    let newest = session.as_of()?;
    let fixes = fix_commits(&session.history.tables, &check.fix_pattern)?;
    if fixes.is_empty() {
        session.notify(crate::Notice::Warning(format!(
            "no commit subject matches the fix pattern `{}`: there is nothing to score the rankings against; give `--fix-pattern` in this repository's words",
            check.fix_pattern.as_str()
        )));
    }
    let (mut dates, mut revisions, mut fixed_counts) = (Vec::new(), Vec::new(), Vec::new());
    let mut precisions: Vec<Vec<Option<f64>>> = vec![Vec::new(); RANKINGS.len()];
    for i in 0..check.cutoffs {
        let offset = check.horizon_months + check.every_months * i as u32;
        let cutoff = months_before(newest, offset);
        let Some(commit) = mainline
            .iter()
            .find(|(_, time)| *time <= cutoff)
            .map(|(id, _)| id.clone())
        else {
            let oldest = mainline.last().map_or(0, |(_, time)| *time);
            session.notify(crate::Notice::Warning(format!(
                "only {i} of {} cut-offs fit in the history, which starts on {}: cut-off {} would be {}",
                check.cutoffs,
                crate::day(oldest),
                i + 1,
                crate::day(cutoff)
            )));
            break;
        };
        let horizon_end = months_before(newest, check.every_months * i as u32);
        let touched_by_fixes: HashSet<&str> = fixes
            .iter()
            .filter(|(time, _)| *time > cutoff && *time <= horizon_end)
            .flat_map(|(_, entities)| entities.iter().map(String::as_str))
            .collect();
        let measured = session.measure_at(
            Some(&commit),
            months_before(cutoff, check.window_months),
            cutoff,
        )?;
        let structure = session.structure_at(Some(&commit))?;
        let rankings = rankings(session, &measured, &structure, check)?;
        dates.push(crate::day(cutoff));
        revisions.push(commit[..commit.len().min(12)].to_owned());
        fixed_counts.push(touched_by_fixes.len() as u64);
        for (slot, ranking) in precisions.iter_mut().zip(&rankings) {
            let top: Vec<&String> = ranking.iter().take(check.k).collect();
            let hits = top
                .iter()
                .filter(|e| touched_by_fixes.contains(e.as_str()))
                .count();
            slot.push((!top.is_empty()).then(|| hits as f64 / top.len() as f64));
        }
    }
    let mean = |values: &[Option<f64>]| {
        let known: Vec<f64> = values.iter().flatten().copied().collect();
        (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
    };
    dates.push("mean".into());
    revisions.push(String::new());
    fixed_counts.push(fixed_counts.iter().sum::<u64>() / (fixed_counts.len().max(1) as u64));
    for slot in &mut precisions {
        let m = mean(slot);
        slot.push(m);
    }
    let mut columns = vec![
        Column::new("cutoff".into(), dates),
        Column::new("revision".into(), revisions),
        Column::new("files_fixed_after".into(), fixed_counts),
    ];
    for (name, values) in RANKINGS.iter().zip(precisions) {
        columns.push(Column::new(format!("{name}_precision").into(), values));
    }
    Ok(DataFrame::new_infer_height(columns)?)
}

/// The entities of each ranking, best first.
fn rankings(
    session: &Session<'_>,
    measured: &crate::Measured,
    structure: &crate::Structure,
    check: &RankingCheck,
) -> Result<Vec<Vec<String>>, Error> {
    let settings = session.settings;
    let spots = measured.hotspots(&settings.grouping)?;
    let options = session.coupling_options(&Thresholds::default())?;
    let pairs = crate::with_structure(
        crate::coupling(&measured.windowed, &options)?,
        &crate::PairStructure::new(structure),
    )?;
    // The functions name where change concentrates; they do not change the ranking.
    let backlog = measured.backlog(
        settings,
        &spots,
        &pairs,
        &crate::BacklogChoices {
            coverage: None,
            inactive_after: check.inactive_after,
            all_files: false,
            functions: &[],
        },
    )?;
    let entities = |frame: &DataFrame| -> PolarsResult<Vec<String>> {
        Ok(frame
            .column(crate::hotspot_col::ENTITY)?
            .str()?
            .iter()
            .flatten()
            .map(str::to_owned)
            .collect())
    };
    // Plain revisions: the program files that are not tests, most revised first.
    let spot_entities = entities(&spots)?;
    let revs = spots.column(crate::hotspot_col::REVISIONS)?.u64()?;
    let mut by_revisions: Vec<(u64, &String)> = spot_entities
        .iter()
        .zip(revs.iter())
        .filter(|(e, r)| {
            r.unwrap_or(0) > 0
                && crate::is_code(crate::language_of(e))
                && !settings.tests.is_test(e)
        })
        .map(|(e, r)| (r.unwrap_or(0), e))
        .collect();
    by_revisions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    // Hotspots as the `hotspots` command lists them: program code that is not a test.
    let (program, _) = crate::split_hotspots(&spots, &settings.tests, false)?;
    let program_revs = program.column(crate::hotspot_col::REVISIONS)?.u64()?;
    let hotspots: Vec<String> = entities(&program)?
        .into_iter()
        .zip(program_revs.iter())
        .filter(|(_, r)| r.unwrap_or(0) > 0)
        .map(|(e, _)| e)
        .collect();
    Ok(vec![
        by_revisions.into_iter().map(|(_, e)| e.clone()).collect(),
        hotspots,
        entities(&backlog)?,
    ])
}

/// The first-parent line from the newest commit, newest first: `(commit, committer time)`.
fn first_parent_line(tables: &cochange_miner::Tables) -> PolarsResult<Vec<(String, i64)>> {
    let commits = &tables.commits;
    let ids = commits.column(col::COMMIT)?.str()?;
    let times = commits.column(col::COMMITTER_TIME)?.i64()?;
    let parents = commits.column(col::PARENTS)?.list()?;
    let mut first_parent: HashMap<&str, (Option<String>, i64)> = HashMap::new();
    for (i, (id, time)) in ids.iter().zip(times.iter()).enumerate() {
        let first = parents.get_as_series(i).and_then(|p| {
            p.str()
                .ok()
                .and_then(|s| s.iter().next().flatten().map(str::to_owned))
        });
        if let (Some(id), Some(time)) = (id, time) {
            first_parent.insert(id, (first, time));
        }
    }
    let mut line = Vec::new();
    let mut next = ids.iter().next().flatten();
    while let Some(id) = next {
        let Some((parent, time)) = first_parent.get(id) else {
            break;
        };
        line.push((id.to_owned(), *time));
        next = parent.as_deref();
    }
    Ok(line)
}

/// The fix commits (subject matching `pattern`): author time and the entities they changed.
pub(crate) fn fix_commits(
    tables: &cochange_miner::Tables,
    pattern: &Regex,
) -> PolarsResult<Vec<(i64, Vec<String>)>> {
    let commits = &tables.commits;
    let ids = commits.column(col::COMMIT)?.str()?;
    let times = commits.column(col::AUTHOR_TIME)?.i64()?;
    let messages = commits.column(col::MESSAGE)?.str()?;
    let mut fixes: HashMap<&str, (i64, Vec<String>)> = HashMap::new();
    for ((id, time), message) in ids.iter().zip(times.iter()).zip(messages.iter()) {
        if let (Some(id), Some(time), Some(message)) = (id, time, message) {
            let subject = message.lines().next().unwrap_or_default();
            if pattern.is_match(subject) {
                fixes.insert(id, (time, Vec::new()));
            }
        }
    }
    let changes = &tables.changes;
    let commit = changes.column(col::COMMIT)?.str()?;
    let entity = changes.column(col::ENTITY)?.str()?;
    for (c, e) in commit.iter().zip(entity.iter()) {
        if let (Some(c), Some(e)) = (c, e)
            && let Some((_, entities)) = fixes.get_mut(c)
        {
            entities.push(e.to_owned());
        }
    }
    let mut out: Vec<(i64, Vec<String>)> = fixes.into_values().collect();
    out.sort_by_key(|(time, _)| *time);
    Ok(out)
}
