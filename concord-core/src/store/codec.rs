//! Encoding of what Concord stores: bincode with a one-byte format tag in
//! front, so a future format can be told apart from this one.

use std::io;

use serde::de::DeserializeOwned;
use serde::Serialize;

const TAG_V1: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    let mut out = vec![TAG_V1];
    bincode::serialize_into(&mut out, value).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> io::Result<T> {
    match bytes.split_first() {
        Some((&TAG_V1, rest)) => bincode::deserialize(rest).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Some((tag, _)) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unknown record format tag {tag}"),
        )),
        None => Err(io::Error::new(io::ErrorKind::InvalidData, "empty record")),
    }
}

pub fn index_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

pub fn index_from_key(key: &[u8]) -> io::Result<u64> {
    let bytes: [u8; 8] = key
        .try_into()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "log key is not 8 bytes"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// fjall's errors as `io::Error`, which is what openraft's storage traits take.
pub fn fj(e: fjall::Error) -> io::Error {
    io::Error::other(e)
}
