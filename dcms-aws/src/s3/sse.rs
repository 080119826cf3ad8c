//! [`Sse`] to S3's encryption headers and back.

use aws_sdk_s3::types::ServerSideEncryption;
use dcms_core::Sse;

/// The `x-amz-server-side-encryption` value for `sse`, and the KMS key id.
/// An empty key id sends none: S3 then uses the account's AWS-managed key
/// (`aws/s3`), which is what an empty id can only mean.
pub(crate) fn to_s3(sse: &Sse) -> (ServerSideEncryption, Option<&str>) {
    match sse {
        Sse::S3 => (ServerSideEncryption::Aes256, None),
        Sse::Kms { key_id } => (
            ServerSideEncryption::AwsKms,
            Some(key_id.as_str()).filter(|k| !k.is_empty()),
        ),
    }
}

/// What S3 reported, as an [`Sse`]: `AES256` and `aws:kms` (with the key id
/// S3 reports, usually an ARN). Other kinds (dual-layer KMS, FSx, backup) are
/// never written by DCMS and come back as `None`.
pub(crate) fn from_s3(
    algorithm: Option<&ServerSideEncryption>,
    kms_key_id: Option<&str>,
) -> Option<Sse> {
    match algorithm? {
        ServerSideEncryption::Aes256 => Some(Sse::S3),
        ServerSideEncryption::AwsKms => Some(Sse::Kms {
            key_id: kms_key_id.unwrap_or_default().to_owned(),
        }),
        _ => None,
    }
}

/// Whether the encryption S3 confirmed is the kind that was asked for. The KMS
/// key id is not compared: S3 answers with the key's ARN, not the id given.
pub(crate) fn same_kind(requested: &Sse, reported: Option<&Sse>) -> bool {
    matches!(
        (requested, reported),
        (Sse::S3, Some(Sse::S3)) | (Sse::Kms { .. }, Some(Sse::Kms { .. }))
    )
}
