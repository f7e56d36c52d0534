//! `cochange deps` (docs/structure.md) on a scripted workspace whose expected edges, counts and
//! cycle are worked out in the script's header.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::util::*;

fn table(dir: &Path, show: &str) -> Result<Vec<Value>> {
    let out =
        run_ok(cochange(dir).args(["deps", "--no-cache", "--format", "json", "--show", show]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    Ok(doc["rows"].as_array().ok_or("rows")?.clone())
}

/// `columns` of each row joined by spaces.
fn spaced_cells(rows: &[Value], columns: &[&str]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| match &row[c] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn deps_gives_the_import_edges_components_and_cycle_written_down() -> Result {
    let dir = scripted_repo("make_deps.sh")?;
    let imports = table(&dir, "imports")?;
    assert_eq!(
        spaced_cells(&imports, &["from", "to", "line"]),
        [
            "app/src/main.rs core/src/lib.rs 1",
            "app/src/main.rs util/src/text.rs 2",
            "core/src/engine.rs util/src/lib.rs 1",
            "core/src/lib.rs core/src/engine.rs 1",
            "py/pkg/__init__.py py/pkg/a.py 1",
            "py/pkg/a.py py/pkg/b.py 1",
            "util/src/lib.rs util/src/text.rs 3",
            "util/src/text.rs core/src/engine.rs 1",
        ]
    );
    let files = table(&dir, "files")?;
    let counts = |path: &str| -> Vec<String> {
        let row: Vec<Value> = files
            .iter()
            .filter(|r| r["path"] == path)
            .cloned()
            .collect();
        spaced_cells(&row, &["fan-in", "fan-out", "external", "unresolved"])
    };
    assert_eq!(counts("app/src/main.rs"), ["0 2 1 0"]);
    assert_eq!(counts("core/src/engine.rs"), ["2 1 0 1"]);
    assert_eq!(counts("py/pkg/b.py"), ["1 0 1 0"]);
    assert_eq!(counts("py/pkg/broken.py"), ["0 0 0 0"]);
    let edges = table(&dir, "edges")?;
    assert_eq!(
        spaced_cells(&edges, &["from", "to", "imports"]),
        [
            "app core-lib 1",
            "app util 1",
            "core-lib util 1",
            "util core-lib 1"
        ]
    );
    let cycles = table(&dir, "cycles")?;
    assert_eq!(
        spaced_cells(&cycles, &["cycle", "components", "from", "to", "example"]),
        [
            "1 core-lib, util core-lib util core/src/engine.rs:1 -> util/src/lib.rs",
            "1 core-lib, util util core-lib util/src/text.rs:1 -> core/src/engine.rs",
        ]
    );
    Ok(())
}

#[test]
fn deps_draws_edges_as_a_directed_graph_and_refuses_csv_for_several_tables() -> Result {
    let dir = scripted_repo("make_deps.sh")?;
    let out =
        run_ok(cochange(&dir).args(["deps", "--no-cache", "--show", "edges", "--format", "dot"]))?;
    let dot = String::from_utf8(out.stdout)?;
    assert!(dot.starts_with("digraph \"dependencies\" {"), "{dot}");
    assert!(dot.contains("\"util\" -> \"core-lib\";"), "{dot}");
    let out = cochange(&dir)
        .args(["deps", "--no-cache", "--format", "csv"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)?.contains("prints several tables"));
    Ok(())
}

#[test]
fn coupled_pairs_get_their_structure_from_the_imports() -> Result {
    let dir = scripted_repo("make_deps.sh")?;
    // One commit holds every file, so every pair changed together once.
    let out = run_ok(cochange(&dir).args([
        "coupling",
        "--no-cache",
        "--format",
        "json",
        "--min-revs",
        "1",
        "--min-shared",
        "1",
        "--min-degree",
        "0",
    ]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let rows = doc["rows"].as_array().ok_or("rows")?;
    let structure = |a: &str, b: &str| -> Value {
        rows.iter()
            .find(|r| r["entity"] == a && r["coupled"] == b)
            .map_or(Value::String("no such pair".into()), |r| {
                r["structure"].clone()
            })
    };
    // Worked out from the edges in make_deps.sh's header.
    assert_eq!(structure("app/src/main.rs", "core/src/lib.rs"), "imports");
    // main.rs -> lib.rs -> engine.rs: one file in between.
    assert_eq!(structure("app/src/main.rs", "core/src/engine.rs"), "near");
    // __init__.py -> a.py -> b.py.
    assert_eq!(structure("py/pkg/__init__.py", "py/pkg/b.py"), "near");
    assert_eq!(structure("core/src/lib.rs", "py/pkg/a.py"), "none");
    // A manifest's imports are not read: unknown, not "none".
    assert_eq!(structure("Cargo.toml", "app/src/main.rs"), Value::Null);
    Ok(())
}

#[test]
fn deps_reads_go_java_c_csharp_and_ruby_as_written_down() -> Result {
    let dir = scripted_repo("make_deps_polyglot.sh")?;
    let imports = table(&dir, "imports")?;
    assert_eq!(
        spaced_cells(&imports, &["from", "to", "line"]),
        [
            "c/src/main.c c/src/util.h 1",
            "c/src/util.h cinc/include/api/types.h 1",
            "cs/App/Program.cs cs/Billing/Invoice.cs 2",
            "go/main.go go/store/index.go 4",
            "go/main.go go/store/store.go 4",
            "java/src/com/poly/App.java java/src/com/poly/model/Order.java 2",
            "rb/lib/poly.rb rb/lib/poly/client.rb 2",
            "rb/lib/poly.rb rblib/lib/shared/fmt.rb 3",
            "rb/lib/poly/client.rb rb/lib/poly/version.rb 1",
        ]
    );
    let files = table(&dir, "files")?;
    let mut outside: Vec<String> = files
        .iter()
        .filter(|r| r["external"] != 0 || r["unresolved"] != 0)
        .map(|r| format!("{} {} {}", r["path"], r["external"], r["unresolved"]))
        .collect();
    outside.sort();
    assert_eq!(
        outside,
        [
            "\"c/src/main.c\" 1 1",
            "\"cs/App/Program.cs\" 1 0",
            "\"go/main.go\" 1 0",
            "\"go/store/store_test.go\" 1 0",
            "\"java/src/com/poly/App.java\" 1 0",
            "\"rb/lib/poly.rb\" 1 0",
        ]
    );
    Ok(())
}

#[test]
fn component_pairs_tell_hidden_from_declared_coupling_and_stable_dependencies() -> Result {
    let dir = scripted_repo("make_deps_polyglot.sh")?;
    let out = run_ok(cochange(&dir).args([
        "components",
        "--no-cache",
        "--show",
        "coupling",
        "--format",
        "json",
    ]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let rows = doc["rows"].as_array().ok_or("rows")?;
    // Worked out in make_deps_polyglot.sh's header.
    assert_eq!(
        spaced_cells(
            rows,
            &[
                "entity",
                "coupled",
                "shared",
                "degree",
                "import_dependency",
                "declared_pairs",
                "hidden_pairs"
            ]
        ),
        [
            "c cinc 6 100 forward 1 0",
            "example.com/poly java 6 100 none 0 1"
        ]
    );
    let edges = table(&dir, "edges")?;
    assert_eq!(
        spaced_cells(&edges, &["from", "to", "imports", "co_changes", "coupled"]),
        ["c cinc 1 6 true", "rb rblib 1 0 false"]
    );
    let stable = table(&dir, "stable")?;
    assert_eq!(
        spaced_cells(&stable, &["from", "to", "imports", "co_changes"]),
        ["rb rblib 1 0"]
    );
    Ok(())
}

#[test]
fn boundaries_name_the_imports_that_break_them() -> Result {
    let dir = scripted_repo("make_deps_polyglot.sh")?;
    // Outside the repository, which is never written to. From the script's header: util.h
    // includes types.h (c -> cinc, line 1) and poly.rb requires shared/fmt (rblib, line 3),
    // which is not rblib's public file; poly.rb is rb's public file, but nothing imports it.
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "[boundaries]\nforbidden = [\"c -> cinc\", \"* -> java\"]\n\
         [boundaries.public]\nrb = \"rb/lib/poly.rb\"\nrblib = [\"rblib/lib/shared/api.rb\"]\n",
    )?;
    let config = config.path().to_str().ok_or("path")?;
    let out = run_ok(cochange(&dir).args([
        "--config",
        config,
        "deps",
        "--no-cache",
        "--format",
        "json",
        "--show",
        "violations",
    ]))?;
    let doc: Value = serde_json::from_slice(&out.stdout)?;
    let rows = doc["rows"].as_array().ok_or("rows")?;
    assert_eq!(
        spaced_cells(rows, &["rule", "from", "line", "to", "boundary"]),
        [
            "forbidden c/src/util.h 1 cinc/include/api/types.h c -> cinc",
            "internal rb/lib/poly.rb 3 rblib/lib/shared/fmt.rb public of rblib: rblib/lib/shared/api.rb"
        ]
    );
    // A rule that is not a dependency is refused with its line.
    let bad = tempfile::NamedTempFile::new()?;
    std::fs::write(bad.path(), "[boundaries]\nforbidden = [\"c cinc\"]\n")?;
    let out = cochange(&dir)
        .args(["--config", bad.path().to_str().ok_or("path")?, "deps"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains(":2: `c cinc` in [boundaries] forbidden is not a dependency"),
        "{stderr}"
    );
    // A misspelt component would make the gate check nothing: refused, naming it.
    std::fs::write(bad.path(), "[boundaries]\nforbidden = [\"c -> cincc\"]\n")?;
    let out = cochange(&dir)
        .args(["--config", bad.path().to_str().ok_or("path")?, "deps"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("`[boundaries]` rule `c -> cincc` names the component `cincc`, but no file whose imports are read belongs to it; the components are: "),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn check_fails_on_a_planted_forbidden_import_cycle_and_hidden_coupling() -> Result {
    let dir = scripted_repo("make_boundaries.sh")?;
    let config = tempfile::NamedTempFile::new()?;
    std::fs::write(
        config.path(),
        "[boundaries]\nforbidden = [\"web -> db\"]\n\
         [check]\nnew-forbidden-import = true\nnew-dependency-cycle = true\nnew-hidden-coupling = true\n",
    )?;
    let config = config.path().to_str().ok_or("path")?;
    let out = tempfile::tempdir()?;
    let snapshot_at = |rev: &str| snapshot_at(&dir, config, rev, out.path());
    let check = |baseline: &str| check_sarif(&dir, config, baseline);
    // From the script's header: the forbidden import and the import closing the cycle are both
    // line 2 of their files; hidden coupling has no line.
    let against_baseline = check(&snapshot_at("baseline")?)?;
    assert_eq!(against_baseline.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&against_baseline.stdout)?;
    assert_eq!(
        sarif_new_results(&sarif),
        [
            "new-forbidden-import web/app.py:2",
            "new-dependency-cycle db/store.py:2",
            "new-hidden-coupling db/schema.py:null",
        ]
    );
    // `diff` lists the two new dependencies and the new cycle, with the import behind each.
    let (old, new) = (snapshot_at("baseline")?, snapshot_at("HEAD")?);
    let diff = run_ok(cochange(&dir).args([
        "diff",
        &old,
        &new,
        "--show",
        "dependencies",
        "--format",
        "json",
    ]))?;
    let doc: Value = serde_json::from_slice(&diff.stdout)?;
    assert_eq!(
        spaced_cells(
            doc["rows"].as_array().ok_or("rows")?,
            &["change", "kind", "item", "example"]
        ),
        [
            "new dependency db -> core db/store.py:2 -> core/service.py",
            "new dependency web -> db web/app.py:2 -> db/store.py",
            "new cycle core, db core/service.py:1 -> db/store.py",
        ]
    );
    // Against a snapshot of the same revision everything is known: the gate passes.
    let against_itself = check(&new)?;
    assert_eq!(
        against_itself.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&against_itself.stderr)
    );
    let sarif: Value = serde_json::from_slice(&against_itself.stdout)?;
    assert!(sarif_new_results(&sarif).is_empty());
    // The import rule with no boundary to check is refused with its line.
    let bare = tempfile::NamedTempFile::new()?;
    std::fs::write(bare.path(), "[check]\nnew-forbidden-import = true\n")?;
    let out = cochange(&dir)
        .args(["--config", bare.path().to_str().ok_or("path")?, "check"])
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains(":2: `new-forbidden-import = true` has no rule to check"),
        "{stderr}"
    );
    Ok(())
}
