//! [`S3ObjectStore`]: statements and receipts in an S3 bucket (or MinIO, or
//! any S3-compatible server), always encrypted at rest.
//!
//! - Every put sets server-side encryption: `AES256` for [`Sse::S3`](dcms_core::Sse::S3),
//!   `aws:kms` plus the key id for [`Sse::Kms`](dcms_core::Sse::Kms). By default a put whose
//!   answer does not confirm that encryption fails with
//!   [`Error::Unsupported`], so a server that ignores the header is noticed.
//! - `head` reports the encryption S3 says it applied (`ServerSideEncryption`
//!   and `SSEKMSKeyId`; S3 gives the key's ARN).
//! - `list` pages through `ListObjectsV2`; S3 does not return encryption or
//!   content type in listings, so those are `None` there (use `head`).
//! - Pre-signed GET URLs use SigV4 query signing with the expiry asked for,
//!   at most [`dcms_core::object::MAX_PRESIGN`] (S3's own limit).
//! - Errors, recognised by code and status, never by message: no such key -> [`Error::ObjectNotFound`] (or
//!   `None` from `head`); connection, timeout, 5xx -> [`Error::StorageUnavailable`];
//!   any other service error -> [`Error::Storage`] naming S3's error code.

mod builder;
mod errors;
mod sse;

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use chrono::Utc;
use dcms_core::object::{check_object_key, check_object_prefix, check_presign_expiry};
use dcms_core::{Error, ObjectMeta, ObjectStore, PresignedUrl, PutOptions, Result};

pub use builder::S3ObjectStoreBuilder;
use errors::storage_error;

/// An [`ObjectStore`] on an S3 bucket (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct S3ObjectStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// Empty, or ends with `/`.
    key_prefix: String,
    require_sse_confirmation: bool,
}

impl S3ObjectStore {
    /// Starts configuring a store on `bucket`.
    pub fn builder(bucket: impl Into<String>) -> S3ObjectStoreBuilder {
        S3ObjectStoreBuilder::new(bucket.into())
    }

    /// The underlying SDK client, for what the port does not cover.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key of `key` in the bucket: the key prefix, then the key.
    pub fn bucket_key(&self, key: &str) -> String {
        format!("{}{key}", self.key_prefix)
    }
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, options: &PutOptions) -> Result<ObjectMeta> {
        check_object_key(key)?;
        let size = bytes.len() as u64;
        let (algorithm, kms_key_id) = sse::to_s3(&options.sse);
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.bucket_key(key))
            .content_type(&options.content_type)
            .server_side_encryption(algorithm)
            .set_ssekms_key_id(kms_key_id.map(str::to_owned))
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| storage_error("put", key, e))?;
        let confirmed = sse::from_s3(out.server_side_encryption(), out.ssekms_key_id());
        if self.require_sse_confirmation && !sse::same_kind(&options.sse, confirmed.as_ref()) {
            return Err(Error::Unsupported(format!(
                "S3 did not confirm {:?} encryption for {key:?} (it answered {confirmed:?}); \
                 the object may be stored unencrypted",
                options.sse
            )));
        }
        Ok(ObjectMeta {
            key: key.to_owned(),
            size,
            sse: confirmed,
            content_type: Some(options.content_type.clone()),
        })
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        check_object_key(key)?;
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.bucket_key(key))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(GetObjectError::is_no_such_key) =>
            {
                return Err(Error::ObjectNotFound(key.to_owned()))
            }
            Err(e) => return Err(storage_error("get", key, e)),
        };
        let body = out
            .body
            .collect()
            .await
            // The connection broke mid-body: worth a retry.
            .map_err(|e| {
                Error::StorageUnavailable(format!("S3 get {key:?}: reading the body: {e}"))
            })?;
        Ok(body.into_bytes().to_vec())
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        check_object_key(key)?;
        let out = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(self.bucket_key(key))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(HeadObjectError::is_not_found) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(storage_error("head", key, e)),
        };
        Ok(Some(ObjectMeta {
            key: key.to_owned(),
            size: out
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or_default(),
            sse: sse::from_s3(out.server_side_encryption(), out.ssekms_key_id()),
            content_type: out.content_type().map(str::to_owned),
        }))
    }

    async fn presign_get(&self, key: &str, expires_in: Duration) -> Result<PresignedUrl> {
        check_object_key(key)?;
        check_presign_expiry(expires_in)?;
        let config = PresigningConfig::expires_in(expires_in).map_err(|e| Error::InvalidInput {
            field: "expires_in",
            reason: e.to_string(),
        })?;
        let now = Utc::now();
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.bucket_key(key))
            .presigned(config)
            .await
            .map_err(|e| storage_error("presign", key, e))?;
        let lifetime = chrono::Duration::from_std(expires_in).map_err(|e| Error::InvalidInput {
            field: "expires_in",
            reason: e.to_string(),
        })?;
        Ok(PresignedUrl {
            url: request.uri().to_owned(),
            expires_at: now + lifetime,
        })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        check_object_prefix(prefix)?;
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(self.bucket_key(prefix))
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| storage_error("list", prefix, e))?;
            for object in page.contents() {
                let Some(key) = object.key().and_then(|k| k.strip_prefix(&self.key_prefix)) else {
                    continue;
                };
                // Written by another tool under a name this API cannot address.
                if check_object_key(key).is_err() {
                    continue;
                }
                out.push(ObjectMeta {
                    key: key.to_owned(),
                    size: object
                        .size()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or_default(),
                    sse: None,
                    content_type: None,
                });
            }
        }
        // S3 lists in UTF-8 byte order already; sorting keeps the promise for
        // servers that do not.
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }
}
