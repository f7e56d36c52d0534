//! Go: `import "path"` and grouped imports, resolved through the `module` of each `go.mod` to the
//! package folder, whose non-test files are the edges.

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::resolve::{Outcome, parent};
use crate::{FileFacts, Import, Language, Target, children, line_of, string_content};

pub(crate) fn imports(root: Node<'_>, source: &[u8]) -> Vec<Import> {
    let mut found = Vec::new();
    for declaration in children(root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
    {
        let specs = children(declaration).into_iter().flat_map(|n| {
            if n.kind() == "import_spec_list" {
                children(n)
            } else {
                vec![n]
            }
        });
        for spec in specs.filter(|n| n.kind() == "import_spec") {
            let path = spec.child_by_field_name("path").and_then(|p| {
                string_content(p, source, "interpreted_string_literal_content")
                    .or_else(|| raw_string(p, source))
            });
            if let Some(path) = path {
                found.push(Import {
                    line: line_of(spec),
                    test: false,
                    target: Target::Go(path),
                });
            }
        }
    }
    found
}

/// A back-quoted import path.
fn raw_string(node: Node<'_>, source: &[u8]) -> Option<String> {
    let text = crate::text(node, source);
    let inner = text.strip_prefix('`')?.strip_suffix('`')?;
    Some(inner.to_owned())
}

/// The `module` path of a `go.mod`.
pub(crate) fn module_path(manifest: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(manifest).ok()?;
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        // `module` must stand alone: `modulex` is another word.
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let path = rest.split("//").next()?.trim().trim_matches('"');
        (!path.is_empty()).then(|| path.to_owned())
    })
}

/// Go packages: the modules of the repository and the files of each folder.
pub(crate) struct GoIndex<'a> {
    /// Module path → the folder of its `go.mod`.
    modules: Vec<(&'a str, &'a str)>,
    /// Folder → its `.go` files that are not tests.
    packages: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> GoIndex<'a> {
    pub(crate) fn new(paths: &'a [String], facts: &'a BTreeMap<String, FileFacts>) -> Self {
        let mut modules: Vec<(&str, &str)> = facts
            .iter()
            .filter_map(|(path, fact)| match fact {
                FileFacts::GoModule(Some(module)) => Some((module.as_str(), parent(path))),
                _ => None,
            })
            .collect();
        // The longest module path first, so that a nested module wins over its parent.
        modules.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        let mut packages: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for path in paths
            .iter()
            .filter(|p| Language::of(p) == Some(Language::Go) && !p.ends_with("_test.go"))
        {
            packages.entry(parent(path)).or_default().insert(path);
        }
        GoIndex { modules, packages }
    }

    /// `import "path"`: the package folder under the module whose path it starts with.
    pub(crate) fn import(&self, import: &str) -> Outcome {
        let Some((module, dir)) = self.modules.iter().find(|(module, _)| {
            import == *module
                || import
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('/'))
        }) else {
            return Outcome::External;
        };
        let rest = import[module.len()..].trim_start_matches('/');
        let folder = if rest.is_empty() {
            (*dir).to_owned()
        } else {
            crate::resolve::join(dir, rest)
        };
        match self.packages.get(folder.as_str()) {
            Some(files) => Outcome::Files(files.iter().map(|f| (*f).to_owned()).collect()),
            None => Outcome::Unresolved,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn single_grouped_aliased_and_raw_imports() {
        let source =
            "package main\n\nimport \"fmt\"\nimport (\n\tx \"example.com/m/pkg\"\n\t_ `embed`\n)\n";
        let parsed = parse(Language::Go, source.as_bytes()).expect("parses");
        assert!(!parsed.syntax_errors);
        let found: Vec<(u32, Target)> = parsed
            .imports
            .into_iter()
            .map(|i| (i.line, i.target))
            .collect();
        assert_eq!(
            found,
            [
                (3, Target::Go("fmt".into())),
                (5, Target::Go("example.com/m/pkg".into())),
                (6, Target::Go("embed".into())),
            ]
        );
    }

    #[test]
    fn the_module_line_of_go_mod() {
        let manifest = b"// comment\nmodule example.com/m // trailing\n\ngo 1.22\n";
        assert_eq!(
            super::module_path(manifest).as_deref(),
            Some("example.com/m")
        );
        assert_eq!(super::module_path(b"modulex a\n"), None);
    }
}
