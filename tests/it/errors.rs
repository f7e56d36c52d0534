//! Bad input (README.md, *Exit codes*): one clear line on stderr, the documented exit code, never a panic.

use crate::util::*;

#[test]
fn not_a_repository_exits_3() -> Result {
    // Outside the project's checkout, or discovery would find the project's own repository.
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("file.txt"), "hello\n")?;
    let out = cochange(dir.path())
        .args(["summary", "--no-cache"])
        .output()?;
    fails(&out, 3, &["error:", "is not a git repository"]);
    Ok(())
}

#[test]
fn missing_path_exits_3() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir)
        .args(["summary", "--no-cache", "--repo", "does/not/exist"])
        .output()?;
    fails(&out, 3, &["`does/not/exist` is not a git repository"]);
    Ok(())
}

#[test]
fn empty_repository_exits_3_saying_there_are_no_commits() -> Result {
    let dir = scripted_repo("make_special_repos.sh")?.join("empty");
    let out = cochange(&dir).args(["mine", "--no-cache"]).output()?;
    fails(&out, 3, &["has no commits yet", "unborn"]);
    Ok(())
}

#[test]
fn unknown_revision_exits_3() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir)
        .args(["summary", "--no-cache", "--rev", "no-such-branch"])
        .output()?;
    fails(&out, 3, &["cannot resolve revision `no-such-branch`"]);
    Ok(())
}

#[test]
fn missing_tree_names_the_object_and_exits_3() -> Result {
    let dir = scripted_repo("make_special_repos.sh")?.join("broken");
    let tree = std::fs::read_to_string(git_dir(&dir).join("missing-tree.txt"))?;
    let out = cochange(&dir).args(["changes", "--no-cache"]).output()?;
    fails(&out, 3, &[&format!("cannot read tree {}", tree.trim())]);
    Ok(())
}

#[test]
fn unparsable_since_exits_2() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir)
        .args(["summary", "--no-cache", "--since", "yesterday-ish"])
        .output()?;
    fails(&out, 2, &["`--since yesterday-ish` is not a date"]);
    Ok(())
}

#[test]
fn since_after_until_exits_2() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir)
        .args([
            "summary",
            "--no-cache",
            "--since",
            "2021-01-01",
            "--until",
            "2020-01-01",
        ])
        .output()?;
    fails(
        &out,
        2,
        &["`--since 2021-01-01` is after `--until 2020-01-01`"],
    );
    Ok(())
}

#[test]
fn unknown_command_exits_2() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir).arg("no-such-command").output()?;
    assert_eq!(out.status.code(), Some(2));
    Ok(())
}

#[test]
fn help_documents_exit_codes_and_commands() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = run_ok(cochange(&dir).arg("--help"))?;
    let help = String::from_utf8(out.stdout)?;
    for needle in [
        "Exit codes:",
        "3  the repository or exported tables cannot be read",
        "mine",
        "changes",
        "summary",
        "revisions",
    ] {
        assert!(
            help.contains(needle),
            "`{needle}` missing from --help:\n{help}"
        );
    }
    Ok(())
}

#[test]
fn a_threshold_that_is_not_a_number_exits_2() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir)
        .args(["coupling", "--no-cache", "--min-revs", "five"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("invalid value 'five' for '--min-revs <N>'"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn min_degree_above_max_degree_exits_2() -> Result {
    let dir = scripted_repo("make_linear.sh")?;
    let out = cochange(&dir)
        .args([
            "coupling",
            "--no-cache",
            "--min-degree",
            "80",
            "--max-degree",
            "50",
        ])
        .output()?;
    fails(&out, 2, &["`--min-degree 80` is above `--max-degree 50`"]);
    Ok(())
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() -> Result {
    // `cochange completions bash | head -1`: the script (about 140 KB) is longer than a pipe
    // holds, so the write after the reader is gone fails with a broken pipe.
    let dir = tempfile::tempdir()?;
    let mut child = cochange(dir.path())
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    drop(child.stdout.take());
    let out = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    Ok(())
}
