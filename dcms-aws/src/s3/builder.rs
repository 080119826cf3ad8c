//! [`S3ObjectStoreBuilder`]: bucket, key prefix, addressing style and the
//! [`AwsSettings`] that say how to reach S3.

use dcms_core::{object::check_object_key, Error, Result};

use super::S3ObjectStore;
use crate::settings::AwsSettings;

/// Configures an [`S3ObjectStore`]; start with [`S3ObjectStore::builder`].
#[derive(Debug, Clone)]
pub struct S3ObjectStoreBuilder {
    bucket: String,
    aws: AwsSettings,
    key_prefix: String,
    path_style: bool,
    require_sse_confirmation: bool,
}

impl S3ObjectStoreBuilder {
    pub(super) fn new(bucket: String) -> Self {
        S3ObjectStoreBuilder {
            bucket,
            aws: AwsSettings::default(),
            key_prefix: String::new(),
            path_style: false,
            require_sse_confirmation: true,
        }
    }

    /// Region, endpoint, credentials, timeouts (default: the AWS chain).
    pub fn aws(mut self, settings: AwsSettings) -> Self {
        self.aws = settings;
        self
    }

    /// Keeps every object under `prefix/` in the bucket (e.g. `dcms/prod`),
    /// so several programs can share one bucket. Keys seen through the store
    /// do not include it.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Path-style URLs (`http://host/bucket/key`) instead of virtual-hosted
    /// ones (`http://bucket.host/key`): what MinIO and most S3-compatible
    /// servers on one host need.
    pub fn path_style(mut self, yes: bool) -> Self {
        self.path_style = yes;
        self
    }

    /// Whether a put fails with [`Error::Unsupported`] when S3's answer does
    /// not confirm the requested encryption (default: yes). Turn off only for
    /// a server known to encrypt without saying so.
    pub fn require_sse_confirmation(mut self, yes: bool) -> Self {
        self.require_sse_confirmation = yes;
        self
    }

    /// Resolves the AWS configuration and makes the store. Does not contact S3.
    pub async fn build(self) -> Result<S3ObjectStore> {
        if self.bucket.is_empty() {
            return Err(Error::InvalidInput {
                field: "bucket",
                reason: "empty bucket name".into(),
            });
        }
        let key_prefix = normalise_prefix(&self.key_prefix)?;
        let sdk = self.aws.load().await?;
        let config = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(self.path_style)
            .build();
        Ok(S3ObjectStore {
            client: aws_sdk_s3::Client::from_conf(config),
            bucket: self.bucket,
            key_prefix,
            require_sse_confirmation: self.require_sse_confirmation,
        })
    }
}

/// `""` stays empty; `a/b`, `a/b/` and `/a/b/` become `a/b/`.
fn normalise_prefix(prefix: &str) -> Result<String> {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    check_object_key(trimmed).map_err(|_| Error::InvalidInput {
        field: "key prefix",
        reason: format!("{prefix:?} is not a safe relative path"),
    })?;
    Ok(format!("{trimmed}/"))
}
