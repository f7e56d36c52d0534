//! Coupling and sum of coupling on synthetic change sets (no git involved).
//! `COCHANGE_BENCH_CHANGE_SETS` sets the number of change sets (default 100 000).

use cochange_analysis::{CouplingOptions, Grouping, SocOrder, coupling, soc};
use cochange_miner::Tables;
use cochange_miner::col;
use cochange_miner::polars::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};

fn tables(change_sets: usize) -> Tables {
    let rows = cochange_testtools::synthetic_changes(change_sets, 50_000, 1);
    let changes = df!(
        col::REPO => vec!["synthetic"; rows.len()],
        col::COMMIT => rows.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        col::ENTITY => rows.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>(),
    )
    .expect("the columns have equal lengths");
    Tables {
        commits: DataFrame::empty(),
        changes,
    }
}

fn analyses(c: &mut Criterion) {
    let change_sets = std::env::var("COCHANGE_BENCH_CHANGE_SETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tables = tables(change_sets);
    let mut group = c.benchmark_group(format!("analysis-{change_sets}-change-sets"));
    group.sample_size(10);
    group.bench_function("coupling", |b| {
        b.iter(|| coupling(&tables, &CouplingOptions::default()).expect("coupling succeeds"));
    });
    group.bench_function("soc", |b| {
        b.iter(|| soc(&tables, &Grouping::Commit, 5, SocOrder::Ours).expect("soc succeeds"));
    });
    group.finish();
}

criterion_group!(benches, analyses);
criterion_main!(benches);
