//! Turning git's path bytes into the `str` the tables hold, losslessly.

use std::fmt::Write as _;

/// Escapes a repository path for the tables.
///
/// Valid UTF-8 is kept as it is, except that `\` becomes `\\`; each byte that is not part of
/// valid UTF-8 becomes `\xNN`. The mapping is reversible (see [`unescape_path`]), so non-UTF-8
/// paths survive the tables and the cache unchanged. Backslashes in git paths are rare, but
/// escaping them always is what keeps the mapping one-to-one.
pub fn escape_path(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

/// Reverses [`escape_path`]; returns `None` for text that `escape_path` cannot have produced.
pub fn unescape_path(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first != b'\\' {
            out.push(first);
            rest = tail;
            continue;
        }
        match tail {
            [b'\\', tail @ ..] => {
                out.push(b'\\');
                rest = tail;
            }
            [b'x', hi, lo, tail @ ..] => {
                let hex = std::str::from_utf8(&[*hi, *lo]).ok()?.to_owned();
                out.push(u8::from_str_radix(&hex, 16).ok()?);
                rest = tail;
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{escape_path, unescape_path};

    #[test]
    fn utf8_paths_are_kept() {
        assert_eq!(
            escape_path("src/caf\u{e9}.rs".as_bytes()),
            "src/caf\u{e9}.rs"
        );
    }

    #[test]
    fn invalid_bytes_and_backslashes_are_escaped_reversibly() {
        let raw = b"dir/na\xefve\\name";
        let escaped = escape_path(raw);
        assert_eq!(escaped, "dir/na\\xefve\\\\name");
        assert_eq!(unescape_path(&escaped).as_deref(), Some(&raw[..]));
    }
}
