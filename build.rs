//! Tells the tests what this machine lacks, so that a test that cannot run here is marked
//! ignored, with the reason, instead of passing without checking anything.

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(corpus_missing)");
    println!("cargo::rustc-check-cfg=cfg(no_user_namespaces)");
    println!("cargo::rustc-check-cfg=cfg(python_missing)");
    println!("cargo::rustc-check-cfg=cfg(duckdb_missing)");
    println!("cargo::rustc-check-cfg=cfg(spark_missing)");
    println!("cargo::rustc-check-cfg=cfg(moto_missing)");
    println!("cargo::rerun-if-env-changed=COCHANGE_PYTHON");
    println!("cargo::rerun-if-env-changed=COCHANGE_CORPUS");
    println!("cargo::rerun-if-changed=build.rs");
    let corpus = std::env::var_os("COCHANGE_CORPUS")
        .map_or_else(|| PathBuf::from("../shared/corpus"), PathBuf::from);
    println!("cargo::rerun-if-changed={}", corpus.display());
    let complete = ["flask.bundle", "tokio.bundle"]
        .iter()
        .all(|name| corpus.join(name).is_file());
    if !complete {
        println!("cargo::rustc-cfg=corpus_missing");
    }
    // Oracles written in Python (tests/oracles/) need python3.
    if !succeeds("python3", &["--version"]) {
        println!("cargo::rustc-cfg=python_missing");
    }
    // The DuckDB SQL of docs/scale.md runs in the `duckdb` package of `$COCHANGE_PYTHON` (`.ci/run`
    // installs it into a virtual environment), else of python3.
    let python = std::env::var("COCHANGE_PYTHON").unwrap_or_else(|_| "python3".into());
    // A package installed later (`.ci/run` adds them to a kept environment) changes this folder.
    if let Some(packages) = site_packages(&python) {
        println!("cargo::rerun-if-changed={packages}");
    }
    if !succeeds(&python, &["-c", "import duckdb"]) {
        println!("cargo::rustc-cfg=duckdb_missing");
    }
    // `--tables s3://…` is read from a local S3 server, moto's (`.ci/run` installs it).
    if !succeeds(&python, &["-c", "import moto.server, boto3"]) {
        println!("cargo::rustc-cfg=moto_missing");
    }
    // The Spark SQL of docs/scale.md runs in PySpark, which needs Java; CI does not install it.
    if !succeeds(&python, &["-c", "import pyspark"]) || !succeeds("java", &["-version"]) {
        println!("cargo::rustc-cfg=spark_missing");
    }
    // The full-disk test mounts a small tmpfs in a mount namespace of its own.
    if !succeeds("unshare", &["-Urm", "true"]) {
        println!("cargo::rustc-cfg=no_user_namespaces");
    }
}

/// The folder `python` installs packages into, if it runs.
fn site_packages(python: &str) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !path.is_empty()).then_some(path)
}

/// Whether `program` runs here and exits with success.
fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
