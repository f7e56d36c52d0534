//! The incremental cache (docs/architecture.md, *The cache*): reuse, incremental mining, and rebuilding what is broken.

use std::path::Path;

use crate::util::*;

/// `mine --format json` as `(commits, from_cache, mined, tree_diffs, cache state, stderr)`.
fn mine(repo: &Path, cache: &Path) -> Result<(u64, u64, u64, u64, String, String)> {
    let out = run_ok(
        cochange(repo)
            .args(["mine", "--format", "json", "--cache-dir"])
            .arg(cache),
    )?;
    let row = json_rows(&out)?.into_iter().next().ok_or("no row")?;
    let n = |k: &str| row[k].as_u64().unwrap_or(u64::MAX);
    Ok((
        n("commits"),
        n("from_cache"),
        n("mined"),
        n("tree_diffs"),
        row["cache"].as_str().unwrap_or_default().to_owned(),
        String::from_utf8(out.stderr)?,
    ))
}

fn cache_files(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![cache.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn second_run_does_no_tree_diffs_and_new_commits_are_mined_alone() -> Result {
    let (_tmp, repo) = copy_of("make_merges.sh")?;
    let cache = tempfile::tempdir()?;
    let first = mine(&repo, cache.path())?;
    assert_eq!(
        (first.0, first.1, first.2, first.4.as_str()),
        (10, 0, 10, "created")
    );
    // 8 non-merge commits are diffed against their parent, and the merges against each of
    // theirs for the replay of line origins: 2 parents and 4 (the octopus).
    assert_eq!(first.3, 8 + 2 + 4);

    let second = mine(&repo, cache.path())?;
    assert_eq!(
        (second.0, second.1, second.2, second.3, second.4.as_str()),
        (10, 10, 0, 0, "used")
    );

    add_commit(&repo, "new.txt", "1600000000 +0000")?;
    add_commit(&repo, "new.txt", "1600086400 +0000")?;
    let third = mine(&repo, cache.path())?;
    assert_eq!((third.0, third.1, third.2, third.3), (12, 10, 2, 2));

    // The result through the cache equals a run without it.
    let cached = cochange_rows_with_cache(&repo, cache.path())?;
    let direct = cochange_rows(&repo, &[])?;
    assert_eq!(cached, direct);
    Ok(())
}

fn cochange_rows_with_cache(repo: &Path, cache: &Path) -> Result<std::collections::BTreeSet<Row>> {
    let out = run_ok(
        cochange(repo)
            .args(["changes", "--format", "json", "--cache-dir"])
            .arg(cache),
    )?;
    change_rows(&out)
}

fn damaged_cache_is_rebuilt(damage: impl Fn(&Path)) -> Result {
    let (_tmp, repo) = copy_of("make_linear.sh")?;
    let cache = tempfile::tempdir()?;
    mine(&repo, cache.path())?;
    for file in cache_files(cache.path()) {
        damage(&file);
    }
    let again = mine(&repo, cache.path())?;
    assert_eq!(
        (again.0, again.2, again.4.as_str()),
        (5, 5, "rebuilt"),
        "{}",
        again.5
    );
    assert!(again.5.contains("warning: the cache at"), "{}", again.5);
    let after = mine(&repo, cache.path())?;
    assert_eq!((after.2, after.4.as_str()), (0, "used"));
    Ok(())
}

#[test]
fn truncated_cache_is_detected_and_rebuilt() -> Result {
    damaged_cache_is_rebuilt(|file| {
        if file.extension().is_some_and(|e| e == "parquet") {
            let data = std::fs::read(file).expect("readable");
            std::fs::write(file, &data[..data.len() / 2]).expect("writable");
        }
    })
}

#[test]
fn garbage_cache_is_detected_and_rebuilt() -> Result {
    damaged_cache_is_rebuilt(|file| {
        let len = std::fs::metadata(file).map_or(0, |m| m.len()) as usize;
        std::fs::write(file, vec![b'x'; len]).expect("writable");
    })
}

#[test]
fn cache_from_another_version_is_rebuilt() -> Result {
    damaged_cache_is_rebuilt(|file| {
        if file.file_name().is_some_and(|n| n == "meta.json") {
            let text = std::fs::read_to_string(file).expect("readable");
            let text = text.replace(env!("CARGO_PKG_VERSION"), "0.0.0-old");
            std::fs::write(file, text).expect("writable");
        }
    })
}

/// The option folders below the cache root.
fn cache_flavours(cache: &Path) -> Vec<String> {
    let mut out: Vec<String> = cache_files(cache)
        .iter()
        .filter_map(|f| {
            f.parent()?
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn analyses_without_line_counts_mine_without_them_or_reuse_a_cache_with_them() -> Result {
    let repo = scripted_repo("make_linear.sh")?;
    let cold = tempfile::tempdir()?;
    run_ok(
        cochange(&repo)
            .args(["coupling", "--cache-dir"])
            .arg(cold.path()),
    )?;
    assert_eq!(
        cache_flavours(cold.path()),
        ["all-parents-renames-no-lines"]
    );

    let warm = tempfile::tempdir()?;
    run_ok(
        cochange(&repo)
            .args(["mine", "--cache-dir"])
            .arg(warm.path()),
    )?;
    for command in ["coupling", "soc", "revisions", "summary"] {
        run_ok(
            cochange(&repo)
                .args([command, "--cache-dir"])
                .arg(warm.path()),
        )?;
    }
    assert_eq!(cache_flavours(warm.path()), ["all-parents-renames-lines"]);
    Ok(())
}

/// `xray --show functions` of the X-ray fixture's service file as `function revisions` lines,
/// through the cache at `cache` (`None`: without one).
fn xray_revisions(repo: &Path, cache: Option<&Path>) -> Result<Vec<String>> {
    let mut cmd = cochange(repo);
    cmd.args([
        "xray",
        "app/service.py",
        "--show",
        "functions",
        "--format",
        "json",
    ]);
    match cache {
        Some(cache) => cmd.arg("--cache-dir").arg(cache),
        None => cmd.arg("--no-cache"),
    };
    let rows = json_rows(&run_ok(&mut cmd)?)?;
    Ok(rows
        .iter()
        .map(|r| format!("{} {}", r["function"], r["total_revisions"]))
        .collect())
}

#[test]
fn followed_functions_are_reused_for_the_same_commit_only() -> Result {
    let (_tmp, repo) = copy_of("make_xray.sh")?;
    let cache = tempfile::tempdir()?;
    let fresh = xray_revisions(&repo, None)?;
    assert_eq!(fresh, ["\"validate\" 4", "\"verify\" 3"]);
    assert_eq!(xray_revisions(&repo, Some(cache.path()))?, fresh);
    let stored: Vec<_> = cache_files(cache.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("side-range-history"))
        .collect();
    assert_eq!(stored.len(), 1, "the followed ranges are stored");
    assert_eq!(xray_revisions(&repo, Some(cache.path()))?, fresh);
    // A damaged side table is not read (its name's checksum no longer holds): followed again.
    std::fs::write(&stored[0], b"damaged")?;
    assert_eq!(xray_revisions(&repo, Some(cache.path()))?, fresh);
    // A new commit that edits verify: what was followed from the old HEAD is not served.
    let service = repo.join("app/service.py");
    let text = std::fs::read_to_string(&service)?.replace("x >= 0", "x >= 1");
    std::fs::write(&service, text)?;
    let out = git(&repo)
        .args(["commit", "-qam", "c10"])
        .env("GIT_AUTHOR_DATE", "2020-02-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2020-02-01T00:00:00Z")
        .output()?;
    assert!(out.status.success());
    assert_eq!(
        xray_revisions(&repo, Some(cache.path()))?,
        ["\"validate\" 4", "\"verify\" 4"]
    );
    Ok(())
}
