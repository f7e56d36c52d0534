//! Components (SPEC §4.5): every mapping source, component coupling with its file pairs, cycles,
//! clusters; the expected answers are in the fixture scripts' headers.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::util::*;

fn tables(dir: &Path, args: &[&str]) -> Result<Value> {
    let out = run_ok(
        cochange(dir)
            .args(["components", "--no-cache", "--format", "json"])
            .args(args),
    )?;
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// `file -> (component, source)` from `components --show files`.
fn mapping(dir: &Path, args: &[&str]) -> Result<BTreeMap<String, (String, String)>> {
    let mut all = vec!["--show", "files"];
    all.extend_from_slice(args);
    let doc = tables(dir, &all)?;
    Ok(doc["rows"]
        .as_array()
        .ok_or("rows")?
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap_or_default().to_owned(),
                (
                    r["component"].as_str().unwrap_or_default().to_owned(),
                    r["source"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect())
}

#[test]
fn every_mapping_source_maps_as_written_down() -> Result {
    let dir = scripted_repo("make_components.sh")?;
    let got = mapping(&dir, &[])?;
    let expected = [
        (".github/CODEOWNERS", ".github", "folders"),
        ("Cargo.toml", "(unmapped)", "unmapped"),
        ("Makefile", "(unmapped)", "unmapped"),
        ("README.md", "@org/docs", "CODEOWNERS"),
        ("crates/alpha/Cargo.toml", "alpha", "workspace"),
        ("crates/alpha/src/lib.rs", "alpha", "workspace"),
        ("crates/beta/Cargo.toml", "beta", "workspace"),
        ("crates/beta/src/lib.rs", "beta", "workspace"),
        ("docs/guide.md", "@org/docs", "CODEOWNERS"),
        (
            "docs/internal/keys.md",
            "@org/security @org/docs",
            "CODEOWNERS",
        ),
        (
            "docs/internal/setup.txt",
            "@org/security @org/docs",
            "CODEOWNERS",
        ),
        ("legacy/old.c", "legacy", "folders"),
        ("package.json", "(unmapped)", "unmapped"),
        ("services/api/go.mod", "example.com/api", "workspace"),
        ("services/api/main.go", "example.com/api", "workspace"),
        ("services/worker/go.mod", "@org/ops", "CODEOWNERS"),
        ("services/worker/main.go", "@org/ops", "CODEOWNERS"),
        ("tools/deep/x/run.sh", "tools", "folders"),
        ("web/app/index.js", "@acme/app", "workspace"),
        ("web/app/package.json", "@acme/app", "workspace"),
    ];
    let expected: BTreeMap<String, (String, String)> = expected
        .iter()
        .map(|(f, c, s)| ((*f).to_owned(), ((*c).to_owned(), (*s).to_owned())))
        .collect();
    assert_eq!(got, expected);

    // Folder depth 2.
    let deeper = mapping(&dir, &["--component-depth", "2"])?;
    assert_eq!(deeper["tools/deep/x/run.sh"].0, "tools/deep");
    assert_eq!(deeper["legacy/old.c"].0, "legacy");

    // [components] in the config comes first.
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "[components]\nfrontend = [\"web/**\"]\nbuild = \"Makefile\"\n",
    )?;
    let config = config.path().to_str().ok_or("temp path")?;
    let configured = mapping(&dir, &["--config", config])?;
    assert_eq!(
        configured["web/app/index.js"],
        ("frontend".into(), "config".into())
    );
    assert_eq!(configured["Makefile"], ("build".into(), "config".into()));
    assert_eq!(configured["README.md"].0, "@org/docs");
    Ok(())
}

#[test]
fn explain_counts_files_per_source() -> Result {
    let dir = scripted_repo("make_components.sh")?;
    let out = run_ok(cochange(&dir).args([
        "components",
        "--no-cache",
        "--explain",
        "--show",
        "components",
    ]))?;
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("files mapped by source: CODEOWNERS 6, workspace 8, folders 3, unmapped 3"),
        "{stderr}"
    );
    assert!(stderr.contains("CODEOWNERS read from `.github/CODEOWNERS`"));
    assert!(stderr.contains("cargo workspace member `crates/alpha` → `alpha`"));
    Ok(())
}

#[test]
fn component_coupling_shows_the_pair_its_degree_and_file_pairs() -> Result {
    let dir = scripted_repo("make_services.sh")?;
    let doc = tables(&dir, &[])?;
    let pairs = doc["tables"]["component-coupling"]["rows"]
        .as_array()
        .ok_or("rows")?;
    let billing = pairs
        .iter()
        .find(|r| r["entity"] == "billing")
        .ok_or("billing pair")?;
    assert_eq!(billing["coupled"], "invoices");
    assert_eq!(billing["degree"], 100);
    assert_eq!(
        billing["file_pairs"],
        "billing/api.rs + invoices/api.rs (6)"
    );
    assert!(
        !pairs
            .iter()
            .any(|r| r["entity"] == "shipping" || r["coupled"] == "shipping")
    );
    let components = doc["tables"]["components"]["rows"]
        .as_array()
        .ok_or("rows")?;
    let shipping = components
        .iter()
        .find(|r| r["component"] == "shipping")
        .ok_or("shipping")?;
    assert_eq!(shipping["revisions"], 5);
    assert_eq!(shipping["fan_in"], 0);
    assert_eq!(shipping["fan_out"], 0);
    let x = components
        .iter()
        .find(|r| r["component"] == "x")
        .ok_or("x")?;
    assert_eq!(
        (x["fan_in"].clone(), x["fan_out"].clone()),
        (2.into(), 2.into())
    );
    assert_eq!(
        doc["tables"]["components"]["context"]["change sets crossing components"],
        "34 of 40 (85.0 %)"
    );
    Ok(())
}

#[test]
fn cycles_and_clusters_are_found() -> Result {
    let dir = scripted_repo("make_services.sh")?;
    let doc = tables(&dir, &[])?;
    let cycles = doc["tables"]["cycles"]["rows"].as_array().ok_or("rows")?;
    let found: Vec<&str> = cycles
        .iter()
        .filter_map(|r| r["components"].as_str())
        .collect();
    assert_eq!(found, ["x, y, z"], "the chain p, q, r is not a cycle");

    let clusters = doc["tables"]["clusters"]["rows"].as_array().ok_or("rows")?;
    let mut by_cluster: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in clusters {
        by_cluster
            .entry(row["cluster"].as_str().unwrap_or_default())
            .or_default()
            .push(row["file"].as_str().unwrap_or_default());
    }
    assert_eq!(
        by_cluster["back/api.rs"],
        ["back/api.rs", "back/model.rs", "front/ui.js"]
    );
    assert_eq!(
        by_cluster["back/admin.rs"],
        ["back/admin.rs", "front/admin.js"]
    );
    let ui = clusters
        .iter()
        .find(|r| r["file"] == "front/ui.js")
        .ok_or("ui")?;
    assert_eq!(ui["component"], "front");
    assert_eq!(ui["crosses_components"], true);
    Ok(())
}

#[test]
fn coupling_classes_pairs_across_components() -> Result {
    let dir = scripted_repo("make_services.sh")?;
    let out = run_ok(cochange(&dir).args(["coupling", "--no-cache", "--format", "json"]))?;
    let rows = json_rows(&out)?;
    let billing = rows
        .iter()
        .find(|r| r["entity"] == "billing/api.rs")
        .ok_or("billing")?;
    assert_eq!(billing["class"], "cross-component");
    let model = rows
        .iter()
        .find(|r| r["entity"] == "back/api.rs" && r["coupled"] == "back/model.rs")
        .ok_or("back pair")?;
    assert_eq!(model["class"], "same-folder");
    Ok(())
}

#[test]
fn csv_needs_one_table() -> Result {
    let dir = scripted_repo("make_services.sh")?;
    let out = cochange(&dir)
        .args(["components", "--no-cache", "--format", "csv"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose one with `--show`"));
    let out = run_ok(cochange(&dir).args([
        "components",
        "--no-cache",
        "--format",
        "csv",
        "--show",
        "cycles",
    ]))?;
    assert!(String::from_utf8(out.stdout)?.starts_with("cycle,size,components"));
    Ok(())
}
