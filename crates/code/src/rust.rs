//! Imports of Rust files: `mod name;`, the leaves of `use` trees and `extern crate`.

use tree_sitter::Node;

use crate::{Import, Target, line_of, text};

pub(crate) fn imports(root: Node<'_>, source: &[u8]) -> Vec<Import> {
    let mut found = Vec::new();
    visit(root, source, &[], false, &mut found);
    found
}

/// Whether an attribute such as `#[cfg(test)]` or `#[cfg(all(test, feature = "x"))]` compiles
/// the item after it for tests only (`cfg(not(test))` does not).
fn is_test_cfg(attribute: &str) -> bool {
    let compact: String = attribute.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with("#[cfg(")
        && !compact.contains("not(test")
        && !compact.contains("any(")
        && compact
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == "test")
}

/// Walks items, including those of inline modules and function bodies, where `use` may appear.
/// `inline` names the inline modules (`mod name { … }`) around `node`, outermost first: their
/// `mod` and `super` paths are written relative to the file's own module. `test`: `node` is
/// compiled for tests only.
fn visit(node: Node<'_>, source: &[u8], inline: &[String], test: bool, found: &mut Vec<Import>) {
    let mut cursor = node.walk();
    // An attribute applies to the item that follows it; an inner one (`#![cfg(test)]`) to the
    // rest of the module.
    let (mut test_module, mut test_item) = (test, false);
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "attribute_item" => {
                test_item |= is_test_cfg(text(child, source));
                continue;
            }
            "inner_attribute_item" => {
                test_module |= is_test_cfg(&text(child, source).replacen("#!", "#", 1));
                continue;
            }
            _ => {}
        }
        let test = test_module || std::mem::take(&mut test_item);
        match child.kind() {
            // `mod name;` has no body; `mod name { … }` is inline and holds items.
            "mod_item" => match child.child_by_field_name("body") {
                None => {
                    if let Some(name) = child.child_by_field_name("name") {
                        let mut module = inline.to_vec();
                        module.push(text(name, source).to_owned());
                        found.push(Import {
                            line: line_of(child),
                            test,
                            target: Target::RustMod(module.join("::")),
                        });
                    }
                }
                Some(body) => {
                    let mut inner = inline.to_vec();
                    if let Some(name) = child.child_by_field_name("name") {
                        inner.push(text(name, source).to_owned());
                    }
                    visit(body, source, &inner, test, found);
                }
            },
            "use_declaration" => {
                if let Some(argument) = child.child_by_field_name("argument") {
                    let mut paths = Vec::new();
                    use_tree(argument, source, &[], &mut paths);
                    found.extend(paths.into_iter().map(|path| Import {
                        line: line_of(child),
                        test,
                        target: Target::RustPath(outside_inline(path, inline)),
                    }));
                }
            }
            "extern_crate_declaration" => {
                if let Some(name) = child.child_by_field_name("name") {
                    found.push(Import {
                        line: line_of(child),
                        test,
                        target: Target::RustPath(vec![text(name, source).to_owned()]),
                    });
                }
            }
            "macro_invocation" => macro_items(child, source, inline, test, found),
            _ => visit(child, source, inline, test, found),
        }
    }
}

/// Items written inside a macro call such as `cfg_rt! { pub mod runtime; pub use … }`: to the
/// grammar the braces hold tokens, not items, so they are parsed again on their own. Only
/// brace-delimited calls that mention `mod`, `use` or `extern crate` are, which leaves out
/// calls in parentheses such as `format!(…)`.
fn macro_items(
    call: Node<'_>,
    source: &[u8],
    inline: &[String],
    test: bool,
    found: &mut Vec<Import>,
) {
    let mut cursor = call.walk();
    let Some(tokens) = call
        .named_children(&mut cursor)
        .find(|c| c.kind() == "token_tree")
    else {
        return;
    };
    let body = &source[tokens.byte_range()];
    let mentions = |word: &[u8]| body.windows(word.len()).any(|w| w == word);
    if body.first() != Some(&b'{')
        || !(mentions(b"mod ") || mentions(b"use ") || mentions(b"extern crate"))
    {
        return;
    }
    let inner = &body[1..body.len().saturating_sub(1)];
    let mut parser = tree_sitter::Parser::new();
    if parser
        .set_language(&tree_sitter_rust::LANGUAGE.into())
        .is_err()
    {
        return;
    }
    let Some(tree) = parser.parse(inner, None) else {
        return;
    };
    let start = found.len();
    visit(tree.root_node(), inner, inline, test, found);
    // Lines inside count from the line of the opening brace.
    let offset = line_of(tokens) - 1;
    for import in &mut found[start..] {
        import.line += offset;
    }
}

/// A `use` path written inside the inline modules `inline`, as the file's own module sees it:
/// each leading `super` leaves one inline module first (`mod tests { use super::* }` names the
/// file itself), and only the `super`s beyond them climb above the file.
fn outside_inline(path: Vec<String>, inline: &[String]) -> Vec<String> {
    if inline.is_empty() || path.first().is_none_or(|s| s != "super") {
        return path;
    }
    let supers = path.iter().take_while(|s| *s == "super").count();
    if supers > inline.len() {
        return path[inline.len()..].to_vec();
    }
    let mut outside = inline[..inline.len() - supers].to_vec();
    outside.extend(path[supers..].iter().cloned());
    if outside.is_empty() {
        // The file's own module: `self` resolves to the file, which is no edge.
        outside.push("self".to_owned());
    }
    outside
}

/// Each leaf path of a use tree under `prefix`.
fn use_tree(node: Node<'_>, source: &[u8], prefix: &[String], paths: &mut Vec<Vec<String>>) {
    let joined = |tail: Vec<String>| {
        let mut path = prefix.to_vec();
        path.extend(tail.into_iter().filter(|s| s != "self"));
        path
    };
    match node.kind() {
        "use_as_clause" => {
            if let Some(path) = node.child_by_field_name("path") {
                paths.push(joined(segments(path, source)));
            }
        }
        "use_wildcard" => {
            // `a::b::*` imports from the module `a::b`.
            if let Some(path) = node.named_child(0) {
                paths.push(joined(segments(path, source)));
            } else if !prefix.is_empty() {
                paths.push(prefix.to_vec());
            }
        }
        "scoped_use_list" => {
            let base = node
                .child_by_field_name("path")
                .map_or_else(|| prefix.to_vec(), |path| joined(segments(path, source)));
            if let Some(list) = node.child_by_field_name("list") {
                use_tree(list, source, &base, paths);
            }
        }
        "use_list" => {
            let mut cursor = node.walk();
            for item in node.named_children(&mut cursor) {
                use_tree(item, source, prefix, paths);
            }
        }
        _ => {
            let path = joined(segments(node, source));
            if !path.is_empty() {
                paths.push(path);
            }
        }
    }
}

/// The segments of a path such as `crate::a::b` or `super::super::x`.
fn segments(node: Node<'_>, source: &[u8]) -> Vec<String> {
    match node.kind() {
        "scoped_identifier" => {
            let mut path = node
                .child_by_field_name("path")
                .map(|p| segments(p, source))
                .unwrap_or_default();
            if let Some(name) = node.child_by_field_name("name") {
                path.push(text(name, source).to_owned());
            }
            path
        }
        "identifier" | "crate" | "self" | "super" => vec![text(node, source).to_owned()],
        _ => text(node, source)
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    fn paths(source: &str) -> Vec<(u32, Target)> {
        let found = parse(Language::Rust, source.as_bytes())
            .expect("parses")
            .imports;
        found.into_iter().map(|i| (i.line, i.target)).collect()
    }

    fn path(segments: &[&str]) -> Target {
        Target::RustPath(segments.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn use_trees_expand_to_one_path_per_leaf() {
        let source = "\
mod parser;
mod inline { use super::parser::Token; }
use crate::{sync::{mpsc, Mutex as M}, io::*, self as me};
use std::fmt;
extern crate serde;
fn f() { use super::super::x; }
";
        assert_eq!(
            paths(source),
            vec![
                (1, Target::RustMod("parser".into())),
                // `super` inside `mod inline` is the file's own module.
                (2, path(&["parser", "Token"])),
                (3, path(&["crate", "sync", "mpsc"])),
                (3, path(&["crate", "sync", "Mutex"])),
                (3, path(&["crate", "io"])),
                (3, path(&["crate"])),
                (4, path(&["std", "fmt"])),
                (5, path(&["serde"])),
                (6, path(&["super", "super", "x"])),
            ]
        );
    }
}
