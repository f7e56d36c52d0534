//! Mapping files to components (docs/metrics.md, *components*), from the sources in order of precedence:
//! `[components]` globs of the config, `CODEOWNERS`, workspace manifests, then folders.

use std::fmt;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::filter::path_glob;

/// The component of files that no source maps.
pub const UNMAPPED: &str = "(unmapped)";

/// Where a file's component came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MappingSource {
    /// `[components]` in the config.
    Config,
    /// The owner set of the last matching `CODEOWNERS` rule.
    Codeowners,
    /// A Cargo, npm/pnpm/yarn or Go workspace member.
    Workspace,
    /// The folders at `--component-depth`.
    Folders,
    /// Nothing matched.
    Unmapped,
}

impl fmt::Display for MappingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MappingSource::Config => "config",
            MappingSource::Codeowners => "CODEOWNERS",
            MappingSource::Workspace => "workspace",
            MappingSource::Folders => "folders",
            MappingSource::Unmapped => "unmapped",
        })
    }
}

/// Files whose content the mapping reads: `CODEOWNERS` and workspace manifests.
pub fn is_mapping_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        path,
        ".github/CODEOWNERS" | "CODEOWNERS" | "docs/CODEOWNERS" | "pnpm-workspace.yaml"
    ) || matches!(name, "Cargo.toml" | "package.json" | "go.mod")
}

/// One rule of a `CODEOWNERS` file.
#[derive(Debug, Clone)]
struct OwnerRule {
    matcher: GlobSet,
    /// The owners, space-separated; `None` for a rule that clears ownership.
    owners: Option<String>,
}

/// The rules that map paths to components.
#[derive(Debug, Clone, Default)]
pub struct ComponentRules {
    config: Vec<(String, GlobSet)>,
    owners: Vec<OwnerRule>,
    /// Which `CODEOWNERS` file was read.
    pub codeowners_file: Option<String>,
    /// Workspace members: folder, component name, and the kind of workspace.
    pub members: Vec<(String, String, &'static str)>,
    depth: usize,
    /// Lines of `CODEOWNERS` that were skipped (bad patterns), 1-based.
    pub skipped_lines: Vec<usize>,
}

/// A glob that matches the path itself and everything below it, as gitignore-style patterns do.
fn with_descendants(pattern: &str) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    builder.add(path_glob(pattern)?);
    let trimmed = pattern.trim_end_matches('/');
    if !pattern.ends_with('/') && !trimmed.ends_with("**") {
        builder.add(path_glob(&format!("{trimmed}/"))?);
    }
    builder.build()
}

impl ComponentRules {
    /// Rules with `[components]` entries (name and globs, in file order: the first match wins)
    /// and folders at `depth` as the last resort (`depth` 0: no folder fallback).
    pub fn new(config: Vec<(String, GlobSet)>, depth: usize) -> Self {
        ComponentRules {
            config,
            depth,
            ..ComponentRules::default()
        }
    }

    /// Reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` that `read`
    /// returns (GitHub's order). Lines with invalid patterns are skipped and listed, as GitHub
    /// ignores them.
    pub fn read_codeowners(&mut self, read: &dyn Fn(&str) -> Option<String>) {
        for file in [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] {
            let Some(text) = read(file) else { continue };
            self.codeowners_file = Some(file.to_owned());
            for (n, line) in text.lines().enumerate() {
                let line = line.split_once(" #").map_or(line, |(rule, _)| rule).trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut words = line.split_whitespace();
                let Some(pattern) = words.next() else {
                    continue;
                };
                let owners: Vec<&str> = words.collect();
                match with_descendants(pattern) {
                    Ok(matcher) => self.owners.push(OwnerRule {
                        matcher,
                        owners: (!owners.is_empty()).then(|| owners.join(" ")),
                    }),
                    Err(_) => self.skipped_lines.push(n + 1),
                }
            }
            return;
        }
    }

    /// Finds workspace members among `files` (all paths of the revision), reading manifests with
    /// `read`: Cargo `[workspace] members` (and `exclude`), npm/yarn `workspaces`, pnpm
    /// `packages`, and every `go.mod` below the root. A member's name is its package or module
    /// name, else its folder.
    pub fn read_workspaces(&mut self, files: &[String], read: &dyn Fn(&str) -> Option<String>) {
        let folders_with = |name: &str| -> Vec<String> {
            files
                .iter()
                .filter_map(|f| f.strip_suffix(name).and_then(|d| d.strip_suffix('/')))
                .map(str::to_owned)
                .collect()
        };
        let matches_any = |globs: &[String], dir: &str| {
            globs.iter().any(|g| {
                Glob::new(g.trim_end_matches('/'))
                    .ok()
                    .is_some_and(|g| g.compile_matcher().is_match(dir))
            })
        };
        let mut members = Vec::new();
        if let Some(root) = read("Cargo.toml").and_then(|t| t.parse::<toml::Table>().ok()) {
            let list = |key: &str| -> Vec<String> {
                root.get("workspace")
                    .and_then(|w| w.get(key))
                    .and_then(|m| m.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (include, exclude) = (list("members"), list("exclude"));
            for dir in folders_with("Cargo.toml") {
                if matches_any(&include, &dir) && !matches_any(&exclude, &dir) {
                    let name = read(&format!("{dir}/Cargo.toml"))
                        .and_then(|t| t.parse::<toml::Table>().ok())
                        .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned));
                    members.push((dir.clone(), name.unwrap_or(dir), "cargo"));
                }
            }
        }
        let mut js_globs: Vec<String> = Vec::new();
        if let Some(root) =
            read("package.json").and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        {
            let list = root
                .get("workspaces")
                .map(|w| w.get("packages").unwrap_or(w))
                .and_then(serde_json::Value::as_array);
            js_globs.extend(
                list.into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned)),
            );
        }
        if let Some(text) = read("pnpm-workspace.yaml") {
            js_globs.extend(pnpm_packages(&text));
        }
        if !js_globs.is_empty() {
            let (exclude, include): (Vec<String>, Vec<String>) =
                js_globs.into_iter().partition(|g| g.starts_with('!'));
            let exclude: Vec<String> = exclude.iter().map(|g| g[1..].to_owned()).collect();
            for dir in folders_with("package.json") {
                if matches_any(&include, &dir) && !matches_any(&exclude, &dir) {
                    let name = read(&format!("{dir}/package.json"))
                        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                        .and_then(|v| v.get("name")?.as_str().map(str::to_owned));
                    members.push((dir.clone(), name.unwrap_or(dir), "npm"));
                }
            }
        }
        for dir in folders_with("go.mod") {
            let name = read(&format!("{dir}/go.mod")).and_then(|t| {
                t.lines().find_map(|l| {
                    l.trim()
                        .strip_prefix("module ")
                        .map(|m| m.trim().trim_matches('"').to_owned())
                })
            });
            members.push((dir.clone(), name.unwrap_or(dir), "go"));
        }
        // Longest folder first, so that nested members win.
        members.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        self.members = members;
    }

    /// The component of `path`, and where it came from.
    pub fn component_of(&self, path: &str) -> (String, MappingSource) {
        if let Some((name, _)) = self.config.iter().find(|(_, set)| set.is_match(path)) {
            return (name.clone(), MappingSource::Config);
        }
        if let Some(rule) = self.owners.iter().rev().find(|r| r.matcher.is_match(path))
            && let Some(owners) = &rule.owners
        {
            return (owners.clone(), MappingSource::Codeowners);
        }
        if let Some((_, name, _)) = self.members.iter().find(|(dir, _, _)| {
            path.strip_prefix(dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
        }) {
            return (name.clone(), MappingSource::Workspace);
        }
        if path.contains('/') && self.depth > 0 {
            (crate::folder_of(path, self.depth), MappingSource::Folders)
        } else {
            (UNMAPPED.to_owned(), MappingSource::Unmapped)
        }
    }
}

/// The `packages:` list of a `pnpm-workspace.yaml` (only that list; quotes removed).
fn pnpm_packages(text: &str) -> Vec<String> {
    let mut in_packages = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if !line.starts_with([' ', '\t', '-']) {
            in_packages = trimmed.starts_with("packages:");
            continue;
        }
        if in_packages && let Some(item) = trimmed.strip_prefix('-') {
            out.push(item.trim().trim_matches(['"', '\'']).to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn rules(files: &HashMap<&str, &str>, depth: usize) -> ComponentRules {
        let paths: Vec<String> = files.keys().map(|s| (*s).to_owned()).collect();
        let read = |p: &str| files.get(p).map(|s| (*s).to_owned());
        let mut rules = ComponentRules::new(Vec::new(), depth);
        rules.read_codeowners(&read);
        rules.read_workspaces(&paths, &read);
        rules
    }

    #[test]
    fn codeowners_last_matching_rule_wins() {
        let files = HashMap::from([(
            ".github/CODEOWNERS",
            "# owners\n* @all\n*.md @docs\n/docs/internal/ @security @docs\nbuild/ \napps/ @apps # team\n[bad @x\n",
        )]);
        let r = rules(&files, 1);
        assert_eq!(r.component_of("src/a.rs").0, "@all");
        assert_eq!(r.component_of("README.md").0, "@docs");
        assert_eq!(r.component_of("docs/internal/x.md").0, "@security @docs");
        assert_eq!(r.component_of("x/apps/y/z.js").0, "@apps");
        // A rule without owners leaves the file to the next source (folders here).
        assert_eq!(
            r.component_of("build/out.txt"),
            ("build".into(), MappingSource::Folders)
        );
        assert_eq!(r.skipped_lines, [7]);
    }

    #[test]
    fn workspaces_of_cargo_npm_pnpm_and_go() {
        let files = HashMap::from([
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/old\"]\n",
            ),
            (
                "crates/core/Cargo.toml",
                "[package]\nname = \"acme-core\"\n",
            ),
            ("crates/old/Cargo.toml", "[package]\nname = \"old\"\n"),
            (
                "package.json",
                "{\"workspaces\": {\"packages\": [\"web/*\"]}}",
            ),
            ("web/ui/package.json", "{\"name\": \"@acme/ui\"}"),
            ("pnpm-workspace.yaml", "packages:\n  - 'tools/*'\n"),
            ("tools/gen/package.json", "{}"),
            ("services/api/go.mod", "module example.com/api\n\ngo 1.22\n"),
        ]);
        let r = rules(&files, 1);
        assert_eq!(
            r.component_of("crates/core/src/lib.rs"),
            ("acme-core".into(), MappingSource::Workspace)
        );
        assert_eq!(
            r.component_of("crates/old/src/lib.rs"),
            ("crates".into(), MappingSource::Folders)
        );
        assert_eq!(r.component_of("web/ui/index.ts").0, "@acme/ui");
        assert_eq!(r.component_of("tools/gen/x.js").0, "tools/gen");
        assert_eq!(r.component_of("services/api/main.go").0, "example.com/api");
        assert_eq!(
            r.component_of("README.md"),
            (UNMAPPED.into(), MappingSource::Unmapped)
        );
    }
}
