//! C and C++: `#include "…"` relative to the including file, then as if every folder of the
//! tree were an include directory, the nearest match winning; `#include <…>` the same without
//! the first step, and external when nothing matches.

use std::collections::{BTreeSet, HashMap};

use tree_sitter::Node;

use crate::resolve::{Outcome, file_name, join, nearest, normalize, parent};
use crate::{Import, Language, Target, children, line_of, string_content, text};

pub(crate) fn includes(root: Node<'_>, source: &[u8]) -> Vec<Import> {
    let mut found = Vec::new();
    visit(root, source, &mut found);
    found
}

fn visit(node: Node<'_>, source: &[u8], found: &mut Vec<Import>) {
    for child in children(node) {
        if child.kind() != "preproc_include" {
            visit(child, source, found);
            continue;
        }
        let Some(path) = child.child_by_field_name("path") else {
            continue;
        };
        let target = match path.kind() {
            "string_literal" => {
                string_content(path, source, "string_content").map(|path| Target::Include {
                    path,
                    system: false,
                })
            }
            "system_lib_string" => Some(Target::Include {
                path: text(path, source)
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned(),
                system: true,
            }),
            // `#include MACRO` names nothing that can be read.
            _ => None,
        };
        if let Some(target) = target {
            found.push(Import {
                line: line_of(child),
                test: false,
                target,
            });
        }
    }
}

/// C and C++ files by path and by file name.
pub(crate) struct IncludeIndex<'a> {
    paths: BTreeSet<&'a str>,
    by_name: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> IncludeIndex<'a> {
    pub(crate) fn new(paths: &'a [String]) -> Self {
        let mut index = IncludeIndex {
            paths: BTreeSet::new(),
            by_name: HashMap::new(),
        };
        for path in paths
            .iter()
            .filter(|p| matches!(Language::of(p), Some(Language::C | Language::Cpp)))
        {
            index.paths.insert(path);
            index.by_name.entry(file_name(path)).or_default().push(path);
        }
        index
    }

    /// `#include` of `path` in `importer`.
    pub(crate) fn include(&self, importer: &str, path: &str, system: bool) -> Outcome {
        if !system
            && let Some(local) = normalize(&join(parent(importer), path))
            && self.paths.contains(local.as_str())
        {
            return Outcome::Files(vec![local]);
        }
        let suffix = format!("/{}", path.trim_start_matches("./"));
        let candidates = self
            .by_name
            .get(file_name(path))
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| c.ends_with(&suffix) || *c == &suffix[1..]);
        match nearest(candidates, importer) {
            Some(file) => Outcome::Files(vec![file.to_owned()]),
            None if system => Outcome::External,
            None => Outcome::Unresolved,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn quoted_and_system_includes_inside_conditionals() {
        let source = "#include \"util/str.h\"\n#include <stdio.h>\n#ifdef WIN\n#include \"win.h\"\n#endif\n#include CONFIG\nint main(void) { return 0; }\n";
        let parsed = parse(Language::C, source.as_bytes()).expect("parses");
        let include = |path: &str, system| Target::Include {
            path: path.into(),
            system,
        };
        let found: Vec<(u32, Target)> = parsed
            .imports
            .into_iter()
            .map(|i| (i.line, i.target))
            .collect();
        assert_eq!(
            found,
            [
                (1, include("util/str.h", false)),
                (2, include("stdio.h", true)),
                (4, include("win.h", false)),
            ]
        );
        let cpp = parse(
            Language::Cpp,
            b"#include <vector>\nnamespace n {\n#include \"inl.hpp\"\n}\n",
        )
        .expect("parses");
        assert_eq!(cpp.imports.len(), 2);
    }
}
