//! The whole object conformance suite, its at-rest attacks included, on the
//! S3 store against a MinIO of the test's own: SSE-S3 and SSE-KMS with a
//! static KMS key, MinIO's files (`<data>/<bucket>/<key>/xl.meta`) read,
//! altered and moved underneath it, and a second MinIO over a copy of the
//! data with another KMS key.
//!
//! Needs the MinIO binary that `scripts/services/minio.sh` builds (or
//! `DCMS_TEST_MINIO_BIN`); without it the test is skipped loudly, or fails
//! when `DCMS_REQUIRE_SERVERS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::Mutex;

use async_trait::async_trait;
use common::minio::{self, Minio};
use common::raw_s3_client;
use dcms_aws::{AwsSettings, S3ObjectStore};
use dcms_core::conformance::objects::{self, AtRest, Kms};
use dcms_core::ObjectStore;

const BUCKET: &str = "dcms-at-rest";
const KMS_KEY: &str = "dcms-at-rest-key";
/// Test-only static KMS keys (32 bytes, base64): the right one and another.
const RIGHT_KMS: &str = "dcms-at-rest-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const WRONG_KMS: &str = "dcms-at-rest-key:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
const PREFIX: &str = "suite";

async fn s3_store(endpoint: &str) -> S3ObjectStore {
    S3ObjectStore::builder(BUCKET)
        .aws(
            AwsSettings::new()
                .region(minio::REGION)
                .endpoint_url(endpoint)
                .static_credentials(minio::USER, minio::PASSWORD)
                .max_attempts(1),
        )
        .path_style(true)
        .key_prefix(PREFIX)
        .build()
        .await
        .unwrap()
}

async fn create_bucket(endpoint: &str) {
    raw_s3_client(endpoint, minio::REGION, minio::USER, minio::PASSWORD)
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
}

/// MinIO's files for the suite's keys, and a second MinIO on demand.
struct MinioAtRest {
    bin: PathBuf,
    data: PathBuf,
    /// The MinIO started by `with_wrong_key`, kept until the test ends.
    second: Mutex<Vec<Minio>>,
}

impl MinioAtRest {
    /// The folder MinIO keeps an object in (its `xl.meta` holds small bodies inline).
    fn dir(&self, key: &str) -> PathBuf {
        self.data.join(BUCKET).join(PREFIX).join(key)
    }
}

#[async_trait]
impl AtRest for MinioAtRest {
    fn read_raw(&self, key: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.dir(key).join("xl.meta"))
    }
    fn write_raw(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.dir(key).join("xl.meta"), bytes)
    }
    fn move_raw(&self, from: &str, to: &str) -> std::io::Result<()> {
        std::fs::remove_dir_all(self.dir(to))?;
        std::fs::rename(self.dir(from), self.dir(to))
    }
    async fn with_wrong_key(&self) -> dcms_core::Result<Box<dyn ObjectStore>> {
        let copy = self.data.with_extension("wrong-key");
        minio::copy_tree(&self.data, &copy)
            .map_err(|e| dcms_core::Error::Storage(e.to_string()))?;
        let other = Minio::start(&self.bin, &copy, WRONG_KMS).await;
        let store = s3_store(&other.endpoint).await;
        self.second.lock().unwrap().push(other);
        Ok(Box::new(store))
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn s3_store_passes_the_whole_suite_with_at_rest_attacks_on_minio() {
    let Some(bin) = minio::binary() else {
        let _ = common::env_or_skip("s3 at-rest suite (MinIO binary)", &["DCMS_TEST_MINIO_BIN"]);
        return;
    };
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let tmp = TempDir(
        std::env::temp_dir().join(format!("dcms-minio-at-rest-{}-{nanos}", std::process::id())),
    );
    std::fs::create_dir_all(&tmp.0).unwrap();
    let data = tmp.0.join("data");
    let server = Minio::start(&bin, &data, RIGHT_KMS).await;
    create_bucket(&server.endpoint).await;
    let store = s3_store(&server.endpoint).await;
    let at_rest = MinioAtRest {
        bin,
        data,
        second: Mutex::new(Vec::new()),
    };
    objects::run_all(&store, Kms::Key(KMS_KEY), Some(&at_rest)).await;
    drop(at_rest);
    drop(server);
}
