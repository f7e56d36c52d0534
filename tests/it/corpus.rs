//! The agreement with git on real histories: flask and tokio from `../shared/corpus` (see its
//! README). Skipped, with a message, where the corpus is not beside the checkout; every behaviour
//! checked here is also checked on a scripted fixture.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;

use crate::util::*;

/// The bare clone of `<name>.bundle`, made once under the generated fixtures.
fn corpus_repo(name: &str) -> Result<Option<PathBuf>> {
    let root = cochange_testtools::workspace_root();
    let bundle = std::env::var_os("COCHANGE_CORPUS")
        .map_or_else(
            || root.join("..").join("shared").join("corpus"),
            PathBuf::from,
        )
        .join(format!("{name}.bundle"));
    if !bundle.is_file() {
        let _ = writeln!(
            std::io::stderr(),
            "skipping the {name} corpus test: {} not found",
            bundle.display()
        );
        return Ok(None);
    }
    let dir = root.join("tests/fixtures/generated-do-not-edit/corpus");
    let repo = dir.join(format!("{name}.git"));
    if !repo.join("HEAD").is_file() {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!("{name}.git.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let out = git(&dir)
            .arg("clone")
            .arg("-q")
            .arg("--bare")
            .arg(&bundle)
            .arg(&tmp)
            .output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if std::fs::rename(&tmp, &repo).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
    }
    Ok(Some(repo))
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
    let Some(repo) = corpus_repo(name)? else {
        return Ok(());
    };
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
fn flask_agrees_with_git() -> Result {
    corpus_agrees_with_git("flask")
}

#[test]
fn tokio_agrees_with_git() -> Result {
    corpus_agrees_with_git("tokio")
}
