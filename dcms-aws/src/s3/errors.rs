//! S3 errors into [`dcms_core::Error`], recognised by kind, error code and
//! HTTP status, never by message text (messages differ between AWS, MinIO
//! and others, and change without notice).

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use dcms_core::Error;

/// Codes S3 uses for "busy or briefly broken, try again".
const TRANSIENT_CODES: &[&str] = &[
    "SlowDown",
    "ServiceUnavailable",
    "InternalError",
    "RequestTimeout",
];

/// Maps a failed S3 call (`op` on `key`, after the SDK's own retries).
///
/// - no connection, timeout -> [`Error::StorageUnavailable`];
/// - 5xx or a throttling/transient code -> [`Error::StorageUnavailable`];
/// - anything else the service said (access denied, bad signature, no such
///   bucket…) -> [`Error::Storage`] naming the service's error code.
///
/// "No such key" is the caller's to recognise first, with the operation's
/// typed error (`is_no_such_key`, `is_not_found`).
pub(crate) fn storage_error<E>(op: &str, key: &str, err: SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            Error::StorageUnavailable(format!("S3 {op} {key:?}: {}", DisplayErrorContext(&err)))
        }
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or("no error code");
            let described = format!("S3 {op} {key:?}: {code} (HTTP {status})");
            if status >= 500 || TRANSIENT_CODES.contains(&code) {
                Error::StorageUnavailable(described)
            } else {
                Error::Storage(described)
            }
        }
        // Could not build the request, or could not read the answer: not
        // something a retry fixes.
        _ => Error::Storage(format!("S3 {op} {key:?}: {}", DisplayErrorContext(&err))),
    }
}
