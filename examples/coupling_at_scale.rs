//! Runs the coupling analysis on synthetic change sets, to measure it at scale:
//! `/usr/bin/time -v cargo run --release --example coupling_at_scale -- 1000000`.

use cochange_analysis::{CouplingOptions, coupling};
use cochange_miner::Tables;
use cochange_miner::col;
use cochange_miner::polars::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let change_sets: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |n| n.parse())?;
    let rows = cochange_testtools::synthetic_changes(change_sets, 50_000, 1);
    let changes = df!(
        col::REPO => vec!["synthetic"; rows.len()],
        col::COMMIT => rows.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        col::ENTITY => rows.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>(),
    )?;
    let tables = Tables {
        commits: DataFrame::empty(),
        changes,
    };
    let pairs = coupling(&tables, &CouplingOptions::default())?;
    let summary = format!(
        "{change_sets} change sets, {} changes, {} coupled pairs",
        rows.len(),
        pairs.height()
    );
    std::io::Write::write_all(&mut std::io::stdout(), format!("{summary}\n").as_bytes())?;
    Ok(())
}
