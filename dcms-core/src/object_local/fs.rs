//! The file-system steps of the local store, each written once: atomic
//! owner-only writes, owner-only folders, the walk that lists keys, and the
//! small secret files (signing secret, master keys) created on first use.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::object::check_object_key;

pub(crate) fn io_error(what: &str, key: &str, e: io::Error) -> Error {
    Error::Storage(format!("{what} {key:?}: {e}"))
}

/// Not there, or a path component is a file: either way no such object.
pub(crate) fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory
    )
}

/// Refuses a key whose path needs a folder where a file is, or the reverse.
pub(crate) fn check_no_conflict(base: &Path, target: &Path, key: &str) -> Result<()> {
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
pub(crate) fn walk(dir: &Path, rel: &str, prefix: &str, keys: &mut Vec<String>) -> io::Result<()> {
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
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
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
pub(crate) fn create_dirs(dir: &Path) -> Result<()> {
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
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    // Windows cannot open a directory for flushing; NTFS journals renames.
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(crate) fn random_hex(len: usize) -> std::result::Result<String, String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Replaces the secret file at `path`, atomically, owner-only.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes).map_err(|e| Error::Storage(format!("write {}: {e}", path.display())))
}

/// Reads the secret file at `path`, creating it with `make()` on first use.
///
/// When two processes race to create it, both end up with whichever content
/// was linked first: a hard link never replaces an existing file.
pub(crate) fn load_or_create_private(
    path: &Path,
    make: impl FnOnce() -> Result<Zeroizing<String>>,
) -> Result<Zeroizing<String>> {
    if let Some(text) = read_private(path)? {
        return Ok(text);
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_dirs(dir)?;
    let content = make()?;
    let tmp = dir.join(format!("~{}.tmp", random_hex(8).map_err(Error::Storage)?));
    let created = (|| {
        let mut file = private_file(&tmp)?;
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        match fs::hard_link(&tmp, path) {
            Err(e) if e.kind() != ErrorKind::AlreadyExists => Err(e),
            _ => sync_dir(dir),
        }
    })();
    let _ = fs::remove_file(&tmp); // best effort: only the link matters
    created.map_err(|e| Error::Storage(format!("create {}: {e}", path.display())))?;
    read_private(path)?.ok_or_else(|| Error::Storage(format!("{} vanished", path.display())))
}

/// The text of the secret file at `path`, None when absent. A file other
/// users could read is refused: its secret must be assumed leaked.
fn read_private(path: &Path) -> Result<Option<Zeroizing<String>>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => Zeroizing::new(text),
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
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
    Ok(Some(text))
}
