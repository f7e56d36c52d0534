//! What depends on what: the import edges of the analysed revision's files (read by
//! cochange-code from their blobs), per file and between components, with the cycles of the
//! component graph (docs/structure.md).

use std::collections::{BTreeMap, BTreeSet};

use cochange_code::{FileFacts, Resolved};
use cochange_miner::polars::prelude::*;
use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

use crate::session::{Error, Notice, Session, read_files};

/// The import edges of a revision, with entities named as the other analyses name them.
#[derive(Debug, Clone, Default)]
pub struct Structure {
    /// The files read and their resolved imports (paths prefixed with the repository's name when
    /// several are analysed).
    pub resolved: Resolved,
    /// How many files of each kind were read (`rust`, `python`, `typescript`, `tsx`, `cargo`,
    /// `npm`).
    pub read: BTreeMap<&'static str, u64>,
}

/// The tables of `deps`, each already in its final order.
#[derive(Debug, Clone)]
pub struct DepsReport {
    /// Per file: `path, component, fan-in, fan-out, external, unresolved`; most imported first.
    pub files: DataFrame,
    /// Every import edge between files: `from, to, line` (the first import of `to` in `from`),
    /// in path order.
    pub imports: DataFrame,
    /// Per component: `component, files, fan-in, fan-out, imports-in, imports-out` (fan-in and
    /// fan-out count components); most depended on first.
    pub components: DataFrame,
    /// Component dependencies: `from, to, imports, files, co_changes, coupled, example`, one row
    /// per ordered pair of different components; `co_changes` counts the change sets touching
    /// both, `coupled` says whether the two pass the coupling thresholds, `example` is the first
    /// import edge `file:line -> file`.
    pub edges: DataFrame,
    /// The dependencies inside each cycle of the component graph (its strongly connected
    /// components of two or more): `cycle, components, from, to, imports, example`.
    pub cycles: DataFrame,
    /// The component dependencies whose two components never changed in the same change set:
    /// stable interfaces; the columns of `edges`.
    pub stable: DataFrame,
    /// The imports that break a `[boundaries]` rule: `rule` (`forbidden`: a forbidden component
    /// dependency; `internal`: a file outside a component's public paths), `from, line, to`,
    /// `from_component, to_component`, and `boundary`, the rule as written; in path order.
    pub violations: DataFrame,
}

/// `[boundaries]` of the configuration (docs/structure.md): what one component may import of
/// another.
#[derive(Debug, Clone, Default)]
pub struct Boundaries {
    /// Component dependencies that must not exist.
    pub forbidden: Vec<Forbidden>,
    /// Per component, the files other components may import (its public interface): the
    /// component, its globs as written, and their set. Imports of its other files break it.
    pub public: Vec<(String, Vec<String>, globset::GlobSet)>,
}

/// A forbidden component dependency: `from -> to`, either side `*` for any component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    /// The importing component, or `*`.
    pub from: String,
    /// The imported component, or `*`.
    pub to: String,
}

impl Boundaries {
    /// Refuses a rule that names a component none of `components` is: a misspelt name would
    /// make the gate pass while checking nothing.
    fn check_names(&self, components: &BTreeSet<String>) -> Result<(), Error> {
        let named = self
            .forbidden
            .iter()
            .flat_map(|rule| {
                [&rule.from, &rule.to]
                    .into_iter()
                    .map(move |name| (name, format!("`{} -> {}`", rule.from, rule.to)))
            })
            .chain(
                self.public
                    .iter()
                    .map(|(name, _, _)| (name, "`[boundaries.public]`".to_owned())),
            );
        for (name, rule) in named {
            if name != "*" && !components.contains(name) {
                return Err(Error::Invalid(format!(
                    "`[boundaries]` rule {rule} names the component `{name}`, but no file whose imports are read belongs to it; the components are: {} (`cochange components` lists their files)",
                    components
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The rule an import from a file of `from` to the file `target` of `to` breaks, if any:
    /// `("forbidden", "web -> storage")` or `("internal", "public of storage: …")`.
    fn broken(&self, from: &str, to: &str, target: &str) -> Option<(&'static str, String)> {
        let side = |rule: &str, name: &str| rule == "*" || rule == name;
        if let Some(rule) = self
            .forbidden
            .iter()
            .find(|rule| side(&rule.from, from) && side(&rule.to, to))
        {
            return Some(("forbidden", format!("{} -> {}", rule.from, rule.to)));
        }
        let (_, globs, set) = self.public.iter().find(|(name, _, _)| name == to)?;
        (!set.is_match(target))
            .then(|| ("internal", format!("public of {to}: {}", globs.join(", "))))
    }
}

impl Session<'_> {
    /// The import edges of the analysed revision's source files that the path filters keep,
    /// read from the blobs on all cores; files read before (same blob) come from the cache.
    pub fn structure(&mut self) -> Result<Structure, Error> {
        let revision = self.revision().map(str::to_owned);
        self.structure_at(revision.as_deref())
    }

    /// [`Session::structure`] of revision `rev` (`None`: HEAD).
    pub fn structure_at(&mut self, rev: Option<&str>) -> Result<Structure, Error> {
        if self.history.exported.is_some() {
            self.push_notice(crate::Notice::Info(
                "imports are not read from exported tables: structure is unknown".into(),
            ));
            return Ok(Structure::default());
        }
        let several = self.several();
        let mut structure = Structure::default();
        for (repo, outcome, options) in self.history.repositories() {
            let prefix = |path: &str| crate::prefixed(&outcome.repo, path, several);
            // Manifests say where packages live, whatever the path filters keep.
            let wanted = |path: &str| {
                cochange_code::is_manifest(path)
                    || (cochange_code::reads(path)
                        && self.settings.filters.keeps_path(&prefix(path)))
            };
            let snapshot = read_files(repo, options, rev, wanted, |path, bytes| {
                cochange_code::read_file(path, bytes).unwrap_or(FileFacts::Unparsable)
            })?;
            let facts: BTreeMap<String, FileFacts> = snapshot
                .files
                .iter()
                .filter_map(|(path, facts)| Some((path.clone(), facts.clone()?)))
                .collect();
            for path in facts.keys() {
                *structure
                    .read
                    .entry(cochange_code::kind_of(path))
                    .or_default() += 1;
            }
            let mut resolved = cochange_code::resolve(&snapshot.paths, &facts);
            for file in &mut resolved.files {
                file.path = prefix(&file.path);
                for (target, _) in &mut file.edges {
                    *target = prefix(target);
                }
            }
            let named = |paths: Vec<String>| paths.iter().map(|p| prefix(p)).collect::<Vec<_>>();
            let into = &mut structure.resolved;
            into.files.extend(resolved.files);
            into.unparsable.extend(named(resolved.unparsable));
            into.with_errors.extend(named(resolved.with_errors));
        }
        let resolved = &mut structure.resolved;
        resolved.files.sort_by(|a, b| a.path.cmp(&b.path));
        resolved.unparsable.sort();
        resolved.with_errors.sort();
        let with_errors = &structure.resolved.with_errors;
        if !with_errors.is_empty() {
            self.push_notice(Notice::Info(format!(
                "{} files parsed with syntax errors (the imports that parsed are used): {}{}",
                with_errors.len(),
                with_errors[..with_errors.len().min(5)].join(", "),
                if with_errors.len() > 5 { ", …" } else { "" }
            )));
        }
        let unparsable = &structure.resolved.unparsable;
        if !unparsable.is_empty() {
            self.push_notice(Notice::Warning(format!(
                "{} files could not be parsed, their imports are unknown; the first: {}",
                unparsable.len(),
                unparsable[..unparsable.len().min(3)].join(", ")
            )));
        }
        Ok(structure)
    }
}

impl Structure {
    /// One line on what was read and how the imports resolved.
    pub fn summary(&self) -> String {
        let read: Vec<String> = self
            .read
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        let files = &self.resolved.files;
        let edges: usize = files.iter().map(|f| f.edges.len()).sum();
        let external: u32 = files.iter().map(|f| f.external).sum();
        let unresolved: u32 = files.iter().map(|f| f.unresolved).sum();
        format!(
            "read {} files ({}): {edges} import edges between files, {external} imports of code \
             outside the repository, {unresolved} internal-looking imports that name no file; \
             {} unparsable, {} with syntax errors",
            self.read.values().sum::<u64>(),
            if read.is_empty() {
                "none".to_owned()
            } else {
                read.join(", ")
            },
            self.resolved.unparsable.len(),
            self.resolved.with_errors.len()
        )
    }
}

/// How two components change together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoChange {
    /// Change sets touching both.
    pub shared: u64,
    /// Whether the pair passes the coupling thresholds.
    pub coupled: bool,
}

/// One dependency between two components, summed over its file edges.
#[derive(Debug, Default)]
struct ComponentEdge {
    imports: u64,
    /// Of `imports`, those in test code: a test file, or code compiled for tests only.
    test_imports: u64,
    files: BTreeSet<String>,
    /// The first file edge in path order: `file:line -> target`.
    example: Option<String>,
    /// The first that is not in test code.
    product_example: Option<String>,
}

/// The `deps` tables of `structure`, components given by `component_of`, with how each pair of
/// components changes together (`co_change`, from [`component_co_change`]) and the imports that
/// break `boundaries`. Imports in test code (files `tests` names, Rust `#[cfg(test)]` code) are
/// dependencies, but cycles are sought among the others: tests may import what they test from
/// anywhere.
///
/// [`component_co_change`]: crate::component_co_change
pub fn deps(
    structure: &Structure,
    component_of: &dyn Fn(&str) -> String,
    co_change: &BTreeMap<(String, String), CoChange>,
    boundaries: &Boundaries,
    tests: &crate::TestPaths,
) -> Result<DepsReport, Error> {
    let files = &structure.resolved.files;
    let components: BTreeSet<String> = files.iter().map(|f| component_of(&f.path)).collect();
    boundaries.check_names(&components)?;
    let mut fan_in: BTreeMap<&str, u64> = BTreeMap::new();
    let mut edges: BTreeMap<(String, String), ComponentEdge> = BTreeMap::new();
    let mut violations: Vec<Violation<'_>> = Vec::new();
    for file in files {
        let from = component_of(&file.path);
        let test_file = tests.is_test(&file.path);
        for (target, line) in &file.edges {
            *fan_in.entry(target.as_str()).or_default() += 1;
            let to = component_of(target);
            if to == from {
                continue;
            }
            if let Some((rule, boundary)) = boundaries.broken(&from, &to, target) {
                violations.push(Violation {
                    rule,
                    from: &file.path,
                    line: *line,
                    to: target,
                    from_component: from.clone(),
                    to_component: to.clone(),
                    boundary,
                });
            }
            let edge = edges.entry((from.clone(), to)).or_default();
            edge.imports += 1;
            let example = || format!("{}:{line} -> {target}", file.path);
            if test_file || file.test_only.binary_search(target).is_ok() {
                edge.test_imports += 1;
            } else {
                edge.product_example.get_or_insert_with(example);
            }
            edge.files.insert(file.path.clone());
            edge.example.get_or_insert_with(example);
        }
    }
    let (mut from, mut to, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        for (target, line) in &file.edges {
            from.push(file.path.as_str());
            to.push(target.as_str());
            lines.push(*line);
        }
    }
    Ok(DepsReport {
        imports: df!("from" => from, "to" => to, "line" => lines)?,
        files: file_frame(structure, &fan_in, component_of)?,
        components: component_frame(structure, &edges, component_of)?,
        cycles: cycle_frame(&edges)?,
        stable: edge_frame(
            edges
                .iter()
                .filter(|(key, _)| co_change_of(co_change, key).shared == 0),
            co_change,
        )?,
        edges: edge_frame(edges.iter(), co_change)?,
        violations: violation_frame(&violations)?,
    })
}

/// An import that breaks a `[boundaries]` rule.
struct Violation<'a> {
    rule: &'static str,
    from: &'a str,
    line: u32,
    to: &'a str,
    from_component: String,
    to_component: String,
    boundary: String,
}

/// The rows of [`DepsReport::violations`], already in path order (files and their edges are).
fn violation_frame(rows: &[Violation<'_>]) -> PolarsResult<DataFrame> {
    df!(
        "rule" => rows.iter().map(|r| r.rule).collect::<Vec<_>>(),
        "from" => rows.iter().map(|r| r.from).collect::<Vec<_>>(),
        "line" => rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        "to" => rows.iter().map(|r| r.to).collect::<Vec<_>>(),
        "from_component" => rows.iter().map(|r| r.from_component.as_str()).collect::<Vec<_>>(),
        "to_component" => rows.iter().map(|r| r.to_component.as_str()).collect::<Vec<_>>(),
        "boundary" => rows.iter().map(|r| r.boundary.as_str()).collect::<Vec<_>>(),
    )
}

fn file_frame(
    structure: &Structure,
    fan_in: &BTreeMap<&str, u64>,
    component_of: &dyn Fn(&str) -> String,
) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&str, String, u64, u64, u64, u64)> = structure
        .resolved
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                component_of(&f.path),
                fan_in.get(f.path.as_str()).copied().unwrap_or(0),
                f.edges.len() as u64,
                u64::from(f.external),
                u64::from(f.unresolved),
            )
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(b.3.cmp(&a.3)).then(a.0.cmp(b.0)));
    df!(
        "path" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "component" => rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "fan-in" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "fan-out" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "external" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "unresolved" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
    )
}

fn component_frame(
    structure: &Structure,
    edges: &BTreeMap<(String, String), ComponentEdge>,
    component_of: &dyn Fn(&str) -> String,
) -> PolarsResult<DataFrame> {
    #[derive(Default)]
    struct Row {
        files: u64,
        fan_in: u64,
        fan_out: u64,
        imports_in: u64,
        imports_out: u64,
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for file in &structure.resolved.files {
        rows.entry(component_of(&file.path)).or_default().files += 1;
    }
    for ((from, to), edge) in edges {
        let out = rows.entry(from.clone()).or_default();
        out.fan_out += 1;
        out.imports_out += edge.imports;
        let into = rows.entry(to.clone()).or_default();
        into.fan_in += 1;
        into.imports_in += edge.imports;
    }
    let mut rows: Vec<(String, Row)> = rows.into_iter().collect();
    rows.sort_by(|a, b| {
        (b.1.fan_in, b.1.imports_in)
            .cmp(&(a.1.fan_in, a.1.imports_in))
            .then(a.0.cmp(&b.0))
    });
    df!(
        "component" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.1.files).collect::<Vec<_>>(),
        "fan-in" => rows.iter().map(|r| r.1.fan_in).collect::<Vec<_>>(),
        "fan-out" => rows.iter().map(|r| r.1.fan_out).collect::<Vec<_>>(),
        "imports-in" => rows.iter().map(|r| r.1.imports_in).collect::<Vec<_>>(),
        "imports-out" => rows.iter().map(|r| r.1.imports_out).collect::<Vec<_>>(),
    )
}

/// Component dependencies, most imports first.
/// How the two components of a dependency change together, whichever way it points.
fn co_change_of(
    co_change: &BTreeMap<(String, String), CoChange>,
    (a, b): &(String, String),
) -> CoChange {
    let key = if a < b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    };
    co_change.get(&key).copied().unwrap_or_default()
}

fn edge_frame<'a>(
    edges: impl Iterator<Item = (&'a (String, String), &'a ComponentEdge)>,
    co_change: &BTreeMap<(String, String), CoChange>,
) -> PolarsResult<DataFrame> {
    let mut rows: Vec<_> = edges.collect();
    rows.sort_by(|a, b| b.1.imports.cmp(&a.1.imports).then(a.0.cmp(b.0)));
    let changes: Vec<CoChange> = rows.iter().map(|r| co_change_of(co_change, r.0)).collect();
    df!(
        "from" => rows.iter().map(|r| r.0.0.as_str()).collect::<Vec<_>>(),
        "to" => rows.iter().map(|r| r.0.1.as_str()).collect::<Vec<_>>(),
        "imports" => rows.iter().map(|r| r.1.imports).collect::<Vec<_>>(),
        "test_imports" => rows.iter().map(|r| r.1.test_imports).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.1.files.len() as u64).collect::<Vec<_>>(),
        "co_changes" => changes.iter().map(|c| c.shared).collect::<Vec<_>>(),
        "coupled" => changes.iter().map(|c| c.coupled).collect::<Vec<_>>(),
        "example" => rows.iter().map(|r| r.1.example.clone().unwrap_or_default()).collect::<Vec<_>>(),
    )
}

/// The dependencies inside each strongly connected component of two or more components, over
/// the dependencies that code other than tests makes; cycles numbered from 1, largest first,
/// then by their first component.
fn cycle_frame(all: &BTreeMap<(String, String), ComponentEdge>) -> PolarsResult<DataFrame> {
    let edges: BTreeMap<&(String, String), &ComponentEdge> = all
        .iter()
        .filter(|(_, edge)| edge.imports > edge.test_imports)
        .collect();
    let names: BTreeSet<&str> = edges
        .keys()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    let mut graph = DiGraph::<&str, ()>::new();
    let index: BTreeMap<&str, _> = names.iter().map(|&n| (n, graph.add_node(n))).collect();
    for (from, to) in edges.keys() {
        graph.add_edge(index[from.as_str()], index[to.as_str()], ());
    }
    let mut cycles: Vec<Vec<&str>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let mut names: Vec<&str> = scc.iter().map(|&n| graph[n]).collect();
            names.sort_unstable();
            names
        })
        .collect();
    cycles.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let (mut cycle, mut members, mut inside) = (Vec::new(), Vec::new(), Vec::new());
    for (n, scc) in cycles.iter().enumerate() {
        let set: BTreeSet<&str> = scc.iter().copied().collect();
        for (&key, &edge) in &edges {
            if set.contains(key.0.as_str()) && set.contains(key.1.as_str()) {
                cycle.push(n as u64 + 1);
                members.push(scc.join(", "));
                inside.push((key, edge));
            }
        }
    }
    df!(
        "cycle" => cycle,
        "components" => members,
        "from" => inside.iter().map(|r| r.0.0.as_str()).collect::<Vec<_>>(),
        "to" => inside.iter().map(|r| r.0.1.as_str()).collect::<Vec<_>>(),
        "imports" => inside.iter().map(|r| r.1.imports - r.1.test_imports).collect::<Vec<_>>(),
        "example" => inside.iter().map(|r| r.1.product_example.clone().unwrap_or_default()).collect::<Vec<_>>(),
    )
}
