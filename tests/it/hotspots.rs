//! Hotspots, the test signal, coverage and the backlog (docs/metrics.md, *hotspots* and *backlog*) against the answers
//! worked out by hand in `make_hotspots.sh`'s header.

use std::path::Path;

use serde_json::Value;

use crate::util::*;

fn json(dir: &Path, args: &[&str]) -> Result<Vec<Value>> {
    let out = run_ok(
        cochange(dir)
            .args(["--no-cache", "--format", "json"])
            .args(args),
    )?;
    json_rows(&out)
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-6)
}

#[test]
fn hotspots_rank_files_by_change_and_complexity() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let rows = json(&dir, &["hotspots", "--all-files"])?;
    // (entity, language, revisions, loc, complexity, max, score), in rank order.
    let expected = [
        ("src/engine.rs", "Rust", 6, 7, 5.0, 2.0, 0.8),
        ("app/service.py", "Python", 3, 5, 10.0, 4.0, 0.6),
        ("web/view.js", "JavaScript", 3, 3, 1.0, 1.0, 0.36),
        ("tests/engine_test.rs", "Rust", 2, 2, 0.0, 0.0, 0.0),
        ("README.md", "Markdown", 1, 1, 0.0, 0.0, 0.0),
        ("docs/guide.md", "Markdown", 1, 1, 0.0, 0.0, 0.0),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for (i, (row, want)) in rows.iter().zip(expected).enumerate() {
        let (entity, language, revisions, loc, complexity, max, score) = want;
        assert_eq!(row["rank"], i + 1);
        assert_eq!(row["entity"], entity);
        assert_eq!(row["language"], language);
        assert_eq!(row["revisions"], revisions, "{entity}");
        assert_eq!(row["loc"], loc, "{entity}");
        assert!(close(&row["complexity"], complexity), "{entity}: {row}");
        assert!(close(&row["complexity_max"], max), "{entity}: {row}");
        assert!(close(&row["hotspot_score"], score), "{entity}: {row}");
    }
    // Mean indentation and the other columns of the top row.
    assert!(close(&rows[0]["complexity_mean"], 5.0 / 7.0));
    assert_eq!(rows[0]["authors"], 2);
    assert_eq!(rows[0]["age_months"], 0);
    Ok(())
}

#[test]
fn hotspots_print_their_window_in_every_format() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    for format in ["table", "csv", "json", "md"] {
        let out = run_ok(cochange(&dir).args(["hotspots", "--no-cache", "--format", format]))?;
        let text = String::from_utf8(out.stdout)?;
        assert!(
            text.contains("2019-03-15 .. 2020-03-15"),
            "{format}: {text}"
        );
    }
    let out = run_ok(cochange(&dir).args(["hotspots", "--no-cache", "--format", "json"]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(
        doc["context"]["files"],
        "6 text files measured; skipped 0 binary, 0 excluded by the path filters; 0 blobs missing"
    );
    let out = run_ok(cochange(&dir).args([
        "hotspots",
        "--no-cache",
        "--format",
        "json",
        "--exclude",
        "docs/",
    ]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(
        doc["context"]["files"],
        "5 text files measured; skipped 0 binary, 1 excluded by the path filters; 0 blobs missing"
    );
    // --since overrides the window.
    let out = run_ok(cochange(&dir).args([
        "hotspots",
        "--no-cache",
        "--format",
        "csv",
        "--since",
        "2020-01-05",
    ]))?;
    let text = String::from_utf8(out.stdout)?;
    assert!(text.contains("2020-01-05 .. 2020-03-15"), "{text}");
    Ok(())
}

#[test]
fn backlog_combines_the_factors_as_documented() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let rows = json(&dir, &["backlog", "--inactive-after", "1"])?;
    let order: Vec<&str> = rows.iter().filter_map(|r| r["entity"].as_str()).collect();
    assert_eq!(order, ["src/engine.rs", "app/service.py", "web/view.js"]);
    for (row, score) in rows.iter().zip([21.299_458, 9.905_952, 7.964_213]) {
        assert!(close(&row["score"], score), "{row}");
    }
    let engine = &rows[0];
    assert_eq!(engine["coupled"], 3);
    assert_eq!(engine["coupled_cross"], 2);
    assert_eq!(engine["coupled_hidden"], 2);
    assert!(close(&engine["hidden_coupling"], 2.0 / 3.0));
    assert!(close(&engine["test_share"], 1.0 / 3.0));
    assert_eq!(engine["test_partner"], "tests/engine_test.rs");
    assert_eq!(engine["main_dev"], "alice");
    assert_eq!(engine["main_dev_inactive"], false);
    assert!(close(&engine["coupling"], 5.0 / 6.0));
    assert_eq!(engine["knowledge_risk"], false);
    assert_eq!(
        engine["reason"],
        "changed in 6 of 8 change sets (top 17 %); 7 lines (1 of them comments), nesting up to 2 \
         levels; 83 % of its co-changes reach other folders (coupled with 3 files, 2 in other \
         components, of which 2 without an import either way: hidden coupling); a test changed \
         alongside in 33 % of its changes; 92 % of its added lines by alice"
    );
    let service = &rows[1];
    assert_eq!(service["main_dev"], "bob");
    assert_eq!(service["main_dev_inactive"], true);
    assert_eq!(service["knowledge_risk"], true, "bob holds 86 %");
    assert_eq!(service["main_dev_last_commit"], "2020-01-05");
    assert_eq!(service["main_dev_inactive_from"], "2020-02-05");
    assert!(
        service["reason"]
            .as_str()
            .is_some_and(|r| r.ends_with("86 % of its added lines by bob, inactive since 2020-01")),
        "{service}"
    );
    Ok(())
}

#[test]
fn criticality_reorders_the_backlog() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "[thresholds]\nmin-revs = 1\nmin-shared = 2\n\n[criticality]\n\"app/**\" = 3.0\n",
    )?;
    let config = config.path().to_str().ok_or("temp path")?;
    let rows = json(
        &dir,
        &["backlog", "--inactive-after", "1", "--config", config],
    )?;
    let order: Vec<&str> = rows.iter().filter_map(|r| r["entity"].as_str()).collect();
    assert_eq!(order, ["app/service.py", "src/engine.rs", "web/view.js"]);
    assert!(close(&rows[0]["score"], 29.717_857), "{}", rows[0]);
    assert!(close(&rows[0]["criticality"], 3.0));
    assert!(
        rows[0]["reason"]
            .as_str()
            .is_some_and(|r| r.ends_with("; criticality ×3"))
    );
    Ok(())
}

#[test]
fn test_files_follow_the_config() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    // web/ now holds tests: web/view.js leaves the backlog, and tests/ is ordinary code (changed
    // twice, so it is listed).
    std::fs::write(config.path(), "[tests]\npaths = [\"web/\"]\n")?;
    let config = config.path().to_str().ok_or("temp path")?;
    let rows = json(&dir, &["backlog", "--config", config])?;
    let order: Vec<&str> = rows.iter().filter_map(|r| r["entity"].as_str()).collect();
    assert_eq!(
        order,
        ["src/engine.rs", "app/service.py", "tests/engine_test.rs"]
    );
    assert_eq!(rows[0]["test_partner"], "web/view.js");
    Ok(())
}

#[test]
fn coverage_replaces_the_test_signal() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    // src/engine.rs: 3 of 4 instrumented lines hit; a file the repository does not have.
    let lcov = tmp.path().join("coverage.info");
    std::fs::write(
        &lcov,
        "TN:\nSF:src/engine.rs\nDA:1,1\nDA:2,4\nDA:3,0\nDA:4,2\nend_of_record\n\
         SF:src/gone.rs\nDA:1,1\nend_of_record\n",
    )?;
    // The same as Cobertura XML, relative to a <source> folder inside the work tree.
    let root = std::fs::canonicalize(&dir)?;
    let cobertura = tmp.path().join("coverage.xml");
    std::fs::write(
        &cobertura,
        format!(
            "<?xml version=\"1.0\"?>\n<coverage>\n<sources><source>{}/src</source></sources>\n\
             <packages><package><classes>\n<class name=\"engine\" filename=\"engine.rs\">\n\
             <lines><line number=\"1\" hits=\"1\"/><line number=\"2\" hits=\"4\"/>\
             <line number=\"3\" hits=\"0\"/><line number=\"4\" hits=\"2\"/></lines>\n</class>\n\
             <class name=\"gone\" filename=\"gone.rs\"><lines/></class>\n\
             </classes></package></packages>\n</coverage>\n",
            root.display()
        ),
    )?;
    for file in [&lcov, &cobertura] {
        let out = run_ok(
            cochange(&dir)
                .args([
                    "--no-cache",
                    "--format",
                    "json",
                    "backlog",
                    "--inactive-after",
                    "1",
                ])
                .arg("--coverage")
                .arg(file),
        )?;
        let stderr = String::from_utf8(out.stderr.clone())?;
        assert!(
            stderr.contains("warning: the coverage file names 1 files")
                && stderr.contains("gone.rs"),
            "{stderr}"
        );
        let rows = json_rows(&out)?;
        let engine = rows
            .iter()
            .find(|r| r["entity"] == "src/engine.rs")
            .ok_or("engine row")?;
        assert!(close(&engine["coverage"], 0.75), "{engine}");
        // 6 * log2(9) * (1 + (5/6 + (1 - 0.75) + 12/13 / 4) / 12)
        assert!(close(&engine["score"], 20.903_217), "{engine}");
        assert!(
            engine["reason"]
                .as_str()
                .is_some_and(|r| r.contains("line coverage 75 %")),
            "{engine}"
        );
    }
    Ok(())
}

#[test]
fn a_malformed_coverage_file_names_the_file_and_line() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    for (name, text, line) in [
        ("bad.info", "SF:src/engine.rs\nDA:1,1\nDA:two,1\n", "line 3"),
        (
            "bad.xml",
            "<coverage>\n<class filename=\"a.rs\">\n<lines>\n<line number=\"1\" hits=\"x\"/>\n</lines></class></coverage>\n",
            "line 4",
        ),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, text)?;
        let out = cochange(&dir)
            .args(["--no-cache", "backlog", "--coverage"])
            .arg(&path)
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(name) && stderr.contains(line), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    Ok(())
}

#[test]
fn hotspots_work_on_a_bare_repository_and_at_an_older_revision() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let bare = tmp.path().join("bare.git");
    let status = git(tmp.path())
        .args(["clone", "-q", "--bare"])
        .arg(&dir)
        .arg("bare.git")
        .status()?;
    assert!(status.success());
    let rows = json(&bare, &["hotspots"])?;
    assert_eq!(rows[0]["entity"], "src/engine.rs");
    assert_eq!(rows[0]["loc"], 7);
    // At c5 (HEAD~3), app/service.py has its final content and src/engine.rs five lines.
    let rows = json(&dir, &["hotspots", "--at", "HEAD~3"])?;
    let loc = |name: &str| {
        rows.iter()
            .find(|r| r["entity"] == name)
            .map(|r| r["loc"].clone())
    };
    assert_eq!(loc("app/service.py"), Some(Value::from(5)));
    assert_eq!(loc("src/engine.rs"), Some(Value::from(4)));
    Ok(())
}

#[test]
fn the_backlog_ranks_change_and_size_first_as_written_down() -> Result {
    let dir = scripted_repo("make_backlog.sh")?;
    let rows = json(&dir, &["backlog", "--inactive-after", "1"])?;
    let order: Vec<&str> = rows.iter().filter_map(|r| r["entity"].as_str()).collect();
    let mut expected = vec!["src/core/engine.rs", "legacy/shared.py", "legacy/old.py"];
    let siblings: Vec<String> = (1..=10).map(|i| format!("src/rules/r{i:02}.rs")).collect();
    expected.extend(siblings.iter().map(String::as_str));
    expected.push("src/ops/cargo_test.rs");
    assert_eq!(
        order, expected,
        "the bulk siblings stay below the large, busy file"
    );
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["entity"] == name)
            .ok_or(name.to_owned())
    };
    assert_eq!(row("legacy/old.py")?["knowledge_risk"], true);
    assert_eq!(row("legacy/shared.py")?["main_dev"], "olga");
    assert_eq!(row("legacy/shared.py")?["main_dev_inactive"], true);
    assert_eq!(
        row("legacy/shared.py")?["knowledge_risk"],
        false,
        "olga holds 22 %"
    );
    assert_eq!(
        row("src/core/engine.rs")?["test_partner"],
        "tests/engine.rs",
        "a Rust file named *_test.rs is code, not a test"
    );
    // Siblings changed together only in their own folder reach nothing elsewhere.
    assert!(close(&row("src/rules/r01.rs")?["coupling"], 0.0));
    Ok(())
}

#[test]
fn eval_backlog_scores_each_ranking_against_later_fixes() -> Result {
    // make_eval.sh works the figures out beside the history.
    let dir = scripted_repo("make_eval.sh")?;
    let out = run_ok(cochange(&dir).args([
        "eval",
        "backlog",
        "--no-cache",
        "--cutoffs",
        "2",
        "--every",
        "12",
        "--horizon",
        "3",
        "--months",
        "12",
        "--k",
        "2",
        "--format",
        "csv",
    ]))?;
    let cutoff = git_output(&dir, &["rev-list", "-1", "--before=2020-10-20", "HEAD"])?;
    let cutoff = String::from_utf8(cutoff)?;
    // The first six columns; the others repeat the context (repository, measure, pattern).
    let table: Vec<String> = String::from_utf8(out.stdout)?
        .lines()
        .map(|line| line.split(',').take(6).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        table,
        [
            "cutoff,revision,files_fixed_after,revisions_precision,hotspots_precision,backlog_precision",
            &format!("2020-10-20,{},1,0,0,0.5", &cutoff[..12]),
            "mean,,1,0,0,0.5",
        ]
    );
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("only 1 of 2 cut-offs fit in the history, which starts on 2020-01-05"),
        "{stderr}"
    );

    // A pattern no subject matches leaves nothing to score, and says so.
    let out = run_ok(cochange(&dir).args([
        "eval",
        "backlog",
        "--no-cache",
        "--cutoffs",
        "1",
        "--horizon",
        "3",
        "--fix-pattern",
        "BUG-[0-9]+",
    ]))?;
    assert!(String::from_utf8(out.stderr)?.contains("no commit subject matches the fix pattern"),);
    Ok(())
}
