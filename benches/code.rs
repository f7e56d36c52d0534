//! Reading code without git: parsing generated Python and Rust files with tree-sitter, resolving
//! their imports, and reading the database tables they name. `COCHANGE_BENCH_FILES` sets the
//! number of files of each language (default 2 000).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use criterion::{Criterion, criterion_group, criterion_main};

/// `files` Python modules of one package and `files` Rust modules of one crate, each importing
/// the next ten and holding some functions and SQL, so that parsing has real work.
fn sources(files: usize) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    out.insert("pkg/__init__.py".to_owned(), Vec::new());
    out.insert(
        "Cargo.toml".to_owned(),
        b"[package]\nname = \"bench\"\n".to_vec(),
    );
    let mut lib = String::new();
    for i in 0..files {
        let mut py = String::new();
        let mut rs = String::new();
        for j in 1..=10 {
            let next = (i + j) % files;
            let _ = writeln!(py, "from pkg import m{next}");
            let _ = writeln!(rs, "use crate::m{next}::f;");
        }
        for f in 0..20 {
            let _ = write!(
                py,
                "def f{f}(x):\n    if x > {f}:\n        return \"SELECT a FROM t{f} JOIN u ON 1\"\n    return x\n"
            );
            let _ = write!(
                rs,
                "pub fn f{f}(x: u32) -> u32 {{\n    if x > {f} {{ x - 1 }} else {{ x + 1 }}\n}}\n"
            );
        }
        out.insert(format!("pkg/m{i}.py"), py.into_bytes());
        out.insert(format!("src/m{i}.rs"), rs.into_bytes());
        let _ = writeln!(lib, "mod m{i};");
    }
    out.insert("src/lib.rs".to_owned(), lib.into_bytes());
    out
}

fn code(c: &mut Criterion) {
    let files = std::env::var("COCHANGE_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let sources = sources(files);
    let mut group = c.benchmark_group(format!("code-{files}-files-per-language"));
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| {
            sources
                .iter()
                .filter_map(|(path, contents)| cochange_code::read_file(path, contents))
                .count()
        });
    });
    let paths: Vec<String> = sources.keys().cloned().collect();
    let facts: BTreeMap<String, cochange_code::FileFacts> = sources
        .iter()
        .filter_map(|(path, contents)| {
            Some((path.clone(), cochange_code::read_file(path, contents)?))
        })
        .collect();
    group.bench_function("resolve", |b| {
        b.iter(|| cochange_code::resolve(&paths, &facts).files.len());
    });
    group.bench_function("tables", |b| {
        b.iter(|| {
            sources
                .iter()
                .map(|(path, contents)| cochange_code::read_tables(path, contents).references.len())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, code);
criterion_main!(benches);
