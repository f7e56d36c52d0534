//! What users see, pinned with insta: `--help` of every command, `coupling` in every format, the
//! backlog and the report's Markdown, `check` as a table and as SARIF, and the message and exit
//! code of each kind of bad input. Run with `INSTA_UPDATE=always` (or `cargo insta review`) to
//! accept a deliberate change; CI fails on any other.

use std::path::Path;
use std::process::Command;

use crate::util::*;

/// A command with the environment that keeps its output stable: no colour, a fixed width.
fn stable(mut cmd: Command) -> Command {
    cmd.env("NO_COLOR", "1").env("COLUMNS", "100");
    cmd
}

/// What a user sees of a run: the exit code, stdout and stderr.
fn seen(cmd: &mut Command) -> Result<String> {
    let out = cmd.output()?;
    Ok(format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status
            .code()
            .map_or_else(|| "none".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Masks the temporary folders of a test in its snapshots.
fn masking(dirs: &[&Path]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for dir in dirs {
        settings.add_filter(&regex::escape(&dir.display().to_string()), "[TMP]");
    }
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

const COMMANDS: &[&str] = &[
    "mine",
    "changes",
    "summary",
    "revisions",
    "coupling",
    "soc",
    "authors",
    "entity-churn",
    "author-churn",
    "abs-churn",
    "entity-ownership",
    "entity-effort",
    "main-dev",
    "refactoring-main-dev",
    "main-dev-by-revs",
    "fragmentation",
    "communication",
    "messages",
    "age",
    "hotspots",
    "backlog",
    "components",
    "deps",
    "tables",
    "knowledge",
    "teams",
    "trends",
    "diff",
    "check",
    "impact",
    "xray",
    "delivery",
    "report",
    "eval",
    "eval backlog",
    "completions",
    "manpage",
];

#[test]
fn help_of_every_command() -> Result {
    let tmp = tempfile::tempdir()?;
    let help = |args: &[&str]| -> Result<String> {
        let out = stable(cochange(tmp.path())).args(args).output()?;
        assert!(out.status.success(), "{args:?}");
        Ok(String::from_utf8(out.stdout)?)
    };
    let settings = masking(&[]);
    settings.bind(|| -> Result {
        insta::assert_snapshot!("help", help(&["--help"])?);
        for command in COMMANDS {
            let mut args: Vec<&str> = command.split(' ').collect();
            args.push("--help");
            let name = command.replace(' ', "-");
            insta::assert_snapshot!(format!("help-{name}"), help(&args)?);
        }
        Ok(())
    })
}

#[test]
fn coupling_in_every_format() -> Result {
    let dir = scripted_repo("make_coupled.sh")?;
    masking(&[&dir]).bind(|| -> Result {
        for format in ["table", "csv", "json", "md", "dot", "graphml"] {
            let out = run_ok(stable(cochange(&dir)).args([
                "coupling",
                "--no-cache",
                "--format",
                format,
            ]))?;
            insta::assert_snapshot!(format!("coupling-{format}"), String::from_utf8(out.stdout)?);
        }
        Ok(())
    })
}

#[test]
fn deps_tables_and_graph() -> Result {
    let dir = scripted_repo("make_deps.sh")?;
    masking(&[&dir]).bind(|| -> Result {
        let out = run_ok(stable(cochange(&dir)).args(["deps", "--no-cache"]))?;
        insta::assert_snapshot!("deps-table", String::from_utf8(out.stdout)?);
        let out = run_ok(stable(cochange(&dir)).args([
            "deps",
            "--no-cache",
            "--show",
            "edges",
            "--format",
            "graphml",
        ]))?;
        insta::assert_snapshot!("deps-edges-graphml", String::from_utf8(out.stdout)?);
        Ok(())
    })
}

#[test]
fn backlog_and_report_markdown() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    masking(&[&dir, tmp.path()]).bind(|| -> Result {
        let out = run_ok(stable(cochange(&dir)).args(["backlog", "--no-cache", "--format", "md"]))?;
        insta::assert_snapshot!("backlog-md", String::from_utf8(out.stdout)?);
        let report = tmp.path().join("report");
        run_ok(
            stable(cochange(&dir))
                .args(["report", "--no-cache", "--quiet", "--output"])
                .arg(&report),
        )?;
        assert_snapshots_valid(&report)?;
        insta::assert_snapshot!(
            "report-md",
            std::fs::read_to_string(report.join("report.md"))?
        );
        Ok(())
    })
}

#[test]
fn check_as_a_table_and_as_sarif() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let config = tmp.path().join("gate.toml");
    std::fs::write(
        &config,
        "[check]\nhotspot-score = 0.5\ncross-component-degree = 50\n",
    )?;
    masking(&[&dir, tmp.path()]).bind(|| -> Result {
        for format in ["table", "sarif"] {
            let mut cmd = stable(cochange(&dir));
            cmd.args([
                "check",
                "--no-cache",
                "--quiet",
                "--format",
                format,
                "--config",
            ])
            .arg(&config);
            insta::assert_snapshot!(format!("check-{format}"), seen(&mut cmd)?);
        }
        Ok(())
    })
}

#[test]
fn bad_input_gets_one_clear_message_and_its_exit_code() -> Result {
    let repo = scripted_repo("make_linear.sh")?;
    let tmp = tempfile::tempdir()?;
    let not_a_repo = tmp.path().join("plain");
    std::fs::create_dir(&not_a_repo)?;
    let empty = tmp.path().join("empty");
    git_output(tmp.path(), &["init", "-q", empty.to_str().ok_or("path")?])?;
    for (file, text) in [
        ("bad.toml", "[thresholds]\nmin-revs = 2\nmax-revs = 3\n"),
        ("glob.toml", "[exclude]\npaths = [\"src/[\"]\n"),
        (
            "snapshot.json",
            "{\"schema_version\": 1, \"title\": \"x\"}\n",
        ),
        ("lcov.info", "SF:src/a.rs\nDA:one,1\n"),
    ] {
        std::fs::write(tmp.path().join(file), text)?;
    }
    let notes = tmp.path().join("notes");
    std::fs::create_dir(&notes)?;
    std::fs::write(notes.join("todo.txt"), "keep")?;
    // (snapshot name, arguments with `{tmp}` for the test's folder, where it runs)
    let cases: [(&str, &str, &Path); 22] = [
        ("not-a-repository", "summary", &not_a_repo),
        ("no-commits", "summary", &empty),
        ("bad-date", "summary --since yesterday-ish", &repo),
        (
            "since-after-until",
            "summary --since 2020-02-01 --until 2020-01-01",
            &repo,
        ),
        ("bad-regex", "summary --author (", &repo),
        ("bad-revision", "summary --rev nope", &repo),
        ("revision-range", "summary --rev HEAD~2..HEAD", &repo),
        ("threads", "summary --threads 0", &repo),
        (
            "unknown-config-key",
            "summary --config {tmp}/bad.toml",
            &repo,
        ),
        ("bad-config-glob", "summary --config {tmp}/glob.toml", &repo),
        ("degrees", "coupling --min-degree 80 --max-degree 50", &repo),
        (
            "snapshot-of-another-shape",
            "diff {tmp}/snapshot.json {tmp}/snapshot.json",
            &repo,
        ),
        (
            "coverage-that-does-not-parse",
            "backlog --coverage {tmp}/lcov.info",
            &repo,
        ),
        ("sarif-outside-check", "summary --format sarif", &repo),
        ("graph-of-no-pairs", "summary --format dot", &repo),
        (
            "report-onto-user-files",
            "report --output {tmp}/notes",
            &repo,
        ),
        ("report-format", "report --format csv", &repo),
        ("at-range", "hotspots --at HEAD~2..HEAD", &repo),
        ("several-tables-in-csv", "knowledge --format csv", &repo),
        ("top-zero", "revisions --top 0", &repo),
        (
            "name-twice",
            "summary --repo . --repo . --name a --name a",
            &repo,
        ),
        (
            "output-onto-source",
            "revisions --output {tmp}/bad.toml",
            &repo,
        ),
    ];
    let folder = tmp.path().display().to_string();
    masking(&[&repo, tmp.path()]).bind(|| -> Result {
        for (name, args, dir) in cases {
            let mut cmd = stable(cochange(dir));
            cmd.arg("--no-cache")
                .args(args.split(' ').map(|a| a.replace("{tmp}", &folder)));
            insta::assert_snapshot!(format!("bad-{name}"), seen(&mut cmd)?);
        }
        Ok(())
    })
}

#[test]
fn a_renamed_snapshot_field_makes_check_fail_loudly() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let report = tmp.path().join("report");
    run_ok(
        cochange(&dir)
            .args(["report", "--no-cache", "--quiet", "--output"])
            .arg(&report),
    )?;
    let text = std::fs::read_to_string(report.join("snapshot.json"))?;
    assert!(
        text.contains("\"degree\":"),
        "the fixture has coupled pairs"
    );
    let renamed = tmp.path().join("renamed.json");
    std::fs::write(&renamed, text.replace("\"degree\":", "\"deg\":"))?;
    let config = tmp.path().join("gate.toml");
    std::fs::write(&config, "[check]\nnew-cross-component-degree = 50\n")?;
    let out = cochange(&dir)
        .args(["check", "--no-cache", "--quiet", "--config"])
        .arg(&config)
        .arg("--baseline")
        .arg(&renamed)
        .output()?;
    let stderr = String::from_utf8(out.stderr)?;
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("analyses.coupling.rows[0]") && stderr.contains("missing field `degree`"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn a_snapshot_of_another_shape_is_refused_even_without_rows() -> Result {
    let dir = scripted_repo("make_hotspots.sh")?;
    let tmp = tempfile::tempdir()?;
    let report = tmp.path().join("report");
    run_ok(
        cochange(&dir)
            .args(["report", "--no-cache", "--quiet", "--output"])
            .arg(&report),
    )?;
    let good = report.join("snapshot.json");
    let original: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&good)?)?;
    let mut emptied = original.clone();
    let hotspots = &mut emptied["analyses"]["hotspots"];
    hotspots["rows"] = serde_json::json!([]);
    hotspots["columns"] = serde_json::json!(["rank", "entity", "revisions", "score"]);
    let mut text_version = original;
    text_version["schema_version"] = serde_json::json!("1");
    for (doc, says) in [
        (
            &emptied,
            "at `analyses.hotspots.columns`: column `hotspot_score` is missing",
        ),
        (
            &text_version,
            "`schema_version` is \"1\", not a whole number",
        ),
    ] {
        let bad = tmp.path().join("bad.json");
        std::fs::write(&bad, serde_json::to_string(doc)?)?;
        let out = cochange(&dir).arg("diff").arg(&bad).arg(&good).output()?;
        let stderr = String::from_utf8(out.stderr)?;
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    Ok(())
}

#[test]
fn the_published_snapshot_schema_is_the_one_the_types_give() -> Result {
    let root = cochange_testtools::workspace_root();
    let path = root.join("docs/snapshot.schema.json");
    let generated = cochange_report::Snapshot::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated)?;
    }
    let published = std::fs::read_to_string(&path)?;
    assert_eq!(
        published, generated,
        "docs/snapshot.schema.json is out of date: run the tests with UPDATE_SCHEMA=1"
    );
    Ok(())
}

#[test]
fn readme_and_help_give_the_same_exit_codes() -> Result {
    let root = cochange_testtools::workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let from_readme: Vec<(String, String)> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            match cells.as_slice() {
                [code, meaning] if code.len() == 1 && code.chars().all(|c| c.is_ascii_digit()) => {
                    Some(((*code).to_owned(), (*meaning).to_owned()))
                }
                _ => None,
            }
        })
        .collect();
    let out = run_ok(stable(cochange(&root)).arg("--help"))?;
    let help = String::from_utf8(out.stdout)?;
    let codes = help
        .split("Exit codes:")
        .nth(1)
        .ok_or("no exit codes in --help")?;
    let from_help: Vec<(String, String)> = codes
        .lines()
        .filter_map(|line| {
            let (code, meaning) = line.trim().split_once("  ")?;
            Some((code.to_owned(), meaning.trim().to_owned()))
        })
        .collect();
    assert_eq!(from_readme, from_help);
    assert_eq!(from_help.len(), 5);
    Ok(())
}
