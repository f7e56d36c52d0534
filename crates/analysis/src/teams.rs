//! Teams (docs/metrics.md, *teams*): which teams change which components, and which teams must coordinate
//! because they change coupled files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cochange_miner::{Tables, col};
use globset::GlobMatcher;
use polars::prelude::*;

use crate::components::ComponentRules;
use crate::coupling::coupling_col;

/// Authors without a team.
pub const NO_TEAM: &str = "(no team)";

/// One way to recognise a team member.
#[derive(Debug, Clone)]
pub enum Member {
    /// An email, compared without case.
    Email(String),
    /// A glob on the author's name.
    Name(GlobMatcher),
}

/// `[teams]`: team name → members, in file order (an author belongs to the first team that
/// lists them).
#[derive(Debug, Clone, Default)]
pub struct Teams {
    /// The teams.
    pub teams: Vec<(String, Vec<Member>)>,
}

impl Teams {
    /// The team of an author, or [`NO_TEAM`].
    pub fn team_of(&self, name: &str, email: &str) -> &str {
        self.teams
            .iter()
            .find(|(_, members)| {
                members.iter().any(|m| match m {
                    Member::Email(e) => e.eq_ignore_ascii_case(email),
                    Member::Name(glob) => glob.is_match(name),
                })
            })
            .map_or(NO_TEAM, |(team, _)| team.as_str())
    }
}

/// A component, its teams with their change sets, and its change sets.
type ComponentTeams<'a> = (&'a str, Vec<(&'a str, u64)>, u64);

/// What `teams` reports.
#[derive(Debug)]
pub struct TeamReport {
    /// `team`, then one column per component (most revised first): change sets of the team's
    /// authors that touched the component.
    pub matrix: DataFrame,
    /// `component, teams, team_list, revisions`: how many teams change each component.
    pub per_component: DataFrame,
    /// `team_a, team_b, coupled_pairs, example`: pairs of teams that change the two sides of
    /// coupled file pairs (authors without a team left out).
    pub coordination: DataFrame,
}

/// Analyses teams over `tables` (commits as change sets), with file coupling `pairs`.
pub fn teams(
    tables: &Tables,
    teams: &Teams,
    rules: &ComponentRules,
    pairs: &DataFrame,
) -> PolarsResult<TeamReport> {
    let commits = &tables.commits;
    let mut team_of_commit: HashMap<(&str, &str), &str> = HashMap::new();
    let repo = commits.column(col::REPO)?.str()?;
    let id = commits.column(col::COMMIT)?.str()?;
    let name = commits.column(col::AUTHOR)?.str()?;
    let email = commits.column(col::EMAIL)?.str()?;
    for i in 0..commits.height() {
        if let (Some(r), Some(c), Some(n), Some(e)) =
            (repo.get(i), id.get(i), name.get(i), email.get(i))
        {
            team_of_commit.insert((r, c), teams.team_of(n, e));
        }
    }
    let changes = &tables.changes;
    let repo = changes.column(col::REPO)?.str()?;
    let id = changes.column(col::COMMIT)?.str()?;
    let entity = changes.column(col::ENTITY)?.str()?;
    let mut sets: BTreeMap<(String, String), BTreeSet<(&str, &str)>> = BTreeMap::new();
    let mut file_teams: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for i in 0..changes.height() {
        let (Some(r), Some(c), Some(e)) = (repo.get(i), id.get(i), entity.get(i)) else {
            continue;
        };
        let team = team_of_commit.get(&(r, c)).copied().unwrap_or(NO_TEAM);
        sets.entry((team.to_owned(), rules.component_of(e).0))
            .or_default()
            .insert((r, c));
        file_teams.entry(e).or_default().insert(team);
    }
    let counts: BTreeMap<(String, String), u64> =
        sets.into_iter().map(|(k, v)| (k, v.len() as u64)).collect();

    let mut component_total: BTreeMap<&str, u64> = BTreeMap::new();
    let mut team_names: BTreeSet<&str> = BTreeSet::new();
    for ((team, component), n) in &counts {
        *component_total.entry(component).or_default() += n;
        team_names.insert(team);
    }
    let mut components: Vec<(&str, u64)> = component_total.into_iter().collect();
    components.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut columns = vec![Column::new(
        "team".into(),
        team_names.iter().copied().collect::<Vec<_>>(),
    )];
    for (component, _) in &components {
        let values: Vec<u64> = team_names
            .iter()
            .map(|t| {
                counts
                    .get(&((*t).to_owned(), (*component).to_owned()))
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        columns.push(Column::new((*component).into(), values));
    }
    let matrix = DataFrame::new(team_names.len(), columns)?;

    let per_component = {
        let rows: Vec<ComponentTeams> = components
            .iter()
            .map(|(component, total)| {
                let mut list: Vec<(&str, u64)> = counts
                    .iter()
                    .filter(|((_, c), _)| c == component)
                    .map(|((t, _), n)| (t.as_str(), *n))
                    .collect();
                list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                (*component, list, *total)
            })
            .collect();
        df!(
            "component" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "teams" => rows.iter().map(|r| r.1.len() as u64).collect::<Vec<_>>(),
            "team_list" => rows.iter().map(|r| r.1.iter().map(|(t, n)| format!("{t} ({n})")).collect::<Vec<_>>().join(", ")).collect::<Vec<_>>(),
            "revisions" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )?
    };

    let coordination = coordination(pairs, &file_teams)?;
    Ok(TeamReport {
        matrix,
        per_component,
        coordination,
    })
}

/// Team pairs that change the two sides of coupled file pairs (see [`TeamReport`]).
fn coordination(
    pairs: &DataFrame,
    file_teams: &HashMap<&str, BTreeSet<&str>>,
) -> PolarsResult<DataFrame> {
    let a = pairs.column(coupling_col::ENTITY)?.str()?;
    let b = pairs.column(coupling_col::COUPLED)?.str()?;
    let mut needs: BTreeMap<(&str, &str), (u64, String)> = BTreeMap::new();
    for (x, y) in a.iter().zip(b.iter()) {
        let (Some(x), Some(y)) = (x, y) else { continue };
        let empty = BTreeSet::new();
        let (tx, ty) = (
            file_teams.get(x).unwrap_or(&empty),
            file_teams.get(y).unwrap_or(&empty),
        );
        let mut team_pairs: BTreeSet<(&str, &str)> = BTreeSet::new();
        for &t1 in tx {
            for &t2 in ty {
                if t1 != t2 && t1 != NO_TEAM && t2 != NO_TEAM {
                    team_pairs.insert((t1.min(t2), t1.max(t2)));
                }
            }
        }
        for key in team_pairs {
            let entry = needs
                .entry(key)
                .or_insert_with(|| (0, format!("{x} + {y}")));
            entry.0 += 1;
        }
    }
    let mut needs: Vec<_> = needs.into_iter().collect();
    needs.sort_by(|x, y| y.1.0.cmp(&x.1.0).then(x.0.cmp(&y.0)));
    df!(
        "team_a" => needs.iter().map(|n| n.0.0).collect::<Vec<_>>(),
        "team_b" => needs.iter().map(|n| n.0.1).collect::<Vec<_>>(),
        "coupled_pairs" => needs.iter().map(|n| n.1.0).collect::<Vec<_>>(),
        "example" => needs.iter().map(|n| n.1.1.as_str()).collect::<Vec<_>>(),
    )
}
