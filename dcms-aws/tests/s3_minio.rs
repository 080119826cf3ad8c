//! The S3 store against a real S3 server (MinIO from `scripts/services`):
//! the shared object conformance suite, encryption checked with the raw SDK
//! (independent of our own mapping), pre-signed URLs fetched with a plain
//! HTTP client, and refused credentials.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use aws_sdk_s3::types::ServerSideEncryption;
use common::{env_or_skip, unique, S3Env};
use dcms_aws::{AwsSettings, S3ObjectStore};
use dcms_core::conformance::objects;
use dcms_core::{Error, ObjectStore, PutOptions, Sse};

async fn store(env: &S3Env, prefix: &str) -> S3ObjectStore {
    S3ObjectStore::builder(&env.bucket)
        .aws(env.settings())
        .path_style(true)
        .key_prefix(prefix)
        .build()
        .await
        .unwrap()
}

fn kms_key_id() -> Option<String> {
    env_or_skip("KMS conformance case", &["DCMS_TEST_KMS_KEY_ID"]).map(|mut v| v.remove(0))
}

#[tokio::test]
async fn s3_store_passes_object_conformance_and_encrypts_every_object() {
    let Some(env) = S3Env::from_env("s3 conformance") else {
        return;
    };
    let kms = kms_key_id();
    let prefix = unique("conformance");
    let store = store(&env, &prefix).await;
    let kms_case = kms
        .as_deref()
        .map_or(objects::Kms::Untested, objects::Kms::Key);
    // The at-rest attacks need MinIO's data folder and a second MinIO with
    // another key: `s3_at_rest_minio.rs` runs them on a MinIO of its own.
    objects::run_all(&store, kms_case, None).await;

    // Every object the suite wrote, as S3 itself reports it.
    let raw = env.raw_client();
    let mut pages = raw
        .list_objects_v2()
        .bucket(&env.bucket)
        .prefix(format!("{prefix}/"))
        .into_paginator()
        .send();
    let (mut aes, mut kms_count) = (0, 0);
    while let Some(page) = pages.next().await {
        for object in page.unwrap().contents() {
            let key = object.key().unwrap();
            let head = raw
                .head_object()
                .bucket(&env.bucket)
                .key(key)
                .send()
                .await
                .unwrap();
            match head.server_side_encryption() {
                Some(ServerSideEncryption::Aes256) => aes += 1,
                Some(ServerSideEncryption::AwsKms) => {
                    let reported = head.ssekms_key_id().unwrap_or_default();
                    let wanted = kms
                        .as_deref()
                        .expect("aws:kms object without a KMS key configured");
                    assert!(
                        objects::kms_key_matches(reported, wanted),
                        "{key}: KMS key {reported:?} is not {wanted:?}"
                    );
                    kms_count += 1;
                }
                other => panic!("{key} is not encrypted at rest: {other:?}"),
            }
        }
    }
    eprintln!("HeadObject: {aes} objects AES256, {kms_count} aws:kms");
    assert!(
        aes >= 10,
        "expected the suite's objects under {prefix}/, found {aes}"
    );
    assert_eq!(kms_count, usize::from(kms.is_some()), "KMS objects");
}

#[tokio::test]
async fn presigned_urls_work_expire_and_refuse_tampering() {
    let Some(env) = S3Env::from_env("s3 presign") else {
        return;
    };
    let store = store(&env, &unique("presign")).await;
    let http = reqwest::Client::new();
    let get = |url: String| {
        let http = http.clone();
        async move {
            let response = http.get(url).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap().to_vec())
        }
    };
    store
        .put(
            "r/receipt.txt",
            b"receipt 1".to_vec(),
            &PutOptions::new("text/plain"),
        )
        .await
        .unwrap();
    store
        .put(
            "r/other.txt",
            b"other".to_vec(),
            &PutOptions::new("text/plain"),
        )
        .await
        .unwrap();

    let url = store
        .presign_get("r/receipt.txt", Duration::from_secs(60))
        .await
        .unwrap()
        .url;
    assert_eq!(get(url.clone()).await, (200, b"receipt 1".to_vec()));

    // Tampered: another signature, another key.
    let (before, after) = url.split_once("X-Amz-Signature=").unwrap();
    let flipped = if after.starts_with('0') { "1" } else { "0" };
    let bad_sig = format!("{before}X-Amz-Signature={flipped}{}", &after[1..]);
    assert_eq!(get(bad_sig).await.0, 403, "tampered signature");
    let other_key = url.replace("r/receipt.txt", "r/other.txt");
    assert_eq!(get(other_key).await.0, 403, "key swapped");

    // Expired: a 2 s URL works now and not 4 s later.
    let short = store
        .presign_get("r/receipt.txt", Duration::from_secs(2))
        .await
        .unwrap()
        .url;
    assert_eq!(get(short.clone()).await.0, 200, "fresh short URL");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(get(short).await.0, 403, "expired URL");
}

#[tokio::test]
async fn presigned_url_reads_a_kms_encrypted_object() {
    let Some(env) = S3Env::from_env("s3 presign kms") else {
        return;
    };
    let Some(kms) = kms_key_id() else { return };
    let store = store(&env, &unique("presign-kms")).await;
    let options = PutOptions {
        content_type: "text/csv".into(),
        sse: Sse::Kms { key_id: kms },
    };
    store
        .put("s/2026-01.csv", b"a,b\n".to_vec(), &options)
        .await
        .unwrap();
    let url = store
        .presign_get("s/2026-01.csv", Duration::from_secs(60))
        .await
        .unwrap()
        .url;
    let body = reqwest::get(url)
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"a,b\n");
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_a_typed_error() {
    let Some(env) = S3Env::from_env("s3 credentials") else {
        return;
    };
    let options = PutOptions::new("text/plain");
    for (access, secret, code) in [
        (
            env.access_key.as_str(),
            "not-the-secret",
            "SignatureDoesNotMatch",
        ),
        (
            "no-such-user",
            env.secret_key.as_str(),
            "InvalidAccessKeyId",
        ),
    ] {
        let bad = S3ObjectStore::builder(&env.bucket)
            .aws(env.settings().static_credentials(access, secret))
            .path_style(true)
            .build()
            .await
            .unwrap();
        match bad.put("x/denied.txt", b"x".to_vec(), &options).await {
            Err(Error::Storage(message)) => assert!(message.contains(code), "{message}"),
            other => panic!("put with bad credentials: expected Storage({code}), got {other:?}"),
        }
        // Not a "no such object": the caller must see the real reason.
        assert!(matches!(
            bad.get("x/denied.txt").await,
            Err(Error::Storage(_))
        ));
        assert!(matches!(
            bad.head("x/denied.txt").await,
            Err(Error::Storage(_))
        ));
    }
}

#[tokio::test]
async fn a_missing_bucket_is_a_storage_error_not_a_missing_object() {
    let Some(env) = S3Env::from_env("s3 missing bucket") else {
        return;
    };
    let store = S3ObjectStore::builder("dcms-no-such-bucket-4f1c")
        .aws(env.settings())
        .path_style(true)
        .build()
        .await
        .unwrap();
    match store.get("x/y.txt").await {
        Err(Error::Storage(message)) => assert!(message.contains("NoSuchBucket"), "{message}"),
        other => panic!("expected Storage(NoSuchBucket), got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_server_is_storage_unavailable() {
    // Nothing listens on port 1: needs no server, always runs.
    let store = S3ObjectStore::builder("bucket")
        .aws(
            AwsSettings::new()
                .region("us-east-1")
                .endpoint_url("http://127.0.0.1:1")
                .static_credentials("a", "b")
                .connect_timeout(Duration::from_secs(1))
                .max_attempts(2),
        )
        .path_style(true)
        .build()
        .await
        .unwrap();
    let err = store
        .put("x/y.txt", b"x".to_vec(), &PutOptions::new("text/plain"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::StorageUnavailable(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn unsafe_key_prefixes_are_refused() {
    for prefix in ["../up", "a//b", "a b"] {
        let built = S3ObjectStore::builder("bucket")
            .aws(
                AwsSettings::new()
                    .region("us-east-1")
                    .static_credentials("a", "b"),
            )
            .key_prefix(prefix)
            .build()
            .await;
        assert!(
            matches!(built, Err(Error::InvalidInput { .. })),
            "{prefix:?}: {built:?}"
        );
    }
}
