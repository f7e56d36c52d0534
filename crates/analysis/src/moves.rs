//! Functions moved within their file (docs/xray.md): `git log -L` stops where a function's lines
//! were all added, which is also where a commit moved it; the X-ray looks in the parent's
//! version for the function it came from and follows that one further.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cochange_code::{Function, Language};
use cochange_miner::{MovedFrom, Version};

/// The least body similarity at which a deleted function counts as the one moved.
const MIN_SIMILARITY: f64 = 0.5;

/// Finds the function a moved one came from, parsing each version once.
#[derive(Debug, Default)]
pub(crate) struct BodyMoves {
    /// The functions of each blob read, by blob id (`None`: not parsed).
    parsed: RefCell<HashMap<String, Option<Rc<Vec<Function>>>>>,
}

impl BodyMoves {
    fn functions(&self, language: Language, version: Version<'_>) -> Option<Rc<Vec<Function>>> {
        if let Some(found) = self.parsed.borrow().get(version.id) {
            return found.clone();
        }
        let found = cochange_code::functions(language, version.data)
            .ok()
            .map(Rc::new);
        self.parsed
            .borrow_mut()
            .insert(version.id.to_owned(), found.clone());
        found
    }
}

impl MovedFrom for BodyMoves {
    fn rule(&self) -> &'static str {
        // The similarity threshold and the functions read (cochange-code's rules) define it.
        cochange_code::FUNCTION_FACTS_TABLE
    }

    fn moved_from(
        &self,
        path: &str,
        old: Version<'_>,
        new: Version<'_>,
        lines: (u32, u32),
        deleted: &[(u32, u32)],
    ) -> Option<(u32, u32)> {
        let language = Language::of(path)?;
        // Most added lines are not moved ones: read the text before parsing anything.
        let added = sorted_lines(new.data, [lines]);
        let removed = sorted_lines(old.data, deleted.iter().copied());
        if contained(&added, &removed) < MIN_SIMILARITY {
            return None;
        }
        let new_functions = self.functions(language, new)?;
        let old_functions = self.functions(language, old)?;
        let moved = moved_function(
            (&new_functions, new.data),
            (&old_functions, old.data),
            lines,
            deleted,
        )?;
        Some((moved.start - 1, moved.end - 1))
    }
}

/// The function of `old` that the function of `new` over the added `lines` (0-based) was moved
/// from: among the functions of `old` whose lines were at least half `deleted`, the one of the
/// same name, else the most similar, with a body similarity of at least [`MIN_SIMILARITY`].
fn moved_function<'o>(
    (new, new_data): (&[Function], &[u8]),
    (old, old_data): (&'o [Function], &[u8]),
    lines: (u32, u32),
    deleted: &[(u32, u32)],
) -> Option<&'o Function> {
    let span = |f: &Function| (f.start.saturating_sub(1), f.end.saturating_sub(1));
    let arrived = new
        .iter()
        .map(|f| (overlap(span(f), lines), f))
        .filter(|(shared, _)| *shared > 0)
        .max_by_key(|(shared, f)| (*shared, std::cmp::Reverse(f.start)))?
        .1;
    let body = body(new_data, arrived);
    old.iter()
        .filter(|f| {
            let removed: u32 = deleted.iter().map(|d| overlap(span(f), *d)).sum();
            2 * removed >= f.end + 1 - f.start
        })
        .map(|f| (f, similarity(&body, &self::body(old_data, f))))
        .filter(|(_, similar)| *similar >= MIN_SIMILARITY)
        .max_by(|(a, sa), (b, sb)| {
            (a.name == arrived.name)
                .cmp(&(b.name == arrived.name))
                .then(sa.total_cmp(sb))
                .then(b.start.cmp(&a.start))
        })
        .map(|(f, _)| f)
}

/// Lines the inclusive ranges `a` and `b` share.
fn overlap(a: (u32, u32), b: (u32, u32)) -> u32 {
    (a.1.min(b.1) + 1).saturating_sub(a.0.max(b.0))
}

/// The trimmed non-blank lines of a function's span, sorted.
fn body<'d>(data: &'d [u8], function: &Function) -> Vec<&'d [u8]> {
    let span = (
        function.start.saturating_sub(1),
        function.end.saturating_sub(1),
    );
    sorted_lines(data, [span])
}

/// The trimmed non-blank lines of `data` in the inclusive, 0-based, ascending `ranges`, sorted.
fn sorted_lines(data: &[u8], ranges: impl IntoIterator<Item = (u32, u32)>) -> Vec<&[u8]> {
    let mut ranges = ranges.into_iter().peekable();
    let mut lines = Vec::new();
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        let i = i as u32;
        while ranges.peek().is_some_and(|r| r.1 < i) {
            ranges.next();
        }
        let Some(&(first, _)) = ranges.peek() else {
            break;
        };
        let line = line.trim_ascii();
        if i >= first && !line.is_empty() {
            lines.push(line);
        }
    }
    lines.sort_unstable();
    lines
}

/// Dice's coefficient of two sorted multisets of lines: twice the lines they share over the
/// lines of both.
fn similarity(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 0.0;
    }
    2.0 * shared(a, b) as f64 / total as f64
}

/// The share of the lines of `a` that `b` holds too (sorted multisets); 0 for none.
fn contained(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    shared(a, b) as f64 / a.len() as f64
}

/// How many lines two sorted multisets share.
fn shared(a: &[&[u8]], b: &[&[u8]]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Vec<Function> {
        cochange_code::functions(Language::Python, source.as_bytes()).expect("parses")
    }

    #[test]
    fn similarity_is_dice_over_lines() {
        let sorted = |lines: &[&'static str]| -> Vec<&'static [u8]> {
            let mut v: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
            v.sort_unstable();
            v
        };
        // 2 shared of 3 + 3 lines: 4/6.
        let a = sorted(&["a", "b", "c"]);
        let b = sorted(&["a", "b", "d"]);
        assert!((similarity(&a, &b) - 4.0 / 6.0).abs() < 1e-12);
        assert!(similarity(&a, &[]).abs() < 1e-12);
        assert!((contained(&a, &b) - 2.0 / 3.0).abs() < 1e-12);
        // Lines 1..=2 and 4 of a text, blank lines left out, sorted.
        let text = b"z\n  y \n\nx\nw\n";
        assert_eq!(sorted_lines(text, [(1, 2), (4, 4)]), [&b"w"[..], &b"y"[..]]);
    }

    #[test]
    fn a_function_moved_within_its_file_is_found_where_it_was() {
        let old = "def a():\n    return 1\n\ndef b(x):\n    y = x + 1\n    return y\n";
        let new = "def b(x):\n    y = x + 1\n    return y\n\ndef a():\n    return 1\n";
        let (old_functions, new_functions) = (parse(old), parse(new));
        // b's lines 0..=3 of the new version were added; the old b (lines 3..=5) deleted.
        let found = moved_function(
            (&new_functions, new.as_bytes()),
            (&old_functions, old.as_bytes()),
            (0, 3),
            &[(2, 5)],
        );
        assert_eq!(found.map(|f| (f.name.as_str(), f.start)), Some(("b", 4)));
        // Renamed as it moved: the body alone finds it.
        let renamed = new.replace("def b(x)", "def c(x)");
        let found = moved_function(
            (&parse(&renamed), renamed.as_bytes()),
            (&old_functions, old.as_bytes()),
            (0, 3),
            &[(2, 5)],
        );
        assert_eq!(found.map(|f| f.name.as_str()), Some("b"));
        // Nothing deleted where b was: a new function, not a move.
        let found = moved_function(
            (&new_functions, new.as_bytes()),
            (&old_functions, old.as_bytes()),
            (0, 3),
            &[(0, 1)],
        );
        assert_eq!(found, None);
    }
}
