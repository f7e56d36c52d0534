//! Comparing two report snapshots: `diff` lists what changed, `check` applies the rules of the CI
//! gate and reports only what is new (a ratchet).

use std::collections::{BTreeMap, BTreeSet};

use cochange_analysis::{CheckRules, PairClass};
use serde_json::Value;

pub use crate::finding::Finding;
use crate::snapshot::Snapshot;
use crate::table::format_float;
use crate::{Cell, Table};

fn opt_int(v: Option<u64>) -> Cell {
    v.map_or(Cell::Null, |v| Cell::Int(v as i64))
}

/// `(entity, coupled) -> (degree, class)`.
fn couplings(snapshot: &Snapshot) -> BTreeMap<(String, String), (u64, PairClass)> {
    snapshot
        .analyses
        .coupling
        .rows
        .iter()
        .map(|r| ((r.entity.clone(), r.coupled.clone()), (r.degree, r.class)))
        .collect()
}

/// `entity -> rank` for the first `top` hotspots.
fn top_hotspots(snapshot: &Snapshot, top: usize) -> BTreeMap<String, u64> {
    snapshot
        .analyses
        .hotspots
        .rows
        .iter()
        .filter(|r| r.revisions > 0)
        .take(top)
        .map(|r| (r.entity.clone(), r.rank))
        .collect()
}

/// `file:function -> rank` for the first `top` function hotspots.
fn top_functions(snapshot: &Snapshot, top: usize) -> BTreeMap<String, u64> {
    snapshot
        .analyses
        .function_hotspots
        .rows
        .iter()
        .take(top)
        .map(|r| {
            (
                cochange_analysis::function_entity(&r.file, &r.function),
                r.rank,
            )
        })
        .collect()
}

/// Files whose main developer is inactive and holds at least half of them, from the backlog, with
/// the date from which the developer counts as inactive.
fn knowledge_risks(snapshot: &Snapshot) -> BTreeMap<String, (String, f64, Option<String>)> {
    snapshot
        .analyses
        .backlog
        .rows
        .iter()
        .filter(|r| {
            r.knowledge_risk
                .unwrap_or(r.main_dev_inactive == Some(true))
        })
        .map(|r| {
            (
                r.entity.clone(),
                (
                    r.main_dev.clone().unwrap_or_default(),
                    r.main_dev_share.unwrap_or(0.0),
                    r.main_dev_inactive_from.clone(),
                ),
            )
        })
        .collect()
}

/// Settings that change the numbers, so that two snapshots made with different values of one do
/// not compare like with like. The window, the as-of date, the revision, the cache and the
/// threads are meant to differ; repository paths and the config's path differ between machines.
const COMPARED_SETTINGS: [&str; 7] = [
    "first parent only",
    "renames",
    "line counts",
    "paths included",
    "paths excluded",
    "authors",
    "change sets",
];

/// Why two snapshots may not compare like with like: another repository, or a setting that
/// changes the numbers; empty when they do.
pub fn incomparable(old: &Snapshot, new: &Snapshot) -> Vec<String> {
    let mut reasons = Vec::new();
    let repository = |s: &Snapshot| s.header.other.get("repository").cloned();
    if let (Some(a), Some(b)) = (repository(old), repository(new))
        && a != b
    {
        reasons.push(format!(
            "they are of different repositories (`{a}` and `{b}`)"
        ));
    }
    for key in COMPARED_SETTINGS {
        let (a, b) = (old.settings.get(key), new.settings.get(key));
        if let (Some(a), Some(b)) = (a, b)
            && a != b
        {
            reasons.push(format!("their setting `{key}` differs (`{a}` and `{b}`)"));
        }
    }
    reasons
}

/// The differences between two snapshots: couplings (new, grown, shrunk, dissolved), the first
/// `top` hotspots and function hotspots (entered, left, moved), new knowledge risks, and the
/// trend metrics of each snapshot's last period, and the component dependencies and cycles that
/// are new or gone.
pub fn diff(old: &Snapshot, new: &Snapshot, top: usize) -> Vec<Table> {
    vec![
        coupling_changes(old, new),
        rank_changes(
            "hotspot-changes",
            &top_hotspots(old, top),
            &top_hotspots(new, top),
        ),
        rank_changes(
            "function-hotspot-changes",
            &top_functions(old, top),
            &top_functions(new, top),
        ),
        knowledge_changes(old, new),
        knowledge_loss_changes(old, new),
        crate::compare_structure::changes(old, new),
        trend_changes(old, new),
    ]
}

/// Knowledge loss per component.
fn knowledge_loss(snapshot: &Snapshot) -> BTreeMap<&str, f64> {
    snapshot
        .analyses
        .knowledge
        .rows
        .iter()
        .map(|r| (r.component.as_str(), r.knowledge_loss))
        .collect()
}

/// Components whose knowledge loss changed, most grown first.
fn knowledge_loss_changes(old: &Snapshot, new: &Snapshot) -> Table {
    let (before, after) = (knowledge_loss(old), knowledge_loss(new));
    let mut rows: Vec<(f64, &str, Option<f64>, Option<f64>)> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|c| {
            let (b, a) = (before.get(c).copied(), after.get(c).copied());
            let change = a.unwrap_or(0.0) - b.unwrap_or(0.0);
            (change != 0.0).then_some((change, *c, b, a))
        })
        .collect();
    rows.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    let float = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
    Table::new(
        "knowledge-loss-changes",
        &[
            "component",
            "knowledge_loss_before",
            "knowledge_loss_after",
            "change_points",
        ],
        rows.into_iter()
            .map(|(change, c, b, a)| {
                vec![
                    Cell::Text(c.to_owned()),
                    float(b),
                    float(a),
                    Cell::Float(change * 100.0),
                ]
            })
            .collect(),
    )
}

fn coupling_changes(old: &Snapshot, new: &Snapshot) -> Table {
    let (before, after) = (couplings(old), couplings(new));
    let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    let mut coupling_rows: Vec<(usize, i64, Vec<Cell>)> = Vec::new();
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        let (kind, order) = match (b, a) {
            (None, Some(_)) => ("new", 0),
            (Some((x, _)), Some((y, _))) if y > x => ("grown", 1),
            (Some((x, _)), Some((y, _))) if y < x => ("shrunk", 2),
            (Some(_), None) => ("dissolved", 3),
            _ => continue,
        };
        let delta = a.map_or(0, |v| v.0 as i64) - b.map_or(0, |v| v.0 as i64);
        let class = a.or(b).map(|v| v.1.to_string()).unwrap_or_default();
        coupling_rows.push((
            order,
            -delta.abs(),
            vec![
                Cell::Text(kind.into()),
                Cell::Text(key.0.clone()),
                Cell::Text(key.1.clone()),
                Cell::Text(class),
                opt_int(b.map(|v| v.0)),
                opt_int(a.map(|v| v.0)),
            ],
        ));
    }
    coupling_rows.sort_by(|x, y| {
        (x.0, x.1)
            .cmp(&(y.0, y.1))
            .then(x.2.iter().map(Cell::text).cmp(y.2.iter().map(Cell::text)))
    });
    Table::new(
        "coupling-changes",
        &[
            "change",
            "entity",
            "coupled",
            "class",
            "degree_before",
            "degree_after",
        ],
        coupling_rows.into_iter().map(|r| r.2).collect(),
    )
}

/// What entered, left or moved in a top list, from `entity -> rank` before and after.
fn rank_changes(
    name: &str,
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> Table {
    let mut hotspot_rows: Vec<(usize, u64, Vec<Cell>)> = Vec::new();
    for entity in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
        let (b, a) = (before.get(entity).copied(), after.get(entity).copied());
        let (kind, order) = match (b, a) {
            (None, Some(_)) => ("entered", 0),
            (Some(_), None) => ("left", 2),
            (Some(x), Some(y)) if x != y => ("moved", 1),
            _ => continue,
        };
        hotspot_rows.push((
            order,
            a.or(b).unwrap_or(0),
            vec![
                Cell::Text(kind.into()),
                Cell::Text(entity.clone()),
                opt_int(b),
                opt_int(a),
            ],
        ));
    }
    hotspot_rows.sort_by_key(|x| (x.0, x.1));
    Table::new(
        name,
        &["change", "entity", "rank_before", "rank_after"],
        hotspot_rows.into_iter().map(|r| r.2).collect(),
    )
}

/// Knowledge risks that appeared since the baseline: not a risk there, and an owner who became
/// inactive after the baseline's date (an owner inactive already then is not news, even when the
/// file was not in the baseline's backlog).
fn knowledge_changes(old: &Snapshot, new: &Snapshot) -> Table {
    let known = knowledge_risks(old);
    let baseline = &old.header.as_of;
    Table::new(
        "new-knowledge-risks",
        &["entity", "main_dev", "main_dev_share"],
        knowledge_risks(new)
            .into_iter()
            .filter(|(entity, (_, _, since))| {
                !known.contains_key(entity) && since.as_ref().is_none_or(|s| s > baseline)
            })
            .map(|(entity, (dev, share, _))| {
                vec![Cell::Text(entity), Cell::Text(dev), Cell::Float(share)]
            })
            .collect(),
    )
}

fn trend_changes(old: &Snapshot, new: &Snapshot) -> Table {
    // The newest period's row (tables may be newest first), its period among the metrics.
    let last = |s: &Snapshot| {
        s.analyses
            .trends
            .rows
            .iter()
            .max_by(|a, b| a.period.cmp(&b.period))
            .map(|row| {
                let mut all = row.metrics.clone();
                all.insert("period".into(), Value::String(row.period.clone()));
                all
            })
    };
    let mut trend_rows = Vec::new();
    if let (Some(before), Some(after)) = (last(old), last(new)) {
        let cell = |v: &Value| match v {
            Value::Number(n) if n.is_u64() => Cell::Int(n.as_u64().unwrap_or(0) as i64),
            Value::Number(n) => Cell::Float(n.as_f64().unwrap_or(0.0)),
            Value::Null => Cell::Null,
            Value::String(text) => Cell::Text(text.clone()),
            other => Cell::Text(other.to_string()),
        };
        for (metric, after) in &after {
            let before = before.get(metric).unwrap_or(&Value::Null);
            let change = match (before.as_f64(), after.as_f64()) {
                (Some(x), Some(y)) => Cell::Float(y - x),
                _ => Cell::Null,
            };
            trend_rows.push(vec![
                Cell::Text(metric.clone()),
                cell(before),
                cell(after),
                change,
            ]);
        }
    }
    // The window's lead time for changes (docs/delivery.md), when either side has releases.
    let (before, after) = (
        old.metrics.lead_time_median_s,
        new.metrics.lead_time_median_s,
    );
    if before.is_some() || after.is_some() {
        let value = |v: Option<f64>| v.map_or(Cell::Null, Cell::Float);
        trend_rows.push(vec![
            Cell::Text("lead_time_median_s (window)".into()),
            value(before),
            value(after),
            before
                .zip(after)
                .map_or(Cell::Null, |(x, y)| Cell::Float(y - x)),
        ]);
    }
    Table::new(
        "trend-changes",
        &["metric", "before", "after", "change"],
        trend_rows,
    )
}

/// Applies `rules` to `current`, against `baseline` for the ratchet rules; the absolute rules'
/// findings that the baseline has too are marked known.
pub fn check(current: &Snapshot, baseline: Option<&Snapshot>, rules: &CheckRules) -> Vec<Finding> {
    let mut findings = ratchet_findings(current, baseline, rules);
    findings.extend(absolute_findings(current, baseline, rules));
    findings.extend(crate::compare_structure::findings(current, baseline, rules));
    findings
}

/// What the ratchet rules find: what is new since the baseline (nothing without one).
fn ratchet_findings(
    current: &Snapshot,
    baseline: Option<&Snapshot>,
    rules: &CheckRules,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let pairs = couplings(current);
    if let (Some(limit), Some(baseline)) = (rules.new_cross_component_degree, baseline) {
        let old = couplings(baseline);
        for ((a, b), (degree, class)) in &pairs {
            let before = old.get(&(a.clone(), b.clone())).map_or(0, |v| v.0);
            if *class == PairClass::CrossComponent && *degree >= limit && before < limit {
                findings.push(Finding {
                    rule: "new-cross-component-degree",
                    line: None,
                    location: a.clone(),
                    message: format!(
                        "new cross-component coupling: {a} and {b} at degree {degree} (baseline: {}; limit {limit})",
                        if before == 0 { "not coupled".to_owned() } else { before.to_string() }
                    ),
                    known: false,
                });
            }
        }
    }
    if let (Some(top), Some(baseline)) = (rules.new_top_hotspots, baseline) {
        let old = top_hotspots(baseline, top);
        for (entity, rank) in top_hotspots(current, top) {
            if !old.contains_key(&entity) {
                findings.push(Finding {
                    rule: "new-top-hotspots",
                    line: None,
                    message: format!("{entity} entered the top {top} hotspots at rank {rank}"),
                    location: entity,
                    known: false,
                });
            }
        }
    }
    if let (Some(points), Some(baseline)) = (rules.knowledge_loss_growth, baseline) {
        let before = knowledge_loss(baseline);
        for (component, after) in knowledge_loss(current) {
            if let Some(before) = before.get(component)
                && (after - before) * 100.0 > points
            {
                findings.push(Finding {
                    rule: "knowledge-loss-growth",
                    line: None,
                    location: String::new(),
                    message: format!(
                        "knowledge loss of component {component} grew from {:.1} % to {:.1} % (limit +{} points)",
                        before * 100.0,
                        after * 100.0,
                        format_float(points)
                    ),
                    known: false,
                });
            }
        }
    }
    if let (Some(factor), Some(baseline)) = (rules.lead_time_growth, baseline)
        && let (Some(before), Some(after)) = (
            baseline.metrics.lead_time_median_s,
            current.metrics.lead_time_median_s,
        )
        && after > before * factor
    {
        let days = |s: f64| s / 86_400.0;
        findings.push(Finding {
            rule: "lead-time-growth",
            line: None,
            location: String::new(),
            message: format!(
                "the median lead time for changes released in the window grew from {:.1} to {:.1} days (limit ×{})",
                days(before),
                days(after),
                format_float(factor)
            ),
            known: false,
        });
    }
    if let (Some(points), Some(baseline)) = (rules.crossing_growth, baseline)
        && let (before, after) = (
            baseline.metrics.crossing_share,
            current.metrics.crossing_share,
        )
        && (after - before) * 100.0 > points
    {
        findings.push(Finding {
            rule: "crossing-growth",
            line: None,
            location: String::new(),
            message: format!(
                "the share of change sets crossing components grew from {:.1} % to {:.1} % (limit +{} points)",
                before * 100.0,
                after * 100.0,
                format_float(points)
            ),
            known: false,
        });
    }
    findings
}

/// What the absolute rules find, each marked known when the baseline has it too.
fn absolute_findings(
    current: &Snapshot,
    baseline: Option<&Snapshot>,
    rules: &CheckRules,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let pairs = couplings(current);
    if let Some(limit) = rules.cross_component_degree {
        let hits = |s: &Snapshot| -> BTreeSet<(String, String)> {
            couplings(s)
                .into_iter()
                .filter(|(_, (degree, class))| {
                    *class == PairClass::CrossComponent && *degree >= limit
                })
                .map(|(pair, _)| pair)
                .collect()
        };
        let known = baseline.map(hits).unwrap_or_default();
        for ((a, b), (degree, class)) in &pairs {
            if *class == PairClass::CrossComponent && *degree >= limit {
                findings.push(Finding {
                    rule: "cross-component-degree",
                    line: None,
                    location: a.clone(),
                    message: format!(
                        "cross-component coupling: {a} and {b} at degree {degree} (limit {limit})"
                    ),
                    known: known.contains(&(a.clone(), b.clone())),
                });
            }
        }
    }
    if let Some(limit) = rules.hotspot_score {
        let known: BTreeSet<&str> = baseline
            .map(|b| {
                b.analyses
                    .hotspots
                    .rows
                    .iter()
                    .filter(|r| r.hotspot_score >= limit)
                    .map(|r| r.entity.as_str())
                    .collect()
            })
            .unwrap_or_default();
        for row in &current.analyses.hotspots.rows {
            if row.hotspot_score >= limit {
                findings.push(Finding {
                    rule: "hotspot-score",
                    line: None,
                    message: format!(
                        "{} has hotspot score {:.3} (limit {})",
                        row.entity,
                        row.hotspot_score,
                        format_float(limit)
                    ),
                    location: row.entity.clone(),
                    known: known.contains(row.entity.as_str()),
                });
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::findings_table;

    /// A snapshot with the given coupled pairs `(a, b, degree, class)`, hotspots `(entity, rank,
    /// score)`, backlog owners `(entity, main_dev, inactive)` and crossing share.
    fn snapshot(
        pairs: &[(&str, &str, u64, &str)],
        hotspots: &[(&str, u64, f64)],
        owners: &[(&str, &str, bool)],
        crossing_share: f64,
    ) -> Snapshot {
        let section = |name: &str, rows: Vec<Value>| Snapshot::test_section(name, &rows);
        let value = serde_json::json!({
            "schema_version": crate::SCHEMA_VERSION,
            "title": "t",
            "header": { "as_of": "2024-06-30" },
            "settings": {},
            "metrics": { "crossing_share": crossing_share },
            "analyses": {
                "coupling": section("coupling", pairs.iter().map(|(a, b, degree, class)| serde_json::json!({
                    "entity": a, "coupled": b, "degree": degree, "class": class
                })).collect()),
                "hotspots": section("hotspots", hotspots.iter().map(|(entity, rank, score)| serde_json::json!({
                    "entity": entity, "rank": rank, "revisions": 3, "hotspot_score": score
                })).collect()),
                // Each hot file's hottest function is `run`, at the file's rank.
                "function-hotspots": section("function-hotspots", hotspots.iter().map(|(file, rank, score)| serde_json::json!({
                    "file": file, "function": "run", "rank": rank, "revisions": 3, "hotspot_score": score
                })).collect()),
                "backlog": section("backlog", owners.iter().map(|(entity, dev, inactive)| serde_json::json!({
                    "entity": entity, "main_dev": dev, "main_dev_share": 0.9,
                    "main_dev_inactive": inactive
                })).collect()),
                "trends": section("trends", vec![serde_json::json!({ "period": "2024-06", "change_sets": 3 })]),
            },
        });
        Snapshot::from_value("test", &value).expect("a snapshot of the right shape")
    }

    #[test]
    fn check_reports_only_what_is_new_above_the_limit() {
        let baseline = snapshot(
            &[
                ("a.rs", "x/b.rs", 40, "cross-component"),
                ("c.rs", "y/d.rs", 70, "cross-component"),
            ],
            &[("a.rs", 1, 0.9)],
            &[],
            0.10,
        );
        let current = snapshot(
            &[
                ("a.rs", "x/b.rs", 60, "cross-component"),
                ("c.rs", "y/d.rs", 75, "cross-component"),
                ("e.rs", "e2.rs", 90, "same-folder"),
            ],
            &[("a.rs", 1, 0.9), ("n.rs", 2, 0.8)],
            &[],
            0.25,
        );
        let rules = CheckRules {
            new_cross_component_degree: Some(50),
            new_top_hotspots: Some(2),
            crossing_growth: Some(10.0),
            ..CheckRules::default()
        };
        let found = check(&current, Some(&baseline), &rules);
        let summary: Vec<(&str, &str)> = found
            .iter()
            .map(|f| (f.rule, f.location.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("new-cross-component-degree", "a.rs"),
                ("new-top-hotspots", "n.rs"),
                ("crossing-growth", ""),
            ],
            "c.rs was above the limit already; e.rs is not cross-component"
        );
        assert!(
            found[2]
                .message
                .contains("from 10.0 % to 25.0 % (limit +10 points)")
        );
        // Without a baseline only the absolute rules run.
        assert!(check(&current, None, &rules).is_empty());
    }

    #[test]
    fn absolute_findings_the_baseline_has_too_are_known_not_new() {
        let baseline = snapshot(
            &[("a.rs", "x/b.rs", 80, "cross-component")],
            &[("a.rs", 1, 0.9)],
            &[],
            0.0,
        );
        let current = snapshot(
            &[
                ("a.rs", "x/b.rs", 85, "cross-component"),
                ("c.rs", "y/d.rs", 70, "cross-component"),
            ],
            &[("a.rs", 1, 0.9), ("n.rs", 2, 0.8)],
            &[],
            0.0,
        );
        let rules = CheckRules {
            cross_component_degree: Some(60),
            hotspot_score: Some(0.5),
            ..CheckRules::default()
        };
        let found = check(&current, Some(&baseline), &rules);
        let summary: Vec<(&str, &str, bool)> = found
            .iter()
            .map(|f| (f.rule, f.location.as_str(), f.known))
            .collect();
        assert_eq!(
            summary,
            [
                ("cross-component-degree", "a.rs", true),
                ("cross-component-degree", "c.rs", false),
                ("hotspot-score", "a.rs", true),
                ("hotspot-score", "n.rs", false),
            ]
        );
        let table = findings_table(&found);
        assert_eq!(table.rows[0][0].text(), "new");
        assert_eq!(table.rows[3][0].text(), "known");
    }

    #[test]
    fn lead_time_growth_fails_past_the_factor_only() {
        let mut baseline = snapshot(&[], &[], &[], 0.0);
        baseline.metrics.lead_time_median_s = Some(2.0 * 86_400.0);
        let rules = CheckRules {
            lead_time_growth: Some(1.5),
            ..CheckRules::default()
        };
        let with = |days: f64| {
            let mut current = snapshot(&[], &[], &[], 0.0);
            current.metrics.lead_time_median_s = Some(days * 86_400.0);
            check(&current, Some(&baseline), &rules)
        };
        // 3 days is 1.5 times 2: at the limit, not past it.
        assert!(with(3.0).is_empty());
        let found = with(3.5);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "the median lead time for changes released in the window grew from 2.0 to 3.5 days (limit ×1.5)"
        );
        // Without releases on one side there is nothing to compare.
        let mut none = snapshot(&[], &[], &[], 0.0);
        none.metrics.lead_time_median_s = None;
        assert!(check(&none, Some(&baseline), &rules).is_empty());
        // diff shows the change beside the trend metrics.
        let mut current = snapshot(&[], &[], &[], 0.0);
        current.metrics.lead_time_median_s = Some(3.5 * 86_400.0);
        let trends = &diff(&baseline, &current, 5)[6];
        assert_eq!(trends.name, "trend-changes");
        let row = trends.rows.last().expect("a row");
        assert_eq!(row[0].text(), "lead_time_median_s (window)");
        assert_eq!(row[3].text(), "129600");
    }

    #[test]
    fn absolute_rules_print_tiny_limits_short() {
        let current = snapshot(&[], &[("a.rs", 1, 0.5)], &[], 0.0);
        let rules = CheckRules {
            hotspot_score: Some(1e-300),
            ..CheckRules::default()
        };
        let found = check(&current, None, &rules);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "a.rs has hotspot score 0.500 (limit 1e-300)"
        );
    }

    #[test]
    fn diff_lists_couplings_hotspots_and_new_knowledge_risks() {
        let old = snapshot(
            &[
                ("a", "b", 40, "nearby"),
                ("c", "d", 80, "nearby"),
                ("e", "f", 50, "nearby"),
            ],
            &[("a", 1, 0.9), ("b", 2, 0.8)],
            &[("a", "Ann", true)],
            0.0,
        );
        let new = snapshot(
            &[
                ("a", "b", 60, "nearby"),
                ("c", "d", 70, "nearby"),
                ("g", "h", 30, "nearby"),
            ],
            &[("b", 1, 0.9), ("z", 2, 0.8)],
            &[("a", "Ann", true), ("q", "Bob", true)],
            0.0,
        );
        let tables = diff(&old, &new, 2);
        let column =
            |t: &Table, i: usize| -> Vec<String> { t.rows.iter().map(|r| r[i].text()).collect() };
        assert_eq!(
            column(&tables[0], 0),
            ["new", "grown", "shrunk", "dissolved"]
        );
        assert_eq!(column(&tables[0], 1), ["g", "a", "c", "e"]);
        assert_eq!(column(&tables[1], 0), ["entered", "moved", "left"]);
        assert_eq!(column(&tables[1], 1), ["z", "b", "a"]);
        assert_eq!(tables[2].name, "function-hotspot-changes");
        assert_eq!(column(&tables[2], 0), ["entered", "moved", "left"]);
        assert_eq!(column(&tables[2], 1), ["z:run", "b:run", "a:run"]);
        assert_eq!(column(&tables[3], 0), ["q"], "Ann was a risk already");
    }
}

#[cfg(test)]
mod knowledge_tests {
    use super::*;

    fn with_risks(as_of: &str, risks: &[(&str, f64, &str)]) -> Snapshot {
        let rows: Vec<Value> = risks
            .iter()
            .map(|(entity, share, from)| {
                serde_json::json!({
                    "entity": entity, "main_dev": "olga", "main_dev_share": share,
                    "main_dev_inactive": true, "main_dev_inactive_from": from,
                    "knowledge_risk": *share >= 0.5,
                })
            })
            .collect();
        let empty = |name| Snapshot::test_section(name, &[]);
        let value = serde_json::json!({
            "schema_version": crate::SCHEMA_VERSION,
            "title": "t",
            "header": { "as_of": as_of },
            "settings": {},
            "metrics": { "crossing_share": 0.0 },
            "analyses": {
                "coupling": empty("coupling"), "hotspots": empty("hotspots"), "trends": empty("trends"),
                "backlog": Snapshot::test_section("backlog", &rows),
            },
        });
        Snapshot::from_value("test", &value).expect("a snapshot")
    }

    #[test]
    fn an_owner_inactive_before_the_baseline_is_not_news() {
        let old = with_risks("2024-01-31", &[]);
        let new = with_risks(
            "2024-02-29",
            &[
                // Inactive from 2013: already so at the baseline, only new to the backlog.
                ("a.rs", 0.9, "2013-05-01"),
                // Inactive from February: news.
                ("b.rs", 0.9, "2024-02-10"),
                // A small share is no knowledge risk at all.
                ("c.rs", 0.22, "2024-02-10"),
            ],
        );
        let table = knowledge_changes(&old, &new);
        let listed: Vec<String> = table.rows.iter().map(|r| r[0].text()).collect();
        assert_eq!(listed, ["b.rs"]);
    }

    fn with_loss(losses: &[(&str, f64)]) -> Snapshot {
        let mut snapshot = with_risks("2024-01-31", &[]);
        snapshot.analyses.knowledge.rows = losses
            .iter()
            .map(|(component, loss)| crate::snapshot::KnowledgeRow {
                component: (*component).to_owned(),
                knowledge_loss: *loss,
                bus_factor: 1,
                other: crate::snapshot::Row::new(),
            })
            .collect();
        snapshot
    }

    #[test]
    fn knowledge_loss_growth_is_a_ratchet_per_component() {
        // core grows 10 points, ui 2, api is new (nothing to compare), web shrinks.
        let old = with_loss(&[("core", 0.30), ("ui", 0.50), ("web", 0.40)]);
        let new = with_loss(&[("api", 0.90), ("core", 0.40), ("ui", 0.52), ("web", 0.10)]);
        let rules = CheckRules {
            knowledge_loss_growth: Some(5.0),
            ..CheckRules::default()
        };
        let findings = check(&new, Some(&old), &rules);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            ["knowledge loss of component core grew from 30.0 % to 40.0 % (limit +5 points)"]
        );
        assert!(
            check(&new, None, &rules).is_empty(),
            "a ratchet needs a baseline"
        );
        // diff lists every change, most grown first.
        let table = knowledge_loss_changes(&old, &new);
        let order: Vec<String> = table.rows.iter().map(|r| r[0].text()).collect();
        assert_eq!(order, ["api", "core", "ui", "web"]);
    }
}
