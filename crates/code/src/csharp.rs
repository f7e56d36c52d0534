//! C#: `using` directives (plain, `static`, aliased, `global`), resolved to the files that
//! declare the namespace they name.

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::resolve::Outcome;
use crate::{FileFacts, Import, Language, Target, children, line_of, text};

/// The `using` directives of a file and the namespaces it declares.
pub(crate) fn read(root: Node<'_>, source: &[u8]) -> (Vec<Import>, Vec<String>) {
    let mut imports = Vec::new();
    let mut declares = BTreeSet::new();
    visit(root, source, &mut Vec::new(), &mut imports, &mut declares);
    (imports, declares.into_iter().collect())
}

fn visit(
    node: Node<'_>,
    source: &[u8],
    namespace: &mut Vec<String>,
    imports: &mut Vec<Import>,
    declares: &mut BTreeSet<String>,
) {
    for child in children(node) {
        match child.kind() {
            "using_directive" => {
                // The alias of `using X = A.B;` is the `name` field; the target is the other.
                let alias = child.child_by_field_name("name");
                let target = children(child).into_iter().rev().find(|n| {
                    matches!(n.kind(), "qualified_name" | "identifier") && Some(*n) != alias
                });
                if let Some(target) = target {
                    imports.push(Import {
                        line: line_of(child),
                        test: false,
                        target: Target::CSharp(split(text(target, source))),
                    });
                }
            }
            "namespace_declaration" | "file_scoped_namespace_declaration" => {
                let depth = namespace.len();
                if let Some(name) = child.child_by_field_name("name") {
                    namespace.extend(split(text(name, source)));
                    declares.insert(namespace.join("."));
                }
                visit(child, source, namespace, imports, declares);
                // A file-scoped namespace lasts to the end of the file.
                if child.kind() == "namespace_declaration" {
                    namespace.truncate(depth);
                }
            }
            "declaration_list" => visit(child, source, namespace, imports, declares),
            _ => {}
        }
    }
}

fn split(name: &str) -> Vec<String> {
    name.split('.')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// C# namespaces → the files declaring them.
pub(crate) struct CSharpIndex<'a> {
    namespaces: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> CSharpIndex<'a> {
    pub(crate) fn new(facts: &'a BTreeMap<String, FileFacts>) -> Self {
        let mut namespaces: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (path, fact) in facts
            .iter()
            .filter(|(p, _)| Language::of(p) == Some(Language::CSharp))
        {
            if let FileFacts::Imports { declares, .. } = fact {
                for namespace in declares {
                    namespaces.entry(namespace).or_default().insert(path);
                }
            }
        }
        CSharpIndex { namespaces }
    }

    /// `using A.B.C`: the files declaring `A.B.C`, else (a type, as `using static` names) those
    /// declaring `A.B`.
    pub(crate) fn import(&self, name: &[String]) -> Outcome {
        for take in [name.len(), name.len().saturating_sub(1)] {
            if take == 0 {
                continue;
            }
            if let Some(files) = self.namespaces.get(name[..take].join(".").as_str()) {
                return Outcome::Files(files.iter().map(|f| (*f).to_owned()).collect());
            }
        }
        Outcome::External
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn usings_and_nested_and_file_scoped_namespaces() {
        let source = "using System;\nusing static Acme.Util.Strings;\nusing Json = Acme.Json;\nglobal using Acme.Model;\n\
                      namespace Acme.App {\n  namespace Web { class A {} }\n  class B {}\n}\n";
        let parsed = parse(Language::CSharp, source.as_bytes()).expect("parses");
        assert_eq!(parsed.declares, ["Acme.App", "Acme.App.Web"]);
        let using = |name: &str| Target::CSharp(name.split('.').map(str::to_owned).collect());
        let found: Vec<(u32, Target)> = parsed
            .imports
            .into_iter()
            .map(|i| (i.line, i.target))
            .collect();
        assert_eq!(
            found,
            [
                (1, using("System")),
                (2, using("Acme.Util.Strings")),
                (3, using("Acme.Json")),
                (4, using("Acme.Model")),
            ]
        );
        let scoped = parse(Language::CSharp, b"namespace Acme.Lib;\nclass C {}\n").expect("parses");
        assert_eq!(scoped.declares, ["Acme.Lib"]);
    }
}
