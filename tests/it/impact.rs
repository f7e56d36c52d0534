//! `impact`, `eval` and `check --diff` (docs/metrics.md, *impact* and *eval*): a change that
//! forgets its usual partner (`make_impact.sh`, expected values in its header), and `eval`'s
//! numbers against a brute-force computation over `git log`, written here apart from cochange.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::*;

fn rows(dir: &Path, args: &[&str]) -> Result<Vec<Value>> {
    json_rows(&run_ok(cochange(dir).args(args).args([
        "--no-cache",
        "--format",
        "json",
    ]))?)
}

#[test]
fn impact_diff_lists_the_forgotten_partner_with_its_evidence() -> Result {
    let dir = scripted_repo("make_impact.sh")?;
    let missing = rows(
        &dir,
        &["impact", "--diff", "base..forgets", "--show", "missing"],
    )?;
    assert_eq!(
        cells(
            &missing,
            &[
                "entity",
                "weighted_confidence",
                "confidence",
                "shared",
                "with_sets",
                "with",
                "last_together"
            ]
        ),
        ["api/schema.py | 0.843636 | 0.857143 | 6 | 7 | api/handler.py | 2020-01-08"]
    );
    let changed = rows(
        &dir,
        &["impact", "--diff", "base..forgets", "--show", "changed"],
    )?;
    assert_eq!(
        cells(
            &changed,
            &["path", "kind", "old_path", "entity", "revisions", "note"]
        ),
        [
            "api/handler.py | M | null | api/handler.py | 7 | ",
            "api/routes.py | A | null | api/routes.py | 0 | new file",
            "docs/reference.md | R | docs/api.md | docs/api.md | 1 | ",
        ]
    );
    // As the pull-request examples run it (examples/ci/): from the merge base, Markdown to a file.
    let tmp = tempfile::tempdir()?;
    let md = tmp.path().join("impact.md");
    run_ok(
        cochange(&dir)
            .args([
                "impact",
                "--no-cache",
                "--diff",
                "base...forgets",
                "--format",
                "md",
                "--output",
            ])
            .arg(&md),
    )?;
    let md = std::fs::read_to_string(md)?;
    assert!(
        md.contains(
            "| api/schema.py | 0.843636 | 0.857143 | 6 | 7 | api/handler.py | 2020-01-08 |"
        ),
        "{md}"
    );
    // The complete change misses nothing.
    assert!(
        rows(
            &dir,
            &["impact", "--diff", "base..complete", "--show", "missing"]
        )?
        .is_empty()
    );
    // A path: every file that changed with it, by the ranker asked for.
    let ranked = rows(
        &dir,
        &[
            "impact",
            "api/handler.py",
            "--ranker",
            "confidence",
            "--rev",
            "base",
        ],
    )?;
    assert_eq!(
        cells(&ranked, &["entity", "confidence", "shared"]),
        ["api/schema.py | 0.857143 | 6", "web/app.js | 0.285714 | 2"]
    );
    Ok(())
}

#[test]
fn check_diff_fails_on_the_forgotten_partner_and_passes_the_complete_change() -> Result {
    let dir = scripted_repo("make_impact.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(config.path(), "[check]\nmissing-co-change = true\n")?;
    let config = config.path().to_str().ok_or("path")?;
    let check = |range: &str| {
        cochange(&dir)
            .args([
                "--config",
                config,
                "check",
                "--no-cache",
                "--format",
                "sarif",
            ])
            .args(["--diff", range])
            .output()
    };
    let forgets = check("base..forgets")?;
    assert_eq!(forgets.status.code(), Some(1), "{forgets:?}");
    let sarif: Value = serde_json::from_slice(&forgets.stdout)?;
    let results = sarif["runs"][0]["results"].as_array().ok_or("results")?;
    let found: Vec<String> = results
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                cell_text(&r["ruleId"]),
                cell_text(&r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            )
        })
        .collect();
    assert_eq!(found, ["missing-co-change api/handler.py"]);
    let message = cell_text(&results[0]["message"]["text"]);
    assert!(
        message.starts_with("api/schema.py is likely missing: changed in 6 of the 7 change sets of api/handler.py (86 %)"),
        "{message}"
    );
    assert_eq!(check("base..complete")?.status.code(), Some(0));
    // The rule must be on: `--diff` alone is a usage error that says how.
    let off = tempfile::NamedTempFile::new()?;
    std::fs::write(off.path(), "[check]\nhotspot-score = 0.9\n")?;
    let out = cochange(&dir)
        .args([
            "--config",
            off.path().to_str().ok_or("path")?,
            "check",
            "--diff",
            "base..forgets",
        ])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)?.contains("missing-co-change = true"));
    Ok(())
}

#[test]
fn impact_reads_the_staged_change_and_the_work_tree_without_writing_the_repository() -> Result {
    let fixture = scripted_repo("make_impact.sh")?;
    let tmp = tempfile::tempdir()?;
    let clone = tmp.path().join("clone");
    let out = git(tmp.path())
        .args(["clone", "-q", "--branch", "base"])
        .arg(&fixture)
        .arg(&clone)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(clone.join("api/handler.py"), "changed\n")?;
    let index = || std::fs::read(clone.join(".git/index"));
    let before = index()?;
    let missing = |args: &[&str]| -> Result<Vec<String>> {
        Ok(cells(
            &rows(&clone, &[&["impact", "--show", "missing"], args].concat())?,
            &["entity", "shared"],
        ))
    };
    // Not staged: the work tree shows it, the index does not.
    assert_eq!(missing(&[])?, ["api/schema.py | 6"]);
    assert!(missing(&["--staged"])?.is_empty());
    assert_eq!(index()?, before, "the index is read, never written");
    let out = git(&clone).args(["add", "api/handler.py"]).output()?;
    assert!(out.status.success());
    assert_eq!(missing(&["--staged"])?, ["api/schema.py | 6"]);
    // A bare repository has no index or work tree to compare: one error that says what to do.
    let bare = tmp.path().join("bare.git");
    let out = git(tmp.path())
        .args(["clone", "-q", "--bare"])
        .arg(&fixture)
        .arg(&bare)
        .output()?;
    assert!(out.status.success());
    let out = cochange(&bare)
        .args(["impact", "--staged", "--no-cache"])
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("bare repository") && stderr.contains("--diff BASE..HEAD"),
        "{stderr}"
    );
    Ok(())
}

/// `eval`'s protocol for `confidence` by brute force: `git log` of the non-merge commits with 2
/// to 30 paths (renames as two paths), oldest first by committer time then id, the newest
/// ⌊n × 0.1⌋ tested, each query ranked over every earlier change set with plain loops.
pub fn brute_force_confidence(repo: &Path) -> Result<(u64, [f64; 4])> {
    let out = git(repo)
        .args([
            "log",
            "--no-merges",
            "--no-renames",
            "--name-only",
            "-z",
            "--format=%x00commit %H %ct",
        ])
        .output()?;
    let text = String::from_utf8(out.stdout)?;
    let mut commits: Vec<(i64, String, BTreeSet<String>)> = Vec::new();
    for field in text.split('\0') {
        let field = field.trim_matches('\n');
        if let Some(rest) = field.strip_prefix("commit ") {
            let (id, time) = rest.split_once(' ').ok_or("commit line")?;
            commits.push((time.parse()?, id.to_owned(), BTreeSet::new()));
        } else if !field.is_empty()
            && let Some(last) = commits.last_mut()
        {
            last.2.insert(field.to_owned());
        }
    }
    commits.retain(|c| (2..=30).contains(&c.2.len()));
    commits.sort();
    let tested = (commits.len() as f64 * 0.1).floor() as usize;
    let train = commits.len() - tested;
    let mut history: Vec<&BTreeSet<String>> = commits[..train].iter().map(|c| &c.2).collect();
    let (mut queries, mut hit_1, mut hit_3) = (0u64, 0u64, 0u64);
    let (mut recall_10, mut mrr) = (0.0, 0.0);
    for (_, _, files) in &commits[train..] {
        for q in files {
            let with_q: Vec<&&BTreeSet<String>> =
                history.iter().filter(|s| s.contains(q)).collect();
            if with_q.is_empty() {
                continue;
            }
            let mut shared: BTreeMap<&String, u32> = BTreeMap::new();
            for set in &with_q {
                for other in set.iter().filter(|f| *f != q) {
                    *shared.entry(other).or_default() += 1;
                }
            }
            let mut ranked: Vec<(&String, f64)> = shared
                .iter()
                .map(|(f, s)| (*f, f64::from(*s) / with_q.len() as f64))
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let hidden = files.len() - 1;
            let is_hidden = |f: &String| f != q && files.contains(f);
            queries += 1;
            hit_1 += u64::from(ranked.iter().take(1).any(|(f, _)| is_hidden(f)));
            hit_3 += u64::from(ranked.iter().take(3).any(|(f, _)| is_hidden(f)));
            recall_10 +=
                ranked.iter().take(10).filter(|(f, _)| is_hidden(f)).count() as f64 / hidden as f64;
            if let Some(rank) = ranked.iter().position(|(f, _)| is_hidden(f)) {
                mrr += 1.0 / (rank + 1) as f64;
            }
        }
        history.push(files);
    }
    let per = |x: f64| x / queries as f64;
    Ok((
        queries,
        [
            per(hit_1 as f64),
            per(hit_3 as f64),
            per(recall_10),
            per(mrr),
        ],
    ))
}

/// `eval --rankers confidence` as `(queries, [hit_1, hit_3, recall_10, mrr])`.
pub fn eval_confidence(repo: &Path) -> Result<(u64, [f64; 4])> {
    let rows = json_rows(&run_ok(cochange(repo).args([
        "eval",
        "--rankers",
        "confidence",
        "--show",
        "rankers",
        "--no-default-excludes",
        "--no-cache",
        "--format",
        "json",
    ]))?)?;
    let row = rows.first().ok_or("one row")?;
    let number = |c: &str| row[c].as_f64().ok_or(format!("{c} is a number"));
    Ok((
        row["queries"].as_u64().ok_or("queries")?,
        [
            number("hit_1")?,
            number("hit_3")?,
            number("recall_10")?,
            number("mrr")?,
        ],
    ))
}

#[test]
fn eval_confidence_equals_a_brute_force_computation_over_git_log() -> Result {
    let dir = scripted_repo("make_impact_history.sh")?;
    let expected = brute_force_confidence(&dir)?;
    assert!(
        expected.0 > 10,
        "the fixture gives enough queries: {expected:?}"
    );
    assert_eq!(eval_confidence(&dir)?, expected);
    Ok(())
}

#[test]
fn the_default_ranker_is_scored_beside_the_baselines() -> Result {
    let dir = scripted_repo("make_impact_history.sh")?;
    let rankers = rows(&dir, &["eval", "--show", "rankers"])?;
    assert_eq!(
        rankers
            .iter()
            .map(|r| cell_text(&r["ranker"]))
            .collect::<Vec<_>>(),
        [
            "default",
            "confidence",
            "support",
            "lift",
            "jaccard",
            "degree"
        ]
    );
    // Confidence and support rank a single file's partners alike (same denominator).
    assert_eq!(rankers[1]["hit_3"], rankers[2]["hit_3"]);
    let warnings = rows(
        &dir,
        &["eval", "--show", "warnings", "--min-confidence", "0.5"],
    )?;
    assert_eq!(cell_text(&warnings[0]["min_confidence"]), "0.500000");
    Ok(())
}

#[test]
fn wrong_inputs_get_one_clear_error_each() -> Result {
    let dir = scripted_repo("make_impact.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(config.path(), "[check]\nmissing-co-change = true\n")?;
    let config = config.path().to_str().ok_or("path")?;
    for (args, code, says) in [
        (vec!["impact", "--diff", "HEAD"], 2, "is not a range"),
        (vec!["impact", "--diff", "base..nosuch"], 3, "nosuch"),
        (vec!["impact", "api"], 2, "is a folder"),
        (
            vec!["impact", "/etc/hostname"],
            2,
            "outside the repository's work tree",
        ),
        (
            vec!["impact", "api/handler.py", "--show", "missing"],
            2,
            "are about a change",
        ),
        (
            vec!["impact", "--diff", "base..forgets", "--format", "csv"],
            2,
            "choose one with `--show`",
        ),
        (
            vec!["impact", "--min-confidence", "0"],
            2,
            "above 0 and at most 1",
        ),
        (vec!["impact", "--min-support", "0"], 2, "0 is not in 1.."),
        (
            vec!["eval", "--group-by", "pr"],
            2,
            "`--group-by` does not apply",
        ),
        (
            vec!["--config", config, "check"],
            2,
            "which checks a change",
        ),
    ] {
        let out = cochange(&dir).args(&args).arg("--no-cache").output()?;
        let stderr = String::from_utf8(out.stderr)?;
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    Ok(())
}
