//! Knowledge risk (docs/metrics.md, *knowledge*): main developers by surviving lines, knowledge
//! loss, bus factor per component, code age and the off-boarding simulation.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cochange_miner::{BlamedFile, Tables, col};
use polars::prelude::*;

use crate::components::ComponentRules;
use crate::identity::people_per_commit;
use crate::ownership::{Authorship, main_developer};
use crate::time::{civil_from_days, format_time, months_before};

/// When each person was last seen, and who made each commit.
struct People {
    last_seen: HashMap<String, i64>,
    inactive_since: i64,
    /// Commit id -> its author and co-authors, and its author time.
    commits: HashMap<String, (Vec<String>, i64)>,
    leaving: BTreeSet<String>,
}

impl People {
    fn new(
        history: &Tables,
        authorship: &Authorship,
        inactive_since: i64,
        leaving: &[String],
    ) -> PolarsResult<Self> {
        let last_seen = authorship.last_active.clone();
        let per_commit = people_per_commit(history)?;
        let commit = per_commit.column(col::COMMIT)?.str()?;
        let person = per_commit.column(col::AUTHOR)?.str()?;
        let time = per_commit.column(col::AUTHOR_TIME)?.i64()?;
        let mut commits: HashMap<String, (Vec<String>, i64)> = HashMap::new();
        for i in 0..per_commit.height() {
            if let (Some(c), Some(p), Some(t)) = (commit.get(i), person.get(i), time.get(i)) {
                let entry = commits.entry(c.to_owned()).or_insert((Vec::new(), t));
                entry.0.push(p.to_owned());
            }
        }
        Ok(Self {
            last_seen,
            inactive_since,
            commits,
            leaving: leaving.iter().cloned().collect(),
        })
    }

    fn active(&self, person: &str) -> bool {
        self.last_seen
            .get(person)
            .is_some_and(|&t| t >= self.inactive_since)
    }

    /// Whether someone who made `commit` is still active (and, `after_leaving`, not leaving). A
    /// commit the history does not hold (filtered out) has nobody.
    fn known(&self, commit: &str, after_leaving: bool) -> bool {
        self.commits.get(commit).is_some_and(|(people, _)| {
            people
                .iter()
                .any(|p| self.active(p) && !(after_leaving && self.leaving.contains(p)))
        })
    }
}

/// What [`knowledge`] needs.
#[derive(Debug, Clone, Copy)]
pub struct KnowledgeInput<'a> {
    /// The history up to the as-of date.
    pub history: &'a Tables,
    /// [`Authorship::of`] that history.
    pub authorship: &'a Authorship,
    /// Per file of the analysed revision, its non-blank lines per commit that last added them.
    pub files: &'a [BlamedFile],
    /// The component mapping.
    pub rules: &'a ComponentRules,
    /// "Now".
    pub as_of: i64,
    /// Months without a commit after which a person is inactive.
    pub inactive_after_months: u32,
    /// People whose leaving is simulated (canonical names).
    pub leaving: &'a [String],
    /// A file is orphaned when less than this share of its lines remains with people who are
    /// active and not leaving.
    pub orphaned_below: f64,
}

/// Every table of `knowledge`, each in its final order.
#[derive(Debug, Clone)]
pub struct Knowledge {
    /// Per file: main developer by surviving lines, lines, inactive lines, knowledge loss.
    pub files: DataFrame,
    /// Per component, with the bus factor.
    pub components: DataFrame,
    /// Per file and commit that last added some of its lines: author, date, lines.
    pub origins: DataFrame,
    /// Surviving lines by the year they were written, overall (`(all)`) and per component.
    pub age: DataFrame,
    /// The off-boarding simulation per file and per component, when people are leaving.
    pub leaving: Option<(DataFrame, DataFrame)>,
}

/// Knowledge of the analysed revision (docs/metrics.md, *knowledge*). Per file and per component:
///
/// - `main_dev` and `main_dev_share`: the person who last added most of its non-blank lines
///   (co-authors credited as authors; ties: the first name) and their share of them;
/// - `lines`: non-blank lines and `inactive_lines`, those last added by commits whose author and
///   co-authors all have no commit since `inactive_after_months` months before `as_of`, or by
///   commits the history does not hold; `knowledge_loss = inactive_lines / lines`;
/// - per component, `bus_factor`: the fewest authors whose removal leaves more than half of its
///   files without an active author who changed them (greedy: each step removes the author whose
///   files lose their last active author most often; 0 when more than half have none already).
///
/// With people `leaving`, the same again as if they had stopped now: lines lost after, orphaned
/// files (less than `orphaned_below` of their lines left with people active and staying) and the
/// bus factor after.
pub fn knowledge(input: &KnowledgeInput<'_>) -> PolarsResult<Knowledge> {
    let history = input.history;
    let people = People::new(
        history,
        input.authorship,
        months_before(input.as_of, input.inactive_after_months),
        input.leaving,
    )?;
    // Every author and co-author who changed a file is a key of its added lines.
    let added = &input.authorship.added;
    let revisions = recent_revisions(history, months_before(input.as_of, 12))?;

    let mut files = Vec::new();
    let mut per_component: BTreeMap<String, ComponentAcc> = BTreeMap::new();
    let mut origins = Vec::new();
    let mut age: BTreeMap<(String, i64), u64> = BTreeMap::new();
    for file in input.files {
        let component = input.rules.component_of(&file.path).0;
        let acc = per_component.entry(component.clone()).or_default();
        let mut row = FileRow {
            path: &file.path,
            component: component.clone(),
            ..FileRow::default()
        };
        let mut surviving: BTreeMap<String, u64> = BTreeMap::new();
        for (commit, n) in &file.lines {
            let n = u64::from(*n);
            row.lines += n;
            if !people.known(commit, false) {
                row.inactive += n;
            }
            if !people.known(commit, true) {
                row.lost_after += n;
            }
            let made = people.commits.get(commit.as_str());
            if made.is_some_and(|(p, _)| p.iter().any(|p| people.leaving.contains(p))) {
                row.leaving += n;
            }
            for person in made.map(|(p, _)| p.as_slice()).unwrap_or_default() {
                *surviving.entry(person.clone()).or_default() += n;
            }
            let year = made.map_or(i64::MIN, |(_, t)| year_of(*t));
            for key in ["(all)", component.as_str()] {
                *age.entry((key.to_owned(), year)).or_default() += n;
            }
            let (author, date) = made.map_or((None, None), |(p, t)| {
                (
                    p.first().cloned(),
                    Some(format_time(*t, 0)[..10].to_owned()),
                )
            });
            origins.push((file.path.as_str(), commit.as_str(), author, date, n));
        }
        (row.main, row.share) = main_developer(&surviving)
            .map_or((None, 0.0), |(a, share)| (Some(a.to_owned()), share));
        row.orphaned =
            row.lines > 0 && ratio(row.lines - row.lost_after, row.lines) < input.orphaned_below;
        row.revisions = revisions.get(file.path.as_str()).copied().unwrap_or(0);
        acc.add(&row, &surviving);
        let authors = added
            .get(file.path.as_str())
            .into_iter()
            .flat_map(BTreeMap::keys);
        let active: BTreeSet<String> = authors.filter(|a| people.active(a)).cloned().collect();
        acc.staying_authors.push(
            active
                .iter()
                .filter(|a| !people.leaving.contains(*a))
                .cloned()
                .collect(),
        );
        acc.active_authors.push(active);
        files.push(row);
    }
    let leaving = (!input.leaving.is_empty())
        .then(|| leaving_tables(&files, &per_component))
        .transpose()?;
    Ok(Knowledge {
        files: files_frame(&files)?,
        components: components_frame(&per_component)?,
        origins: origins_frame(origins)?,
        age: age_frame(&age)?,
        leaving,
    })
}

/// The per-file table.
fn files_frame(files: &[FileRow<'_>]) -> PolarsResult<DataFrame> {
    df!(
        "file" => files.iter().map(|f| f.path).collect::<Vec<_>>(),
        "component" => files.iter().map(|f| f.component.as_str()).collect::<Vec<_>>(),
        "main_dev" => files.iter().map(|f| f.main.as_deref()).collect::<Vec<_>>(),
        "main_dev_share" => files.iter().map(|f| f.share).collect::<Vec<_>>(),
        "lines" => files.iter().map(|f| f.lines).collect::<Vec<_>>(),
        "inactive_lines" => files.iter().map(|f| f.inactive).collect::<Vec<_>>(),
        "knowledge_loss" => files.iter().map(|f| ratio(f.inactive, f.lines)).collect::<Vec<_>>(),
    )
}

/// The per-component table.
fn components_frame(per_component: &BTreeMap<String, ComponentAcc>) -> PolarsResult<DataFrame> {
    let rows: Vec<(&String, &ComponentAcc)> = per_component.iter().collect();
    df!(
        "component" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.1.files).collect::<Vec<_>>(),
        "main_dev" => rows.iter().map(|r| main_developer(&r.1.surviving).map(|m| m.0)).collect::<Vec<_>>(),
        "main_dev_share" => rows.iter().map(|r| main_developer(&r.1.surviving).map_or(0.0, |m| m.1)).collect::<Vec<_>>(),
        "lines" => rows.iter().map(|r| r.1.lines).collect::<Vec<_>>(),
        "inactive_lines" => rows.iter().map(|r| r.1.inactive).collect::<Vec<_>>(),
        "knowledge_loss" => rows.iter().map(|r| ratio(r.1.inactive, r.1.lines)).collect::<Vec<_>>(),
        "bus_factor" => rows.iter().map(|r| bus_factor(&r.1.active_authors)).collect::<Vec<_>>(),
    )
}

/// One row of the origins table: file, commit, author, date, lines.
type OriginRow<'a> = (&'a str, &'a str, Option<String>, Option<String>, u64);

/// The origins table: per file, most lines first, then commit id.
fn origins_frame(mut origins: Vec<OriginRow<'_>>) -> PolarsResult<DataFrame> {
    origins.sort_by(|a, b| a.0.cmp(b.0).then(b.4.cmp(&a.4)).then(a.1.cmp(b.1)));
    df!(
        "file" => origins.iter().map(|o| o.0).collect::<Vec<_>>(),
        "commit" => origins.iter().map(|o| o.1).collect::<Vec<_>>(),
        "author" => origins.iter().map(|o| o.2.clone()).collect::<Vec<_>>(),
        "date" => origins.iter().map(|o| o.3.clone()).collect::<Vec<_>>(),
        "lines" => origins.iter().map(|o| o.4).collect::<Vec<_>>(),
    )
}

/// One file's row before it becomes columns.
#[derive(Default)]
struct FileRow<'a> {
    path: &'a str,
    component: String,
    main: Option<String>,
    share: f64,
    lines: u64,
    inactive: u64,
    /// Lines left without anyone active and staying, once the leaving people are gone.
    lost_after: u64,
    /// Lines last added by commits a leaving person made.
    leaving: u64,
    orphaned: bool,
    revisions: u64,
}

/// The year (UTC) of a unix time.
fn year_of(seconds: i64) -> i64 {
    civil_from_days(seconds.div_euclid(86_400)).0
}

/// Code age: lines by year written, with each year's share of its component's lines; overall
/// (`(all)`) first, then components by name, years ascending (`unknown` for lines of commits
/// the analysed history does not hold).
fn age_frame(age: &BTreeMap<(String, i64), u64>) -> PolarsResult<DataFrame> {
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for ((component, _), n) in age {
        *totals.entry(component.as_str()).or_default() += n;
    }
    let mut rows: Vec<(&str, i64, u64)> =
        age.iter().map(|((c, y), n)| (c.as_str(), *y, *n)).collect();
    rows.sort_by(|a, b| {
        (a.0 != "(all)")
            .cmp(&(b.0 != "(all)"))
            .then(a.0.cmp(b.0))
            .then(a.1.cmp(&b.1))
    });
    df!(
        "component" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "year" => rows.iter().map(|r| if r.1 == i64::MIN { "unknown".to_owned() } else { r.1.to_string() }).collect::<Vec<_>>(),
        "lines" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "share" => rows.iter().map(|r| ratio(r.2, totals[r.0])).collect::<Vec<_>>(),
    )
}

/// The off-boarding simulation: files that leaving people wrote lines of (orphaned first, then
/// by their lines), and every component before and after.
fn leaving_tables(
    files: &[FileRow<'_>],
    components: &BTreeMap<String, ComponentAcc>,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let mut touched: Vec<&FileRow<'_>> = files.iter().filter(|f| f.leaving > 0).collect();
    touched.sort_by(|a, b| {
        b.orphaned
            .cmp(&a.orphaned)
            .then(b.leaving.cmp(&a.leaving))
            .then(a.path.cmp(b.path))
    });
    let per_file = df!(
        "file" => touched.iter().map(|f| f.path).collect::<Vec<_>>(),
        "component" => touched.iter().map(|f| f.component.as_str()).collect::<Vec<_>>(),
        "lines" => touched.iter().map(|f| f.lines).collect::<Vec<_>>(),
        "leaving_lines" => touched.iter().map(|f| f.leaving).collect::<Vec<_>>(),
        "knowledge_loss" => touched.iter().map(|f| ratio(f.inactive, f.lines)).collect::<Vec<_>>(),
        "knowledge_loss_after" => touched.iter().map(|f| ratio(f.lost_after, f.lines)).collect::<Vec<_>>(),
        "orphaned" => touched.iter().map(|f| f.orphaned).collect::<Vec<_>>(),
        "revisions_12m" => touched.iter().map(|f| f.revisions).collect::<Vec<_>>(),
    )?;
    let rows: Vec<(&String, &ComponentAcc)> = components.iter().collect();
    let per_component = df!(
        "component" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.1.files).collect::<Vec<_>>(),
        "lines" => rows.iter().map(|r| r.1.lines).collect::<Vec<_>>(),
        "leaving_lines" => rows.iter().map(|r| r.1.leaving).collect::<Vec<_>>(),
        "knowledge_loss" => rows.iter().map(|r| ratio(r.1.inactive, r.1.lines)).collect::<Vec<_>>(),
        "knowledge_loss_after" => rows.iter().map(|r| ratio(r.1.lost_after, r.1.lines)).collect::<Vec<_>>(),
        "orphaned_files" => rows.iter().map(|r| r.1.orphaned).collect::<Vec<_>>(),
        "bus_factor" => rows.iter().map(|r| bus_factor(&r.1.active_authors)).collect::<Vec<_>>(),
        "bus_factor_after" => rows.iter().map(|r| bus_factor(&r.1.staying_authors)).collect::<Vec<_>>(),
    )?;
    Ok((per_file, per_component))
}

/// Change sets (commits) per entity with an author time at or after `since`.
fn recent_revisions(history: &Tables, since: i64) -> PolarsResult<HashMap<String, u64>> {
    let commits = &history.commits;
    let ids = commits.column(col::COMMIT)?.str()?;
    let times = commits.column(col::AUTHOR_TIME)?.i64()?;
    let recent: HashSet<&str> = ids
        .iter()
        .zip(times.iter())
        .filter_map(|(c, t)| (t? >= since).then_some(c?))
        .collect();
    let changes = &history.changes;
    let entity = changes.column(col::ENTITY)?.str()?;
    let commit = changes.column(col::COMMIT)?.str()?;
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut out: HashMap<String, u64> = HashMap::new();
    for (e, c) in entity.iter().zip(commit.iter()) {
        if let (Some(e), Some(c)) = (e, c)
            && recent.contains(c)
            && seen.insert((e, c))
        {
            *out.entry(e.to_owned()).or_default() += 1;
        }
    }
    Ok(out)
}

#[derive(Default)]
struct ComponentAcc {
    files: u64,
    lines: u64,
    inactive: u64,
    lost_after: u64,
    leaving: u64,
    orphaned: u64,
    surviving: BTreeMap<String, u64>,
    active_authors: Vec<BTreeSet<String>>,
    staying_authors: Vec<BTreeSet<String>>,
}

impl ComponentAcc {
    fn add(&mut self, file: &FileRow<'_>, surviving: &BTreeMap<String, u64>) {
        self.files += 1;
        self.lines += file.lines;
        self.inactive += file.inactive;
        self.lost_after += file.lost_after;
        self.leaving += file.leaving;
        self.orphaned += u64::from(file.leaving > 0 && file.orphaned);
        for (person, n) in surviving {
            *self.surviving.entry(person.clone()).or_default() += n;
        }
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// See [`knowledge`].
fn bus_factor(active_authors: &[BTreeSet<String>]) -> u64 {
    let half = active_authors.len() / 2;
    // Authors as numbers in name order, so that the lowest number is the first name.
    let names: BTreeSet<&str> = active_authors
        .iter()
        .flat_map(|s| s.iter().map(String::as_str))
        .collect();
    let id: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut remaining: Vec<Vec<usize>> = active_authors
        .iter()
        .map(|s| s.iter().map(|a| id[a.as_str()]).collect())
        .collect();
    let (mut covers, mut sole) = (vec![0usize; names.len()], vec![0usize; names.len()]);
    let mut removed = 0;
    loop {
        let orphaned = remaining.iter().filter(|s| s.is_empty()).count();
        if orphaned > half {
            return removed;
        }
        // The author whose removal orphans most files now, then who covers most files, then name.
        covers.fill(0);
        sole.fill(0);
        for set in &remaining {
            for &a in set {
                covers[a] += 1;
                sole[a] += usize::from(set.len() == 1);
            }
        }
        let Some(pick) = (0..names.len())
            .filter(|&a| covers[a] > 0)
            .max_by(|&x, &y| {
                (sole[x], covers[x])
                    .cmp(&(sole[y], covers[y]))
                    .then(y.cmp(&x))
            })
        else {
            return removed;
        };
        for set in &mut remaining {
            set.retain(|&a| a != pick);
        }
        removed += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::bus_factor;

    fn sets(list: &[&[&str]]) -> Vec<BTreeSet<String>> {
        list.iter()
            .map(|s| s.iter().map(|a| (*a).to_owned()).collect())
            .collect()
    }

    #[test]
    fn bus_factor_by_hand() {
        // Four files: alice alone on two, alice+bob on one, carol on one. Removing alice
        // orphans two (not more than half); then bob or carol: three. Bus factor 2.
        assert_eq!(
            bus_factor(&sets(&[
                &["alice"],
                &["alice"],
                &["alice", "bob"],
                &["carol"]
            ])),
            2
        );
        // More than half without an active author already: 0.
        assert_eq!(bus_factor(&sets(&[&[], &[], &["bob"]])), 0);
        // One author on everything: 1.
        assert_eq!(bus_factor(&sets(&[&["a"], &["a"], &["a"]])), 1);
    }
}
