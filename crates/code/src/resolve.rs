//! Imports resolved to files of one revision (docs/structure.md lists the rules per language).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::c::IncludeIndex;
use crate::csharp::CSharpIndex;
use crate::go::GoIndex;
use crate::java::JavaIndex;
use crate::ruby::RubyIndex;
use crate::{FileFacts, Language, Target};

/// The resolved imports of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileImports {
    /// The importing file.
    pub path: String,
    /// Files it imports, each with the line of the first import that reaches it; sorted by path.
    pub edges: Vec<(String, u32)>,
    /// Imports of code outside the repository (other crates, installed packages, the standard
    /// library).
    pub external: u32,
    /// Imports that look internal (relative, `crate::`, `super::`) but name no file.
    pub unresolved: u32,
    /// The targets of `edges` that only code compiled for tests imports (Rust `#[cfg(test)]`
    /// items, and every import of a module file that only `#[cfg(test)] mod` declares); sorted.
    pub test_only: Vec<String>,
}

/// The imports of every file of a revision that cochange reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// One entry per file of a known language, sorted by path.
    pub files: Vec<FileImports>,
    /// Files that could not be parsed at all, sorted.
    pub unparsable: Vec<String>,
    /// Files that parsed with syntax errors (their imports are still used), sorted.
    pub with_errors: Vec<String>,
}

/// Resolves the imports of `files` (path → contents, the whole revision: manifests such as
/// `Cargo.toml` and package markers such as `__init__.py` say where modules live).
pub fn resolve_contents(files: &BTreeMap<String, Vec<u8>>) -> Resolved {
    let paths: Vec<String> = files.keys().cloned().collect();
    let facts = files
        .iter()
        .filter_map(|(path, contents)| Some((path.clone(), crate::read_file(path, contents)?)))
        .collect();
    resolve(&paths, &facts)
}

/// Resolves the imports in `facts` (by path, from [`read_file`](crate::read_file)) among `paths`,
/// every file of the revision.
pub fn resolve(paths: &[String], facts: &BTreeMap<String, FileFacts>) -> Resolved {
    let rust = RustIndex::new(paths, facts);
    let python = PythonIndex::new(paths.iter());
    let js = JsIndex::new(paths, facts);
    let go = GoIndex::new(paths, facts);
    let java = JavaIndex::new(facts);
    let csharp = CSharpIndex::new(facts);
    let includes = IncludeIndex::new(paths);
    let ruby = RubyIndex::new(paths);
    let mut resolved = Resolved::default();
    // Rust `mod` declarations: (module file, declaring file, in test code).
    let mut declared: Vec<(String, String, bool)> = Vec::new();
    for (path, fact) in facts {
        let (found, errors) = match fact {
            FileFacts::CargoPackage(_)
            | FileFacts::NpmPackage { .. }
            | FileFacts::GoModule(_)
            | FileFacts::TsConfig { .. } => continue,
            FileFacts::Unparsable => {
                resolved.unparsable.push(path.clone());
                continue;
            }
            FileFacts::Imports {
                imports,
                syntax_errors,
                ..
            } => (imports, *syntax_errors),
        };
        if errors {
            resolved.with_errors.push(path.clone());
        }
        // Per target, the line of the first import and whether every import of it is a test's.
        let mut edges: BTreeMap<String, (u32, bool)> = BTreeMap::new();
        let mut file = FileImports {
            path: path.clone(),
            ..FileImports::default()
        };
        for import in found {
            let outcome = match &import.target {
                Target::RustMod(name) => rust.child_module(path, name),
                Target::RustPath(segments) => rust.path(path, segments),
                Target::Python {
                    level,
                    module,
                    names,
                } => python.import(path, *level, module, names),
                Target::Js(specifier) => js.import(path, specifier),
                Target::Go(import) => go.import(import),
                Target::Java { path, wildcard } => java.import(path, *wildcard),
                Target::CSharp(name) => csharp.import(name),
                Target::Include {
                    path: include,
                    system,
                } => includes.include(path, include, *system),
                Target::Ruby {
                    path: required,
                    relative,
                } => ruby.require(path, required, *relative),
            };
            match outcome {
                Outcome::Files(targets) => {
                    for target in targets.into_iter().filter(|t| t != path) {
                        if matches!(import.target, Target::RustMod(_)) {
                            declared.push((target.clone(), path.clone(), import.test));
                        }
                        let edge = edges.entry(target).or_insert((import.line, true));
                        edge.1 &= import.test;
                    }
                }
                Outcome::External => file.external += 1,
                Outcome::Unresolved => file.unresolved += 1,
            }
        }
        file.test_only = edges
            .iter()
            .filter(|(_, (_, test))| *test)
            .map(|(target, _)| target.clone())
            .collect();
        file.edges = edges
            .into_iter()
            .map(|(target, (line, _))| (target, line))
            .collect();
        resolved.files.push(file);
    }
    mark_test_modules(&mut resolved, &declared);
    resolved
}

/// A module file that only `#[cfg(test)] mod` declares (from code or from other such files) is
/// test code: all it imports is imported by tests only. `declared`: (module file, declaring
/// file, in test code).
fn mark_test_modules(resolved: &mut Resolved, declared: &[(String, String, bool)]) {
    let mut declarers: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    for (module, from, test) in declared {
        declarers.entry(module).or_default().push((from, *test));
    }
    let mut test_files: BTreeSet<&str> = BTreeSet::new();
    loop {
        let found: Vec<&str> = declarers
            .iter()
            .filter(|(module, by)| {
                !test_files.contains(*module)
                    && by
                        .iter()
                        .all(|(from, test)| *test || test_files.contains(from))
            })
            .map(|(module, _)| *module)
            .collect();
        if found.is_empty() {
            break;
        }
        test_files.extend(found);
    }
    for file in &mut resolved.files {
        if test_files.contains(file.path.as_str()) {
            file.test_only = file.edges.iter().map(|(t, _)| t.clone()).collect();
        }
    }
}

/// Where one import leads.
pub(crate) enum Outcome {
    Files(Vec<String>),
    External,
    Unresolved,
}

/// The parent folder of a path ("" at the top).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The last segment of a path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The file name without its extension.
pub(crate) fn stem(path: &str) -> &str {
    let name = file_name(path);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// Of several files an import may name, the one nearest to `importer`: the most leading folders
/// in common, then the first by path.
pub(crate) fn nearest<'a>(
    candidates: impl Iterator<Item = &'a str>,
    importer: &str,
) -> Option<&'a str> {
    let shared = |candidate: &str| {
        candidate
            .split('/')
            .zip(importer.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    candidates.min_by(|a, b| shared(b).cmp(&shared(a)).then(a.cmp(b)))
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Rust modules: each `.rs` file's crate root folder and module path.
struct RustIndex {
    /// (root folder, module path joined by `::`) → file.
    modules: HashMap<(String, String), String>,
    /// File → (root folder, module path).
    of_file: HashMap<String, (String, Vec<String>)>,
    /// Crate names (with `-` as `_`) → the root folder of their library.
    crates: HashMap<String, String>,
    /// (root folder, module path) of every module that has a module with a file below it, so
    /// that an inline module holding `mod x;` counts as a module of the file.
    parents: BTreeSet<(String, String)>,
}

impl RustIndex {
    fn new(paths: &[String], facts: &BTreeMap<String, FileFacts>) -> RustIndex {
        let packages: Vec<(String, String)> = facts
            .iter()
            .filter_map(|(path, fact)| match fact {
                FileFacts::CargoPackage(Some(name)) => {
                    Some((parent(path).to_owned(), name.clone()))
                }
                _ => None,
            })
            .collect();
        let all: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
        let mut index = RustIndex {
            modules: HashMap::new(),
            of_file: HashMap::new(),
            crates: HashMap::new(),
            parents: BTreeSet::new(),
        };
        for (dir, name) in &packages {
            let root = join(dir, "src");
            if all.contains(join(&root, "lib.rs").as_str()) {
                index.crates.insert(name.replace('-', "_"), root);
            }
        }
        let package_dirs: BTreeSet<&str> = packages.iter().map(|(d, _)| d.as_str()).collect();
        for path in paths
            .iter()
            .filter(|p| Language::of(p) == Some(Language::Rust))
        {
            let (root, module) = rust_module(path, &package_dirs);
            // Of the files that are a root, only `lib.rs` (else `main.rs`) stands for a folder
            // others import from; a test or example root is reached by no path but its own.
            let name = path.rsplit('/').next().unwrap_or_default();
            if !module.is_empty() || name == "lib.rs" || name == "main.rs" {
                index
                    .modules
                    .entry((root.clone(), module.join("::")))
                    .or_insert_with(|| path.clone());
            }
            for depth in 1..module.len() {
                index
                    .parents
                    .insert((root.clone(), module[..depth].join("::")));
            }
            index.of_file.insert(path.clone(), (root, module));
        }
        index
    }

    /// `mod name;` in `path`: `name.rs` or `name/mod.rs` in the folder of `path`'s children.
    fn child_module(&self, path: &str, name: &str) -> Outcome {
        let Some((root, module)) = self.of_file.get(path) else {
            return Outcome::Unresolved;
        };
        let mut child = module.clone();
        child.push(name.to_owned());
        match self.modules.get(&(root.clone(), child.join("::"))) {
            Some(file) => Outcome::Files(vec![file.clone()]),
            None => Outcome::Unresolved,
        }
    }

    /// A `use` path in `path`.
    fn path(&self, path: &str, segments: &[String]) -> Outcome {
        let Some((own_root, module)) = self.of_file.get(path) else {
            return Outcome::Unresolved;
        };
        let root = own_root;
        let Some(first) = segments.first() else {
            return Outcome::Unresolved;
        };
        let (root, base, rest) = match first.as_str() {
            "crate" => (root.as_str(), Vec::new(), &segments[1..]),
            "self" | "super" => {
                let supers = segments.iter().take_while(|s| *s == "super").count();
                let skip = if first == "self" { 1 } else { supers };
                if supers > module.len() {
                    return Outcome::Unresolved;
                }
                let base = module[..module.len() - supers].to_vec();
                (root.as_str(), base, &segments[skip..])
            }
            name => {
                let mut child = module.clone();
                child.push(name.to_owned());
                let key = (root.clone(), child.join("::"));
                if self.modules.contains_key(&key) || self.parents.contains(&key) {
                    // A path relative to the current module (Rust 2018's uniform paths).
                    (root.as_str(), module.clone(), segments)
                } else if let Some(other) = self.crates.get(name) {
                    (other.as_str(), Vec::new(), &segments[1..])
                } else {
                    return Outcome::External;
                }
            }
        };
        // The longest prefix that is a module of its own file; items of a module stay in it.
        for take in (0..=rest.len()).rev() {
            let mut candidate = base.clone();
            candidate.extend(rest[..take].iter().cloned());
            if candidate.is_empty() && root == own_root && module.is_empty() {
                // Items of the importing root itself (a `main.rs` beside a `lib.rs`, a test).
                return Outcome::Files(Vec::new());
            }
            if let Some(file) = self.modules.get(&(root.to_owned(), candidate.join("::"))) {
                return Outcome::Files(vec![file.clone()]);
            }
        }
        Outcome::Unresolved
    }
}

/// `name` and `main` (else `module`) of a `package.json`; nothing when it does not parse.
pub(crate) fn npm_package(manifest: &[u8]) -> FileFacts {
    let value: serde_json::Value = serde_json::from_slice(manifest).unwrap_or_default();
    let field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    FileFacts::NpmPackage {
        name: field("name"),
        main: field("main").or_else(|| field("module")),
    }
}

/// JavaScript and TypeScript modules: files by path, the packages of the repository and the
/// `tsconfig.json` path mappings.
struct JsIndex<'a> {
    paths: BTreeSet<&'a str>,
    /// Package name → (its folder, its entry file).
    packages: HashMap<&'a str, (&'a str, Option<&'a str>)>,
    /// Each config's folder, deepest first, with its `baseUrl` and `paths`.
    configs: Vec<(&'a str, Option<&'a str>, &'a PathMappings)>,
}

/// `paths` of a `tsconfig.json`: each pattern with its substitutions.
type PathMappings = [(String, Vec<String>)];

/// What an extensionless specifier may name, in the order tried.
const JS_EXTENSIONS: [&str; 7] = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"];

impl<'a> JsIndex<'a> {
    fn new(paths: &'a [String], facts: &'a BTreeMap<String, FileFacts>) -> JsIndex<'a> {
        let packages = facts
            .iter()
            .filter_map(|(path, fact)| match fact {
                FileFacts::NpmPackage {
                    name: Some(name),
                    main,
                } => Some((name.as_str(), (parent(path), main.as_deref()))),
                _ => None,
            })
            .collect();
        let mut configs: Vec<_> = facts
            .iter()
            .filter_map(|(path, fact)| match fact {
                FileFacts::TsConfig { base_url, paths } => {
                    Some((parent(path), base_url.as_deref(), paths.as_slice()))
                }
                _ => None,
            })
            .collect();
        configs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        JsIndex {
            paths: paths.iter().map(String::as_str).collect(),
            packages,
            configs,
        }
    }

    /// A bare specifier through the `tsconfig.json` nearest above `path`: the first `paths`
    /// pattern that matches it (the one with the longest text before `*`), then `baseUrl`.
    fn mapped(&self, path: &str, specifier: &str) -> Option<String> {
        let &(dir, base_url, patterns) = self
            .configs
            .iter()
            .find(|(dir, _, _)| dir.is_empty() || path.starts_with(&format!("{dir}/")))?;
        let base = join(dir, base_url.unwrap_or("."));
        let captured = |pattern: &str| match pattern.split_once('*') {
            None => (pattern == specifier).then_some(("", pattern.len())),
            Some((prefix, suffix)) => specifier
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .map(|star| (star, prefix.len())),
        };
        let best = patterns
            .iter()
            .filter_map(|(pattern, targets)| Some((captured(pattern)?, targets)))
            .max_by_key(|((_, prefix), _)| *prefix);
        let from_paths = best.and_then(|((star, _), targets)| {
            targets.iter().find_map(|target| {
                normalize(&join(&base, &target.replacen('*', star, 1))).and_then(|t| self.file(&t))
            })
        });
        from_paths.or_else(|| {
            base_url.and_then(|_| normalize(&join(&base, specifier)).and_then(|t| self.file(&t)))
        })
    }

    /// The file `base` names: itself, with an extension, or its folder's `index`; a `.js`
    /// specifier may name the `.ts` file it is compiled from.
    fn file(&self, base: &str) -> Option<String> {
        let stem = base
            .strip_suffix(".js")
            .or_else(|| base.strip_suffix(".jsx"))
            .or_else(|| base.strip_suffix(".mjs"));
        let candidates = std::iter::once(base.to_owned())
            .chain(JS_EXTENSIONS.iter().map(|e| format!("{base}{e}")))
            .chain(
                JS_EXTENSIONS
                    .iter()
                    .map(|e| format!("{}{e}", join(base, "index"))),
            )
            .chain(
                stem.into_iter()
                    .flat_map(|s| [format!("{s}.ts"), format!("{s}.tsx")]),
            );
        candidates
            .filter(|c| !c.is_empty())
            .find(|c| self.paths.contains(c.as_str()))
    }

    /// `import … from specifier` in `path`.
    fn import(&self, path: &str, specifier: &str) -> Outcome {
        let found =
            |file: Option<String>| file.map_or(Outcome::Unresolved, |f| Outcome::Files(vec![f]));
        if specifier.starts_with('.') {
            return found(normalize(&join(parent(path), specifier)).and_then(|b| self.file(&b)));
        }
        if specifier.starts_with('/') {
            return Outcome::Unresolved;
        }
        if let Some(file) = self.mapped(path, specifier) {
            return Outcome::Files(vec![file]);
        }
        let mut parts = specifier.splitn(if specifier.starts_with('@') { 3 } else { 2 }, '/');
        let name = if specifier.starts_with('@') {
            let scope = parts.next().unwrap_or_default();
            format!("{scope}/{}", parts.next().unwrap_or_default())
        } else {
            parts.next().unwrap_or_default().to_owned()
        };
        let rest = parts.next().unwrap_or_default();
        let Some(&(dir, main)) = self.packages.get(name.as_str()) else {
            return Outcome::External;
        };
        let file = if rest.is_empty() {
            main.and_then(|m| normalize(&join(dir, m)))
                .and_then(|m| self.file(&m))
                .or_else(|| self.file(&join(dir, "index")))
                .or_else(|| self.file(&join(dir, "src/index")))
        } else {
            self.file(&join(dir, rest))
                .or_else(|| self.file(&join(&join(dir, "src"), rest)))
        };
        found(file)
    }
}

/// `path` with `.` and `..` segments applied; `None` when it climbs above the top.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// `[package] name` of a Cargo manifest.
pub(crate) fn package_name(manifest: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(manifest).ok()?;
    let value: toml::Table = toml::from_str(text).ok()?;
    let name = value.get("package")?.get("name")?.as_str()?;
    Some(name.to_owned())
}

/// The crate root folder of a `.rs` file and its module path under it. A package's `src/` is
/// one root (`lib.rs` and `main.rs` are its top); each file directly in `tests/`, `examples/`,
/// `benches/` or `src/bin/` is a root of its own, as is a file outside any package.
fn rust_module(path: &str, packages: &BTreeSet<&str>) -> (String, Vec<String>) {
    let package = packages
        .iter()
        .filter(|dir| dir.is_empty() || path.starts_with(&format!("{dir}/")))
        .max_by_key(|dir| dir.len())
        .copied()
        .unwrap_or("");
    let within = if package.is_empty() {
        path
    } else {
        &path[package.len() + 1..]
    };
    let stem = within.trim_end_matches(".rs");
    let mut parts: Vec<&str> = stem.split('/').collect();
    let own_roots = [
        ["src", "bin"].as_slice(),
        &["tests"],
        &["examples"],
        &["benches"],
    ];
    for prefix in own_roots {
        if parts.len() > prefix.len() && parts[..prefix.len()] == *prefix {
            // `tests/a.rs` is a root; `tests/common/mod.rs` a module `common` beside the roots.
            let root = join(package, &prefix.join("/"));
            let module = module_path(&parts[prefix.len()..], parts.len() == prefix.len() + 1);
            return (root, module);
        }
    }
    if parts.first() == Some(&"src") && parts.len() > 1 {
        parts.remove(0);
        return (join(package, "src"), module_path(&parts, false));
    }
    // Outside a package's layout: the file is a root of its own folder.
    let root = parent(path).to_owned();
    let top = parts.len() == 1 || !package.is_empty();
    (root, module_path(&parts[parts.len() - 1..], top))
}

/// Module segments of a file's path parts under its root: `a/b.rs` is `a::b`, `a/mod.rs` is
/// `a`, `lib.rs` and `main.rs` at the top (or any file that is a root) are the root itself.
fn module_path(parts: &[&str], is_root: bool) -> Vec<String> {
    if is_root {
        return Vec::new();
    }
    let mut module: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
    match module.last().map(String::as_str) {
        Some("mod") => {
            module.pop();
        }
        Some("lib" | "main") if module.len() == 1 => module.clear(),
        _ => {}
    }
    module
}

/// Python modules: dotted names under the folders where top-level packages start.
struct PythonIndex {
    /// (root folder, dotted module) → file.
    modules: HashMap<(String, String), String>,
    /// File → (root folder, its dotted package).
    of_file: HashMap<String, (String, Vec<String>)>,
    /// Every root folder, in name order (computed once: each absolute import walks them).
    roots: BTreeSet<String>,
}

impl PythonIndex {
    fn new<'a>(paths: impl Iterator<Item = &'a String>) -> PythonIndex {
        let paths: Vec<&String> = paths.collect();
        let all: BTreeSet<&str> = paths.iter().map(|p| p.as_str()).collect();
        let has_init =
            |dir: &str| !dir.is_empty() && all.contains(join(dir, "__init__.py").as_str());
        // A folder without `__init__.py` below a package is a namespace subpackage (PEP 420):
        // `from .sansio.app import App` in `flask/app.py` names `flask/sansio/app.py`.
        let is_package = |dir: &str| {
            let mut dir = dir;
            while !dir.is_empty() {
                if has_init(dir) {
                    return true;
                }
                dir = parent(dir);
            }
            false
        };
        let mut index = PythonIndex {
            modules: HashMap::new(),
            of_file: HashMap::new(),
            roots: BTreeSet::new(),
        };
        for path in paths
            .iter()
            .filter(|p| Language::of(p) == Some(Language::Python))
        {
            // The root is the first folder up that is not a package.
            let mut root = parent(path);
            while is_package(root) {
                root = parent(root);
            }
            let within = if root.is_empty() {
                path.as_str()
            } else {
                &path[root.len() + 1..]
            };
            let stem = within.trim_end_matches(".pyi").trim_end_matches(".py");
            let mut module: Vec<String> = stem.split('/').map(str::to_owned).collect();
            let is_init = module.last().is_some_and(|m| m == "__init__");
            if is_init {
                module.pop();
            }
            let package = if is_init {
                module.clone()
            } else {
                module[..module.len() - 1].to_vec()
            };
            index
                .modules
                .entry((root.to_owned(), module.join(".")))
                .or_insert_with(|| (*path).clone());
            index
                .of_file
                .insert((*path).clone(), (root.to_owned(), package));
            index.roots.insert(root.to_owned());
        }
        index
    }

    fn find(&self, root: &str, module: &[String]) -> Option<&String> {
        self.modules.get(&(root.to_owned(), module.join(".")))
    }

    /// `import module` (`names` empty) or `from (dots)module import names` in `path`.
    fn import(&self, path: &str, level: u32, module: &[String], names: &[String]) -> Outcome {
        let Some((root, package)) = self.of_file.get(path) else {
            return Outcome::Unresolved;
        };
        let base: Vec<String> = if level == 0 {
            module.to_vec()
        } else {
            let up = (level - 1) as usize;
            if up > package.len() {
                return Outcome::Unresolved;
            }
            let mut base = package[..package.len() - up].to_vec();
            base.extend(module.iter().cloned());
            base
        };
        // Absolute imports look in the importer's root first, then in every other root.
        let roots: Vec<&str> = if level == 0 {
            std::iter::once(root.as_str())
                .chain(self.roots.iter().map(String::as_str).filter(|r| *r != root))
                .collect()
        } else {
            vec![root.as_str()]
        };
        for root in roots {
            // Names that are submodules are the files imported; else the module itself.
            let submodules: Vec<String> = names
                .iter()
                .filter(|n| *n != "*")
                .filter_map(|name| {
                    let mut full = base.clone();
                    full.push(name.clone());
                    self.find(root, &full).cloned()
                })
                .collect();
            if !submodules.is_empty() {
                return Outcome::Files(submodules);
            }
            for take in (1..=base.len()).rev() {
                if let Some(file) = self.find(root, &base[..take]) {
                    return Outcome::Files(vec![file.clone()]);
                }
            }
        }
        if level > 0 {
            Outcome::Unresolved
        } else {
            Outcome::External
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{FileImports, Resolved, resolve_contents as resolve};

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(path, text)| ((*path).to_owned(), text.as_bytes().to_vec()))
            .collect()
    }

    fn by_path(resolved: &Resolved) -> BTreeMap<&str, &FileImports> {
        resolved
            .files
            .iter()
            .map(|f| (f.path.as_str(), f))
            .collect()
    }

    fn edges(file: &FileImports) -> Vec<(&str, u32)> {
        file.edges.iter().map(|(t, l)| (t.as_str(), *l)).collect()
    }

    #[test]
    fn rust_modules_uses_and_workspace_crates_resolve_to_files() {
        let tree = files(&[
            ("core/Cargo.toml", "[package]\nname = \"my-core\"\n"),
            (
                "core/src/lib.rs",
                "pub mod sync;\nmod util;\nuse std::fmt;\n",
            ),
            (
                "core/src/sync/mod.rs",
                "mod mpsc;\npub use self::mpsc::Sender;\n",
            ),
            (
                "core/src/sync/mpsc.rs",
                "use crate::util::helper;\nuse super::super::Thing;\n",
            ),
            (
                "core/src/util.rs",
                "use serde::Deserialize;\nuse crate::nothing::here;\n",
            ),
            (
                "core/tests/api.rs",
                "mod common;\nuse my_core::sync::Sender;\n",
            ),
            ("core/tests/common/mod.rs", ""),
            ("core/tests/other.rs", "use crate::helper;\n"),
            (
                "core/src/main.rs",
                "use my_core::sync;\nuse crate::Thing;\n",
            ),
            ("app/Cargo.toml", "[package]\nname = \"app\"\n"),
            ("app/src/main.rs", "use my_core::{sync, util::helper};\n"),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand from the files above:
        // lib.rs: `mod sync` → sync/mod.rs, `mod util` → util.rs; std is external.
        let lib = by_path["core/src/lib.rs"];
        assert_eq!(
            edges(lib),
            [("core/src/sync/mod.rs", 1), ("core/src/util.rs", 2)]
        );
        assert_eq!((lib.external, lib.unresolved), (1, 0));
        // sync/mod.rs: `mod mpsc` and `use self::mpsc::Sender` both reach mpsc.rs (first line kept).
        assert_eq!(
            edges(by_path["core/src/sync/mod.rs"]),
            [("core/src/sync/mpsc.rs", 1)]
        );
        // mpsc.rs: crate::util → util.rs; super::super::Thing is an item of the crate root.
        assert_eq!(
            edges(by_path["core/src/sync/mpsc.rs"]),
            [("core/src/lib.rs", 2), ("core/src/util.rs", 1)]
        );
        // util.rs: serde is external; crate::nothing::here names an item of lib.rs.
        let util = by_path["core/src/util.rs"];
        assert_eq!(edges(util), [("core/src/lib.rs", 2)]);
        assert_eq!(util.external, 1);
        // A test file is a crate root of its own; the library is reached by its crate name.
        assert_eq!(
            edges(by_path["core/tests/api.rs"]),
            [("core/src/sync/mod.rs", 2), ("core/tests/common/mod.rs", 1)]
        );
        // A root's `crate::` paths name its own items: no edge to a sibling test or to lib.rs.
        let other = by_path["core/tests/other.rs"];
        assert!(other.edges.is_empty());
        assert_eq!((other.external, other.unresolved), (0, 0));
        let main = by_path["core/src/main.rs"];
        assert_eq!(edges(main), [("core/src/sync/mod.rs", 1)]);
        assert_eq!((main.external, main.unresolved), (0, 0));
        // Another member of the workspace: `my-core` is `my_core` in paths.
        assert_eq!(
            edges(by_path["app/src/main.rs"]),
            [("core/src/sync/mod.rs", 1), ("core/src/util.rs", 1)]
        );
        assert!(resolved.unparsable.is_empty() && resolved.with_errors.is_empty());
    }

    #[test]
    fn rust_inline_modules_shift_mod_and_super() {
        let tree = files(&[
            ("m/Cargo.toml", "[package]\nname = \"m\"\n"),
            ("m/src/lib.rs", "pub mod sync;\n"),
            (
                "m/src/sync/mod.rs",
                "mod notify;\npub mod futures {\n    pub use super::notify::Notified;\n}\n\
                 pub mod bsd {\n    mod poll;\n}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::Top;\n}\n",
            ),
            ("m/src/sync/notify.rs", ""),
            ("m/src/sync/bsd/poll.rs", ""),
            (
                "m/tests/a.rs",
                "mod support {\n    pub mod signal;\n}\nuse support::signal::Kind;\n",
            ),
            ("m/tests/support/signal.rs", ""),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: `super` inside `mod futures` is the file's module `sync`, so
        // `super::notify` is notify.rs (line 3, after `mod notify` on line 1 keeps line 1);
        // `mod poll;` inside `mod bsd` is sync/bsd/poll.rs; in `mod tests`, `super::*` is the
        // file itself (no edge) and `super::super::Top` an item of lib.rs.
        let sync = by_path["m/src/sync/mod.rs"];
        assert_eq!(
            edges(sync),
            [
                ("m/src/lib.rs", 11),
                ("m/src/sync/bsd/poll.rs", 6),
                ("m/src/sync/notify.rs", 1),
            ]
        );
        assert_eq!((sync.external, sync.unresolved), (0, 0));
        // A test declaring `mod support { pub mod signal; }` reaches the file, by `mod` and `use`.
        let test = by_path["m/tests/a.rs"];
        assert_eq!(edges(test), [("m/tests/support/signal.rs", 2)]);
        assert_eq!((test.external, test.unresolved), (0, 0));
    }

    #[test]
    fn rust_imports_in_test_code_are_marked() {
        let tree = files(&[
            ("m/Cargo.toml", "[package]\nname = \"m\"\n"),
            (
                "m/src/lib.rs",
                "pub mod a;\npub mod b;\n#[cfg(test)]\nmod tests;\n#[cfg(all(test, unix))]\nuse crate::b::X;\n#[cfg(not(test))]\nuse crate::a::Y;\n",
            ),
            (
                "m/src/a.rs",
                "use crate::b::Z;\n#[cfg(test)]\nmod tests {\n    use crate::lib_helper;\n    use crate::tests::Fixture;\n}\n",
            ),
            ("m/src/b.rs", "#![cfg(test)]\nuse crate::a::Q;\n"),
            ("m/src/tests.rs", "mod more;\nuse crate::a::A;\n"),
            ("m/src/tests/more.rs", "use crate::b::B;\n"),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: in lib.rs, `mod tests;` and the `cfg(all(test, unix))` use are
        // test code, `cfg(not(test))` is not; b.rs is imported by product code too (line 2).
        let lib = by_path["m/src/lib.rs"];
        assert_eq!(
            edges(lib),
            [("m/src/a.rs", 1), ("m/src/b.rs", 2), ("m/src/tests.rs", 4)]
        );
        assert_eq!(lib.test_only, ["m/src/tests.rs"]);
        // a.rs: the inline `#[cfg(test)] mod tests` imports lib.rs (an item of the crate root)
        // and tests.rs; b.rs is product code.
        assert_eq!(
            by_path["m/src/a.rs"].test_only,
            ["m/src/lib.rs", "m/src/tests.rs"]
        );
        // b.rs is test code as a whole (`#![cfg(test)]`).
        assert_eq!(by_path["m/src/b.rs"].test_only, ["m/src/a.rs"]);
        // tests.rs is declared by `#[cfg(test)] mod tests;` only, and more.rs by tests.rs only:
        // everything they import is imported by tests.
        assert_eq!(
            by_path["m/src/tests.rs"].test_only,
            ["m/src/a.rs", "m/src/tests/more.rs"]
        );
        assert_eq!(by_path["m/src/tests/more.rs"].test_only, ["m/src/b.rs"]);
    }

    #[test]
    fn rust_items_inside_macro_calls_are_read() {
        let tree = files(&[
            ("m/Cargo.toml", "[package]\nname = \"m\"\n"),
            (
                "m/src/lib.rs",
                "cfg_rt! {\n    pub mod runtime;\n    cfg_net! {\n        pub use crate::net::Tcp;\n        use serde::X;\n    }\n}\nfn f() { format!(\"use mod {}\", 1); }\n",
            ),
            ("m/src/runtime.rs", ""),
            ("m/src/net.rs", ""),
        ]);
        let resolved = resolve(&tree);
        let lib = by_path(&resolved)["m/src/lib.rs"];
        // Written out by hand: `mod runtime` on line 2 (outer call), `crate::net` on line 4
        // (a call inside the call); serde is external; `format!(…)` holds no items.
        assert_eq!(edges(lib), [("m/src/net.rs", 4), ("m/src/runtime.rs", 2)]);
        assert_eq!((lib.external, lib.unresolved), (1, 0));
    }

    #[test]
    fn javascript_and_typescript_specifiers_resolve_to_files() {
        let tree = files(&[
            (
                "package.json",
                "{\"name\": \"web\", \"workspaces\": [\"packages/*\"]}",
            ),
            (
                "packages/ui/package.json",
                "{\"name\": \"@acme/ui\", \"main\": \"lib/main.js\"}",
            ),
            ("packages/ui/lib/main.js", ""),
            ("packages/ui/src/button.tsx", ""),
            ("packages/core/package.json", "{\"name\": \"core\"}"),
            ("packages/core/index.ts", "export * from './util.js';\n"),
            ("packages/core/util.ts", ""),
            (
                "app/main.ts",
                "import { a } from './a';\nimport ui from '@acme/ui';\nimport { B } from '@acme/ui/button';\n\
                 import core from 'core';\nimport React from 'react';\nimport x from './missing';\n\
                 const c = require('../app/components');\nimport('/abs');\n",
            ),
            ("app/a.tsx", ""),
            ("app/components/index.js", "module.exports = {};\n"),
            ("broken.js", "import { from 'x';\n"),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: `./a` finds a.tsx; `@acme/ui` its `main`; `@acme/ui/button` the
        // file under the package's src/; `core` the package's index.ts; a folder its index.js;
        // react is external; `./missing` and the absolute `/abs` are unresolved.
        let main = by_path["app/main.ts"];
        assert_eq!(
            edges(main),
            [
                ("app/a.tsx", 1),
                ("app/components/index.js", 7),
                ("packages/core/index.ts", 4),
                ("packages/ui/lib/main.js", 2),
                ("packages/ui/src/button.tsx", 3),
            ]
        );
        assert_eq!((main.external, main.unresolved), (1, 2));
        // A `.js` specifier names the `.ts` file it is compiled from.
        assert_eq!(
            edges(by_path["packages/core/index.ts"]),
            [("packages/core/util.ts", 1)]
        );
        assert_eq!(resolved.with_errors, ["broken.js"]);
    }

    #[test]
    fn tsconfig_paths_and_base_url_map_bare_specifiers() {
        let tree = files(&[
            (
                "web/tsconfig.json",
                "{ // comments are allowed\n \"compilerOptions\": { \"baseUrl\": \"src\",\n \"paths\": { \"@ui/*\": [\"components/*\", \"legacy/*\"], \"@/*\": [\"*\"], \"config\": [\"../config/index.ts\"] } } }",
            ),
            (
                "web/src/main.ts",
                "import b from '@ui/button';\nimport old from '@ui/old';\nimport s from '@/store/cart';\nimport c from 'config';\nimport u from 'utils/date';\nimport r from 'react';\n",
            ),
            ("web/src/components/button.tsx", ""),
            ("web/src/legacy/old.js", ""),
            ("web/src/store/cart.ts", ""),
            ("web/src/utils/date.ts", ""),
            ("web/config/index.ts", ""),
            ("other/main.ts", "import s from '@/store/cart';\n"),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: `@ui/*` tries components/ then legacy/ under baseUrl `src`;
        // `@/*` beats nothing longer; `config` is an exact pattern; `utils/date` resolves from
        // baseUrl alone; react is external. A file outside web/ is not under that config.
        let main = by_path["web/src/main.ts"];
        assert_eq!(
            edges(main),
            [
                ("web/config/index.ts", 4),
                ("web/src/components/button.tsx", 1),
                ("web/src/legacy/old.js", 2),
                ("web/src/store/cart.ts", 3),
                ("web/src/utils/date.ts", 5),
            ]
        );
        assert_eq!((main.external, main.unresolved), (1, 0));
        assert_eq!(by_path["other/main.ts"].external, 1);
    }

    #[test]
    fn python_packages_and_relative_imports_resolve_to_files() {
        let tree = files(&[
            (
                "src/flask/__init__.py",
                "from .app import Flask\nfrom . import json\n",
            ),
            (
                "src/flask/app.py",
                "import os\nfrom .helpers import get_root\nfrom .json import *\n",
            ),
            (
                "src/flask/helpers.py",
                "from ..nowhere import x\nimport werkzeug.routing\n",
            ),
            (
                "src/flask/json/__init__.py",
                "from ..globals import app_ctx\n",
            ),
            ("src/flask/globals.py", "from .sansio.app import App\n"),
            (
                "src/flask/sansio/app.py",
                "from .scaffold import Scaffold\n",
            ),
            ("src/flask/sansio/scaffold.py", ""),
            (
                "tests/test_app.py",
                "import flask.app\nfrom flask import helpers, Flask\n",
            ),
            ("tests/conftest.py", "from test_app import fixture\n"),
            ("broken.py", "def f(:\n    import flask\n"),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand from the files above (the root of `flask` is `src/`):
        assert_eq!(
            edges(by_path["src/flask/__init__.py"]),
            [("src/flask/app.py", 1), ("src/flask/json/__init__.py", 2)]
        );
        let app = by_path["src/flask/app.py"];
        assert_eq!(
            edges(app),
            [
                ("src/flask/helpers.py", 2),
                ("src/flask/json/__init__.py", 3)
            ]
        );
        assert_eq!(app.external, 1, "os");
        let helpers = by_path["src/flask/helpers.py"];
        assert!(helpers.edges.is_empty());
        assert_eq!((helpers.external, helpers.unresolved), (1, 1));
        assert_eq!(
            edges(by_path["src/flask/json/__init__.py"]),
            [("src/flask/globals.py", 1)]
        );
        // `sansio/` has no `__init__.py` but lies in the package `flask`: a namespace subpackage.
        assert_eq!(
            edges(by_path["src/flask/globals.py"]),
            [("src/flask/sansio/app.py", 1)]
        );
        assert_eq!(
            edges(by_path["src/flask/sansio/app.py"]),
            [("src/flask/sansio/scaffold.py", 1)]
        );
        // `from flask import helpers, Flask`: helpers is a submodule; Flask is not, but one
        // submodule named is enough.
        assert_eq!(
            edges(by_path["tests/test_app.py"]),
            [("src/flask/app.py", 1), ("src/flask/helpers.py", 2)]
        );
        // tests/ is a root of its own: modules beside each other import by bare name.
        assert_eq!(
            edges(by_path["tests/conftest.py"]),
            [("tests/test_app.py", 1)]
        );
        // A file with syntax errors still gives the imports that parsed.
        assert_eq!(resolved.with_errors, ["broken.py"]);
        assert_eq!(edges(by_path["broken.py"]), [("src/flask/__init__.py", 2)]);
    }

    #[test]
    fn go_imports_name_the_package_folder_of_a_module() {
        let tree = files(&[
            ("go.mod", "module example.com/shop\n\ngo 1.22\n"),
            (
                "cmd/shop/main.go",
                "package main\nimport (\n\t\"fmt\"\n\t\"example.com/shop/internal/cart\"\n\t\"example.com/shop/missing\"\n\t\"example.com/tools/v2\"\n)\n",
            ),
            (
                "internal/cart/cart.go",
                "package cart\nimport \"example.com/shop/internal/money\"\n",
            ),
            ("internal/cart/total.go", "package cart\n"),
            (
                "internal/cart/cart_test.go",
                "package cart\nimport \"testing\"\n",
            ),
            ("internal/money/money.go", "package money\n"),
            ("tools/go.mod", "module example.com/tools/v2\n"),
            (
                "tools/gen.go",
                "package tools\nimport \"example.com/shop/internal/money\"\n",
            ),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: a package import is an edge to each non-test file of its folder
        // (cart.go and total.go, not cart_test.go); fmt is external; a path under the module
        // with no folder is unresolved; the nested module `tools/` is found by its own path.
        let main = by_path["cmd/shop/main.go"];
        assert_eq!(
            edges(main),
            [
                ("internal/cart/cart.go", 4),
                ("internal/cart/total.go", 4),
                ("tools/gen.go", 6),
            ]
        );
        assert_eq!((main.external, main.unresolved), (1, 1));
        assert_eq!(
            edges(by_path["internal/cart/cart.go"]),
            [("internal/money/money.go", 2)]
        );
        assert_eq!(by_path["internal/cart/cart_test.go"].external, 1);
        assert_eq!(
            edges(by_path["tools/gen.go"]),
            [("internal/money/money.go", 2)]
        );
    }

    #[test]
    fn java_imports_name_the_file_of_package_and_type() {
        let tree = files(&[
            (
                "src/main/java/com/acme/App.java",
                "package com.acme;\nimport com.acme.model.Order;\nimport com.acme.model.*;\nimport static com.acme.util.Strings.trim;\nimport java.util.List;\nimport com.acme.Missing;\nclass App {}\n",
            ),
            (
                "src/main/java/com/acme/model/Order.java",
                "package com.acme.model;\nclass Order {}\n",
            ),
            (
                "src/main/java/com/acme/model/Line.java",
                "package com.acme.model;\nclass Line {}\n",
            ),
            (
                "src/main/java/com/acme/util/Strings.java",
                "package com.acme.util;\nclass Strings {}\n",
            ),
            // The declared package counts, not the folder.
            (
                "legacy/Strings2.java",
                "package com.acme.util;\nimport com.acme.model.Order.Status;\nclass Strings2 {}\n",
            ),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: `model.Order` is Order.java (line 2, kept over line 3); `model.*`
        // adds Line.java; the static import lives in Strings.java; java.util is external;
        // `com.acme.Missing` is in a package of the repository but no file: unresolved.
        let app = by_path["src/main/java/com/acme/App.java"];
        assert_eq!(
            edges(app),
            [
                ("src/main/java/com/acme/model/Line.java", 3),
                ("src/main/java/com/acme/model/Order.java", 2),
                ("src/main/java/com/acme/util/Strings.java", 4),
            ]
        );
        assert_eq!((app.external, app.unresolved), (1, 1));
        // A nested type is in its outer type's file.
        assert_eq!(
            edges(by_path["legacy/Strings2.java"]),
            [("src/main/java/com/acme/model/Order.java", 2)]
        );
    }

    #[test]
    fn csharp_usings_name_the_files_declaring_the_namespace() {
        let tree = files(&[
            (
                "App/Program.cs",
                "using System;\nusing Acme.Billing;\nusing static Acme.Util.Strings;\nnamespace Acme.App;\nclass Program {}\n",
            ),
            (
                "Billing/Invoice.cs",
                "namespace Acme.Billing { class Invoice {} }\n",
            ),
            (
                "Billing/Tax.cs",
                "namespace Acme.Billing {\n  class Tax {}\n}\n",
            ),
            (
                "Util/Strings.cs",
                "namespace Acme.Util { static class Strings {} }\n",
            ),
        ]);
        let resolved = resolve(&tree);
        let program = by_path(&resolved)["App/Program.cs"];
        // Written out by hand: `Acme.Billing` is declared by two files; `using static
        // Acme.Util.Strings` names a type of `Acme.Util`; System is external.
        assert_eq!(
            edges(program),
            [
                ("Billing/Invoice.cs", 2),
                ("Billing/Tax.cs", 2),
                ("Util/Strings.cs", 3),
            ]
        );
        assert_eq!((program.external, program.unresolved), (1, 0));
    }

    #[test]
    fn c_includes_are_relative_then_nearest_in_the_tree() {
        let tree = files(&[
            (
                "src/net/http.c",
                "#include \"http.h\"\n#include \"util/str.h\"\n#include <stdio.h>\n#include <acme/api.h>\n#include \"config.h\"\n",
            ),
            ("src/net/http.h", "#include \"../util/str.h\"\n"),
            ("src/util/str.h", ""),
            ("vendor/util/str.h", ""),
            ("include/acme/api.h", ""),
            (
                "tools/gen.cpp",
                "#include \"util/str.h\"\n#include <vector>\n",
            ),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: `http.h` is beside http.c; `util/str.h` is not under src/net/, so
        // the tree is searched and src/util/str.h (two folders in common) beats
        // vendor/util/str.h; `<acme/api.h>` is found under include/; stdio.h is external and
        // the quoted config.h, found nowhere, unresolved.
        let http = by_path["src/net/http.c"];
        assert_eq!(
            edges(http),
            [
                ("include/acme/api.h", 4),
                ("src/net/http.h", 1),
                ("src/util/str.h", 2),
            ]
        );
        assert_eq!((http.external, http.unresolved), (1, 1));
        assert_eq!(edges(by_path["src/net/http.h"]), [("src/util/str.h", 1)]);
        // No folder in common with either: the first by path.
        let gen_cpp = by_path["tools/gen.cpp"];
        assert_eq!(edges(gen_cpp), [("src/util/str.h", 1)]);
        assert_eq!(gen_cpp.external, 1);
    }

    #[test]
    fn ruby_requires_search_lib_folders() {
        let tree = files(&[
            (
                "lib/acme.rb",
                "require 'json'\nrequire 'acme/client'\nrequire_relative 'acme/version'\nmodule Acme\n  autoload :Cache, 'acme/cache'\nend\n",
            ),
            ("lib/acme/client.rb", "require_relative '../nowhere'\n"),
            ("lib/acme/version.rb", ""),
            ("lib/acme/cache.rb", ""),
            (
                "spec/client_spec.rb",
                "require 'acme/client'\nrequire_relative 'spec_helper'\n",
            ),
            ("spec/spec_helper.rb", ""),
        ]);
        let resolved = resolve(&tree);
        let by_path = by_path(&resolved);
        // Written out by hand: `require` looks under lib/, `require_relative` beside the file;
        // json is a gem (external); `../nowhere` is relative and missing (unresolved).
        let acme = by_path["lib/acme.rb"];
        assert_eq!(
            edges(acme),
            [
                ("lib/acme/cache.rb", 5),
                ("lib/acme/client.rb", 2),
                ("lib/acme/version.rb", 3),
            ]
        );
        assert_eq!((acme.external, acme.unresolved), (1, 0));
        assert_eq!(by_path["lib/acme/client.rb"].unresolved, 1);
        assert_eq!(
            edges(by_path["spec/client_spec.rb"]),
            [("lib/acme/client.rb", 1), ("spec/spec_helper.rb", 2)]
        );
    }
}
