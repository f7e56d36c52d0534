//! Comparing the structure of two snapshots: the `check` rules on imports (forbidden imports,
//! dependency cycles, hidden coupling) and `diff`'s new and removed dependencies and cycles.

use std::collections::{BTreeMap, BTreeSet};

use cochange_analysis::CheckRules;

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
    let mut findings = Vec::new();
    if rules.new_forbidden_import {
        let key =
            |r: &crate::snapshot::ViolationRow| (r.from.clone(), r.to.clone(), r.rule.clone());
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
    }
    if rules.new_dependency_cycle {
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
    }
    if rules.new_hidden_coupling {
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
    }
    findings
}

/// Dependencies and cycles that are new or gone since `old`: `change, kind, item, example`.
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
