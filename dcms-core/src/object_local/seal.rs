//! The sealed object format: AES-256-GCM under a data key of the object's
//! own, that data key wrapped (AES-256-GCM again) by a master key.
//!
//! ```text
//! magic    8  89 'D' 'C' 'M' 'S' 0D 0A 1A   (binary, and breaks if line ends are rewritten)
//! version  1  01
//! length   2  big-endian length of the header fields that follow
//! key id   8  id of the master key that wrapped the data key
//! wrap iv 12  nonce of the wrap
//! wrapped 48  the data key (32) sealed under the master key, with its tag (16)
//! body iv 12  nonce of the body
//! type     …  the content type, UTF-8 (the rest of the header)
//! body     …  the object sealed under the data key, then its tag (16)
//! ```
//!
//! What each seal is bound to (its associated data, every part length-prefixed):
//! - the wrap: a format label, the **object key**, the content type and the
//!   key id. A file moved to another key, or a header edited, no longer
//!   unwraps; `head` checks this, so it never reports an altered header;
//! - the body: a format label, the object key and the content type.
//!
//! A data key seals exactly one body, so the random body nonce can never
//! repeat under it. Rotating the master key rewrites the wrap fields only;
//! the body bytes stay as they are.
//!
//! A file is taken as sealed when it starts with the magic; a plaintext
//! object written before encryption that happened to start with those 8
//! bytes (a sealed file stored as an object, say) fails to open rather than
//! being served unchecked.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

use super::keys::{MasterKey, MasterKeys, KEY_ID_LEN};
use crate::error::{Error, Result};

/// First bytes of every sealed file (PNG's trick: binary and line-end sensitive).
pub(crate) const MAGIC: [u8; 8] = [0x89, b'D', b'C', b'M', b'S', 0x0D, 0x0A, 0x1A];
const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const DATA_KEY_LEN: usize = 32;
const WRAPPED_LEN: usize = DATA_KEY_LEN + TAG_LEN;
/// magic, version, length.
pub(crate) const PREFIX_LEN: usize = MAGIC.len() + 1 + 2;
/// The fixed header fields after the prefix.
const FIXED_LEN: usize = KEY_ID_LEN + NONCE_LEN + WRAPPED_LEN + NONCE_LEN;
/// Longest content type a sealed header holds.
pub const MAX_CONTENT_TYPE: usize = 1024;
const WRAP_LABEL: &[u8] = b"dcms-local-wrap-v1";
const BODY_LABEL: &[u8] = b"dcms-local-body-v1";

/// The header of a sealed file.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    key_id: [u8; KEY_ID_LEN],
    wrap_nonce: [u8; NONCE_LEN],
    wrapped: [u8; WRAPPED_LEN],
    body_nonce: [u8; NONCE_LEN],
    pub(crate) content_type: String,
}

impl Header {
    /// Bytes from the start of the file to the start of the body.
    pub(crate) fn len(&self) -> usize {
        PREFIX_LEN + FIXED_LEN + self.content_type.len()
    }

    pub(crate) fn key_id_hex(&self) -> String {
        hex::encode(self.key_id)
    }

    fn encode(&self) -> Vec<u8> {
        let fields = FIXED_LEN + self.content_type.len();
        let mut out = Vec::with_capacity(PREFIX_LEN + fields);
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        // Fits: content types are checked against MAX_CONTENT_TYPE.
        out.extend_from_slice(&u16::try_from(fields).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(&self.key_id);
        out.extend_from_slice(&self.wrap_nonce);
        out.extend_from_slice(&self.wrapped);
        out.extend_from_slice(&self.body_nonce);
        out.extend_from_slice(self.content_type.as_bytes());
        out
    }
}

/// Whether a file's first bytes say it is sealed.
pub(crate) fn is_sealed(start: &[u8]) -> bool {
    start.starts_with(&MAGIC)
}

/// How many header bytes follow the prefix, from the prefix alone.
pub(crate) fn fields_len(key: &str, prefix: &[u8]) -> Result<usize> {
    if prefix.len() < PREFIX_LEN || !is_sealed(prefix) {
        return Err(corrupt(key, "truncated header"));
    }
    if prefix[MAGIC.len()] != VERSION {
        return Err(Error::Storage(format!(
            "object {key:?} is sealed in format version {}, which this version of DCMS cannot read",
            prefix[MAGIC.len()]
        )));
    }
    let fields = usize::from(u16::from_be_bytes([prefix[9], prefix[10]]));
    if !(FIXED_LEN..=FIXED_LEN + MAX_CONTENT_TYPE).contains(&fields) {
        return Err(corrupt(key, "header length out of range"));
    }
    Ok(fields)
}

/// Parses the header at the start of `file` (at least the whole header).
pub(crate) fn parse_header(key: &str, file: &[u8]) -> Result<Header> {
    let fields = fields_len(key, file)?;
    let bytes = file
        .get(PREFIX_LEN..PREFIX_LEN + fields)
        .ok_or_else(|| corrupt(key, "truncated header"))?;
    let (key_id, rest) = bytes.split_at(KEY_ID_LEN);
    let (wrap_nonce, rest) = rest.split_at(NONCE_LEN);
    let (wrapped, rest) = rest.split_at(WRAPPED_LEN);
    let (body_nonce, content_type) = rest.split_at(NONCE_LEN);
    let content_type = std::str::from_utf8(content_type)
        .map_err(|_| corrupt(key, "content type is not UTF-8"))?
        .to_owned();
    Ok(Header {
        key_id: to_array(key, key_id)?,
        wrap_nonce: to_array(key, wrap_nonce)?,
        wrapped: to_array(key, wrapped)?,
        body_nonce: to_array(key, body_nonce)?,
        content_type,
    })
}

/// Seals `plaintext` for `key` under a fresh data key wrapped by the current master key.
pub(crate) fn seal(
    keys: &MasterKeys,
    key: &str,
    content_type: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    if content_type.len() > MAX_CONTENT_TYPE {
        return Err(Error::InvalidInput {
            field: "content type",
            reason: format!("longer than {MAX_CONTENT_TYPE} bytes"),
        });
    }
    let mut data_key = Zeroizing::new([0u8; DATA_KEY_LEN]);
    fill_random(data_key.as_mut())?;
    let mut body_nonce = [0u8; NONCE_LEN];
    fill_random(&mut body_nonce)?;
    let master = keys.current();
    let mut header = Header {
        key_id: master.id(),
        wrap_nonce: [0; NONCE_LEN],
        wrapped: [0; WRAPPED_LEN],
        body_nonce,
        content_type: content_type.to_owned(),
    };
    wrap(master, key, &mut header, &data_key)?;
    let body = cipher(&data_key)?
        .encrypt(
            &Nonce::from(body_nonce),
            Payload {
                msg: plaintext,
                aad: &body_aad(key, content_type),
            },
        )
        .map_err(|_| Error::Storage(format!("could not seal {key:?}")))?;
    let mut out = header.encode();
    out.extend_from_slice(&body);
    Ok(out)
}

/// Opens a sealed `file` stored under `key`: the plaintext and its content type.
pub(crate) fn open(keys: &MasterKeys, key: &str, file: &[u8]) -> Result<(Vec<u8>, String)> {
    let header = parse_header(key, file)?;
    let data_key = unwrap(keys, key, &header)?;
    let body = file
        .get(header.len()..)
        .filter(|b| b.len() >= TAG_LEN)
        .ok_or_else(|| corrupt(key, "truncated body"))?;
    let plaintext = cipher(&data_key)?
        .decrypt(
            &Nonce::from(header.body_nonce),
            Payload {
                msg: body,
                aad: &body_aad(key, &header.content_type),
            },
        )
        .map_err(|_| {
            corrupt(
                key,
                "the body does not match its seal (altered, or moved from another key)",
            )
        })?;
    Ok((plaintext, header.content_type))
}

/// Checks that `header` is authentic for `key` under one of `keys`.
pub(crate) fn check_header(keys: &MasterKeys, key: &str, header: &Header) -> Result<()> {
    unwrap(keys, key, header).map(drop)
}

/// The size of the plaintext in a sealed file of `file_len` bytes.
pub(crate) fn plaintext_len(header: &Header, file_len: u64) -> u64 {
    file_len.saturating_sub((header.len() + TAG_LEN) as u64)
}

/// `file` with its data key re-wrapped under the current master key, or None
/// when it is wrapped by that key already. The body bytes are kept as they are.
pub(crate) fn rewrap(keys: &MasterKeys, key: &str, file: &[u8]) -> Result<Option<Vec<u8>>> {
    let mut header = parse_header(key, file)?;
    if header.key_id == keys.current().id() {
        return Ok(None);
    }
    let data_key = unwrap(keys, key, &header)?;
    let body = file
        .get(header.len()..)
        .ok_or_else(|| corrupt(key, "truncated body"))?;
    header.key_id = keys.current().id();
    wrap(keys.current(), key, &mut header, &data_key)?;
    let mut out = header.encode();
    out.extend_from_slice(body);
    Ok(Some(out))
}

fn wrap(
    master: &MasterKey,
    key: &str,
    header: &mut Header,
    data_key: &[u8; DATA_KEY_LEN],
) -> Result<()> {
    fill_random(&mut header.wrap_nonce)?;
    let wrapped = cipher(master.bytes())?
        .encrypt(
            &Nonce::from(header.wrap_nonce),
            Payload {
                msg: data_key,
                aad: &wrap_aad(key, &header.content_type, &header.key_id),
            },
        )
        .map_err(|_| Error::Storage(format!("could not wrap the data key of {key:?}")))?;
    header.wrapped = to_array(key, &wrapped)?;
    Ok(())
}

fn unwrap(keys: &MasterKeys, key: &str, header: &Header) -> Result<Zeroizing<[u8; DATA_KEY_LEN]>> {
    let master = keys.find(&header.key_id).ok_or_else(|| {
        Error::Storage(format!(
            "object {key:?} is sealed under master key {}, which this store was not given \
             (configure that key, current or previous)",
            header.key_id_hex()
        ))
    })?;
    let data_key = Zeroizing::new(
        cipher(master.bytes())?
            .decrypt(
                &Nonce::from(header.wrap_nonce),
                Payload {
                    msg: &header.wrapped,
                    aad: &wrap_aad(key, &header.content_type, &header.key_id),
                },
            )
            .map_err(|_| {
                corrupt(
                    key,
                    "its data key does not unwrap (header altered, or file moved from another key)",
                )
            })?,
    );
    let mut out = Zeroizing::new([0u8; DATA_KEY_LEN]);
    if data_key.len() != DATA_KEY_LEN {
        return Err(corrupt(key, "data key of the wrong length"));
    }
    out.copy_from_slice(&data_key);
    Ok(out)
}

fn cipher(key: &[u8; 32]) -> Result<Aes256Gcm> {
    Aes256Gcm::new_from_slice(key).map_err(|e| Error::Storage(format!("AES-256-GCM key: {e}")))
}

/// Associated data: each part prefixed by its length, so no two lists of
/// parts share an encoding.
fn aad(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

fn wrap_aad(key: &str, content_type: &str, key_id: &[u8; KEY_ID_LEN]) -> Vec<u8> {
    aad(&[
        WRAP_LABEL,
        key.as_bytes(),
        content_type.as_bytes(),
        key_id.as_slice(),
    ])
}

fn body_aad(key: &str, content_type: &str) -> Vec<u8> {
    aad(&[BODY_LABEL, key.as_bytes(), content_type.as_bytes()])
}

fn fill_random(bytes: &mut [u8]) -> Result<()> {
    getrandom::fill(bytes).map_err(|e| Error::Storage(format!("no randomness: {e}")))
}

fn to_array<const N: usize>(key: &str, bytes: &[u8]) -> Result<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| corrupt(key, "header field of the wrong length"))
}

fn corrupt(key: &str, why: &str) -> Error {
    Error::Storage(format!(
        "sealed object {key:?} failed its integrity check: {why}"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn keys() -> MasterKeys {
        MasterKeys::new(MasterKey::generate().unwrap())
    }

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let keys = keys();
        let file = seal(
            &keys,
            "r/1.txt",
            "text/plain",
            b"receipt for account 123456",
        )
        .unwrap();
        assert!(is_sealed(&file));
        assert!(!file.windows(7).any(|w| w == b"account"));
        let (plain, ct) = open(&keys, "r/1.txt", &file).unwrap();
        assert_eq!(
            (plain.as_slice(), ct.as_str()),
            (&b"receipt for account 123456"[..], "text/plain")
        );
        let header = parse_header("r/1.txt", &file).unwrap();
        assert_eq!(plaintext_len(&header, file.len() as u64), 26);
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let keys = keys();
        let file = seal(&keys, "k", "text/csv", b"a,b\n1,2\n").unwrap();
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            assert!(open(&keys, "k", &bad).is_err(), "byte {i}");
        }
        assert!(open(&keys, "k", &file[..file.len() - 1]).is_err());
    }

    #[test]
    fn rewrap_keeps_the_body_and_needs_the_new_key() {
        let old = keys();
        let file = seal(&old, "k", "text/csv", b"statement").unwrap();
        let new = old.rotated().unwrap();
        let rewrapped = rewrap(&new, "k", &file).unwrap().unwrap();
        let len = parse_header("k", &file).unwrap().len();
        assert_eq!(file[len..], rewrapped[len..], "body bytes unchanged");
        assert_ne!(file[..len], rewrapped[..len]);
        assert_eq!(
            open(&new.without_previous(), "k", &rewrapped).unwrap().0,
            b"statement"
        );
        assert!(open(&old, "k", &rewrapped).is_err());
        assert!(rewrap(&new, "k", &rewrapped).unwrap().is_none());
    }
}
