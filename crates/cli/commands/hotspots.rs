//! `hotspots` and `backlog`: history joined with the files measured at the analysed revision.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use cochange_analysis::{BacklogInput, TextMeasures, format_time, months_before};
use cochange_miner::Tables;
use cochange_miner::polars::prelude::*;
use cochange_report::Table;

use super::{History, Needs, as_of, load_history};
use crate::args::{BacklogArgs, HotspotsArgs};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

/// The analysed history cut at the as-of date, its window and the measured files.
pub(super) struct Measured {
    pub history: History,
    /// All history up to `as_of`.
    pub upto: Tables,
    /// The window `[from, as_of]`.
    pub windowed: Tables,
    pub from: i64,
    pub as_of: i64,
    pub files: Vec<(String, Option<TextMeasures>)>,
    /// `rev (commit)` per repository, for the output's context.
    revisions: Vec<String>,
    /// What was measured and skipped, for the output's context.
    statistics: String,
    /// The coupling options with the components of the revision, read once.
    options: std::cell::OnceCell<cochange_analysis::CouplingOptions>,
}

pub(super) fn measure(
    settings: &Settings,
    printer: &Printer,
    at: Option<&str>,
    months: u32,
) -> anyhow::Result<Measured> {
    let history = load_history(settings, printer, Needs::LineSums)?;
    let as_of = as_of(settings, &history.tables)?;
    let from = settings
        .options
        .selection
        .since
        .unwrap_or_else(|| months_before(as_of, months));
    let upto = cochange_analysis::window(&history.tables, i64::MIN, as_of)?;
    let windowed = cochange_analysis::window(&history.tables, from, as_of)?;
    let rev = at.or(settings.options.selection.revs.first().map(String::as_str));
    let several = history.outcomes.len() > 1;
    let (mut files, mut revisions) = (Vec::new(), Vec::new());
    let (mut binary, mut excluded, mut missing) = (0, 0, Vec::new());
    for (repo, outcome) in history.paths.iter().zip(&history.outcomes) {
        let prefix = |path: &str| {
            if several {
                format!("{}/{path}", outcome.repo)
            } else {
                path.to_owned()
            }
        };
        let snapshot = cochange_miner::read_snapshot(
            repo,
            rev,
            settings.options.threads,
            |path| settings.filters.keeps_path(&prefix(path)),
            cochange_analysis::measure_text,
        )
        .with_context(|| format!("cannot read the files of `{}`", repo.display()))?;
        revisions.push(format!(
            "{} ({})",
            rev.unwrap_or("HEAD"),
            &snapshot.commit[..snapshot.commit.len().min(12)]
        ));
        excluded += snapshot.skipped;
        missing.extend(snapshot.missing);
        for (path, measures) in snapshot.files {
            match measures {
                Some(m) if m.binary => binary += 1,
                other => files.push((prefix(&path), other)),
            }
        }
    }
    if !missing.is_empty() {
        printer.warn(format_args!(
            "{} blobs are missing (a partial or blobless clone?): their size and complexity are \
             unknown; the first: {}",
            missing.len(),
            missing
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let statistics = format!(
        "{} text files measured; skipped {binary} binary, {excluded} excluded by the path filters; {} blobs missing",
        files.len(),
        missing.len()
    );
    Ok(Measured {
        history,
        upto,
        windowed,
        from,
        as_of,
        files,
        revisions,
        statistics,
        options: std::cell::OnceCell::new(),
    })
}

impl Measured {
    /// The analysed repositories' names, comma-separated.
    pub(super) fn repositories(&self) -> String {
        let names: Vec<&str> = self
            .history
            .outcomes
            .iter()
            .map(|o| o.repo.as_str())
            .collect();
        names.join(", ")
    }

    /// What the numbers cover: repository, revision, window, as-of date, files measured.
    pub(super) fn context(&self) -> Vec<(String, String)> {
        vec![
            ("repository".to_owned(), self.repositories()),
            ("revision".to_owned(), self.revisions.join(", ")),
            (
                "window".to_owned(),
                format!("{} .. {}", day(self.from), day(self.as_of)),
            ),
            ("as_of".to_owned(), day(self.as_of)),
            ("files".to_owned(), self.statistics.clone()),
        ]
    }

    pub(super) fn hotspots(&self, settings: &Settings) -> anyhow::Result<DataFrame> {
        Ok(cochange_analysis::hotspots(
            &self.files,
            &self.windowed,
            &self.upto,
            &settings.grouping,
            self.as_of,
        )?)
    }
}

impl Measured {
    /// The history up to the as-of date of the files that exist at the analysed revision.
    pub(super) fn existing(&self) -> anyhow::Result<Tables> {
        let files: std::collections::HashSet<&str> =
            self.files.iter().map(|(p, _)| p.as_str()).collect();
        let changes = &self.upto.changes;
        let mask: BooleanChunked = changes
            .column(cochange_miner::col::ENTITY)?
            .str()?
            .iter()
            .map(|e| e.is_some_and(|e| files.contains(e)))
            .collect();
        Ok(Tables {
            commits: self.upto.commits.clone(),
            changes: changes.filter(&mask)?,
        })
    }

    /// The configured coupling options with the components of the analysed revision.
    pub(super) fn options(
        &self,
        settings: &Settings,
    ) -> anyhow::Result<&cochange_analysis::CouplingOptions> {
        if let Some(options) = self.options.get() {
            return Ok(options);
        }
        let options = super::coupling::configured_options(settings, None)?;
        Ok(self.options.get_or_init(|| options))
    }

    /// Coupling over the window, with the configured thresholds.
    pub(super) fn coupling(&self, settings: &Settings) -> anyhow::Result<DataFrame> {
        Ok(cochange_analysis::coupling(
            &self.windowed,
            self.options(settings)?,
        )?)
    }

    /// The backlog over the window, from its hotspots and coupling.
    pub(super) fn backlog(
        &self,
        settings: &Settings,
        hotspots: &DataFrame,
        coupling: &DataFrame,
        coverage: Option<&HashMap<String, f64>>,
        inactive_after: u32,
        all_files: bool,
    ) -> anyhow::Result<DataFrame> {
        let tests =
            cochange_analysis::test_signal(&self.windowed, &settings.grouping, &settings.tests)?;
        let owners = cochange_analysis::owners(&self.upto)?;
        let change_sets = cochange_analysis::change_set_count(&self.windowed, &settings.grouping)?;
        Ok(cochange_analysis::backlog(&BacklogInput {
            hotspots,
            coupling,
            tests: &tests,
            coverage,
            owners: &owners,
            test_paths: &settings.tests,
            criticality: &settings.criticality,
            change_sets,
            as_of: self.as_of,
            inactive_after_months: inactive_after,
            all_files,
        })?)
    }
}

pub(super) fn day(seconds: i64) -> String {
    let text = format_time(seconds, 0);
    text[..text.find('T').unwrap_or(text.len())].to_owned()
}

pub fn hotspots(args: &HotspotsArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let measured = measure(settings, printer, args.at.as_deref(), args.months)?;
    let frame = measured.hotspots(settings)?;
    let mut table = Table::from_frame("hotspots", &frame)?;
    table.context = measured.context();
    super::print_table(table, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

pub fn backlog(args: &BacklogArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let coverage = args
        .coverage
        .as_ref()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|err| {
                UsageError(format!(
                    "cannot read the coverage file `{}`: {err}",
                    path.display()
                ))
            })?;
            cochange_analysis::parse_coverage(&text).map_err(|err| {
                UsageError(format!(
                    "the coverage file `{}` does not parse: {err}",
                    path.display()
                ))
            })
        })
        .transpose()?;
    let measured = measure(settings, printer, args.at.as_deref(), args.months)?;
    let spots = measured.hotspots(settings)?;
    let pairs = measured.coupling(settings)?;
    let coverage = coverage.map(|c| match_coverage(&c, &measured, settings, printer));
    let frame = measured.backlog(
        settings,
        &spots,
        &pairs,
        coverage.as_ref(),
        args.inactive_after,
        args.all_files,
    )?;
    let mut table = Table::from_frame("backlog", &frame)?;
    table.title = Some(format!("Refactoring backlog: {}", measured.repositories()));
    table.context = measured.context();
    table.legend = vec![
        "score = criticality × hotspot_score × (1 + coupling + test gap + ownership) / 4 (docs/metrics.md)".into(),
        "hotspot_score: percent rank of revisions in the window × percent rank of indentation complexity".into(),
        "coupled / coupled_cross: files it changes with (coupling thresholds in force), and how many of them are in other components".into(),
        "test_share: share of its change sets in which a test file changed too; coverage: line coverage, when given".into(),
        format!(
            "main_dev: most lines added; inactive after {} months without a commit",
            args.inactive_after
        ),
        "criticality: weight from [criticality] in .cochange.toml (1 when none matches)".into(),
    ];
    super::print_table(table, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}

/// Coverage per file of the analysed revision. Coverage paths may be relative to the repository,
/// absolute inside its work tree, or relative to a Cobertura `<source>`; files the repository does
/// not have are reported, not fatal.
fn match_coverage(
    coverage: &cochange_analysis::Coverage,
    measured: &Measured,
    settings: &Settings,
    printer: &Printer,
) -> HashMap<String, f64> {
    let known: BTreeSet<&str> = measured.files.iter().map(|(p, _)| p.as_str()).collect();
    let roots: Vec<String> = settings
        .repos
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .filter_map(|r| crate::config::repository_root(&r))
        .filter_map(|w| std::fs::canonicalize(w).ok())
        .map(|w| format!("{}/", w.display()))
        .collect();
    let mut matched = HashMap::new();
    let mut unknown = Vec::new();
    for (name, &(found, hit)) in &coverage.files {
        let mut candidates = vec![name.trim_start_matches("./").to_owned()];
        for source in &coverage.sources {
            candidates.push(format!("{}/{name}", source.trim_end_matches('/')));
        }
        let candidates: Vec<String> = candidates
            .iter()
            .flat_map(|c| {
                let mut forms = vec![c.clone()];
                for root in &roots {
                    if let Some(rest) = c.strip_prefix(root.as_str()) {
                        forms.push(rest.to_owned());
                    }
                }
                forms
            })
            .collect();
        match candidates.iter().find(|c| known.contains(c.as_str())) {
            Some(path) if found > 0 => {
                matched.insert(path.clone(), hit as f64 / found as f64);
            }
            Some(_) => {}
            None => unknown.push(name.clone()),
        }
    }
    if !unknown.is_empty() {
        printer.warn(format_args!(
            "the coverage file names {} files that the analysed revision does not have (or that the filters leave out); the first: {}",
            unknown.len(),
            unknown.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    matched
}
