//! Master keys of the local store: what they are, where they come from, and
//! how a key file is kept.
//!
//! A master key never encrypts an object itself: it wraps each object's own
//! data key (see [`seal`](super::seal)). So rotating it means re-wrapping
//! 48-byte data keys, never re-encrypting bodies.
//!
//! Keys are written as 64 hex digits. A key list (the key file, or
//! [`KEYS_ENV`]) holds one key per line (or comma-separated): the **first is
//! current** and seals every new object; the others are older keys that
//! still open what they wrapped until [`reseal`](super::LocalDirStore::reseal)
//! has re-wrapped it. `#` starts a comment.

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::fs::{load_or_create_private, write_private};
use crate::error::{Error, Result};

/// Environment variable holding the master key list (first key current).
/// When set and not empty, [`KeySource::Default`] uses it instead of the key file.
pub const KEYS_ENV: &str = "DCMS_OBJECT_KEYS";
/// Name of the key file [`KeySource::Default`] uses under the store's root.
pub const KEY_FILE: &str = "master.key";
/// Bytes in a master key (AES-256).
pub const MASTER_KEY_LEN: usize = 32;
/// Bytes in a [`MasterKey::id`].
pub const KEY_ID_LEN: usize = 8;
/// Domain separation for key ids: an id can never be mistaken for another MAC of ours.
const KEY_ID_CONTEXT: &[u8] = b"dcms-local-master-key-id-v1";

/// One 256-bit master key. Its bytes are wiped from memory when dropped and
/// never printed: `Debug` shows the [id](Self::id) only.
#[derive(Clone)]
pub struct MasterKey {
    bytes: Zeroizing<[u8; MASTER_KEY_LEN]>,
    id: [u8; KEY_ID_LEN],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({})", self.id_hex())
    }
}

impl PartialEq for MasterKey {
    fn eq(&self, other: &Self) -> bool {
        // Ids are MACs of the keys: equal ids mean equal keys, and comparing
        // them leaks nothing about the key bytes.
        self.id == other.id
    }
}

impl MasterKey {
    /// A fresh random key from the operating system.
    pub fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        getrandom::fill(bytes.as_mut())
            .map_err(|e| Error::Storage(format!("no randomness for a master key: {e}")))?;
        Self::from_bytes(*bytes)
    }

    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; MASTER_KEY_LEN]) -> Result<Self> {
        let bytes = Zeroizing::new(bytes);
        let mut mac = Hmac::<Sha256>::new_from_slice(bytes.as_ref())
            .map_err(|e| Error::Storage(format!("master key: {e}")))?;
        mac.update(KEY_ID_CONTEXT);
        let digest = mac.finalize().into_bytes();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Ok(MasterKey { bytes, id })
    }

    /// A key from its 64 hex digits. The error never echoes the text.
    pub fn parse(text: &str) -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        hex::decode_to_slice(text.trim(), bytes.as_mut()).map_err(|_| Error::InvalidInput {
            field: "master key",
            reason: format!("must be {} hex digits", MASTER_KEY_LEN * 2),
        })?;
        Self::from_bytes(*bytes)
    }

    /// The key as 64 hex digits, for a key file or a secret manager.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.bytes.as_ref()))
    }

    /// The key's public id: the first 8 bytes of HMAC-SHA256 keyed with it.
    /// Written in each sealed object so the store knows which key wrapped it.
    pub fn id(&self) -> [u8; KEY_ID_LEN] {
        self.id
    }

    /// [`id`](Self::id) as hex, for messages and logs.
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    pub(crate) fn bytes(&self) -> &[u8; MASTER_KEY_LEN] {
        &self.bytes
    }
}

/// The keys a store opens with: [`current`](Self::current) seals every new
/// object; the older ones still open what they wrapped.
#[derive(Clone, PartialEq)]
pub struct MasterKeys {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeys")
            .field("current", &self.current)
            .field("previous", &self.previous)
            .finish()
    }
}

impl MasterKeys {
    /// Just one key.
    pub fn new(current: MasterKey) -> Self {
        MasterKeys {
            current,
            previous: Vec::new(),
        }
    }

    /// Adds an older key that still opens what it wrapped (ignored when
    /// already present).
    pub fn with_previous(mut self, key: MasterKey) -> Self {
        if self.find(&key.id()).is_none() {
            self.previous.push(key);
        }
        self
    }

    /// A new random current key, with every key of `self` kept as previous:
    /// step one of a rotation (step two is [`reseal`](super::LocalDirStore::reseal),
    /// step three [`without_previous`](Self::without_previous)).
    pub fn rotated(&self) -> Result<Self> {
        let mut previous = vec![self.current.clone()];
        previous.extend(self.previous.iter().cloned());
        Ok(MasterKeys {
            current: MasterKey::generate()?,
            previous,
        })
    }

    /// The current key only: once everything is re-wrapped under it, older
    /// keys are no longer needed.
    pub fn without_previous(&self) -> Self {
        MasterKeys::new(self.current.clone())
    }

    /// The key that seals new objects.
    pub fn current(&self) -> &MasterKey {
        &self.current
    }

    /// The older keys, newest first.
    pub fn previous(&self) -> &[MasterKey] {
        &self.previous
    }

    /// The key with this id, current or previous.
    pub fn find(&self, id: &[u8; KEY_ID_LEN]) -> Option<&MasterKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| &k.id == id)
    }

    /// Parses a key list: keys separated by newlines or commas, the first
    /// current, `#` to the end of a line a comment.
    pub fn parse(text: &str) -> Result<Self> {
        let mut keys = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default())
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(MasterKey::parse);
        let current = keys.next().ok_or_else(|| Error::InvalidInput {
            field: "master keys",
            reason: "no key given".into(),
        })??;
        keys.try_fold(MasterKeys::new(current), |all, key| {
            Ok(all.with_previous(key?))
        })
    }

    /// The list as a key file holds it: a comment, then one key per line.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::from(
            "# DCMS local object store master keys: the first seals, the others still open.\n",
        ));
        for key in std::iter::once(&self.current).chain(&self.previous) {
            text.push_str(&key.to_hex());
            text.push('\n');
        }
        text
    }

    /// The keys in the environment variable `name`, or None when it is unset or empty.
    pub fn from_env(name: &str) -> Result<Option<Self>> {
        match std::env::var(name) {
            Ok(text) if !text.trim().is_empty() => Self::parse(&text).map(Some),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidInput {
                field: "master keys",
                reason: format!("{name} is not valid UTF-8"),
            }),
        }
    }

    /// The keys in the key file at `path`; on first use the file is created
    /// with one fresh key, readable and writable by the owner only. A file
    /// that other users can read is refused.
    pub fn load_or_create(path: &Path) -> Result<Self> {
        let text = load_or_create_private(path, || {
            Ok(MasterKeys::new(MasterKey::generate()?).to_text())
        })?;
        Self::parse(&text)
    }

    /// Replaces the key file at `path` with these keys, atomically and owner-only.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_private(path, self.to_text().as_bytes())
    }
}

/// Where a [`LocalDirStore`](super::LocalDirStore) gets its master keys.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum KeySource {
    /// [`KEYS_ENV`] when it is set and not empty; otherwise the key file
    /// `<root>/`[`KEY_FILE`], created on first use.
    Default,
    /// The key list in this environment variable; an error when unset.
    Env(String),
    /// The key list in this file, created on first use (owner-only).
    File(PathBuf),
    /// These keys (from a secret manager, or a test).
    Keys(MasterKeys),
}

impl KeySource {
    /// The keys this source gives for a store rooted at `root`.
    pub fn load(&self, root: &Path) -> Result<MasterKeys> {
        match self {
            KeySource::Default => match MasterKeys::from_env(KEYS_ENV)? {
                Some(keys) => Ok(keys),
                None => MasterKeys::load_or_create(&root.join(KEY_FILE)),
            },
            KeySource::Env(name) => {
                MasterKeys::from_env(name)?.ok_or_else(|| Error::InvalidInput {
                    field: "master keys",
                    reason: format!("environment variable {name} is not set"),
                })
            }
            KeySource::File(path) => MasterKeys::load_or_create(path),
            KeySource::Keys(keys) => Ok(keys.clone()),
        }
    }

    /// The key file this source reads for a store rooted at `root`, if any
    /// (what a rotation rewrites).
    pub fn file(&self, root: &Path) -> Option<PathBuf> {
        match self {
            KeySource::Default if MasterKeys::from_env(KEYS_ENV).ok().flatten().is_none() => {
                Some(root.join(KEY_FILE))
            }
            KeySource::File(path) => Some(path.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_list_parses_with_comments_and_keeps_its_order() {
        let (a, b) = (
            MasterKey::generate().unwrap(),
            MasterKey::generate().unwrap(),
        );
        let text = format!(
            "# c\n{} # now\n\n{},{}\n",
            *a.to_hex(),
            *b.to_hex(),
            *a.to_hex()
        );
        let keys = MasterKeys::parse(&text).unwrap();
        assert_eq!(keys.current(), &a);
        assert_eq!(keys.previous(), std::slice::from_ref(&b));
        assert_eq!(MasterKeys::parse(&keys.to_text()).unwrap(), keys);
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        for text in [
            "",
            "# only a comment",
            "abcd",
            &"g".repeat(64),
            &"a".repeat(66),
        ] {
            let err = MasterKeys::parse(text).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
            assert!(text.len() < 8 || !err.to_string().contains(text), "{err}");
        }
    }

    #[test]
    fn debug_shows_the_id_not_the_key() {
        let key = MasterKey::generate().unwrap();
        let shown = format!("{:?}", MasterKeys::new(key.clone()));
        assert!(shown.contains(&key.id_hex()));
        assert!(!shown.contains(key.to_hex().as_str()));
    }
}
