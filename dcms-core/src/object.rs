//! The `ObjectStore` port: where statements and receipts are kept.
//!
//! Every put carries server-side encryption: [`PutOptions`] has no
//! "unencrypted" choice, so a put without encryption cannot be expressed.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An object store shared between tasks.
pub type DynObjectStore = Arc<dyn ObjectStore>;

/// Server-side encryption of a stored object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sse {
    /// Keys managed by the store (S3's `AES256`).
    #[default]
    S3,
    /// A KMS key chosen by id (S3's `aws:kms`).
    Kms {
        /// The KMS key id or ARN.
        key_id: String,
    },
}

/// How to write an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PutOptions {
    /// MIME type, e.g. `text/csv`.
    pub content_type: String,
    /// Encryption at rest; always present.
    pub sse: Sse,
}

impl PutOptions {
    /// Options with the default encryption (SSE-S3).
    pub fn new(content_type: impl Into<String>) -> Self {
        PutOptions {
            content_type: content_type.into(),
            sse: Sse::default(),
        }
    }
}

/// What a store reports about an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// The object's key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The encryption the store says it applied.
    pub sse: Option<Sse>,
    /// Content type as stored.
    pub content_type: Option<String>,
}

/// A URL that grants read access until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedUrl {
    /// The URL.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Longest lifetime of a pre-signed URL (S3's own limit: seven days).
pub const MAX_PRESIGN: Duration = Duration::from_secs(7 * 24 * 3600);

/// Checks an object key: non-empty relative path of `[A-Za-z0-9._/-]`, no
/// `..` segment, at most 512 bytes.
pub fn check_object_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && !key.starts_with('/')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'))
        && key
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "object key",
            format!("{key:?} is not a safe relative key"),
        ))
    }
}

/// Checks a listing prefix: empty (everything), or the start of some key that
/// [`check_object_key`] accepts (`statements/`, `statements/v1`).
pub fn check_object_prefix(prefix: &str) -> Result<()> {
    // A prefix is acceptable exactly when some valid key starts with it;
    // appending one safe character turns "could start a key" into "is a key".
    if prefix.is_empty() || check_object_key(&format!("{prefix}x")).is_ok() {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "object prefix",
            format!("{prefix:?} cannot start a safe relative key"),
        ))
    }
}

/// Checks a pre-signed URL lifetime: more than zero and at most [`MAX_PRESIGN`].
pub fn check_presign_expiry(expires_in: Duration) -> Result<()> {
    if expires_in.is_zero() || expires_in > MAX_PRESIGN {
        Err(Error::invalid_input(
            "expires_in",
            format!(
                "{}s is outside 1s..={}s",
                expires_in.as_secs_f64(),
                MAX_PRESIGN.as_secs()
            ),
        ))
    } else {
        Ok(())
    }
}

/// Where statements and receipts are kept.
#[async_trait]
pub trait ObjectStore: Send + Sync + Debug {
    /// Writes (or replaces) an object, encrypted as `options.sse` says.
    async fn put(&self, key: &str, bytes: Vec<u8>, options: &PutOptions) -> Result<ObjectMeta>;
    /// Reads an object; [`Error::ObjectNotFound`] when absent.
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
    /// An object's metadata, or None when absent.
    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>>;
    /// A URL that reads the object until `expires_in` has passed.
    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<PresignedUrl>;
    /// Objects whose key starts with `prefix`, ordered by key.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>>;
}
