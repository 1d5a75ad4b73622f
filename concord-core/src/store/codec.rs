//! Keys of the stores; values go through [`crate::codec`].

use std::io;

pub use crate::codec::{decode, encode};

pub fn index_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

pub fn index_from_key(key: &[u8]) -> io::Result<u64> {
    let bytes: [u8; 8] = key
        .try_into()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "log key is not 8 bytes"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// A stored value, or `T::default()` where none is stored (an
/// `Option<_>` reads as `None`).
pub fn decode_or_default<T: serde::de::DeserializeOwned + Default>(stored: Option<impl AsRef<[u8]>>) -> io::Result<T> {
    stored.map_or_else(|| Ok(T::default()), |bytes| decode(bytes.as_ref()))
}

/// fjall's errors as `io::Error`, which is what openraft's storage traits take.
pub fn fj(e: fjall::Error) -> io::Error {
    io::Error::other(e)
}
