//! Integration tests: the `cochange` binary on scripted fixture repositories, with git's own
//! output (written by each fixture script) as the oracle.

mod cache;
mod corpus;
mod coupling;
mod errors;
mod mining;
mod util;
