//! Builds a synthetic repository for benchmarks:
//! `cargo run --release --example synthetic_repo -- <dir> <commits> [seed]`.

use std::path::PathBuf;

use cochange_testtools::{SyntheticOptions, synthetic_repo};

fn main() -> cochange_testtools::Result {
    let mut args = std::env::args().skip(1);
    let usage = "usage: synthetic_repo <dir> <commits> [seed]";
    let dir = PathBuf::from(args.next().ok_or(usage)?);
    let commits: usize = args.next().ok_or(usage)?.parse()?;
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    synthetic_repo(
        &dir,
        &SyntheticOptions {
            commits,
            seed,
            ..SyntheticOptions::default()
        },
    )
}
