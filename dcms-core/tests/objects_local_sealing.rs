//! Encryption at rest in the local directory store, attacked from the disk:
//! KMS refused, wrong and missing keys, altered headers, plaintext planted
//! in the folder, objects written before encryption, and the `dcms-reseal`
//! command (the real binary) sealing them and rotating the master key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use dcms_core::object_local::{KeySource, LocalDirStore, MasterKey, MasterKeys};
use dcms_core::{Error, ObjectStore, PutOptions, Sse};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("dcms-seal-{tag}-{}-{nanos}", std::process::id()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

const BODY: &[u8] = b"receipt: account 481516, 2 coffees, 37 points";

fn keys() -> MasterKeys {
    MasterKeys::new(MasterKey::generate().unwrap())
}

fn open(dir: &Path, keys: &MasterKeys) -> LocalDirStore {
    LocalDirStore::open_with(dir, &KeySource::Keys(keys.clone())).unwrap()
}

fn put(store: &LocalDirStore, key: &str, body: &[u8], ct: &str) {
    block_on(store.put(key, body.to_vec(), &PutOptions::new(ct))).unwrap();
}

fn storage_error<T: std::fmt::Debug>(r: dcms_core::Result<T>) -> String {
    match r {
        Err(Error::Storage(m)) => m,
        other => panic!("expected a storage error, got {other:?}"),
    }
}

/// Writes an object the way versions before encryption did: plaintext, and
/// a sidecar recording the encryption that was asked for (and never applied).
fn put_legacy(dir: &Path, key: &str, body: &[u8], ct: &str) {
    let object = dir.join("objects").join(key);
    let meta = dir.join("meta").join(key);
    for p in [&object, &meta] {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    }
    std::fs::write(&object, body).unwrap();
    std::fs::write(&meta, format!(r#"{{"content_type":"{ct}","sse":"S3"}}"#)).unwrap();
}

fn raw(dir: &Path, key: &str) -> Vec<u8> {
    std::fs::read(dir.join("objects").join(key)).unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_kms_put_is_refused_and_writes_nothing() {
    let dir = TempDir::new("kms");
    let store = open(&dir.0, &keys());
    let kms = PutOptions {
        content_type: "application/json".into(),
        sse: Sse::Kms {
            key_id: "key-1".into(),
        },
    };
    let refused = block_on(store.put("r/kms.json", b"{}".to_vec(), &kms));
    assert!(matches!(refused, Err(Error::Unsupported(_))), "{refused:?}");
    assert!(!dir.0.join("objects/r/kms.json").exists());
    assert!(!dir.0.join("meta/r/kms.json").exists());
    assert_eq!(block_on(store.head("r/kms.json")).unwrap(), None);
}

#[test]
fn an_oversized_content_type_is_refused_and_writes_nothing() {
    let dir = TempDir::new("ctype");
    let store = open(&dir.0, &keys());
    let long = format!("text/{}", "x".repeat(1020));
    let refused = block_on(store.put("r/1.txt", BODY.to_vec(), &PutOptions::new(long)));
    assert!(
        matches!(refused, Err(Error::InvalidInput { .. })),
        "{refused:?}"
    );
    assert_eq!(block_on(store.head("r/1.txt")).unwrap(), None);
}

#[test]
fn head_and_list_report_what_was_applied() {
    let dir = TempDir::new("report");
    let store = open(&dir.0, &keys());
    put(&store, "s/sealed.csv", BODY, "text/csv");
    put_legacy(&dir.0, "s/legacy.csv", BODY, "text/csv");
    let listed = block_on(store.list("s/")).unwrap();
    let seen: Vec<_> = listed
        .iter()
        .map(|m| {
            (
                m.key.as_str(),
                m.size,
                m.sse.clone(),
                m.content_type.as_deref(),
            )
        })
        .collect();
    let n = BODY.len() as u64;
    assert_eq!(
        seen,
        vec![
            ("s/legacy.csv", n, None, Some("text/csv")),
            ("s/sealed.csv", n, Some(Sse::S3), Some("text/csv")),
        ]
    );
    assert!(!contains(&raw(&dir.0, "s/sealed.csv"), b"account 481516"));
}

#[test]
fn another_master_key_opens_nothing_and_says_which_key_is_needed() {
    let dir = TempDir::new("wrongkey");
    let right = keys();
    put(&open(&dir.0, &right), "r/1.txt", BODY, "text/plain");
    let wrong = open(&dir.0, &keys());
    let message = storage_error(block_on(wrong.get("r/1.txt")));
    assert!(message.contains(&right.current().id_hex()), "{message}");
    storage_error(block_on(wrong.head("r/1.txt")));
    // A forged id: the wrong key under the right key's name still fails.
    let before = raw(&dir.0, "r/1.txt");
    let mut forged = before.clone();
    forged[11..19].copy_from_slice(&wrong.master_keys().current().id());
    std::fs::write(dir.0.join("objects/r/1.txt"), &forged).unwrap();
    storage_error(block_on(wrong.get("r/1.txt")));
    std::fs::write(dir.0.join("objects/r/1.txt"), &before).unwrap();
    assert_eq!(block_on(open(&dir.0, &right).get("r/1.txt")).unwrap(), BODY);
}

#[test]
fn an_altered_header_is_refused_by_head_too() {
    let dir = TempDir::new("header");
    let keys = keys();
    let store = open(&dir.0, &keys);
    put(&store, "r/1.txt", BODY, "text/plain");
    let file = raw(&dir.0, "r/1.txt");
    // "text/plain" -> "text/html" would make a portal render the receipt.
    let at = file.windows(10).position(|w| w == b"text/plain").unwrap();
    let mut altered = file.clone();
    altered[at..at + 10].copy_from_slice(b"text/html ");
    std::fs::write(dir.0.join("objects/r/1.txt"), &altered).unwrap();
    storage_error(block_on(store.head("r/1.txt")));
    storage_error(block_on(store.get("r/1.txt")));
    storage_error(block_on(store.list("r/")));
}

#[test]
fn a_sealed_file_copied_to_another_key_does_not_open() {
    let dir = TempDir::new("copy");
    let store = open(&dir.0, &keys());
    put(&store, "receipts/alice.txt", BODY, "text/plain");
    put(&store, "receipts/bob.txt", b"bob", "text/plain");
    std::fs::copy(
        dir.0.join("objects/receipts/alice.txt"),
        dir.0.join("objects/receipts/bob.txt"),
    )
    .unwrap();
    storage_error(block_on(store.get("receipts/bob.txt")));
    storage_error(block_on(store.head("receipts/bob.txt")));
    // A pre-signed URL for bob does not hand out alice's receipt either.
    let url = block_on(store.presign_get("receipts/bob.txt", std::time::Duration::from_secs(60)))
        .unwrap();
    storage_error(store.open_presigned(&url.url, chrono::Utc::now()));
    assert_eq!(block_on(store.get("receipts/alice.txt")).unwrap(), BODY);
}

#[test]
fn legacy_objects_read_as_unencrypted_until_refused() {
    let dir = TempDir::new("legacy");
    let keys = keys();
    put_legacy(&dir.0, "old/receipt.txt", BODY, "text/plain");
    let store = open(&dir.0, &keys);
    assert_eq!(block_on(store.get("old/receipt.txt")).unwrap(), BODY);
    let head = block_on(store.head("old/receipt.txt")).unwrap().unwrap();
    assert_eq!(
        (head.sse, head.content_type.as_deref()),
        (None, Some("text/plain"))
    );

    // After re-sealing, a plaintext file planted in the folder is never served.
    let strict = open(&dir.0, &keys).refuse_plaintext();
    let message = storage_error(block_on(strict.get("old/receipt.txt")));
    assert!(message.contains("dcms-reseal"), "{message}");
    put(&strict, "new/receipt.txt", BODY, "text/plain");
    std::fs::write(dir.0.join("objects/new/receipt.txt"), b"planted").unwrap();
    storage_error(block_on(strict.get("new/receipt.txt")));
    // Still listed, honestly: not encrypted.
    let planted = block_on(strict.head("new/receipt.txt")).unwrap().unwrap();
    assert_eq!(planted.sse, None);
}

#[test]
fn a_put_over_a_legacy_object_seals_it_and_drops_its_sidecar() {
    let dir = TempDir::new("overlegacy");
    put_legacy(&dir.0, "a/b.csv", b"old", "text/csv");
    let store = open(&dir.0, &keys());
    put(&store, "a/b.csv", BODY, "text/markdown");
    assert!(!dir.0.join("meta/a/b.csv").exists());
    let head = block_on(store.head("a/b.csv")).unwrap().unwrap();
    assert_eq!(
        (head.sse, head.content_type.as_deref()),
        (Some(Sse::S3), Some("text/markdown"))
    );
}

#[test]
fn the_default_key_file_is_created_owner_only_and_reused() {
    let dir = TempDir::new("keyfile");
    let first =
        LocalDirStore::open_with(&dir.0, &KeySource::File(dir.0.join("k/master.key"))).unwrap();
    put(&first, "r.txt", BODY, "text/plain");
    let again =
        LocalDirStore::open_with(&dir.0, &KeySource::File(dir.0.join("k/master.key"))).unwrap();
    assert_eq!(again.master_keys(), first.master_keys());
    assert_eq!(block_on(again.get("r.txt")).unwrap(), BODY);
    let text = std::fs::read_to_string(dir.0.join("k/master.key")).unwrap();
    assert!(text.contains(first.master_keys().current().to_hex().as_str()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.0.join("k/master.key");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let refused = LocalDirStore::open_with(&dir.0, &KeySource::File(path.clone())).unwrap_err();
        assert!(
            matches!(&refused, Error::Storage(m) if m.contains("chmod 600")),
            "{refused:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "key file left as it was"
        );
    }
}

#[test]
fn keys_from_the_environment() {
    let dir = TempDir::new("env");
    let (old, new) = (
        MasterKey::generate().unwrap(),
        MasterKey::generate().unwrap(),
    );
    let var = format!("DCMS_TEST_OBJECT_KEYS_{}", std::process::id());
    std::env::set_var(&var, old.to_hex().as_str());
    let store = LocalDirStore::open_with(&dir.0, &KeySource::Env(var.clone())).unwrap();
    put(&store, "r.txt", BODY, "text/plain");
    assert!(
        !dir.0.join("master.key").exists(),
        "no key file when keys come from the environment"
    );
    // Rotation with environment keys: the new key first, the old one after.
    std::env::set_var(&var, format!("{},{}", *new.to_hex(), *old.to_hex()));
    let rotating = LocalDirStore::open_with(&dir.0, &KeySource::Env(var.clone())).unwrap();
    let report = rotating.reseal().unwrap();
    assert_eq!(
        (report.sealed, report.rewrapped, report.unchanged),
        (0, 1, 0)
    );
    std::env::set_var(&var, new.to_hex().as_str());
    let after = LocalDirStore::open_with(&dir.0, &KeySource::Env(var.clone())).unwrap();
    assert_eq!(block_on(after.get("r.txt")).unwrap(), BODY);
    let before = raw(&dir.0, "r.txt");
    let rotate = LocalDirStore::rotate_master_key(&dir.0, &KeySource::Env(var.clone()));
    assert!(matches!(rotate, Err(Error::Unsupported(_))), "{rotate:?}");
    assert!(
        !dir.0.join("master.key").exists(),
        "a refused rotation writes no key file"
    );
    assert_eq!(
        raw(&dir.0, "r.txt"),
        before,
        "a refused rotation re-wraps nothing"
    );
    std::env::set_var(&var, "not-a-key");
    let bad = LocalDirStore::open_with(&dir.0, &KeySource::Env(var.clone())).unwrap_err();
    assert!(matches!(bad, Error::InvalidInput { .. }) && !bad.to_string().contains("not-a-key"));
    std::env::remove_var(&var);
    assert!(LocalDirStore::open_with(&dir.0, &KeySource::Env(var)).is_err());
}

fn reseal(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dcms-reseal"))
        .args(args)
        .env_remove("DCMS_OBJECT_KEYS")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_reseal_command_seals_legacy_objects_once() {
    let dir = TempDir::new("cmd");
    let root = dir.0.to_str().unwrap();
    put_legacy(&dir.0, "statements/v/2026-01.csv", BODY, "text/csv");
    std::fs::create_dir_all(dir.0.join("objects/hand")).unwrap();
    std::fs::write(dir.0.join("objects/hand/no-sidecar.bin"), BODY).unwrap();
    let store = LocalDirStore::open(&dir.0).unwrap();
    put(&store, "receipts/r-1.txt", BODY, "text/plain");

    let (ok, out) = reseal(&[root]);
    assert!(ok, "{out}");
    assert!(out.contains("sealed 2, re-wrapped 0, unchanged 1"), "{out}");
    for key in [
        "statements/v/2026-01.csv",
        "hand/no-sidecar.bin",
        "receipts/r-1.txt",
    ] {
        assert!(
            !contains(&raw(&dir.0, key), b"account 481516"),
            "{key} is plaintext on disk"
        );
        assert_eq!(block_on(store.get(key)).unwrap(), BODY, "{key}");
        let head = block_on(store.head(key)).unwrap().unwrap();
        assert_eq!(head.sse, Some(Sse::S3), "{key}");
    }
    let head = block_on(store.head("statements/v/2026-01.csv"))
        .unwrap()
        .unwrap();
    assert_eq!(
        head.content_type.as_deref(),
        Some("text/csv"),
        "content type kept from the sidecar"
    );
    let head = block_on(store.head("hand/no-sidecar.bin"))
        .unwrap()
        .unwrap();
    assert_eq!(
        head.content_type.as_deref(),
        Some("application/octet-stream")
    );

    // Again: nothing to do, nothing written.
    let before = raw(&dir.0, "statements/v/2026-01.csv");
    let (ok, out) = reseal(&[root]);
    assert!(
        ok && out.contains("sealed 0, re-wrapped 0, unchanged 3"),
        "{out}"
    );
    assert_eq!(raw(&dir.0, "statements/v/2026-01.csv"), before);
}

#[test]
fn the_reseal_command_refuses_bad_usage_and_stops_on_a_tampered_object() {
    let dir = TempDir::new("cmdbad");
    let root = dir.0.to_str().unwrap();
    let (ok, out) = reseal(&[]);
    assert!(!ok && out.contains("usage"), "{out}");
    let (ok, out) = reseal(&[root, "--bogus"]);
    assert!(!ok && out.contains("unknown option"), "{out}");
    let (ok, out) = reseal(&[root]);
    assert!(!ok && out.contains("no objects/ folder"), "{out}");
    assert!(
        !dir.0.exists(),
        "a mistyped path must not become a new store"
    );

    let store = LocalDirStore::open(&dir.0).unwrap();
    put(&store, "a.txt", BODY, "text/plain");
    let mut file = raw(&dir.0, "a.txt");
    let last = file.len() - 1;
    file[last] ^= 1;
    // Tampered in the header's wrap: the re-wrap needs the data key and must fail loudly.
    file[40] ^= 1;
    std::fs::write(dir.0.join("objects/a.txt"), &file).unwrap();
    let key_file = std::fs::read(dir.0.join("master.key")).unwrap();
    let (ok, out) = reseal(&[root, "--rotate"]);
    assert!(!ok && out.contains("integrity check"), "{out}");
    assert_eq!(
        raw(&dir.0, "a.txt"),
        file,
        "the tampered object is left as found"
    );
    // The rotation's first step happened (new key first, old kept), so nothing is lost.
    let keys =
        MasterKeys::parse(&std::fs::read_to_string(dir.0.join("master.key")).unwrap()).unwrap();
    assert_eq!(keys.previous().len(), 1);
    assert_eq!(
        &MasterKeys::parse(std::str::from_utf8(&key_file).unwrap())
            .unwrap()
            .current(),
        &&keys.previous()[0]
    );
}

#[test]
fn rotation_rewraps_data_keys_without_touching_bodies() {
    let dir = TempDir::new("rotate");
    let root = dir.0.to_str().unwrap();
    let store = LocalDirStore::open(&dir.0).unwrap();
    let old_keys = store.master_keys().clone();
    let names = ["s/1.csv", "s/2.json", "r/3.txt"];
    for name in names {
        put(&store, name, BODY, "text/plain");
    }
    let header_len = |file: &[u8]| 11 + usize::from(u16::from_be_bytes([file[9], file[10]]));
    let before: Vec<Vec<u8>> = names.iter().map(|n| raw(&dir.0, n)).collect();

    let (ok, out) = reseal(&[root, "--rotate"]);
    assert!(
        ok && out.contains("sealed 0, re-wrapped 3, unchanged 0"),
        "{out}"
    );
    let rotated =
        MasterKeys::parse(&std::fs::read_to_string(dir.0.join("master.key")).unwrap()).unwrap();
    assert_ne!(rotated.current(), old_keys.current());
    assert_eq!(rotated.previous(), std::slice::from_ref(old_keys.current()));
    for (name, old) in names.iter().zip(&before) {
        let new = raw(&dir.0, name);
        let (h_old, h_new) = (header_len(old), header_len(&new));
        assert_eq!(
            old[h_old..],
            new[h_new..],
            "{name}: the body was re-encrypted"
        );
        assert_ne!(
            old[..h_old],
            new[..h_new],
            "{name}: the data key was not re-wrapped"
        );
        // Only the new key is needed now; the old key alone opens nothing.
        assert_eq!(
            block_on(open(&dir.0, &rotated.without_previous()).get(name)).unwrap(),
            BODY
        );
        storage_error(block_on(open(&dir.0, &old_keys).get(name)));
    }

    // A process that still had the old key wrote meanwhile; --retire re-wraps it, then drops the old key.
    put(&open(&dir.0, &old_keys), "late/4.txt", BODY, "text/plain");
    let (ok, out) = reseal(&[root, "--retire"]);
    assert!(
        ok && out.contains("sealed 0, re-wrapped 1, unchanged 3"),
        "{out}"
    );
    let retired =
        MasterKeys::parse(&std::fs::read_to_string(dir.0.join("master.key")).unwrap()).unwrap();
    assert_eq!(retired, rotated.without_previous());
    let store = LocalDirStore::open(&dir.0).unwrap();
    assert_eq!(block_on(store.get("late/4.txt")).unwrap(), BODY);
    assert_eq!(block_on(store.list("")).unwrap().len(), 4);
}
