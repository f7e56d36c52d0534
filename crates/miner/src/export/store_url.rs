//! Telling which object store an export's URL names, in every build: a build without the
//! `object-store` feature still says precisely why it cannot read a URL.

use std::path::Path;

/// The stores an export can be read from (docs/scale.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Store {
    /// `file:///path`: a local folder.
    Local,
    /// Amazon S3 and S3-compatible stores.
    S3,
    /// Google Cloud Storage.
    Gcs,
    /// Azure Blob Storage and Data Lake.
    Azure,
}

/// Schemes of the stores, for the hint on a path that misses the `//` of a URL.
const STORE_SCHEMES: [&str; 9] = [
    "s3", "s3a", "gs", "az", "adl", "azure", "abfs", "abfss", "file",
];

/// Whether `location` is a URL (`s3://bucket/exports`, `file:///srv/exports`) rather than a path:
/// a scheme of letters, digits, `+`, `-` or `.` followed by `://`.
pub fn is_url(location: &Path) -> bool {
    let Some(text) = location.to_str() else {
        return false;
    };
    text.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// For a path that is not there but reads like a store URL without its `//` (`s3:bucket/x`),
/// the URL meant.
pub(super) fn url_meant(location: &Path) -> Option<String> {
    let (scheme, rest) = location.to_str()?.split_once(':')?;
    let scheme_lower = scheme.to_ascii_lowercase();
    let path = rest.trim_start_matches('/');
    // A file URL's path is absolute: three slashes.
    let slashes = if scheme_lower == "file" { "///" } else { "//" };
    STORE_SCHEMES
        .contains(&scheme_lower.as_str())
        .then(|| format!("{scheme}:{slashes}{path}"))
}

/// The store `location` names and the URL to open it with (trailing slashes dropped), or why it
/// names none: credentials, a query or an empty segment in it, no bucket, a scheme or host that
/// is no object store (a web server cannot list a folder).
pub(super) fn store_of(location: &str) -> Result<(url::Url, Store), String> {
    let mut url = url::Url::parse(location).map_err(|e| format!("is not a URL: {e}"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("has a query or a fragment (`?…`, `#…`): give the export's prefix only; credentials go in the store's variables (docs/scale.md)".into());
    }
    let path = url.path().trim_end_matches('/').to_owned();
    if path.contains("//") {
        return Err("has an empty path segment (`//`)".into());
    }
    url.set_path(&path);
    let host = url.host_str().unwrap_or_default().to_owned();
    let store = match url.scheme() {
        "file" if host.is_empty() || host == "localhost" => Store::Local,
        "file" => {
            return Err(format!(
                "names the host `{host}`: a file URL holds an absolute path after three slashes (`file:///{host}{path}`)"
            ));
        }
        "s3" | "s3a" => Store::S3,
        "gs" => Store::Gcs,
        "az" | "adl" | "azure" | "abfs" | "abfss" => Store::Azure,
        "https"
            if host.ends_with(".amazonaws.com") || host.ends_with(".r2.cloudflarestorage.com") =>
        {
            Store::S3
        }
        "https"
            if [
                ".dfs.core.windows.net",
                ".blob.core.windows.net",
                ".dfs.fabric.microsoft.com",
                ".blob.fabric.microsoft.com",
            ]
            .iter()
            .any(|suffix| host.ends_with(suffix)) =>
        {
            Store::Azure
        }
        "http" | "https" => {
            return Err("is a web address, not an object store: a web server cannot list the export's files; give the bucket's URL (`s3://`, `gs://`, `az://`) or copy the export to a folder".into());
        }
        other => {
            return Err(format!(
                "has the scheme `{other}:`, which names no store cochange reads (`s3://`, `gs://`, `az://`, `abfss://`, `file:///`)"
            ));
        }
    };
    // Azure's `abfss://container@account.…` names its container where other URLs hold a user.
    let user_allowed = store == Store::Azure && url.password().is_none();
    if (!url.username().is_empty() || url.password().is_some()) && !user_allowed {
        return Err("holds credentials: give them in the store's variables (`AWS_SECRET_ACCESS_KEY`, …; docs/scale.md), never in the URL, which cochange prints in its outputs".into());
    }
    if store != Store::Local && host.is_empty() {
        return Err("names no bucket or container (`s3://BUCKET/prefix`)".into());
    }
    Ok((url, store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "s3://bucket/exports",
            "gs://b/x",
            "az://c/x",
            "abfss://c@a.dfs.core.windows.net/x",
            "https://example.com/exports",
            "file:///srv/exports",
            "s4://typo",
        ] {
            assert!(is_url(Path::new(url)), "{url}");
        }
        for path in [
            "exports",
            "/srv/exports",
            "./s3:/x",
            "dir/s3://x",
            "://x",
            "1s3://x",
            "C:\\x",
        ] {
            assert!(!is_url(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn stores_are_named_by_scheme_and_host() {
        let store = |url: &str| store_of(url).map(|(_, store)| store);
        assert_eq!(store("s3://b/x/"), Ok(Store::S3));
        assert_eq!(store("S3A://b/x"), Ok(Store::S3));
        assert_eq!(
            store("https://s3.us-east-1.amazonaws.com/b/x"),
            Ok(Store::S3)
        );
        assert_eq!(store("gs://b/x"), Ok(Store::Gcs));
        assert_eq!(
            store("abfss://c@acct.dfs.core.windows.net/x"),
            Ok(Store::Azure)
        );
        assert_eq!(store("file:///srv/x"), Ok(Store::Local));
        assert_eq!(store("file://localhost/srv/x"), Ok(Store::Local));
        assert_eq!(
            store_of("s3://b/x///").map(|(url, _)| url.to_string()),
            Ok("s3://b/x".to_owned())
        );
        for (bad, why) in [
            ("s4://b/x", "scheme `s4:`"),
            ("https://example.com/x", "web address"),
            ("http://127.0.0.1:9000/x", "web address"),
            ("memory:///x", "scheme `memory:`"),
            ("s3://KEY:SECRET@b/x", "holds credentials"),
            ("s3://KEY@b/x", "holds credentials"),
            (
                "abfss://c:SECRET@acct.dfs.core.windows.net/x",
                "holds credentials",
            ),
            ("s3://b/x?X-Amz-Signature=1", "query"),
            ("s3:///x", "no bucket"),
            ("s3://b/x//y", "empty path segment"),
            ("file://tmp/x", "file:///tmp/x"),
        ] {
            let reason = store(bad).expect_err(bad);
            assert!(reason.contains(why), "{bad}: {reason}");
        }
    }

    #[test]
    fn a_store_url_without_its_slashes_is_recognised() {
        assert_eq!(
            url_meant(Path::new("s3:/bucket/x")).as_deref(),
            Some("s3://bucket/x")
        );
        assert_eq!(
            url_meant(Path::new("s3:bucket")).as_deref(),
            Some("s3://bucket")
        );
        assert_eq!(
            url_meant(Path::new("file:/srv/x")).as_deref(),
            Some("file:///srv/x")
        );
        assert_eq!(url_meant(Path::new("notes:x")), None);
        assert_eq!(url_meant(Path::new("exports")), None);
    }
}
