//! The component mapping (SPEC §4.5) and the `components` command.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use cochange_analysis::{ComponentRules, MappingSource, glob_set, path_glob};
use cochange_report::Table;

use super::{Needs, load_history};
use crate::args::{ComponentsArgs, ComponentsView};
use crate::printer::Printer;
use crate::settings::{Settings, UsageError};

/// The rules and the files of the analysed revision they were read from.
pub struct Mapping {
    pub rules: ComponentRules,
    pub files: Vec<String>,
}

/// Builds the component rules of the first repository at `rev` (HEAD by default): `[components]`
/// of the config, then `CODEOWNERS` and workspace manifests read from the revision's blobs, then
/// folders at `depth`. With several repositories, entities carry the repository's name first, so
/// only the config and the folders (the repository at depth 1) apply.
pub fn mapping(settings: &Settings, rev: Option<&str>, depth: usize) -> anyhow::Result<Mapping> {
    let rules = ComponentRules::new(configured(settings)?, depth);
    if settings.repos.len() > 1 {
        return Ok(Mapping {
            rules,
            files: Vec::new(),
        });
    }
    let mut rules = rules;
    let repo = &settings.repos[0];
    let rev = rev.or(settings.options.selection.revs.first().map(String::as_str));
    let snapshot = cochange_miner::read_snapshot(
        repo,
        rev,
        settings.options.threads,
        cochange_analysis::is_mapping_file,
        |bytes| String::from_utf8_lossy(bytes).into_owned(),
    )
    .with_context(|| format!("cannot read the files of `{}`", repo.display()))?;
    let files = snapshot.paths;
    let contents: HashMap<String, String> = snapshot
        .files
        .into_iter()
        .filter_map(|(path, text)| Some((path, text?)))
        .collect();
    let read = |path: &str| contents.get(path).cloned();
    rules.read_codeowners(&read);
    rules.read_workspaces(&files, &read);
    Ok(Mapping { rules, files })
}

/// `[components]` of the config: name → glob or list of globs, in file order.
fn configured(settings: &Settings) -> Result<Vec<(String, globset::GlobSet)>, UsageError> {
    let Some(table) = &settings.components else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, value) in &table.table {
        let patterns: Vec<&str> = match value {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_str).collect(),
            _ => Vec::new(),
        };
        let bad = |what: String| table.error(format!("[components] `{name}`: {what}"));
        if patterns.is_empty() {
            return Err(bad("give a glob or a list of globs".into()));
        }
        let globs = patterns
            .iter()
            .map(|p| path_glob(p).map_err(|e| bad(format!("`{p}` is not a valid glob: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        out.push((
            name.clone(),
            glob_set(globs).map_err(|e| bad(e.to_string()))?,
        ));
    }
    Ok(out)
}

pub fn run(args: &ComponentsArgs, settings: &Settings, printer: &Printer) -> anyhow::Result<u8> {
    let history = load_history(settings, printer, Needs::FileNames)?;
    let mapping = mapping(settings, None, args.component_depth)?;
    let options = cochange_analysis::CouplingOptions {
        components: std::sync::Arc::new(mapping.rules.clone()),
        ..super::coupling::threshold_options(settings)?
    };
    let report =
        cochange_analysis::components(&history.tables, &mapping.files, &mapping.rules, &options)?;
    let mut by_source: BTreeMap<MappingSource, u64> = BTreeMap::new();
    for file in &mapping.files {
        *by_source
            .entry(mapping.rules.component_of(file).1)
            .or_default() += 1;
    }
    let explained = by_source
        .iter()
        .map(|(source, n)| format!("{source} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if settings.explain {
        printer.info(format_args!("files mapped by source: {explained}"));
        if let Some(file) = &mapping.rules.codeowners_file {
            printer.info(format_args!("CODEOWNERS read from `{file}`"));
        }
        for (dir, name, kind) in &mapping.rules.members {
            printer.info(format_args!("{kind} workspace member `{dir}` → `{name}`"));
        }
    }
    if !mapping.rules.skipped_lines.is_empty() {
        printer.warn(format_args!(
            "CODEOWNERS lines with invalid patterns were skipped: {:?}",
            mapping.rules.skipped_lines
        ));
    }
    let (crossing, total) = report.crossing;
    let context = vec![
        ("files mapped by source".to_owned(), explained),
        (
            "change sets crossing components".to_owned(),
            format!(
                "{crossing} of {total} ({:.1} %)",
                if total == 0 {
                    0.0
                } else {
                    100.0 * crossing as f64 / total as f64
                }
            ),
        ),
    ];
    let mut tables = Vec::new();
    let views = match args.show {
        Some(view) => vec![view],
        None => vec![
            ComponentsView::Components,
            ComponentsView::Coupling,
            ComponentsView::Cycles,
            ComponentsView::Clusters,
        ],
    };
    for view in views {
        let (name, frame) = match view {
            ComponentsView::Components => ("components", &report.components),
            ComponentsView::Coupling => ("component-coupling", &report.coupling),
            ComponentsView::Cycles => ("cycles", &report.cycles),
            ComponentsView::Clusters => ("clusters", &report.clusters),
            ComponentsView::Files => {
                let (components, sources): (Vec<String>, Vec<String>) = mapping
                    .files
                    .iter()
                    .map(|f| {
                        let (c, s) = mapping.rules.component_of(f);
                        (c, s.to_string())
                    })
                    .unzip();
                let frame = cochange_miner::polars::prelude::df!(
                    "file" => mapping.files.clone(),
                    "component" => components,
                    "source" => sources,
                )?;
                let mut table = Table::from_frame("files", &frame)?;
                table.context.clone_from(&context);
                tables.push(table);
                continue;
            }
        };
        let mut table = Table::from_frame(name, frame)?;
        table.context.clone_from(&context);
        tables.push(table);
    }
    super::print_tables(tables, settings, printer)?;
    Ok(crate::exit::SUCCESS)
}
