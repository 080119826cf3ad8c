//! Test servers from the environment (`scripts/services/all.sh` writes it).
//!
//! An unset variable skips the test loudly, unless `DCMS_REQUIRE_SERVERS=1`
//! (CI), where it fails: a missing server must never look like a pass.

#![allow(dead_code)] // each test file uses part of this

pub mod minio;

use dcms_aws::AwsSettings;

/// The values of `names`, or None (after printing SKIPPED) when one is unset.
pub fn env_or_skip(test: &str, names: &[&str]) -> Option<Vec<String>> {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| std::env::var(n).map(|v| v.is_empty()).unwrap_or(true))
        .collect();
    if missing.is_empty() {
        return Some(
            names
                .iter()
                .map(|n| std::env::var(n).unwrap_or_default())
                .collect(),
        );
    }
    let message = format!(
        "{test}: {} not set; run scripts/services/all.sh and source its env file",
        missing.join(", ")
    );
    if std::env::var("DCMS_REQUIRE_SERVERS").as_deref() == Ok("1") {
        panic!("DCMS_REQUIRE_SERVERS=1 but {message}");
    }
    // Written to the stderr handle, not with eprintln!, which the test
    // harness captures and hides for passing tests.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("\n*** SKIPPED: {message} ***\n").as_bytes(),
    );
    None
}

/// The MinIO (or other S3) server of the test environment.
pub struct S3Env {
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
}

impl S3Env {
    pub fn from_env(test: &str) -> Option<Self> {
        let v = env_or_skip(
            test,
            &[
                "DCMS_TEST_S3_ENDPOINT",
                "DCMS_TEST_S3_BUCKET",
                "DCMS_TEST_S3_ACCESS_KEY",
                "DCMS_TEST_S3_SECRET_KEY",
                "DCMS_TEST_S3_REGION",
            ],
        )?;
        let [endpoint, bucket, access_key, secret_key, region] = <[String; 5]>::try_from(v).ok()?;
        Some(S3Env {
            endpoint,
            bucket,
            access_key,
            secret_key,
            region,
        })
    }

    pub fn settings(&self) -> AwsSettings {
        AwsSettings::new()
            .region(&self.region)
            .endpoint_url(&self.endpoint)
            .static_credentials(&self.access_key, &self.secret_key)
    }
}

/// A key prefix no other run uses.
pub fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("dcms-it/{tag}-{nanos}-{}", std::process::id())
}
