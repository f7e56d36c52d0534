//! Components as entities (docs/metrics.md, *components*): their coupling, the file pairs behind it, the share of
//! change sets that cross them, cycles and fan-in/fan-out on the component graph (petgraph), and
//! clusters suggested by label propagation on the file co-change graph.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cochange_miner::Tables;
use cochange_miner::col;
use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use polars::prelude::*;

use crate::changesets::change_set_ids;
use crate::components::ComponentRules;
use crate::coupling::{CouplingOptions, coupling, coupling_col, shared_pairs};
use crate::deps::CoChange;
use crate::pair_structure::PairStructure;

/// The tables with each entity replaced by `map(entity)`, called once per distinct entity.
pub fn map_entities(tables: &Tables, map: &dyn Fn(&str) -> String) -> PolarsResult<Tables> {
    let mut changes = tables.changes.clone();
    let mut seen: HashMap<&str, String> = HashMap::new();
    let entities = changes.column(col::ENTITY)?.str()?.clone();
    let mapped: StringChunked = entities
        .iter()
        .map(|e| e.map(|e| seen.entry(e).or_insert_with(|| map(e)).clone()))
        .collect();
    changes.replace(
        col::ENTITY,
        mapped.with_name(col::ENTITY.into()).into_column(),
    )?;
    Ok(Tables {
        commits: tables.commits.clone(),
        changes,
    })
}

/// Everything `components` reports.
#[derive(Debug)]
pub struct ComponentReport {
    /// Per component: `component, source, files, revisions, authors, fan_in, fan_out`.
    pub components: DataFrame,
    /// Component pairs with the coupling measures and `file_pairs`, the strongest file pairs.
    pub coupling: DataFrame,
    /// `cycle, components`: strongly connected sets of components that hold a cycle.
    pub cycles: DataFrame,
    /// `file, cluster, component, crosses`: suggested clusters beside declared components.
    pub clusters: DataFrame,
    /// Change sets touching more than one component, and all change sets.
    pub crossing: (u64, u64),
}

/// Analyses components. `files` are the files of the analysed revision (for the file counts);
/// `options` are the coupling thresholds, used for component pairs, for the directed edges of the
/// component graph (confidence ≥ `min_degree` %) and for the file graph of the clusters.
///
/// With `structure` (the import graph of the revision), the component pairs also get
/// `import_dependency` (`forward` when a file of `entity` imports one of `coupled`, `backward`,
/// `both`, `none`) and, over the file pairs across them that changed together at least
/// `min_shared` times, `declared_pairs` (an import or a path of two between them) and
/// `hidden_pairs` (neither); file pairs whose imports are not known count in neither, and the
/// three are empty when either component has no file whose imports were read.
pub fn components(
    tables: &Tables,
    files: &[String],
    rules: &ComponentRules,
    options: &CouplingOptions,
    structure: Option<&PairStructure>,
) -> PolarsResult<ComponentReport> {
    let component = |path: &str| rules.component_of(path).0;
    let mapped = map_entities(tables, &component)?;
    let everything = CouplingOptions {
        min_revs: 0,
        min_shared: options.min_shared,
        min_degree: 0,
        max_degree: 100,
        ..options.clone()
    };
    let all_pairs = coupling(&mapped, &everything)?;
    // Every pair of components crosses components: the file-pair class says nothing here.
    let pairs = coupling(&mapped, options)?.drop(coupling_col::CLASS)?;
    let file_pairs = file_pairs_by_component(tables, rules, options)?;
    let mut pairs = with_file_pairs(pairs, &file_pairs)?;
    if let Some(structure) = structure {
        pairs = with_structure(pairs, &file_pairs, structure, rules, options)?;
    }
    let (fan, cycles) = graph(&all_pairs, options)?;
    let summary = summary(&mapped, files, rules, &fan)?;
    let crossing = crossing(&mapped, &options.grouping)?;
    let clusters = clusters(tables, rules, options)?;
    Ok(ComponentReport {
        components: summary,
        coupling: pairs,
        cycles,
        clusters,
        crossing,
    })
}

fn strs<'a>(frame: &'a DataFrame, name: &str) -> PolarsResult<Vec<&'a str>> {
    Ok(frame
        .column(name)?
        .str()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

fn u64s(frame: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    Ok(frame
        .column(name)?
        .u64()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// File pairs (first, second, shared change sets) per pair of components.
type FilePairs = BTreeMap<(String, String), Vec<(String, String, u64)>>;

/// For each pair of different components, the file pairs across it by shared change sets
/// (descending, then names).
fn file_pairs_by_component(
    tables: &Tables,
    rules: &ComponentRules,
    options: &CouplingOptions,
) -> PolarsResult<FilePairs> {
    let all = shared_pairs(tables, options)?;
    let a = strs(&all, coupling_col::ENTITY)?;
    let b = strs(&all, coupling_col::COUPLED)?;
    let shared = u64s(&all, coupling_col::SHARED)?;
    let mut out = FilePairs::new();
    for ((a, b), s) in a.iter().zip(&b).zip(&shared) {
        let (ca, cb) = (rules.component_of(a).0, rules.component_of(b).0);
        if ca == cb {
            continue;
        }
        let (key, pair) = if ca < cb {
            ((ca, cb), ((*a).to_owned(), (*b).to_owned(), *s))
        } else {
            ((cb, ca), ((*b).to_owned(), (*a).to_owned(), *s))
        };
        out.entry(key).or_default().push(pair);
    }
    for list in out.values_mut() {
        list.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    }
    Ok(out)
}

/// The component pairs with a `file_pairs` column: the three strongest file pairs across them.
fn with_file_pairs(mut pairs: DataFrame, file_pairs: &FilePairs) -> PolarsResult<DataFrame> {
    let a = strs(&pairs, coupling_col::ENTITY)?;
    let b = strs(&pairs, coupling_col::COUPLED)?;
    let text: Vec<String> = a
        .iter()
        .zip(&b)
        .map(|(a, b)| {
            file_pairs
                .get(&((*a).to_owned(), (*b).to_owned()))
                .map(|list| {
                    list.iter()
                        .take(3)
                        .map(|(x, y, s)| format!("{x} + {y} ({s})"))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default()
        })
        .collect();
    pairs.with_column(Column::new("file_pairs".into(), text))?;
    Ok(pairs)
}

/// The component pairs with `import_dependency`, `declared_pairs` and `hidden_pairs` (see
/// [`components`]).
fn with_structure(
    mut pairs: DataFrame,
    file_pairs: &FilePairs,
    structure: &PairStructure,
    rules: &ComponentRules,
    options: &CouplingOptions,
) -> PolarsResult<DataFrame> {
    let depends: BTreeSet<(String, String)> = structure
        .edges()
        .map(|(a, b)| (rules.component_of(a).0, rules.component_of(b).0))
        .filter(|(a, b)| a != b)
        .collect();
    // Components with no file whose imports were read say nothing about imports.
    let known: BTreeSet<String> = structure.files().map(|f| rules.component_of(f).0).collect();
    let a = strs(&pairs, coupling_col::ENTITY)?;
    let b = strs(&pairs, coupling_col::COUPLED)?;
    let (mut dependency, mut declared, mut hidden) = (Vec::new(), Vec::new(), Vec::new());
    for (a, b) in a.iter().zip(&b) {
        if !known.contains(*a) || !known.contains(*b) {
            dependency.push(None);
            declared.push(None);
            hidden.push(None);
            continue;
        }
        let key = |x: &str, y: &str| depends.contains(&(x.to_owned(), y.to_owned()));
        dependency.push(Some(match (key(a, b), key(b, a)) {
            (true, true) => "both",
            (true, false) => "forward",
            (false, true) => "backward",
            (false, false) => "none",
        }));
        let ordered = if a < b { (*a, *b) } else { (*b, *a) };
        let (mut yes, mut no) = (0_u64, 0_u64);
        for (x, y, _) in file_pairs
            .get(&(ordered.0.to_owned(), ordered.1.to_owned()))
            .into_iter()
            .flatten()
            .filter(|p| p.2 >= u64::from(options.min_shared))
        {
            match structure.of(x, y) {
                Some("none") => no += 1,
                Some(_) => yes += 1,
                None => {}
            }
        }
        declared.push(Some(yes));
        hidden.push(Some(no));
    }
    pairs.with_column(Column::new("import_dependency".into(), dependency))?;
    pairs.with_column(Column::new("declared_pairs".into(), declared))?;
    pairs.with_column(Column::new("hidden_pairs".into(), hidden))?;
    Ok(pairs)
}

/// Per pair of components (the two names in order), how they change together.
pub fn component_co_change(
    tables: &Tables,
    rules: &ComponentRules,
    options: &CouplingOptions,
) -> PolarsResult<BTreeMap<(String, String), CoChange>> {
    let mapped = map_entities(tables, &|path| rules.component_of(path).0)?;
    let pairs = |frame: &DataFrame| -> PolarsResult<Vec<((String, String), u64)>> {
        let a = strs(frame, coupling_col::ENTITY)?;
        let b = strs(frame, coupling_col::COUPLED)?;
        let shared = u64s(frame, coupling_col::SHARED)?;
        Ok(a.iter()
            .zip(&b)
            .zip(shared)
            .map(|((a, b), s)| {
                let key = if a < b { (*a, *b) } else { (*b, *a) };
                ((key.0.to_owned(), key.1.to_owned()), s)
            })
            .collect())
    };
    let mut out: BTreeMap<(String, String), CoChange> = pairs(&shared_pairs(&mapped, options)?)?
        .into_iter()
        .map(|(key, shared)| {
            (
                key,
                CoChange {
                    shared,
                    coupled: false,
                },
            )
        })
        .collect();
    for (key, _) in pairs(&coupling(&mapped, options)?)? {
        out.entry(key).or_default().coupled = true;
    }
    Ok(out)
}

/// Fan-in and fan-out per component, and the cycles, on the directed graph with an edge A → B
/// when `shared / revs(A)` (how often B changes when A does) is at least `min_degree` %.
#[expect(clippy::type_complexity, reason = "two results of one pass")]
fn graph(
    pairs: &DataFrame,
    options: &CouplingOptions,
) -> PolarsResult<(BTreeMap<String, (u64, u64)>, DataFrame)> {
    let a = strs(pairs, coupling_col::ENTITY)?;
    let b = strs(pairs, coupling_col::COUPLED)?;
    let shared = u64s(pairs, coupling_col::SHARED)?;
    let revs_a = u64s(pairs, coupling_col::REVS_A)?;
    let revs_b = u64s(pairs, coupling_col::REVS_B)?;
    let names: BTreeSet<&str> = a.iter().chain(&b).copied().collect();
    let mut graph = DiGraph::<&str, ()>::new();
    let index: HashMap<&str, _> = names.iter().map(|&n| (n, graph.add_node(n))).collect();
    let threshold = u64::from(options.min_degree);
    let mut fan: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut edge = |from: &str, to: &str| {
        graph.add_edge(index[from], index[to], ());
        fan.entry(from.to_owned()).or_default().1 += 1;
        fan.entry(to.to_owned()).or_default().0 += 1;
    };
    for i in 0..a.len() {
        if shared[i] < u64::from(options.min_shared.max(1)) {
            continue;
        }
        if 100 * shared[i] >= threshold * revs_a[i] {
            edge(a[i], b[i]);
        }
        if 100 * shared[i] >= threshold * revs_b[i] {
            edge(b[i], a[i]);
        }
    }
    // A strongly connected set is reported as a cycle when it holds one in the undirected sense
    // (more undirected edges than a tree has), so that a mutual pair or a chain of mutual pairs
    // is not called a cycle.
    let mut cycles: Vec<Vec<&str>> = Vec::new();
    for scc in tarjan_scc(&graph) {
        if scc.len() < 3 {
            continue;
        }
        let members: BTreeSet<_> = scc.iter().copied().collect();
        let undirected: BTreeSet<(usize, usize)> = graph
            .edge_indices()
            .filter_map(|e| graph.edge_endpoints(e))
            .filter(|(x, y)| members.contains(x) && members.contains(y))
            .map(|(x, y)| (x.index().min(y.index()), x.index().max(y.index())))
            .collect();
        if undirected.len() >= scc.len() {
            let mut names: Vec<&str> = scc.iter().map(|&n| graph[n]).collect();
            names.sort_unstable();
            cycles.push(names);
        }
    }
    cycles.sort();
    let cycles = df!(
        "cycle" => (1..=cycles.len() as u64).collect::<Vec<_>>(),
        "size" => cycles.iter().map(|c| c.len() as u64).collect::<Vec<_>>(),
        "components" => cycles.iter().map(|c| c.join(", ")).collect::<Vec<_>>(),
    )?;
    Ok((fan, cycles))
}

fn summary(
    mapped: &Tables,
    files: &[String],
    rules: &ComponentRules,
    fan: &BTreeMap<String, (u64, u64)>,
) -> PolarsResult<DataFrame> {
    let mut per: BTreeMap<String, (BTreeSet<String>, u64, u64, u64)> = BTreeMap::new();
    for file in files {
        let (name, source) = rules.component_of(file);
        let slot = per.entry(name).or_default();
        slot.0.insert(source.to_string());
        slot.1 += 1;
    }
    let revisions = crate::revisions(mapped, &crate::Grouping::Commit)?;
    for (name, revs) in strs(&revisions, col::ENTITY)?
        .into_iter()
        .zip(u64s(&revisions, "n-revs")?)
    {
        per.entry(name.to_owned()).or_default().2 = revs;
    }
    let authors = crate::authors(mapped)?;
    for (name, n) in strs(&authors, col::ENTITY)?
        .into_iter()
        .zip(u64s(&authors, "n-authors")?)
    {
        per.entry(name.to_owned()).or_default().3 = n;
    }
    let mut rows: Vec<_> = per.into_iter().collect();
    rows.sort_by(|x, y| y.1.2.cmp(&x.1.2).then(x.0.cmp(&y.0)));
    let fan_of = |name: &str| fan.get(name).copied().unwrap_or_default();
    df!(
        "component" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "source" => rows.iter().map(|r| source_label(&r.1.0)).collect::<Vec<_>>(),
        "files" => rows.iter().map(|r| r.1.1).collect::<Vec<_>>(),
        "revisions" => rows.iter().map(|r| r.1.2).collect::<Vec<_>>(),
        "authors" => rows.iter().map(|r| r.1.3).collect::<Vec<_>>(),
        "fan_in" => rows.iter().map(|r| fan_of(&r.0).0).collect::<Vec<_>>(),
        "fan_out" => rows.iter().map(|r| fan_of(&r.0).1).collect::<Vec<_>>(),
    )
}

/// The mapping sources of a component's files, or `gone` when no file of the analysed revision
/// maps to it (a component only the history knows, such as a deleted crate).
fn source_label(sources: &BTreeSet<String>) -> String {
    if sources.is_empty() {
        "gone".to_owned()
    } else {
        sources.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Change sets that touch more than one entity of `mapped` (tables whose entities are
/// components), and all change sets.
pub fn crossing(mapped: &Tables, grouping: &crate::Grouping) -> PolarsResult<(u64, u64)> {
    let ids = change_set_ids(mapped, grouping)?;
    let entities = strs(&mapped.changes, col::ENTITY)?;
    let mut sets: HashMap<u32, BTreeSet<&str>> = HashMap::new();
    for (id, entity) in ids.iter().zip(entities) {
        if let Some(id) = id {
            sets.entry(id).or_default().insert(entity);
        }
    }
    let crossing = sets.values().filter(|s| s.len() > 1).count() as u64;
    Ok((crossing, sets.len() as u64))
}

/// Label propagation on the file graph of coupled pairs (edges weighted by degree): each file
/// starts in its own cluster and, visiting files in name order, takes the cluster with the most
/// weight among its neighbours (ties: the smallest name), until nothing changes (at most 100
/// rounds). A cluster is named after its first member. Lists files of clusters with at least
/// two members, with their declared component and whether the cluster spans several.
fn clusters(
    tables: &Tables,
    rules: &ComponentRules,
    options: &CouplingOptions,
) -> PolarsResult<DataFrame> {
    let pairs = coupling(tables, options)?;
    let a = strs(&pairs, coupling_col::ENTITY)?;
    let b = strs(&pairs, coupling_col::COUPLED)?;
    let degree = u64s(&pairs, coupling_col::DEGREE)?;
    let mut neighbours: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
    for i in 0..a.len() {
        neighbours.entry(a[i]).or_default().push((b[i], degree[i]));
        neighbours.entry(b[i]).or_default().push((a[i], degree[i]));
    }
    let mut label: BTreeMap<&str, &str> = neighbours.keys().map(|&n| (n, n)).collect();
    for _ in 0..100 {
        let mut changed = false;
        for (&node, list) in &neighbours {
            let mut weight: BTreeMap<&str, u64> = BTreeMap::new();
            for &(other, w) in list {
                *weight.entry(label[other]).or_default() += w;
            }
            let best = weight
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                .map(|(&l, _)| l);
            if let Some(best) = best
                && best != label[node]
            {
                label.insert(node, best);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut members: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (&node, &l) in &label {
        members.entry(l).or_default().push(node);
    }
    let mut rows: Vec<(String, String, String, bool)> = Vec::new();
    for list in members.values().filter(|m| m.len() > 1) {
        let name = list[0];
        let components: BTreeSet<String> = list.iter().map(|f| rules.component_of(f).0).collect();
        for file in list {
            rows.push((
                (*file).to_owned(),
                name.to_owned(),
                rules.component_of(file).0,
                components.len() > 1,
            ));
        }
    }
    rows.sort_by(|x, y| x.1.cmp(&y.1).then(x.0.cmp(&y.0)));
    df!(
        "file" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "cluster" => rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "component" => rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        "crosses_components" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
}
