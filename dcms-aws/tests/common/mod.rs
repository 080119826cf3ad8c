//! Test servers from the environment (`scripts/services/all.sh` writes it).
//!
//! An unset variable skips the test loudly, unless `DCMS_REQUIRE_SERVERS=1`
//! (CI), where it fails: a missing server must never look like a pass.

#![allow(dead_code)] // each test file uses part of this

pub mod minio;
mod moto_sns;
mod s3_env;

#[allow(unused_imports)] // each test file uses part of this
pub use moto_sns::{moto_sent, raw_sns_client};
#[allow(unused_imports)]
pub use s3_env::{raw_s3_client, S3Env};

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

impl S3Env {
    /// The server of the test environment, or None (skipped) when its
    /// variables are unset.
    pub fn from_env(test: &str) -> Option<Self> {
        env_or_skip(test, &Self::VARS).and_then(Self::from_values)
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
