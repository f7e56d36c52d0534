//! Comparing two report snapshots: `diff` lists what changed, `check` applies the rules of the CI
//! gate and reports only what is new (a ratchet).

use std::collections::{BTreeMap, BTreeSet};

use cochange_analysis::{CheckRules, PairClass};
use serde_json::Value;

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

/// Files whose main developer is inactive, from the backlog.
fn knowledge_risks(snapshot: &Snapshot) -> BTreeMap<String, (String, f64)> {
    snapshot
        .analyses
        .backlog
        .rows
        .iter()
        .filter(|r| r.main_dev_inactive == Some(true))
        .map(|r| {
            (
                r.entity.clone(),
                (
                    r.main_dev.clone().unwrap_or_default(),
                    r.main_dev_share.unwrap_or(0.0),
                ),
            )
        })
        .collect()
}

/// The differences between two snapshots: couplings (new, grown, shrunk, dissolved), the first
/// `top` hotspots (entered, left, moved), new knowledge risks, and the trend metrics of each
/// snapshot's last period.
pub fn diff(old: &Snapshot, new: &Snapshot, top: usize) -> Vec<Table> {
    vec![
        coupling_changes(old, new),
        hotspot_changes(old, new, top),
        knowledge_changes(old, new),
        trend_changes(old, new),
    ]
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

fn hotspot_changes(old: &Snapshot, new: &Snapshot, top: usize) -> Table {
    let (before, after) = (top_hotspots(old, top), top_hotspots(new, top));
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
        "hotspot-changes",
        &["change", "entity", "rank_before", "rank_after"],
        hotspot_rows.into_iter().map(|r| r.2).collect(),
    )
}

fn knowledge_changes(old: &Snapshot, new: &Snapshot) -> Table {
    let known = knowledge_risks(old);
    Table::new(
        "new-knowledge-risks",
        &["entity", "main_dev", "main_dev_share"],
        knowledge_risks(new)
            .into_iter()
            .filter(|(entity, _)| !known.contains_key(entity))
            .map(|(entity, (dev, share))| {
                vec![Cell::Text(entity), Cell::Text(dev), Cell::Float(share)]
            })
            .collect(),
    )
}

fn trend_changes(old: &Snapshot, new: &Snapshot) -> Table {
    // The last period's row, its period among the metrics as in the table.
    let last = |s: &Snapshot| {
        s.analyses.trends.rows.last().map(|row| {
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
    Table::new(
        "trend-changes",
        &["metric", "before", "after", "change"],
        trend_rows,
    )
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's name, as in `[check]`.
    pub rule: &'static str,
    /// The file (or pair) it is about.
    pub location: String,
    /// What was found, in words.
    pub message: String,
}

/// Applies `rules` to `current`, against `baseline` for the ratchet rules.
pub fn check(current: &Snapshot, baseline: Option<&Snapshot>, rules: &CheckRules) -> Vec<Finding> {
    let mut findings = Vec::new();
    let pairs = couplings(current);
    if let (Some(limit), Some(baseline)) = (rules.new_cross_component_degree, baseline) {
        let old = couplings(baseline);
        for ((a, b), (degree, class)) in &pairs {
            let before = old.get(&(a.clone(), b.clone())).map_or(0, |v| v.0);
            if *class == PairClass::CrossComponent && *degree >= limit && before < limit {
                findings.push(Finding {
                    rule: "new-cross-component-degree",
                    location: a.clone(),
                    message: format!(
                        "new cross-component coupling: {a} and {b} at degree {degree} (baseline: {}; limit {limit})",
                        if before == 0 { "not coupled".to_owned() } else { before.to_string() }
                    ),
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
                    message: format!("{entity} entered the top {top} hotspots at rank {rank}"),
                    location: entity,
                });
            }
        }
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
            location: String::new(),
            message: format!(
                "the share of change sets crossing components grew from {:.1} % to {:.1} % (limit +{} points)",
                before * 100.0,
                after * 100.0,
                format_float(points)
            ),
        });
    }
    if let Some(limit) = rules.cross_component_degree {
        for ((a, b), (degree, class)) in &pairs {
            if *class == PairClass::CrossComponent && *degree >= limit {
                findings.push(Finding {
                    rule: "cross-component-degree",
                    location: a.clone(),
                    message: format!(
                        "cross-component coupling: {a} and {b} at degree {degree} (limit {limit})"
                    ),
                });
            }
        }
    }
    if let Some(limit) = rules.hotspot_score {
        for row in &current.analyses.hotspots.rows {
            if row.hotspot_score >= limit {
                findings.push(Finding {
                    rule: "hotspot-score",
                    message: format!(
                        "{} has hotspot score {:.3} (limit {})",
                        row.entity,
                        row.hotspot_score,
                        format_float(limit)
                    ),
                    location: row.entity.clone(),
                });
            }
        }
    }
    findings
}

/// The findings as a table: `rule, location, message`.
pub fn findings_table(findings: &[Finding]) -> Table {
    Table::new(
        "check",
        &["rule", "location", "message"],
        findings
            .iter()
            .map(|f| {
                vec![
                    Cell::Text(f.rule.into()),
                    Cell::Text(f.location.clone()),
                    Cell::Text(f.message.clone()),
                ]
            })
            .collect(),
    )
}

/// The findings as SARIF 2.1.0, for code scanning annotations.
pub fn sarif(findings: &[Finding], tool_version: &str) -> Value {
    let rules: BTreeSet<&str> = findings.iter().map(|f| f.rule).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = serde_json::json!({
                "ruleId": f.rule,
                "level": "error",
                "message": { "text": f.message },
            });
            if !f.location.is_empty() {
                result["locations"] = serde_json::json!([{
                    "physicalLocation": { "artifactLocation": { "uri": f.location } }
                }]);
            }
            result
        })
        .collect();
    serde_json::json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": { "driver": {
                "name": "cochange",
                "version": tool_version,
                "rules": rules.iter().map(|r| serde_json::json!({ "id": r })).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot with the given coupled pairs `(a, b, degree, class)`, hotspots `(entity, rank,
    /// score)`, backlog owners `(entity, main_dev, inactive)` and crossing share.
    fn snapshot(
        pairs: &[(&str, &str, u64, &str)],
        hotspots: &[(&str, u64, f64)],
        owners: &[(&str, &str, bool)],
        crossing_share: f64,
    ) -> Snapshot {
        let section = |rows: Vec<Value>| serde_json::json!({ "columns": [], "rows": rows });
        let value = serde_json::json!({
            "schema_version": crate::SCHEMA_VERSION,
            "title": "t",
            "header": { "as_of": "2024-06-30" },
            "settings": {},
            "metrics": { "crossing_share": crossing_share },
            "analyses": {
                "coupling": section(pairs.iter().map(|(a, b, degree, class)| serde_json::json!({
                    "entity": a, "coupled": b, "degree": degree, "class": class
                })).collect()),
                "hotspots": section(hotspots.iter().map(|(entity, rank, score)| serde_json::json!({
                    "entity": entity, "rank": rank, "revisions": 3, "hotspot_score": score
                })).collect()),
                "backlog": section(owners.iter().map(|(entity, dev, inactive)| serde_json::json!({
                    "entity": entity, "main_dev": dev, "main_dev_share": 0.9,
                    "main_dev_inactive": inactive
                })).collect()),
                "trends": section(vec![serde_json::json!({ "period": "2024-06", "change_sets": 3 })]),
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
        assert_eq!(column(&tables[2], 0), ["q"], "Ann was a risk already");
    }

    #[test]
    fn sarif_locates_each_finding_on_its_file() {
        let findings = vec![
            Finding {
                rule: "hotspot-score",
                location: "src/a.rs".into(),
                message: "m".into(),
            },
            Finding {
                rule: "crossing-growth",
                location: String::new(),
                message: "n".into(),
            },
        ];
        let doc = sarif(&findings, "9.9.9");
        let results = doc["runs"][0]["results"].as_array().expect("results");
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/a.rs"
        );
        assert!(
            results[1].get("locations").is_none(),
            "no file, no location"
        );
        assert_eq!(doc["runs"][0]["tool"]["driver"]["version"], "9.9.9");
        let rules: Vec<&str> = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(rules, ["crossing-growth", "hotspot-score"]);
    }
}
