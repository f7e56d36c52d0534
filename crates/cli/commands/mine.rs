use cochange_miner::CacheStatus;
use cochange_report::{Cell, Table, render};

use crate::printer::Printer;
use crate::settings::Settings;

/// Mines into the cache and prints one row per repository saying what was done.
pub fn run(settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = super::load_history(settings, printer, super::Needs::LineCounts)?;
    let columns = [
        "repo",
        "commits",
        "merges",
        "changes",
        "from_cache",
        "mined",
        "tree_diffs",
        "blob_diffs",
        "cache",
        "cache_dir",
    ];
    let rows = history
        .outcomes
        .iter()
        .map(|o| {
            let s = &o.statistics;
            let (state, dir) = match &s.cache {
                CacheStatus::Disabled => ("off", String::new()),
                CacheStatus::Created { path } => ("created", path.display().to_string()),
                CacheStatus::Used { path } => ("used", path.display().to_string()),
                CacheStatus::Rebuilt { path } => ("rebuilt", path.display().to_string()),
            };
            let int = |n: usize| Cell::Int(n as i64);
            vec![
                Cell::Text(o.repo.clone()),
                int(s.commits_selected),
                int(s.merges_selected),
                int(s.changes_selected),
                int(s.commits_from_cache),
                int(s.commits_mined),
                int(s.tree_diffs),
                int(s.blob_diffs),
                Cell::Text(state.into()),
                Cell::Text(dir),
            ]
        })
        .collect();
    let table = Table::new("mine", &columns, rows);
    printer.data(|out| render(&table, settings.format, out))?;
    Ok(crate::exit::SUCCESS)
}
