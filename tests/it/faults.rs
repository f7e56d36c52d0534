//! Faults injected on purpose: outputs that must not destroy anything, caches that must not be
//! served stale or damaged, runs killed at random moments, full disks, two writers at once, and
//! the bad input that used to crash. Every test ends by checking that no temporary file or folder
//! was left behind.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::util::*;

/// Names that cochange gives temporary files and folders.
fn is_temporary(name: &str) -> bool {
    name.contains(".cochange-")
        || name.contains(".tmp-")
        || Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tmp"))
}

/// Fails if anything below `dir` looks like a temporary file or folder of cochange.
fn assert_no_temporaries(dir: &Path) {
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                !is_temporary(&name) || name == ".cochange-report",
                "a temporary was left behind: {}",
                entry.path().display()
            );
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry.path());
            }
        }
    }
}

fn exit_code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `changes --format json` through the cache at `cache`, and without any cache: they must agree.
fn assert_cache_agrees(repo: &Path, cache: &Path) -> Result<String> {
    let out = run_ok(
        cochange(repo)
            .args(["changes", "--no-default-excludes", "--format", "json"])
            .arg("--cache-dir")
            .arg(cache),
    )?;
    let cached = change_rows(&out)?;
    let direct = cochange_rows(repo, &[])?;
    assert_eq!(
        cached, direct,
        "the cache serves what a run without it finds"
    );
    Ok(stderr(&out))
}

fn author_churn_through(repo: &Path, cache: Option<&Path>) -> Result<String> {
    let mut cmd = cochange(repo);
    cmd.args(["author-churn", "--format", "csv", "--no-default-excludes"]);
    match cache {
        Some(cache) => cmd.arg("--cache-dir").arg(cache),
        None => cmd.arg("--no-cache"),
    };
    Ok(String::from_utf8(run_ok(&mut cmd)?.stdout)?)
}

#[test]
fn report_output_never_replaces_what_is_not_a_report() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let notes = tmp.path().join("notes");
    std::fs::create_dir(&notes)?;
    std::fs::write(notes.join("todo.txt"), "keep me")?;
    let file = tmp.path().join("file.txt");
    std::fs::write(&file, "a file")?;
    std::fs::create_dir(repo.join("sub"))?;
    let before_repo = cochange_testtools::snapshot_tree(&repo)?;
    let before_notes = cochange_testtools::snapshot_tree(&notes)?;
    // (folder the command runs in, --output): each must be refused with exit 2.
    let cases: Vec<(PathBuf, PathBuf)> = vec![
        (repo.clone(), ".git".into()),
        (repo.clone(), ".git/reports".into()),
        (repo.clone(), ".".into()),
        (repo.join("sub"), "..".into()),
        (tmp.path().to_owned(), repo.clone()),
        (tmp.path().to_owned(), notes.clone()),
        (tmp.path().to_owned(), file.clone()),
        (repo.join("sub"), tmp.path().to_owned()),
    ];
    for (cwd, output) in &cases {
        let out = cochange(cwd)
            .args(["report", "--no-cache", "--quiet", "--repo"])
            .arg(&repo)
            .arg("--output")
            .arg(output)
            .output()?;
        assert_eq!(
            exit_code(&out),
            Some(2),
            "--output {} from {}: {}",
            output.display(),
            cwd.display(),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("refusing to write `"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        cochange_testtools::snapshot_tree(&repo)?,
        before_repo,
        "the repository is byte-for-byte unchanged"
    );
    assert_eq!(cochange_testtools::snapshot_tree(&notes)?, before_notes);
    assert_eq!(std::fs::read_to_string(&file)?, "a file");
    assert_no_temporaries(tmp.path());

    // A new folder, then the same folder again: the second report replaces the first, and a
    // file the user put into the report folder stays.
    let out_dir = tmp.path().join("out");
    for _ in 0..2 {
        run_ok(
            cochange(tmp.path())
                .args(["report", "--no-cache", "--quiet", "--repo"])
                .arg(&repo)
                .arg("--output")
                .arg(&out_dir),
        )?;
        std::fs::write(out_dir.join("my-notes.md"), "mine")?;
    }
    assert_eq!(
        std::fs::read_to_string(out_dir.join("my-notes.md"))?,
        "mine"
    );
    assert!(out_dir.join("index.html").is_file());
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn single_file_output_keeps_its_mode_and_refuses_read_only_files() -> Result {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let out = tmp.path().join("revisions.csv");
    std::fs::write(&out, "old\n")?;
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640))?;
    run_ok(
        cochange(&repo)
            .args(["revisions", "--no-cache", "--format", "csv", "--output"])
            .arg(&out),
    )?;
    assert!(std::fs::read_to_string(&out)?.starts_with("entity,n-revs"));
    assert_eq!(std::fs::metadata(&out)?.permissions().mode() & 0o777, 0o640);

    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444))?;
    let before = std::fs::read(&out)?;
    let refused = cochange(&repo)
        .args(["summary", "--no-cache", "--format", "csv", "--output"])
        .arg(&out)
        .output()?;
    assert_eq!(exit_code(&refused), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("read-only"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read(&out)?, before);
    assert_eq!(std::fs::metadata(&out)?.permissions().mode() & 0o777, 0o444);
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn single_file_output_goes_where_it_is_meant_to_and_nowhere_else() -> Result {
    use std::os::unix::fs::FileTypeExt;
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let t = tmp.path();
    let refused = |out: &Path, needle: &str| -> Result {
        let result = csv_command(&repo, out).output()?;
        assert_eq!(
            exit_code(&result),
            Some(2),
            "{}: {}",
            out.display(),
            stderr(&result)
        );
        assert!(
            stderr(&result).contains(needle),
            "{needle}: {}",
            stderr(&result)
        );
        Ok(())
    };

    // A pipe is written into, never replaced. The test holds it open for reading and writing, so
    // that nothing blocks, and without waiting, so that a pipe replaced by a file fails the test
    // instead of hanging it.
    let fifo = t.join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status()?.success());
    let mut held = {
        use std::os::unix::fs::OpenOptionsExt;
        const NONBLOCK: i32 = 0o4000;
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(NONBLOCK)
            .open(&fifo)?
    };
    run_ok(&mut csv_command(&repo, &fifo))?;
    let mut piped = String::new();
    let _ = std::io::Read::read_to_string(&mut held, &mut piped);
    assert!(piped.starts_with("entity,n-revs"), "{piped:?}");
    assert!(std::fs::metadata(&fifo)?.file_type().is_fifo());

    // Through a symbolic link, the file it points to is replaced; the link stays.
    let target = t.join("real.csv");
    std::fs::write(&target, "old\n")?;
    let link = t.join("link.csv");
    std::os::unix::fs::symlink(&target, &link)?;
    run_ok(&mut csv_command(&repo, &link))?;
    assert!(std::fs::symlink_metadata(&link)?.file_type().is_symlink());
    assert!(std::fs::read_to_string(&target)?.starts_with("entity,n-revs"));

    // Refused, each with its reason, and nothing written.
    let dangling = t.join("dangling.csv");
    std::os::unix::fs::symlink(t.join("nowhere/x.csv"), &dangling)?;
    refused(&dangling, "which does not exist")?;
    refused(&t.join("no-such-folder/out.csv"), "the folder")?;
    std::fs::write(t.join("plain"), "a file")?;
    refused(&t.join("plain/out.csv"), "is a file, not a folder")?;
    refused(&git_dir(&repo).join("out.csv"), "inside the git directory")?;
    let source = repo.join("src/a.rs");
    let before = std::fs::read(&source)?;
    refused(&source, "not a kind of file cochange writes")?;
    assert_eq!(std::fs::read(&source)?, before);

    // A file committed to the repository is replaced only while git holds all of it.
    let notes = repo.join("notes.md");
    std::fs::write(&notes, "# notes\n")?;
    let git = |args: &[&str]| cochange_testtools::git(&repo).args(args).status();
    assert!(git(&["add", "notes.md"])?.success());
    assert!(git(&["commit", "-q", "-m", "notes"])?.success());
    std::fs::write(&notes, "# notes\nnot committed yet\n")?;
    refused(&notes, "not committed")?;
    assert_eq!(
        std::fs::read_to_string(&notes)?,
        "# notes\nnot committed yet\n"
    );
    assert!(git(&["checkout", "-q", "notes.md"])?.success());
    run_ok(&mut csv_command(&repo, &notes))?;

    // An input is not an output.
    let snapshot = t.join("snapshot.json");
    let report = t.join("report");
    run_ok(
        cochange(&repo)
            .args(["report", "--no-cache", "--quiet", "--output"])
            .arg(&report),
    )?;
    std::fs::copy(report.join("snapshot.json"), &snapshot)?;
    let before = std::fs::read(&snapshot)?;
    let out = cochange(&repo)
        .arg("diff")
        .arg(&snapshot)
        .arg(report.join("snapshot.json"))
        .arg("--output")
        .arg(&snapshot)
        .output()?;
    assert_eq!(exit_code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is the file read as OLD"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&snapshot)?, before);
    assert_no_temporaries(t);
    Ok(())
}

fn csv_command(repo: &Path, out: &Path) -> Command {
    let mut command = cochange(repo);
    command
        .args(["revisions", "--no-cache", "--format", "csv", "--output"])
        .arg(out);
    command
}

#[test]
fn a_flipped_byte_in_a_cache_part_is_detected_and_rebuilt() -> Result {
    let (tmp, repo) = copy_of("make_renames.sh")?;
    let cache = tmp.path().join("cache");
    assert_cache_agrees(&repo, &cache)?;
    let part = find_files(&cache, "changes-")
        .into_iter()
        .next()
        .ok_or("no changes part")?;
    let mut bytes = std::fs::read(&part)?;
    // Inside the data, away from the header and the footer: size and row count stay the same.
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle..middle + 4] {
        *byte ^= 0x55;
    }
    std::fs::write(&part, bytes)?;
    let warned = assert_cache_agrees(&repo, &cache)?;
    assert!(
        warned.contains("rebuilt") && warned.contains("checksum"),
        "{warned}"
    );
    assert_no_temporaries(tmp.path());
    Ok(())
}

/// `hotspots` through the cache at `cache`, and without any cache: they must agree; returns the
/// side tables of text measures the cache holds afterwards.
fn assert_hotspots_agree(repo: &Path, cache: &Path) -> Result<Vec<PathBuf>> {
    let args = ["hotspots", "--all-files", "--format", "csv"];
    let cached = run_ok(cochange(repo).args(args).arg("--cache-dir").arg(cache))?;
    let direct = run_ok(cochange(repo).args(args).arg("--no-cache"))?;
    assert_eq!(
        String::from_utf8(cached.stdout)?,
        String::from_utf8(direct.stdout)?,
        "the cached text measures give what measuring every blob gives"
    );
    Ok(find_files(cache, "side-text-measures-"))
}

#[test]
fn text_measures_kept_by_blob_are_never_served_damaged_or_stale() -> Result {
    let (tmp, repo) = copy_of("make_hotspots.sh")?;
    let cache = tmp.path().join("cache");
    // The first run measures every blob and keeps the measures; the second reads them back.
    let kept = assert_hotspots_agree(&repo, &cache)?;
    assert_eq!(kept.len(), 1, "one side table: {kept:?}");
    assert_eq!(
        assert_hotspots_agree(&repo, &cache)?,
        kept,
        "nothing new to keep"
    );

    // Damage inside the data: the checksum in the name no longer matches, so every blob is
    // measured again and a whole table replaces the damaged one.
    let mut bytes = std::fs::read(&kept[0])?;
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle..middle + 4] {
        *byte ^= 0x55;
    }
    std::fs::write(&kept[0], bytes)?;
    let rebuilt = assert_hotspots_agree(&repo, &cache)?;
    assert_eq!(rebuilt.len(), 1, "{rebuilt:?}");

    // A file edited in a new commit is a new blob: measured anew, the others reused.
    let file = repo.join("app/service.py");
    let mut text = std::fs::read_to_string(&file)?;
    text.push_str("\n        nested = 1\n");
    std::fs::write(&file, text)?;
    run_ok(git(&repo).args(["commit", "-qam", "deeper"]))?;
    let after = assert_hotspots_agree(&repo, &cache)?;
    assert_eq!(after.len(), 1, "the old table is replaced: {after:?}");
    assert_ne!(after, rebuilt, "the new blob's measures were kept");
    assert_no_temporaries(tmp.path());
    Ok(())
}

fn find_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry.path());
            } else if entry.file_name().to_string_lossy().starts_with(prefix) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_deepened_shallow_clone_is_mined_again() -> Result {
    let (tmp, source) = copy_of("make_linear.sh")?;
    let clone = tmp.path().join("shallow");
    let url = format!("file://{}", source.display());
    git_output(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &url,
            clone.to_str().ok_or("path")?,
        ],
    )?;
    let cache = tmp.path().join("cache");
    assert_cache_agrees(&clone, &cache)?;
    git_output(&clone, &["fetch", "-q", "--deepen", "2"])?;
    let warned = assert_cache_agrees(&clone, &cache)?;
    assert!(warned.contains("shallow boundary"), "{warned}");
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn replace_refs_added_after_caching_are_honoured() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let cache = tmp.path().join("cache");
    assert_cache_agrees(&repo, &cache)?;
    // Replace the third commit by one that changes another file.
    let third = String::from_utf8(git_output(&repo, &["rev-parse", "HEAD~2"])?)?;
    let parent = String::from_utf8(git_output(&repo, &["rev-parse", "HEAD~3"])?)?;
    std::fs::write(repo.join("other.txt"), "replaced\n")?;
    git_output(&repo, &["add", "other.txt"])?;
    let tree = String::from_utf8(git_output(&repo, &["write-tree"])?)?;
    let replacement = String::from_utf8(git_output(
        &repo,
        &[
            "commit-tree",
            tree.trim(),
            "-p",
            parent.trim(),
            "-m",
            "replacement",
        ],
    )?)?;
    git_output(&repo, &["replace", third.trim(), replacement.trim()])?;
    let warned = assert_cache_agrees(&repo, &cache)?;
    assert!(warned.contains("replace refs"), "{warned}");
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn a_mailmap_edited_after_caching_renames_the_authors() -> Result {
    let (tmp, repo) = copy_of("make_identities.sh")?;
    let cache = tmp.path().join("cache");
    let before = author_churn_through(&repo, Some(&cache))?;
    let mut mailmap = std::fs::read_to_string(repo.join(".mailmap"))?;
    mailmap.push_str("Robert Builder <bob@example.com> <bob@example.com>\n");
    std::fs::write(repo.join(".mailmap"), mailmap)?;
    let after = author_churn_through(&repo, Some(&cache))?;
    assert_eq!(after, author_churn_through(&repo, None)?);
    assert_ne!(before, after, "the edit changes an author's name");
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn grafts_are_named_in_a_warning() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let head = String::from_utf8(git_output(&repo, &["rev-parse", "HEAD"])?)?;
    std::fs::create_dir_all(repo.join(".git/info"))?;
    std::fs::write(repo.join(".git/info/grafts"), format!("{}\n", head.trim()))?;
    let out = run_ok(cochange(&repo).args(["summary", "--no-cache"]))?;
    assert!(stderr(&out).contains("info/grafts"), "{}", stderr(&out));
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn missing_blobs_are_remembered_and_retried_when_they_arrive() -> Result {
    let (tmp, source) = copy_of("make_linear.sh")?;
    git_output(&source, &["config", "uploadpack.allowFilter", "true"])?;
    let clone = tmp.path().join("blobless");
    let url = format!("file://{}", source.display());
    git_output(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            "--filter=blob:none",
            &url,
            clone.to_str().ok_or("path")?,
        ],
    )?;
    let cache = tmp.path().join("cache");
    let churn = |cache: &Path| -> Result<(String, String)> {
        let out = run_ok(
            cochange(&clone)
                .args(["entity-churn", "--format", "csv", "--cache-dir"])
                .arg(cache),
        )?;
        Ok((String::from_utf8(out.stdout.clone())?, stderr(&out)))
    };
    let (_, first) = churn(&cache)?;
    assert!(first.contains("blob(s) are missing"), "{first}");
    let (_, second) = churn(&cache)?;
    assert!(
        second.contains("blob(s) are missing"),
        "a later run through the cache still warns: {second}"
    );
    // Fetch every blob (a partial clone fetches what `rev-list --missing` asks for).
    let missing = String::from_utf8(git_output(
        &clone,
        &["rev-list", "--objects", "--all", "--missing=print"],
    )?)?;
    let ids: Vec<&str> = missing
        .lines()
        .filter_map(|l| l.strip_prefix('?'))
        .collect();
    assert!(!ids.is_empty());
    let mut fetch = git(&clone);
    fetch
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = fetch.spawn()?;
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().ok_or("stdin")?;
        for id in &ids {
            writeln!(stdin, "{id}")?;
        }
    }
    assert!(child.wait()?.success());
    let (after, third) = churn(&cache)?;
    assert!(!third.contains("blob(s) are missing"), "{third}");
    assert!(third.contains("rebuilt"), "{third}");
    let (direct, _) = churn(&tmp.path().join("fresh-cache"))?;
    assert_eq!(after, direct);
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn a_corrupt_blob_is_an_error_that_names_it() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let blob = String::from_utf8(git_output(&repo, &["rev-parse", "HEAD:src/a.rs"])?)?;
    let blob = blob.trim();
    let loose = repo.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    assert!(loose.is_file(), "fixtures keep loose objects");
    let mut permissions = std::fs::metadata(&loose)?.permissions();
    #[expect(
        clippy::permissions_set_readonly_false,
        reason = "a test damages the file"
    )]
    permissions.set_readonly(false);
    std::fs::set_permissions(&loose, permissions)?;
    std::fs::write(&loose, b"this is not zlib")?;
    let out = cochange(&repo).args(["changes", "--no-cache"]).output()?;
    assert_eq!(exit_code(&out), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(blob), "{}", stderr(&out));
    assert!(!stderr(&out).contains("partial clone"), "{}", stderr(&out));
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn a_cache_folder_that_is_a_file_is_named_not_rebuilt() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let cache = tmp.path().join("cache");
    std::fs::write(&cache, "not a folder")?;
    let out = run_ok(cochange(&repo).args(["summary", "--cache-dir"]).arg(&cache))?;
    let err = stderr(&out);
    assert!(
        err.contains("cannot be used") && err.contains("is a file"),
        "{err}"
    );
    assert!(!err.contains("rebuilt"), "{err}");
    assert_eq!(std::fs::read_to_string(&cache)?, "not a folder");
    assert_no_temporaries(tmp.path());
    Ok(())
}

/// A history long enough that mining and reporting take a while, so a kill lands inside.
fn long_history(tmp: &Path) -> Result<PathBuf> {
    let repo = tmp.join("long.git");
    cochange_testtools::synthetic_repo(
        &repo,
        &cochange_testtools::SyntheticOptions {
            commits: 3_000,
            ..cochange_testtools::SyntheticOptions::default()
        },
    )?;
    Ok(repo)
}

#[test]
fn runs_killed_at_any_moment_leave_cache_and_report_whole() -> Result {
    let tmp = tempfile::tempdir()?;
    let repo = long_history(tmp.path())?;
    let cache = tmp.path().join("cache");
    let report = tmp.path().join("report");
    let command = |what: &str| {
        let mut cmd = cochange(tmp.path());
        cmd.arg(what)
            .arg("--repo")
            .arg(&repo)
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--quiet")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if what == "report" {
            cmd.arg("--output").arg(&report);
        }
        cmd
    };
    // Kill points spread over mining and the report; fixed, so a failure is repeatable.
    for (what, millis) in [
        ("mine", 5),
        ("mine", 40),
        ("mine", 150),
        ("mine", 400),
        ("report", 30),
        ("report", 300),
        ("report", 900),
        ("report", 1_500),
    ] {
        let mut child = command(what).spawn()?;
        std::thread::sleep(Duration::from_millis(millis));
        let _ = child.kill();
        child.wait()?;
        if report.exists() {
            assert!(
                report.join("index.html").is_file() && report.join("snapshot.json").is_file(),
                "a report folder is whole or absent"
            );
        }
    }
    // A run to the end; then what a run killed while writing leaves, made by hand so that it is
    // there for sure, which the next run must sweep.
    assert!(command("mine").status()?.success());
    let cache_folder = find_files(&cache, "meta.json")
        .first()
        .and_then(|m| m.parent().map(Path::to_path_buf))
        .ok_or("no cache was written")?;
    std::fs::write(
        cache_folder.join(".tmp-changes-000009.parquet-x1y2z3"),
        "half",
    )?;
    let abandoned = tmp.path().join(".report.cochange-new-a1b2c3");
    std::fs::create_dir(&abandoned)?;
    std::fs::write(abandoned.join("index.html"), "half")?;
    // Runs after the kills sweep what the killed runs left and serve what a fresh run finds.
    assert!(command("report").status()?.success());
    assert_cache_agrees(&repo, &cache)?;
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn concurrent_writers_take_turns() -> Result {
    let tmp = tempfile::tempdir()?;
    let repo = long_history(tmp.path())?;
    let cache = tmp.path().join("cache");
    // Writers that start at different commits (two CI jobs on two branches) mine different rows
    // into what would be the same next part.
    let spawn = |rev: &str| {
        cochange(tmp.path())
            .args(["mine", "--quiet", "--rev", rev, "--repo"])
            .arg(&repo)
            .arg("--cache-dir")
            .arg(&cache)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
    };
    // Three rounds of three writers at once: the first creates the cache, the others append the
    // commits made in between.
    for round in 0..3 {
        if round > 0 {
            for i in 0..5 {
                let tree = String::from_utf8(git_output(&repo, &["rev-parse", "HEAD^{tree}"])?)?;
                let commit = String::from_utf8(git_output(
                    &repo,
                    &[
                        "commit-tree",
                        tree.trim(),
                        "-p",
                        "HEAD",
                        "-m",
                        &format!("more {round} {i}"),
                    ],
                )?)?;
                git_output(&repo, &["update-ref", "HEAD", commit.trim()])?;
            }
        }
        let children = [spawn("HEAD")?, spawn("HEAD~2")?, spawn("HEAD~4")?];
        for child in children {
            let out = child.wait_with_output()?;
            assert!(out.status.success(), "{}", stderr(&out));
            assert!(
                !stderr(&out).contains("rebuilt"),
                "round {round}: {}",
                stderr(&out)
            );
        }
    }
    let warned = assert_cache_agrees(&repo, &cache)?;
    assert!(!warned.contains("warning"), "{warned}");
    assert_no_temporaries(tmp.path());
    Ok(())
}

/// Runs `script` as root in a mount namespace of its own with a 256 KiB tmpfs at `$FULL`, so a
/// test can fill a disk without touching the machine's; `None` where namespaces are not allowed.
fn on_small_disk(dir: &Path, script: &str) -> Result<Option<Output>> {
    let full = dir.join("full");
    std::fs::create_dir_all(&full)?;
    let probe = Command::new("unshare")
        .args(["-Urm", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        return Ok(None);
    }
    let mut cmd = Command::new("unshare");
    cochange_testtools::isolate(&mut cmd);
    let out = cmd
        .args(["-Urm", "bash", "-c"])
        .arg(format!(
            "set -u; mount -t tmpfs -o size=256k tmpfs \"$FULL\" && {script}; code=$?; \
             ls -A \"$FULL\" > \"$DIR/left-on-full-disk.txt\"; exit $code"
        ))
        .env("FULL", &full)
        .env("DIR", dir)
        .env(
            "COCHANGE",
            std::env::var_os("COCHANGE_TEST_BIN")
                .unwrap_or_else(|| env!("CARGO_BIN_EXE_cochange").into()),
        )
        .current_dir(dir)
        .output()?;
    Ok(Some(out))
}

#[test]
#[cfg_attr(
    no_user_namespaces,
    ignore = "needs `unshare -Urm` (user and mount namespaces) to fill a small disk"
)]
fn a_full_disk_fails_cleanly_and_names_the_path() -> Result {
    let tmp = tempfile::tempdir()?;
    let repo = long_history(tmp.path())?;
    // The cache cannot be written: the run still succeeds, with a warning.
    let Some(mined) = on_small_disk(
        tmp.path(),
        &format!(
            "\"$COCHANGE\" summary --repo {} --cache-dir \"$FULL/cache\"",
            repo.display()
        ),
    )?
    else {
        return Err("`unshare -Urm` worked when the tests were built, not now".into());
    };
    assert!(mined.status.success(), "{}", stderr(&mined));
    assert!(
        stderr(&mined).contains("could not be written"),
        "{}",
        stderr(&mined)
    );
    let left = std::fs::read_to_string(tmp.path().join("left-on-full-disk.txt"))?;
    assert_eq!(
        left.trim(),
        "cache",
        "only the cache folder, no temporary: {left}"
    );

    // The report cannot be written: exit 4, the path named, nothing half-written left.
    let Some(reported) = on_small_disk(
        tmp.path(),
        &format!(
            "\"$COCHANGE\" report --no-cache --quiet --repo {} --output \"$FULL/report\"",
            repo.display()
        ),
    )?
    else {
        return Ok(());
    };
    assert_eq!(reported.status.code(), Some(4), "{}", stderr(&reported));
    assert!(
        stderr(&reported).contains("/full/report"),
        "{}",
        stderr(&reported)
    );
    let left = std::fs::read_to_string(tmp.path().join("left-on-full-disk.txt"))?;
    assert_eq!(left.trim(), "", "nothing is left on the full disk: {left}");
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn several_repositories_get_names_that_tell_them_apart() -> Result {
    let tmp = tempfile::tempdir()?;
    for parent in ["one", "two"] {
        std::fs::create_dir(tmp.path().join(parent))?;
        let status = Command::new("cp")
            .arg("-a")
            .arg(scripted_repo("make_linear.sh")?)
            .arg(tmp.path().join(parent).join("r"))
            .status()?;
        assert!(status.success());
    }
    let out = run_ok(
        cochange(tmp.path())
            .args(["revisions", "--no-cache", "--format", "csv"])
            .args(["--repo", "one/r", "--repo", "two/r"]),
    )?;
    let text = String::from_utf8(out.stdout.clone())?;
    assert!(text.contains("one-r/src/a.rs,4"), "{text}");
    assert!(text.contains("two-r/src/a.rs,4"), "{text}");
    assert!(stderr(&out).contains("one-r"), "{}", stderr(&out));

    // The same repository twice is read once, with a warning.
    let out = run_ok(
        cochange(tmp.path())
            .args(["entity-churn", "--no-cache", "--format", "csv"])
            .args(["--repo", "one/r", "--repo", "one/r/src"]),
    )?;
    let twice = String::from_utf8(out.stdout.clone())?;
    let once = String::from_utf8(
        run_ok(
            cochange(tmp.path())
                .args(["entity-churn", "--no-cache", "--format", "csv"])
                .args(["--repo", "one/r"]),
        )?
        .stdout,
    )?;
    assert_eq!(twice, once);
    assert!(stderr(&out).contains("same repository"), "{}", stderr(&out));
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn work_that_cannot_fit_is_refused_up_front() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let out = cochange(&repo)
        .args(["summary", "--no-cache", "--threads", "20000"])
        .output()?;
    assert_eq!(exit_code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--threads 20000"), "{}", stderr(&out));

    // One change set of 20 000 files would pair 400 million times with itself.
    let wide = tmp.path().join("wide.git");
    git_output(
        tmp.path(),
        &["init", "-q", "--bare", wide.to_str().ok_or("path")?],
    )?;
    let mut import =
        String::from("commit refs/heads/main\ncommitter a <a@a> 1577836800 +0000\ndata 4\nwide\n");
    for i in 0..20_000 {
        writeln!(import, "M 100644 inline f/{i}.txt\ndata 2\n{}", i % 10)?;
    }
    let mut child = git(&wide)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()?;
    {
        use std::io::Write;
        child
            .stdin
            .as_mut()
            .ok_or("stdin")?
            .write_all(import.as_bytes())?;
    }
    assert!(child.wait()?.success());
    let out = cochange(&wide)
        .args(["coupling", "--no-cache", "--no-line-counts"])
        .args(["--max-changeset-size", "1000000"])
        .output()?;
    assert_eq!(exit_code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--max-changeset-size"),
        "{}",
        stderr(&out)
    );
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn odd_requests_get_clear_errors() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    let expect = |args: &[&str], code: i32, says: &str| -> Result {
        let out = cochange(&repo).args(args).output()?;
        assert_eq!(exit_code(&out), Some(code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        Ok(())
    };
    expect(
        &["summary", "--no-cache", "--rev", "HEAD~2..HEAD"],
        2,
        "ranges",
    )?;

    // Windows that hold nothing say so; one that ends before it starts is refused.
    expect(
        &["summary", "--no-cache", "--since", "2030-01-01"],
        0,
        "nothing to analyse: no commit's author date falls in the window from 2030-01-01",
    )?;
    expect(
        &["summary", "--no-cache", "--author", "nobody"],
        0,
        "the filters left out all 5 commits",
    )?;
    expect(
        &["hotspots", "--no-cache", "--as-of", "2031-01-01"],
        0,
        "no commit in the window 2030-01-01",
    )?;
    expect(
        &[
            "summary",
            "--no-cache",
            "--since",
            "2020-02-01",
            "--as-of",
            "2020-01-01",
        ],
        2,
        "`--as-of 2020-01-01` is before `--since 2020-02-01`",
    )?;

    expect(&["eval", "backlog", "--no-cache", "--k", "0"], 2, "--k")?;
    expect(
        &["eval", "backlog", "--no-cache", "--fix-pattern", ".*"],
        2,
        "matches the empty text",
    )?;

    // The cache never goes into the analysed repository, and nothing is created there.
    let before = cochange_testtools::snapshot_tree(&repo)?;
    expect(
        &["summary", "--cache-dir", ".git/cochange"],
        2,
        "inside the analysed repository",
    )?;
    expect(
        &["summary", "--cache-dir", "cache"],
        2,
        "inside the analysed repository",
    )?;
    assert_eq!(cochange_testtools::snapshot_tree(&repo)?, before);

    std::fs::write(repo.join(".cochange.toml"), "[ticket]\npattern = \"\"\n")?;
    expect(
        &["coupling", "--no-cache", "--group-by", "ticket"],
        2,
        ".cochange.toml:2",
    )?;
    std::fs::remove_file(repo.join(".cochange.toml"))?;

    let sha256 = tmp.path().join("sha256");
    let init = git(tmp.path())
        .args(["init", "-q", "--object-format=sha256"])
        .arg(&sha256)
        .output()?;
    if init.status.success() {
        std::fs::write(sha256.join("a.txt"), "a\n")?;
        git_output(&sha256, &["add", "a.txt"])?;
        git_output(&sha256, &["commit", "-q", "-m", "one"])?;
        let out = cochange(&sha256).args(["summary", "--no-cache"]).output()?;
        assert_eq!(exit_code(&out), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains("SHA-256"), "{}", stderr(&out));
    }
    assert_no_temporaries(tmp.path());
    Ok(())
}

#[test]
fn age_counts_a_change_at_the_as_of_instant_and_not_one_after_it() -> Result {
    let (tmp, repo) = copy_of("make_linear.sh")?;
    // src/c.rs changed once, in the third commit, at 2020-01-03T00:00:00Z (1578009600).
    let age = |as_of: &str| -> Result<String> {
        Ok(String::from_utf8(
            run_ok(cochange(&repo).args([
                "age",
                "--no-cache",
                "--format",
                "csv",
                "--as-of",
                as_of,
            ]))?
            .stdout,
        )?)
    };
    let at = age("@1578009600")?;
    assert!(
        at.contains("src/c.rs,0"),
        "the change at the instant counts: {at}"
    );
    let before = age("@1578009599")?;
    assert!(
        !before.contains("src/c.rs"),
        "a change one second after the as-of instant does not: {before}"
    );
    assert_no_temporaries(tmp.path());
    Ok(())
}
