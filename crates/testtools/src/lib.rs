/*!
Deterministic git repositories for cochange's tests and benches.

# Brief overview

- [`scripted_repo`] runs `tests/fixtures/repos/<script>` (a bash script using plain `git`) once in a
  fresh folder with a fixed clock and isolated git configuration, and caches the result under
  `tests/fixtures/generated-do-not-edit/`, keyed by a hash of the script and `tests/fixtures/lib.sh`.
  Scripts write git's own answers beside the repository (for example
  `.git/baseline-numstat.z`), which tests compare against: git is the oracle.
- [`git`] gives a `git` command with the same isolated environment, for asking git at test time.
- [`synthetic_repo`] builds a large, realistic history with `git fast-import` from a seed, for
  benchmarks at 100 000 commits without downloading anything.
- [`synthetic_changes`] makes change-set rows without git, for measuring analyses on a million
  change sets.

# Example

```no_run
let dir = cochange_testtools::scripted_repo("make_linear.sh")?;
assert!(dir.join(".git").is_dir());
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

mod synthetic;
mod tables;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use synthetic::{SyntheticOptions, synthetic_repo};
pub use tables::synthetic_changes;

/// The result type of test helpers: any error, shown with its message.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root (where the top-level `Cargo.toml` is): two levels above this crate.
pub fn workspace_root() -> PathBuf {
    // Cargo sets `CARGO_MANIFEST_DIR` when it runs a test too; prefer that over the folder this
    // crate was compiled in, which a target directory shared between clones may carry over.
    let runtime = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let compiled = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    runtime
        .into_iter()
        .chain([compiled.clone()])
        .find_map(|start| {
            start
                .ancestors()
                .find(|dir| dir.join("tests/fixtures/lib.sh").is_file())
                .map(Path::to_path_buf)
        })
        .map_or_else(
            || compiled.join("..").join(".."),
            |root| fs::canonicalize(&root).unwrap_or(root),
        )
}

fn fixtures_dir() -> PathBuf {
    workspace_root().join("tests").join("fixtures")
}

/// Variables that would make git look outside the fixture.
const UNSET: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIX_PACK_CACHE_MEMORY",
    "GIX_OBJECT_CACHE_MEMORY",
];

/// Sets the isolated, deterministic git environment on `cmd` (gix's `configure_command`).
pub fn isolate(cmd: &mut Command) -> &mut Command {
    for name in UNSET {
        cmd.env_remove(name);
    }
    let config = [
        ("init.defaultBranch", "main"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
        ("gc.auto", "0"),
        ("core.autocrlf", "false"),
        ("protocol.file.allow", "always"),
        ("advice.detachedHead", "false"),
    ];
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_AUTHOR_DATE", "2000-01-01 00:00:00 +0000")
        .env("GIT_COMMITTER_DATE", "2000-01-02 00:00:00 +0000")
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("GIT_CONFIG_COUNT", config.len().to_string());
    for (i, (key, value)) in config.iter().enumerate() {
        cmd.env(format!("GIT_CONFIG_KEY_{i}"), key)
            .env(format!("GIT_CONFIG_VALUE_{i}"), value);
    }
    cmd
}

/// A `git` command in `dir` with the isolated environment.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    isolate(&mut cmd).current_dir(dir);
    cmd
}

/// Runs `git args…` in `dir` and returns its stdout; fails with git's stderr.
pub fn git_output(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = git(dir).args(args).output()?;
    if !out.status.success() {
        return Err(format!(
            "git {args:?} failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

/// Runs the fixture script `tests/fixtures/repos/<script>` once and returns the folder it ran in.
///
/// The result is cached by a hash of the script and `lib.sh`; it is built in a temporary sibling
/// folder and renamed into place, so tests running in parallel processes never see a half-built
/// fixture (if another process won the race, its copy is kept).
pub fn scripted_repo(script: &str) -> Result<PathBuf> {
    let fixtures = fixtures_dir();
    let script_path = fixtures.join("repos").join(script);
    let lib = fixtures.join("lib.sh");
    let mut key = fs::read(&script_path)
        .map_err(|e| format!("cannot read {}: {e}", script_path.display()))?;
    key.extend(fs::read(&lib)?);
    let stem = script.trim_end_matches(".sh");
    let base = fixtures.join("generated-do-not-edit").join(stem);
    let dir = base.join(format!("{:016x}", fnv1a(&key)));
    if dir.is_dir() {
        return Ok(dir);
    }
    fs::create_dir_all(&base)?;
    let tmp = base.join(format!(
        "tmp-{}-{:x}",
        std::process::id(),
        fnv1a(format!("{:?}", std::thread::current().id()).as_bytes())
    ));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir_all(&tmp)?;
    let mut cmd = Command::new("bash");
    isolate(&mut cmd)
        .arg(&script_path)
        .current_dir(&tmp)
        .env("FIXTURE_LIB", &lib);
    let out = cmd.output()?;
    if !out.status.success() {
        let _ = fs::remove_dir_all(&tmp);
        return Err(format!(
            "fixture script {script} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    if fs::rename(&tmp, &dir).is_err() {
        // Another process finished first; its copy is equivalent.
        let _ = fs::remove_dir_all(&tmp);
        if !dir.is_dir() {
            return Err(format!("cannot move fixture {script} into {}", dir.display()).into());
        }
    }
    Ok(dir)
}

/// A stable 64-bit hash (FNV-1a) for cache keys.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every file below `dir` with its content, sorted, to check that a command left a repository
/// byte-for-byte unchanged.
pub fn snapshot_tree(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                out.push((
                    path.clone(),
                    fs::read_link(&path)?.into_os_string().into_encoded_bytes(),
                ));
            } else {
                out.push((path.clone(), fs::read(&path)?));
            }
        }
    }
    out.sort();
    Ok(out)
}
