//! What `check` found and how it is shown: a table, a summary line, SARIF for code scanning.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{Cell, Table};

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's name, as in `[check]`.
    pub rule: &'static str,
    /// The file (or pair) it is about.
    pub location: String,
    /// The line of `location` it is about, when it is about one (an import).
    pub line: Option<u32>,
    /// What was found, in words.
    pub message: String,
    /// An absolute rule's finding that the baseline has too: reported, but not new, so it does
    /// not fail the gate.
    pub known: bool,
}

/// What `check` says of its findings on stderr: how many are new and how many known.
pub fn findings_summary(findings: &[Finding]) -> String {
    let new = findings.iter().filter(|f| !f.known).count();
    let known = findings.len() - new;
    let known_text = if known == 0 {
        String::new()
    } else {
        format!("; {known} known (the baseline has them too)")
    };
    if new == 0 {
        format!("check: no new findings{known_text}")
    } else {
        format!("check: {new} new findings{known_text}")
    }
}

/// The findings as a table: `status` (`new`, or `known` when the baseline had it too), `rule`,
/// `location`, `message`; new ones first.
pub fn findings_table(findings: &[Finding]) -> Table {
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| f.known);
    Table::new(
        "check",
        &["status", "rule", "location", "message"],
        ordered
            .iter()
            .map(|f| {
                vec![
                    Cell::Text(if f.known { "known" } else { "new" }.into()),
                    Cell::Text(f.rule.into()),
                    Cell::Text(match f.line {
                        Some(line) => format!("{}:{line}", f.location),
                        None => f.location.clone(),
                    }),
                    Cell::Text(f.message.clone()),
                ]
            })
            .collect(),
    )
}

/// What a rule of `[check]` (docs/ci.md) finds, in one line, for code scanning's rule list.
fn rule_description(rule: &str) -> &'static str {
    match rule {
        "new-cross-component-degree" => {
            "A coupling across components at or above the degree limit that the baseline did not have"
        }
        "new-top-hotspots" => "A file that entered the top hotspots since the baseline",
        "crossing-growth" => "The share of change sets crossing components grew beyond the limit",
        "lead-time-growth" => "The median lead time for changes grew beyond the limit",
        "knowledge-loss-growth" => "The knowledge loss of a component grew beyond the limit",
        "cross-component-degree" => "A coupling across components at or above the degree limit",
        "hotspot-score" => "A file above the hotspot score limit",
        "new-forbidden-import" => {
            "An import that breaks a [boundaries] rule, new since the baseline"
        }
        "new-dependency-cycle" => "A dependency cycle between components, new since the baseline",
        "new-hidden-coupling" => {
            "Files of different components that change together with no import between them, new since the baseline"
        }
        "new-shared-table" => {
            "A database table used by two components or more, newly shared since the baseline"
        }
        "missing-co-change" => {
            "A file that usually changes with the changed files but is not in the change"
        }
        _ => "A finding of cochange check",
    }
}

/// The findings as SARIF 2.1.0, for code scanning annotations.
pub fn sarif(findings: &[Finding], tool_version: &str) -> Value {
    let rules: BTreeSet<&str> = findings.iter().map(|f| f.rule).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = serde_json::json!({
                "ruleId": f.rule,
                "level": if f.known { "note" } else { "error" },
                "baselineState": if f.known { "unchanged" } else { "new" },
                "message": { "text": f.message },
            });
            if !f.location.is_empty() {
                let mut physical = serde_json::json!({ "artifactLocation": { "uri": f.location } });
                if let Some(line) = f.line {
                    physical["region"] = serde_json::json!({ "startLine": line });
                }
                result["locations"] = serde_json::json!([{ "physicalLocation": physical }]);
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
                "rules": rules.iter().map(|r| serde_json::json!({
                    "id": r,
                    "shortDescription": { "text": rule_description(r) },
                    "helpUri": "https://github.com/cochange-dev/cochange/blob/main/docs/ci.md",
                })).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_locates_each_finding_on_its_file() {
        let findings = vec![
            Finding {
                rule: "hotspot-score",
                line: Some(7),
                location: "src/a.rs".into(),
                message: "m".into(),
                known: false,
            },
            Finding {
                rule: "crossing-growth",
                line: None,
                location: String::new(),
                message: "n".into(),
                known: true,
            },
        ];
        let doc = sarif(&findings, "9.9.9");
        let results = doc["runs"][0]["results"].as_array().expect("results");
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/a.rs"
        );
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            7
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
