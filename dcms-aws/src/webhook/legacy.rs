//! The webhook signature of DCMS 0.1, before Standard Webhooks:
//! `X-DCMS-Signature: sha256=<hex HMAC-SHA256>` over the exact body, with
//! `X-DCMS-Timestamp` and `X-DCMS-Event` beside it.
//!
//! Sent only when [`legacy_headers`](super::WebhookBuilder::legacy_headers)
//! is on, for receivers that have not moved to Standard Webhooks yet; it will
//! be removed in the next version. It signs the body only, so it cannot
//! refuse a replayed request by itself: receivers should move to the
//! `webhook-*` headers ([`standard`](super::standard)).

use dcms_core::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header holding the legacy signature.
pub const SIGNATURE_HEADER: &str = "X-DCMS-Signature";
/// Header holding the send time, Unix seconds (also `sent_at` in the body).
pub const TIMESTAMP_HEADER: &str = "X-DCMS-Timestamp";
/// Header naming the event, e.g. `statement.ready`.
pub const EVENT_HEADER: &str = "X-DCMS-Event";

const SCHEME: &str = "sha256=";

fn mac(secret: &[u8]) -> Result<Hmac<Sha256>> {
    // HMAC takes keys of any length; this only fails for fixed-size-key MACs.
    Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|e| Error::NotifyFailed(format!("webhook secret: {e}")))
}

/// The `X-DCMS-Signature` value for `body`: `sha256=<hex>`.
pub fn sign(secret: &[u8], body: &[u8]) -> Result<String> {
    let mut mac = mac(secret)?;
    mac.update(body);
    Ok(format!(
        "{SCHEME}{}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// Whether `header` is a valid legacy signature of `body`; compares in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(sig) = header
        .trim()
        .strip_prefix(SCHEME)
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let Ok(mut mac) = mac(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}
