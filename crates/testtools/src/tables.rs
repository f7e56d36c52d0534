//! Synthetic mined tables, without git, for measuring analyses at scale.

/// The `commit` and `entity` values of `change_sets` synthetic change sets over `files` files:
/// sets of 1 to 8 entities, drawn so that some files are hot and neighbours change together.
/// Returns one `(commit, entity)` row per change, in commit order; the same seed gives the same
/// rows.
pub fn synthetic_changes(change_sets: usize, files: usize, seed: u64) -> Vec<(String, String)> {
    let mut state = seed;
    let mut next = || {
        // SplitMix64, as in the history generator.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut rows = Vec::with_capacity(change_sets * 3);
    for set in 0..change_sets {
        let commit = format!("{set:040x}");
        // Skewed towards small numbers: min of two uniform draws.
        let anchor = (next() % files as u64).min(next() % files as u64) as usize;
        let size = 1 + (next() % 8).min(next() % 8) as usize;
        let mut chosen: Vec<usize> = (0..size)
            .map(|i| (anchor + i * (1 + (next() % 3) as usize)) % files)
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        for file in chosen {
            rows.push((
                commit.clone(),
                format!("src/module{:03}/file{file:06}.rs", file / 100),
            ));
        }
    }
    rows
}
