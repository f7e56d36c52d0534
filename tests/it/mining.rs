//! `cochange changes` agrees with `git log` on every fixture.

use std::collections::BTreeSet;

use pretty_assertions::assert_eq;

use crate::util::*;

/// With `--no-renames`, cochange's rows are git's `--no-renames --numstat` and `--name-status`.
fn agrees_without_renames(script: &str, sub: &str) -> Result {
    let dir = scripted_repo(script)?.join(sub);
    let expected = git_rows(&git_dir(&dir), "")?;
    let got = cochange_rows(&dir, &["--no-renames"])?;
    assert_eq!(got, expected);
    Ok(())
}

/// With rename detection, cochange's rows are git's `-M --name-status` and `-M --numstat`.
fn agrees_with_renames(script: &str, sub: &str) -> Result {
    let dir = scripted_repo(script)?.join(sub);
    let expected = git_rows(&git_dir(&dir), "renames-")?;
    let got = cochange_rows(&dir, &[])?;
    assert_eq!(got, expected);
    Ok(())
}

macro_rules! agreement {
    ($name:ident, $script:literal) => {
        agreement!($name, $script, "");
    };
    ($name:ident, $script:literal, $sub:literal) => {
        mod $name {
            use super::*;
            #[test]
            fn no_renames() -> Result {
                agrees_without_renames($script, $sub)
            }
            #[test]
            fn renames() -> Result {
                agrees_with_renames($script, $sub)
            }
        }
    };
}

agreement!(linear, "make_linear.sh");
agreement!(coupled, "make_coupled.sh");
agreement!(merges, "make_merges.sh");
agreement!(renames, "make_renames.sh");
agreement!(rename_edges, "make_rename_edges.sh");
agreement!(binary, "make_binary.sh");
agreement!(roots, "make_roots.sh");
agreement!(identities, "make_identities.sh");
agreement!(wide_commit, "make_wide_commit.sh");
agreement!(rename_limit, "make_rename_limit.sh");
agreement!(non_utf8, "make_non_utf8.sh");
agreement!(odd_dates, "make_odd_dates.sh");
agreement!(shallow, "make_special_repos.sh", "shallow");
agreement!(detached_head, "make_special_repos.sh", "detached");
agreement!(packs_and_loose_objects, "make_special_repos.sh", "packs");
agreement!(replacement_refs, "make_special_repos.sh", "replaced");

#[test]
fn bare_repository_agrees_with_its_source() -> Result {
    let dir = scripted_repo("make_special_repos.sh")?;
    let expected = git_rows(&git_dir(&dir.join("source")), "")?;
    let got = cochange_rows(&dir.join("bare.git"), &["--no-renames"])?;
    assert_eq!(got, expected);
    Ok(())
}

#[test]
fn first_parent_diffs_merges_against_their_first_parent() -> Result {
    let dir = scripted_repo("make_merges.sh")?;
    let expected = git_numstat_rows(&git_dir(&dir).join("baseline-first-parent-numstat.z"))?;
    let got: BTreeSet<_> = cochange_rows(&dir, &["--no-renames", "--first-parent"])?
        .into_iter()
        .map(|r| (r.commit, r.path, r.added, r.deleted))
        .collect();
    assert_eq!(got, expected);
    Ok(())
}

#[test]
fn renamed_files_keep_their_history_as_one_entity() -> Result {
    let dir = scripted_repo("make_renames.sh")?;
    let out = run_ok(cochange(&dir).args(["revisions", "--no-cache", "--format", "json"]))?;
    let rows: Vec<(String, u64)> = json_rows(&out)?
        .iter()
        .map(|r| {
            (
                r["entity"].as_str().unwrap_or_default().to_owned(),
                r["n-revs"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // new/a2.txt: initial, 2 edits, exact move, edit, rename with edit.
    // reused.txt: only the new file made after the old one moved away (added, edited).
    // moved-away.txt: the old reused.txt (added as reused.txt, moved, edited).
    let expected: Vec<(String, u64)> = [
        ("new/a2.txt", 6),
        ("moved-away.txt", 3),
        ("pkg/mod/x.py", 2),
        ("pkg/mod/y.py", 2),
        ("reused.txt", 2),
        ("base.txt", 1),
    ]
    .iter()
    .map(|(e, n)| ((*e).to_owned(), *n))
    .collect();
    assert_eq!(rows, expected);
    Ok(())
}

#[test]
fn commits_and_authors_match_git_after_mailmap() -> Result {
    let dir = scripted_repo("make_identities.sh")?;
    let baseline = std::fs::read_to_string(git_dir(&dir).join("baseline-authors.txt"))?;
    let expected: BTreeSet<(String, String)> = baseline
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[1].to_owned())
        })
        .collect();
    let out = run_ok(cochange(&dir).args(["changes", "--no-cache", "--format", "json"]))?;
    let got: BTreeSet<(String, String)> = json_rows(&out)?
        .iter()
        .map(|r| {
            (
                r["commit"].as_str().unwrap_or_default().to_owned(),
                r["author"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let authors: BTreeSet<&str> = got.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        authors,
        BTreeSet::from(["Alice Liddell", "Bob Builder", "author"])
    );
    Ok(())
}

#[test]
fn author_dates_are_read_as_git_reads_them() -> Result {
    let dir = scripted_repo("make_odd_dates.sh")?;
    let baseline = std::fs::read_to_string(git_dir(&dir).join("baseline-dates.txt"))?;
    let expected: BTreeSet<(String, String)> = baseline
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(c, d)| (c.to_owned(), d.to_owned()))
        .collect();
    assert!(
        expected
            .iter()
            .any(|(_, d)| d == "2009-03-07T13:31:30+518:00"),
        "{expected:?}"
    );
    let out = run_ok(cochange(&dir).args(["changes", "--no-cache", "--format", "json"]))?;
    let got: BTreeSet<(String, String)> = json_rows(&out)?
        .iter()
        .map(|r| {
            (
                r["commit"].as_str().unwrap_or_default().to_owned(),
                r["author_time"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    Ok(())
}

#[test]
fn co_authors_and_canonical_emails_are_in_the_commits_table() -> Result {
    use cochange_miner::{CacheLocation, MineOptions, NoProgress, Options, Selection, col};

    let dir = scripted_repo("make_identities.sh")?;
    let options = Options {
        mine: MineOptions::default(),
        selection: Selection::default(),
        cache: CacheLocation::Disabled,
        threads: 1,
        name: None,
        origins: None,
    };
    let outcome = cochange_miner::mine(&dir, &options, &NoProgress)?;
    let commits = &outcome.tables.commits;
    let messages = commits.column(col::MESSAGE)?.str()?;
    let emails = commits.column(col::EMAIL)?.str()?;
    let coauthors = commits.column(col::COAUTHORS)?.list()?;
    let mut seen = 0;
    for (i, list) in coauthors.amortized_iter().enumerate() {
        let names: Vec<String> = list
            .map(|s| {
                s.as_ref()
                    .str()
                    .map(|s| s.iter().flatten().map(str::to_owned).collect())
            })
            .transpose()?
            .unwrap_or_default();
        if messages.get(i).is_some_and(|m| m.starts_with("pair work")) {
            assert_eq!(names, ["Bob Builder", "Carol Singer"]);
            assert_eq!(emails.get(i), Some("alice@example.com"));
            seen += 1;
        } else {
            assert!(names.is_empty(), "commit {i} has no co-authors: {names:?}");
        }
    }
    assert_eq!(seen, 1);
    assert_eq!(outcome.repo.is_empty(), false);
    Ok(())
}

#[test]
fn summary_counts_commits_entities_changes_and_authors() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = run_ok(cochange(&dir).args(["summary", "--no-cache", "--format", "csv"]))?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "statistic,value\nnumber-of-commits,5\nnumber-of-entities,3\nnumber-of-entities-changed,8\nnumber-of-authors,1\n"
    );
    Ok(())
}

#[test]
fn revisions_are_sorted_by_count_then_entity() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = run_ok(cochange(&dir).args(["revisions", "--no-cache", "--format", "csv"]))?;
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "entity,n-revs\nsrc/a.rs,4\nsrc/b.rs,3\nsrc/c.rs,1\n"
    );
    Ok(())
}

#[test]
fn non_utf8_paths_are_escaped_losslessly() -> Result {
    let dir = scripted_repo("make_non_utf8.sh")?;
    let listed = std::fs::read(git_dir(&dir).join("baseline-ls-files-z.bin"))?;
    let expected: BTreeSet<String> = listed
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(cochange_miner::escape_path)
        .collect();
    assert!(expected.contains("caf\\xe9.txt"), "{expected:?}");
    let got: BTreeSet<String> = cochange_rows(&dir, &[])?
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(got, expected);
    for path in &got {
        let raw = cochange_miner::unescape_path(path).ok_or("unescapable")?;
        assert!(listed.split(|&b| b == 0).any(|p| p == raw.as_slice()));
    }
    Ok(())
}

#[test]
fn since_and_until_bound_author_time() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    // Commits are authored 2020-01-01 .. 2020-01-05, one a day.
    let rows = cochange_rows(&dir, &["--since", "2020-01-02", "--until", "2020-01-04"])?;
    let commits: BTreeSet<String> = rows.into_iter().map(|r| r.commit).collect();
    assert_eq!(commits.len(), 3);
    Ok(())
}

#[test]
fn missing_blobs_give_null_line_counts_and_one_warning() -> Result {
    let dir = scripted_repo("make_special_repos.sh")?.join("blobless");
    let missing = std::fs::read_to_string(git_dir(&dir).join("missing-blob.txt"))?;
    let out =
        run_ok(cochange(&dir).args(["changes", "--no-cache", "--no-renames", "--format", "json"]))?;
    let stderr = String::from_utf8(out.stderr.clone())?;
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    assert!(
        stderr.contains("1 blob(s) are missing") && stderr.contains(missing.trim()),
        "{stderr}"
    );
    let rows = json_rows(&out)?;
    let nulls = rows.iter().filter(|r| r["added"].is_null()).count();
    // The missing first version of big.txt is the new side of commit 1 and the old side of commit 2.
    assert_eq!(nulls, 2);
    assert_eq!(rows.len(), 12);
    Ok(())
}

#[test]
fn shallow_clone_warns_and_covers_what_exists() -> Result {
    let dir = scripted_repo("make_special_repos.sh")?.join("shallow");
    let out = run_ok(cochange(&dir).args(["summary", "--no-cache"]))?;
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("warning: the repository is a shallow clone"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn commands_leave_the_repository_byte_for_byte_unchanged() -> Result {
    let fixture = scripted_repo("make_merges.sh")?;
    let copy = tempfile::tempdir()?;
    let repo = copy.path().join("repo");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(&fixture)
        .arg(&repo)
        .status()?;
    assert!(status.success());
    let cache = tempfile::tempdir()?;
    let before = cochange_testtools::snapshot_tree(&repo)?;
    for command in ["mine", "changes", "summary", "revisions"] {
        run_ok(
            cochange(&repo)
                .arg(command)
                .arg("--cache-dir")
                .arg(cache.path()),
        )?;
    }
    run_ok(cochange(&repo).args(["changes", "--no-cache", "--first-parent", "--all"]))?;
    let after = cochange_testtools::snapshot_tree(&repo)?;
    assert!(before == after, "the repository changed");
    Ok(())
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = run_ok(cochange(&dir).args(["mine", "--no-cache"]))?;
    assert_eq!(String::from_utf8(out.stderr)?, "");
    Ok(())
}

#[test]
fn explain_prints_the_effective_settings_to_stderr() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = run_ok(cochange(&dir).args([
        "summary",
        "--no-cache",
        "--explain",
        "--no-renames",
        "--since",
        "2020-01-02",
    ]))?;
    let stderr = String::from_utf8(out.stderr)?;
    for needle in [
        "renames: off",
        "line counts: on",
        "history analysed (author time): from 2020-01-02T00:00:00Z",
        "cache: off",
    ] {
        assert!(
            stderr.contains(needle),
            "`{needle}` missing from:\n{stderr}"
        );
    }
    assert!(String::from_utf8(out.stdout)?.starts_with("statistic"));
    Ok(())
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_empty() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let target = tempfile::tempdir()?;
    let file = target.path().join("revisions.csv");
    let out = run_ok(
        cochange(&dir)
            .args(["revisions", "--no-cache", "--format", "csv", "--output"])
            .arg(&file),
    )?;
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&file)?,
        "entity,n-revs\nsrc/a.rs,4\nsrc/b.rs,3\nsrc/c.rs,1\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(target.path())?.collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    Ok(())
}

#[test]
fn all_and_rev_start_where_git_log_starts() -> Result {
    let dir = scripted_repo("make_merges.sh")?;
    for (ours, theirs) in [
        (vec!["--all"], vec!["--all"]),
        (vec!["--rev", "HEAD~1"], vec!["HEAD~1"]),
        (
            vec!["--rev", "unmerged", "--rev", "HEAD~2"],
            vec!["unmerged", "HEAD~2"],
        ),
    ] {
        let mut args = vec!["log", "--format=%H"];
        args.extend(&theirs);
        let expected: BTreeSet<String> = String::from_utf8(git_output(&dir, &args)?)?
            .lines()
            .map(str::to_owned)
            .collect();
        let out = run_ok(
            cochange(&dir)
                .args(["mine", "--no-cache", "--format", "json"])
                .args(&ours),
        )?;
        let commits = json_rows(&out)?[0]["commits"].as_u64().unwrap_or(0);
        assert_eq!(commits, expected.len() as u64, "{ours:?}");
    }
    Ok(())
}

#[test]
fn several_repositories_are_kept_apart_by_name() -> Result {
    let linear = scripted_repo("make_linear.sh")?;
    let renames = scripted_repo("make_renames.sh")?;
    let out = run_ok(
        cochange(&linear)
            .args([
                "revisions",
                "--no-cache",
                "--format",
                "csv",
                "--top",
                "3",
                "--repo",
            ])
            .arg(&linear)
            .arg("--repo")
            .arg(&renames),
    )?;
    // Folders are named by their fixture hash; entities carry that name as a prefix.
    let name = |dir: &std::path::Path| {
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let expected = format!(
        "entity,n-revs\n{r}/new/a2.txt,6\n{l}/src/a.rs,4\n{l}/src/b.rs,3\n",
        l = name(&linear),
        r = name(&renames)
    );
    assert_eq!(String::from_utf8(out.stdout)?, expected);
    Ok(())
}

#[test]
fn a_commit_above_the_rename_limit_is_named_in_a_warning() -> Result {
    let dir = scripted_repo("make_rename_limit.sh")?;
    let head = String::from_utf8(git_output(&dir, &["rev-parse", "HEAD"])?)?;
    let out = run_ok(cochange(&dir).args(["mine", "--no-cache"]))?;
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains(&format!(
            "1 commit(s) delete and add too many files to compare each pair for renames (git's diff.renameLimit, 1000): as git does, only identical files and unique file names were paired there; the first is {}",
            head.trim()
        )),
        "{stderr}"
    );
    Ok(())
}
