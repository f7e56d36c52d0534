//! `cochange tables` (docs/tables.md): the database tables the analysed revision declares, the
//! components whose code uses each, and the migrations that changed it over the history.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cochange_code::{Access, Declared, TableFacts};
use cochange_miner::col;
use polars::prelude::*;

use crate::session::read_files;
use crate::{Error, Session, Structure};

/// The tables of `tables`.
pub struct TablesReport {
    /// One row per table: `table, declared_in, components, access, shared, migrations,
    /// last_migration, migration_authors, co_changing`; shared tables first, then by the number
    /// of components, then by name.
    pub tables: DataFrame,
    /// One row per use of a table by a file: `table, component, file, line, access` (`read`,
    /// `write`, or `model` for the code of an ORM model and the files that import it), in table
    /// and path order.
    pub references: DataFrame,
}

/// A file's facts about tables, path-prefixed like the history's entities.
type Facts = BTreeMap<String, TableFacts>;

impl Session<'_> {
    /// What the source, SQL and Prisma files of the analysed revision that the path filters keep
    /// say about tables, read on all cores; files read before (same blob) come from the cache.
    pub fn table_facts(&self) -> Result<Facts, Error> {
        if self.history.exported.is_some() {
            return Ok(Facts::new());
        }
        let several = self.several();
        let mut all = Facts::new();
        for (repo, outcome, options) in self.history.repositories() {
            let prefix = |path: &str| crate::prefixed(&outcome.repo, path, several);
            let wanted = |path: &str| {
                cochange_code::reads_tables(path) && self.settings.filters.keeps_path(&prefix(path))
            };
            let snapshot = read_files(repo, options, self.revision(), wanted, |path, bytes| {
                cochange_code::read_tables(path, bytes)
            })?;
            for (path, facts) in snapshot.files {
                if let Some(facts) = facts
                    && (!facts.declares.is_empty() || !facts.references.is_empty())
                {
                    all.insert(prefix(&path), facts);
                }
            }
        }
        Ok(all)
    }

    /// The `tables` report of the analysed revision, with the imports of `structure` for the
    /// files that use an ORM model.
    pub fn tables(&mut self, structure: &Structure) -> Result<TablesReport, Error> {
        let facts = self.table_facts()?;
        let rules = self.mapping()?.rules.clone();
        Ok(tables_report(
            &facts,
            structure,
            &|path| rules.component_of(path).0,
            &self.history.tables,
        )?)
    }
}

/// One use of a table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    table: String,
    component: String,
    file: String,
    line: u32,
    access: &'static str,
}

/// The report from the facts of each file, its imports, the components and the history.
fn tables_report(
    facts: &Facts,
    structure: &Structure,
    component_of: &dyn Fn(&str) -> String,
    history: &crate::Tables,
) -> PolarsResult<TablesReport> {
    // Declarations: where each table is made (a schema or model before a migration).
    let mut declared: BTreeMap<String, Places> = BTreeMap::new();
    let mut models: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut migrations: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (path, file) in facts {
        let migration = cochange_code::is_migration(path);
        for d in &file.declares {
            let table = d.table_at(path);
            declared.entry(table.clone()).or_default().push((
                migration,
                path.clone(),
                d.line,
                d.how,
            ));
            if migration {
                migrations.entry(table.clone()).or_default().insert(path);
            }
            if d.how == Declared::Model {
                models.entry(path.as_str()).or_default().insert(table);
            }
        }
    }
    let uses = uses(facts, &declared, &models, structure, component_of);
    let history = MigrationHistory::new(history)?;
    let mut rows: Vec<TableRow> = declared
        .iter()
        .map(|(table, places)| {
            let first = places
                .iter()
                .filter(|p| p.3 != Declared::Drop)
                .min_by_key(|p| (p.0, p.3 != Declared::Create && p.3 != Declared::Model))
                .or(places.first());
            let mut access: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for u in uses.iter().filter(|u| u.table == *table) {
                access.entry(&u.component).or_default().insert(u.access);
            }
            let files: Vec<&str> = migrations
                .get(table)
                .map(|m| m.iter().copied().collect())
                .unwrap_or_default();
            TableRow {
                table: table.clone(),
                declared_in: first
                    .map(|p| format!("{}:{}", p.1, p.2))
                    .unwrap_or_default(),
                components: access.keys().map(|c| (*c).to_owned()).collect(),
                access: access
                    .iter()
                    .map(|(c, a)| {
                        format!("{c} ({})", a.iter().copied().collect::<Vec<_>>().join("+"))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                migrations: history.of(&files, component_of),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let shared = |r: &TableRow| r.components.len() >= 2;
        shared(b)
            .cmp(&shared(a))
            .then(b.components.len().cmp(&a.components.len()))
            .then(a.table.cmp(&b.table))
    });
    let tables = df!(
        "table" => rows.iter().map(|r| r.table.as_str()).collect::<Vec<_>>(),
        "declared_in" => rows.iter().map(|r| r.declared_in.as_str()).collect::<Vec<_>>(),
        "components" => rows.iter().map(|r| r.components.len() as u64).collect::<Vec<_>>(),
        "access" => rows.iter().map(|r| r.access.as_str()).collect::<Vec<_>>(),
        "shared" => rows.iter().map(|r| r.components.len() >= 2).collect::<Vec<_>>(),
        "migrations" => rows.iter().map(|r| r.migrations.commits).collect::<Vec<_>>(),
        "last_migration" => rows.iter().map(|r| r.migrations.last.clone()).collect::<Vec<_>>(),
        "migration_authors" => rows.iter().map(|r| r.migrations.authors.as_str()).collect::<Vec<_>>(),
        "co_changing" => rows.iter().map(|r| r.migrations.co_changing.as_str()).collect::<Vec<_>>(),
    )?;
    let uses: Vec<Use> = uses.into_iter().collect();
    let references = df!(
        "table" => uses.iter().map(|u| u.table.as_str()).collect::<Vec<_>>(),
        "component" => uses.iter().map(|u| u.component.as_str()).collect::<Vec<_>>(),
        "file" => uses.iter().map(|u| u.file.as_str()).collect::<Vec<_>>(),
        "line" => uses.iter().map(|u| u.line).collect::<Vec<_>>(),
        "access" => uses.iter().map(|u| u.access).collect::<Vec<_>>(),
    )?;
    Ok(TablesReport { tables, references })
}

/// Where a table is declared: whether in a migration, the file, the line, how.
type Places = Vec<(bool, String, u32, Declared)>;

/// The uses of the declared tables: SQL text outside migrations, and each ORM model's file and
/// the files that import it.
fn uses(
    facts: &Facts,
    declared: &BTreeMap<String, Places>,
    models: &HashMap<&str, BTreeSet<String>>,
    structure: &Structure,
    component_of: &dyn Fn(&str) -> String,
) -> BTreeSet<Use> {
    let mut uses: BTreeSet<Use> = BTreeSet::new();
    for (path, file) in facts {
        if cochange_code::is_migration(path) {
            continue;
        }
        for r in &file.references {
            if declared.contains_key(&r.table) {
                uses.insert(Use {
                    table: r.table.clone(),
                    component: component_of(path),
                    file: path.clone(),
                    line: r.line,
                    access: match r.access {
                        Access::Read => "read",
                        Access::Write => "write",
                    },
                });
            }
        }
    }
    for (path, tables) in models {
        for table in tables {
            let line = declared[table]
                .iter()
                .find(|d| d.1 == *path)
                .map_or(0, |d| d.2);
            uses.insert(Use {
                table: table.clone(),
                component: component_of(path),
                file: (*path).to_owned(),
                line,
                access: "model",
            });
        }
    }
    for file in &structure.resolved.files {
        for (target, line) in &file.edges {
            for table in models.get(target.as_str()).into_iter().flatten() {
                uses.insert(Use {
                    table: table.clone(),
                    component: component_of(&file.path),
                    file: file.path.clone(),
                    line: *line,
                    access: "model",
                });
            }
        }
    }
    uses
}

struct TableRow {
    table: String,
    declared_in: String,
    components: Vec<String>,
    access: String,
    migrations: Migrations,
}

/// The migrations of one table over the history.
#[derive(Default)]
struct Migrations {
    /// Commits that changed one of its migration files.
    commits: u64,
    /// The newest of them, `YYYY-MM-DD`.
    last: Option<String>,
    /// Their authors, by name.
    authors: String,
    /// The components of the other files those commits changed, with how many of the commits.
    co_changing: String,
}

/// Per file, the commits that changed it; per commit, its author, time and files.
struct MigrationHistory {
    by_file: HashMap<String, Vec<usize>>,
    commits: Vec<(String, i64, Vec<String>)>,
}

impl MigrationHistory {
    fn new(history: &crate::Tables) -> PolarsResult<MigrationHistory> {
        let commits = &history.commits;
        let ids = commits.column(col::COMMIT)?.str()?;
        let authors = commits.column(col::AUTHOR)?.str()?;
        let times = commits.column(col::COMMITTER_TIME)?.i64()?;
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut rows = Vec::new();
        for ((id, author), time) in ids.iter().zip(authors.iter()).zip(times.iter()) {
            index.insert(id.unwrap_or_default(), rows.len());
            rows.push((
                author.unwrap_or_default().to_owned(),
                time.unwrap_or_default(),
                Vec::new(),
            ));
        }
        let changes = &history.changes;
        let commit = changes.column(col::COMMIT)?.str()?;
        let entity = changes.column(col::ENTITY)?.str()?;
        let mut by_file: HashMap<String, Vec<usize>> = HashMap::new();
        for (c, e) in commit.iter().zip(entity.iter()) {
            if let (Some(&i), Some(e)) = (c.and_then(|c| index.get(c)), e) {
                rows[i].2.push(e.to_owned());
                by_file.entry(e.to_owned()).or_default().push(i);
            }
        }
        Ok(MigrationHistory {
            by_file,
            commits: rows,
        })
    }

    /// The history of the migration `files` of one table.
    fn of(&self, files: &[&str], component_of: &dyn Fn(&str) -> String) -> Migrations {
        let commits: BTreeSet<usize> = files
            .iter()
            .flat_map(|f| self.by_file.get(*f).into_iter().flatten().copied())
            .collect();
        if commits.is_empty() {
            return Migrations::default();
        }
        let mut authors = BTreeSet::new();
        let mut co_changing: BTreeMap<String, u64> = BTreeMap::new();
        let mut last = i64::MIN;
        for &i in &commits {
            let (author, time, changed) = &self.commits[i];
            authors.insert(author.as_str());
            last = last.max(*time);
            let components: BTreeSet<String> = changed
                .iter()
                .filter(|f| !cochange_code::is_migration(f))
                .map(|f| component_of(f))
                .collect();
            for c in components {
                *co_changing.entry(c).or_default() += 1;
            }
        }
        let mut co: Vec<(String, u64)> = co_changing.into_iter().collect();
        co.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Migrations {
            commits: commits.len() as u64,
            last: Some(crate::day(last)),
            authors: authors.into_iter().collect::<Vec<_>>().join(", "),
            co_changing: co
                .iter()
                .map(|(c, n)| format!("{c} ({n})"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}
