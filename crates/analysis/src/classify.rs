//! What kind of pair a coupled pair is (docs/metrics.md, *coupling*).

use std::fmt;

use crate::components::ComponentRules;

/// The class of a coupled pair, from what the two paths are and where they live.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PairClass {
    /// Exactly one side is a test: expected, a test changes with its code.
    TestAndCode,
    /// Both in one folder.
    SameFolder,
    /// In different components: the coupling that blocks independent change.
    CrossComponent,
    /// Different folders of one component.
    Nearby,
}

impl PairClass {
    /// The name used in tables and snapshots (`cross-component`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PairClass::TestAndCode => "test-and-code",
            PairClass::SameFolder => "same-folder",
            PairClass::CrossComponent => "cross-component",
            PairClass::Nearby => "nearby",
        }
    }
}

impl fmt::Display for PairClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a path is a test by the conventions of its language (docs/metrics.md, *Test
/// signal*):
///
/// - any language: a folder named `test`, `tests`, `__tests__`, `spec`, `specs` or `fuzz` (which
///   covers Java's `src/test/` and cargo-fuzz targets);
/// - Go `*_test.go`; Python `test_*.py`, `*_test.py`, `conftest.py`; JavaScript and TypeScript
///   `*.test.*`, `*.spec.*`; Ruby `*_spec.rb`, `*_test.rb`; Java, Kotlin, Scala and C# `*Test`,
///   `*Tests`, `*IT`, `*Spec` before the extension; git's own shell tests `t/NNNN-*.sh`.
///
/// A name that only looks like a test in another language is not one: Rust's
/// `src/ops/cargo_test.rs` or `package_id_spec.rs` are program code (Rust tests live in `tests/`
/// or in `#[cfg(test)]` modules, which [`TextMeasures`](crate::TextMeasures) notes).
pub fn is_test_path(path: &str) -> bool {
    let mut components = path.split('/');
    let file = components.next_back().unwrap_or_default();
    let folders: Vec<&str> = components.collect();
    if folders.iter().any(|dir| {
        matches!(
            *dir,
            "test" | "tests" | "__tests__" | "spec" | "specs" | "fuzz"
        )
    }) {
        return true;
    }
    let (stem, extension) = match file.rsplit_once('.') {
        Some((stem, extension)) => (stem, extension),
        None => (file, ""),
    };
    match extension {
        "go" => stem.ends_with("_test"),
        "py" => stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest",
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "vue" | "svelte" => {
            file.contains(".test.") || file.contains(".spec.")
        }
        "rb" => stem.ends_with("_spec") || stem.ends_with("_test"),
        "java" | "kt" | "kts" | "scala" | "groovy" | "cs" => ["Test", "Tests", "IT", "Spec"]
            .iter()
            .any(|suffix| stem.ends_with(suffix)),
        // git's test suite: `t/t1234-name.sh` and the like.
        "sh" => {
            folders.last() == Some(&"t")
                && stem
                    .trim_start_matches('t')
                    .chars()
                    .take(4)
                    .filter(char::is_ascii_digit)
                    .count()
                    == 4
        }
        _ => false,
    }
}

/// The class of a pair: `test-and-code` when exactly one side is a test, `same-folder` when both
/// are in one folder, `cross-component` when `components` maps them to different components, and
/// `nearby` otherwise (different folders of one component).
pub fn pair_class(a: &str, b: &str, components: &ComponentRules) -> PairClass {
    let folder = |p: &str| p.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
    if is_test_path(a) != is_test_path(b) {
        PairClass::TestAndCode
    } else if folder(a) == folder(b) {
        PairClass::SameFolder
    } else if components.component_of(a).0 != components.component_of(b).0 {
        PairClass::CrossComponent
    } else {
        PairClass::Nearby
    }
}

#[cfg(test)]
mod tests {
    use super::{PairClass, is_test_path, pair_class};
    use crate::components::ComponentRules;

    #[test]
    fn recognises_tests_of_common_languages() {
        // The expected answer of each path, by its language's convention.
        for path in [
            "tests/it.rs",
            "crates/x/tests/parse.rs",
            "src/__tests__/a.js",
            "pkg/test_io.py",
            "pkg/io_test.py",
            "tests/conftest.py",
            "pkg/io_test.go",
            "web/app.spec.ts",
            "web/app.test.js",
            "src/test/java/org/Foo.java",
            "src/main/java/FooTest.java",
            "src/main/java/FooIT.java",
            "lib/foo_spec.rb",
            "spec/models/user.rb",
            "tokio-stream/fuzz/fuzz_targets/fuzz_stream_map.rs",
            "t/t1234-commit-graph.sh",
            "t/t0001-init.sh",
            "App.Tests/ParserTests.cs",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/lib.rs",
            "src/testing.rs",
            "src/ops/cargo_test.rs",
            "src/core/package_id_spec.rs",
            "contest/entry.py",
            "latest.md",
            "t/helper/test-tool.c",
            "t/lib-git.sh",
            "src/attest.go",
            "web/latest.js",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn classifies_pairs() {
        let depth = |d| ComponentRules::new(Vec::new(), d);
        assert_eq!(
            pair_class("src/a.rs", "src/b.rs", &depth(1)),
            PairClass::SameFolder
        );
        assert_eq!(
            pair_class("src/a.rs", "tests/a.rs", &depth(1)),
            PairClass::TestAndCode
        );
        assert_eq!(
            pair_class("api/a.rs", "db/b.sql", &depth(1)),
            PairClass::CrossComponent
        );
        assert_eq!(
            pair_class("src/x/a.rs", "src/y/b.rs", &depth(1)),
            PairClass::Nearby
        );
        assert_eq!(
            pair_class("src/x/a.rs", "src/y/b.rs", &depth(2)),
            PairClass::CrossComponent
        );
        assert_eq!(
            pair_class("README.md", "src/lib.rs", &depth(1)),
            PairClass::CrossComponent
        );
        assert_eq!(
            pair_class("README.md", "Cargo.toml", &depth(1)),
            PairClass::SameFolder
        );
    }
}
