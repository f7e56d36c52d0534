//! How the import graph relates two files that change together, for the coupling tables: its own
//! module so that the coupling of components can use it while `deps` uses theirs.

use std::collections::BTreeSet;

use polars::prelude::*;

use crate::coupling_col;
use crate::deps::Structure;

/// How the import graph relates two files that change together (docs/structure.md): `imports`
/// when one imports the other, `near` when one reaches the other through one file in between,
/// `none` when neither; `None` when either file is not code whose imports are read, so that
/// "no import" is never claimed where imports are unknown.
pub struct PairStructure {
    read: std::collections::HashSet<String>,
    imports: std::collections::HashMap<String, BTreeSet<String>>,
}

impl PairStructure {
    /// The import graph of `structure`.
    pub fn new(structure: &Structure) -> PairStructure {
        let files = &structure.resolved.files;
        PairStructure {
            read: files.iter().map(|f| f.path.clone()).collect(),
            imports: files
                .iter()
                .map(|f| {
                    (
                        f.path.clone(),
                        f.edges.iter().map(|(t, _)| t.clone()).collect(),
                    )
                })
                .collect(),
        }
    }

    /// The files whose imports were read.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.read.iter().map(String::as_str)
    }

    /// Every import edge between two files read: `(from, to)`.
    pub fn edges(&self) -> impl Iterator<Item = (&str, &str)> {
        self.imports
            .iter()
            .flat_map(|(from, to)| to.iter().map(move |t| (from.as_str(), t.as_str())))
    }

    /// The structure of the pair `a`, `b`.
    pub fn of(&self, a: &str, b: &str) -> Option<&'static str> {
        if !self.read.contains(a) || !self.read.contains(b) {
            return None;
        }
        let imports = |from: &str, to: &str| self.imports.get(from).is_some_and(|t| t.contains(to));
        let through_one = |from: &str, to: &str| {
            self.imports
                .get(from)
                .is_some_and(|next| next.iter().any(|x| imports(x, to)))
        };
        Some(if imports(a, b) || imports(b, a) {
            "imports"
        } else if through_one(a, b) || through_one(b, a) {
            "near"
        } else {
            "none"
        })
    }
}

/// The column of a coupling table that says how the import graph relates each pair.
pub const STRUCTURE: &str = "structure";

/// `pairs` (a coupling table) with a [`STRUCTURE`] column: each pair's [`PairStructure::of`].
pub fn with_structure(mut pairs: DataFrame, graph: &PairStructure) -> PolarsResult<DataFrame> {
    let a = pairs.column(coupling_col::ENTITY)?.str()?;
    let b = pairs.column(coupling_col::COUPLED)?.str()?;
    let structure: Vec<Option<&str>> = a
        .iter()
        .zip(b.iter())
        .map(|(a, b)| graph.of(a?, b?))
        .collect();
    pairs.with_column(Column::new(STRUCTURE.into(), structure))?;
    Ok(pairs)
}
