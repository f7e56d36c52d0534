//! Size and language-neutral complexity of a file's text (docs/metrics.md, *hotspots*).

/// What one file's content measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextMeasures {
    /// The content looks binary (a NUL byte in the first 8 000 bytes, git's test): not measured.
    pub binary: bool,
    /// Non-blank lines.
    pub loc: u64,
    /// Σ over non-blank lines of the leading indentation, tabs + spaces / 4.
    pub indent_total: f64,
    /// The largest indentation of a non-blank line.
    pub indent_max: f64,
    /// The file carries its own tests: a Rust `#[cfg(test)]` module.
    pub inline_tests: bool,
    /// Non-blank lines that are comments only (or a Python docstring), by the comment syntax of
    /// the file's language; 0 for a language without one known here.
    pub comment_lines: u64,
}

impl TextMeasures {
    /// Mean indentation per non-blank line (0 for an empty file).
    pub fn indent_mean(&self) -> f64 {
        if self.loc == 0 {
            0.0
        } else {
            self.indent_total / self.loc as f64
        }
    }
}

/// Measures the content of the file at `path`. A line is split at `\n`; it is blank when it holds
/// only spaces, tabs, carriage returns, vertical tabs or form feeds. Its indentation counts
/// leading tabs as 1 and leading spaces as 1/4 each, up to the first other character. Comment
/// lines are counted by the comment syntax of the language `path` names.
pub fn measure_text(path: &str, content: &[u8]) -> TextMeasures {
    let mut comments = Comments::of(language_of(path));
    let head = &content[..content.len().min(8000)];
    if head.contains(&0) {
        return TextMeasures {
            binary: true,
            loc: 0,
            indent_total: 0.0,
            indent_max: 0.0,
            inline_tests: false,
            comment_lines: 0,
        };
    }
    let mut loc = 0;
    let mut comment_lines = 0;
    let mut inline_tests = false;
    // In quarter units, so that sums stay exact integers.
    let (mut total, mut max) = (0u64, 0u64);
    for line in content.split(|&b| b == b'\n') {
        if line
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c))
        {
            continue;
        }
        loc += 1;
        let trimmed = line.trim_ascii();
        inline_tests = inline_tests || trimmed.starts_with(b"#[cfg(test)]");
        if comments.is_comment(trimmed) {
            comment_lines += 1;
        }
        let indent: u64 = line
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .map(|&b| if b == b'\t' { 4 } else { 1 })
            .sum();
        total += indent;
        max = max.max(indent);
    }
    TextMeasures {
        binary: false,
        loc,
        indent_total: total as f64 / 4.0,
        indent_max: max as f64 / 4.0,
        inline_tests,
        comment_lines,
    }
}

/// A language's comment syntax, and whether a block comment (or a Python docstring) is open.
#[derive(Debug, Clone, Copy)]
pub struct Comments {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    open: bool,
}

impl Comments {
    /// The comment syntax of `language` (a name from [`language_of`]).
    pub fn of(language: &str) -> Comments {
        let (line, block): (&'static [&'static str], _) = match language {
            "Rust" | "C" | "C++" | "C#" | "Java" | "Kotlin" | "Scala" | "Go" | "JavaScript"
            | "TypeScript" | "Swift" | "Objective-C" | "PHP" | "Protocol Buffers" | "Vue"
            | "Svelte" => (&["//"], Some(("/*", "*/"))),
            "CSS" => (&[], Some(("/*", "*/"))),
            "Python" => (&["#"], Some(("\"\"\"", "\"\"\""))),
            "Ruby" | "Shell" | "PowerShell" | "Makefile" | "Dockerfile" | "CMake" | "YAML"
            | "TOML" | "Elixir" | "Terraform" => (&["#"], None),
            "SQL" | "Lua" | "Haskell" => (&["--"], None),
            "Clojure" | "Erlang" => (&[";", "%"], None),
            "OCaml" => (&[], Some(("(*", "*)"))),
            _ => (&[], None),
        };
        Comments {
            line,
            block,
            open: false,
        }
    }

    /// Whether the next line, `trimmed` of surrounding blanks, is a comment only.
    pub fn is_comment(&mut self, trimmed: &[u8]) -> bool {
        if let Some((start, end)) = self.block {
            let (start, end) = (start.as_bytes(), end.as_bytes());
            if self.open {
                if let Some(at) = find(trimmed, end) {
                    self.open = false;
                    // Code after the comment's end makes it a code line.
                    return trimmed[at + end.len()..].trim_ascii().is_empty();
                }
                return true;
            }
            if trimmed.starts_with(start) {
                let rest = &trimmed[start.len()..];
                if let Some(at) = find(rest, end) {
                    return rest[at + end.len()..].trim_ascii().is_empty();
                }
                self.open = true;
                return true;
            }
        }
        self.line
            .iter()
            .any(|token| trimmed.starts_with(token.as_bytes()))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A language name for display, from the file's extension or name (`""` when unknown).
pub fn language_of(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "Makefile" | "makefile" | "GNUmakefile" => return "Makefile",
        "Dockerfile" => return "Dockerfile",
        "CMakeLists.txt" => return "CMake",
        _ => {}
    }
    let Some((_, extension)) = name.rsplit_once('.') else {
        return "";
    };
    match extension.to_ascii_lowercase().as_str() {
        "rs" => "Rust",
        "py" | "pyi" => "Python",
        "js" | "mjs" | "cjs" | "jsx" => "JavaScript",
        "ts" | "tsx" | "mts" | "cts" => "TypeScript",
        "go" => "Go",
        "java" => "Java",
        "kt" | "kts" => "Kotlin",
        "scala" => "Scala",
        "c" | "h" => "C",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => "C++",
        "cs" => "C#",
        "rb" => "Ruby",
        "php" => "PHP",
        "swift" => "Swift",
        "m" | "mm" => "Objective-C",
        "clj" | "cljs" | "cljc" | "edn" => "Clojure",
        "ex" | "exs" => "Elixir",
        "erl" | "hrl" => "Erlang",
        "hs" => "Haskell",
        "ml" | "mli" => "OCaml",
        "lua" => "Lua",
        "sh" | "bash" | "zsh" => "Shell",
        "ps1" => "PowerShell",
        "sql" => "SQL",
        "html" | "htm" => "HTML",
        "css" | "scss" | "sass" | "less" => "CSS",
        "vue" => "Vue",
        "svelte" => "Svelte",
        "md" | "markdown" => "Markdown",
        "rst" => "reStructuredText",
        "txt" => "Text",
        "json" => "JSON",
        "yml" | "yaml" => "YAML",
        "toml" => "TOML",
        "xml" => "XML",
        "proto" => "Protocol Buffers",
        "tf" => "Terraform",
        _ => "",
    }
}

/// Whether a language (as [`language_of`] names it) is program code rather than prose, data or
/// configuration; unknown extensions are not.
pub fn is_code(language: &str) -> bool {
    !matches!(
        language,
        "" | "Markdown" | "reStructuredText" | "Text" | "JSON" | "YAML" | "TOML" | "XML"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_non_blank_lines_and_indentation_by_hand() {
        // Lines: "fn f() {" (0), "    let x = 1;" (1), "" (blank), "\tif x {" (1),
        // "\t\t  y();" (2.5), "   \t" (blank), "}" (0) -> loc 5, total 4.5, max 2.5.
        let text = b"fn f() {\n    let x = 1;\n\n\tif x {\n\t\t  y();\n   \t\n}";
        let m = measure_text("a.txt", text);
        assert_eq!(m.loc, 5);
        assert!((m.indent_total - 4.5).abs() < 1e-12);
        assert!((m.indent_max - 2.5).abs() < 1e-12);
        assert!((m.indent_mean() - 0.9).abs() < 1e-12);
        assert!(!m.binary);
    }

    #[test]
    fn crlf_and_empty_files() {
        let m = measure_text("a.txt", b"a\r\n  b\r\n\r\n");
        assert_eq!((m.loc, m.indent_total), (2, 0.5));
        let empty = measure_text("a.txt", b"");
        assert_eq!((empty.loc, empty.indent_mean()), (0, 0.0));
    }

    #[test]
    fn nul_means_binary() {
        assert!(measure_text("a.png", b"PNG\0\x01\x02").binary);
    }

    #[test]
    fn languages() {
        assert_eq!(language_of("src/main.rs"), "Rust");
        assert_eq!(language_of("a/b/Makefile"), "Makefile");
        assert_eq!(language_of("web/App.TSX"), "TypeScript");
        assert_eq!(language_of("LICENSE"), "");
        assert!(is_code("Rust") && is_code("Shell"));
        assert!(!is_code("YAML") && !is_code("Markdown") && !is_code(""));
    }

    #[test]
    fn comment_lines_by_language() {
        // Rust: line comments, doc comments and a block comment over three lines; the code line
        // after a closed block on the same line is code.
        let rust = b"//! Crate docs\n/// A function\nfn a() {}\n/* one\n   two\n*/\n/* x */ let y = 1;\n  // indented\n";
        assert_eq!(measure_text("src/a.rs", rust).comment_lines, 6);
        // Python: `#` lines and a docstring over three lines.
        let python = b"# top\ndef f():\n    \"\"\"Docs\n    more\n    \"\"\"\n    return 1  # trailing is code\n";
        assert_eq!(measure_text("pkg/m.py", python).comment_lines, 4);
        // SQL `--`; and a language without known syntax counts none.
        assert_eq!(
            measure_text("db/s.sql", b"-- note\nselect 1;\n").comment_lines,
            1
        );
        assert_eq!(
            measure_text("notes.txt", b"# not a comment here\n").comment_lines,
            0
        );
    }
}
