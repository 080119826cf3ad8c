//! The one integration suite every [`ObjectStore`] runs: the local directory
//! store in dcms-core's tests, S3 against a real server in dcms-aws's.
//!
//! ```ignore
//! use dcms_core::conformance::objects::{run_all, Kms};
//! run_all(&store, Kms::Key("my-kms-key"), Some(&at_rest)).await;
//! ```
//!
//! Everything is written under a fresh `conformance/<time>-<random>/` prefix,
//! so runs can share a bucket. The port has no delete, so the objects stay
//! behind: point the suite at a test bucket or directory.
//!
//! The encryption-at-rest cases attack the stored bytes
//! themselves, so they need an [`AtRest`] handle on where the store keeps
//! them (a directory, a MinIO data folder).

mod at_rest;

use std::fmt::Debug;
use std::time::Duration;

use chrono::Utc;

use crate::error::{Error, Result};
use crate::object::{ObjectStore, PutOptions, Sse, MAX_PRESIGN};

pub use at_rest::AtRest;

/// What the suite expects of a store's KMS encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kms<'a> {
    /// The store encrypts with this KMS key (an id or ARN, not an alias: S3
    /// reports the key's ARN back).
    Key(&'a str),
    /// The store has no KMS: a put asking for one must be refused with
    /// [`Error::Unsupported`] and write nothing.
    Refused,
    /// Not tested here (no key configured): skipped, loudly.
    Untested,
}

/// Runs every case against `store`; panics with the case's name on failure.
///
/// `at_rest`: a handle on the stored bytes, for the cases that attack them;
/// `None` skips those cases, loudly.
pub async fn run_all(store: &dyn ObjectStore, kms: Kms<'_>, at_rest: Option<&dyn AtRest>) {
    let p = unique_prefix();
    round_trip(store, &p).await;
    empty_and_binary(store, &p).await;
    match kms {
        Kms::Key(key_id) => sse_kms(store, &p, key_id).await,
        Kms::Refused => kms_refused(store, &p).await,
        Kms::Untested => skipped("sse_kms (no KMS key id given)"),
    }
    overwrite(store, &p).await;
    list_by_prefix(store, &p).await;
    missing(store, &p).await;
    hostile_keys(store, &p).await;
    presign_bounds(store, &p).await;
    match at_rest {
        Some(raw) => at_rest::run_all(store, raw, &p).await,
        None => skipped("encryption at rest (no AtRest handle given)"),
    }
}

/// Says a case was skipped, past the test harness's capture of `eprintln!`.
fn skipped(what: &str) {
    let note = format!("\n*** SKIPPED: object conformance case {what} ***\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
}

/// A prefix no other run uses: `conformance/<unix nanos>-<random>/`.
pub fn unique_prefix() -> String {
    let mut random = [0u8; 4];
    // Time alone keeps runs apart; the random part only guards against twins.
    let _ = getrandom::fill(&mut random);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("conformance/{nanos}-{}/", hex::encode(random))
}

/// Whether the KMS key a store reports is the one that was requested: the
/// same id, or an ARN that ends with it (S3 reports `arn:aws:kms:…:key/<id>`,
/// MinIO `arn:aws:kms:<id>`).
pub fn kms_key_matches(reported: &str, requested: &str) -> bool {
    reported == requested
        || (reported.starts_with("arn:")
            && (reported.ends_with(&format!("/{requested}"))
                || reported.ends_with(&format!(":{requested}"))))
}

/// Whether `reported` is the encryption `requested`, by [`kms_key_matches`] for KMS.
pub fn sse_matches(reported: &Sse, requested: &Sse) -> bool {
    match (reported, requested) {
        (Sse::S3, Sse::S3) => true,
        (Sse::Kms { key_id: got }, Sse::Kms { key_id: want }) => kms_key_matches(got, want),
        _ => false,
    }
}

fn ok<T>(case: &str, r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("object conformance {case}: unexpected error {e:?}"),
    }
}

fn expect_invalid<T: Debug>(case: &str, what: &str, r: Result<T>) {
    match r {
        Err(Error::InvalidInput { .. }) => {}
        other => panic!("object conformance {case}: {what} should be InvalidInput, got {other:?}"),
    }
}

async fn assert_head(
    case: &str,
    store: &dyn ObjectStore,
    key: &str,
    size: u64,
    ct: &str,
    sse: &Sse,
) {
    let meta = ok(case, store.head(key).await);
    let Some(meta) = meta else {
        panic!("object conformance {case}: head({key:?}) found nothing")
    };
    assert_eq!(meta.key, key, "object conformance {case}: head key");
    assert_eq!(meta.size, size, "object conformance {case}: head size");
    assert_eq!(
        meta.content_type.as_deref(),
        Some(ct),
        "object conformance {case}: head content type"
    );
    match &meta.sse {
        Some(got) if sse_matches(got, sse) => {}
        got => panic!("object conformance {case}: head of {key:?} reports encryption {got:?}, expected {sse:?}"),
    }
}

async fn round_trip(store: &dyn ObjectStore, p: &str) {
    let case = "round_trip";
    let key = format!("{p}statements/v-1/2026-01.csv");
    let body = b"date,points\n2026-01-02,37\n".to_vec();
    let put = ok(
        case,
        store
            .put(&key, body.clone(), &PutOptions::new("text/csv"))
            .await,
    );
    assert_eq!(put.key, key, "object conformance {case}: put key");
    assert_eq!(
        put.size,
        body.len() as u64,
        "object conformance {case}: put size"
    );
    assert_eq!(
        ok(case, store.get(&key).await),
        body,
        "object conformance {case}: get bytes"
    );
    assert_head(case, store, &key, body.len() as u64, "text/csv", &Sse::S3).await;
}

async fn empty_and_binary(store: &dyn ObjectStore, p: &str) {
    let case = "empty_and_binary";
    let empty = format!("{p}bytes/empty");
    ok(
        case,
        store
            .put(
                &empty,
                Vec::new(),
                &PutOptions::new("application/octet-stream"),
            )
            .await,
    );
    assert_eq!(
        ok(case, store.get(&empty).await),
        Vec::<u8>::new(),
        "object conformance {case}: empty"
    );
    assert_head(case, store, &empty, 0, "application/octet-stream", &Sse::S3).await;

    let binary = format!("{p}bytes/all-256");
    let body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    ok(
        case,
        store
            .put(
                &binary,
                body.clone(),
                &PutOptions::new("application/octet-stream"),
            )
            .await,
    );
    assert_eq!(
        ok(case, store.get(&binary).await),
        body,
        "object conformance {case}: binary"
    );
}

async fn sse_kms(store: &dyn ObjectStore, p: &str, key_id: &str) {
    let case = "sse_kms";
    let key = format!("{p}receipts/kms.json");
    let sse = Sse::Kms {
        key_id: key_id.to_owned(),
    };
    let options = PutOptions {
        content_type: "application/json".into(),
        sse: sse.clone(),
    };
    let body = br#"{"points":37}"#.to_vec();
    ok(case, store.put(&key, body.clone(), &options).await);
    assert_eq!(
        ok(case, store.get(&key).await),
        body,
        "object conformance {case}: get bytes"
    );
    assert_head(
        case,
        store,
        &key,
        body.len() as u64,
        "application/json",
        &sse,
    )
    .await;
}

async fn kms_refused(store: &dyn ObjectStore, p: &str) {
    let case = "kms_refused";
    let key = format!("{p}receipts/kms.json");
    let kms = PutOptions {
        content_type: "application/json".into(),
        sse: Sse::Kms {
            key_id: "no-such-kms".into(),
        },
    };
    match store.put(&key, b"{}".to_vec(), &kms).await {
        Err(Error::Unsupported(_)) => {}
        other => {
            panic!("object conformance {case}: a KMS put should be Unsupported, got {other:?}")
        }
    }
    assert_eq!(
        ok(case, store.head(&key).await),
        None,
        "object conformance {case}: a refused put wrote something"
    );
    // Over an existing object: refused, and the object is untouched.
    let body = b"kept".to_vec();
    ok(
        case,
        store
            .put(&key, body.clone(), &PutOptions::new("text/plain"))
            .await,
    );
    assert!(
        matches!(
            store.put(&key, b"{}".to_vec(), &kms).await,
            Err(Error::Unsupported(_))
        ),
        "object conformance {case}: a KMS put over an object should be Unsupported"
    );
    assert_eq!(
        ok(case, store.get(&key).await),
        body,
        "object conformance {case}: bytes"
    );
    assert_head(case, store, &key, 4, "text/plain", &Sse::S3).await;
}

async fn overwrite(store: &dyn ObjectStore, p: &str) {
    let case = "overwrite";
    let key = format!("{p}overwrite/receipt.txt");
    ok(
        case,
        store
            .put(
                &key,
                b"first version, longer".to_vec(),
                &PutOptions::new("text/plain"),
            )
            .await,
    );
    ok(
        case,
        store
            .put(&key, b"second".to_vec(), &PutOptions::new("text/markdown"))
            .await,
    );
    assert_eq!(
        ok(case, store.get(&key).await),
        b"second".to_vec(),
        "object conformance {case}: bytes"
    );
    assert_head(case, store, &key, 6, "text/markdown", &Sse::S3).await;
}

async fn list_by_prefix(store: &dyn ObjectStore, p: &str) {
    let case = "list_by_prefix";
    // Put out of order; a sibling shares the string prefix `list` but not `list/`.
    for name in ["list/b.txt", "list/c/d.txt", "listing.txt", "list/a.txt"] {
        let key = format!("{p}{name}");
        ok(
            case,
            store
                .put(
                    &key,
                    name.as_bytes().to_vec(),
                    &PutOptions::new("text/plain"),
                )
                .await,
        );
    }
    let keys = |prefix: String| async move {
        let listed = ok(case, store.list(&prefix).await);
        for meta in &listed {
            let expected = meta.key.strip_prefix(p).map(str::len).unwrap_or_default() as u64;
            assert_eq!(
                meta.size, expected,
                "object conformance {case}: size of {}",
                meta.key
            );
        }
        listed.into_iter().map(|m| m.key).collect::<Vec<_>>()
    };
    let full = |names: &[&str]| names.iter().map(|n| format!("{p}{n}")).collect::<Vec<_>>();
    assert_eq!(
        keys(format!("{p}list/")).await,
        full(&["list/a.txt", "list/b.txt", "list/c/d.txt"]),
        "object conformance {case}: folder prefix, ordered by key"
    );
    assert_eq!(
        keys(format!("{p}list")).await,
        full(&["list/a.txt", "list/b.txt", "list/c/d.txt", "listing.txt"]),
        "object conformance {case}: string prefix"
    );
    assert_eq!(
        keys(format!("{p}list/c/d")).await,
        full(&["list/c/d.txt"]),
        "object conformance {case}: partial name"
    );
    assert_eq!(
        keys(format!("{p}nothing-here/")).await,
        Vec::<String>::new(),
        "object conformance {case}: empty"
    );
}

async fn missing(store: &dyn ObjectStore, p: &str) {
    let case = "missing";
    let key = format!("{p}missing/never-written.csv");
    match store.get(&key).await {
        Err(Error::ObjectNotFound(k)) => {
            assert_eq!(k, key, "object conformance {case}: key in error")
        }
        other => panic!("object conformance {case}: get should be ObjectNotFound, got {other:?}"),
    }
    assert_eq!(
        ok(case, store.head(&key).await),
        None,
        "object conformance {case}: head"
    );
    // A folder-like prefix of real keys is not an object either.
    ok(
        case,
        store
            .put(
                &format!("{p}missing/dir/x"),
                vec![1],
                &PutOptions::new("text/plain"),
            )
            .await,
    );
    assert_eq!(
        ok(case, store.head(&format!("{p}missing/dir")).await),
        None,
        "object conformance {case}: folder"
    );
}

async fn hostile_keys(store: &dyn ObjectStore, p: &str) {
    let case = "hostile_keys";
    let long = format!("{p}{}", "k".repeat(513));
    let hostile = [
        "../x".to_owned(),
        format!("{p}../../x"),
        "/abs".to_owned(),
        String::new(),
        long,
        format!("{p}a//b"),
        format!("{p}./b"),
        format!("{p}a\\b"),
        format!("{p}a b"),
        format!("{p}caf\u{e9}"),
        format!("{p}dir/"),
    ];
    let options = PutOptions::new("text/plain");
    for key in &hostile {
        expect_invalid(
            case,
            &format!("put {key:?}"),
            store.put(key, vec![1], &options).await,
        );
        expect_invalid(case, &format!("get {key:?}"), store.get(key).await);
        expect_invalid(case, &format!("head {key:?}"), store.head(key).await);
        expect_invalid(
            case,
            &format!("presign {key:?}"),
            store.presign_get(key, Duration::from_secs(60)).await,
        );
    }
    for prefix in ["../", "/abs", "a//", "a\\", "a b"] {
        expect_invalid(case, &format!("list {prefix:?}"), store.list(prefix).await);
    }
}

async fn presign_bounds(store: &dyn ObjectStore, p: &str) {
    let case = "presign_bounds";
    let key = format!("{p}presign/receipt.txt");
    ok(
        case,
        store
            .put(&key, b"receipt".to_vec(), &PutOptions::new("text/plain"))
            .await,
    );
    expect_invalid(
        case,
        "zero expiry",
        store.presign_get(&key, Duration::ZERO).await,
    );
    expect_invalid(
        case,
        "expiry over MAX_PRESIGN",
        store
            .presign_get(&key, MAX_PRESIGN + Duration::from_secs(1))
            .await,
    );
    for expires_in in [Duration::from_secs(60), MAX_PRESIGN] {
        let before = Utc::now();
        let url = ok(case, store.presign_get(&key, expires_in).await);
        let after = Utc::now();
        assert!(!url.url.is_empty(), "object conformance {case}: empty URL");
        let lifetime = chrono::Duration::from_std(expires_in).unwrap_or_default();
        let slack = chrono::Duration::seconds(2);
        assert!(
            url.expires_at >= before + lifetime - slack
                && url.expires_at <= after + lifetime + slack,
            "object conformance {case}: expires_at {} is not about {}s from now",
            url.expires_at,
            expires_in.as_secs()
        );
    }
}
