//! Encryption at rest, tested as an attacker with access to the stored bytes
//! would try it: read them, flip a byte, move a file to another key, open
//! them with another master key. Each attack must end in an error, never in
//! the plaintext or in another object's bytes.

use async_trait::async_trait;

use super::{assert_head, ok};
use crate::error::Result;
use crate::object::{ObjectStore, PutOptions, Sse};

/// A handle on where a store keeps its bytes (a directory, a MinIO data
/// folder), for the cases that attack them. Keys are the store's own keys.
#[async_trait]
pub trait AtRest: Send + Sync {
    /// The bytes stored for `key`, as they sit on the disk.
    fn read_raw(&self, key: &str) -> std::io::Result<Vec<u8>>;
    /// Replaces the stored bytes of `key`.
    fn write_raw(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// Moves what is stored for `from` to `to`, replacing what `to` had.
    fn move_raw(&self, from: &str, to: &str) -> std::io::Result<()>;
    /// A store over the same stored bytes with another master key.
    async fn with_wrong_key(&self) -> Result<Box<dyn ObjectStore>>;
}

/// A body an attacker would look for: an account id and a purchase.
const SECRET_LINE: &[u8] = b"account 481516 bought 2 coffees at corner-shop; ";

fn secret_body() -> Vec<u8> {
    SECRET_LINE.repeat(40)
}

pub(super) async fn run_all(store: &dyn ObjectStore, raw: &dyn AtRest, p: &str) {
    not_plaintext_on_disk(store, raw, p).await;
    flipped_byte(store, raw, p).await;
    moved_to_another_key(store, raw, p).await;
    wrong_master_key(store, raw, p).await;
}

/// Shows how the store refused (with `--nocapture`): the reason should be
/// the attack, not some unrelated failure.
fn refused(case: &str, e: &crate::Error) {
    eprintln!("object conformance {case}: refused: {e}");
}

fn raw_ok<T>(case: &str, r: std::io::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("object conformance {case}: at-rest access failed: {e}"),
    }
}

async fn put_secret(case: &str, store: &dyn ObjectStore, key: &str) -> Vec<u8> {
    let body = secret_body();
    ok(
        case,
        store
            .put(key, body.clone(), &PutOptions::new("text/plain"))
            .await,
    );
    body
}

async fn not_plaintext_on_disk(store: &dyn ObjectStore, raw: &dyn AtRest, p: &str) {
    let case = "at_rest_not_plaintext";
    let key = format!("{p}at-rest/receipt.txt");
    let body = put_secret(case, store, &key).await;
    let stored = raw_ok(case, raw.read_raw(&key));
    // No 16-byte run of the plaintext may appear, anywhere.
    let leaked = body
        .windows(16)
        .step_by(7)
        .any(|w| stored.windows(16).any(|s| s == w));
    assert!(
        !leaked,
        "object conformance {case}: the plaintext is on disk"
    );
    assert_head(case, store, &key, body.len() as u64, "text/plain", &Sse::S3).await;
    assert_eq!(
        ok(case, store.get(&key).await),
        body,
        "object conformance {case}: get"
    );
}

async fn flipped_byte(store: &dyn ObjectStore, raw: &dyn AtRest, p: &str) {
    let case = "at_rest_flipped_byte";
    let key = format!("{p}at-rest/flipped.txt");
    let body = put_secret(case, store, &key).await;
    let stored = raw_ok(case, raw.read_raw(&key));
    // The last byte (the end of the sealed body) and one in the middle.
    for at in [stored.len() - 1, stored.len() / 2] {
        let mut altered = stored.clone();
        altered[at] ^= 0x01;
        raw_ok(case, raw.write_raw(&key, &altered));
        match store.get(&key).await {
            Err(e) => refused(case, &e),
            Ok(got) => panic!(
                "object conformance {case}: byte {at} flipped, get returned {} bytes{}",
                got.len(),
                if got == body { " (the original)" } else { "" }
            ),
        }
    }
    // Put back, it reads again: the error was the tampering, nothing else.
    raw_ok(case, raw.write_raw(&key, &stored));
    assert_eq!(
        ok(case, store.get(&key).await),
        body,
        "object conformance {case}: restored"
    );
}

async fn moved_to_another_key(store: &dyn ObjectStore, raw: &dyn AtRest, p: &str) {
    let case = "at_rest_moved_to_another_key";
    let (from, to) = (
        format!("{p}at-rest/alice.txt"),
        format!("{p}at-rest/bob.txt"),
    );
    let alice = put_secret(case, store, &from).await;
    ok(
        case,
        store
            .put(
                &to,
                b"bob's receipt".to_vec(),
                &PutOptions::new("text/plain"),
            )
            .await,
    );
    raw_ok(case, raw.move_raw(&from, &to));
    match store.get(&to).await {
        Err(e) => refused(case, &e),
        Ok(got) => panic!(
            "object conformance {case}: a file moved to another key opened ({} bytes{})",
            got.len(),
            if got == alice { ", alice's" } else { "" }
        ),
    }
}

async fn wrong_master_key(store: &dyn ObjectStore, raw: &dyn AtRest, p: &str) {
    let case = "at_rest_wrong_master_key";
    let key = format!("{p}at-rest/wrong-key.txt");
    let body = put_secret(case, store, &key).await;
    let other = ok(case, raw.with_wrong_key().await);
    match other.get(&key).await {
        Err(e) => refused(case, &e),
        Ok(got) => panic!(
            "object conformance {case}: opened with another master key ({} bytes{})",
            got.len(),
            if got == body { ", the plaintext" } else { "" }
        ),
    }
    // The right key still opens it.
    assert_eq!(
        ok(case, store.get(&key).await),
        body,
        "object conformance {case}: right key"
    );
}
