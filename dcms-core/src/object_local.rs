//! [`LocalDirStore`]: the embedded default [`ObjectStore`], a directory on the
//! local disk, so statements and receipts work with nothing installed.
//!
//! # Layout
//! Under the root directory:
//! - `objects/<key>`: the object's bytes, exactly as put;
//! - `meta/<key>`: a JSON sidecar with the content type and the requested
//!   encryption. It mirrors the `objects/` tree, so a key that fits one fits
//!   the other and no key can collide with a sidecar;
//! - `presign.key`: the secret (32 random bytes, hex) that signs pre-signed
//!   URLs, created on first use.
//!
//! # Encryption at rest: recorded, not applied
//! This store does **not** encrypt. Files are protected by permissions: on
//! Unix every directory it creates is `0700` and every file `0600`, readable
//! by the owner only. The [`Sse`] a caller asks for is recorded in the sidecar
//! and reported back by `head` and `list`, so code that chooses encryption
//! runs the same way here as on S3. Where encryption at rest is required, put
//! the directory on an encrypted disk or use the S3 store.
//!
//! # I/O and durability
//! dcms-core has no async runtime, so the async methods do blocking `std::fs`
//! calls. That is fine for what is kept here (statements and receipts of a
//! few kilobytes); a server that stores large objects should use S3.
//!
//! Every file is written to a temporary name in its own directory (a name
//! starting with `~`, which no key can have), flushed to disk, renamed over the
//! target, and the directory flushed: a reader sees the old or the new bytes,
//! never a torn file. The sidecar is written before the bytes, so a new object
//! never exists without its encryption record. A crash can leave `~*.tmp`
//! files behind; they are never listed and can be deleted.
//!
//! A directory cannot hold both a file `a` and a folder `a/`: unlike S3, this
//! store refuses a key that would need one where the other exists.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::object::{
    check_object_key, check_object_prefix, check_presign_expiry, ObjectMeta, ObjectStore,
    PresignedUrl, PutOptions, Sse,
};

/// Scheme of the URLs [`LocalDirStore::presign_get`] makes.
pub const LOCAL_URL_SCHEME: &str = "dcms-local://";

const OBJECTS_DIR: &str = "objects";
const META_DIR: &str = "meta";
const SECRET_FILE: &str = "presign.key";
const SECRET_LEN: usize = 32;
/// Domain separation: a MAC made for something else can never pass as one of ours.
const SIGNING_CONTEXT: &str = "dcms-local-presign-v1";

/// An [`ObjectStore`] on a local directory (see the [module docs](self)).
pub struct LocalDirStore {
    root: PathBuf,
    secret: [u8; SECRET_LEN],
    clock: Arc<dyn Clock>,
    /// Serialises puts in this process, so concurrent puts of one key cannot
    /// pair one put's bytes with another's sidecar.
    writes: Mutex<()>,
}

impl fmt::Debug for LocalDirStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signing secret stays out of logs.
        f.debug_struct("LocalDirStore")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// What the sidecar file records about an object.
#[derive(Debug, Serialize, Deserialize)]
struct Sidecar {
    content_type: String,
    sse: Sse,
}

impl LocalDirStore {
    /// Opens (creating if needed) a store in `root`, and its signing secret.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        create_dirs(&root.join(OBJECTS_DIR))?;
        create_dirs(&root.join(META_DIR))?;
        let secret = load_or_create_secret(&root)?;
        Ok(LocalDirStore {
            root,
            secret,
            clock: Arc::new(SystemClock),
            writes: Mutex::new(()),
        })
    }

    /// Uses `clock` for the expiry of pre-signed URLs (tests, simulations).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks a URL made by [`presign_get`](ObjectStore::presign_get): its
    /// signature (compared in constant time) and that it has not expired at
    /// `now`. Returns the object key it grants.
    ///
    /// A URL that is malformed, tampered with or signed by another directory,
    /// and one that has expired, are [`Error::InvalidInput`] with field
    /// `"pre-signed URL"`; the reason says which.
    pub fn verify_presigned(&self, url: &str, now: DateTime<Utc>) -> Result<String> {
        let bad = |reason: &str| Error::InvalidInput {
            field: "pre-signed URL",
            reason: reason.to_owned(),
        };
        let rest = url
            .strip_prefix(LOCAL_URL_SCHEME)
            .ok_or_else(|| bad("not a dcms-local URL"))?;
        let (key, query) = rest.split_once('?').ok_or_else(|| bad("no query"))?;
        let (mut expires, mut sig) = (None, None);
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("expires", v)) if expires.is_none() => expires = Some(v),
                Some(("sig", v)) if sig.is_none() => sig = Some(v),
                _ => return Err(bad("unexpected query parameter")),
            }
        }
        let expires = expires.ok_or_else(|| bad("no expiry"))?;
        let sig = sig.ok_or_else(|| bad("no signature"))?;
        let expires_unix: i64 = expires.parse().map_err(|_| bad("malformed expiry"))?;
        // One spelling per expiry ("+5", "05" are refused): the URL is exactly what was signed.
        if expires != expires_unix.to_string() {
            return Err(bad("malformed expiry"));
        }
        let sig = hex::decode(sig).map_err(|_| bad("malformed signature"))?;
        self.mac(key, expires_unix)?
            .verify_slice(&sig)
            .map_err(|_| bad("signature does not match"))?;
        // Only a signed key and expiry get this far; still refuse an unsafe key.
        check_object_key(key)?;
        if now.timestamp() >= expires_unix {
            return Err(bad("expired"));
        }
        Ok(key.to_owned())
    }

    /// Reads the object a pre-signed URL grants, after
    /// [`verify_presigned`](Self::verify_presigned). For a server that hands
    /// out `dcms-local://` URLs on its own route.
    pub fn open_presigned(&self, url: &str, now: DateTime<Utc>) -> Result<Vec<u8>> {
        let key = self.verify_presigned(url, now)?;
        self.read(&key)
    }

    fn mac(&self, key: &str, expires_unix: i64) -> Result<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|e| Error::Storage(format!("presign key: {e}")))?;
        mac.update(format!("{SIGNING_CONTEXT}\nGET\n{key}\n{expires_unix}").as_bytes());
        Ok(mac)
    }

    fn path(&self, tree: &str, key: &str) -> PathBuf {
        let mut path = self.root.join(tree);
        path.extend(key.split('/'));
        path
    }

    fn read(&self, key: &str) -> Result<Vec<u8>> {
        match fs::read(self.path(OBJECTS_DIR, key)) {
            Ok(bytes) => Ok(bytes),
            Err(e) if is_absent(&e) => Err(Error::ObjectNotFound(key.to_owned())),
            Err(e) => Err(io_error("read object", key, e)),
        }
    }

    fn meta(&self, key: &str) -> Result<Option<ObjectMeta>> {
        let size = match fs::metadata(self.path(OBJECTS_DIR, key)) {
            Ok(m) if m.is_file() => m.len(),
            Ok(_) => return Ok(None), // a folder: some longer key's prefix
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(io_error("stat object", key, e)),
        };
        let sidecar = match fs::read(self.path(META_DIR, key)) {
            Ok(bytes) => Some(
                serde_json::from_slice::<Sidecar>(&bytes)
                    .map_err(|e| Error::Storage(format!("metadata of {key:?} is corrupt: {e}")))?,
            ),
            // A file put there by hand: report what is known.
            Err(e) if is_absent(&e) => None,
            Err(e) => return Err(io_error("read metadata", key, e)),
        };
        let (content_type, sse) = match sidecar {
            Some(s) => (Some(s.content_type), Some(s.sse)),
            None => (None, None),
        };
        Ok(Some(ObjectMeta {
            key: key.to_owned(),
            size,
            sse,
            content_type,
        }))
    }

    fn write(&self, key: &str, bytes: &[u8], options: &PutOptions) -> Result<()> {
        let sidecar = serde_json::to_vec(&Sidecar {
            content_type: options.content_type.clone(),
            sse: options.sse.clone(),
        })
        .map_err(|e| Error::Storage(format!("encode metadata of {key:?}: {e}")))?;
        let _one_writer = self.writes.lock();
        let object = self.path(OBJECTS_DIR, key);
        check_no_conflict(&self.root.join(OBJECTS_DIR), &object, key)?;
        write_atomic(&self.path(META_DIR, key), &sidecar)
            .map_err(|e| io_error("write metadata", key, e))?;
        write_atomic(&object, bytes).map_err(|e| io_error("write object", key, e))
    }

    fn list_keys(&self, prefix: &str) -> Result<Vec<String>> {
        let mut keys = Vec::new();
        walk(&self.root.join(OBJECTS_DIR), "", prefix, &mut keys)
            .map_err(|e| io_error("list", prefix, e))?;
        keys.sort();
        Ok(keys)
    }
}

#[async_trait]
impl ObjectStore for LocalDirStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, options: &PutOptions) -> Result<ObjectMeta> {
        check_object_key(key)?;
        self.write(key, &bytes, options)?;
        Ok(ObjectMeta {
            key: key.to_owned(),
            size: bytes.len() as u64,
            sse: Some(options.sse.clone()),
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
        let expires_unix = self.clock.now().timestamp().saturating_add(secs as i64);
        let expires_at = DateTime::from_timestamp(expires_unix, 0)
            .ok_or_else(|| Error::Storage(format!("expiry {expires_unix} is out of range")))?;
        let sig = hex::encode(self.mac(key, expires_unix)?.finalize().into_bytes());
        Ok(PresignedUrl {
            url: format!("{LOCAL_URL_SCHEME}{key}?expires={expires_unix}&sig={sig}"),
            expires_at,
        })
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

fn io_error(what: &str, key: &str, e: io::Error) -> Error {
    Error::Storage(format!("{what} {key:?}: {e}"))
}

/// Not there, or a path component is a file: either way no such object.
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory
    )
}

/// Refuses a key whose path needs a folder where a file is, or the reverse.
fn check_no_conflict(base: &Path, target: &Path, key: &str) -> Result<()> {
    let conflict = || Error::InvalidInput {
        field: "object key",
        reason: format!(
            "{key:?} clashes with an existing object: a local store cannot hold both `a` and `a/b`"
        ),
    };
    let mut dir = target.parent();
    while let Some(d) = dir {
        if d == base {
            break;
        }
        if fs::symlink_metadata(d)
            .map(|m| !m.is_dir())
            .unwrap_or(false)
        {
            return Err(conflict());
        }
        dir = d.parent();
    }
    if fs::symlink_metadata(target)
        .map(|m| m.is_dir())
        .unwrap_or(false)
    {
        return Err(conflict());
    }
    Ok(())
}

/// Collects the keys under `dir` (whose key prefix is `rel`) that start with `prefix`.
fn walk(dir: &Path, rel: &str, prefix: &str, keys: &mut Vec<String>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        // Temporary files (`~…`) and anything else no key could name.
        if check_object_key(&name).is_err() {
            continue;
        }
        let key = format!("{rel}{name}");
        let kind = entry.file_type()?; // does not follow symlinks
        if kind.is_dir() {
            let sub = format!("{key}/");
            // Descend only where keys starting with `prefix` can be.
            if sub.starts_with(prefix) || prefix.starts_with(&sub) {
                walk(&entry.path(), &sub, prefix, keys)?;
            }
        } else if kind.is_file() && key.starts_with(prefix) {
            keys.push(key);
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` via a flushed temporary file and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(ErrorKind::InvalidInput, "no parent"))?;
    create_dirs(dir).map_err(|e| io::Error::other(e.to_string()))?;
    let tmp = dir.join(format!("~{}.tmp", random_hex(8).map_err(io::Error::other)?));
    let written = (|| {
        let mut file = private_file(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp); // best effort: the write error is what matters
    }
    written?;
    sync_dir(dir)
}

/// Creates `dir` and its missing parents, owner-only, flushing each new entry.
fn create_dirs(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() {
            create_dirs(parent)?;
        }
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => {}
        // Another writer made it first: fine.
        Err(e) if e.kind() == ErrorKind::AlreadyExists && dir.is_dir() => return Ok(()),
        Err(e) => return Err(Error::Storage(format!("create {}: {e}", dir.display()))),
    }
    match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            sync_dir(parent).map_err(|e| Error::Storage(format!("flush {}: {e}", parent.display())))
        }
        _ => Ok(()),
    }
}

/// A new file readable and writable by the owner only; fails if it exists.
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes a rename or a new entry in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    // Windows cannot open a directory for flushing; NTFS journals renames.
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn random_hex(len: usize) -> std::result::Result<String, String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Reads the directory's signing secret, creating it on first use.
fn load_or_create_secret(root: &Path) -> Result<[u8; SECRET_LEN]> {
    let path = root.join(SECRET_FILE);
    match read_secret(&path) {
        Err(Error::ObjectNotFound(_)) => {}
        other => return other,
    }
    let secret = random_hex(SECRET_LEN).map_err(Error::Storage)?;
    let tmp = root.join(format!("~{}.tmp", random_hex(8).map_err(Error::Storage)?));
    let fail = |e: io::Error| Error::Storage(format!("create {}: {e}", path.display()));
    let created = (|| {
        let mut file = private_file(&tmp)?;
        file.write_all(secret.as_bytes())?;
        file.sync_all()?;
        // A hard link never replaces: when two processes race, both end up
        // with whichever secret was linked first.
        match fs::hard_link(&tmp, &path) {
            Err(e) if e.kind() != ErrorKind::AlreadyExists => Err(e),
            _ => sync_dir(root),
        }
    })();
    let _ = fs::remove_file(&tmp); // best effort: only the link matters
    created.map_err(fail)?;
    read_secret(&path)
}

fn read_secret(path: &Path) -> Result<[u8; SECRET_LEN]> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(Error::ObjectNotFound(SECRET_FILE.to_owned()))
        }
        Err(e) => return Err(Error::Storage(format!("read {}: {e}", path.display()))),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)
            .map_err(|e| Error::Storage(format!("stat {}: {e}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Error::Storage(format!(
                "{} is readable by other users (mode {:o}); run chmod 600 on it",
                path.display(),
                mode & 0o777
            )));
        }
    }
    let mut secret = [0u8; SECRET_LEN];
    hex::decode_to_slice(text.trim(), &mut secret)
        .map_err(|e| Error::Storage(format!("{} is corrupt: {e}", path.display())))?;
    Ok(secret)
}
