//! An export read from an object store (`--tables s3://bucket/exports`), with the `object-store`
//! feature. Each store is configured by its own variables (`AWS_*`, `GOOGLE_*`, `AZURE_*`; only
//! those, since the stores also take bare keys such as `token` that unrelated variables could
//! set) and its client's defaults (docs/scale.md lists the common ones).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, ObjectStoreScheme, RetryConfig};

use super::STATE_DIR;
use super::read::{ExportFiles, Unfetched};
use super::store_url::Store;

/// Requests in flight while prefetching a repository's files: they are small and many, so
/// latency, not bandwidth, bounds the read.
const IN_FLIGHT: usize = 16;

type Fetched = Result<Vec<u8>, String>;

/// An export below a URL, read through one store client on a single-threaded runtime.
pub(super) struct Remote {
    url: String,
    kind: Store,
    store: Arc<dyn ObjectStore>,
    root: StorePath,
    runtime: tokio::runtime::Runtime,
    /// Files fetched ahead, until read.
    fetched: RefCell<HashMap<String, Vec<u8>>>,
}

impl Remote {
    /// The store `url` names (`text` as given), configured from the environment; an error says
    /// why it cannot be.
    pub(super) fn open(text: &str, url: &url::Url, kind: Store) -> Result<Remote, String> {
        let (_, root) = ObjectStoreScheme::parse(url).map_err(|e| e.to_string())?;
        if kind == Store::S3 && plain_http_refused() {
            return Err("is to be read through the plain-HTTP endpoint in `AWS_ENDPOINT_URL`: set `AWS_ALLOW_HTTP=true` to allow it".into());
        }
        let store = build(url, kind)
            .map_err(|e| format!("cannot be opened: {}{}", readable(&e), configured_by(kind)))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot be read: no network runtime ({e})"))?;
        Ok(Remote {
            url: text.trim_end_matches('/').to_owned(),
            kind,
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

/// The client of the store `kind`, for `url`. A store that does not answer fails after about 30
/// seconds (the client's request timeout; retries only start within the first 30 seconds), not
/// the library's default of three minutes; the variables can change the timeouts (docs/scale.md).
fn build(url: &url::Url, kind: Store) -> object_store::Result<Box<dyn ObjectStore>> {
    let retry = RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
        ..RetryConfig::default()
    };
    // The variables of one store, as its builder's keys (lower case, as `from_env` reads them);
    // variables that are not UTF-8 are no store's.
    let settings = |prefix: &'static str| {
        std::env::vars_os()
            .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
            .filter(move |(key, _)| key.starts_with(prefix))
            .map(|(key, value)| (key.to_ascii_lowercase(), value))
    };
    macro_rules! configured {
        ($builder:expr, $prefix:literal) => {{
            let builder = $builder.with_retry(retry).with_url(url.as_str());
            let builder =
                settings($prefix).fold(builder, |builder, (key, value)| match key.parse() {
                    Ok(key) => builder.with_config(key, value),
                    Err(_) => builder,
                });
            Box::new(builder.build()?) as Box<dyn ObjectStore>
        }};
    }
    Ok(match kind {
        Store::Local => Box::new(LocalFileSystem::new()),
        Store::S3 => configured!(AmazonS3Builder::new(), "AWS_"),
        Store::Gcs => configured!(GoogleCloudStorageBuilder::new(), "GOOGLE_"),
        Store::Azure => configured!(MicrosoftAzureBuilder::new(), "AZURE_"),
    })
}

/// Whether `AWS_ENDPOINT_URL` is plain HTTP without `AWS_ALLOW_HTTP=true`, which the client
/// refuses with only "builder error".
fn plain_http_refused() -> bool {
    let plain = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .any(|endpoint| endpoint.to_ascii_lowercase().starts_with("http://"));
    // The values the client takes for true.
    let allowed = std::env::var("AWS_ALLOW_HTTP").is_ok_and(|value| {
        ["true", "1", "yes", "on", "y"]
            .iter()
            .any(|truth| value.eq_ignore_ascii_case(truth))
    });
    plain && !allowed
}

/// Where the settings of the store `kind` come from, for messages when it cannot be reached.
fn configured_by(kind: Store) -> &'static str {
    match kind {
        Store::Local => "",
        Store::S3 if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() => {
            " (no `AWS_ACCESS_KEY_ID` is set, so the machine's role was asked; `~/.aws/credentials` and `AWS_PROFILE` are not read: export the keys, e.g. `eval \"$(aws configure export-credentials --format env)\"`; docs/scale.md)"
        }
        Store::S3 => {
            " (S3 is configured by `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` and `AWS_ENDPOINT_URL`, with `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint: docs/scale.md)"
        }
        Store::Gcs => {
            " (Google Cloud Storage is configured by `GOOGLE_SERVICE_ACCOUNT` or `GOOGLE_APPLICATION_CREDENTIALS`, else gcloud's application-default credentials or the machine's service account: docs/scale.md)"
        }
        Store::Azure => {
            " (Azure is configured by `AZURE_STORAGE_ACCOUNT_NAME` with `AZURE_STORAGE_ACCOUNT_KEY`, or `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and `AZURE_TENANT_ID`: docs/scale.md)"
        }
    }
}

/// A store's error in a sentence: a missing object plainly, and of a store's XML answer its code
/// and message rather than the whole body.
fn readable(err: &object_store::Error) -> String {
    if let object_store::Error::NotFound { .. } = err {
        return "does not exist in the store".into();
    }
    let text = err.to_string();
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let end = text[start..].find(close)? + start;
        Some(text[start..end].to_owned())
    };
    match (
        between("<Code>", "</Code>"),
        between("<Message>", "</Message>"),
    ) {
        (Some(code), Some(message)) => format!("the store answered {code}: {message}"),
        (Some(code), None) => format!("the store answered {code}"),
        _ => text,
    }
}

impl ExportFiles for Remote {
    fn state_files(&self) -> Result<Vec<String>, String> {
        let folder = self.path(STATE_DIR);
        let listed = self
            .runtime
            .block_on(self.store.list_with_delimiter(Some(&folder)))
            .map_err(|e| format!("{}{}", readable(&e), configured_by(self.kind)))?;
        Ok(listed
            .objects
            .iter()
            .filter_map(|object| object.location.filename().map(str::to_owned))
            .collect())
    }

    fn read(&self, relative: &str) -> Result<Vec<u8>, String> {
        if let Some(fetched) = self.fetched.borrow_mut().remove(relative) {
            return Ok(fetched);
        }
        self.runtime
            .block_on(get(Arc::clone(&self.store), self.path(relative)))
    }

    fn prefetch(&self, relatives: &[String]) -> Result<(), Unfetched> {
        self.runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            let mut pending = relatives.iter();
            loop {
                while tasks.len() < IN_FLIGHT {
                    let Some(relative) = pending.next() else {
                        break;
                    };
                    let (store, path) = (Arc::clone(&self.store), self.path(relative));
                    let relative = relative.clone();
                    tasks.spawn(async move { (relative, get(store, path).await) });
                }
                // A task that failed to run leaves its file to be fetched again when read.
                let Some(done) = tasks.join_next().await else {
                    return Ok(());
                };
                match done {
                    Ok((relative, Err(reason))) => {
                        // One unreadable file fails the read: the others need not wait it out.
                        tasks.abort_all();
                        return Err(Unfetched { relative, reason });
                    }
                    Ok((relative, Ok(bytes))) => {
                        self.fetched.borrow_mut().insert(relative, bytes);
                    }
                    Err(_) => {}
                }
            }
        })
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
    got.map(|bytes| bytes.to_vec()).map_err(|e| readable(&e))
}
