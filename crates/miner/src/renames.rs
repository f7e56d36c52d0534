//! Rename detection as `git diff -M` does it (diffcore-rename and diffcore-delta), so that the
//! renames we record are git's own, pair for pair.
//!
//! Within one commit, deleted files are the sources and added files the destinations:
//! 1. exact renames: same blob id (and, unless both are regular files, the same mode), preferring
//!    a source with the same file name;
//! 2. file names that occur once among the remaining sources and once among the remaining
//!    destinations are paired if their similarity is at least 75 %;
//! 3. unless there are more than `limit²` candidate pairs, every remaining destination keeps its
//!    four most similar sources, and all those pairs are assigned from the most similar down,
//!    each source and destination at most once, if at least 50 % similar.
//!
//! Similarity is git's estimate: both files are cut into chunks at each newline or every 64
//! bytes, chunks are hashed into 107 927 buckets, and the score is the number of bytes of the
//! destination that the source has in the same buckets, over the larger file's size. Only
//! regular files are compared this way; symlinks and submodules are renamed only exactly.

use std::collections::HashMap;

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::tree::EntryMode;

/// git's scale for scores: 100 %.
const MAX_SCORE: u64 = 60_000;
/// `-M50%`, git's default.
const MIN_SCORE: u64 = MAX_SCORE / 2;
/// Same-name pairs need half of the remaining distance to 100 % on top (git's basename factor).
const MIN_BASENAME_SCORE: u64 = MIN_SCORE + (MAX_SCORE - MIN_SCORE) / 2;
/// Candidates kept per destination in the inexact pass.
const CANDIDATES_PER_DESTINATION: usize = 4;
const HASH_BASE: u32 = 107_927;

/// One side of a possible rename: a deleted (source) or added (destination) file.
pub(crate) struct Side<'a> {
    pub path: &'a BStr,
    pub id: ObjectId,
    pub mode: EntryMode,
}

/// Reads a blob's content for similarity; `None` when it is missing.
pub(crate) trait Blobs {
    fn size(&mut self, id: &ObjectId) -> Option<u64>;
    fn data(&mut self, id: &ObjectId) -> Option<Vec<u8>>;
}

/// Every rename found as `(source index, destination index, score)`, and whether the inexact pass
/// was skipped because of `limit` (renames with edits may then be missed, as git misses them).
pub(crate) fn detect(
    sources: &[Side<'_>],
    destinations: &[Side<'_>],
    limit: usize,
    blobs: &mut dyn Blobs,
) -> (Vec<(usize, usize, u64)>, bool) {
    let mut matching = Matching {
        sources,
        destinations,
        source_used: vec![false; sources.len()],
        destination_used: vec![false; destinations.len()],
        pairs: Vec::new(),
        similarity: Similarity::default(),
    };
    let mut capped = false;
    if !sources.is_empty() && !destinations.is_empty() {
        matching.exact();
        matching.by_file_name(blobs);
        capped = !matching.inexact(limit, blobs);
    }
    (matching.pairs, capped)
}

/// The state of one commit's rename detection.
struct Matching<'s, 'p> {
    sources: &'s [Side<'p>],
    destinations: &'s [Side<'p>],
    source_used: Vec<bool>,
    destination_used: Vec<bool>,
    pairs: Vec<(usize, usize, u64)>,
    similarity: Similarity,
}

impl Matching<'_, '_> {
    fn pair(&mut self, source: usize, destination: usize, score: u64) {
        self.source_used[source] = true;
        self.destination_used[destination] = true;
        self.pairs.push((source, destination, score));
    }

    /// Same blob id: the first source (in path order) with the best score wins, where a source
    /// with the same file name scores higher.
    fn exact(&mut self) {
        let mut by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
        for (i, source) in self.sources.iter().enumerate() {
            by_id.entry(source.id).or_default().push(i);
        }
        for (d, destination) in self.destinations.iter().enumerate() {
            let Some(candidates) = by_id.get(&destination.id) else {
                continue;
            };
            let mut best: Option<(usize, u8)> = None;
            for &s in candidates {
                let source = &self.sources[s];
                let both_regular = is_regular(source.mode) && is_regular(destination.mode);
                if (!both_regular && source.mode != destination.mode) || self.source_used[s] {
                    continue;
                }
                let score = 1 + u8::from(same_file_name(source.path, destination.path));
                if best.is_none_or(|(_, b)| score > b) {
                    best = Some((s, score));
                    if score == 2 {
                        break;
                    }
                }
            }
            if let Some((s, _)) = best {
                self.pair(s, d, MAX_SCORE);
            }
        }
    }

    /// A file name that occurs once among the remaining sources and once among the remaining
    /// destinations is a rename if the two are at least 75 % similar.
    fn by_file_name(&mut self, blobs: &mut dyn Blobs) {
        let source_names = unique_names(self.sources, &self.source_used);
        let destination_names = unique_names(self.destinations, &self.destination_used);
        for s in 0..self.sources.len() {
            if self.source_used[s] {
                continue;
            }
            let name = file_name(self.sources[s].path);
            let (Some(Some(_)), Some(Some(d))) =
                (source_names.get(name), destination_names.get(name))
            else {
                continue;
            };
            if self.destination_used[*d] {
                continue;
            }
            let score = self
                .similarity
                .score(&self.sources[s], &self.destinations[*d], blobs);
            if score >= MIN_BASENAME_SCORE {
                self.pair(s, *d, score);
            }
        }
    }

    /// Every remaining destination keeps its four most similar sources; the pairs are then taken
    /// from the most similar down. Skipped when there are more than `limit²` pairs to compare;
    /// returns `false` then.
    fn inexact(&mut self, limit: usize, blobs: &mut dyn Blobs) -> bool {
        let sources: Vec<usize> = (0..self.sources.len())
            .filter(|&s| !self.source_used[s])
            .collect();
        let destinations: Vec<usize> = (0..self.destinations.len())
            .filter(|&d| !self.destination_used[d])
            .collect();
        if sources.is_empty() || destinations.is_empty() {
            return true;
        }
        if limit > 0 && sources.len() * destinations.len() > limit * limit {
            return false;
        }
        let mut matrix: Vec<Candidate> =
            Vec::with_capacity(destinations.len() * CANDIDATES_PER_DESTINATION);
        for &d in &destinations {
            let mut best = [Candidate::EMPTY; CANDIDATES_PER_DESTINATION];
            for &s in &sources {
                let candidate = Candidate {
                    destination: Some(d),
                    source: s,
                    score: self
                        .similarity
                        .score(&self.sources[s], &self.destinations[d], blobs),
                    same_name: same_file_name(self.sources[s].path, self.destinations[d].path),
                };
                keep_if_better(&mut best, candidate);
            }
            matrix.extend(best);
        }
        // A stable sort, as git's, so that equal candidates keep their order.
        matrix.sort_by(Candidate::order);
        for candidate in matrix {
            let Some(d) = candidate.destination else {
                break;
            };
            if candidate.score < MIN_SCORE {
                break;
            }
            if !self.destination_used[d] && !self.source_used[candidate.source] {
                self.pair(candidate.source, d, candidate.score);
            }
        }
        true
    }
}

/// File name -> index of the only unused side with that name (`None` if several have it).
fn unique_names<'p>(sides: &[Side<'p>], used: &[bool]) -> HashMap<&'p [u8], Option<usize>> {
    let mut names: HashMap<&'p [u8], Option<usize>> = HashMap::new();
    for (i, side) in sides.iter().enumerate().filter(|(i, _)| !used[*i]) {
        names
            .entry(file_name(side.path))
            .and_modify(|slot| *slot = None)
            .or_insert(Some(i));
    }
    names
}

fn is_regular(mode: EntryMode) -> bool {
    mode.is_blob()
}

fn file_name(path: &BStr) -> &[u8] {
    path.rfind_byte(b'/')
        .map_or(path.as_bytes(), |slash| &path[slash + 1..])
}

fn same_file_name(a: &BStr, b: &BStr) -> bool {
    file_name(a) == file_name(b)
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    destination: Option<usize>,
    source: usize,
    score: u64,
    same_name: bool,
}

impl Candidate {
    const EMPTY: Candidate = Candidate {
        destination: None,
        source: 0,
        score: 0,
        same_name: false,
    };

    /// git's `score_compare`: unused slots last, then higher score, then same file name first.
    fn order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (a.destination, b.destination) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            _ if a.score == b.score => b.same_name.cmp(&a.same_name),
            _ => b.score.cmp(&a.score),
        }
    }
}

/// git's `record_if_better`: replace the worst kept candidate if the new one is better.
fn keep_if_better(best: &mut [Candidate; CANDIDATES_PER_DESTINATION], candidate: Candidate) {
    let mut worst = 0;
    for i in 1..best.len() {
        if Candidate::order(&best[i], &best[worst]).is_gt() {
            worst = i;
        }
    }
    if Candidate::order(&best[worst], &candidate).is_gt() {
        best[worst] = candidate;
    }
}

/// Chunk counts per blob, computed once per commit.
#[derive(Default)]
struct Similarity {
    sizes: HashMap<ObjectId, Option<u64>>,
    chunks: HashMap<ObjectId, Option<Vec<(u32, u64)>>>,
}

impl Similarity {
    /// git's `estimate_similarity`, on the scale of [`MAX_SCORE`].
    fn score(&mut self, source: &Side<'_>, destination: &Side<'_>, blobs: &mut dyn Blobs) -> u64 {
        if !is_regular(source.mode) || !is_regular(destination.mode) {
            return 0;
        }
        let (Some(src_size), Some(dst_size)) = (
            self.size(&source.id, blobs),
            self.size(&destination.id, blobs),
        ) else {
            return 0;
        };
        let max_size = src_size.max(dst_size);
        let delta = max_size - src_size.min(dst_size);
        // Files whose sizes differ too much cannot be similar enough; this also covers empty files.
        if max_size * (MAX_SCORE - MIN_SCORE) < delta * MAX_SCORE {
            return 0;
        }
        if !(self.prepare(&source.id, blobs) && self.prepare(&destination.id, blobs)) {
            return 0;
        }
        let copied = match (&self.chunks[&source.id], &self.chunks[&destination.id]) {
            (Some(src), Some(dst)) => copied_bytes(src, dst),
            _ => return 0,
        };
        (copied * MAX_SCORE).checked_div(max_size).unwrap_or(0)
    }

    fn size(&mut self, id: &ObjectId, blobs: &mut dyn Blobs) -> Option<u64> {
        *self.sizes.entry(*id).or_insert_with(|| blobs.size(id))
    }

    /// Makes sure the chunk counts of `id` are computed; `false` if the blob is missing.
    fn prepare(&mut self, id: &ObjectId, blobs: &mut dyn Blobs) -> bool {
        self.chunks
            .entry(*id)
            .or_insert_with(|| blobs.data(id).map(|data| hash_chunks(&data)))
            .is_some()
    }
}

/// Bytes of the destination found in the same chunk buckets of the source (`diffcore_count_changes`).
fn copied_bytes(source: &[(u32, u64)], destination: &[(u32, u64)]) -> u64 {
    let mut copied = 0;
    let mut d = destination.iter().peekable();
    for &(hash, src_count) in source {
        while d.next_if(|(h, _)| *h < hash).is_some() {}
        if let Some(&&(h, dst_count)) = d.peek()
            && h == hash
        {
            copied += src_count.min(dst_count);
            d.next();
        }
    }
    copied
}

/// git's `hash_chars`: bytes per bucket of chunks ending at a newline or after 64 bytes, sorted
/// by bucket. In text, the CR of a CRLF is skipped.
fn hash_chunks(data: &[u8]) -> Vec<(u32, u64)> {
    let is_text = !crate::content::is_binary(data);
    let mut counts: HashMap<u32, u64> = HashMap::new();
    let (mut accum1, mut accum2, mut n) = (0u32, 0u32, 0u64);
    let mut add = |accum1: u32, accum2: u32, n: u64| {
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASH_BASE;
        *counts.entry(hash).or_default() += n;
    };
    for (i, &c) in data.iter().enumerate() {
        if is_text && c == b'\r' && data.get(i + 1) == Some(&b'\n') {
            continue;
        }
        let old1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old1 >> 25);
        accum1 = accum1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        add(accum1, accum2, n);
        (accum1, accum2, n) = (0, 0, 0);
    }
    if n > 0 {
        add(accum1, accum2, n);
    }
    let mut sorted: Vec<(u32, u64)> = counts.into_iter().collect();
    sorted.sort_unstable();
    sorted
}

#[cfg(test)]
mod tests {
    use super::{copied_bytes, hash_chunks};

    #[test]
    fn identical_content_copies_every_byte() {
        let a = hash_chunks(b"one\ntwo\nthree\n");
        assert_eq!(copied_bytes(&a, &a), 14);
    }

    #[test]
    fn long_lines_are_cut_every_64_bytes() {
        let line = vec![b'x'; 130];
        let chunks = hash_chunks(&line);
        assert_eq!(chunks.iter().map(|(_, n)| n).sum::<u64>(), 130);
        // Two chunks of 64 identical bytes share a bucket; the last 2 bytes are another.
        assert_eq!(chunks.len(), 2);
    }

    #[test]
    fn crlf_counts_like_lf_in_text() {
        assert_eq!(hash_chunks(b"a\r\nb\r\n"), hash_chunks(b"a\nb\n"));
    }
}
