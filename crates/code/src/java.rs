//! Java: `import a.b.C;`, `import static a.b.C.m;` and `import a.b.*;`, resolved through the
//! `package` each file declares and the type its file is named after.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tree_sitter::Node;

use crate::resolve::{Outcome, stem};
use crate::{FileFacts, Import, Language, Target, children, line_of, text};

/// The imports of a file and the package it declares.
pub(crate) fn read(root: Node<'_>, source: &[u8]) -> (Vec<Import>, Vec<String>) {
    let mut imports = Vec::new();
    let mut package = Vec::new();
    for node in children(root) {
        let name = children(node)
            .into_iter()
            .find(|n| matches!(n.kind(), "scoped_identifier" | "identifier"));
        match (node.kind(), name) {
            ("package_declaration", Some(name)) => package.push(text(name, source).to_owned()),
            ("import_declaration", Some(name)) => imports.push(Import {
                line: line_of(node),
                test: false,
                target: Target::Java {
                    path: split(text(name, source)),
                    wildcard: children(node).iter().any(|n| n.kind() == "asterisk"),
                },
            }),
            _ => {}
        }
    }
    (imports, package)
}

fn split(name: &str) -> Vec<String> {
    name.split('.')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Java types: (package, file stem) → file, and the files of each package.
pub(crate) struct JavaIndex<'a> {
    types: HashMap<(&'a str, &'a str), &'a str>,
    packages: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> JavaIndex<'a> {
    pub(crate) fn new(facts: &'a BTreeMap<String, FileFacts>) -> Self {
        let mut index = JavaIndex {
            types: HashMap::new(),
            packages: BTreeMap::new(),
        };
        for (path, fact) in facts
            .iter()
            .filter(|(p, _)| Language::of(p) == Some(Language::Java))
        {
            let FileFacts::Imports { declares, .. } = fact else {
                continue;
            };
            // A file without `package` is in the unnamed package.
            let package = declares.first().map_or("", String::as_str);
            index
                .types
                .entry((package, stem(path)))
                .or_insert(path.as_str());
            index.packages.entry(package).or_default().insert(path);
        }
        index
    }

    /// One `import` of a Java file.
    pub(crate) fn import(&self, path: &[String], wildcard: bool) -> Outcome {
        if wildcard && let Some(files) = self.packages.get(path.join(".").as_str()) {
            return Outcome::Files(files.iter().map(|f| (*f).to_owned()).collect());
        }
        // The longest package.Type prefix: `a.b.C.m` (static) and `a.b.C.Inner` are in `a/b/C`.
        for split in (0..path.len()).rev() {
            let package = path[..split].join(".");
            if let Some(file) = self.types.get(&(package.as_str(), path[split].as_str())) {
                return Outcome::Files(vec![(*file).to_owned()]);
            }
        }
        let internal = (1..=path.len())
            .any(|take| self.packages.contains_key(path[..take].join(".").as_str()));
        if internal {
            Outcome::Unresolved
        } else {
            Outcome::External
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn package_single_static_and_wildcard_imports() {
        let source = "package com.acme.app;\n\nimport java.util.List;\nimport static com.acme.util.Strings.trim;\nimport com.acme.model.*;\nclass App {}\n";
        let parsed = parse(Language::Java, source.as_bytes()).expect("parses");
        assert_eq!(parsed.declares, ["com.acme.app"]);
        let java = |path: &str, wildcard| Target::Java {
            path: path.split('.').map(str::to_owned).collect(),
            wildcard,
        };
        let found: Vec<(u32, Target)> = parsed
            .imports
            .into_iter()
            .map(|i| (i.line, i.target))
            .collect();
        assert_eq!(
            found,
            [
                (3, java("java.util.List", false)),
                (4, java("com.acme.util.Strings.trim", false)),
                (5, java("com.acme.model", true)),
            ]
        );
    }
}
