//! The tags of a repository, read directly from its references (no walk): what `delivery` takes
//! releases from (docs/delivery.md).

use std::path::Path;

use crate::Error;
use crate::repo::{absolute, open};

/// One tag and the commit it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Its name without `refs/tags/`.
    pub name: String,
    /// The commit it peels to (40 hex digits).
    pub commit: String,
    /// Whether it is an annotated tag (a tag object) rather than a lightweight one.
    pub annotated: bool,
    /// The tagger's time of an annotated tag, else the commit's committer time (unix seconds).
    pub time: i64,
}

/// Every tag of the repository at or above `path` that peels to a commit, sorted by name. Tags
/// of trees or blobs are left out.
pub fn tags(path: &Path) -> Result<Vec<Tag>, Error> {
    let repo = open(path)?;
    let error = |err: Box<dyn std::error::Error + Send + Sync>| Error::Repository {
        path: absolute(repo.git_dir()),
        source: err,
    };
    let platform = repo.references().map_err(|e| error(Box::new(e)))?;
    let mut found = Vec::new();
    for reference in platform.tags().map_err(|e| error(Box::new(e)))? {
        let mut reference = reference.map_err(|e| error(Box::new(e)))?;
        let name = reference.name().shorten().to_string();
        let Some(direct) = reference.target().try_id().map(ToOwned::to_owned) else {
            continue;
        };
        let object = repo
            .find_object(direct)
            .map_err(|e| Error::object("tag", direct, e))?;
        let annotated = object.kind == gix::object::Kind::Tag;
        let tagger_time = match object.kind {
            gix::object::Kind::Tag => {
                let tag = object.into_tag();
                let decoded = tag.decode().map_err(|e| Error::object("tag", direct, e))?;
                decoded
                    .tagger()
                    .ok()
                    .flatten()
                    .and_then(|s| s.time().ok())
                    .map(|t| t.seconds)
            }
            _ => None,
        };
        let target = reference
            .peel_to_id()
            .map_err(|e| Error::object("tag", direct, e))?
            .detach();
        // A tag of a tree or a blob names no release.
        let Ok(commit) = repo.find_commit(target) else {
            continue;
        };
        let time = match tagger_time {
            Some(time) => time,
            None => {
                commit
                    .committer()
                    .map_err(|e| Error::object("commit", commit.id, e))?
                    .time()
                    .map_err(|e| Error::object("commit", commit.id, e))?
                    .seconds
            }
        };
        found.push(Tag {
            name,
            commit: commit.id.to_string(),
            annotated,
            time,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}
