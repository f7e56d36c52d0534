//! Knowledge risk (docs/metrics.md, *knowledge*): main developers, knowledge loss from blame, and bus factor per
//! component.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cochange_miner::{BlamedFile, Tables, col};
use polars::prelude::*;

use crate::components::ComponentRules;
use crate::identity::people_per_commit;
use crate::ownership::{added_lines, last_active, main_developer};
use crate::time::months_before;

/// When each person was last seen, and the commits with an active author or co-author.
struct People {
    last_seen: HashMap<String, i64>,
    inactive_since: i64,
    active_commits: HashSet<String>,
}

impl People {
    fn new(history: &Tables, inactive_since: i64) -> PolarsResult<Self> {
        let last_seen = last_active(history)?;
        let per_commit = people_per_commit(history)?;
        let commit = per_commit.column(col::COMMIT)?.str()?;
        let person = per_commit.column(col::AUTHOR)?.str()?;
        let mut people = Self {
            last_seen,
            inactive_since,
            active_commits: HashSet::new(),
        };
        for (c, p) in commit.iter().zip(person.iter()) {
            if let (Some(c), Some(p)) = (c, p)
                && people.active(p)
            {
                people.active_commits.insert(c.to_owned());
            }
        }
        Ok(people)
    }

    fn active(&self, author: &str) -> bool {
        self.last_seen
            .get(author)
            .is_some_and(|&t| t >= self.inactive_since)
    }
}

/// Per file and per component of the analysed revision:
///
/// - `main_dev` and `main_dev_share`: most lines added over `history`, co-authors credited as
///   authors (ties: the first name);
/// - `lines`: non-blank lines at the revision (from blame) and `inactive_lines`, those last added
///   by commits whose author and co-authors all have no commit since `inactive_after_months`
///   months before `as_of`, or by commits the history does not hold; `knowledge_loss` =
///   `inactive_lines / lines`;
/// - per component, `bus_factor`: the fewest authors whose removal leaves more than half of its
///   files without an active author who changed them (greedy: each step removes the author whose
///   files lose their last active author most often; 0 when more than half have none already).
pub fn knowledge(
    history: &Tables,
    blamed: &[BlamedFile],
    rules: &ComponentRules,
    as_of: i64,
    inactive_after_months: u32,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let people = People::new(history, months_before(as_of, inactive_after_months))?;
    // Every author and co-author who changed a file is a key of its added lines.
    let added = added_lines(history)?;

    let mut files = Vec::new();
    let mut per_component: BTreeMap<String, ComponentAcc> = BTreeMap::new();
    for file in blamed {
        let lines: u64 = file.lines.iter().map(|(_, n)| u64::from(*n)).sum();
        let inactive: u64 = file
            .lines
            .iter()
            .filter(|(c, _)| !people.active_commits.contains(c.as_str()))
            .map(|(_, n)| u64::from(*n))
            .sum();
        let by_author = added.get(file.path.as_str());
        let (main, share) = by_author
            .and_then(main_developer)
            .map_or((None, 0.0), |(a, share)| (Some(a.to_owned()), share));
        let component = rules.component_of(&file.path).0;
        let acc = per_component.entry(component.clone()).or_default();
        acc.files += 1;
        acc.lines += lines;
        acc.inactive += inactive;
        for (a, n) in by_author.into_iter().flatten() {
            *acc.added.entry(a.clone()).or_default() += n;
        }
        let active: BTreeSet<String> = by_author
            .into_iter()
            .flat_map(BTreeMap::keys)
            .filter(|a| people.active(a))
            .cloned()
            .collect();
        acc.active_authors.push(active);
        files.push((file.path.as_str(), component, main, share, lines, inactive));
    }
    let files = df!(
        "file" => files.iter().map(|f| f.0).collect::<Vec<_>>(),
        "component" => files.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        "main_dev" => files.iter().map(|f| f.2.as_deref()).collect::<Vec<_>>(),
        "main_dev_share" => files.iter().map(|f| f.3).collect::<Vec<_>>(),
        "lines" => files.iter().map(|f| f.4).collect::<Vec<_>>(),
        "inactive_lines" => files.iter().map(|f| f.5).collect::<Vec<_>>(),
        "knowledge_loss" => files.iter().map(|f| ratio(f.5, f.4)).collect::<Vec<_>>(),
    )?;
    let rows: Vec<(&String, &ComponentAcc)> = per_component.iter().collect();
    let components = df!(
        "component" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.1.files).collect::<Vec<_>>(),
        "main_dev" => rows.iter().map(|r| main_developer(&r.1.added).map(|m| m.0)).collect::<Vec<_>>(),
        "main_dev_share" => rows.iter().map(|r| main_developer(&r.1.added).map_or(0.0, |m| m.1)).collect::<Vec<_>>(),
        "lines" => rows.iter().map(|r| r.1.lines).collect::<Vec<_>>(),
        "inactive_lines" => rows.iter().map(|r| r.1.inactive).collect::<Vec<_>>(),
        "knowledge_loss" => rows.iter().map(|r| ratio(r.1.inactive, r.1.lines)).collect::<Vec<_>>(),
        "bus_factor" => rows.iter().map(|r| bus_factor(&r.1.active_authors)).collect::<Vec<_>>(),
    )?;
    Ok((files, components))
}

#[derive(Default)]
struct ComponentAcc {
    files: u64,
    lines: u64,
    inactive: u64,
    added: BTreeMap<String, u64>,
    active_authors: Vec<BTreeSet<String>>,
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
    let mut remaining: Vec<BTreeSet<&str>> = active_authors
        .iter()
        .map(|s| s.iter().map(String::as_str).collect())
        .collect();
    let mut removed = 0;
    loop {
        let orphaned = remaining.iter().filter(|s| s.is_empty()).count();
        if orphaned > half {
            return removed;
        }
        // The author whose removal orphans most files now, then who covers most files, then name.
        let mut score: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for set in &remaining {
            for &a in set {
                let entry = score.entry(a).or_default();
                entry.1 += 1;
                if set.len() == 1 {
                    entry.0 += 1;
                }
            }
        }
        let Some((&pick, _)) = score.iter().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0))) else {
            return removed;
        };
        for set in &mut remaining {
            set.remove(pick);
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
