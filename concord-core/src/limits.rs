//! Limits on user input, shared by the node (which enforces them) and the CLI
//! (which documents them). Changing one is a compatibility change: note it in
//! CHANGELOG.md.

/// Longest key accepted, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 4096;

/// Default largest value accepted, in bytes (`--max-value-size`).
pub const DEFAULT_MAX_VALUE_BYTES: usize = 1024 * 1024;

/// Largest node id: ids are 1 to 2^63-1, so that arithmetic on them (the
/// next free id is the largest used plus one) can never wrap.
pub const MAX_NODE_ID: u64 = i64::MAX as u64;

/// Default number of request ids remembered for deduplication
/// (`--request-id-max-entries`).
pub const DEFAULT_REQUEST_ID_ENTRIES: u64 = 100_000;

/// Default bytes of remembered request outcomes (`--request-id-max-bytes`).
pub const DEFAULT_REQUEST_ID_BYTES: u64 = 64 * 1024 * 1024;

/// A remembered outcome larger than this, encoded, is kept in short form
/// (revision and success only): see `CommandResponse::AlreadyApplied`.
pub const MAX_REMEMBERED_RESPONSE_BYTES: usize = 4096;

/// A list page stops once the values it holds pass this many bytes (it
/// always holds at least one item), so a page of large values stays
/// bounded in memory; `more` and `next` lead to the rest.
pub const MAX_LIST_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Most keys one `delete_prefix` may delete: they are deleted in one
/// entry, on every replica, so the count is bounded. More is refused; delete
/// narrower prefixes.
pub const MAX_DELETE_PREFIX_KEYS: usize = 100_000;

/// Checks a node id from a request or a flag.
pub fn validate_node_id(id: u64) -> Result<(), String> {
    if id == 0 || id > MAX_NODE_ID {
        return Err(format!("node id {id} is out of range: ids are 1 to {MAX_NODE_ID}"));
    }
    Ok(())
}

/// A member URL (client or peer) as stored: `http://` or `https://` and a
/// host, no whitespace, without trailing slashes. The one check the node (adding a
/// member) and `node start` (`--initial-cluster`) share.
pub fn normalize_http_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let ok = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace));
    if ok {
        Ok(trimmed.to_string())
    } else {
        Err(format!("{url:?} is not an http:// or https:// URL"))
    }
}

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key must not be empty")]
    Empty,
    #[error("key is {0} bytes long; the limit is {MAX_KEY_BYTES} bytes")]
    TooLong(usize),
    #[error("key must not contain control characters")]
    ControlCharacter,
    /// URL libraries rewrite these (`a/../b` becomes `b`, `\\` becomes
    /// `/`), so a key holding them would not mean the same on every path.
    #[error("key must not contain `.` or `..` segments or backslashes")]
    DotSegment,
}

/// Checks a key against the documented rules: non-empty UTF-8 (guaranteed by
/// the `&str`), at most [`MAX_KEY_BYTES`] bytes, no ASCII control characters,
/// no backslash, and no `.` or `..` segment between slashes (`a.b/c..d` is
/// fine; `a/./b`, `../x` and `a/..` are not).
pub fn validate_key(key: &str) -> Result<(), KeyError> {
    if key.is_empty() {
        return Err(KeyError::Empty);
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(KeyError::TooLong(key.len()));
    }
    if key.chars().any(|c| c.is_ascii_control()) {
        return Err(KeyError::ControlCharacter);
    }
    if key.contains('\\') || key.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(KeyError::DotSegment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(validate_key(""), Err(KeyError::Empty));
        assert_eq!(validate_key("a/b/c"), Ok(()));
        assert_eq!(validate_key("ключ"), Ok(()));
        assert_eq!(validate_key(&"k".repeat(MAX_KEY_BYTES)), Ok(()));
        assert_eq!(
            validate_key(&"k".repeat(MAX_KEY_BYTES + 1)),
            Err(KeyError::TooLong(MAX_KEY_BYTES + 1))
        );
        assert_eq!(validate_key("a\nb"), Err(KeyError::ControlCharacter));
        for bad in [
            "..",
            ".",
            "../cluster/members/3",
            "a/../b",
            "a/./b",
            "a/..",
            "./a",
            "a\\b",
            "\\",
        ] {
            assert_eq!(validate_key(bad), Err(KeyError::DotSegment), "{bad:?}");
        }
        for good in ["a.b/c..d/.e", "...", "a/.../b", ".hidden", "a//b", "/a"] {
            assert_eq!(validate_key(good), Ok(()), "{good:?}");
        }
    }
}
