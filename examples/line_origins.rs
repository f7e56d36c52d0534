//! Replays a repository's mined diffs and prints, for every text file at HEAD, how many
//! non-blank lines each commit last added (what `git blame` would attribute), one
//! `path<TAB>commit<TAB>lines` row each: `cargo run --release --example line_origins -- [path]`.

use std::io::Write as _;

use cochange_miner::{CacheLocation, MineOptions, NoProgress, Options, Selection, mine};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let options = Options {
        mine: MineOptions::default(),
        selection: Selection::default(),
        cache: CacheLocation::Disabled,
        threads: 0,
        name: None,
        origins: Some("HEAD".into()),
    };
    let outcome = mine(std::path::Path::new(&path), &options, &NoProgress)?;
    let origins = outcome.origins.ok_or("no line origins")?;
    let mut out = std::io::stdout().lock();
    for file in &origins.files {
        for (commit, lines) in &file.lines {
            writeln!(out, "{}\t{commit}\t{lines}", file.path)?;
        }
    }
    for file in &origins.unknown {
        writeln!(out, "{file}\tunknown\t0")?;
    }
    Ok(())
}
