//! Ruby: `require_relative` from the requiring file's folder; `require` and `autoload` under the
//! `lib/` folders of the tree, the nearest one winning, and external (a gem) when none has it.

use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::resolve::{Outcome, join, nearest, normalize, parent};
use crate::{Import, Language, Target, children, line_of, string_content, text};

pub(crate) fn requires(root: Node<'_>, source: &[u8]) -> Vec<Import> {
    let mut found = Vec::new();
    visit(root, source, &mut found);
    found
}

fn visit(node: Node<'_>, source: &[u8], found: &mut Vec<Import>) {
    for child in children(node) {
        if child.kind() == "call" && child.child_by_field_name("receiver").is_none() {
            let method = child.child_by_field_name("method").map(|m| text(m, source));
            // `autoload :Name, "path"` names the file second.
            let (relative, position) = match method {
                Some("require") => (false, 0),
                Some("require_relative") => (true, 0),
                Some("autoload") => (false, 1),
                _ => {
                    visit(child, source, found);
                    continue;
                }
            };
            let path = child
                .child_by_field_name("arguments")
                .and_then(|args| children(args).into_iter().nth(position))
                .filter(|arg| arg.kind() == "string")
                .and_then(|arg| string_content(arg, source, "string_content"));
            if let Some(path) = path {
                found.push(Import {
                    line: line_of(child),
                    test: false,
                    target: Target::Ruby { path, relative },
                });
            }
        }
        visit(child, source, found);
    }
}

/// Ruby files, and the `lib/` folders that `require` searches.
pub(crate) struct RubyIndex<'a> {
    paths: BTreeSet<&'a str>,
    libs: BTreeSet<String>,
}

impl<'a> RubyIndex<'a> {
    pub(crate) fn new(paths: &'a [String]) -> Self {
        let mut index = RubyIndex {
            paths: BTreeSet::new(),
            libs: BTreeSet::new(),
        };
        for path in paths
            .iter()
            .filter(|p| Language::of(p) == Some(Language::Ruby))
        {
            index.paths.insert(path);
            let segments: Vec<&str> = path.split('/').collect();
            for (i, _) in segments.iter().enumerate().filter(|(_, s)| **s == "lib") {
                index.libs.insert(segments[..=i].join("/"));
            }
        }
        index
    }

    /// The Ruby file `base` names: itself, else with `.rb` added.
    fn file(&self, base: &str) -> Option<&'a str> {
        // `require "x.rb"` names the file as written; `require "x"` adds the extension.
        self.paths
            .get(base)
            .or_else(|| self.paths.get(format!("{base}.rb").as_str()))
            .copied()
    }

    /// `require` (or `require_relative` when `relative`) of `path` in `importer`.
    pub(crate) fn require(&self, importer: &str, path: &str, relative: bool) -> Outcome {
        if relative {
            return normalize(&join(parent(importer), path))
                .and_then(|base| self.file(&base))
                .map_or(Outcome::Unresolved, |f| Outcome::Files(vec![f.to_owned()]));
        }
        let candidates = self
            .libs
            .iter()
            .filter_map(|lib| self.file(&join(lib, path)));
        match nearest(candidates, importer) {
            Some(file) => Outcome::Files(vec![file.to_owned()]),
            None => Outcome::External,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Target, parse};

    #[test]
    fn require_require_relative_and_autoload_with_literal_strings() {
        let source = "require 'json'\nrequire_relative \"../support/helper\"\nmodule Acme\n  autoload :Client, 'acme/client'\n  require \"#{dir}/x\"\n  def f\n    require 'acme/lazy'\n  end\nend\nFoo.require 'not/this'\n";
        let parsed = parse(Language::Ruby, source.as_bytes()).expect("parses");
        let ruby = |path: &str, relative| Target::Ruby {
            path: path.into(),
            relative,
        };
        let found: Vec<(u32, Target)> = parsed
            .imports
            .into_iter()
            .map(|i| (i.line, i.target))
            .collect();
        assert_eq!(
            found,
            [
                (1, ruby("json", false)),
                (2, ruby("../support/helper", true)),
                (4, ruby("acme/client", false)),
                (7, ruby("acme/lazy", false)),
            ]
        );
    }
}
