//! `report` (docs/report.md): the files, their well-formedness, no external resources, the same numbers
//! as the individual commands, and byte-identical output on a second run.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::*;

const FILES: &[&str] = &[
    "activity.csv",
    "activity.svg",
    "backlog.csv",
    "code-age.svg",
    "coupling-components.svg",
    "coupling-expected.csv",
    "coupling-heatmap.svg",
    "coupling.csv",
    "dependencies.csv",
    "dependencies.svg",
    "dependency-cycles.csv",
    "function-hotspots.csv",
    "hidden-coupling.csv",
    "hotspot-map.svg",
    "hotspots.csv",
    "hotspots.svg",
    "index.html",
    "knowledge-files.csv",
    "knowledge-map.svg",
    "knowledge.csv",
    "knowledge.svg",
    "ownership.csv",
    "ownership.svg",
    "report.md",
    "snapshot.json",
    "soc.csv",
    "summary.csv",
    "test-hotspots.csv",
    "trends.csv",
    "trends.svg",
    "xray-1.svg",
    "xray-2.svg",
    "xray-3.svg",
    "xray.csv",
];

fn extension(file: &str) -> &str {
    file.rsplit('.').next().unwrap_or_default()
}

fn report(repo: &Path, out: &Path) -> Result<String> {
    let output = run_ok(
        cochange(repo)
            .args(["report", "--no-cache", "--output"])
            .arg(out),
    )?;
    assert_snapshots_valid(out)?;
    Ok(String::from_utf8(output.stderr)?)
}

/// Parses `text` as XML, checking that every element is closed in order.
fn well_formed(name: &str, text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(err) => panic!(
                "{name} is not well-formed at {}: {err}",
                reader.error_position()
            ),
        }
    }
    assert_eq!(depth, 0, "{name}: unclosed elements");
}

#[test]
fn report_writes_every_file_well_formed_and_offline() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("cochange-report");
    let stderr = report(&dir, &out)?;
    for stage in ["[1/3]", "[2/3]", "[3/3]", "report written to"] {
        assert!(stderr.contains(stage), "{stderr}");
    }
    let mut listed: Vec<String> = std::fs::read_dir(&out)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    listed.sort();
    assert_eq!(
        listed[0], ".cochange-report",
        "the marker that makes the folder a report"
    );
    assert_eq!(listed[1..], *FILES);
    let marker: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join(".cochange-report"))?)?;
    assert_eq!(
        marker["files"],
        serde_json::json!(FILES),
        "it lists what the report owns"
    );
    for file in FILES {
        let text = std::fs::read_to_string(out.join(file))?;
        if matches!(extension(file), "svg" | "html") {
            well_formed(file, &text);
            // Namespaces name, they do not fetch; anything else with a scheme would be a request.
            let rest = text
                .replace("\"http://www.w3.org/2000/svg\"", "")
                .replace("\"http://www.w3.org/1999/xlink\"", "");
            assert!(
                !rest.contains("http://") && !rest.contains("https://"),
                "{file} refers to an external resource"
            );
        }
    }
    let html = std::fs::read_to_string(out.join("index.html"))?;
    for section in [
        "id=\"summary\"",
        "id=\"test-hotspots\"",
        "id=\"coupling-expected\"",
        "id=\"hotspots\"",
        "id=\"backlog\"",
        "id=\"coupling\"",
        "id=\"xray\"",
        "id=\"function-hotspots\"",
        "id=\"hidden-coupling\"",
        "id=\"dependencies\"",
        "id=\"dependency-cycles\"",
        "id=\"soc\"",
        "id=\"ownership\"",
        "id=\"activity\"",
        "id=\"trends\"",
        "<svg",
        "2019-03-15 .. 2020-03-15",
    ] {
        assert!(html.contains(section), "{section}");
    }
    // Every chart is inlined in the page and linked from the Markdown.
    let markdown = std::fs::read_to_string(out.join("report.md"))?;
    for chart in FILES.iter().filter(|f| extension(f) == "svg") {
        assert!(markdown.contains(&format!("]({chart})")), "{chart}");
    }
    assert_eq!(html.matches("<svg").count(), 14);
    // The page opens with what to act on.
    let first_section = html.find("<section").ok_or("sections")?;
    assert!(html[first_section..].starts_with("<section id=\"summary\">"));
    // The fixture's cross-component pairs (src/engine.rs with app/ and web/) are highlighted.
    assert!(html.contains("<tr class=\"hl\">"), "highlighted rows");
    Ok(())
}

fn command_rows(dir: &Path, args: &[&str]) -> Result<Vec<Value>> {
    json_rows(&run_ok(
        cochange(dir)
            .args(["--no-cache", "--format", "json"])
            .args(args),
    )?)
}

#[test]
fn snapshot_numbers_equal_the_commands() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("r");
    report(&dir, &out)?;
    let snapshot: Value = serde_json::from_slice(&std::fs::read(out.join("snapshot.json"))?)?;
    assert_eq!(snapshot["schema_version"], 1);
    assert!(snapshot["settings"]["paths excluded"].is_string());
    // The report's window is 12 months: the commands get the same.
    let rows = |analysis: &str| -> Result<Vec<Value>> {
        Ok(snapshot["analyses"][analysis]["rows"]
            .as_array()
            .ok_or("rows")?
            .clone())
    };
    for (analysis, args) in [
        ("hotspots", vec!["hotspots"]),
        ("backlog", vec!["backlog"]),
        ("soc", vec!["soc", "--since", "2019-03-15"]),
    ] {
        let expected = command_rows(&dir, &args)?;
        let got = rows(analysis)?;
        assert!(!got.is_empty(), "{analysis} is empty in the fixture");
        assert_eq!(got, expected, "{analysis}");
    }
    // The report's two coupling tables split the command's pairs, each in the command's order,
    // with the same `structure` column.
    let pairs = command_rows(&dir, &["coupling", "--since", "2019-03-15"])?;
    let (surprising, expected): (Vec<Value>, Vec<Value>) = pairs
        .into_iter()
        .partition(|p| rows("coupling").is_ok_and(|r| r.contains(p)));
    assert_eq!(rows("coupling")?, surprising);
    assert_eq!(rows("coupling-expected")?, expected);
    assert!(!surprising.is_empty() && !expected.is_empty());
    // Hidden coupling: the pairs across components that no import joins.
    let hidden: Vec<&Value> = surprising
        .iter()
        .filter(|p| p["class"] == "cross-component" && p["structure"] == "none")
        .collect();
    assert!(!hidden.is_empty(), "the fixture has hidden coupling");
    assert_eq!(rows("hidden-coupling")?.iter().collect::<Vec<_>>(), hidden);
    // Cycles do not depend on the window: the report's are the command's.
    assert_eq!(
        rows("dependency-cycles")?,
        command_rows(&dir, &["deps", "--show", "cycles"])?
    );
    // Trends newest first in the report.
    let mut trends = command_rows(&dir, &["trends"])?;
    trends.reverse();
    assert_eq!(rows("trends")?, trends);
    Ok(())
}

#[test]
fn two_runs_give_identical_files() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let (a, b): (PathBuf, PathBuf) = (tmp.path().join("a"), tmp.path().join("b"));
    report(&dir, &a)?;
    report(&dir, &b)?;
    for file in FILES {
        assert!(
            std::fs::read(a.join(file))? == std::fs::read(b.join(file))?,
            "{file} differs between runs"
        );
    }
    // A second run over the same folder replaces it whole.
    report(&dir, &a)?;
    assert_eq!(std::fs::read_dir(&a)?.count(), FILES.len() + 1);
    Ok(())
}

#[test]
fn coupling_exports_dot_and_graphml() -> Result {
    let dir = scripted_repo("make_coupled.sh")?;
    let dot = run_ok(cochange(&dir).args(["coupling", "--no-cache", "--format", "dot"]))?;
    let dot = String::from_utf8(dot.stdout)?;
    assert!(dot.starts_with("graph \"coupling\" {"), "{dot}");
    assert!(
        dot.contains("\"api/handler.rs\" -- \"api/routes.rs\" [label=\"88\""),
        "{dot}"
    );
    let graphml = run_ok(cochange(&dir).args(["coupling", "--no-cache", "--format", "graphml"]))?;
    let graphml = String::from_utf8(graphml.stdout)?;
    well_formed("coupling.graphml", &graphml);
    assert_eq!(graphml.matches("<edge ").count(), 3, "{graphml}");
    assert!(graphml.contains("attr.name=\"degree\" attr.type=\"long\""));
    let out = cochange(&dir)
        .args(["revisions", "--no-cache", "--format", "dot"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use them with `coupling`"));
    Ok(())
}
