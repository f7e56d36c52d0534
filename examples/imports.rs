//! Prints the import edges of a work tree's tracked files, one `path<TAB>target<TAB>line` row each,
//! and a `#` summary of external, unresolved and unparsable imports:
//! `cargo run --example imports -- [path]` (docs/structure.md gives the rules).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let listed = Command::new("git")
        .args(["-C", &root, "ls-files", "-z"])
        .output()?;
    let mut files = BTreeMap::new();
    for path in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let path = String::from_utf8_lossy(path).into_owned();
        if let Ok(contents) = std::fs::read(Path::new(&root).join(&path)) {
            files.insert(path, contents);
        }
    }
    let resolved = cochange_code::resolve_contents(&files);
    let mut out = std::io::stdout().lock();
    let (mut external, mut unresolved) = (0, 0);
    for file in &resolved.files {
        external += file.external;
        unresolved += file.unresolved;
        for (target, line) in &file.edges {
            writeln!(out, "{}\t{target}\t{line}", file.path)?;
        }
    }
    writeln!(
        out,
        "# files {} external {external} unresolved {unresolved} unparsable {} with errors {}",
        resolved.files.len(),
        resolved.unparsable.len(),
        resolved.with_errors.len()
    )?;
    Ok(())
}
