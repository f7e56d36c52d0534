//! Knowledge by replay: line origins from the mined diffs against `git blame`, the oracle
//! (`make_origins.sh` writes its answer), and the cache that keeps them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cochange_miner::{CacheLocation, LineOrigins, MineOptions, NoProgress, Options, Selection};
use pretty_assertions::assert_eq;

use crate::util::*;

/// Per file, the commits of its non-blank lines and how many each: what git blame says.
fn blame_baseline(repo: &Path) -> Result<BTreeMap<String, BTreeMap<String, u32>>> {
    let text = std::fs::read_to_string(git_dir(repo).join("baseline-blame.txt"))?;
    let mut out: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    let mut file = String::new();
    for line in text.lines() {
        match line.strip_prefix("file ") {
            Some(path) => {
                path.clone_into(&mut file);
                out.entry(file.clone()).or_default();
            }
            None => {
                *out.entry(file.clone())
                    .or_default()
                    .entry(line.to_owned())
                    .or_default() += 1;
            }
        }
    }
    Ok(out)
}

fn replayed(origins: &LineOrigins) -> BTreeMap<String, BTreeMap<String, u32>> {
    origins
        .files
        .iter()
        .map(|f| (f.path.clone(), f.lines.iter().cloned().collect()))
        .collect()
}

fn mine_origins(repo: &Path, cache: CacheLocation) -> Result<LineOrigins> {
    let options = Options {
        mine: MineOptions::default(),
        selection: Selection::default(),
        cache,
        threads: 2,
        name: None,
        origins: Some("HEAD".into()),
    };
    let outcome = cochange_miner::mine(repo, &options, &NoProgress)?;
    outcome.origins.ok_or_else(|| "no origins".into())
}

#[test]
fn replayed_origins_equal_git_blame_through_moves_renames_and_merges() -> Result {
    let dir = scripted_repo("make_origins.sh")?;
    let origins = mine_origins(&dir, CacheLocation::Disabled)?;
    assert_eq!(replayed(&origins), blame_baseline(&dir)?);
    assert!(origins.unknown.is_empty() && origins.binary.is_empty());
    Ok(())
}

#[test]
fn a_moved_file_keeps_the_knowledge_of_who_wrote_it() -> Result {
    let dir = scripted_repo("make_origins.sh")?;
    let args = [
        "knowledge",
        "--no-cache",
        "--format",
        "json",
        "--show",
        "files",
    ];
    let rows = json_rows(&run_ok(cochange(&dir).args(args))?)?;
    // Expected beside the fixture: olga (inactive) wrote 4 of models.py's 7 lines, 3 of
    // helpers.py's 7, none of side.py's.
    let inactive: Vec<(&str, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap_or_default(),
                r["lines"].as_u64().unwrap_or_default(),
                r["inactive_lines"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        inactive,
        [
            ("src/helpers.py", 7, 3),
            ("src/models.py", 7, 4),
            ("src/side.py", 2, 0)
        ]
    );
    Ok(())
}

/// The one file named `name` below `dir`.
fn find_in(dir: &Path, name: &str) -> Result<PathBuf> {
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)?.flatten() {
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            } else if entry.file_name() == name {
                return Ok(entry.path());
            }
        }
    }
    Err(format!("no `{name}` below `{}`", dir.display()).into())
}

#[test]
fn the_cache_keeps_origins_and_replays_only_new_commits() -> Result {
    let tmp = tempfile::tempdir()?;
    let repo = tmp.path().join("repo");
    let fixture = scripted_repo("make_origins.sh")?;
    run_ok(
        git(tmp.path())
            .arg("clone")
            .arg("-q")
            .arg(&fixture)
            .arg(&repo),
    )?;
    let cache = CacheLocation::Dir(tmp.path().join("cache"));
    let first = mine_origins(&repo, cache.clone())?;
    assert_eq!(first.replayed, 9, "c1 to c9");
    let again = mine_origins(&repo, cache.clone())?;
    assert_eq!((again.replayed, &again.files), (0, &first.files));
    // The second run counted nothing either: it read the counts the first one kept. Damaged,
    // they are not read, and the stored origins are counted again.
    let counts = find_in(&tmp.path().join("cache"), "origin-counts.parquet")?;
    let mut bytes = std::fs::read(&counts)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&counts, bytes)?;
    assert_eq!(mine_origins(&repo, cache.clone())?, again);

    // Two new commits on top: only they are replayed, and the result is a fresh run's.
    std::fs::write(repo.join("src/side.py"), "s1\nchanged\ns2\n")?;
    run_ok(git(&repo).args(["commit", "-qam", "c10"]))?;
    std::fs::write(repo.join("src/new.py"), "n1\n")?;
    run_ok(git(&repo).args(["add", "src/new.py"]))?;
    run_ok(git(&repo).args(["commit", "-qm", "c11"]))?;
    let incremental = mine_origins(&repo, cache)?;
    assert_eq!(incremental.replayed, 2);
    let fresh = mine_origins(&repo, CacheLocation::Disabled)?;
    assert_eq!(incremental.files, fresh.files);
    Ok(())
}

#[test]
fn the_offboarding_simulation_names_what_is_orphaned() -> Result {
    let dir = scripted_repo("make_origins.sh")?;
    let args = [
        "knowledge",
        "--no-cache",
        "--format",
        "json",
        "--leaving",
        "pat",
    ];
    let doc: serde_json::Value =
        serde_json::from_slice(&run_ok(cochange(&dir).args(args))?.stdout)?;
    let files = table_rows(&doc, "leaving-files")?;
    let got: Vec<(&str, u64, f64, bool)> = files
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap_or_default(),
                r["leaving_lines"].as_u64().unwrap_or_default(),
                r["knowledge_loss_after"].as_f64().unwrap_or_default(),
                r["orphaned"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("src/helpers.py", 3, 6.0 / 7.0, true),
            ("src/models.py", 1, 5.0 / 7.0, false)
        ]
    );
    let src = row_where(table_rows(&doc, "leaving-components")?, "component", "src")?;
    assert_eq!(
        (
            &src["lines"],
            &src["leaving_lines"],
            &src["orphaned_files"],
            &src["bus_factor"],
            &src["bus_factor_after"]
        ),
        (&16.into(), &4.into(), &1.into(), &2.into(), &1.into())
    );
    // Someone the history does not know is a usage error that names them.
    let out = cochange(&dir)
        .args(["knowledge", "--no-cache", "--leaving", "nobody"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--leaving nobody`"));
    Ok(())
}

#[test]
fn code_age_counts_surviving_lines_by_year() -> Result {
    let dir = scripted_repo("make_origins.sh")?;
    let args = [
        "knowledge",
        "--no-cache",
        "--format",
        "json",
        "--show",
        "age",
    ];
    let rows = json_rows(&run_ok(cochange(&dir).args(args))?)?;
    let got: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["component"].as_str().unwrap_or_default(),
                r["year"].as_str().unwrap_or_default(),
                r["lines"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(got, [("(all)", "2020", 16), ("src", "2020", 16)]);
    Ok(())
}
