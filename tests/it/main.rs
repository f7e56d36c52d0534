//! Integration tests: the `cochange` binary on scripted fixture repositories, with git's own
//! output (written by each fixture script) as the oracle.

mod analyses;
mod architecture;
mod cache;
mod components;
mod corpus;
mod delivery;
mod deps;
mod errors;
mod export;
mod faults;
mod filters;
mod hotspots;
mod impact;
mod knowledge;
mod mining;
mod monthly;
mod report;
mod snapshots;
mod tables;
mod util;
mod xray;
