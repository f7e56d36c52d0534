//! A seeded generator of realistic histories, written with `git fast-import`.
//!
//! The history has modules (folders) whose files change together in small groups, occasional
//! changes that reach into another module (the coupling the analyses should find), additions,
//! deletions and renames, several authors, and every so often a short branch merged with a merge
//! commit, like a pull request.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{Result, isolate};

/// The shape of a synthetic history.
#[derive(Debug, Clone)]
pub struct SyntheticOptions {
    /// Commits on the main line, merges and branch commits included.
    pub commits: usize,
    /// The seed; the same seed gives the same repository, byte for byte.
    pub seed: u64,
    /// Modules (top-level folders).
    pub modules: usize,
    /// Files per module at the start.
    pub files_per_module: usize,
    /// Distinct authors.
    pub authors: usize,
}

impl Default for SyntheticOptions {
    fn default() -> Self {
        SyntheticOptions {
            commits: 1000,
            seed: 1,
            modules: 40,
            files_per_module: 25,
            authors: 60,
        }
    }
}

/// `SplitMix64`: small, fast and good enough to shape test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// Skewed towards small indices, so that a few modules and files are hot.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

struct State {
    rng: Rng,
    /// path -> content as line numbers (the text is derived from them).
    files: BTreeMap<String, Vec<u32>>,
    next_line: u32,
    next_file: usize,
    time: i64,
    mark: usize,
}

impl State {
    fn content(path: &str, lines: &[u32]) -> String {
        let mut text = String::with_capacity(lines.len() * 28);
        for (i, line) in lines.iter().enumerate() {
            let indent = "    ".repeat(i % 4);
            let _ = writeln!(text, "{indent}let v{line} = step({line}); // {path}");
        }
        text
    }

    fn new_lines(&mut self, n: usize) -> Vec<u32> {
        (0..n)
            .map(|_| {
                self.next_line += 1;
                self.next_line
            })
            .collect()
    }

    fn edit(&mut self, path: &str) {
        let mut lines = self.files.remove(path).unwrap_or_default();
        let edits = 1 + self.rng.below(4);
        for _ in 0..edits {
            let at = self.rng.below(lines.len() + 1);
            match self.rng.below(3) {
                0 if !lines.is_empty() && at < lines.len() => {
                    lines.remove(at);
                }
                1 if at < lines.len() => {
                    self.next_line += 1;
                    lines[at] = self.next_line;
                }
                _ => {
                    let count = 1 + self.rng.below(3);
                    let new = self.new_lines(count);
                    lines.splice(at..at, new);
                }
            }
        }
        self.files.insert(path.to_owned(), lines);
    }

    fn pick_file_in(&mut self, module: usize) -> Option<String> {
        let prefix = format!("mod{module:03}/");
        let candidates: Vec<&String> = self
            .files
            .keys()
            .filter(|p| p.starts_with(&prefix))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = self.rng.skewed(candidates.len());
        Some(candidates[i].clone())
    }
}

/// Builds the history described by `options` in `dir` (created as a non-bare repository whose
/// branch `main` is checked out at the last commit), packed as `git repack -adf` packs it.
pub fn synthetic_repo(dir: &Path, options: &SyntheticOptions) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    run(isolate(&mut Command::new("git"))
        .args(["init", "-q"])
        .current_dir(dir))?;
    let mut child = isolate(&mut Command::new("git"))
        .args(["fast-import", "--quiet", "--done"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take().ok_or("no stdin for git fast-import")?;
    let mut out = BufWriter::with_capacity(1 << 20, stdin);
    let mut state = State {
        rng: Rng(options.seed),
        files: BTreeMap::new(),
        next_line: 0,
        next_file: 0,
        time: 1_262_304_000, // 2010-01-01
        mark: 0,
    };
    // The initial commit adds every module's files.
    let mut initial = Vec::new();
    for module in 0..options.modules {
        for _ in 0..options.files_per_module {
            let path = new_path(&mut state, module);
            let n = 10 + state.rng.below(50);
            let lines = state.new_lines(n);
            state.files.insert(path.clone(), lines);
            initial.push(Op::Modify(path));
        }
    }
    write_commit(
        &mut out,
        &mut state,
        options,
        "refs/heads/main",
        None,
        None,
        &initial,
    )?;
    let mut main_tip = state.mark;
    let mut made = 1;
    while made < options.commits {
        if state.rng.chance(3) && made + 3 < options.commits {
            main_tip = branch_and_merge(&mut out, &mut state, options, main_tip)?;
            made += 3;
        } else {
            let ops = random_change(&mut state, options);
            write_commit(
                &mut out,
                &mut state,
                options,
                "refs/heads/main",
                Some(main_tip),
                None,
                &ops,
            )?;
            main_tip = state.mark;
            made += 1;
        }
    }
    writeln!(out, "done")?;
    drop(
        out.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?,
    );
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("git fast-import failed with {status}").into());
    }
    run(isolate(&mut Command::new("git"))
        .args(["reset", "-q", "--hard", "main"])
        .current_dir(dir))?;
    // fast-import stores each version as a delta of the previous one; a repository that came
    // from a server is packed by `git repack`, newest versions whole. Measure on the latter.
    run(isolate(&mut Command::new("git"))
        .args([
            "repack",
            "-a",
            "-d",
            "-f",
            "-q",
            "--depth=50",
            "--window=10",
        ])
        .current_dir(dir))
}

/// Two commits on a topic branch from `fork`, merged back with a merge commit; returns the merge's
/// mark.
fn branch_and_merge(
    out: &mut impl Write,
    state: &mut State,
    options: &SyntheticOptions,
    fork: usize,
) -> std::io::Result<usize> {
    let mut tip = fork;
    let mut changed = Vec::new();
    for _ in 0..2 {
        let ops = random_change(state, options);
        changed.extend(ops.iter().cloned());
        write_commit(
            out,
            state,
            options,
            "refs/heads/topic",
            Some(tip),
            None,
            &ops,
        )?;
        tip = state.mark;
    }
    // Main did not move meanwhile, so the merged tree is the branch's tree: every path the
    // branch touched gets its final state.
    let mut touched: Vec<String> = changed
        .iter()
        .flat_map(|op| match op {
            Op::Modify(p) | Op::Delete(p) => vec![p.clone()],
            Op::Rename(a, b) => vec![a.clone(), b.clone()],
        })
        .collect();
    touched.sort();
    touched.dedup();
    let replay: Vec<Op> = touched
        .into_iter()
        .map(|p| {
            if state.files.contains_key(&p) {
                Op::Modify(p)
            } else {
                Op::Delete(p)
            }
        })
        .collect();
    write_commit(
        out,
        state,
        options,
        "refs/heads/main",
        Some(fork),
        Some(tip),
        &replay,
    )?;
    Ok(state.mark)
}

#[derive(Debug, Clone)]
enum Op {
    Modify(String),
    Delete(String),
    Rename(String, String),
}

fn new_path(state: &mut State, module: usize) -> String {
    state.next_file += 1;
    let ext = ["rs", "py", "ts", "go", "java"][state.next_file % 5];
    let sub = ["", "core/", "api/", "util/"][state.next_file % 4];
    format!("mod{module:03}/{sub}file{:05}.{ext}", state.next_file)
}

fn random_change(state: &mut State, options: &SyntheticOptions) -> Vec<Op> {
    let module = state.rng.skewed(options.modules);
    let mut ops = Vec::new();
    let roll = state.rng.below(200);
    if roll < 8 {
        let path = new_path(state, module);
        let n = 5 + state.rng.below(40);
        let lines = state.new_lines(n);
        state.files.insert(path.clone(), lines);
        ops.push(Op::Modify(path));
    } else if roll < 10
        && let Some(path) = state.pick_file_in(module)
    {
        state.files.remove(&path);
        ops.push(Op::Delete(path));
    } else if roll < 11
        && let Some(path) = state.pick_file_in(module)
    {
        let target = new_path(state, module);
        let lines = state.files.remove(&path).unwrap_or_default();
        state.files.insert(target.clone(), lines);
        ops.push(Op::Rename(path, target));
    }
    // Most commits edit a few files of one module; some reach into a neighbouring module.
    let edits = 1 + state.rng.skewed(6);
    for _ in 0..edits {
        if let Some(path) = state.pick_file_in(module) {
            state.edit(&path);
            ops.push(Op::Modify(path));
        }
    }
    if state.rng.chance(15) {
        let other = (module + 1 + state.rng.below(2)) % options.modules;
        if let Some(path) = state.pick_file_in(other) {
            state.edit(&path);
            ops.push(Op::Modify(path));
        }
    }
    ops
}

fn write_commit(
    out: &mut impl Write,
    state: &mut State,
    options: &SyntheticOptions,
    branch: &str,
    from: Option<usize>,
    merge: Option<usize>,
    ops: &[Op],
) -> std::io::Result<()> {
    state.mark += 1;
    state.time += 600 + state.rng.below(20_000) as i64;
    let author = state.rng.skewed(options.authors);
    let message = format!("change {} in {} file(s)\n", state.mark, ops.len());
    writeln!(out, "commit {branch}\nmark :{}", state.mark)?;
    writeln!(
        out,
        "author Dev {author} <dev{author}@example.com> {} +0000",
        state.time
    )?;
    writeln!(
        out,
        "committer Dev {author} <dev{author}@example.com> {} +0000",
        state.time
    )?;
    write!(out, "data {}\n{message}", message.len())?;
    if let Some(from) = from {
        writeln!(out, "from :{from}")?;
    }
    if let Some(merge) = merge {
        writeln!(out, "merge :{merge}")?;
    }
    for op in ops {
        match op {
            Op::Modify(path) => {
                // A path may be modified and later deleted within the same commit's op list.
                let Some(lines) = state.files.get(path) else {
                    continue;
                };
                let content = State::content(path, lines);
                write!(
                    out,
                    "M 100644 inline {path}\ndata {}\n{content}\n",
                    content.len()
                )?;
            }
            Op::Delete(path) => writeln!(out, "D {path}")?,
            Op::Rename(from, to) => writeln!(out, "R {from} {to}")?,
        }
    }
    writeln!(out)
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into())
    }
}
