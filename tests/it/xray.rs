//! `xray` (docs/xray.md): functions edited, added, deleted, renamed and moved inside a file and
//! across files (`make_xray.sh`, expected values in its header, git's own `log -L` written
//! beside the repository), and the agreement with `git log -L` on the corpus.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::*;

fn rows(dir: &Path, args: &[&str]) -> Result<Vec<Value>> {
    json_rows(&run_ok(
        cochange(dir)
            .args(["xray", "--no-cache", "--format", "json"])
            .args(args),
    )?)
}

#[test]
fn functions_their_history_and_coupling_as_written_down() -> Result {
    let dir = scripted_repo("make_xray.sh")?;
    let files = ["app/service.py", "app/storage.py"];
    let functions = rows(&dir, &[&files[..], &["--show", "functions"]].concat())?;
    assert_eq!(
        cells(
            &functions,
            &[
                "file",
                "function",
                "lines",
                "cyclomatic",
                "cognitive",
                "nesting",
                "parameters",
                "revisions",
                "authors",
                "main_dev",
                "first_change",
                "hotspot_score"
            ]
        ),
        [
            "app/service.py | validate | 1-2 | 2 | 1 | 0 | 1 | 4 | 3 | Cid | 2020-01-02 | 0.250000",
            "app/service.py | verify | 4-5 | 1 | 0 | 0 | 1 | 3 | 1 | Ann | 2020-01-01 | 0.000000",
            "app/storage.py | store | 1-4 | 3 | 2 | 1 | 2 | 4 | 3 | Ann | 2020-01-06 | 0.500000",
        ]
    );
    // git's own line log gives the same commits for each function; for validate, git's log
    // stops at its move and is asked again from where it was before.
    let git_dir = dir.join(".git");
    for (row, name) in functions.iter().zip(["validate", "verify", "store"]) {
        let mut baseline = std::fs::read_to_string(git_dir.join(format!("xray-{name}.txt")))?;
        if name == "validate" {
            baseline += &std::fs::read_to_string(git_dir.join("xray-validate-moved.txt"))?;
        }
        assert_eq!(row["total_revisions"], baseline.lines().count(), "{name}");
    }
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "[thresholds]\nmin-revs = 1\nmin-shared = 2\nmin-degree = 30\n",
    )?;
    let coupling = json_rows(&run_ok(
        cochange(&dir)
            .arg("--config")
            .arg(config.path())
            .args([
                "xray",
                "--no-cache",
                "--format",
                "json",
                "--show",
                "coupling",
            ])
            .args(files),
    )?)?;
    assert_eq!(
        cells(
            &coupling,
            &[
                "entity",
                "coupled",
                "shared",
                "degree",
                "confidence_ab",
                "confidence_ba",
                "same_file"
            ]
        ),
        ["app/service.py:validate | app/storage.py:store | 2 | 50 | 0.500000 | 0.500000 | false"]
    );
    let pairs = rows(&dir, &["--pair", files[0], files[1], "--show", "pairs"])?;
    assert_eq!(
        cells(
            &pairs,
            &[
                "function_a",
                "function_b",
                "shared",
                "revisions_a",
                "revisions_b"
            ]
        ),
        ["validate | store | 2 | 4 | 4"]
    );
    // With --pair and no file, the other tables look inside the pair, not the top hotspots.
    let inside_pair = rows(
        &dir,
        &[
            "--hotspots",
            "1",
            "--pair",
            files[0],
            files[1],
            "--show",
            "functions",
        ],
    )?;
    assert_eq!(cells(&inside_pair, &["file"]).len(), 3, "{inside_pair:?}");
    // A file given twice is looked inside once.
    let twice = rows(&dir, &[files[1], files[1], "--show", "functions"])?;
    assert_eq!(cells(&twice, &["function"]), ["store"]);
    Ok(())
}

#[test]
fn without_files_the_top_hotspots_are_looked_inside() -> Result {
    let dir = scripted_repo("make_xray.sh")?;
    let functions = rows(&dir, &["--hotspots", "1", "--show", "functions"])?;
    // The file `hotspots` ranks first (service.py: 8 revisions against storage.py's 4).
    let hotspots = json_rows(&run_ok(cochange(&dir).args([
        "hotspots",
        "--no-cache",
        "--format",
        "json",
        "--top",
        "1",
    ]))?)?;
    let first = cell_text(&hotspots[0]["entity"]);
    assert!(!functions.is_empty());
    assert!(
        functions.iter().all(|r| cell_text(&r["file"]) == first),
        "{functions:?}"
    );
    Ok(())
}

#[test]
fn the_backlog_names_where_a_files_changes_concentrate() -> Result {
    let dir = scripted_repo("make_xray.sh")?;
    let backlog = json_rows(&run_ok(cochange(&dir).args([
        "backlog",
        "--no-cache",
        "--format",
        "json",
    ]))?)?;
    let row = |file: &str| backlog.iter().find(|r| r["entity"] == file);
    let service = row("app/service.py").ok_or("app/service.py is not in the backlog")?;
    assert_eq!(service["functions"], "validate, verify");
    let reason = cell_text(&service["reason"]);
    assert!(
        reason.ends_with(
            "its changes concentrate in `validate` (4 of 8, cognitive 1, nesting 0) and `verify` \
             (3 of 8, cognitive 0, nesting 0)"
        ),
        "{reason}"
    );
    // storage.py holds one function: naming it would tell nothing.
    let storage = row("app/storage.py").ok_or("app/storage.py is not in the backlog")?;
    assert_eq!(storage["functions"], "");
    assert!(!cell_text(&storage["reason"]).contains('`'), "{storage}");
    Ok(())
}
