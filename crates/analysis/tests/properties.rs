//! Properties of coupling on random change-set lists (proptest).

use std::collections::{BTreeMap, BTreeSet};

use cochange_analysis::{CouplingOptions, coupling, coupling_col as c};
use cochange_miner::Tables;
use cochange_miner::col;
use cochange_miner::polars::prelude::*;
use proptest::prelude::*;

/// Change sets of file numbers; some repeat a file, as a commit's rows never do but sets may.
fn change_sets() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(0u8..12, 1..7), 1..60)
}

fn tables(sets: &[Vec<u8>], name: impl Fn(u8) -> String) -> Tables {
    let mut commits = Vec::new();
    let mut entities = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let unique: BTreeSet<u8> = set.iter().copied().collect();
        for file in unique {
            commits.push(format!("{i:040x}"));
            entities.push(name(file));
        }
    }
    let changes = df!(
        col::REPO => vec!["r"; commits.len()],
        col::COMMIT => commits,
        col::ENTITY => entities,
    )
    .expect("equal lengths");
    Tables {
        commits: DataFrame::empty(),
        changes,
    }
}

fn all() -> CouplingOptions {
    CouplingOptions {
        min_revs: 0,
        min_shared: 0,
        min_degree: 0,
        max_degree: 100,
        max_changeset_size: 4,
        ..CouplingOptions::default()
    }
}

/// `(entity, coupled)` -> `(shared, revs_a, revs_b, degree, confidence_ab, confidence_ba)`.
type Measures = BTreeMap<(String, String), (u64, u64, u64, u64, f64, f64)>;

fn measures(tables: &Tables) -> Measures {
    let df = coupling(tables, &all()).expect("coupling succeeds");
    let s = |name| {
        df.column(name)
            .expect("column")
            .as_materialized_series()
            .clone()
    };
    let (e, k) = (s(c::ENTITY), s(c::COUPLED));
    let (sh, ra, rb, d) = (s(c::SHARED), s(c::REVS_A), s(c::REVS_B), s(c::DEGREE));
    let (cab, cba) = (s(c::CONFIDENCE_AB), s(c::CONFIDENCE_BA));
    (0..df.height())
        .map(|i| {
            let text = |s: &Series| s.str().expect("str").get(i).unwrap_or_default().to_owned();
            let int = |s: &Series| s.u64().expect("u64").get(i).unwrap_or(u64::MAX);
            let float = |s: &Series| s.f64().expect("f64").get(i).unwrap_or(f64::NAN);
            (
                (text(&e), text(&k)),
                (
                    int(&sh),
                    int(&ra),
                    int(&rb),
                    int(&d),
                    float(&cab),
                    float(&cba),
                ),
            )
        })
        .collect()
}

fn name(file: u8) -> String {
    format!("f{file:02}")
}

proptest! {
    #[test]
    fn agrees_with_counting_by_hand(sets in change_sets()) {
        let got = measures(&tables(&sets, name));
        // Count directly: only sets of at most 4 distinct files count.
        let counted: Vec<BTreeSet<u8>> = sets
            .iter()
            .map(|s| s.iter().copied().collect::<BTreeSet<u8>>())
            .filter(|s| s.len() <= 4)
            .collect();
        let revs = |f: u8| counted.iter().filter(|s| s.contains(&f)).count() as u64;
        let mut expected = BTreeMap::new();
        for a in 0u8..12 {
            for b in a + 1..12 {
                let shared = counted.iter().filter(|s| s.contains(&a) && s.contains(&b)).count() as u64;
                if shared > 0 {
                    let (ra, rb) = (revs(a), revs(b));
                    expected.insert((name(a), name(b)), (shared, ra, rb, 200 * shared / (ra + rb)));
                }
            }
        }
        let got_counts: BTreeMap<_, _> = got.iter().map(|(k, v)| (k.clone(), (v.0, v.1, v.2, v.3))).collect();
        prop_assert_eq!(got_counts, expected);
    }

    #[test]
    fn measures_stay_within_their_bounds(sets in change_sets()) {
        for ((a, b), (shared, ra, rb, degree, cab, cba)) in measures(&tables(&sets, name)) {
            prop_assert!(a < b);
            prop_assert!(degree <= 100);
            prop_assert!(shared <= ra.min(rb));
            prop_assert!((0.0..=1.0).contains(&cab) && (0.0..=1.0).contains(&cba));
        }
    }

    #[test]
    fn reversing_the_name_order_swaps_the_directional_measures(sets in change_sets()) {
        let forward = measures(&tables(&sets, name));
        // Names whose order is the reverse of `name`'s, mapped back for comparison.
        let reversed = measures(&tables(&sets, |f| format!("f{:02}", 99 - f)));
        let back = |s: &str| format!("f{:02}", 99 - s[1..].parse::<u8>().expect("number"));
        let swapped: Measures = reversed
            .into_iter()
            .map(|((a, b), (s, ra, rb, d, cab, cba))| ((back(&b), back(&a)), (s, rb, ra, d, cba, cab)))
            .collect();
        prop_assert_eq!(forward, swapped);
    }

    #[test]
    fn the_order_of_change_sets_does_not_matter(sets in change_sets()) {
        let mut reordered = sets.clone();
        reordered.reverse();
        for set in &mut reordered {
            set.reverse();
        }
        // Commit ids follow positions, so reversing renumbers the sets too.
        prop_assert_eq!(measures(&tables(&sets, name)), measures(&tables(&reordered, name)));
    }
}
