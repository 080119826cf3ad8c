//! [`LocalDirStore`]: the embedded default [`ObjectStore`], a directory on the
//! local disk, so statements and receipts work with nothing installed, and
//! are encrypted at rest like they would be on S3.
//!
//! # Encryption at rest
//! Every put is sealed with AES-256-GCM under a data key of its own, and that
//! data key is wrapped (AES-256-GCM) by the store's **master key**
//! ([`seal`] has the file format). The object's key and content type are
//! bound into both seals' associated data: a file moved to another key, a
//! flipped byte, an edited header or the wrong master key is an
//! [`Error::Storage`], never wrong bytes. `head` and `list` report
//! [`Sse::S3`] (S3's `AES256`: keys managed by the store) for sealed objects
//! only. There is no KMS here: a put asking for [`Sse::Kms`] is refused with
//! [`Error::Unsupported`] and writes nothing.
//!
//! # Master keys
//! From [`KeySource`], by default: the environment variable
//! [`DCMS_OBJECT_KEYS`](keys::KEYS_ENV) when set (64 hex digits per key,
//! comma-separated, the first current); otherwise the key file
//! `<root>/master.key`, created on first use, readable by the owner only, and
//! outside `objects/`. Anyone who can read both the key and the objects can
//! decrypt them: keep the key off the objects' backups by giving it from the
//! environment (a secret manager) or from a [`KeySource::File`] elsewhere.
//!
//! # Rotating the master key, and re-sealing
//! Objects never need re-encrypting: rotation re-wraps each 48-byte data key
//! and leaves the body bytes as they are. With the `dcms-reseal` command of
//! this crate (`cargo run -p dcms-core --bin dcms-reseal -- DIR …`), or the
//! same steps in code:
//! 1. `dcms-reseal DIR --rotate` ([`LocalDirStore::rotate_master_key`]): a
//!    new key goes first in the key file, the old one stays as previous, and
//!    every data key is re-wrapped under the new key;
//! 2. restart the other processes that use the directory, so they seal with
//!    the new key;
//! 3. `dcms-reseal DIR --retire` ([`LocalDirStore::retire_previous_keys`]):
//!    re-wraps whatever was written meanwhile, then removes the old keys.
//!
//! With keys from the environment: put the new key first in the list, run
//! `dcms-reseal DIR`, then drop the old key from the list.
//!
//! # Objects written before encryption
//! Files written by earlier versions (plaintext, with a JSON sidecar under
//! `meta/`) still read, and report **no** encryption (`sse: None`), so a
//! check of `head` tells the truth. `dcms-reseal DIR` ([`LocalDirStore::reseal`])
//! seals them in place; afterwards [`LocalDirStore::refuse_plaintext`]
//! makes any plaintext file an error, so one dropped into the folder is
//! never served.
//!
//! # Layout
//! Under the root directory:
//! - `objects/<key>`: the sealed object;
//! - `meta/<key>`: only for objects written before encryption, their
//!   content type (a sealed object keeps it in its authenticated header);
//! - `presign.key`: the secret (32 random bytes, hex) that signs pre-signed
//!   URLs, created on first use;
//! - `master.key`: the master keys, when they come from the default key file.
//!
//! # I/O and durability
//! dcms-core has no async runtime, so the async methods do blocking `std::fs`
//! calls. That is fine for what is kept here (statements and receipts of a
//! few kilobytes); a server that stores large objects should use S3.
//!
//! Every file is written to a temporary name in its own directory (a name
//! starting with `~`, which no key can have), flushed to disk, renamed over the
//! target, and the directory flushed: a reader sees the old or the new bytes,
//! never a torn file. A sealed file carries its own content type and wrapped
//! key, so one rename publishes all of it. A crash can leave `~*.tmp` files
//! behind; they are never listed and can be deleted. On Unix every directory
//! it creates is `0700` and every file `0600`.
//!
//! A directory cannot hold both a file `a` and a folder `a/`: unlike S3, this
//! store refuses a key that would need one where the other exists.

mod fs;
pub mod keys;
mod presign;
mod reseal;
pub mod seal;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use parking_lot::Mutex;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::object::{
    check_object_key, check_object_prefix, check_presign_expiry, ObjectMeta, ObjectStore,
    PresignedUrl, PutOptions, Sse,
};
use fs::{create_dirs, io_error, is_absent, load_or_create_private, random_hex};
pub use keys::{KeySource, MasterKey, MasterKeys};
pub use presign::LOCAL_URL_SCHEME;
use presign::{SECRET_FILE, SECRET_LEN};
pub use reseal::ResealReport;

const OBJECTS_DIR: &str = "objects";
const META_DIR: &str = "meta";

/// An [`ObjectStore`] on a local directory (see the [module docs](self)).
pub struct LocalDirStore {
    root: PathBuf,
    secret: Zeroizing<[u8; SECRET_LEN]>,
    keys: MasterKeys,
    allow_plaintext: bool,
    clock: Arc<dyn Clock>,
    /// Serialises writes in this process, so a re-seal never replaces a
    /// newer put of the same key with an older object.
    writes: Mutex<()>,
}

impl fmt::Debug for LocalDirStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets stay out of logs; the master key shows as its id.
        f.debug_struct("LocalDirStore")
            .field("root", &self.root)
            .field("master_key", &self.keys.current().id_hex())
            .field("allow_plaintext", &self.allow_plaintext)
            .finish_non_exhaustive()
    }
}

/// What an object written before encryption recorded beside it. Its `sse`
/// field was a request that was never applied, so it is not read.
#[derive(Debug, Deserialize)]
struct LegacySidecar {
    content_type: String,
}

impl LocalDirStore {
    /// Opens (creating if needed) a store in `root`, with its signing secret
    /// and the master keys of [`KeySource::Default`].
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        Self::open_with(root, &KeySource::Default)
    }

    /// Opens (creating if needed) a store in `root` with master keys from `keys`.
    pub fn open_with(root: impl Into<PathBuf>, keys: &KeySource) -> Result<Self> {
        let root = root.into();
        create_dirs(&root.join(OBJECTS_DIR))?;
        let secret = load_secret(&root)?;
        let keys = keys.load(&root)?;
        Ok(LocalDirStore {
            root,
            secret,
            keys,
            allow_plaintext: true,
            clock: Arc::new(SystemClock),
            writes: Mutex::new(()),
        })
    }

    /// Uses `clock` for the expiry of pre-signed URLs (tests, simulations).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refuses to read any object that is not sealed (an [`Error::Storage`]),
    /// instead of serving files written before encryption as they are. Turn
    /// it on once `dcms-reseal` has sealed the old objects: then a plaintext
    /// file dropped into the folder is never served. `head` and `list` still
    /// show such files, with no encryption, so they can be found.
    pub fn refuse_plaintext(mut self) -> Self {
        self.allow_plaintext = false;
        self
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The master keys in use (their ids only are ever printed).
    pub fn master_keys(&self) -> &MasterKeys {
        &self.keys
    }

    fn path(&self, tree: &str, key: &str) -> PathBuf {
        let mut path = self.root.join(tree);
        path.extend(key.split('/'));
        path
    }

    fn read_file(&self, key: &str) -> Result<Vec<u8>> {
        match std::fs::read(self.path(OBJECTS_DIR, key)) {
            Ok(bytes) => Ok(bytes),
            Err(e) if is_absent(&e) => Err(Error::ObjectNotFound(key.to_owned())),
            Err(e) => Err(io_error("read object", key, e)),
        }
    }

    /// The object's plaintext: opened when sealed, as stored when not (and allowed).
    fn read(&self, key: &str) -> Result<Vec<u8>> {
        let file = self.read_file(key)?;
        if seal::is_sealed(&file) {
            return seal::open(&self.keys, key, &file).map(|(plain, _)| plain);
        }
        if self.allow_plaintext {
            Ok(file)
        } else {
            Err(Error::Storage(format!(
                "object {key:?} is not sealed and this store refuses plaintext; \
                 run dcms-reseal on the directory if it was written before encryption"
            )))
        }
    }

    fn meta(&self, key: &str) -> Result<Option<ObjectMeta>> {
        let mut file = match File::open(self.path(OBJECTS_DIR, key)) {
            Ok(file) => file,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(io_error("open object", key, e)),
        };
        let len = match file.metadata() {
            Ok(m) if m.is_file() => m.len(),
            Ok(_) => return Ok(None), // a folder: some longer key's prefix
            Err(e) => return Err(io_error("stat object", key, e)),
        };
        let mut start = Vec::with_capacity(seal::PREFIX_LEN);
        read_up_to(&mut file, seal::PREFIX_LEN, &mut start, key)?;
        if !seal::is_sealed(&start) {
            return Ok(Some(ObjectMeta {
                key: key.to_owned(),
                size: len,
                sse: None,
                content_type: self.legacy_content_type(key)?,
            }));
        }
        let fields = seal::fields_len(key, &start)?;
        read_up_to(&mut file, fields, &mut start, key)?;
        let header = seal::parse_header(key, &start)?;
        // Only an authentic header is reported: its content type, and that it is sealed.
        seal::check_header(&self.keys, key, &header)?;
        Ok(Some(ObjectMeta {
            key: key.to_owned(),
            size: seal::plaintext_len(&header, len),
            sse: Some(Sse::S3),
            content_type: Some(header.content_type),
        }))
    }

    fn legacy_content_type(&self, key: &str) -> Result<Option<String>> {
        match std::fs::read(self.path(META_DIR, key)) {
            Ok(bytes) => serde_json::from_slice::<LegacySidecar>(&bytes)
                .map(|s| Some(s.content_type))
                .map_err(|e| Error::Storage(format!("metadata of {key:?} is corrupt: {e}"))),
            // A file put there by hand: report what is known.
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(io_error("read metadata", key, e)),
        }
    }

    /// Replaces the object file of `key`; the caller holds `writes`.
    fn write_file(&self, key: &str, file: &[u8]) -> Result<()> {
        let object = self.path(OBJECTS_DIR, key);
        fs::check_no_conflict(&self.root.join(OBJECTS_DIR), &object, key)?;
        fs::write_atomic(&object, file).map_err(|e| io_error("write object", key, e))?;
        // A sidecar left by an earlier plaintext version is now stale; the
        // sealed header is what is read, so failing to remove it is harmless.
        let _ = std::fs::remove_file(self.path(META_DIR, key));
        Ok(())
    }

    fn list_keys(&self, prefix: &str) -> Result<Vec<String>> {
        let mut keys = Vec::new();
        fs::walk(&self.root.join(OBJECTS_DIR), "", prefix, &mut keys)
            .map_err(|e| io_error("list", prefix, e))?;
        keys.sort();
        Ok(keys)
    }
}

#[async_trait]
impl ObjectStore for LocalDirStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, options: &PutOptions) -> Result<ObjectMeta> {
        check_object_key(key)?;
        if let Sse::Kms { .. } = options.sse {
            // Recording a KMS request that nothing applies would be a lie on `head`.
            return Err(Error::Unsupported(
                "the local directory store has no KMS: use Sse::S3 (sealed with AES-256-GCM \
                 under the store's master key) or the S3 store"
                    .into(),
            ));
        }
        let file = seal::seal(&self.keys, key, &options.content_type, &bytes)?;
        let _one_writer = self.writes.lock();
        self.write_file(key, &file)?;
        Ok(ObjectMeta {
            key: key.to_owned(),
            size: bytes.len() as u64,
            sse: Some(Sse::S3),
            content_type: Some(options.content_type.clone()),
        })
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        check_object_key(key)?;
        self.read(key)
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        check_object_key(key)?;
        self.meta(key)
    }

    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<PresignedUrl> {
        check_object_key(key)?;
        check_presign_expiry(expires_in)?;
        // Whole seconds in the URL, rounded up so a URL never dies early.
        let secs = expires_in.as_secs() + u64::from(expires_in.subsec_nanos() > 0);
        self.sign_url(key, secs)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        check_object_prefix(prefix)?;
        let mut out = Vec::new();
        for key in self.list_keys(prefix)? {
            // A file deleted between the walk and now is simply not listed.
            if let Some(meta) = self.meta(&key)? {
                out.push(meta);
            }
        }
        Ok(out)
    }
}

/// Appends up to `n` more bytes of `file` to `buf` (fewer at its end).
fn read_up_to(file: &mut File, n: usize, buf: &mut Vec<u8>, key: &str) -> Result<()> {
    file.by_ref()
        .take(n as u64)
        .read_to_end(buf)
        .map(drop)
        .map_err(|e| io_error("read object", key, e))
}

/// Reads the directory's signing secret, creating it on first use.
fn load_secret(root: &Path) -> Result<Zeroizing<[u8; SECRET_LEN]>> {
    let path = root.join(SECRET_FILE);
    let text = load_or_create_private(&path, || {
        random_hex(SECRET_LEN)
            .map(Zeroizing::new)
            .map_err(Error::Storage)
    })?;
    let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
    hex::decode_to_slice(text.trim(), secret.as_mut())
        .map_err(|e| Error::Storage(format!("{} is corrupt: {e}", path.display())))?;
    Ok(secret)
}
