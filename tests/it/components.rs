//! Components (docs/metrics.md, *components*): every mapping source, component coupling with its file pairs, cycles,
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
    let pairs = table_rows(&doc, "component-coupling")?;
    let billing = row_where(pairs, "entity", "billing")?;
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
    let components = table_rows(&doc, "components")?;
    let shipping = row_where(components, "component", "shipping")?;
    assert_eq!(
        (
            &shipping["source"],
            &shipping["files"],
            &shipping["revisions"]
        ),
        (&"gone".into(), &0.into(), &6.into())
    );
    assert_eq!(shipping["fan_in"], 0);
    assert_eq!(shipping["fan_out"], 0);
    let x = row_where(components, "component", "x")?;
    assert_eq!(
        (x["fan_in"].clone(), x["fan_out"].clone()),
        (2.into(), 2.into())
    );
    assert_eq!(
        doc["tables"]["components"]["context"]["change sets crossing components"],
        "34 of 41 (82.9 %)"
    );
    Ok(())
}

#[test]
fn cycles_and_clusters_are_found() -> Result {
    let dir = scripted_repo("make_services.sh")?;
    let doc = tables(&dir, &[])?;
    let cycles = table_rows(&doc, "cycles")?;
    let found: Vec<&str> = cycles
        .iter()
        .filter_map(|r| r["components"].as_str())
        .collect();
    assert_eq!(found, ["x, y, z"], "the chain p, q, r is not a cycle");

    let clusters = table_rows(&doc, "clusters")?;
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
    let ui = row_where(clusters, "file", "front/ui.js")?;
    assert_eq!(ui["component"], "front");
    assert_eq!(ui["crosses_components"], true);
    Ok(())
}

#[test]
fn coupling_classes_pairs_across_components() -> Result {
    let dir = scripted_repo("make_services.sh")?;
    let out = run_ok(cochange(&dir).args(["coupling", "--no-cache", "--format", "json"]))?;
    let rows = json_rows(&out)?;
    let billing = row_where(&rows, "entity", "billing/api.rs")?;
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

#[test]
fn knowledge_loss_and_bus_factor_by_hand() -> Result {
    let dir = scripted_repo("make_knowledge.sh")?;
    let out = run_ok(cochange(&dir).args(["knowledge", "--no-cache", "--format", "json"]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let files = table_rows(&doc, "knowledge-files")?;
    let close = |v: &Value, x: f64| v.as_f64().is_some_and(|v| (v - x).abs() < 1e-9);
    let a = row_where(files, "file", "core/a.rs")?;
    assert_eq!(
        (a["lines"].clone(), a["inactive_lines"].clone()),
        (6.into(), 4.into())
    );
    assert!(close(&a["knowledge_loss"], 4.0 / 6.0), "{a}");
    assert_eq!(a["main_dev"], "alice");
    assert!(close(&a["main_dev_share"], 4.0 / 6.0), "{a}");
    let b = row_where(files, "file", "core/b.rs")?;
    assert!(close(&b["knowledge_loss"], 0.0) && b["main_dev"] == "bob");
    let c = row_where(files, "file", "ui/c.js")?;
    assert!(close(&c["knowledge_loss"], 1.0), "{c}");

    let components = table_rows(&doc, "knowledge-components")?;
    let core = row_where(components, "component", "core")?;
    assert_eq!(
        (core["lines"].clone(), core["inactive_lines"].clone()),
        (8.into(), 4.into())
    );
    assert!(close(&core["knowledge_loss"], 0.5));
    assert!(close(&core["main_dev_share"], 4.0 / 8.0), "{core}");
    assert_eq!(core["bus_factor"], 2);
    let ui = row_where(components, "component", "ui")?;
    assert_eq!(ui["bus_factor"], 0);
    assert!(close(&ui["knowledge_loss"], 1.0));
    Ok(())
}

#[test]
fn knowledge_skips_binary_files_and_says_so() -> Result {
    // make_binary.sh: picture.png is binary; text.txt, empty.txt and target.txt are text.
    let dir = scripted_repo("make_binary.sh")?;
    let out = run_ok(cochange(&dir).args(["knowledge", "--no-cache", "--format", "json"]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let files = table_rows(&doc, "knowledge-files")?;
    let names: Vec<&str> = files.iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(!names.contains(&"picture.png"), "{names:?}");
    assert!(names.contains(&"text.txt"), "{names:?}");
    let stderr = String::from_utf8(out.stderr)?;
    assert!(stderr.contains("skipped 1 binary"), "{stderr}");
    Ok(())
}

#[test]
fn teams_matrix_and_coordination_needs() -> Result {
    // make_hotspots.sh: alice (core) and bob and carol (apps); components are top-level folders.
    let dir = scripted_repo("make_hotspots.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "[thresholds]\nmin-revs = 1\nmin-shared = 2\n\n[teams]\ncore = [\"alice@example.com\"]\napps = [\"B*\", \"carol@example.com\"]\n",
    )?;
    let config = config.path().to_str().ok_or("temp path")?;
    let out = run_ok(cochange(&dir).args([
        "teams",
        "--no-cache",
        "--format",
        "csv",
        "--show",
        "matrix",
        "--config",
        config,
    ]))?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "team,src,app,web,tests,(unmapped),docs\napps,1,2,1,0,0,0\ncore,5,1,2,2,1,1\n"
    );
    let out = run_ok(cochange(&dir).args([
        "teams",
        "--no-cache",
        "--format",
        "csv",
        "--show",
        "components",
        "--config",
        config,
    ]))?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "component,teams,team_list,revisions\n\
         src,2,\"core (5), apps (1)\",6\n\
         app,2,\"apps (2), core (1)\",3\n\
         web,2,\"core (2), apps (1)\",3\n\
         tests,1,core (2),2\n\
         (unmapped),1,core (1),1\n\
         docs,1,core (1),1\n"
    );
    let out = run_ok(cochange(&dir).args([
        "teams",
        "--no-cache",
        "--format",
        "csv",
        "--show",
        "coordination",
        "--config",
        config,
    ]))?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "team_a,team_b,coupled_pairs,example\napps,core,3,src/engine.rs + tests/engine_test.rs\n"
    );
    // Without [teams] the command says what to write.
    let out = cochange(&dir).args(["teams", "--no-cache"]).output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs `[teams]` in the config"));
    Ok(())
}

#[test]
fn coauthors_count_in_ownership_and_knowledge_but_not_in_code_maat() -> Result {
    // Expected values are in the header of make_coauthors.sh.
    let dir = scripted_repo("make_coauthors.sh")?;
    let close = |v: &Value, x: f64| v.as_f64().is_some_and(|v| (v - x).abs() < 1e-9);
    let out = run_ok(cochange(&dir).args(["knowledge", "--no-cache", "--format", "json"]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let files = table_rows(&doc, "knowledge-files")?;
    let expected = [
        ("core/a.rs", 4, "alice", 0.5),
        ("core/b.rs", 2, "bob", 1.0),
        ("ui/c.js", 3, "alice", 0.5),
        ("ui/d.js", 1, "carol", 0.5),
    ];
    assert_eq!(files.len(), expected.len(), "{files:#?}");
    for (file, lines, main, share) in expected {
        let row = row_where(files, "file", file)?;
        assert_eq!(
            (&row["lines"], &row["inactive_lines"], &row["main_dev"]),
            (&lines.into(), &0.into(), &main.into()),
            "{file}"
        );
        assert!(close(&row["main_dev_share"], share), "{row}");
    }
    let components = table_rows(&doc, "knowledge-components")?;
    for (name, main, share) in [("core", "alice", 0.4), ("ui", "dave", 0.5)] {
        let row = row_where(components, "component", name)?;
        assert_eq!(
            (&row["main_dev"], &row["bus_factor"], &row["inactive_lines"]),
            (&main.into(), &2.into(), &0.into()),
            "{name}"
        );
        assert!(close(&row["main_dev_share"], share), "{row}");
    }

    let authors = |extra: &[&str]| -> Result<Vec<(String, u64)>> {
        let out = run_ok(
            cochange(&dir)
                .args(["hotspots", "--no-cache", "--format", "json"])
                .args(extra),
        )?;
        let mut authors: Vec<(String, u64)> = json_rows(&out)?
            .iter()
            .map(|r| {
                (
                    r["entity"].as_str().unwrap_or_default().to_owned(),
                    r["authors"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        authors.sort();
        Ok(authors)
    };
    let named = |list: &[(&str, u64)]| -> Vec<(String, u64)> {
        list.iter().map(|(e, n)| ((*e).to_owned(), *n)).collect()
    };
    assert_eq!(
        authors(&[])?,
        named(&[
            ("core/a.rs", 2),
            ("core/b.rs", 1),
            ("ui/c.js", 2),
            ("ui/d.js", 2)
        ])
    );
    assert_eq!(
        authors(&["--no-default-excludes"])?[1],
        named(&[("core/b.rs", 2)])[0]
    );

    // code-maat's analyses see the commit author alone, as code-maat does.
    for (analysis, row) in [
        ("main-dev", "core/a.rs,alice,4,4,1.0"),
        ("authors", "core/a.rs,1,1"),
    ] {
        let text = code_maat_csv(&dir, analysis, &[])?;
        assert!(text.lines().any(|l| l == row), "{analysis}: {text}");
    }
    Ok(())
}
