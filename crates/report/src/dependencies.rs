//! The report's sections on the code's structure beside its history: hidden coupling, the
//! component dependencies with their chart, their cycles, and the imports that break
//! `[boundaries]` (docs/structure.md), and the database tables (docs/tables.md).

use std::collections::{BTreeSet, HashMap};

use cochange_analysis::{CouplingOptions, Measured, PairClass, Settings, Structure, coupling_col};
use polars::prelude::*;

use crate::BuildError;
use crate::charts::GRAPH_FOLDERS;
use crate::report::shown;
use crate::{CoChangeEdge, ImportEdge, Node, Section, Table};

/// How the components changed together in the window: their revisions (`entity`, `n-revs`,
/// most first) and their coupled pairs (a coupling table).
pub(crate) struct ComponentChange<'a> {
    pub revisions: &'a DataFrame,
    pub pairs: &'a DataFrame,
}

/// The structure sections, or none when no file's imports were read. `coupling` is the report's
/// coupling table with its `structure` column.
pub(crate) fn sections(
    structure: &Structure,
    measured: &Measured,
    settings: &Settings,
    configured: &CouplingOptions,
    coupling: &DataFrame,
    components: &ComponentChange<'_>,
    window: &str,
) -> Result<Vec<Section>, BuildError> {
    if structure.resolved.files.is_empty() {
        return Ok(Vec::new());
    }
    let rules = &configured.components;
    let co_change = cochange_analysis::component_co_change(&measured.windowed, rules, configured)?;
    let report = cochange_analysis::deps(
        structure,
        &|path| rules.component_of(path).0,
        &co_change,
        &settings.boundaries,
        &settings.tests,
    )?;
    let read = structure.summary();
    let mut sections = vec![
        Section {
            id: "hidden-coupling".into(),
            title: "Hidden coupling".into(),
            text: format!(
                "Pairs of the coupling table in different components where neither file imports the other, directly or through one file in between: they change together for a reason the code does not declare (a shared format, a copied rule, a protocol). Imports at the analysed revision: {read}."
            ),
            table: Table::from_frame("hidden-coupling", &hidden(coupling)?)?,
            charts: Vec::new(),
            highlight: None,
            shown: shown(&[
                "entity", "coupled", "degree", "shared", "revs_a", "revs_b", "lift", "p_value",
            ]),
        },
        Section {
            id: "dependencies".into(),
            title: "Component dependencies".into(),
            text: format!(
                "Which component imports which at the analysed revision, with the number of file imports, the change sets of the window that touched both, and whether the two pass the coupling thresholds; `example` is the first import behind it. The chart joins each dependency (solid) with the co-change of the window (dashed): red dependencies lie in a cycle, purple co-change has no import either way (components none of whose files have imports read are never purple). Imports at the analysed revision: {read}."
            ),
            table: Table::from_frame("dependencies", &report.edges)?,
            charts: vec![(
                "dependencies.svg".into(),
                chart(&report.edges, &report.cycles, &report.components, components, window)?,
            )],
            highlight: None,
            shown: Vec::new(),
        },
        Section {
            id: "dependency-cycles".into(),
            title: "Dependency cycles".into(),
            text: "Groups of components that depend on each other in a circle (strongly connected components of the dependency graph), with each dependency inside the group and the import behind it: the imports to cut to break the cycle.".into(),
            table: Table::from_frame("dependency-cycles", &report.cycles)?,
            charts: Vec::new(),
            highlight: None,
            shown: Vec::new(),
        },
    ];
    let boundaries = &settings.boundaries;
    if !boundaries.forbidden.is_empty() || !boundaries.public.is_empty() {
        sections.push(Section {
            id: "boundary-violations".into(),
            title: "Boundary violations".into(),
            text: "Imports that break a rule of `[boundaries]` in the config: a forbidden component dependency, or a file imported from outside a component's public paths.".into(),
            table: Table::from_frame("boundary-violations", &report.violations)?,
            charts: Vec::new(),
            highlight: None,
            shown: Vec::new(),
        });
    }
    Ok(sections)
}

/// The database tables with the components that use them, shared ones highlighted; none when
/// the revision declares no table.
pub(crate) fn tables_section(
    tables: &cochange_analysis::TablesReport,
) -> Result<Option<Section>, BuildError> {
    if tables.tables.height() == 0 {
        return Ok(None);
    }
    Ok(Some(Section {
        id: "tables".into(),
        title: "Database tables".into(),
        text: "The tables the analysed revision declares (SQL, Rails, Django, SQLAlchemy and Alembic, Prisma, JPA), the components whose code reads or writes each (SQL text, ORM models and the files importing them), and the migrations that changed each over the history with the components changed in the same commits. A table used by two components or more is shared: highlighted, first.".into(),
        table: Table::from_frame("tables", &tables.tables)?,
        charts: Vec::new(),
        highlight: Some(("shared".into(), "true".into())),
        shown: Vec::new(),
    }))
}

/// The pairs of `coupling` across components that no import joins.
fn hidden(coupling: &DataFrame) -> PolarsResult<DataFrame> {
    let class = coupling.column(coupling_col::CLASS)?.str()?;
    let structure = coupling.column(cochange_analysis::STRUCTURE)?.str()?;
    let mask: BooleanChunked = class
        .iter()
        .zip(structure.iter())
        .map(|(class, structure)| {
            Some(class == Some(PairClass::CrossComponent.as_str()) && structure == Some("none"))
        })
        .collect();
    coupling.filter(&mask)
}

/// The dependency chart: the components of the dependencies and of the co-change pairs, most
/// revisions first, at most [`GRAPH_FOLDERS`].
fn chart(
    edges: &DataFrame,
    cycles: &DataFrame,
    read: &DataFrame,
    components: &ComponentChange<'_>,
    window: &str,
) -> Result<String, BuildError> {
    let pair = |frame: &DataFrame, a: &str, b: &str| -> PolarsResult<Vec<(String, String)>> {
        let a = frame.column(a)?.str()?;
        let b = frame.column(b)?.str()?;
        Ok(a.iter()
            .zip(b.iter())
            .filter_map(|(a, b)| Some((a?.to_owned(), b?.to_owned())))
            .collect())
    };
    let imports = pair(edges, "from", "to")?;
    let in_cycle: BTreeSet<(String, String)> = pair(cycles, "from", "to")?.into_iter().collect();
    let co_changes = pair(
        components.pairs,
        coupling_col::ENTITY,
        coupling_col::COUPLED,
    )?;
    let degrees = components.pairs.column(coupling_col::DEGREE)?.u64()?;
    // A component none of whose files had imports read cannot be said to lack an import.
    let with_imports: BTreeSet<&str> = {
        let names = read.column("component")?.str()?;
        let files = read.column("files")?.u64()?;
        names
            .iter()
            .zip(files.iter())
            .filter_map(|(n, f)| (f? > 0).then_some(n?))
            .collect()
    };
    let involved: BTreeSet<&str> = imports
        .iter()
        .chain(&co_changes)
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    let names = components.revisions.column("entity")?.str()?;
    let counts = components.revisions.column("n-revs")?.u64()?;
    let mut nodes: Vec<Node> = names
        .iter()
        .zip(counts.iter())
        .filter_map(|(n, r)| {
            let n = n?;
            involved.contains(n).then(|| Node {
                name: n.to_owned(),
                revisions: r.unwrap_or(0) as f64,
            })
        })
        .collect();
    let listed: BTreeSet<String> = nodes.iter().map(|n| n.name.clone()).collect();
    nodes.extend(
        involved
            .iter()
            .filter(|n| !listed.contains(**n))
            .map(|n| Node {
                name: (*n).to_owned(),
                revisions: 0.0,
            }),
    );
    nodes.truncate(GRAPH_FOLDERS);
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let declared: BTreeSet<(&str, &str)> = imports
        .iter()
        .flat_map(|(a, b)| [(a.as_str(), b.as_str()), (b.as_str(), a.as_str())])
        .collect();
    let import_edges: Vec<ImportEdge> = imports
        .iter()
        .filter_map(|(a, b)| {
            Some(ImportEdge {
                from: *index.get(a.as_str())?,
                to: *index.get(b.as_str())?,
                in_cycle: in_cycle.contains(&(a.clone(), b.clone())),
            })
        })
        .collect();
    let co_change_edges: Vec<CoChangeEdge> = co_changes
        .iter()
        .zip(degrees.iter())
        .filter_map(|((a, b), degree)| {
            let (a, b) = (a.as_str(), b.as_str());
            Some(CoChangeEdge {
                a: *index.get(a)?,
                b: *index.get(b)?,
                degree: degree? as u32,
                hidden: with_imports.contains(a)
                    && with_imports.contains(b)
                    && !declared.contains(&(a, b)),
            })
        })
        .collect();
    Ok(crate::dependency_graph(
        &nodes,
        &import_edges,
        &co_change_edges,
        window,
    )?)
}
