//! Re-sealing a directory: seals objects written before encryption, and
//! re-wraps data keys under the current master key (the work of a rotation).
//! The `dcms-reseal` command is a thin wrapper over these functions.

use std::path::Path;

use super::keys::KeySource;
use super::{seal, LocalDirStore};
use crate::error::{Error, Result};

/// Content type given to a plaintext object that has no sidecar to say.
const UNKNOWN_CONTENT_TYPE: &str = "application/octet-stream";

/// What a re-seal did, object by object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResealReport {
    /// Plaintext objects (written before encryption) now sealed.
    pub sealed: u64,
    /// Sealed objects whose data key was re-wrapped under the current master key.
    pub rewrapped: u64,
    /// Objects already sealed under the current master key: not written.
    pub unchanged: u64,
}

impl LocalDirStore {
    /// Brings every object in the directory under the current master key:
    /// plaintext objects are sealed (their content type from the old
    /// sidecar), and data keys wrapped by an older key are re-wrapped, the
    /// bodies left as they are. Objects already current are not written, so
    /// running it again is cheap and changes nothing.
    ///
    /// An object that fails its integrity check, or is sealed under a key
    /// this store was not given, stops the run with that error: nothing is
    /// dropped silently. Other processes should not write to the directory
    /// meanwhile (this process's own puts are serialised with it).
    pub fn reseal(&self) -> Result<ResealReport> {
        let mut report = ResealReport::default();
        for key in self.list_keys("")? {
            let _one_writer = self.writes.lock();
            let file = match self.read_file(&key) {
                Ok(file) => file,
                Err(Error::ObjectNotFound(_)) => continue, // deleted meanwhile
                Err(e) => return Err(e),
            };
            if seal::is_sealed(&file) {
                match seal::rewrap(&self.keys, &key, &file)? {
                    Some(rewrapped) => {
                        self.write_file(&key, &rewrapped)?;
                        report.rewrapped += 1;
                    }
                    None => report.unchanged += 1,
                }
            } else {
                let content_type = self
                    .legacy_content_type(&key)?
                    .unwrap_or_else(|| UNKNOWN_CONTENT_TYPE.to_owned());
                let sealed = seal::seal(&self.keys, &key, &content_type, &file)?;
                self.write_file(&key, &sealed)?;
                report.sealed += 1;
            }
        }
        Ok(report)
    }

    /// Step one of a master-key rotation, for keys kept in a key file: puts a
    /// new random key first in the file (the old ones stay, as previous),
    /// then [re-seals](Self::reseal) the directory under it. Restart other
    /// processes that use the directory, then call
    /// [`retire_previous_keys`](Self::retire_previous_keys).
    ///
    /// Keys from the environment or given directly cannot be rewritten here:
    /// that is [`Error::Unsupported`], with the steps to follow instead.
    pub fn rotate_master_key(root: &Path, source: &KeySource) -> Result<ResealReport> {
        let file = key_file(root, source)?;
        let rotated = source.load(root)?.rotated()?;
        rotated.save(&file)?;
        let store = LocalDirStore::open_with(root, &KeySource::File(file))?;
        store.reseal()
    }

    /// Step two of a rotation: re-seals whatever is still under an older key
    /// (written by a process that had not restarted yet), then removes the
    /// older keys from the key file. If the re-seal fails, the file keeps them.
    pub fn retire_previous_keys(root: &Path, source: &KeySource) -> Result<ResealReport> {
        let file = key_file(root, source)?;
        let store = LocalDirStore::open_with(root, &KeySource::File(file.clone()))?;
        let report = store.reseal()?;
        if !store.keys.previous().is_empty() {
            store.keys.without_previous().save(&file)?;
        }
        Ok(report)
    }
}

fn key_file(root: &Path, source: &KeySource) -> Result<std::path::PathBuf> {
    source.file(root).ok_or_else(|| {
        Error::Unsupported(
            "these master keys do not come from a key file, so they cannot be rewritten here: \
             put a new key first in your key list, run dcms-reseal on the directory, then \
             remove the old key"
                .into(),
        )
    })
}
