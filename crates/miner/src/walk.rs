//! The revision walk: every commit reachable from the tips that the cache does not hold yet.

use std::collections::HashMap;

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::hashtable::HashSet;
use gix::objs::{CommitRef, FindExt};

use crate::Error;
use crate::gittime::parse_raw_time;
use crate::record::CommitRecord;

/// Reads all commits reachable from `tips` except those in `known` and their ancestors, calling
/// `on_commit` with each one's index in the result as soon as it is read.
///
/// The result is in depth-first order along first parents, so a commit's parent usually follows
/// it: the diff workers take contiguous runs and reuse the trees they just decoded.
/// `known` must be closed under ancestry (the cache is: it only ever grows by whole walks).
pub(crate) fn walk(
    objects: &impl gix::objs::Find,
    mailmap: &gix::mailmap::Snapshot,
    tips: &[ObjectId],
    known: &HashSet<ObjectId>,
    first_parent: bool,
    shallow: &HashSet<ObjectId>,
    mut on_commit: impl FnMut(usize, &CommitRecord) -> Result<(), Error>,
) -> Result<Vec<CommitRecord>, Error> {
    let mut identities = Identities {
        mailmap,
        resolved: HashMap::new(),
        key: Vec::new(),
    };
    let mut seen: HashSet<ObjectId> = HashSet::default();
    let mut stack: Vec<ObjectId> = tips.iter().rev().copied().collect();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if known.contains(&id) || !seen.insert(id) {
            continue;
        }
        let commit = objects
            .find_commit(&id, &mut buf)
            .map_err(|err| Error::object("commit", id, err))?;
        let mut record =
            decode(id, &commit, &mut identities).map_err(|err| Error::object("commit", id, err))?;
        if shallow.contains(&id) {
            // git treats graft commits as roots: their parents are not in the repository.
            record.parents.clear();
        }
        let follow = if first_parent {
            1
        } else {
            record.parents.len()
        };
        stack.extend(record.parents.iter().take(follow).rev().copied());
        on_commit(out.len(), &record)?;
        out.push(record);
    }
    Ok(out)
}

/// Canonical identities through `.mailmap`, memoised: most commits repeat a few people.
struct Identities<'a> {
    mailmap: &'a gix::mailmap::Snapshot,
    /// `name NUL email` -> canonical (name, email).
    resolved: HashMap<Vec<u8>, (String, String)>,
    key: Vec<u8>,
}

impl Identities<'_> {
    fn canonical(&mut self, name: &BStr, email: &BStr) -> (String, String) {
        self.key.clear();
        self.key.extend_from_slice(name);
        self.key.push(0);
        self.key.extend_from_slice(email);
        if let Some(found) = self.resolved.get(self.key.as_slice()) {
            return found.clone();
        }
        let key = self.key.clone();
        let signature = gix::actor::SignatureRef {
            name,
            email,
            time: "",
        };
        let resolved = match self.mailmap.try_resolve(signature) {
            Some(sig) => (lossy(sig.name.as_ref()), lossy(sig.email.as_ref())),
            None => (lossy(name), lossy(email)),
        };
        self.resolved.insert(key, resolved.clone());
        resolved
    }
}

fn lossy(bytes: &BStr) -> String {
    bytes.trim().to_str_lossy().into_owned()
}

fn decode(
    id: ObjectId,
    commit: &CommitRef<'_>,
    identities: &mut Identities<'_>,
) -> Result<CommitRecord, gix::Error> {
    let author = commit.author()?.trim();
    let committer = commit.committer()?;
    let (author_time, author_tz) = parse_raw_time(author.time).unwrap_or((0, 0));
    let (committer_time, _) = parse_raw_time(committer.time).unwrap_or((0, 0));
    let (name, email) = identities.canonical(author.name, author.email);
    let message = commit.message.to_str_lossy().into_owned();
    let coauthors = coauthors(commit.message, identities);
    Ok(CommitRecord {
        id,
        parents: commit.parents().collect(),
        tree: commit.tree(),
        author: name,
        email,
        author_time,
        author_tz,
        committer_time,
        message,
        coauthors,
    })
}

/// Canonical names from `Co-authored-by: Name <email>` trailers, in message order, without repeats.
fn coauthors(message: &BStr, identities: &mut Identities<'_>) -> Vec<String> {
    // Parsing trailers is the dearest part of decoding a commit; most messages have none.
    if !message.to_ascii_lowercase().contains_str("co-authored-by") {
        return Vec::new();
    }
    let Some(body) = gix::objs::commit::MessageRef::from_bytes(message).body() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for trailer in body.trailers() {
        if !trailer.token.eq_ignore_ascii_case(b"co-authored-by") {
            continue;
        }
        let value = trailer.value.as_ref();
        let (name, email) = match (value.find_byte(b'<'), value.rfind_byte(b'>')) {
            (Some(open), Some(close)) if open < close => (&value[..open], &value[open + 1..close]),
            _ => (value, b"".as_bstr()),
        };
        let (name, _) = identities.canonical(name.trim().as_bstr(), email.trim().as_bstr());
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
