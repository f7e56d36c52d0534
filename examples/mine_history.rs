//! Mines a repository with the library and prints the ten most changed files:
//! `cargo run --release --example mine_history -- [path]`.

use cochange_miner::{CacheLocation, MineOptions, NoProgress, Options, Selection, mine};
use cochange_report::{Format, Table, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let options = Options {
        mine: MineOptions::default(),
        selection: Selection::default(),
        cache: CacheLocation::Disabled,
        threads: 0,
        name: None,
        origins: None,
    };
    let outcome = mine(std::path::Path::new(&path), &options, &NoProgress)?;
    let revisions =
        cochange_analysis::revisions(&outcome.tables, &cochange_analysis::Grouping::Commit)?;
    let mut table = Table::from_frame("revisions", &revisions)?;
    table.truncate(10);
    render(&table, Format::Table, &mut std::io::stdout().lock())?;
    Ok(())
}
