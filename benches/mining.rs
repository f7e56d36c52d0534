//! Mining speed on a synthetic history (built once with `git fast-import` from a fixed seed), and
//! writing and reading its exported tables.
//!
//! `COCHANGE_BENCH_COMMITS` sets the history's size (default 2 000, so a bench run stays short;
//! use 100000 for the scale target of docs/performance.md).

use std::path::PathBuf;

use cochange_miner::{CacheLocation, MineOptions, NoProgress, Options, Selection, mine};
use cochange_testtools::{SyntheticOptions, synthetic_repo};
use criterion::{Criterion, criterion_group, criterion_main};

fn repository(commits: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cochange-bench-synthetic-{commits}"));
    if !dir.join(".git").is_dir() {
        let tmp = dir.with_extension("tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        synthetic_repo(
            &tmp,
            &SyntheticOptions {
                commits,
                ..SyntheticOptions::default()
            },
        )
        .expect("the synthetic repository can be built");
        std::fs::rename(&tmp, &dir).expect("the synthetic repository can be moved into place");
    }
    dir
}

/// Mining the whole history with `mine`, on all cores, without a cache.
fn uncached(mine: MineOptions) -> Options {
    Options {
        mine,
        selection: Selection::default(),
        cache: CacheLocation::Disabled,
        threads: 0,
        name: None,
        origins: None,
    }
}

fn mining(c: &mut Criterion) {
    let commits = std::env::var("COCHANGE_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let repo = repository(commits);
    let mut group = c.benchmark_group(format!("mine-{commits}-commits"));
    group.sample_size(10);
    for (name, renames, line_counts) in [
        ("names-only", false, false),
        ("line-counts", false, true),
        ("renames-and-line-counts", true, true),
    ] {
        let options = uncached(MineOptions {
            first_parent: false,
            renames,
            line_counts,
        });
        group.bench_function(name, |b| {
            b.iter(|| mine(&repo, &options, &NoProgress).expect("mining succeeds"));
        });
    }
    group.finish();
}

/// Writing the mined tables as exported Parquet parts (docs/schema.md) and reading them back, as
/// `export` and `--tables` do.
fn export(c: &mut Criterion) {
    use cochange_miner::export::{ExportInput, export, read_export};
    use cochange_miner::polars::prelude::DataFrame;

    let commits = std::env::var("COCHANGE_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let repo = repository(commits);
    let options = uncached(MineOptions::default());
    let mined = mine(&repo, &options, &NoProgress).expect("mining succeeds");
    let input = ExportInput {
        repo: "synthetic",
        options: options.mine,
        head: "0000000000000000000000000000000000000000",
        tables: &mined.tables,
        tags: &[],
        files: DataFrame::empty(),
    };
    let mut group = c.benchmark_group(format!("export-{commits}-commits"));
    group.sample_size(10);
    group.bench_function("write-fresh", |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            export(&dir.path().join("tables"), &input, &NoProgress).expect("the export is written")
        });
    });
    let dir = tempfile::tempdir().expect("a temporary folder");
    let tables = dir.path().join("tables");
    export(&tables, &input, &NoProgress).expect("the export is written");
    group.bench_function("append-nothing-new", |b| {
        b.iter(|| {
            export(&tables, &input, &NoProgress).expect("the export is checked and rewritten")
        });
    });
    group.bench_function("read", |b| {
        b.iter(|| read_export(&tables, &[], (None, None)).expect("the export reads"));
    });
    group.finish();
}

criterion_group!(benches, mining, export);
criterion_main!(benches);
