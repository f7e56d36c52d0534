//! Delivery from history (docs/delivery.md): releases read from tags, and for each commit the
//! first release that contains it, which gives the lead time for changes; commits no release
//! holds yet are pending.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cochange_miner::col;
use cochange_miner::polars::prelude::*;
use regex::Regex;

use crate::Error;

/// Semantic versions (two or three numbers, more allowed) with an optional `v`, an optional
/// pre-release (`-rc.1`, `rc1`, `.dev0`) and build (`+meta`), after an optional component prefix
/// ending in `-`, `@`, `/` or `_` (`tokio-util-0.7.11`, `api@2.0.0`).
pub const DEFAULT_RELEASE_PATTERN: &str = r"^(?:(?P<component>.+?)[-@/_])?v?(?P<version>\d+\.\d+(?:\.\d+)*)(?P<pre>[-.]?(?:alpha|beta|rc|pre|preview|dev|a|b)[-.]?\d*|-[0-9A-Za-z][0-9A-Za-z.-]*)?(?:\+[0-9A-Za-z.-]+)?$";

/// The tags that are releases: a regular expression with a `version` group, and optionally a
/// `component` group (the component released) and a `pre` group (a pre-release when it matched).
#[derive(Debug, Clone)]
pub struct ReleasePattern(Regex);

impl Default for ReleasePattern {
    fn default() -> Self {
        ReleasePattern(Regex::new(DEFAULT_RELEASE_PATTERN).expect("the default pattern compiles"))
    }
}

impl ReleasePattern {
    /// `pattern` checked: it compiles and has a `version` group.
    pub fn new(pattern: &str) -> Result<ReleasePattern, String> {
        let regex = Regex::new(pattern)
            .map_err(|err| format!("is not a valid regular expression: {err}"))?;
        if !regex.capture_names().any(|n| n == Some("version")) {
            return Err("has no `version` group: name the part of a tag that is the version, as in `^v(?P<version>\\d+\\.\\d+\\.\\d+)$`".into());
        }
        Ok(ReleasePattern(regex))
    }

    /// `(component, version, pre-release)` of a tag that is a release.
    fn read(&self, tag: &str) -> Option<(Option<String>, String, bool)> {
        let found = self.0.captures(tag)?;
        let version = found.name("version")?.as_str().to_owned();
        let component = found.name("component").map(|m| m.as_str().to_owned());
        Some((component, version, found.name("pre").is_some()))
    }
}

/// A release: a tag the pattern accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// The tag.
    pub tag: String,
    /// The component prefix as the tag writes it.
    pub component: Option<String>,
    /// The component whose commits it releases: the prefix when it names a component of the
    /// mapping, else `None` (the whole repository).
    pub scope: Option<String>,
    /// The version.
    pub version: String,
    /// A pre-release (`-rc.1`, `b2`).
    pub prerelease: bool,
    /// An annotated tag (its time is the tagger's).
    pub annotated: bool,
    /// The commit tagged (40 hex digits).
    pub commit: String,
    /// The tagger's time of an annotated tag, else the commit's committer time (unix seconds).
    pub time: i64,
}

/// The releases among `tags`, oldest first (then by tag); `components` are the names a prefix
/// may map to.
pub fn releases(
    tags: &[cochange_miner::Tag],
    pattern: &ReleasePattern,
    components: &BTreeSet<String>,
) -> Vec<Release> {
    let mut found: Vec<Release> = tags
        .iter()
        .filter_map(|tag| {
            let (component, version, prerelease) = pattern.read(&tag.name)?;
            let scope = component.clone().filter(|c| components.contains(c));
            Some(Release {
                tag: tag.name.clone(),
                component,
                scope,
                version,
                prerelease,
                annotated: tag.annotated,
                commit: tag.commit.clone(),
                time: tag.time,
            })
        })
        .collect();
    found.sort_by(|a, b| a.time.cmp(&b.time).then(a.tag.cmp(&b.tag)));
    found
}

/// A non-merge commit of the history within one scope, and the first release of that scope
/// that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    /// The component (`None`: the whole repository).
    pub scope: Option<String>,
    /// The commit (40 hex digits).
    pub commit: String,
    /// Its subject.
    pub subject: String,
    /// Author and committer time (unix seconds).
    pub authored: i64,
    /// See `authored`.
    pub committed: i64,
    /// Index into the releases of the first release of its scope that holds it (by release
    /// time), if any.
    pub release: Option<usize>,
}

impl Delivered {
    /// Seconds from commit to release, if released (never negative: a release tagged before a
    /// commit it holds counts as at once).
    pub fn lead_time(&self, releases: &[Release]) -> Option<i64> {
        self.release
            .map(|r| (releases[r].time - self.committed).max(0))
    }
}

/// The commit graph and what each commit touched, read from the mined tables.
struct Graph<'t> {
    ids: Vec<&'t str>,
    index: cochange_miner::CommitIndex<'t>,
    parents: Vec<Vec<usize>>,
    is_merge: Vec<bool>,
    authored: Vec<i64>,
    committed: Vec<i64>,
    messages: Vec<&'t str>,
    /// The files each commit changed that the filters keep, and their components.
    files: Vec<BTreeSet<&'t str>>,
    components: Vec<BTreeSet<String>>,
    /// Whether the filters keep the commit.
    kept: Vec<bool>,
}

impl<'t> Graph<'t> {
    /// The graph of `mined` (every commit, so that no ancestry is lost to a filter), with the
    /// commits and file changes that `kept` (the filtered tables) holds.
    fn read(
        mined: &'t cochange_miner::Tables,
        kept: &'t cochange_miner::Tables,
        component_of: &dyn Fn(&str) -> String,
    ) -> PolarsResult<Graph<'t>> {
        let commits = &mined.commits;
        let cochange_miner::CommitGraph {
            ids,
            index,
            parents,
        } = cochange_miner::commit_graph(commits)?;
        let times = |name: &str| -> PolarsResult<Vec<i64>> {
            Ok(commits
                .column(name)?
                .i64()?
                .iter()
                .map(Option::unwrap_or_default)
                .collect())
        };
        let mut components = vec![BTreeSet::new(); ids.len()];
        let mut files = vec![BTreeSet::new(); ids.len()];
        let kept_ids: HashSet<&str> = kept
            .commits
            .column(col::COMMIT)?
            .str()?
            .iter()
            .flatten()
            .collect();
        let changes = &kept.changes;
        for (commit, path) in changes
            .column(col::COMMIT)?
            .str()?
            .iter()
            .zip(changes.column(col::PATH)?.str()?.iter())
        {
            if let (Some(&i), Some(path)) = (commit.and_then(|c| index.get(c)), path) {
                components[i].insert(component_of(path));
                files[i].insert(path);
            }
        }
        Ok(Graph {
            parents,
            is_merge: commits
                .column(col::IS_MERGE)?
                .bool()?
                .iter()
                .map(Option::unwrap_or_default)
                .collect(),
            authored: times(col::AUTHOR_TIME)?,
            committed: times(col::COMMITTER_TIME)?,
            messages: commits
                .column(col::MESSAGE)?
                .str()?
                .iter()
                .map(Option::unwrap_or_default)
                .collect(),
            files,
            components,
            kept: ids.iter().map(|id| kept_ids.contains(id)).collect(),
            ids,
            index,
        })
    }

    /// For each commit, the index (into `releases`) of the first of `order` whose commit holds
    /// it. Walking the releases oldest first and stopping at commits already reached is enough:
    /// whatever an earlier release holds, it holds with all its ancestors.
    fn first_release(&self, releases: &[Release], order: &[usize]) -> Vec<Option<usize>> {
        let mut first = vec![None; self.ids.len()];
        for &r in order {
            let Some(&start) = self.index.get(releases[r].commit.as_str()) else {
                continue;
            };
            let mut stack = vec![start];
            while let Some(c) = stack.pop() {
                if first[c].is_some() {
                    continue;
                }
                first[c] = Some(r);
                stack.extend(
                    self.parents[c]
                        .iter()
                        .copied()
                        .filter(|&p| first[p].is_none()),
                );
            }
        }
        first
    }
}

impl Graph<'_> {
    /// Each non-merge commit the filters keep with the first final release (not a pre-release)
    /// of its scope that holds it: once for the whole repository (releases without a component
    /// of the mapping), and once for each component that has releases of its own, for the
    /// commits that changed its files.
    fn delivered(&self, releases: &[Release]) -> Vec<Delivered> {
        let graph = self;
        let mut scopes: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        // A pre-release ships to those who try it, not to everyone: lead time runs to a final one.
        for (i, release) in releases.iter().enumerate().filter(|(_, r)| !r.prerelease) {
            scopes.entry(release.scope.as_deref()).or_default().push(i);
        }
        let mut out = Vec::new();
        for (scope, order) in &scopes {
            let first = graph.first_release(releases, order);
            for (c, release) in first.into_iter().enumerate() {
                let member = scope.is_none_or(|s| graph.components[c].contains(s));
                // A commit counts when the filters keep one of its files.
                if graph.is_merge[c] || !graph.kept[c] || graph.files[c].is_empty() || !member {
                    continue;
                }
                out.push(Delivered {
                    scope: scope.map(str::to_owned),
                    commit: graph.ids[c].to_owned(),
                    subject: crate::churn::subject(graph.messages[c]),
                    authored: graph.authored[c],
                    committed: graph.committed[c],
                    release,
                });
            }
        }
        out
    }

    /// Per release, the files of the commits it released first.
    fn released_files<'g>(
        &'g self,
        releases: &[Release],
        commits: &[Delivered],
    ) -> Vec<BTreeSet<&'g str>> {
        let mut files = vec![BTreeSet::new(); releases.len()];
        for commit in commits {
            if let (Some(r), Some(&c)) = (commit.release, self.index.get(commit.commit.as_str())) {
                files[r].extend(self.files[c].iter().copied());
            }
        }
        files
    }

    /// The branches merged into the first-parent line from the newest commit: for each merge
    /// on it, oldest first, the commits reachable from its other parents that neither the line
    /// nor an older merge brought in.
    fn merged_branches(&self) -> Vec<MergedBranch> {
        let mut line = Vec::new();
        let mut next = (!self.ids.is_empty()).then_some(0);
        let mut on_line = vec![false; self.ids.len()];
        while let Some(c) = next {
            if on_line[c] {
                break;
            }
            on_line[c] = true;
            line.push(c);
            next = self.parents[c].first().copied();
        }
        let mut seen = on_line.clone();
        let mut out = Vec::new();
        for &m in line.iter().rev().filter(|&&m| self.parents[m].len() > 1) {
            let mut stack: Vec<usize> = self.parents[m][1..].to_vec();
            let (mut commits, mut first) = (0u64, i64::MAX);
            while let Some(c) = stack.pop() {
                if seen[c] {
                    continue;
                }
                seen[c] = true;
                commits += 1;
                first = first.min(self.authored[c]);
                stack.extend(self.parents[c].iter().copied().filter(|&p| !seen[p]));
            }
            if commits > 0 {
                out.push(MergedBranch {
                    merge: self.ids[m].to_owned(),
                    subject: crate::churn::subject(self.messages[m]),
                    commits,
                    first_authored: first,
                    merged: self.committed[m],
                });
            }
        }
        out.reverse();
        out
    }

    /// Per release, why it failed (see [`Failure`]).
    fn failures(
        &self,
        releases: &[Release],
        commits: &[Delivered],
        shipped: &[BTreeSet<&str>],
        rules: &FailureRules,
    ) -> Vec<Failure> {
        let window = i64::from(rules.days) * 86_400;
        let mut failures = vec![Failure::default(); releases.len()];
        let finals: Vec<usize> = (0..releases.len())
            .filter(|&r| !releases[r].prerelease)
            .collect();
        for &r in &finals {
            failures[r].patch = finals.iter().copied().find(|&p| {
                releases[p].scope == releases[r].scope
                    && releases[p].time > releases[r].time
                    && releases[p].time - releases[r].time <= window
                    && is_patch_of(&releases[p].version, &releases[r].version)
            });
        }
        let release_of: HashMap<(Option<&str>, &str), usize> = commits
            .iter()
            .filter_map(|d| Some(((d.scope.as_deref(), d.commit.as_str()), d.release?)))
            .collect();
        for commit in commits {
            let Some(&c) = self.index.get(commit.commit.as_str()) else {
                continue;
            };
            let scope = commit.scope.as_deref();
            let after = |r: usize| {
                releases[r].time < commit.committed && commit.committed - releases[r].time <= window
            };
            if let Some(reverted) = reverted_commit(self.messages[c])
                && let Some(&r) = release_of.get(&(scope, reverted))
                && after(r)
            {
                failures[r].reverts.push(commit.commit.clone());
            }
            if rules.fix.is_match(&commit.subject) {
                // The newest release of its scope before the fix that released a file it touches.
                let blamed = finals.iter().rev().copied().find(|&r| {
                    releases[r].scope.as_deref() == scope
                        && after(r)
                        && self.files[c]
                            .iter()
                            .any(|f| is_program(f) && shipped[r].contains(f))
                });
                if let Some(r) = blamed {
                    failures[r].fixes.push(commit.commit.clone());
                }
            }
        }
        failures
    }
}

/// Whether a fix of `path` can repair program behaviour: a fix of a changelog or of docs does not
/// count against a release.
fn is_program(path: &str) -> bool {
    crate::is_code(crate::language_of(path))
}

/// Whether version `later` patches `earlier`: three numbers or more, the same but the last, which
/// is higher.
fn is_patch_of(later: &str, earlier: &str) -> bool {
    let numbers = |v: &str| -> Option<Vec<u64>> { v.split('.').map(|n| n.parse().ok()).collect() };
    match (numbers(later), numbers(earlier)) {
        // Two numbers are a minor version (`0.8` after `0.7`), not a patch.
        (Some(a), Some(b)) if a.len() == b.len() && a.len() >= 3 => {
            let last = a.len() - 1;
            a[..last] == b[..last] && a[last] > b[last]
        }
        _ => false,
    }
}

/// The commit a message says it reverts (`This reverts commit <40 hex digits>`, as `git revert`
/// writes it).
fn reverted_commit(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("This reverts commit ")?;
    let id = rest.get(..40)?;
    id.bytes().all(|b| b.is_ascii_hexdigit()).then_some(id)
}

/// A branch merged into the main line (the first-parent line from the newest commit): the
/// cycle-time proxy from its first commit to the merge.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedBranch {
    /// The merge commit (40 hex digits).
    pub merge: String,
    /// Its subject.
    pub subject: String,
    /// Commits the merge brought in that the main line did not have (first brought in by it).
    pub commits: u64,
    /// The earliest author time among them.
    pub first_authored: i64,
    /// The merge's committer time.
    pub merged: i64,
}

/// What counts as a failed release (docs/delivery.md): fix commits (by their subject) and
/// reverts within `days` after it, and a patch release within `days`.
#[derive(Debug, Clone)]
pub struct FailureRules {
    /// Marks a fix in a commit's subject.
    pub fix: Regex,
    /// How long after a release a fix, revert or patch counts against it.
    pub days: u32,
}

/// Why a final release counts as failed, by proxy; empty for one that did not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failure {
    /// The patch release of it (same version but a higher last number, same scope) within the
    /// window, as an index into the releases.
    pub patch: Option<usize>,
    /// Fix commits within the window that touched a file it released, each counted against the
    /// newest release of its scope before it that released one of those files.
    pub fixes: Vec<String>,
    /// Commits within the window that revert a commit it released.
    pub reverts: Vec<String>,
}

impl Failure {
    /// Whether any proxy counts it as failed.
    pub fn failed(&self) -> bool {
        self.patch.is_some() || !self.fixes.is_empty() || !self.reverts.is_empty()
    }
}

/// The releases of the analysed repository and its commits with the first release holding each.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Oldest first.
    pub releases: Vec<Release>,
    /// Per scope, newest commit first.
    pub commits: Vec<Delivered>,
    /// Per release (same order), why it failed.
    pub failures: Vec<Failure>,
    /// Per release (same order), the files of the commits it released first.
    pub files: Vec<usize>,
    /// Per release (same order), the components of those files.
    pub components: Vec<usize>,
    /// The branches merged into the main line, newest merge first.
    pub merges: Vec<MergedBranch>,
    /// Tags that are not releases by the pattern.
    pub other_tags: usize,
}

impl crate::Session<'_> {
    /// The releases among the analysed repository's tags (`[releases] pattern`, else
    /// [`DEFAULT_RELEASE_PATTERN`]) and what each commit of the history waited for one.
    pub fn delivery(
        &self,
        pattern: &ReleasePattern,
        rules: &FailureRules,
    ) -> Result<Delivery, Error> {
        let (repo, outcome, _) = self.one_repository("delivery")?;
        let tags = match self.history.exported.as_deref() {
            Some([extras]) => extras.tags.clone(),
            _ => cochange_miner::tags(repo).map_err(|source| Error::Repository {
                what: "read the tags",
                path: repo.clone(),
                source,
            })?,
        };
        let mapping = self.mapping()?;
        let component_of = |path: &str| mapping.rules.component_of(path).0;
        let components: BTreeSet<String> = mapping.files.iter().map(|f| component_of(f)).collect();
        let releases = releases(&tags, pattern, &components);
        let graph = Graph::read(&outcome.tables, &self.history.tables, &component_of)?;
        let commits = graph.delivered(&releases);
        let shipped = graph.released_files(&releases, &commits);
        let failures = graph.failures(&releases, &commits, &shipped, rules);
        Ok(Delivery {
            other_tags: tags.len() - releases.len(),
            files: shipped.iter().map(BTreeSet::len).collect(),
            components: shipped
                .iter()
                .map(|files| {
                    files
                        .iter()
                        .map(|f| component_of(f))
                        .collect::<BTreeSet<_>>()
                        .len()
                })
                .collect(),
            merges: graph.merged_branches(),
            releases,
            commits,
            failures,
        })
    }
}

/// Two components and how often they were released together.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasedTogether {
    /// The components, `a` before `b` by name.
    pub a: String,
    /// See `a`.
    pub b: String,
    /// Release events holding each.
    pub events_a: u64,
    /// See `events_a`.
    pub events_b: u64,
    /// Release events holding both.
    pub together: u64,
    /// `together` over what independence would give: `events_a × events_b / events`.
    pub lift: f64,
}

/// The pairs of components released together (docs/delivery.md): the final releases of
/// components, oldest first, form release events, each event the releases within `window`
/// seconds of its first; a pair is released together in the events that hold both. Pairs
/// released together at least once, most often first.
pub fn released_together(releases: &[Release], window: i64) -> Vec<ReleasedTogether> {
    let mut events: Vec<(i64, BTreeSet<&str>)> = Vec::new();
    for release in releases.iter().filter(|r| !r.prerelease) {
        let Some(component) = release.scope.as_deref() else {
            continue;
        };
        match events.last_mut() {
            Some((start, members)) if release.time - *start <= window => {
                members.insert(component);
            }
            _ => events.push((release.time, BTreeSet::from([component]))),
        }
    }
    let mut count: BTreeMap<&str, u64> = BTreeMap::new();
    let mut pairs: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (_, members) in &events {
        for &a in members {
            *count.entry(a).or_default() += 1;
            for &b in
                members.range::<&str, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded))
            {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }
    let total = events.len() as f64;
    let mut out: Vec<ReleasedTogether> = pairs
        .into_iter()
        .map(|((a, b), together)| {
            let (events_a, events_b) = (count[a], count[b]);
            ReleasedTogether {
                a: a.to_owned(),
                b: b.to_owned(),
                events_a,
                events_b,
                together,
                lift: together as f64 * total / (events_a as f64 * events_b as f64),
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.together
            .cmp(&x.together)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    out
}

/// The nearest-rank percentile `p` (0 < p ≤ 1) of sorted `values`: the value at rank ⌈p·n⌉.
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(tag: &str) -> Option<(Option<String>, String, bool)> {
        ReleasePattern::default().read(tag)
    }

    #[test]
    fn the_default_pattern_reads_the_usual_tags() {
        let some = |c: &str, v: &str, pre: bool| Some((Some(c.to_owned()), v.to_owned(), pre));
        let plain = |v: &str, pre: bool| Some((None, v.to_owned(), pre));
        assert_eq!(read("v7.2.1"), plain("7.2.1", false));
        assert_eq!(read("1.2.3"), plain("1.2.3", false));
        assert_eq!(read("0.1"), plain("0.1", false));
        assert_eq!(read("2.0.0rc1"), plain("2.0.0", true));
        assert_eq!(read("v1.0.0-rc.1"), plain("1.0.0", true));
        assert_eq!(read("1.0.0+build.5"), plain("1.0.0", false));
        assert_eq!(
            read("tokio-util-0.7.11"),
            some("tokio-util", "0.7.11", false)
        );
        assert_eq!(read("tokio-1.0.0-beta.2"), some("tokio", "1.0.0", true));
        assert_eq!(read("api@2.0.0"), some("api", "2.0.0", false));
        assert_eq!(read("release-candidate"), None);
        assert_eq!(read("v1"), None);
    }

    #[test]
    fn a_pattern_without_a_version_group_is_refused() {
        assert!(ReleasePattern::new("^v\\d+$").is_err());
        assert!(ReleasePattern::new("(").is_err());
        assert!(ReleasePattern::new("^r(?P<version>\\d+)$").is_ok());
    }

    #[test]
    fn patches_and_reverts_are_read() {
        assert!(is_patch_of("1.1.1", "1.1.0"));
        assert!(!is_patch_of("0.8", "0.7"));
        assert!(!is_patch_of("1.2.0", "1.1.0"));
        assert!(!is_patch_of("1.1.0", "1.1.1"));
        assert!(!is_patch_of("1.1", "1.1.0"));
        let id = "0123456789abcdef0123456789abcdef01234567";
        let message = format!("Revert \"x\"\n\nThis reverts commit {id}.\n");
        assert_eq!(reverted_commit(&message), Some(id));
        assert_eq!(reverted_commit("This reverts commit 1234."), None);
    }

    #[test]
    fn components_released_within_the_window_are_released_together() {
        let release = |scope: &str, time: i64| Release {
            tag: format!("{scope}-{time}"),
            component: Some(scope.to_owned()),
            scope: Some(scope.to_owned()),
            version: "1.0.0".into(),
            prerelease: false,
            annotated: false,
            commit: String::new(),
            time,
        };
        // Events: {a, b} at 0..=10, {a} at 100, {a, b, c} at 200..=205: 3 events.
        let releases = [
            release("a", 0),
            release("b", 10),
            release("a", 100),
            release("a", 200),
            release("c", 203),
            release("b", 205),
        ];
        let pairs = released_together(&releases, 10);
        let summary: Vec<(&str, &str, u64, u64, u64)> = pairs
            .iter()
            .map(|p| {
                (
                    p.a.as_str(),
                    p.b.as_str(),
                    p.events_a,
                    p.events_b,
                    p.together,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("a", "b", 3, 2, 2),
                ("a", "c", 3, 1, 1),
                ("b", "c", 2, 1, 1)
            ]
        );
        // a and b: 2 together against 3 × 2 / 3 = 2 by chance.
        assert!((pairs[0].lift - 1.0).abs() < 1e-12);
        assert!((pairs[2].lift - 1.5).abs() < 1e-12);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values = [10, 20, 30, 40];
        assert_eq!(nearest_rank(&values, 0.5), Some(20));
        assert_eq!(nearest_rank(&values, 0.9), Some(40));
        assert_eq!(nearest_rank(&[7], 0.5), Some(7));
        assert_eq!(nearest_rank(&[], 0.5), None);
    }
}
