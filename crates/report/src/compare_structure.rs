//! Comparing the structure of two snapshots: the `check` rules on imports (forbidden imports,
//! dependency cycles, hidden coupling) and tables (newly shared), and `diff`'s new and removed
//! dependencies, cycles and shared tables.

use std::collections::{BTreeMap, BTreeSet};

use cochange_analysis::{CheckRules, StructureRule};

use crate::finding::Finding;
use crate::snapshot::{CycleRow, Snapshot};
use crate::{Cell, Table};

/// The cycles of a snapshot: the set of its components → its dependencies.
fn cycles(snapshot: &Snapshot) -> BTreeMap<&str, Vec<&CycleRow>> {
    let mut cycles: BTreeMap<&str, Vec<&CycleRow>> = BTreeMap::new();
    for row in &snapshot.analyses.dependency_cycles.rows {
        cycles.entry(row.components.as_str()).or_default().push(row);
    }
    cycles
}

/// The dependencies of a snapshot: `(from, to)`.
fn dependencies(snapshot: &Snapshot) -> BTreeSet<(&str, &str)> {
    snapshot
        .analyses
        .dependencies
        .rows
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect()
}

/// What the structure rules find; a finding the baseline has too is known. A finding is the same
/// when its import is the same, whatever its line: an import moved by an edit is not new.
pub(crate) fn findings(
    current: &Snapshot,
    baseline: Option<&Snapshot>,
    rules: &CheckRules,
) -> Vec<Finding> {
    rules
        .structure
        .iter()
        .flat_map(|rule| match rule {
            StructureRule::ForbiddenImport => forbidden_imports(current, baseline),
            StructureRule::DependencyCycle => dependency_cycles(current, baseline),
            StructureRule::HiddenCoupling => hidden_couplings(current, baseline),
            StructureRule::SharedTable => shared_tables(current, baseline),
        })
        .collect()
}

/// `new-forbidden-import`: the imports that break `[boundaries]`.
fn forbidden_imports(current: &Snapshot, baseline: Option<&Snapshot>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let key = |r: &crate::snapshot::ViolationRow| (r.from.clone(), r.to.clone(), r.rule.clone());
    let known: BTreeSet<_> = baseline
        .map(|b| {
            b.analyses
                .boundary_violations
                .rows
                .iter()
                .map(key)
                .collect()
        })
        .unwrap_or_default();
    for row in &current.analyses.boundary_violations.rows {
        let what = if row.rule == "forbidden" {
            "a forbidden dependency"
        } else {
            "a file outside the public paths"
        };
        findings.push(Finding {
            rule: "new-forbidden-import",
            location: row.from.clone(),
            line: Some(row.line),
            message: format!(
                "{}:{} imports {}, {what} (boundary `{}`)",
                row.from, row.line, row.to, row.boundary
            ),
            known: known.contains(&key(row)),
        });
    }
    findings
}

/// `new-dependency-cycle`: each cycle at the dependencies that close it.
fn dependency_cycles(current: &Snapshot, baseline: Option<&Snapshot>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let before = baseline.map(cycles).unwrap_or_default();
    let old_inside: BTreeSet<(&str, &str)> = before
        .values()
        .flatten()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    let old_dependencies = baseline.map(dependencies).unwrap_or_default();
    for (components, inside) in cycles(current) {
        let known = before.contains_key(components);
        // A new cycle is located at the dependencies that close it: those the baseline did
        // not have, else those in no cycle of the baseline, else its first.
        let not_in = |old: &BTreeSet<(&str, &str)>| -> Vec<&CycleRow> {
            inside
                .iter()
                .copied()
                .filter(|r| !old.contains(&(r.from.as_str(), r.to.as_str())))
                .collect()
        };
        let mut located = if known {
            Vec::new()
        } else {
            not_in(&old_dependencies)
        };
        if located.is_empty() && !known {
            located = not_in(&old_inside);
        }
        if located.is_empty() {
            located = inside.iter().copied().take(1).collect();
        }
        for row in located {
            let (file, line) = row.import().unzip();
            findings.push(Finding {
                rule: "new-dependency-cycle",
                location: file.unwrap_or_default().to_owned(),
                line,
                message: format!(
                    "dependency cycle among {components}: {} -> {} through {}",
                    row.from, row.to, row.example
                ),
                known,
            });
        }
    }
    findings
}

/// `new-hidden-coupling`: pairs across components that no import joins.
fn hidden_couplings(current: &Snapshot, baseline: Option<&Snapshot>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let pairs = |s: &Snapshot| -> BTreeSet<(String, String)> {
        s.analyses
            .hidden_coupling
            .rows
            .iter()
            .map(|r| (r.entity.clone(), r.coupled.clone()))
            .collect()
    };
    let known = baseline.map(pairs).unwrap_or_default();
    for row in &current.analyses.hidden_coupling.rows {
        findings.push(Finding {
            rule: "new-hidden-coupling",
            location: row.entity.clone(),
            line: None,
            message: format!(
                "hidden coupling: {} and {} change together at degree {} across components, and neither imports the other",
                row.entity, row.coupled, row.degree
            ),
            known: known.contains(&(row.entity.clone(), row.coupled.clone())),
        });
    }
    findings
}

/// `new-shared-table`: tables used by two components or more, at their declaration.
fn shared_tables(current: &Snapshot, baseline: Option<&Snapshot>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let shared = |s: &Snapshot| -> BTreeSet<String> {
        s.analyses
            .tables
            .rows
            .iter()
            .filter(|r| r.shared)
            .map(|r| r.table.clone())
            .collect()
    };
    let known = baseline.map(shared).unwrap_or_default();
    for row in current.analyses.tables.rows.iter().filter(|r| r.shared) {
        let (file, line) = row.declaration().unzip();
        findings.push(Finding {
            rule: "new-shared-table",
            location: file.unwrap_or_default().to_owned(),
            line,
            message: format!(
                "table {} is used by several components: {}",
                row.table, row.access
            ),
            known: known.contains(&row.table),
        });
    }
    findings
}

/// Dependencies and cycles that are new or gone since `old`, and tables newly shared or no longer
/// shared: `change, kind, item, example`.
pub(crate) fn changes(old: &Snapshot, new: &Snapshot) -> Table {
    let mut rows: Vec<(u8, Vec<Cell>)> = Vec::new();
    let (before, after) = (dependencies(old), dependencies(new));
    let example: BTreeMap<(&str, &str), &str> = new
        .analyses
        .dependencies
        .rows
        .iter()
        .chain(&old.analyses.dependencies.rows)
        .map(|r| ((r.from.as_str(), r.to.as_str()), r.example.as_str()))
        .rev()
        .collect();
    let text = |s: &str| Cell::Text(s.to_owned());
    for (change, order, from, to) in after
        .difference(&before)
        .map(|d| ("new", 0, d))
        .chain(before.difference(&after).map(|d| ("removed", 2, d)))
        .map(|(c, o, (f, t))| (c, o, f, t))
    {
        rows.push((
            order,
            vec![
                text(change),
                text("dependency"),
                text(&format!("{from} -> {to}")),
                text(example.get(&(*from, *to)).copied().unwrap_or_default()),
            ],
        ));
    }
    let (before, after) = (cycles(old), cycles(new));
    for (change, order, components, inside) in after
        .iter()
        .filter(|(c, _)| !before.contains_key(*c))
        .map(|(c, i)| ("new", 1, c, i))
        .chain(
            before
                .iter()
                .filter(|(c, _)| !after.contains_key(*c))
                .map(|(c, i)| ("dissolved", 3, c, i)),
        )
    {
        rows.push((
            order,
            vec![
                text(change),
                text("cycle"),
                text(components),
                text(inside.first().map_or("", |r| r.example.as_str())),
            ],
        ));
    }
    let shared = |s: &Snapshot| -> BTreeMap<String, (bool, String)> {
        s.analyses
            .tables
            .rows
            .iter()
            .map(|r| (r.table.clone(), (r.shared, r.access.clone())))
            .collect()
    };
    let (before, after) = (shared(old), shared(new));
    for (table, (now, access)) in &after {
        let was = before.get(table).is_some_and(|b| b.0);
        let change = match (was, *now) {
            (false, true) => ("new", 1),
            (true, false) => ("no longer shared", 3),
            _ => continue,
        };
        rows.push((
            change.1,
            vec![
                text(change.0),
                text("shared table"),
                text(table),
                text(access),
            ],
        ));
    }
    rows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.iter().map(Cell::text).cmp(b.1.iter().map(Cell::text)))
    });
    Table::new(
        "dependency-changes",
        &["change", "kind", "item", "example"],
        rows.into_iter().map(|r| r.1).collect(),
    )
}
