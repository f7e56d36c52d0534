//! The layout the project documents is the one it has: no module of a crate depends on another
//! that depends back on it, and the crates depend on each other as docs/architecture.md says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::*;

/// The source folders of the crates, from the workspace root.
const CRATES: &[&str] = &[
    "crates/cli",
    "crates/miner/src",
    "crates/analysis/src",
    "crates/report/src",
    "crates/testtools/src",
];

/// The top-level modules of a crate (`src/x.rs` or `src/x/`), each with the text of its files.
fn modules(src: &Path) -> Result<BTreeMap<String, String>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        let name = path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if matches!(name.as_str(), "lib" | "main") {
            continue;
        }
        let mut text = String::new();
        let mut stack = vec![path.clone()];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p)? {
                    stack.push(e?.path());
                }
            } else if p.extension().is_some_and(|e| e == "rs") {
                text.push_str(&std::fs::read_to_string(&p)?);
            }
        }
        if !text.is_empty() {
            modules
                .entry(name)
                .or_insert_with(String::new)
                .push_str(&text);
        }
    }
    Ok(modules)
}

/// The first-level names after each `crate::` (`crate::a`, `crate::{a, b::c}`).
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(first_name(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            names.insert(first_name(&item));
        } else {
            names.insert(first_name(rest));
        }
    }
    names
}

fn first_name(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The strongly connected sets of more than one module (Tarjan's algorithm, iteratively small).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(node) = stack.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for node in edges.keys() {
        let out = reaches(node);
        if out.contains(node) {
            let mut set: Vec<String> = out
                .into_iter()
                .filter(|other| reaches(other).contains(node))
                .collect();
            set.sort();
            found.insert(set);
        }
    }
    found.into_iter().collect()
}

#[test]
fn no_module_depends_on_one_that_depends_back() -> Result {
    let root = cochange_testtools::workspace_root();
    let mut problems = Vec::new();
    for src in CRATES {
        let modules = modules(&root.join(src))?;
        let names: BTreeSet<&String> = modules.keys().collect();
        let edges: BTreeMap<String, BTreeSet<String>> = modules
            .iter()
            .map(|(name, text)| {
                let to = crate_references(text)
                    .into_iter()
                    .filter(|t| t != name && names.contains(t))
                    .collect();
                (name.clone(), to)
            })
            .collect();
        for cycle in cycles(&edges) {
            problems.push(format!("{src}: {}", cycle.join(" ↔ ")));
        }
    }
    assert!(problems.is_empty(), "module cycles: {problems:#?}");
    Ok(())
}

#[test]
fn the_cycle_check_finds_a_planted_cycle() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c"]]);
    assert_eq!(
        crate_references("use crate::{a, b::{c, d}, e};\nlet x = crate::f::g();"),
        ["a", "b", "e", "f"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
}

/// The workspace crates each crate's manifest depends on (normal dependencies).
fn internal_dependencies(manifest: &Path) -> Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(manifest)?;
    let mut in_dependencies = false;
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && line.starts_with("cochange-") {
            found.insert(first_name(&line.replace('-', "_")).replace('_', "-"));
        }
    }
    Ok(found)
}

#[test]
fn crates_depend_on_each_other_as_documented() -> Result {
    let root = cochange_testtools::workspace_root();
    let doc = std::fs::read_to_string(root.join("docs/architecture.md"))?;
    for (package, manifest) in [
        ("cochange", "Cargo.toml"),
        ("cochange-report", "crates/report/Cargo.toml"),
        ("cochange-analysis", "crates/analysis/Cargo.toml"),
        ("cochange-miner", "crates/miner/Cargo.toml"),
    ] {
        let actual = internal_dependencies(&root.join(manifest))?;
        let documented = if actual.is_empty() {
            format!("- `{package}` depends on no other crate of the workspace")
        } else {
            let list: Vec<String> = actual.iter().map(|d| format!("`{d}`")).collect();
            format!("- `{package}` depends on {}", list.join(", "))
        };
        assert!(
            doc.lines().any(|l| l == documented),
            "docs/architecture.md should say: {documented}"
        );
    }
    Ok(())
}
