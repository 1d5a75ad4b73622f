//! The binary encoding of everything Concord stores on disk (Raft log
//! entries, votes, state-machine records, snapshots) and of the peer RPC
//! bodies: postcard, behind a one-byte format tag so that a future format
//! can be told apart from this one.
//!
//! Tag 1 was bincode 1 (unmaintained, RUSTSEC-2025-0141); this build writes
//! and reads tag 2 (postcard) only. A data directory written with tag 1 is
//! refused at open time with a message naming its format version (see
//! `store::FORMAT_VERSION`), never half-read.

use std::io;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The bincode format of builds before 0.2 (recognised, never decoded).
pub const TAG_BINCODE: u8 = 1;
/// postcard 1.x.
pub const TAG_POSTCARD: u8 = 2;

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Encodes `value` as the tag byte followed by its postcard bytes.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    postcard::to_extend(value, vec![TAG_POSTCARD]).map_err(invalid)
}

/// Decodes what [`encode`] wrote. Trailing bytes are an error: a record is
/// exactly one value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> io::Result<T> {
    match bytes.split_first() {
        Some((&TAG_POSTCARD, rest)) => {
            let (value, left) = postcard::take_from_bytes(rest).map_err(invalid)?;
            if !left.is_empty() {
                return Err(invalid(format!("{} trailing bytes after a record", left.len())));
            }
            Ok(value)
        }
        Some((&TAG_BINCODE, _)) => Err(invalid(
            "record written in format 1 (bincode) by an older build; this build reads format 2 (postcard)",
        )),
        Some((tag, _)) => Err(invalid(format!("unknown record format tag {tag}"))),
        None => Err(invalid("empty record")),
    }
}

/// Decodes the first fields of what [`encode`] wrote, as `T` (a struct
/// whose fields are the record's first fields, in order), ignoring the
/// rest: to look at a record's head without decoding its values.
pub fn decode_head<T: DeserializeOwned>(bytes: &[u8]) -> io::Result<T> {
    match bytes.split_first() {
        Some((&TAG_POSTCARD, rest)) => postcard::take_from_bytes(rest).map(|(v, _)| v).map_err(invalid),
        _ => decode(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_tags() {
        let v: (u64, Option<String>, Vec<u8>) = (u64::MAX, Some("k".into()), vec![0, 255]);
        let bytes = encode(&v).unwrap();
        assert_eq!(bytes[0], TAG_POSTCARD);
        assert_eq!(decode::<(u64, Option<String>, Vec<u8>)>(&bytes).unwrap(), v);

        let mut old = bytes.clone();
        old[0] = TAG_BINCODE;
        let err = decode::<(u64, Option<String>, Vec<u8>)>(&old).unwrap_err();
        assert!(err.to_string().contains("bincode"), "{err}");
        assert!(decode::<u64>(&[]).is_err());
        assert!(decode::<u64>(&[9, 1]).is_err());
        let mut long = encode(&7u64).unwrap();
        long.push(0);
        assert!(decode::<u64>(&long).is_err(), "trailing bytes must be refused");
    }
}
