//! Imports of JavaScript and TypeScript files: `import … from "x"`, `import "x"`, `export … from
//! "x"`, `require("x")` and `import("x")` with a string literal, wherever they stand.

use tree_sitter::Node;

use crate::{Import, Target, line_of, text};

pub(crate) fn imports(root: Node<'_>, source: &[u8]) -> Vec<Import> {
    let mut found = Vec::new();
    visit(root, source, &mut found);
    found
}

fn visit(node: Node<'_>, source: &[u8], found: &mut Vec<Import>) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let specifier = match child.kind() {
            "import_statement" | "export_statement" => child.child_by_field_name("source"),
            "call_expression" => {
                let callee = child.child_by_field_name("function");
                let is_import = callee.is_some_and(|f| {
                    f.kind() == "import"
                        || (f.kind() == "identifier" && text(f, source) == "require")
                });
                child
                    .child_by_field_name("arguments")
                    .filter(|_| is_import)
                    .and_then(|args| args.named_child(0))
                    .filter(|arg| arg.kind() == "string")
            }
            _ => None,
        };
        if let Some(specifier) = specifier.and_then(|s| string_value(s, source)) {
            found.push(Import {
                line: line_of(child),
                target: Target::Js(specifier),
            });
        }
        visit(child, source, found);
    }
}

/// The contents of a string literal without its quotes (`None` for a template or an empty one).
fn string_value(node: Node<'_>, source: &[u8]) -> Option<String> {
    let mut cursor = node.walk();
    let fragment = node
        .named_children(&mut cursor)
        .find(|c| c.kind() == "string_fragment")?;
    Some(text(fragment, source).to_owned())
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn every_form_of_import_gives_its_specifier_and_line() {
        let source = "import a from './a';\nimport { b } from \"../b.js\";\nimport './side';\n\
                      export * from './c';\nconst d = require('d-pkg');\nasync function f() { await import('./e'); }\n\
                      const x = require(name);\nexport const y = 1;\n";
        let parsed = parse(Language::TypeScript, source.as_bytes()).expect("parses");
        let (found, errors) = (parsed.imports, parsed.syntax_errors);
        assert!(!errors);
        let got: Vec<(u32, String)> = found
            .into_iter()
            .map(|i| match i.target {
                Target::Js(s) => (i.line, s),
                other => panic!("{other:?}"),
            })
            .collect();
        // Written out by hand: `require(name)` has no literal and `export const` no source.
        let expected = [
            (1, "./a"),
            (2, "../b.js"),
            (3, "./side"),
            (4, "./c"),
            (5, "d-pkg"),
            (6, "./e"),
        ];
        assert_eq!(got, expected.map(|(l, s)| (l, s.to_owned())).to_vec());
    }
}
