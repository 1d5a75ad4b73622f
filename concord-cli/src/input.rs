//! Reading what a request will carry (a value, a transaction, import lines)
//! from stdin or a file, bounded so that a runaway pipe cannot fill memory.
//! Nothing here touches the network.

use std::io::{BufRead, Read};

use bytes::Bytes;

use crate::error::CliError;

/// The most bytes of input one request may carry: the largest
/// `--max-value-size` or `--max-request-size` any node accepts (64 MiB,
/// [`concord_node::config::MAX_SIZE_LIMIT`]). More could never be
/// written, so it is refused before anything is sent, with exit 1.
pub const MAX_INPUT_BYTES: usize = concord_node::config::MAX_SIZE_LIMIT;

/// Reads all of `reader` (named `what` in errors) into one buffer, refusing
/// more than `limit` bytes.
pub fn read_capped(reader: impl Read, limit: usize, what: &str) -> Result<Bytes, CliError> {
    let mut buf = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::other(format!("reading {what}: {e}")))?;
    if buf.len() > limit {
        return Err(too_large(what, limit));
    }
    Ok(Bytes::from(buf))
}

/// Reads stdin whole, at most [`MAX_INPUT_BYTES`].
pub fn read_stdin(what: &str) -> Result<Bytes, CliError> {
    read_capped(std::io::stdin().lock(), MAX_INPUT_BYTES, what)
}

/// Reads one line (with its `\n`, if any) into `buf`, refusing a line
/// longer than `limit` bytes. Returns false at the end of the input.
pub fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
    what: &str,
) -> Result<bool, CliError> {
    buf.clear();
    let n = reader
        .take(limit as u64 + 1)
        .read_until(b'\n', buf)
        .map_err(|e| CliError::other(format!("reading {what}: {e}")))?;
    let content = buf.strip_suffix(b"\n").unwrap_or(buf).len();
    if content > limit {
        return Err(too_large(what, limit));
    }
    Ok(n > 0)
}

fn too_large(what: &str, limit: usize) -> CliError {
    CliError::other(format!(
        "{what} is larger than {limit} bytes ({} MiB), the most a node accepts; nothing was sent",
        limit / (1024 * 1024)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_up_to_the_limit_is_read_and_more_is_refused() {
        assert_eq!(read_capped(&b"12345"[..], 5, "the value").unwrap(), &b"12345"[..]);
        assert_eq!(read_capped(&b""[..], 5, "the value").unwrap(), &b""[..]);
        let err = read_capped(&b"123456"[..], 5, "the value").unwrap_err();
        assert_eq!(err.kind.code(), 1);
        assert!(
            err.message.contains("the value is larger than 5 bytes"),
            "{}",
            err.message
        );
    }

    #[test]
    fn lines_longer_than_the_limit_are_refused() {
        let mut input = &b"abc\nabcdef\nxyz"[..];
        let mut line = Vec::new();
        assert!(read_line_capped(&mut input, &mut line, 5, "line").unwrap());
        assert_eq!(line, b"abc\n");
        assert!(read_line_capped(&mut input, &mut line, 5, "line 2").is_err());

        let mut input = &b"abcde\nxyz"[..];
        assert!(read_line_capped(&mut input, &mut line, 5, "line").unwrap());
        assert_eq!(line, b"abcde\n");
        assert!(read_line_capped(&mut input, &mut line, 5, "line").unwrap());
        assert_eq!(line, b"xyz");
        assert!(!read_line_capped(&mut input, &mut line, 5, "line").unwrap());
        assert!(line.is_empty());
    }
}
