//! Trends, snapshot diff and the CI gate (docs/ci.md), and the monthly job of `examples/ci/` run
//! step by step over two "months" of `make_months.sh`.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::*;

/// A clone of the fixture at `month1` (end of March), its config, and a cache folder.
struct Month {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    config: PathBuf,
    cache: PathBuf,
    out: PathBuf,
}

fn month_one() -> Result<Month> {
    let fixture = scripted_repo("make_months.sh")?;
    let tmp = tempfile::tempdir()?;
    let repo = tmp.path().join("repo");
    let status = git(tmp.path())
        .args(["clone", "-q"])
        .arg(&fixture)
        .arg(&repo)
        .status()?;
    assert!(status.success());
    let status = git(&repo)
        .args(["reset", "-q", "--hard", "month1"])
        .status()?;
    assert!(status.success());
    Ok(Month {
        config: fixture.join(".cochange.toml"),
        cache: tmp.path().join("cache"),
        out: tmp.path().join("out"),
        repo,
        _tmp: tmp,
    })
}

/// Every snapshot a month wrote must validate against the published schema.
impl Drop for Month {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.out.exists() {
            assert_snapshots_valid(&self.out).expect("the snapshots validate");
        }
    }
}

impl Month {
    fn run(&self, args: &[&str]) -> Result<Output> {
        Ok(cochange(&self.repo)
            .arg("--config")
            .arg(&self.config)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .output()?)
    }

    fn ok(&self, args: &[&str]) -> Result<Output> {
        let out = self.run(args)?;
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(out)
    }

    /// New commits arrive: the clone moves to the fixture's last commit.
    fn next_month(&self) -> Result {
        let status = git(&self.repo)
            .args(["reset", "-q", "--hard", "origin/HEAD"])
            .status()?;
        assert!(status.success());
        Ok(())
    }

    fn path(&self, name: &str) -> String {
        self.out.join(name).display().to_string()
    }
}

#[test]
fn trends_rows_as_written_down() -> Result {
    let dir = scripted_repo("make_months.sh")?;
    let out = run_ok(cochange(&dir).args(["trends", "--no-cache", "--format", "csv"]))?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "period,change_sets,mean_files,p90_files,crossing_share,coupled_pairs,cross_component_pairs,hotspot_concentration,active_authors,teams_per_component,partial\n\
         2020-01,3,1.666667,2,0.666667,1,1,0.4,1,,false\n\
         2020-02,2,1.5,2,0.5,1,1,0.333333,1,,false\n\
         2020-03,2,1,1,0,1,1,1,1,,false\n\
         2020-04,3,1.333333,2,0.333333,1,1,0.5,1,,false\n\
         2020-05,3,1.333333,2,0.333333,1,1,0.25,2,,false\n\
         2020-06,4,1,1,0,1,1,0.75,1,,true\n"
    );
    let out = run_ok(cochange(&dir).args([
        "trends",
        "--no-cache",
        "--format",
        "csv",
        "--period",
        "quarter",
    ]))?;
    let text = String::from_utf8(out.stdout)?;
    assert!(
        text.contains("\n2020-Q1,7,") && text.contains("\n2020-Q2,10,"),
        "{text}"
    );
    // With the history cut by --since, a period whose trailing window reaches before the cut has
    // no coupled-pair counts (they would count fewer months and show a false rise).
    let coupled = |extra: &[&str]| -> Result<Vec<String>> {
        let out = run_ok(
            cochange(&dir)
                .args(["trends", "--no-cache", "--format", "csv", "--trailing", "2"])
                .args(extra),
        )?;
        Ok(String::from_utf8(out.stdout)?
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(5).unwrap_or_default().to_owned())
            .collect())
    };
    let cut = coupled(&["--since", "2020-03-01"])?;
    let whole = coupled(&[])?;
    assert_eq!(
        cut[0], "",
        "March's window reaches into February, which was cut"
    );
    assert_eq!(
        cut[1..],
        whole[3..],
        "later windows are whole and count as without the cut"
    );
    Ok(())
}

/// The sequence `examples/ci/` runs, over two months: mine into the cache, report (with the
/// last snapshot as baseline from the second month on), check against it.
#[test]
fn two_months_of_the_ci_job() -> Result {
    let month = month_one()?;
    // Month 1: no baseline yet.
    month.ok(&["mine"])?;
    month.ok(&["report", "--output", &month.path("month1")])?;
    let check = month.run(&["check"])?;
    assert_eq!(
        check.status.code(),
        Some(0),
        "absolute rules only, none configured"
    );
    let snapshot = month.path("month1/snapshot.json");

    // Month 2: ten new commits; mining reads only those.
    month.next_month()?;
    let mine = month.ok(&["mine", "--format", "json"])?;
    let stats = &json_rows(&mine)?[0];
    assert_eq!(
        (stats["from_cache"].clone(), stats["mined"].clone()),
        (7.into(), 10.into())
    );
    month.ok(&[
        "report",
        "--baseline",
        &snapshot,
        "--output",
        &month.path("month2"),
    ])?;
    let html = std::fs::read_to_string(month.out.join("month2/index.html"))?;
    assert!(html.contains("Since last time: coupling"));
    let markdown = std::fs::read_to_string(month.out.join("month2/report.md"))?;
    assert!(markdown.contains("## Since last time: hotspots"));

    // The gate: two new findings against last month, none against this month's own snapshot.
    let check = month.run(&["check", "--baseline", &snapshot])?;
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8(check.stdout)?;
    assert!(
        stdout.contains("new-cross-component-degree")
            && stdout.contains(
                "new cross-component coupling: api/handler.rs and db/query.rs at degree 100"
            ),
        "{stdout}"
    );
    assert!(
        stdout.contains("new-top-hotspots") && stdout.contains("engine/big.rs entered the top 3")
    );
    let now = month.path("month2/snapshot.json");
    let ratchet = month.run(&["check", "--baseline", &now])?;
    assert_eq!(
        ratchet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ratchet.stderr)
    );
    Ok(())
}

#[test]
fn diff_lists_what_changed_between_the_months() -> Result {
    let month = month_one()?;
    month.ok(&["report", "--output", &month.path("m1")])?;
    month.next_month()?;
    month.ok(&["report", "--output", &month.path("m2")])?;
    let out = month.ok(&[
        "diff",
        &month.path("m1/snapshot.json"),
        &month.path("m2/snapshot.json"),
        "--format",
        "json",
    ])?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let couplings = table_rows(&doc, "coupling-changes")?;
    let summary: Vec<String> = couplings
        .iter()
        .map(|r| {
            format!(
                "{} {}+{} {} -> {}",
                r["change"].as_str().unwrap_or_default(),
                r["entity"].as_str().unwrap_or_default(),
                r["coupled"].as_str().unwrap_or_default(),
                r["degree_before"],
                r["degree_after"]
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "new api/handler.rs+db/query.rs null -> 100",
            "dissolved core/x.rs+web/x.js 100 -> null"
        ]
    );
    let hotspots = table_rows(&doc, "hotspot-changes")?;
    let big = row_where(hotspots, "entity", "engine/big.rs")?;
    assert_eq!(
        (big["change"].clone(), big["rank_after"].clone()),
        ("entered".into(), 1.into())
    );
    let trends = table_rows(&doc, "trend-changes")?;
    let period = row_where(trends, "metric", "period")?;
    assert_eq!(
        (period["before"].clone(), period["after"].clone()),
        ("2020-03".into(), "2020-06".into())
    );
    assert!(
        !String::from_utf8(out.stderr)?.contains("warning"),
        "two months of one job compare like with like"
    );

    // A snapshot made with other settings, or of another repository, is compared with a warning.
    month.ok(&[
        "report",
        "--no-renames",
        "--output",
        &month.path("m2-norenames"),
    ])?;
    let other = scripted_repo("make_linear.sh")?;
    run_ok(
        cochange(&other)
            .args(["report", "--no-cache", "--quiet", "--output"])
            .arg(month.path("linear")),
    )?;
    for (new, says) in [
        ("m2-norenames", "their setting `renames` differs"),
        ("linear", "they are of different repositories"),
    ] {
        let out = month.ok(&[
            "diff",
            &month.path("m2/snapshot.json"),
            &month.path(&format!("{new}/snapshot.json")),
        ])?;
        let stderr = String::from_utf8(out.stderr)?;
        assert!(
            stderr.contains("the two snapshots may not compare like with like")
                && stderr.contains(says),
            "{stderr}"
        );
    }
    Ok(())
}

#[test]
fn check_writes_sarif_with_the_required_fields() -> Result {
    let month = month_one()?;
    month.ok(&["report", "--output", &month.path("m1")])?;
    month.next_month()?;
    let out = month.run(&[
        "check",
        "--baseline",
        &month.path("m1/snapshot.json"),
        "--format",
        "sarif",
    ])?;
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout)?;
    // SARIF 2.1.0: sarifLog needs version and runs; a run needs tool.driver.name; a result needs
    // message.text (and ruleId to name its rule).
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cochange");
    let results = run["results"].as_array().ok_or("results")?;
    assert_eq!(results.len(), 2);
    for result in results {
        assert!(result["message"]["text"].is_string());
        assert!(result["ruleId"].is_string());
        assert!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
    Ok(())
}

#[test]
fn snapshots_of_another_schema_are_refused() -> Result {
    let month = month_one()?;
    let tmp = tempfile::tempdir()?;
    let old = tmp.path().join("old.json");
    std::fs::write(&old, r#"{"schema_version": 0, "analyses": {}}"#)?;
    let garbage = tmp.path().join("garbage.json");
    std::fs::write(&garbage, "not json")?;
    for (file, needle) in [
        (
            &old,
            "has schema_version 0; this cochange reads schema_version 1",
        ),
        (&garbage, "is not a cochange snapshot"),
    ] {
        let out = month.run(&["diff", path_str(file)?, path_str(file)?])?;
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
    }
    Ok(())
}

fn path_str(path: &Path) -> Result<&str> {
    Ok(path.to_str().ok_or("path")?)
}

#[test]
fn the_ci_examples_run_the_tested_commands() -> Result {
    let root = cochange_testtools::workspace_root().join("examples/ci");
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root.join(file))?;
        for command in [
            "cochange mine",
            "cochange report",
            "--output cochange-report",
            "--baseline baseline/snapshot.json",
            "cochange check",
            "--format sarif --output check.sarif",
            "cochange-report/snapshot.json",
        ] {
            assert!(text.contains(command), "{file} lacks `{command}`");
        }
    }
    for file in ["github-pull-request.yml", "gitlab-merge-request.yml"] {
        let text = std::fs::read_to_string(root.join(file))?;
        for command in [
            "cochange impact --diff",
            "--format md --output impact.md",
            "cochange check --diff",
            "--format sarif --output missing.sarif",
        ] {
            assert!(text.contains(command), "{file} lacks `{command}`");
        }
    }
    Ok(())
}

#[test]
fn absolute_rules_and_crossing_growth() -> Result {
    let month = month_one()?;
    let tmp = tempfile::tempdir()?;
    let config = tmp.path().join("check.toml");
    std::fs::write(
        &config,
        "[thresholds]\nmin-revs = 1\nmin-shared = 2\nmin-degree = 70\n\n[check]\ncrossing-growth = 5.0\ncross-component-degree = 90\n",
    )?;
    let run = |args: &[&str]| -> Result<Output> {
        Ok(cochange(&month.repo)
            .arg("--no-cache")
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()?)
    };
    // Month 1 alone: core/x.rs + web/x.js at degree 100 crosses components (absolute rule).
    let out = run(&["check"])?;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout)?;
    assert!(
        stdout.contains("cross-component-degree")
            && stdout.contains("core/x.rs and web/x.js at degree 100"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("crossing-growth"),
        "ratchets need a baseline"
    );
    // Against a baseline where fewer change sets crossed (HEAD: 5 of 17; month 1: 3 of 7).
    month.next_month()?;
    let later = tmp.path().join("later");
    assert!(
        run(&["report", "--output", path_str(&later)?])?
            .status
            .success()
    );
    let status = git(&month.repo)
        .args(["reset", "-q", "--hard", "month1"])
        .status()?;
    assert!(status.success());
    let out = run(&[
        "check",
        "--baseline",
        path_str(&later.join("snapshot.json"))?,
    ])?;
    let stdout = String::from_utf8(out.stdout)?;
    assert!(
        stdout.contains("crossing-growth")
            && stdout.contains("grew from 29.4 % to 42.9 % (limit +5 points)"),
        "{stdout}"
    );
    Ok(())
}
