//! What git decides from a blob's bytes alone: whether it is binary, and how many lines it has.

/// git reads the first 8000 bytes to decide whether content is binary (`buffer_is_binary`).
const BINARY_SNIFF_BYTES: usize = 8000;
/// git treats larger blobs as binary without looking (`core.bigFileThreshold`).
const BIG_FILE_THRESHOLD: usize = 512 * 1024 * 1024;

/// git's binary test: a NUL in the first 8000 bytes, or a blob too large to look at.
pub(crate) fn is_binary(data: &[u8]) -> bool {
    data.len() > BIG_FILE_THRESHOLD || data[..data.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

#[expect(
    clippy::naive_bytecount,
    reason = "the compiler vectorises this; a crate for it is not worth a dependency"
)]
pub(crate) fn count_lines(data: &[u8]) -> u32 {
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    let unterminated = usize::from(data.last().is_some_and(|&b| b != b'\n'));
    (newlines + unterminated) as u32
}

#[cfg(test)]
mod tests {
    use super::{count_lines, is_binary};

    #[test]
    fn lines_are_counted_like_git() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b"a\nb"), 2);
    }

    #[test]
    fn binary_means_a_nul_in_the_first_8000_bytes() {
        assert!(is_binary(b"a\0b"));
        let mut late = vec![b'a'; 8000];
        late.push(0);
        assert!(!is_binary(&late));
    }
}
