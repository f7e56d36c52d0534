use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cochange_miner::escape_path;
pub use cochange_testtools::{Result, git, git_output, scripted_repo};

/// The `cochange` binary with git's environment isolated and no cache unless a test asks.
/// `COCHANGE_TEST_BIN` runs the tests against another build (to show a test fails before a fix).
pub fn cochange(dir: &Path) -> Command {
    let bin = std::env::var_os("COCHANGE_TEST_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_cochange")),
        PathBuf::from,
    );
    let mut cmd = Command::new(bin);
    cochange_testtools::isolate(&mut cmd);
    cmd.current_dir(dir).env_remove("COCHANGE_CACHE_DIR");
    cmd
}

/// Runs the command and returns its output, failing with stderr if it did not succeed.
pub fn run_ok(cmd: &mut Command) -> Result<Output> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} exited with {}:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out)
}

/// Asserts that a run failed with exit code `code`, no panic and no data on stdout, and that its
/// stderr holds each of `needles`.
pub fn fails(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    }
    assert!(out.stdout.is_empty(), "no data on failure");
}

/// The rows of a `--format json` output.
pub fn json_rows(out: &Output) -> Result<Vec<serde_json::Value>> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(
        doc["schema_version"], 1,
        "JSON output carries the schema version"
    );
    Ok(doc["rows"].as_array().cloned().unwrap_or_default())
}

/// The CSV of `cochange <analysis> --no-cache --no-renames --columns code-maat --format csv
/// <extra…>` in `dir`: the command line every comparison with code-maat runs.
pub fn code_maat_csv(dir: &Path, analysis: &str, extra: &[&str]) -> Result<String> {
    let out = run_ok(
        cochange(dir)
            .args([
                analysis,
                "--no-cache",
                "--no-renames",
                "--columns",
                "code-maat",
                "--format",
                "csv",
            ])
            .args(extra),
    )?;
    Ok(String::from_utf8(out.stdout)?)
}

/// The rows of table `name` in a several-table `--format json` document (`{"tables": …}`).
pub fn table_rows<'a>(doc: &'a serde_json::Value, name: &str) -> Result<&'a [serde_json::Value]> {
    doc["tables"][name]["rows"]
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("no table {name} in the output").into())
}

/// The first of `rows` whose `column` is `value`.
pub fn row_where<'a>(
    rows: &'a [serde_json::Value],
    column: &str,
    value: &str,
) -> Result<&'a serde_json::Value> {
    rows.iter()
        .find(|r| r[column] == value)
        .ok_or_else(|| format!("no row with {column} = {value}").into())
}

/// One file change as both git and cochange can state it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub commit: String,
    pub path: String,
    pub old_path: Option<String>,
    pub kind: String,
    pub added: Option<u64>,
    pub deleted: Option<u64>,
}

/// The `git log -z` baselines of a fixture (`numstat` and `name-status` of the same range)
/// joined into rows. `renames` picks the `-M` baselines instead of the `--no-renames` ones.
pub fn git_rows(git_dir: &Path, prefix: &str) -> Result<BTreeSet<Row>> {
    let numstat = std::fs::read(git_dir.join(format!("baseline-{prefix}numstat.z")))?;
    let name_status = std::fs::read(git_dir.join(format!("baseline-{prefix}name-status.z")))?;
    let counts = parse_numstat(&numstat);
    let kinds = parse_name_status(&name_status);
    assert_eq!(
        counts.len(),
        kinds.len(),
        "numstat and name-status list the same changes"
    );
    let mut rows = BTreeSet::new();
    for ((commit, path, old_path, added, deleted), (commit2, path2, old2, kind)) in
        counts.into_iter().zip(kinds)
    {
        assert_eq!((&commit, &path, &old_path), (&commit2, &path2, &old2));
        rows.insert(Row {
            commit,
            path,
            old_path,
            kind,
            added,
            deleted,
        });
    }
    Ok(rows)
}

/// Commit, path, lines added and deleted (null when binary).
pub type Counts = (String, String, Option<u64>, Option<u64>);

/// Like [`git_rows`] but only numstat (for baselines that have no name-status twin).
pub fn git_numstat_rows(file: &Path) -> Result<BTreeSet<Counts>> {
    let data = std::fs::read(file)?;
    Ok(parse_numstat(&data)
        .into_iter()
        .map(|(c, p, _, a, d)| (c, p, a, d))
        .collect())
}

fn tokens(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == 0)
        .map(|t| t.strip_prefix(b"\n").unwrap_or(t))
        .filter(|t| !t.is_empty())
}

type Counted = (String, String, Option<String>, Option<u64>, Option<u64>);

/// Calls `entry(commit, token, rest)` for each file entry of a `git log -z --format='commit %H'`
/// output; `rest` yields the tokens after it (the two paths of a rename).
fn for_each_entry<'a>(
    data: &'a [u8],
    mut entry: impl FnMut(&str, &'a [u8], &mut dyn Iterator<Item = &'a [u8]>),
) {
    let mut commit = String::new();
    let mut it = tokens(data);
    while let Some(tok) = it.next() {
        match tok.strip_prefix(b"commit ") {
            Some(id) => String::from_utf8_lossy(id).trim().clone_into(&mut commit),
            None => entry(&commit, tok, &mut it),
        }
    }
}

fn parse_numstat(data: &[u8]) -> Vec<Counted> {
    let mut out = Vec::new();
    for_each_entry(data, |commit, tok, rest| {
        let mut fields = tok.splitn(3, |&b| b == b'\t');
        let num = |f: Option<&[u8]>| {
            std::str::from_utf8(f.unwrap_or_default())
                .ok()
                .and_then(|s| s.parse().ok())
        };
        let added = num(fields.next());
        let deleted = num(fields.next());
        let path = fields.next().unwrap_or_default();
        let (path, old) = if path.is_empty() {
            let old = rest.next().unwrap_or_default();
            (rest.next().unwrap_or_default(), Some(escape_path(old)))
        } else {
            (path, None)
        };
        out.push((commit.to_owned(), escape_path(path), old, added, deleted));
    });
    out
}

fn parse_name_status(data: &[u8]) -> Vec<(String, String, Option<String>, String)> {
    let mut out = Vec::new();
    for_each_entry(data, |commit, tok, rest| {
        let kind = String::from_utf8_lossy(&tok[..1]).into_owned();
        let (path, old) = if kind == "R" || kind == "C" {
            let old = rest.next().unwrap_or_default();
            (rest.next().unwrap_or_default(), Some(escape_path(old)))
        } else {
            (rest.next().unwrap_or_default(), None)
        };
        out.push((commit.to_owned(), escape_path(path), old, kind));
    });
    out
}

/// The changes cochange reports for the repository at `dir` with extra `args`: all of them, as
/// git lists them, so without the default excludes.
pub fn cochange_rows(dir: &Path, args: &[&str]) -> Result<BTreeSet<Row>> {
    let out = run_ok(
        cochange(dir)
            .args([
                "changes",
                "--no-cache",
                "--no-default-excludes",
                "--format",
                "json",
            ])
            .args(args),
    )?;
    change_rows(&out)
}

/// The rows of a `changes --format json` output.
pub fn change_rows(out: &Output) -> Result<BTreeSet<Row>> {
    let rows = json_rows(out)?;
    Ok(rows
        .iter()
        .map(|r| Row {
            commit: r["commit"].as_str().unwrap_or_default().to_owned(),
            path: r["path"].as_str().unwrap_or_default().to_owned(),
            old_path: r["old_path"].as_str().map(str::to_owned),
            kind: r["kind"].as_str().unwrap_or_default().to_owned(),
            added: r["added"].as_u64(),
            deleted: r["deleted"].as_u64(),
        })
        .collect())
}

/// The git dir of a non-bare fixture repository.
pub fn git_dir(repo: &Path) -> PathBuf {
    repo.join(".git")
}

/// Every `snapshot.json` below `dir` validates against the published JSON Schema
/// (`docs/snapshot.schema.json`) and reads as `diff` and `check` read it.
pub fn assert_snapshots_valid(dir: &Path) -> Result {
    let root = cochange_testtools::workspace_root();
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        root.join("docs/snapshot.schema.json"),
    )?)?;
    let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "snapshot.json") {
                let text = std::fs::read_to_string(&path)?;
                let value: serde_json::Value = serde_json::from_str(&text)?;
                let errors: Vec<String> = validator
                    .iter_errors(&value)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
                cochange_report::Snapshot::parse(&path.display().to_string(), &text)?;
            }
        }
    }
    Ok(())
}

/// `ruleId file:line` of each SARIF result that is new (`null` for a result without a line).
pub fn sarif_new_results(sarif: &serde_json::Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["baselineState"] == "new")
        .map(|r| {
            let at = &r["locations"][0]["physicalLocation"];
            format!(
                "{} {}:{}",
                r["ruleId"].as_str().unwrap_or_default(),
                at["artifactLocation"]["uri"].as_str().unwrap_or_default(),
                at["region"]["startLine"]
            )
        })
        .collect()
}

/// `report --at rev` with the config at `config` into a folder of `out`; the snapshot's path.
pub fn snapshot_at(dir: &Path, config: &str, rev: &str, out: &Path) -> Result<String> {
    let folder = out.join(rev);
    let folder = folder.to_str().ok_or("path")?;
    run_ok(cochange(dir).args([
        "--config",
        config,
        "report",
        "--no-cache",
        "--at",
        rev,
        "--output",
        folder,
    ]))?;
    Ok(format!("{folder}/snapshot.json"))
}

/// `check --format sarif` with the config at `config` against the snapshot `baseline`.
pub fn check_sarif(dir: &Path, config: &str, baseline: &str) -> std::io::Result<Output> {
    cochange(dir)
        .args([
            "--config",
            config,
            "check",
            "--no-cache",
            "--format",
            "sarif",
        ])
        .args(["--baseline", baseline])
        .output()
}

/// A JSON cell as the tests write expected rows: strings bare, floats with six decimals.
pub fn cell_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if n.is_f64() => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| format!("{f:.6}")),
        other => other.to_string(),
    }
}

/// `columns` of each row, as [`cell_text`] writes them, joined by ` | `.
pub fn cells(rows: &[serde_json::Value], columns: &[&str]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            let row: Vec<String> = columns.iter().map(|c| cell_text(&row[c])).collect();
            row.join(" | ")
        })
        .collect()
}

/// A private copy of the fixture `script`, inside a temporary folder that also holds the test's
/// other files.
pub fn copy_of(script: &str) -> Result<(tempfile::TempDir, std::path::PathBuf)> {
    let tmp = tempfile::tempdir()?;
    let repo = tmp.path().join("repo");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(scripted_repo(script)?)
        .arg(&repo)
        .status()?;
    assert!(status.success());
    Ok((tmp, repo))
}

/// Commits `file` (holding `when`) in `repo`, authored and committed at `when`.
pub fn add_commit(repo: &Path, file: &str, when: &str) -> Result {
    std::fs::write(repo.join(file), format!("{when}\n"))?;
    git_output(repo, &["add", file])?;
    commit_staged(repo, "later", when)
}

/// Commits what is staged in `repo` with `message`, authored and committed at `when`.
pub fn commit_staged(repo: &Path, message: &str, when: &str) -> Result {
    let out = git(repo)
        .args(["commit", "-q", "-m", message])
        .env("GIT_AUTHOR_DATE", when)
        .env("GIT_COMMITTER_DATE", when)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
