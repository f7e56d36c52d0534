//! Several repositories analysed together: names that tell them apart, and one pair of tables
//! whose paths carry the repository's name.

use std::collections::BTreeMap;

use cochange_miner::polars::prelude::*;
use cochange_miner::{Identity, Outcome, Tables, col};

/// A name per repository, in order: the caller's (`given`, by position), else the repository's
/// own; when two would share a name, each of those takes the folder holding it as a prefix
/// (`work-tokio`, `fork-tokio`), and a number if that is not enough.
pub fn unique_names(identities: &[Identity], given: &[String]) -> Vec<String> {
    let wanted: Vec<String> = identities
        .iter()
        .enumerate()
        .map(|(i, id)| given.get(i).cloned().unwrap_or_else(|| id.name.clone()))
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &wanted {
        *count.entry(name).or_default() += 1;
    }
    let mut names: Vec<String> = wanted
        .iter()
        .zip(identities)
        .enumerate()
        .map(|(i, (name, id))| {
            let clashes = count[name.as_str()] > 1 && given.get(i).is_none();
            if clashes && !id.parent.is_empty() {
                format!("{}-{name}", id.parent)
            } else {
                name.clone()
            }
        })
        .collect();
    // Still equal (same parent folder name, or names given twice): number the later ones.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for name in &mut names {
        let n = seen.entry(name.clone()).or_default();
        *n += 1;
        if *n > 1 {
            *name = format!("{name}-{n}");
        }
    }
    names
}

/// The tables of every repository as one pair. One repository's tables are returned as they are;
/// with several, paths and entities are prefixed by the repository's name (`name/path`), so that
/// files of different repositories never merge.
pub fn combine(outcomes: &[Outcome]) -> PolarsResult<Tables> {
    let mut combined: Option<Tables> = None;
    for outcome in outcomes {
        let mut changes = outcome.tables.changes.clone();
        if outcomes.len() > 1 {
            for name in [col::PATH, col::OLD_PATH, col::ENTITY] {
                let prefixed: StringChunked = changes
                    .column(name)?
                    .str()?
                    .iter()
                    .map(|v| v.map(|v| format!("{}/{v}", outcome.repo)))
                    .collect();
                changes.replace(name, prefixed.with_name(name.into()).into_column())?;
            }
        }
        match combined.as_mut() {
            None => {
                combined = Some(Tables {
                    commits: outcome.tables.commits.clone(),
                    changes,
                });
            }
            Some(all) => {
                all.commits.vstack_mut(&outcome.tables.commits)?;
                all.changes.vstack_mut(&changes)?;
            }
        }
    }
    Ok(combined.unwrap_or_else(|| Tables {
        commits: DataFrame::empty(),
        changes: DataFrame::empty(),
    }))
}

/// The prefix of a repository's paths when `several` are analysed together.
pub fn prefixed(repo: &str, path: &str, several: bool) -> String {
    if several {
        format!("{repo}/{path}")
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, parent: &str, dir: &str) -> Identity {
        Identity {
            git_dir: dir.into(),
            name: name.into(),
            parent: parent.into(),
        }
    }

    #[test]
    fn names_that_clash_take_their_folder_and_then_a_number() {
        let ids = [
            id("r", "one", "/one/r/.git"),
            id("r", "two", "/two/r/.git"),
            id("api", "x", "/x/api/.git"),
            id("s", "same", "/same/s/.git"),
            id("s", "same", "/z/same/s/.git"),
        ];
        assert_eq!(
            unique_names(&ids, &[]),
            ["one-r", "two-r", "api", "same-s", "same-s-2"]
        );
        assert_eq!(
            unique_names(&ids[..2], &["left".into()]),
            ["left", "r"],
            "a given name is kept, and the other no longer clashes"
        );
    }
}
