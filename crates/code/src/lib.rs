//! Reading code: the imports of a file, parsed with tree-sitter from its contents (no checkout
//! needed), and resolved to other files of the same revision (docs/structure.md).
//!
//! Parsing is per file and pure; resolution needs the whole set of paths of the revision, since
//! an import names a module and the module's file is found among them.

mod c;
mod csharp;
mod functions;
mod go;
mod java;
mod javascript;
mod python;
mod resolve;
mod ruby;
mod rust;
mod sql;
mod tables;

pub use functions::{FUNCTION_FACTS_TABLE, Function, functions};
pub use resolve::{FileImports, Resolved, resolve, resolve_contents};

/// A language whose imports are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Language {
    /// `.rs`
    Rust,
    /// `.py`, `.pyi`
    Python,
    /// `.ts`, `.mts`, `.cts`
    TypeScript,
    /// `.tsx`, and JavaScript (`.js`, `.jsx`, `.mjs`, `.cjs`), read with the TSX grammar.
    Tsx,
    /// `.go`
    Go,
    /// `.java`
    Java,
    /// `.c`, `.h`
    C,
    /// `.cc`, `.cpp`, `.cxx`, `.c++`, `.hh`, `.hpp`, `.hxx`, `.h++`, `.ipp`, `.tpp`
    Cpp,
    /// `.cs`
    CSharp,
    /// `.rb`, `.rake`
    Ruby,
}

impl Language {
    /// The language of a path, by its extension.
    pub fn of(path: &str) -> Option<Language> {
        let extension = path.rsplit_once('.')?.1;
        match extension {
            "rs" => Some(Language::Rust),
            "py" | "pyi" => Some(Language::Python),
            "ts" | "mts" | "cts" => Some(Language::TypeScript),
            "tsx" | "js" | "jsx" | "mjs" | "cjs" => Some(Language::Tsx),
            "go" => Some(Language::Go),
            "java" => Some(Language::Java),
            "c" | "h" => Some(Language::C),
            "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "tpp" => {
                Some(Language::Cpp)
            }
            "cs" => Some(Language::CSharp),
            "rb" | "rake" => Some(Language::Ruby),
            _ => None,
        }
    }

    fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Language::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
            Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
        }
    }

    /// The name of the facts a file of this language gives, for cache keys.
    fn kind(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Go => "go",
            Language::Java => "java",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::CSharp => "csharp",
            Language::Ruby => "ruby",
        }
    }
}

/// One import as written, before it is resolved to a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Import {
    /// 1-based line of the statement.
    pub line: u32,
    /// Whether it sits in code compiled for tests only (Rust `#[cfg(test)]` items).
    #[serde(default)]
    pub test: bool,
    /// What it names.
    pub target: Target,
}

/// What an import names, in the terms of its language.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// Rust `mod name;`: a child module in a file of its own; `a::name` when declared inside the
    /// inline module `a`.
    RustMod(String),
    /// Rust `use` (one path per leaf of a use tree, without a trailing `self`, `*` or alias), or
    /// `extern crate`: segments such as `["crate", "sync", "mpsc"]` or `["serde", "Deserialize"]`.
    RustPath(Vec<String>),
    /// Python `import a.b` (`level` 0, no names) or `from ..a import b, c` (`level` 2).
    Python {
        /// Leading dots of a relative import.
        level: u32,
        /// The dotted module, split.
        module: Vec<String>,
        /// The names imported from it (`*` for a star import); each may be a submodule.
        names: Vec<String>,
    },
    /// JavaScript or TypeScript: the module specifier as written (`./a`, `../b.js`, `react`,
    /// `@scope/pkg/sub`).
    Js(String),
    /// Go `import "example.com/m/pkg"`: the import path.
    Go(String),
    /// Java `import a.b.C;` (`static` ones too) or `import a.b.*;` (`wildcard`), split at dots.
    Java {
        /// `["a", "b", "C"]`.
        path: Vec<String>,
        /// Whether it ends in `.*`.
        wildcard: bool,
    },
    /// C# `using A.B;`, `using static A.B.C;` or `using X = A.B.C;`: the name, split at dots.
    CSharp(Vec<String>),
    /// C or C++ `#include "a/b.h"` or `#include <a/b.h>` (`system`).
    Include {
        /// What is between the quotes or brackets.
        path: String,
        /// Written with `<…>`.
        system: bool,
    },
    /// Ruby `require "a/b"`, `autoload :X, "a/b"` or `require_relative "../c"` (`relative`).
    Ruby {
        /// The string as written.
        path: String,
        /// `require_relative`.
        relative: bool,
    },
}

/// What one parse of a file gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The imports, in the order written.
    pub imports: Vec<Import>,
    /// What the file declares that others import by name: a Java `package`, the C# namespaces
    /// (dotted, nested ones joined).
    pub declares: Vec<String>,
    /// Whether the file parsed with syntax errors (the imports tree-sitter could place are kept).
    pub syntax_errors: bool,
}

/// Why a file's imports could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The grammar could not be loaded (a tree-sitter version mismatch: a build problem).
    #[error("the {0:?} grammar does not load: {1}")]
    Grammar(Language, String),
    /// The text is not valid UTF-8 or the parser gave up.
    #[error("the file could not be parsed")]
    Unparsable,
    /// The file parsed with syntax errors; the imports found are still returned.
    #[error("the file has syntax errors")]
    SyntaxErrors,
}

/// The imports of `source`, in the order written, and what it declares. A file with syntax
/// errors still gives what tree-sitter could place, and says so.
pub fn parse(language: Language, source: &[u8]) -> Result<Parsed, ParseError> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&language.grammar())
        .map_err(|err| ParseError::Grammar(language, err.to_string()))?;
    let tree = parser.parse(source, None).ok_or(ParseError::Unparsable)?;
    let root = tree.root_node();
    let (imports, declares) = match language {
        Language::Rust => (rust::imports(root, source), Vec::new()),
        Language::Python => (python::imports(root, source), Vec::new()),
        Language::TypeScript | Language::Tsx => (javascript::imports(root, source), Vec::new()),
        Language::Go => (go::imports(root, source), Vec::new()),
        Language::Java => java::read(root, source),
        Language::C | Language::Cpp => (c::includes(root, source), Vec::new()),
        Language::CSharp => csharp::read(root, source),
        Language::Ruby => (ruby::requires(root, source), Vec::new()),
    };
    Ok(Parsed {
        imports,
        declares,
        syntax_errors: root.has_error(),
    })
}

/// What cochange reads from one file: the facts that resolution needs. Pure in the file's path
/// and contents, so that a caller may keep them by blob id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FileFacts {
    /// A source file's imports as written.
    Imports {
        /// In the order written.
        imports: Vec<Import>,
        /// What the file declares for others to import by name ([`Parsed::declares`]).
        declares: Vec<String>,
        /// Whether the file parsed with syntax errors (the imports found are still used).
        syntax_errors: bool,
    },
    /// A source file that could not be parsed at all.
    Unparsable,
    /// A Cargo manifest: the name of its package (`None` for a workspace without one).
    CargoPackage(Option<String>),
    /// A `package.json`: the package's `name` and its entry file (`main`, else `module`).
    NpmPackage {
        /// `name`.
        name: Option<String>,
        /// `main`, else `module`, relative to the package's folder.
        main: Option<String>,
    },
    /// A `go.mod`: the path of its `module`.
    GoModule(Option<String>),
    /// A `tsconfig.json` or `jsconfig.json`: `compilerOptions.baseUrl` and `paths`.
    TsConfig {
        /// `baseUrl`, relative to the config's folder.
        base_url: Option<String>,
        /// Each pattern of `paths` (`@app/*`) with its substitutions (`src/app/*`), in order.
        paths: Vec<(String, Vec<String>)>,
    },
}

/// The name under which a cache keeps [`FileFacts`] by blob id. It changes whenever
/// [`read_file`] would give different facts for some file (a grammar update, a new rule), so
/// that facts read by an older version are never served.
pub const FACTS_TABLE: &str = "code-facts-v7";

/// Whether `path` is a package manifest (`Cargo.toml`, `package.json`, `go.mod`,
/// `tsconfig.json`, `jsconfig.json`): it says where a package's modules live, so it is read even
/// where source files are filtered out.
pub fn is_manifest(path: &str) -> bool {
    matches!(
        file_name(path),
        "Cargo.toml" | "package.json" | "go.mod" | "tsconfig.json" | "jsconfig.json"
    )
}

/// Whether [`read_file`] reads anything from a file at `path`.
pub fn reads(path: &str) -> bool {
    Language::of(path).is_some() || is_manifest(path)
}

/// The facts of the file at `path` with `contents`; `None` for a file cochange does not read
/// (see [`reads`]).
pub fn read_file(path: &str, contents: &[u8]) -> Option<FileFacts> {
    match file_name(path) {
        "Cargo.toml" => return Some(FileFacts::CargoPackage(resolve::package_name(contents))),
        "package.json" => return Some(resolve::npm_package(contents)),
        "go.mod" => return Some(FileFacts::GoModule(go::module_path(contents))),
        "tsconfig.json" | "jsconfig.json" => return Some(javascript::ts_config(contents)),
        _ => {}
    }
    let language = Language::of(path)?;
    Some(match parse(language, contents) {
        Ok(parsed) => FileFacts::Imports {
            imports: parsed.imports,
            declares: parsed.declares,
            syntax_errors: parsed.syntax_errors,
        },
        Err(_) => FileFacts::Unparsable,
    })
}

/// What kind of facts [`read_file`] gives for `path`: files of one kind with the same contents
/// give the same facts (a cache key with the blob id).
pub fn kind_of(path: &str) -> &'static str {
    match file_name(path) {
        "Cargo.toml" => return "cargo",
        "package.json" => return "npm",
        "go.mod" => return "gomod",
        "tsconfig.json" | "jsconfig.json" => return "tsconfig",
        _ => {}
    }
    Language::of(path).map_or("", Language::kind)
}

use resolve::file_name;

pub use tables::{
    Access, Declaration, Declared, Reference, TABLE_FACTS_TABLE, TableFacts, is_migration,
    read_tables, reads_tables, table_kind,
};

/// The text of `node`, or "" when it is not UTF-8.
fn text<'s>(node: tree_sitter::Node<'_>, source: &'s [u8]) -> &'s str {
    node.utf8_text(source).unwrap_or_default()
}

/// The named children of `node`.
fn children(node: tree_sitter::Node<'_>) -> Vec<tree_sitter::Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The contents of a string literal node: the text of its first child of `content` kind, so
/// that a string with interpolation or escapes in place of content gives `None`.
fn string_content(node: tree_sitter::Node<'_>, source: &[u8], content: &str) -> Option<String> {
    let children = children(node);
    match children.as_slice() {
        [only] if only.kind() == content => Some(text(*only, source).to_owned()),
        _ => None,
    }
}

/// The 1-based line where `node` starts.
fn line_of(node: tree_sitter::Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}
