//! Imports of Python files: `import a.b` and `from .a import b`, wherever they stand (functions,
//! `try` blocks and `if TYPE_CHECKING:` included).

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
        match child.kind() {
            "import_statement" => {
                for name in field_all(child, "name") {
                    found.push(Import {
                        line: line_of(child),
                        test: false,
                        target: Target::Python {
                            level: 0,
                            module: dotted(imported(name), source),
                            names: Vec::new(),
                        },
                    });
                }
            }
            "import_from_statement" => {
                let Some(module) = child.child_by_field_name("module_name") else {
                    continue;
                };
                let (level, module) = if module.kind() == "relative_import" {
                    let mut level = 0;
                    let mut segments = Vec::new();
                    let mut parts = module.walk();
                    for part in module.named_children(&mut parts) {
                        match part.kind() {
                            "import_prefix" => level = text(part, source).matches('.').count(),
                            _ => segments = dotted(part, source),
                        }
                    }
                    (u32::try_from(level).unwrap_or(u32::MAX), segments)
                } else {
                    (0, dotted(module, source))
                };
                let mut names: Vec<String> = field_all(child, "name")
                    .into_iter()
                    .map(|name| text(imported(name), source).to_owned())
                    .collect();
                let mut parts = child.walk();
                if child
                    .named_children(&mut parts)
                    .any(|part| part.kind() == "wildcard_import")
                {
                    names.push("*".to_owned());
                }
                found.push(Import {
                    line: line_of(child),
                    test: false,
                    target: Target::Python {
                        level,
                        module,
                        names,
                    },
                });
            }
            _ => visit(child, source, found),
        }
    }
}

/// Every child of `node` in `field`.
fn field_all<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect()
}

/// The name an `aliased_import` imports, or the node itself.
fn imported(node: Node<'_>) -> Node<'_> {
    if node.kind() == "aliased_import" {
        node.child_by_field_name("name").unwrap_or(node)
    } else {
        node
    }
}

fn dotted(node: Node<'_>, source: &[u8]) -> Vec<String> {
    text(node, source)
        .split('.')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    fn python(level: u32, module: &[&str], names: &[&str]) -> Target {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        Target::Python {
            level,
            module: owned(module),
            names: owned(names),
        }
    }

    #[test]
    fn absolute_relative_aliased_and_star_imports() {
        let source = "\
import os, flask.app as app
from . import views
from ..core.models import User, Group as G
from .helpers import *
def f():
    from werkzeug import routing
";
        let parsed = parse(Language::Python, source.as_bytes()).expect("parses");
        let (found, errors) = (parsed.imports, parsed.syntax_errors);
        assert!(!errors);
        let found: Vec<(u32, Target)> = found.into_iter().map(|i| (i.line, i.target)).collect();
        assert_eq!(
            found,
            vec![
                (1, python(0, &["os"], &[])),
                (1, python(0, &["flask", "app"], &[])),
                (2, python(1, &[], &["views"])),
                (3, python(2, &["core", "models"], &["User", "Group"])),
                (4, python(1, &["helpers"], &["*"])),
                (6, python(0, &["werkzeug"], &["routing"])),
            ]
        );
    }
}
