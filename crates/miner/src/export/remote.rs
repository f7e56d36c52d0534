//! An export read from an object store (`--tables s3://bucket/exports`), with the `object-store`
//! feature. Each store is configured from the environment as its own tools are: `AWS_*`,
//! `GOOGLE_*` and `AZURE_*` variables (docs/scale.md lists the common ones).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};

use super::STATE_DIR;
use super::read::ExportFiles;

/// The environment variables handed to the stores' configuration. Only prefixed ones: the
/// stores also accept bare keys (`token`, `region`), which unrelated variables could set.
const SETTING_PREFIXES: [&str; 3] = ["AWS_", "GOOGLE_", "AZURE_"];
/// Requests in flight while prefetching: the files are small and many, so latency, not
/// bandwidth, bounds a read of hundreds of repositories.
const IN_FLIGHT: usize = 16;

type Fetched = Result<Vec<u8>, String>;

/// An export below a URL, read through one store client on a single-threaded runtime.
pub(super) struct Remote {
    url: String,
    store: Arc<dyn ObjectStore>,
    root: StorePath,
    runtime: tokio::runtime::Runtime,
    /// Files fetched ahead, until read.
    fetched: RefCell<HashMap<String, Fetched>>,
}

impl Remote {
    /// The store that `url` names, configured from the environment; an error says why it cannot be.
    pub(super) fn open(url: &str) -> Result<Remote, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("is not a URL: {e}"))?;
        let settings =
            std::env::vars().filter(|(key, _)| SETTING_PREFIXES.iter().any(|p| key.starts_with(p)));
        let (store, root) = object_store::parse_url_opts(&parsed, settings)
            .map_err(|e| format!("cannot be opened as an object store: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot be read: no network runtime ({e})"))?;
        Ok(Remote {
            url: url.trim_end_matches('/').to_owned(),
            store: Arc::from(store),
            root,
            runtime,
            fetched: RefCell::default(),
        })
    }

    fn path(&self, relative: &str) -> StorePath {
        relative.split('/').fold(self.root.clone(), StorePath::join)
    }
}

impl ExportFiles for Remote {
    fn state_files(&self) -> Result<Vec<String>, String> {
        let folder = self.path(STATE_DIR);
        let listed = self
            .runtime
            .block_on(self.store.list_with_delimiter(Some(&folder)))
            .map_err(|e| e.to_string())?;
        Ok(listed
            .objects
            .iter()
            .filter_map(|object| object.location.filename().map(str::to_owned))
            .collect())
    }

    fn read(&self, relative: &str) -> Result<Vec<u8>, String> {
        if let Some(fetched) = self.fetched.borrow_mut().remove(relative) {
            return fetched;
        }
        self.runtime
            .block_on(get(Arc::clone(&self.store), self.path(relative)))
    }

    fn prefetch(&self, relatives: &[String]) {
        let fetched = self.runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            let mut fetched = Vec::with_capacity(relatives.len());
            for relative in relatives {
                if tasks.len() == IN_FLIGHT {
                    fetched.extend(tasks.join_next().await);
                }
                let (store, path) = (Arc::clone(&self.store), self.path(relative));
                let relative = relative.clone();
                tasks.spawn(async move { (relative, get(store, path).await) });
            }
            fetched.extend(tasks.join_all().await.into_iter().map(Ok));
            fetched
        });
        // A task that failed to run leaves its file to be fetched again when read.
        self.fetched
            .borrow_mut()
            .extend(fetched.into_iter().filter_map(Result::ok));
    }

    fn locate(&self, relative: &str) -> PathBuf {
        if relative.is_empty() {
            PathBuf::from(&self.url)
        } else {
            PathBuf::from(format!("{}/{relative}", self.url))
        }
    }
}

async fn get(store: Arc<dyn ObjectStore>, path: StorePath) -> Fetched {
    let got = async { store.get(&path).await?.bytes().await }.await;
    got.map(|bytes| bytes.to_vec()).map_err(|e| e.to_string())
}
