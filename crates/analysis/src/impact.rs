//! Impact (docs/metrics.md, *impact* and *eval*): the files that historically change with given
//! ones, ranked, and how well that ranking predicts the files of later change sets.
//!
//! Everything here works on change sets as sets of file ids, oldest first, added one at a time
//! ([`CoChanges::add`]), so that `eval` can learn incrementally as a monthly job would and
//! `impact` can rank from the whole history.

use std::collections::{BTreeMap, HashMap};

/// How candidates are ranked (docs/metrics.md, *impact*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Ranker {
    /// cochange's default: confidence where recent change sets weigh more and large ones less,
    /// raised for files changed in the newest change sets, ties broken by the newest change set
    /// shared (docs/metrics.md gives the formula and the measurements).
    Default,
    /// Association-rule confidence: shared change sets / change sets of the query.
    Confidence,
    /// Shared change sets.
    Support,
    /// Confidence over the candidate's own share of change sets.
    Lift,
    /// Shared change sets over change sets of either.
    Jaccard,
    /// code-maat's degree: shared change sets over the mean of both revisions, in whole percent.
    Degree,
}

impl Ranker {
    /// Every ranker, the default first.
    pub const ALL: [Ranker; 6] = [
        Ranker::Default,
        Ranker::Confidence,
        Ranker::Support,
        Ranker::Lift,
        Ranker::Jaccard,
        Ranker::Degree,
    ];

    /// The name users give it.
    pub fn as_str(self) -> &'static str {
        match self {
            Ranker::Default => "default",
            Ranker::Confidence => "confidence",
            Ranker::Support => "support",
            Ranker::Lift => "lift",
            Ranker::Jaccard => "jaccard",
            Ranker::Degree => "degree",
        }
    }
}

/// Change sets, oldest first, with an index from each file to the change sets that touch it.
#[derive(Debug, Default, Clone)]
pub struct CoChanges {
    names: Vec<String>,
    ids: HashMap<String, u32>,
    sets: Vec<Set>,
    by_file: Vec<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct Set {
    /// File ids, sorted, distinct.
    files: Vec<u32>,
    /// When it was made (unix seconds), and what names it (a commit id).
    time: i64,
    label: String,
}

/// One file that changed with the query, and why it ranks where it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The file.
    pub file: String,
    /// Its score under the ranker asked for (higher first).
    pub score: f64,
    /// The query files the rule behind it starts from (the largest part of the query that
    /// changed together before), by path.
    pub antecedent: Vec<String>,
    /// Change sets that touched the antecedent.
    pub antecedent_sets: u32,
    /// Change sets that touched the antecedent and this file.
    pub shared: u32,
    /// Change sets that touched this file.
    pub revisions: u32,
    /// All change sets.
    pub change_sets: u32,
    /// The newest change set that touched the antecedent and this file: its label and time.
    pub last: (String, i64),
    /// `shared / antecedent_sets` with the change sets weighed as [`Ranker::Default`] weighs
    /// them (older and larger ones count less).
    pub weighted_confidence: f64,
}

impl Candidate {
    /// `shared / antecedent_sets`.
    pub fn confidence(&self) -> f64 {
        f64::from(self.shared) / f64::from(self.antecedent_sets.max(1))
    }

    /// `shared / change_sets`.
    pub fn support(&self) -> f64 {
        f64::from(self.shared) / f64::from(self.change_sets.max(1))
    }

    /// `shared · change_sets / (antecedent_sets · revisions)`.
    pub fn lift(&self) -> f64 {
        f64::from(self.shared) * f64::from(self.change_sets)
            / (f64::from(self.antecedent_sets) * f64::from(self.revisions)).max(1.0)
    }
}

/// Per candidate, the counts of one rule while they are gathered.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    shared: u32,
    weighted: f64,
    last: u32,
}

/// [`Ranker::Default`] weighs a change set by its age: one this many change sets older than the
/// newest counts half as much (the files that change together drift as a code base grows). It
/// also weighs a change set of `n` files by `1 / √(n − 1)`: a large one says less about which of
/// its files belong together.
const RECENCY_HALF_LIFE: f64 = 400.0;
/// [`Ranker::Default`] raises a candidate's score by this share for each of the newest
/// [`ACTIVE_SETS`] change sets that touched it: work in progress tends to touch the same files.
const ACTIVITY_WEIGHT: f64 = 0.3;
/// See [`ACTIVITY_WEIGHT`].
const ACTIVE_SETS: usize = 20;

impl CoChanges {
    /// No change sets yet.
    pub fn new() -> CoChanges {
        CoChanges::default()
    }

    /// The id of `file`, made on first sight.
    fn id(&mut self, file: &str) -> u32 {
        if let Some(&id) = self.ids.get(file) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(file.to_owned());
        self.ids.insert(file.to_owned(), id);
        self.by_file.push(Vec::new());
        id
    }

    /// Adds a change set (newer than every one added before) of `files`, made at `time` and
    /// named `label`.
    pub fn add<S: AsRef<str>>(&mut self, files: &[S], time: i64, label: &str) {
        let mut ids: Vec<u32> = files.iter().map(|f| self.id(f.as_ref())).collect();
        ids.sort_unstable();
        ids.dedup();
        let index = self.sets.len() as u32;
        for &id in &ids {
            self.by_file[id as usize].push(index);
        }
        self.sets.push(Set {
            files: ids,
            time,
            label: label.to_owned(),
        });
    }

    /// How many change sets there are.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Of the newest [`ACTIVE_SETS`] change sets, how many touched the file `id`.
    fn recent_changes(&self, id: u32) -> u32 {
        let sets = &self.by_file[id as usize];
        let from = self.sets.len().saturating_sub(ACTIVE_SETS) as u32;
        (sets.len() - sets.partition_point(|&s| s < from)) as u32
    }

    /// Change sets that touched `file`.
    pub fn revisions(&self, file: &str) -> u32 {
        self.ids
            .get(file)
            .map_or(0, |&id| self.by_file[id as usize].len() as u32)
    }

    /// The files that changed with `query` before, ranked by `ranker`, best first (ties by
    /// path). With several query files the rules start from the largest part of the query that
    /// changed together in some change set (as TARMAQ does): only change sets with that many
    /// query files count, each candidate taking its best rule.
    pub fn rank<S: AsRef<str>>(&self, query: &[S], ranker: Ranker) -> Vec<Candidate> {
        let mut ids: Vec<u32> = query
            .iter()
            .filter_map(|f| self.ids.get(f.as_ref()).copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        // The change sets touching the query, with how many query files each holds.
        let mut overlap: BTreeMap<u32, u32> = BTreeMap::new();
        for &q in &ids {
            for &set in &self.by_file[q as usize] {
                *overlap.entry(set).or_default() += 1;
            }
        }
        let Some(&widest) = overlap.values().max() else {
            return Vec::new();
        };
        let newest = self.sets.len() as f64;
        let weight = |set: u32| {
            let files = self.sets[set as usize].files.len();
            let age = newest - f64::from(set) - 1.0;
            0.5f64.powf(age / RECENCY_HALF_LIFE) / (files.saturating_sub(1).max(1) as f64).sqrt()
        };
        // Rules by antecedent: its change sets, and per candidate the tally.
        let mut rules: BTreeMap<Vec<u32>, (u32, f64, HashMap<u32, Tally>)> = BTreeMap::new();
        for (&set, _) in overlap.iter().filter(|(_, n)| **n == widest) {
            let files = &self.sets[set as usize].files;
            let antecedent: Vec<u32> = files
                .iter()
                .copied()
                .filter(|f| ids.binary_search(f).is_ok())
                .collect();
            let w = weight(set);
            let rule = rules.entry(antecedent).or_default();
            rule.0 += 1;
            rule.1 += w;
            for &file in files {
                if ids.binary_search(&file).is_err() {
                    let tally = rule.2.entry(file).or_default();
                    tally.shared += 1;
                    tally.weighted += w;
                    tally.last = set;
                }
            }
        }
        let change_sets = self.sets.len() as u32;
        let mut best: HashMap<u32, Candidate> = HashMap::new();
        for (antecedent, (sets, weighted_sets, tallies)) in &rules {
            for (&file, tally) in tallies {
                let revisions = self.by_file[file as usize].len() as u32;
                let mut score = score(ranker, tally, *sets, *weighted_sets, revisions, change_sets);
                if ranker == Ranker::Default {
                    score *= 1.0 + ACTIVITY_WEIGHT * f64::from(self.recent_changes(file));
                }
                let last = &self.sets[tally.last as usize];
                let candidate = Candidate {
                    file: self.names[file as usize].clone(),
                    score,
                    antecedent: antecedent
                        .iter()
                        .map(|&a| self.names[a as usize].clone())
                        .collect(),
                    antecedent_sets: *sets,
                    shared: tally.shared,
                    revisions,
                    change_sets,
                    last: (last.label.clone(), last.time),
                    weighted_confidence: tally.weighted / weighted_sets,
                };
                match best.get(&file) {
                    Some(kept) if !better(&candidate, kept, ranker) => {}
                    _ => {
                        best.insert(file, candidate);
                    }
                }
            }
        }
        let mut ordered: Vec<Candidate> = best.into_values().collect();
        ordered.sort_by(|a, b| {
            if better(a, b, ranker) {
                std::cmp::Ordering::Less
            } else if better(b, a, ranker) {
                std::cmp::Ordering::Greater
            } else {
                a.file.cmp(&b.file)
            }
        });
        ordered
    }
}

/// Why a file is expected to change with a query: the rule behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The expected file.
    pub file: String,
    /// The query files it changed with: the largest part of the query that changed together
    /// before (see [`CoChanges::rank`]), by path.
    pub with: Vec<String>,
    /// Change sets that touched all of `with`.
    pub with_sets: u32,
    /// Change sets that touched all of `with` and `file`.
    pub shared: u32,
    /// The newest of them: its label and time.
    pub last: (String, i64),
    /// The confidence with older and larger change sets counting less (see
    /// [`Candidate::weighted_confidence`]).
    pub weighted_confidence: f64,
}

impl Evidence {
    /// `shared / with_sets`: how often `file` changed when `with` did.
    pub fn confidence(&self) -> f64 {
        f64::from(self.shared) / f64::from(self.with_sets.max(1))
    }
}

impl CoChanges {
    /// The files that changed with `query` before and are not in it, each with its rule from the
    /// largest part of the query that changed together before (as [`CoChanges::rank`] finds
    /// it), by confidence, then change sets shared, then path. A change unlike any before (its
    /// largest part seen together only once or twice) gives rules with little support rather
    /// than falling back to rules of smaller parts: measured with `eval` on flask and tokio, the
    /// fallback warned about 5 to 12 times as many files at a third to a quarter of the
    /// precision.
    pub fn evidence<S: AsRef<str>>(&self, query: &[S]) -> Vec<Evidence> {
        let asked: Vec<&str> = query.iter().map(AsRef::as_ref).collect();
        let mut found: Vec<Evidence> = self
            .rank(&asked, Ranker::Confidence)
            .into_iter()
            .filter(|c| !asked.contains(&c.file.as_str()))
            .map(|c| Evidence {
                file: c.file,
                with: c.antecedent,
                with_sets: c.antecedent_sets,
                shared: c.shared,
                last: c.last,
                weighted_confidence: c.weighted_confidence,
            })
            .collect();
        found.sort_by(|a, b| {
            b.confidence()
                .total_cmp(&a.confidence())
                .then(b.shared.cmp(&a.shared))
                .then(a.file.cmp(&b.file))
        });
        found
    }
}

/// Whether `a` ranks before `b` under `ranker`, paths aside.
fn better(a: &Candidate, b: &Candidate, ranker: Ranker) -> bool {
    match a.score.total_cmp(&b.score) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => ranker == Ranker::Default && a.last.1 > b.last.1,
    }
}

/// The score of a candidate with `tally` for a rule whose antecedent has `sets` change sets
/// (`weighted_sets` by [`Ranker::Default`]'s weights), the candidate `revisions`, of
/// `change_sets` in all.
fn score(
    ranker: Ranker,
    tally: &Tally,
    sets: u32,
    weighted_sets: f64,
    revisions: u32,
    change_sets: u32,
) -> f64 {
    let (s, a, r, n) = (
        f64::from(tally.shared),
        f64::from(sets),
        f64::from(revisions),
        f64::from(change_sets),
    );
    match ranker {
        Ranker::Default => tally.weighted / weighted_sets,
        Ranker::Confidence => s / a,
        Ranker::Support => s,
        Ranker::Lift => s * n / (a * r),
        Ranker::Jaccard => s / (a + r - s),
        Ranker::Degree => (100.0 * s / f64::midpoint(a, r)).floor(),
    }
}

/// What `eval` measures (docs/metrics.md, *eval*).
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The share of change sets, the newest, that are tested.
    pub test_share: f64,
    /// `None`: each file of a test change set is a query on its own; `Some(n)`: its first `n`
    /// files by path are one query and the rest are hidden.
    pub query_size: Option<usize>,
    /// The rankers compared.
    pub rankers: Vec<Ranker>,
    /// The thresholds of the likely-missing warnings scored beside the rankers.
    pub warnings: WarningThresholds,
}

/// One ranker's scores over the test change sets.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    /// The ranker.
    pub ranker: Ranker,
    /// Queries scored.
    pub queries: u64,
    /// Share of queries whose first candidate is a hidden file.
    pub hit_1: f64,
    /// Share of queries with a hidden file among the first three.
    pub hit_3: f64,
    /// Mean share of the hidden files among the first ten.
    pub recall_10: f64,
    /// Mean reciprocal rank of the first hidden file (0 when none is a candidate).
    pub mrr: f64,
}

/// How often the likely-missing warnings of `impact --diff` and `check --diff` are right, at
/// given thresholds: each file of each tested change set that changed before is left out in
/// turn, and the rest of the change set is the query.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningRow {
    /// Queries (change sets with one file left out).
    pub queries: u64,
    /// Files warned about over all queries.
    pub warnings: u64,
    /// Warnings that named the file left out.
    pub right: u64,
}

/// The confidence a likely-missing file needs by default (docs/metrics.md, *impact*): chosen with
/// `eval` on flask and tokio, where more than half of such warnings name a file the change did
/// need.
pub const DEFAULT_MIN_CONFIDENCE: f64 = 0.6;
/// The change sets it must have shared with the changed files by default.
pub const DEFAULT_MIN_SHARED: u32 = 5;

/// What a warning needs: a confidence (weighed as the default ranker weighs change sets, so that
/// a pattern of years ago counts less than last month's) and change sets shared with the change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarningThresholds {
    /// At least this weighted confidence ([`Evidence::weighted_confidence`]).
    pub min_confidence: f64,
    /// At least this many change sets together.
    pub min_shared: u32,
}

impl Default for WarningThresholds {
    fn default() -> WarningThresholds {
        WarningThresholds {
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            min_shared: DEFAULT_MIN_SHARED,
        }
    }
}

impl WarningThresholds {
    /// Whether `evidence` is strong enough to warn about.
    pub fn passes(&self, evidence: &Evidence) -> bool {
        evidence.weighted_confidence >= self.min_confidence && evidence.shared >= self.min_shared
    }
}

/// [`WarningRow`] on the tested change sets of `sets` (as [`evaluate`] splits them).
pub fn evaluate_warnings(
    sets: &[EvalSet],
    test_share: f64,
    thresholds: &WarningThresholds,
) -> WarningRow {
    let train = sets.len() - tested(sets.len(), test_share);
    let mut history = CoChanges::new();
    for set in &sets[..train] {
        history.add(&set.files, set.time, &set.label);
    }
    let mut row = WarningRow {
        queries: 0,
        warnings: 0,
        right: 0,
    };
    for set in &sets[train..] {
        for left_out in set.files.iter().filter(|f| history.revisions(f) > 0) {
            let query: Vec<&String> = set.files.iter().filter(|f| *f != left_out).collect();
            let warned: Vec<Evidence> = history
                .evidence(&query)
                .into_iter()
                .filter(|e| thresholds.passes(e))
                .collect();
            row.queries += 1;
            row.warnings += warned.len() as u64;
            row.right += warned.iter().filter(|e| e.file == *left_out).count() as u64;
        }
        history.add(&set.files, set.time, &set.label);
    }
    row
}

/// A change set for `eval`: its files, time and label, oldest first.
#[derive(Debug, Clone)]
pub struct EvalSet {
    /// Distinct files.
    pub files: Vec<String>,
    /// Unix seconds.
    pub time: i64,
    /// A commit id.
    pub label: String,
}

/// How many of `sets` change sets, the newest, are tested: `⌊sets × share⌋`.
pub fn tested(sets: usize, share: f64) -> usize {
    ((sets as f64 * share).floor() as usize).min(sets)
}

/// One ranker's counts while `evaluate` runs.
#[derive(Default, Clone)]
struct Sums {
    queries: u64,
    hit_1: u64,
    hit_3: u64,
    recall_10: f64,
    mrr: f64,
}

/// Trains on the oldest change sets of `sets` (all but `test_share` of them) and scores each
/// ranker on the rest, adding each test change set to the history once it is scored.
pub fn evaluate(sets: &[EvalSet], options: &EvalOptions) -> Vec<EvalRow> {
    let train = sets.len() - tested(sets.len(), options.test_share);
    let mut history = CoChanges::new();
    for set in &sets[..train] {
        history.add(&set.files, set.time, &set.label);
    }
    let mut sums = vec![Sums::default(); options.rankers.len()];
    for set in &sets[train..] {
        let mut files = set.files.clone();
        files.sort();
        files.dedup();
        let queries: Vec<(Vec<&String>, Vec<&String>)> = match options.query_size {
            None => files
                .iter()
                .filter(|q| history.revisions(q) > 0)
                .map(|q| (vec![q], files.iter().filter(|f| *f != q).collect()))
                .collect(),
            Some(n) if files.len() > n => {
                let (query, hidden) = files.split_at(n);
                if query.iter().any(|q| history.revisions(q) > 0) {
                    vec![(query.iter().collect(), hidden.iter().collect())]
                } else {
                    Vec::new()
                }
            }
            Some(_) => Vec::new(),
        };
        for (query, hidden) in &queries {
            for (sum, &ranker) in sums.iter_mut().zip(&options.rankers) {
                let ranked = history.rank(query, ranker);
                let found = |k: usize| {
                    ranked
                        .iter()
                        .take(k)
                        .filter(|c| hidden.iter().any(|h| **h == c.file))
                        .count()
                };
                sum.queries += 1;
                sum.hit_1 += u64::from(found(1) > 0);
                sum.hit_3 += u64::from(found(3) > 0);
                sum.recall_10 += found(10) as f64 / hidden.len() as f64;
                if let Some(rank) = ranked
                    .iter()
                    .position(|c| hidden.iter().any(|h| **h == c.file))
                {
                    sum.mrr += 1.0 / (rank + 1) as f64;
                }
            }
        }
        history.add(&files, set.time, &set.label);
    }
    sums.iter()
        .zip(&options.rankers)
        .map(|(sum, &ranker)| {
            let per = |x: f64| {
                if sum.queries == 0 {
                    0.0
                } else {
                    x / sum.queries as f64
                }
            };
            EvalRow {
                ranker,
                queries: sum.queries,
                hit_1: per(sum.hit_1 as f64),
                hit_3: per(sum.hit_3 as f64),
                recall_10: per(sum.recall_10),
                mrr: per(sum.mrr),
            }
        })
        .collect()
}

/// The change sets `eval` learns from and tests on (docs/metrics.md, *eval*): the non-merge
/// commits of `tables` with 2 to `max_files` distinct files, a renamed file counting as its old
/// and new path (as `git log --no-renames` lists them), oldest first by committer time, then by
/// commit id.
pub fn eval_sets(
    tables: &cochange_miner::Tables,
    max_files: usize,
) -> polars::prelude::PolarsResult<Vec<EvalSet>> {
    use cochange_miner::col;
    let commits = &tables.commits;
    let ids = commits.column(col::COMMIT)?.str()?;
    let merges = commits.column(col::IS_MERGE)?.bool()?;
    let times = commits.column(col::COMMITTER_TIME)?.i64()?;
    let mut files: HashMap<&str, (i64, Vec<String>)> = HashMap::new();
    for ((id, merge), time) in ids.iter().zip(merges.iter()).zip(times.iter()) {
        if let (Some(id), Some(false), Some(time)) = (id, merge, time) {
            files.insert(id, (time, Vec::new()));
        }
    }
    let changes = &tables.changes;
    let commit = changes.column(col::COMMIT)?.str()?;
    let path = changes.column(col::PATH)?.str()?;
    let old_path = changes.column(col::OLD_PATH)?.str()?;
    for ((c, p), old) in commit.iter().zip(path.iter()).zip(old_path.iter()) {
        if let Some((_, set)) = c.and_then(|c| files.get_mut(c)) {
            set.extend(p.into_iter().chain(old).map(str::to_owned));
        }
    }
    let mut sets: Vec<EvalSet> = files
        .into_iter()
        .filter_map(|(id, (time, mut files))| {
            files.sort();
            files.dedup();
            (2..=max_files).contains(&files.len()).then(|| EvalSet {
                files,
                time,
                label: id.to_owned(),
            })
        })
        .collect();
    sets.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.label.cmp(&b.label)));
    Ok(sets)
}

/// The files of `change` as `impact` reads them: each by the entity of its old path (a renamed
/// file has the history of its old name), with its change sets in `index` and whether the path
/// filters keep it.
fn changed_entities(
    change: &cochange_miner::Change,
    entity: &dyn Fn(&str) -> String,
    index: &CoChanges,
    filters: &crate::Filters,
) -> Vec<ChangedEntity> {
    change
        .files
        .iter()
        .map(|file| {
            let entity = entity(file.old_path.as_deref().unwrap_or(&file.path));
            ChangedEntity {
                revisions: index.revisions(&entity),
                kept: filters.keeps_path(&file.path),
                file: file.clone(),
                entity,
            }
        })
        .collect()
}

/// The change sets of `tables` grouped by `grouping` with at most `max_size` entities, oldest
/// first (by their newest commit's author time, then its id), each named by that commit: the
/// history `impact` ranks from.
pub fn co_changes(
    tables: &cochange_miner::Tables,
    grouping: &crate::Grouping,
    max_size: u32,
) -> polars::prelude::PolarsResult<CoChanges> {
    use cochange_miner::col;
    let commits = &tables.commits;
    let times: HashMap<&str, i64> = commits
        .column(col::COMMIT)?
        .str()?
        .iter()
        .zip(commits.column(col::AUTHOR_TIME)?.i64()?.iter())
        .filter_map(|(c, t)| Some((c?, t?)))
        .collect();
    let ids = crate::changesets::change_set_ids(tables, grouping)?;
    let changes = &tables.changes;
    let entities = changes.column(col::ENTITY)?.str()?;
    let commit = changes.column(col::COMMIT)?.str()?;
    let mut sets: BTreeMap<u32, (Vec<&str>, i64, &str)> = BTreeMap::new();
    for ((id, entity), commit) in ids.iter().zip(entities.iter()).zip(commit.iter()) {
        let (Some(id), Some(entity), Some(commit)) = (id, entity, commit) else {
            continue;
        };
        let time = times.get(commit).copied().unwrap_or(i64::MIN);
        let set = sets.entry(id).or_insert((Vec::new(), time, commit));
        set.0.push(entity);
        if (time, commit) > (set.1, set.2) {
            (set.1, set.2) = (time, commit);
        }
    }
    let mut ordered: Vec<(Vec<&str>, i64, &str)> = sets
        .into_values()
        .map(|(mut files, time, label)| {
            files.sort_unstable();
            files.dedup();
            (files, time, label)
        })
        .filter(|(files, _, _)| files.len() <= max_size as usize)
        .collect();
    ordered.sort_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
    let mut index = CoChanges::new();
    for (files, time, label) in ordered {
        index.add(&files, time, label);
    }
    Ok(index)
}

/// What `impact` is asked about.
#[derive(Debug, Clone)]
pub enum ImpactQuery {
    /// Files by path (a path the history knows, old or new).
    Paths(Vec<String>),
    /// The files a change touches.
    Change(cochange_miner::Change),
}

/// A file of a change, as `impact` reads it.
#[derive(Debug, Clone)]
pub struct ChangedEntity {
    /// The file as the change has it.
    pub file: cochange_miner::ChangedFile,
    /// Its entity in the history (its newest path there; for a renamed file, the entity of its
    /// old path).
    pub entity: String,
    /// Change sets of the history that touched it.
    pub revisions: u32,
    /// Whether the path filters keep it (a file they leave out is not part of the query).
    pub kept: bool,
}

/// What `impact` found.
#[derive(Debug, Clone)]
pub struct Impact {
    /// The entities asked about that have history, by path.
    pub query: Vec<String>,
    /// With a change: its files.
    pub changed: Vec<ChangedEntity>,
    /// Every file that changed with the query, ranked, best first; only files of the analysed
    /// revision (when it is known) and none of the query or the change.
    pub ranked: Vec<Candidate>,
    /// The files of `ranked` whose rule passes the thresholds: likely missing from the change.
    pub missing: Vec<Evidence>,
    /// Change sets of the history ranked from.
    pub change_sets: usize,
}

impl crate::Session<'_> {
    /// `impact` of `query` (docs/metrics.md, *impact*): the history's change sets (the settings'
    /// grouping, at most `--max-changeset-size` entities), ranked by `ranker`; with thresholds,
    /// the files likely missing.
    pub fn impact(
        &mut self,
        query: &ImpactQuery,
        ranker: Ranker,
        thresholds: &WarningThresholds,
    ) -> Result<Impact, crate::Error> {
        let tables = &self.history.tables;
        let max_size = self
            .settings
            .thresholds
            .max_changeset_size
            .unwrap_or(crate::CouplingOptions::default().max_changeset_size);
        let empty_change = matches!(query, ImpactQuery::Change(change) if change.files.is_empty());
        let index = co_changes(tables, &self.settings.grouping, max_size)?;
        let entities = crate::session::entity_of_path(tables)?;
        let entity = |path: &str| {
            entities
                .get(path)
                .cloned()
                .unwrap_or_else(|| path.to_owned())
        };
        let mapping = self.mapping()?;
        let present: std::collections::HashSet<String> =
            mapping.files.iter().map(|p| entity(p)).collect();
        let filters = &self.settings.filters;
        let (asked, changed) = match query {
            ImpactQuery::Paths(paths) => {
                let asked: Vec<String> = paths.iter().map(|p| entity(p)).collect();
                (asked, Vec::new())
            }
            ImpactQuery::Change(change) => {
                let changed = changed_entities(change, &entity, &index, filters);
                let asked = changed
                    .iter()
                    .filter(|c| c.kept)
                    .map(|c| c.entity.clone())
                    .collect();
                (asked, changed)
            }
        };
        let mut notices = Vec::new();
        let mut known: Vec<String> = Vec::new();
        for name in asked {
            if index.revisions(&name) == 0 {
                if matches!(query, ImpactQuery::Paths(_)) {
                    let hint = if self.several() {
                        " (with several repositories, name a file as `REPOSITORY/path`)"
                    } else {
                        ""
                    };
                    notices.push(crate::Notice::Warning(format!(
                        "`{name}` did not change in the analysed history (in a change set of at most {max_size} files): nothing is known to change with it{hint}"
                    )));
                }
            } else if !known.contains(&name) {
                known.push(name);
            }
        }
        known.sort();
        let query = known;
        let touched: std::collections::HashSet<&str> = changed
            .iter()
            .flat_map(|c| [c.entity.as_str(), c.file.path.as_str()])
            .chain(query.iter().map(String::as_str))
            .collect();
        // Files gone from the analysed revision are not expected to change; with several
        // repositories the revision's files are not read, so nothing is left out.
        let wanted =
            |file: &str| !touched.contains(file) && (present.is_empty() || present.contains(file));
        let candidates: Vec<Candidate> = index
            .rank(&query, ranker)
            .into_iter()
            .filter(|c| wanted(&c.file))
            .collect();
        let missing: Vec<Evidence> = if changed.is_empty() {
            Vec::new()
        } else {
            index
                .evidence(&query)
                .into_iter()
                .filter(|e| wanted(&e.file) && thresholds.passes(e))
                .collect()
        };
        if empty_change {
            notices.push(crate::Notice::Warning(
                "the change is empty: no file differs, so nothing can be missing".into(),
            ));
        }
        for notice in notices {
            self.notify(notice);
        }
        Ok(Impact {
            query,
            changed,
            ranked: candidates,
            missing,
            change_sets: index.len(),
        })
    }
}

/// The change `source` names in the one repository of `settings`, and the settings to load its
/// history with: the history up to the commit the change starts from, so that a change's own
/// commits never predict it (unless `--rev` or `--all` says where the history ends).
pub fn read_change(
    settings: &crate::Settings,
    source: &cochange_miner::ChangeSource,
) -> Result<(cochange_miner::Change, crate::Settings), crate::Error> {
    let [repo] = settings.repos.as_slice() else {
        return Err(crate::Error::Invalid(
            "a change (`--diff`, `--staged`, the work tree) is read from one repository at a time: give one `--repo`".into(),
        ));
    };
    if let cochange_miner::ChangeSource::Range(range) = source
        && !range.contains("..")
    {
        return Err(crate::Error::Invalid(format!(
            "`--diff {range}` is not a range: give `BASE..HEAD` (the two revisions' trees) or `BASE...HEAD` (from their merge base)"
        )));
    }
    let change =
        cochange_miner::changed_files(repo, source).map_err(|source| crate::Error::Repository {
            what: "read the change",
            path: repo.clone(),
            source,
        })?;
    let mut settings = settings.clone();
    let selection = &mut settings.mining.selection;
    if selection.revs.is_empty() && !selection.all {
        selection.revs = vec![change.base.clone()];
    }
    Ok((change, settings))
}

/// `path` as the repository names it: a file given relative to the current folder (or
/// absolute) that lies in the work tree of the one repository of `settings` is named from the
/// work tree's root; a path that exists nowhere is taken as written (a file of the history),
/// without a leading `./`. A folder, and a file outside the work tree, are refused.
pub fn repository_path(settings: &crate::Settings, path: &str) -> Result<String, crate::Error> {
    let as_written = path.trim_start_matches("./").replace('\\', "/");
    let on_disk = std::path::Path::new(path);
    if on_disk.is_dir() {
        return Err(crate::Error::Invalid(format!(
            "`{path}` is a folder: `impact` takes files (a change of a folder is `--diff`, `--staged` or the work tree)"
        )));
    }
    let [repo] = settings.repos.as_slice() else {
        return Ok(as_written);
    };
    let (Some(root), Ok(file)) = (
        cochange_miner::work_tree(repo).and_then(|w| std::fs::canonicalize(w).ok()),
        std::fs::canonicalize(path),
    ) else {
        return Ok(as_written);
    };
    match file.strip_prefix(&root) {
        Ok(inside) => Ok(inside.to_string_lossy().replace('\\', "/")),
        Err(_) => Err(crate::Error::Invalid(format!(
            "`{path}` is outside the repository's work tree (`{}`)",
            root.display()
        ))),
    }
}
