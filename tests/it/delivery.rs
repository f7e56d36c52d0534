//! `delivery` (docs/delivery.md): releases from tags and the lead time of each commit, against
//! the values worked out by hand beside `make_delivery.sh` and against git's own answers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::*;

/// The rows of `delivery --show SHOW` on the repository at `dir`.
pub(crate) fn table(dir: &Path, show: &str) -> Result<Vec<Value>> {
    json_rows(&run_ok(cochange(dir).args([
        "delivery",
        "--no-cache",
        "--format",
        "json",
        "--show",
        show,
    ]))?)
}

fn git_text(dir: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8(git_output(dir, args)?)?.trim().to_owned())
}

#[test]
fn releases_lead_times_and_pending_as_written_down() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    let releases = table(&dir, "releases")?;
    assert_eq!(
        cells(
            &releases,
            &[
                "tag",
                "component",
                "version",
                "prerelease",
                "annotated",
                "time",
                "commits",
                "lead_median_s",
                "lead_p90_s"
            ]
        ),
        [
            "v2.0.0-rc.1 | (all) | 2.0.0 | true | true | 1578441600 | 0 | null | null",
            "v1.1.1 | (all) | 1.1.1 | false | true | 1578272400 | 1 | 3600 | 3600",
            "web@0.2.0 | web | 0.2.0 | false | false | 1578182400 | 2 | 0 | 259200",
            "v1.1.0 | (all) | 1.1.0 | false | false | 1578182400 | 2 | 0 | 86400",
            "api-0.1.0 | api | 0.1.0 | false | true | 1578182400 | 2 | 86400 | 345600",
            "v1.0.0 | (all) | 1.0.0 | false | true | 1578052800 | 3 | 129600 | 216000",
        ]
    );
    let months = table(&dir, "months")?;
    assert_eq!(
        cells(
            &months,
            &[
                "component",
                "month",
                "releases",
                "commits",
                "lead_median_s",
                "lead_p90_s",
                "commit_delay_median_s",
                "failed",
                "change_failure_rate"
            ]
        ),
        [
            "(all) | 2020-01 | 3 | 6 | 43200 | 216000 | 0 | 2 | 0.666667",
            "api | 2020-01 | 1 | 2 | 86400 | 345600 | 0 | 1 | 1.000000",
            "web | 2020-01 | 1 | 2 | 0 | 259200 | 0 | 1 | 1.000000",
        ]
    );
    let pending = table(&dir, "pending")?;
    assert_eq!(
        cells(&pending, &["component", "subject", "age_days"]),
        [
            "(all) | fix api crash | 0",
            "(all) | Revert \"c5\" | 1",
            "api | fix api crash | 0",
            "api | c6 | 2",
            "web | Revert \"c5\" | 1"
        ]
    );
    let commits = table(&dir, "commits")?;
    let lead = |scope: &str, subject: &str| -> Option<String> {
        commits
            .iter()
            .find(|r| r["component"] == scope && r["subject"] == subject)
            .map(|r| cell_text(&r["lead_time_s"]))
    };
    assert_eq!(lead("api", "c1").as_deref(), Some("345600"));
    assert_eq!(lead("web", "c5").as_deref(), Some("0"));
    let c5 = commits.iter().find(|r| r["subject"] == "c5").ok_or("c5")?;
    assert_eq!(
        c5["commit_delay_s"], 64_800,
        "authored 18 h before it was committed"
    );
    Ok(())
}

#[test]
fn failure_proxies_and_releases_together_as_written_down() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    let releases = table(&dir, "releases")?;
    // The change-failure proxies, by hand in the fixture's header.
    let short = |subject: &str| -> Result<String> {
        let log = git_text(&dir, &["log", "--format=%h %s", "--abbrev=12"])?;
        Ok(log
            .lines()
            .find_map(|l| {
                l.split_once(' ')
                    .filter(|(_, s)| *s == subject)
                    .map(|(h, _)| h.to_owned())
            })
            .ok_or(subject.to_owned())?)
    };
    let (revert, fix) = (short("Revert \"c5\"")?, short("fix api crash")?);
    assert_eq!(
        cells(
            &releases,
            &["tag", "files", "components", "failed", "failure"]
        ),
        [
            "v2.0.0-rc.1 | 0 | 0 | false | ".to_owned(),
            format!("v1.1.1 | 1 | 1 | true | 1 fix commit on its files: {fix}"),
            format!("web@0.2.0 | 1 | 1 | true | reverted by {revert}"),
            format!("v1.1.0 | 2 | 2 | true | patch v1.1.1; reverted by {revert}"),
            format!("api-0.1.0 | 1 | 1 | true | 1 fix commit on its files: {fix}"),
            "v1.0.0 | 3 | 3 | false | ".to_owned(),
        ]
    );
    let together = table(&dir, "together")?;
    assert_eq!(
        cells(
            &together,
            &[
                "component_a",
                "component_b",
                "events_a",
                "events_b",
                "together",
                "lift",
                "change_shared",
                "change_degree"
            ]
        ),
        ["api | web | 1 | 1 | 1 | 1.000000 | 0 | 0"]
    );
    Ok(())
}

#[test]
fn releases_and_first_releases_agree_with_git() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    // git's tags: peeled commit and time (tagger date of an annotated tag, else committer date).
    let listed = git_text(
        &dir,
        &[
            "for-each-ref",
            "refs/tags",
            "--format=%(refname:short) %(objecttype) %(taggerdate:unix)",
        ],
    )?;
    let mut from_git: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for line in listed.lines() {
        let mut parts = line.split(' ');
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        let commit = git_text(&dir, &["rev-parse", &format!("{name}^{{commit}}")])?;
        let time = match (kind, parts.next()) {
            ("tag", Some(tagger)) if !tagger.is_empty() => tagger.parse()?,
            _ => git_text(&dir, &["log", "-1", "--format=%ct", name])?.parse()?,
        };
        from_git.insert(name.to_owned(), (commit, time));
    }
    assert!(
        from_git.contains_key("nightly"),
        "git lists the tag that is no release"
    );
    from_git.remove("nightly");
    let releases = table(&dir, "releases")?;
    let ours: BTreeMap<String, (String, i64)> = releases
        .iter()
        .map(|r| {
            let tag = cell_text(&r["tag"]);
            let commit = from_git.get(&tag).map(|g| g.0.clone()).unwrap_or_default();
            assert!(
                commit.starts_with(r["commit"].as_str().unwrap_or("?")),
                "{tag}"
            );
            (tag, (commit, r["time"].as_i64().unwrap_or_default()))
        })
        .collect();
    assert_eq!(ours, from_git);
    // The first final release of each scope that holds a commit, asked of git: the releases by
    // time (then name), the first of which the commit is an ancestor.
    let finals: Vec<&Value> = releases
        .iter()
        .rev()
        .filter(|r| r["prerelease"] == false)
        .collect();
    for row in table(&dir, "commits")? {
        let scope = cell_text(&row["component"]);
        let commit = cell_text(&row["commit"]);
        let mut expected = None;
        for release in finals
            .iter()
            .filter(|r| cell_text(&r["component"]) == scope)
        {
            let tag = cell_text(&release["tag"]);
            let holds = git(&dir)
                .args(["merge-base", "--is-ancestor", &commit, &tag])
                .status()?
                .success();
            if holds {
                expected = Some(tag);
                break;
            }
        }
        assert_eq!(
            row["release"].as_str().map(str::to_owned),
            expected,
            "{scope} {commit}"
        );
    }
    Ok(())
}

#[test]
fn a_release_pattern_without_a_version_is_refused_at_its_line() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "# releases\n[releases]\npattern = \"^v\\\\d+$\"\n",
    )?;
    let out = cochange(&dir)
        .args(["delivery", "--no-cache", "--config"])
        .arg(config.path())
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains(":3") && stderr.contains("no `version` group"),
        "{stderr}"
    );
    // A lead-time factor below 1 would fail every run.
    std::fs::write(config.path(), "[check]\nlead-time-growth = 0.5\n")?;
    let out = cochange(&dir)
        .args(["check", "--no-cache", "--config"])
        .arg(config.path())
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)?
            .contains("`lead-time-growth = 0.5` must be a factor of 1 or more")
    );
    // A pattern of its own: only the component tags, read by their own rule.
    std::fs::write(
        config.path(),
        "[releases]\npattern = \"^(?P<component>api|web)[-@](?P<version>\\\\d+\\\\.\\\\d+\\\\.\\\\d+)$\"\n",
    )?;
    let out = run_ok(
        cochange(&dir)
            .args([
                "delivery",
                "--no-cache",
                "--format",
                "json",
                "--show",
                "releases",
                "--config",
            ])
            .arg(config.path()),
    )?;
    let tags: BTreeSet<String> = json_rows(&out)?
        .iter()
        .map(|r| cell_text(&r["tag"]))
        .collect();
    assert_eq!(
        tags,
        BTreeSet::from(["api-0.1.0".to_owned(), "web@0.2.0".to_owned()])
    );
    Ok(())
}

#[test]
fn trends_gain_releases_lead_time_and_change_failure() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    let rows = json_rows(&run_ok(cochange(&dir).args([
        "trends",
        "--no-cache",
        "--format",
        "json",
    ]))?)?;
    // 2020-01: five final releases of every scope, four failed; the median of the ten leads.
    assert_eq!(
        cells(
            &rows,
            &[
                "period",
                "releases",
                "lead_time_median_s",
                "change_failure_rate"
            ]
        ),
        ["2020-01 | 5 | 86400 | 0.800000"]
    );
    Ok(())
}

#[test]
fn the_report_has_a_delivery_section_when_there_are_releases() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    let out = tempfile::tempdir()?;
    let report = out.path().join("report");
    run_ok(
        cochange(&dir)
            .args(["report", "--no-cache", "--quiet", "--output"])
            .arg(&report),
    )?;
    let html = std::fs::read_to_string(report.join("index.html"))?;
    assert!(
        html.contains("<section id=\"delivery\">"),
        "no delivery section"
    );
    assert!(report.join("delivery.svg").is_file() && report.join("delivery.csv").is_file());
    // The same releases as `delivery`, failed ones highlighted.
    let csv = std::fs::read_to_string(report.join("delivery.csv"))?;
    assert_eq!(csv.lines().count(), 1 + 6, "{csv}");
    assert!(html.contains("<tr class=\"hl\">"));
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("snapshot.json"))?)?;
    assert_eq!(
        snapshot["analyses"]["delivery"]["rows"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    // The median of the ten leads of every scope's final releases in the window (the fifth:
    // 0 0 3600 43200 86400 86400 129600 216000 259200 345600), for `lead-time-growth`.
    assert_eq!(snapshot["metrics"]["lead_time_median_s"], 86_400.0);
    Ok(())
}

#[test]
fn fix_commits_make_a_backlog_factor() -> Result {
    let dir = scripted_repo("make_delivery.sh")?;
    let rows = json_rows(&run_ok(cochange(&dir).args([
        "backlog",
        "--no-cache",
        "--format",
        "json",
    ]))?)?;
    assert_eq!(
        cells(&rows, &["entity", "fixes", "score"]),
        ["api/a.rs | 1 | 12.071626", "web/w.js | 0 | 5.052068"]
    );
    assert!(
        cell_text(&rows[0]["reason"]).contains("defect-prone: 1 fix commit in the window"),
        "{}",
        rows[0]
    );
    Ok(())
}

#[test]
fn a_history_without_releases_says_so() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = run_ok(cochange(&dir).args(["delivery", "--no-cache"]))?;
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("no tag is a release by the release pattern"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn merged_branches_and_their_cycle_agree_with_git() -> Result {
    let dir = scripted_repo("make_merges.sh")?;
    let rows = table(&dir, "merges")?;
    let merges = git_text(&dir, &["rev-list", "--first-parent", "--merges", "HEAD"])?;
    let mut expected = Vec::new();
    for merge in merges.lines() {
        // What the merge brought in: reachable from it, not from its first parent.
        let brought = git_text(
            &dir,
            &[
                "log",
                "--format=%at",
                &format!("{merge}^@"),
                &format!("^{merge}^1"),
            ],
        )?;
        let first: Option<i64> = brought.lines().filter_map(|t| t.parse().ok()).min();
        let merged_at: i64 = git_text(&dir, &["log", "-1", "--format=%ct", merge])?.parse()?;
        if let Some(first) = first {
            expected.push(format!(
                "{} | {} | {}",
                &merge[..12],
                brought.lines().count(),
                (merged_at - first).max(0)
            ));
        }
    }
    assert!(!expected.is_empty(), "the fixture has merges");
    assert_eq!(cells(&rows, &["merge", "commits", "cycle_s"]), expected);
    Ok(())
}
