//! Imports of JavaScript and TypeScript files: `import … from "x"`, `import "x"`, `export … from
//! "x"`, `require("x")` and `import("x")` with a string literal, wherever they stand.

use tree_sitter::Node;

use crate::{FileFacts, Import, Target, line_of, text};

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
                test: false,
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

/// `compilerOptions.baseUrl` and `paths` of a `tsconfig.json`, which may hold comments and
/// trailing commas; nothing when it does not parse. `extends` is not followed.
pub(crate) fn ts_config(contents: &[u8]) -> FileFacts {
    let text = String::from_utf8_lossy(contents);
    let value: serde_json::Value = serde_json::from_str(&strict_json(&text)).unwrap_or_default();
    let options = &value["compilerOptions"];
    let paths = options["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .map(|(pattern, targets)| {
                    let targets = targets
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect();
                    (pattern.clone(), targets)
                })
                .collect()
        })
        .unwrap_or_default();
    FileFacts::TsConfig {
        base_url: options["baseUrl"].as_str().map(str::to_owned),
        paths,
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After a `/`: skips the rest of a `//` or `/* */` comment and says whether there was one.
fn skip_comment(chars: &mut Chars<'_>) -> bool {
    match chars.peek() {
        Some('/') => while chars.next_if(|&c| c != '\n').is_some() {},
        Some('*') => {
            chars.next();
            let mut last = ' ';
            for c in chars.by_ref() {
                if last == '*' && c == '/' {
                    break;
                }
                last = c;
            }
        }
        _ => return false,
    }
    true
}

/// The next character that is neither blank nor inside a comment.
fn next_significant(mut chars: Chars<'_>) -> Option<char> {
    loop {
        match chars.next()? {
            c if c.is_whitespace() => {}
            '/' if skip_comment(&mut chars) => {}
            c => return Some(c),
        }
    }
}

/// JSON with comments and trailing commas made plain JSON: both are dropped outside strings.
fn strict_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if skip_comment(&mut chars) => {}
            // A comma is kept unless only blanks and comments stand before `}` or `]`.
            ',' if matches!(next_significant(chars.clone()), Some('}' | ']')) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn ts_config_with_comments_and_trailing_commas() {
        let config = br#"{
  // paths for the app
  "compilerOptions": {
    "baseUrl": "./src", /* relative to this file */
    "paths": { "@app/*": ["app/*", "shared/*",], "~": ["index.ts"], },
  },
}"#;
        assert_eq!(
            super::ts_config(config),
            crate::FileFacts::TsConfig {
                base_url: Some("./src".into()),
                paths: vec![
                    ("@app/*".into(), vec!["app/*".into(), "shared/*".into()]),
                    ("~".into(), vec!["index.ts".into()]),
                ],
            }
        );
    }

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
