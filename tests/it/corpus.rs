//! The agreement with git on real histories: flask and tokio from `../shared/corpus` (see its
//! README). Marked ignored, with the reason, where the corpus is not beside the checkout (the
//! build script looks; `COCHANGE_CORPUS` names another folder); every behaviour checked here is
//! also checked on a scripted fixture.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;

use crate::util::*;

/// Tests run on several threads of one process: one clone at a time, each in its own temporary
/// folder, moved into place only when complete.
static CLONING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The bare clone of `<name>.bundle`, made once under the generated fixtures.
fn corpus_repo(name: &str) -> Result<PathBuf> {
    let root = cochange_testtools::workspace_root();
    let bundle = std::env::var_os("COCHANGE_CORPUS")
        .map_or_else(
            || root.join("..").join("shared").join("corpus"),
            PathBuf::from,
        )
        .join(format!("{name}.bundle"));
    if !bundle.is_file() {
        return Err(format!(
            "{} not found, although it was there when the tests were built: build them again",
            bundle.display()
        )
        .into());
    }
    let dir = root.join("tests/fixtures/generated-do-not-edit/corpus");
    let repo = dir.join(format!("{name}.git"));
    let _guard = CLONING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !repo.join("HEAD").is_file() {
        std::fs::create_dir_all(&dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{name}.git.tmp-"))
            .tempdir_in(&dir)?;
        let clone = tmp.path().join("repo");
        let out = git(&dir)
            .arg("clone")
            .arg("-q")
            .arg("--bare")
            .arg(&bundle)
            .arg(&clone)
            .output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Another test process may have won the race; its clone is as good as ours.
        let _ = std::fs::rename(&clone, &repo);
    }
    Ok(repo)
}

/// Writes git's baselines for `args` next to the repository and compares them with cochange's rows.
fn agrees(repo: &Path, label: &str, git_args: &[&str], cochange_args: &[&str]) -> Result {
    let dir = tempfile::tempdir()?;
    for (kind, flag) in [("numstat", "--numstat"), ("name-status", "--name-status")] {
        let mut args = vec!["log", "-z", "--format=commit %H", flag];
        args.extend_from_slice(git_args);
        std::fs::write(
            dir.path().join(format!("baseline-{label}{kind}.z")),
            git_output(repo, &args)?,
        )?;
    }
    let expected = git_rows(dir.path(), label)?;
    let got = cochange_rows(repo, cochange_args)?;
    let _ = writeln!(
        std::io::stderr(),
        "{}: {label}: {} rows from git, {} from cochange",
        repo.display(),
        expected.len(),
        got.len()
    );
    let missing: Vec<_> = expected.difference(&got).take(5).collect();
    let extra: Vec<_> = got.difference(&expected).take(5).collect();
    assert_eq!(
        (missing, extra),
        (vec![], vec![]),
        "rows only git has, rows only cochange has"
    );
    Ok(())
}

fn corpus_agrees_with_git(name: &str) -> Result {
    let repo = corpus_repo(name)?;
    agrees(&repo, "plain-", &["--no-renames"], &["--no-renames"])?;
    agrees(&repo, "renames-", &["-M"], &[])?;
    agrees(
        &repo,
        "first-parent-",
        &["--no-renames", "--first-parent"],
        &["--no-renames", "--first-parent"],
    )
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn flask_agrees_with_git() -> Result {
    corpus_agrees_with_git("flask")
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn tokio_agrees_with_git() -> Result {
    corpus_agrees_with_git("tokio")
}

/// Non-blank lines of `text`, counted here without cochange's code: a line is blank when only
/// spaces, tabs, carriage returns, vertical tabs or form feeds remain.
fn non_blank_lines(text: &[u8]) -> u64 {
    text.split(|&b| b == b'\n')
        .filter(|line| {
            line.iter()
                .any(|b| !matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c))
        })
        .count() as u64
}

/// `loc` of every file `hotspots` lists equals the non-blank lines of `git show HEAD:<path>`.
fn loc_agrees_with_git_show(name: &str) -> Result {
    let repo = corpus_repo(name)?;
    let out = run_ok(cochange(&repo).args([
        "hotspots",
        "--all-files",
        "--no-cache",
        "--no-line-counts",
        "--format",
        "json",
    ]))?;
    let rows = json_rows(&out)?;
    assert!(rows.len() > 100, "{name}: only {} files", rows.len());
    // One `git cat-file --batch` for all files instead of a `git show` each.
    let mut input = String::new();
    for row in &rows {
        let path = row["entity"].as_str().ok_or("entity")?;
        input.push_str("HEAD:");
        input.push_str(path);
        input.push('\n');
    }
    let mut child = git(&repo)
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output()?;
    writer.join().map_err(|_| "writer panicked")??;
    let mut data = &output.stdout[..];
    let mut compared = 0;
    for row in &rows {
        let header_end = data.iter().position(|&b| b == b'\n').ok_or("header")?;
        let header = std::str::from_utf8(&data[..header_end])?;
        let size: usize = header.rsplit(' ').next().ok_or("size")?.parse()?;
        let content = &data[header_end + 1..header_end + 1 + size];
        data = &data[header_end + 2 + size..];
        assert_eq!(
            row["loc"].as_u64(),
            Some(non_blank_lines(content)),
            "{name}: {}",
            row["entity"]
        );
        compared += 1;
    }
    let _ = writeln!(
        std::io::stderr(),
        "{name}: loc of {compared} files agrees with git cat-file"
    );
    Ok(())
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn flask_loc_agrees_with_git_show() -> Result {
    loc_agrees_with_git_show("flask")
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn tokio_loc_agrees_with_git_show() -> Result {
    loc_agrees_with_git_show("tokio")
}

/// `deps --show imports` of the repository as `from<TAB>to` lines, sorted.
fn import_edges(repo: &Path) -> Result<Vec<String>> {
    let out = cochange(repo)
        .args([
            "deps",
            "--show",
            "imports",
            "--format",
            "csv",
            "--no-cache",
            "-q",
        ])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut edges: Vec<String> = String::from_utf8(out.stdout)?
        .lines()
        .skip(1)
        .map(|row| {
            let mut cells = row.split(',');
            format!(
                "{}\t{}",
                cells.next().unwrap_or(""),
                cells.next().unwrap_or("")
            )
        })
        .collect();
    edges.sort();
    Ok(edges)
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
#[cfg_attr(
    python_missing,
    ignore = "needs python3 for tests/oracles/python_imports.py"
)]
fn flask_import_edges_agree_with_pythons_ast() -> Result {
    let repo = corpus_repo("flask")?;
    let oracle = std::process::Command::new("python3")
        .arg(cochange_testtools::workspace_root().join("tests/oracles/python_imports.py"))
        .arg(&repo)
        .output()?;
    assert!(
        oracle.status.success(),
        "{}",
        String::from_utf8_lossy(&oracle.stderr)
    );
    let expected: Vec<String> = String::from_utf8(oracle.stdout)?
        .lines()
        .map(str::to_owned)
        .collect();
    let edges = import_edges(&repo)?;
    let _ = writeln!(
        std::io::stderr(),
        "flask: {} import edges from Python's ast, {} from cochange",
        expected.len(),
        edges.len()
    );
    assert!(!expected.is_empty());
    assert_eq!(edges, expected);
    Ok(())
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn flask_eval_confidence_equals_the_brute_force_computation() -> Result {
    let repo = corpus_repo("flask")?;
    let expected = crate::impact::brute_force_confidence(&repo)?;
    let _ = writeln!(
        std::io::stderr(),
        "flask: eval confidence by brute force over git log: {expected:?}"
    );
    assert_eq!(crate::impact::eval_confidence(&repo)?, expected);
    Ok(())
}

/// Of the functions of `path` in the corpus repository `name`, how many have as many commits as
/// `git log --no-merges -L start,end:path` gives for their lines, and the functions that differ.
fn xray_agreement(name: &str, path: &str) -> Result<(usize, usize, Vec<String>)> {
    let repo = corpus_repo(name)?;
    let out = run_ok(cochange(&repo).args([
        "xray",
        path,
        "--show",
        "functions",
        "--no-default-excludes",
        "--months",
        "1200",
        "--no-cache",
        "--format",
        "json",
    ]))?;
    let rows = json_rows(&out)?;
    let mut differ = Vec::new();
    for row in &rows {
        let lines = row["lines"].as_str().ok_or("lines")?;
        let ours = row["total_revisions"].as_u64().ok_or("total_revisions")?;
        let log = git(&repo)
            .args(["log", "--no-merges", "--format=%H", "--no-patch", "-L"])
            .arg(format!("{}:{path}", lines.replace('-', ",")))
            .output()?;
        let theirs = String::from_utf8(log.stdout)?.lines().count() as u64;
        if ours != theirs {
            differ.push(format!(
                "{} {lines}: {ours} against git's {theirs}",
                row["function"]
            ));
        }
    }
    Ok((rows.len() - differ.len(), rows.len(), differ))
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn function_history_agrees_with_git_log_l() -> Result {
    for (name, path) in [
        ("flask", "src/flask/app.py"),
        (
            "tokio",
            "tokio/src/runtime/scheduler/multi_thread/worker.rs",
        ),
    ] {
        let (same, all, differ) = xray_agreement(name, path)?;
        let _ = writeln!(
            std::io::stderr(),
            "{name} {path}: {same} of {all} functions as git log -L; differ: {differ:?}"
        );
        assert!(all > 20, "{name}: {all} functions");
        assert!(
            same * 100 >= all * 95,
            "{name}: {same} of {all}: {differ:?}"
        );
    }
    Ok(())
}

/// Tags the commits of `repo` whose subject `tag_of` names a tag; how many were tagged.
fn tag_releases(repo: &Path, tag_of: &dyn Fn(&str) -> Option<String>) -> Result<usize> {
    let log = String::from_utf8(git_output(repo, &["log", "--format=%H %s"])?)?;
    let mut tagged = 0;
    for line in log.lines() {
        let Some((commit, subject)) = line.split_once(' ') else {
            continue;
        };
        // The newest commit of a subject keeps the tag (git refuses a second one).
        if let Some(tag) = tag_of(subject)
            && git(repo).args(["tag", &tag, commit]).status()?.success()
        {
            tagged += 1;
        }
    }
    Ok(tagged)
}

/// tokio's "chore: prepare <crate> vX.Y.Z" commits as its maintainers tag them: `<crate>-X.Y.Z`.
fn tokio_tag(subject: &str) -> Option<String> {
    let crates = [
        "tokio",
        "tokio-util",
        "tokio-stream",
        "tokio-macros",
        "tokio-test",
    ];
    let words: Vec<&str> = subject.split(' ').collect();
    let [_, "prepare", name, version, ..] = words.as_slice() else {
        return None;
    };
    let name = name.to_lowercase();
    let version = version.strip_prefix('v')?;
    (crates.contains(&name.as_str()) && version.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| format!("{name}-{version}"))
}

/// flask's "release version X.Y.Z" commits as its maintainers tag them: `X.Y.Z`.
fn flask_tag(subject: &str) -> Option<String> {
    let lower = subject.to_lowercase();
    let (_, rest) = lower.split_once("release version ")?;
    let version = rest.split(' ').next()?.to_owned();
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(version)
}

/// In a copy of the corpus repository `name` whose release commits `tag_of` tags (the bundles
/// carry no tags), the releases of `delivery` are git's tags with their commits and times, each
/// prefixed by its component, and for a sample of commits the first release equals the earliest
/// final tag of its component that `git tag --contains` lists. `(tagged, releases, checked)`.
fn releases_agree_with_git(
    name: &str,
    tag_of: &dyn Fn(&str) -> Option<String>,
) -> Result<(usize, usize, usize)> {
    let tmp = tempfile::tempdir()?;
    let repo = tmp.path().join(format!("{name}.git"));
    let source = corpus_repo(name)?;
    let (source, copy) = (source.to_str().ok_or("path")?, repo.to_str().ok_or("path")?);
    git_output(
        tmp.path(),
        &["clone", "-q", "--bare", "--shared", source, copy],
    )?;
    let tagged = tag_releases(&repo, tag_of)?;
    let table = |show: &str| crate::delivery::table(&repo, show);
    let releases = table("releases")?;
    let listed = String::from_utf8(git_output(
        &repo,
        &[
            "for-each-ref",
            "refs/tags",
            "--format=%(refname:short) %(objectname) %(committerdate:unix)",
        ],
    )?)?;
    let from_git: BTreeSet<String> = listed.lines().map(str::to_owned).collect();
    let ours: BTreeSet<String> = releases
        .iter()
        .map(|r| {
            let tag = r["tag"].as_str().unwrap_or_default();
            let commit = from_git
                .iter()
                .find(|l| l.starts_with(&format!("{tag} ")))
                .and_then(|l| l.split(' ').nth(1))
                .unwrap_or_default();
            format!("{tag} {commit} {}", r["time"])
        })
        .collect();
    assert_eq!(ours, from_git, "{name}");
    // Final releases by component: a tag is a release of the component its prefix names.
    let mut finals: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for r in releases.iter().filter(|r| r["prerelease"] == false) {
        let (tag, component) = (
            r["tag"].as_str().unwrap_or_default(),
            r["component"].as_str().unwrap_or_default(),
        );
        assert!(
            component == "(all)" || tag.starts_with(&format!("{component}-")),
            "{tag}"
        );
        let time = r["time"].as_i64().unwrap_or_default();
        finals
            .entry(component.to_owned())
            .or_default()
            .insert(tag.to_owned(), time);
    }
    let mut checked = 0;
    for row in table("commits")?.iter().step_by(97) {
        let scope = row["component"].as_str().ok_or("component")?;
        let commit = row["commit"].as_str().ok_or("commit")?;
        let containing = String::from_utf8(git_output(&repo, &["tag", "--contains", commit])?)?;
        let of_scope = finals.get(scope).ok_or("scope")?;
        let first = containing
            .lines()
            .filter_map(|t| Some((*of_scope.get(t)?, t.to_owned())))
            .min()
            .map(|(_, t)| t);
        assert_eq!(
            row["release"].as_str().map(str::to_owned),
            first,
            "{name}: {scope} {commit}"
        );
        checked += 1;
    }
    Ok((tagged, releases.len(), checked))
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
fn releases_and_lead_times_agree_with_git_tags() -> Result {
    for (name, tag_of, least) in [
        ("tokio", &tokio_tag as &dyn Fn(&str) -> Option<String>, 100),
        ("flask", &flask_tag, 30),
    ] {
        let (tagged, releases, checked) = releases_agree_with_git(name, tag_of)?;
        let _ = writeln!(
            std::io::stderr(),
            "{name}: {tagged} release commits tagged, {releases} releases, {checked} commits' first release checked against git tag --contains"
        );
        assert!(
            tagged >= least && releases == tagged && checked > 20,
            "{name}"
        );
    }
    Ok(())
}

/// `engine` (`duckdb`, `spark`) running docs/scale.md's SQL over flask's export gives cochange's
/// rows; the counts compared go to stderr.
fn engine_agrees_on_flask(engine: &str) -> Result {
    let (pairs, entities) = crate::export::engine_agrees(engine, &corpus_repo("flask")?)?;
    let _ = writeln!(
        std::io::stderr(),
        "flask: {engine} gives cochange's {pairs} coupled pairs and {entities} entities' revisions"
    );
    assert!(pairs > 10 && entities > 100);
    Ok(())
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
#[cfg_attr(
    duckdb_missing,
    ignore = "needs the duckdb Python package (`.ci/run` installs it; or set COCHANGE_PYTHON)"
)]
fn duckdb_sql_of_the_docs_gives_cochanges_coupling_on_flask() -> Result {
    engine_agrees_on_flask("duckdb")
}

#[test]
#[cfg_attr(
    corpus_missing,
    ignore = "needs ../shared/corpus (flask.bundle, tokio.bundle)"
)]
#[cfg_attr(
    spark_missing,
    ignore = "needs PySpark and Java (`pip install pyspark`; set COCHANGE_PYTHON); CI does not install them"
)]
fn spark_sql_of_the_docs_gives_cochanges_coupling_on_flask() -> Result {
    engine_agrees_on_flask("spark")
}
