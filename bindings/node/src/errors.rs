//! The one place core errors become JavaScript errors.
//!
//! napi rejects a Promise with an `Error` whose `code` is napi's own status,
//! so a core error travels as an envelope: the status `GenericFailure` and
//! the reason `DCMS_ERROR {json}`, where the JSON holds the core's stable
//! `code`, the message, `retryable` and the details a caller acts on
//! (`InsufficientPoints`, `LimitExceeded`). `errors.cjs` turns the envelope
//! into the matching `DcmsError` subclass; nothing else reads it.

use dcms_core::Error;
use napi::Status;
use serde_json::{json, Map, Value};

/// The prefix `errors.cjs` recognises (keep the two in step).
pub(crate) const ENVELOPE_PREFIX: &str = "DCMS_ERROR ";

/// The fields a caller acts on: which currency a spend lacked, which limit
/// refused.
fn details(error: &Error) -> Map<String, Value> {
    let mut out = Map::new();
    match error {
        Error::InsufficientPoints {
            account,
            currency,
            available,
            requested,
        } => {
            out.insert("account".into(), json!(account.to_string()));
            out.insert("currency".into(), json!(currency.as_str()));
            out.insert("available".into(), json!(available));
            out.insert("requested".into(), json!(requested));
        }
        Error::LimitExceeded {
            limit,
            cap,
            requested,
            remaining,
        } => {
            out.insert("limit".into(), json!(limit));
            out.insert("cap".into(), json!(cap));
            out.insert("requested".into(), json!(requested));
            out.insert("remaining".into(), json!(remaining));
        }
        _ => {}
    }
    out
}

/// The envelope of a core error, with extra fields (e.g. a batch's `index`).
pub(crate) fn envelope(error: &Error, extra: Map<String, Value>) -> String {
    let mut details = details(error);
    details.extend(extra);
    let body = json!({
        "code": error.code(),
        "message": error.to_string(),
        "retryable": error.is_retryable(),
        "details": details,
    });
    format!("{ENVELOPE_PREFIX}{body}")
}

/// A core error as the napi error that rejects the Promise.
pub(crate) fn to_napi(error: &Error) -> napi::Error {
    napi::Error::new(Status::GenericFailure, envelope(error, Map::new()))
}

/// A wrong JavaScript type (a number for money, a fraction for points):
/// `errors.cjs` throws it as a `TypeError`.
pub(crate) fn type_error(message: impl Into<String>) -> napi::Error {
    napi::Error::new(Status::InvalidArg, message.into())
}

/// `?` for core results inside binding functions.
pub(crate) trait CoreResult<T> {
    /// Converts the error side into the napi error carrying the envelope.
    fn js(self) -> napi::Result<T>;
}

impl<T> CoreResult<T> for Result<T, Error> {
    fn js(self) -> napi::Result<T> {
        self.map_err(|e| to_napi(&e))
    }
}
