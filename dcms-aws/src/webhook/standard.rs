//! Signatures per the Standard Webhooks specification, so a receiver can
//! check DCMS's notifications with any of its published verifier libraries.
//!
//! Each request carries three headers:
//! - `webhook-id`: the message's id, the same on every retry, so a receiver
//!   can drop a message it has already handled;
//! - `webhook-timestamp`: Unix seconds when this attempt was signed;
//! - `webhook-signature`: `v1,` and the base64 HMAC-SHA256, keyed with the
//!   [`WebhookSecret`]'s bytes, of `<webhook-id>.<webhook-timestamp>.<body>`.
//!   The header is a space-separated list, so a receiver can hold two
//!   secrets while one is being rotated.
//!
//! A receiver refuses a signature that does not match, and a timestamp more
//! than its tolerance (five minutes in the published libraries) away from
//! its clock: a captured request replayed later fails, and so does any
//! change to the id, the time or the body.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dcms_core::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::WebhookSecret;

/// Header holding the message id.
pub const ID_HEADER: &str = "webhook-id";
/// Header holding the signing time, Unix seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// Header holding the signatures, `v1,<base64>` separated by spaces.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// The tolerance the published verifiers use, in seconds.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

const VERSION: &str = "v1";

fn mac(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> Result<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.bytes())
        .map_err(|e| Error::NotifyFailed(format!("webhook secret: {e}")))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `webhook-signature` value for one message: `v1,<base64>`.
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let tag = mac(secret, id, timestamp, body)?.finalize().into_bytes();
    Ok(format!("{VERSION},{}", STANDARD.encode(tag)))
}

/// Checks a received message the way a receiver must: the timestamp within
/// `tolerance_secs` of `now` (both ways), then one `v1` signature in
/// `signatures` matching (compared in constant time). For Rust receivers and
/// tests; receivers in other languages use the published libraries.
///
/// Refusals are [`Error::InvalidInput`] with field `"webhook signature"`.
pub fn verify(
    secret: &WebhookSecret,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<()> {
    let refuse = |reason: &str| Error::InvalidInput {
        field: "webhook signature",
        reason: reason.to_owned(),
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| refuse("malformed timestamp"))?;
    if now.saturating_sub(sent) > tolerance_secs {
        return Err(refuse("timestamp too old"));
    }
    if sent.saturating_sub(now) > tolerance_secs {
        return Err(refuse("timestamp too new"));
    }
    for candidate in signatures.split_whitespace() {
        let Some((VERSION, encoded)) = candidate.split_once(',') else {
            continue;
        };
        let Ok(tag) = STANDARD.decode(encoded) else {
            continue;
        };
        if mac(secret, id, sent, body)?.verify_slice(&tag).is_ok() {
            return Ok(());
        }
    }
    Err(refuse("no matching signature"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The example in the Standard Webhooks specification's test vectors,
    /// so our HMAC input is the specification's, byte for byte.
    #[test]
    fn matches_the_specification_example() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let signature = sign(&secret, id, 1614265330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        verify(&secret, id, "1614265330", &signature, body, 1614265330, 300).unwrap();
    }

    #[test]
    fn refuses_old_new_altered_and_unsigned_messages() {
        let secret = WebhookSecret::generate().unwrap();
        let sig = sign(&secret, "msg_1", 1000, b"{}").unwrap();
        let check = |id: &str, ts: &str, sigs: &str, body: &[u8], now: i64| {
            verify(&secret, id, ts, sigs, body, now, 300)
        };
        assert!(check("msg_1", "1000", &sig, b"{}", 1300).is_ok());
        assert!(
            check("msg_1", "1000", &sig, b"{}", 1301).is_err(),
            "replayed too late"
        );
        assert!(
            check("msg_1", "1000", &sig, b"{}", 699).is_err(),
            "from the future"
        );
        assert!(
            check("msg_1", "1000", &sig, b"{ }", 1000).is_err(),
            "body altered"
        );
        assert!(
            check("msg_2", "1000", &sig, b"{}", 1000).is_err(),
            "id altered"
        );
        assert!(
            check("msg_1", "1001", &sig, b"{}", 1000).is_err(),
            "time altered"
        );
        assert!(check("msg_1", "1000", "", b"{}", 1000).is_err(), "unsigned");
        assert!(check("msg_1", "1000", &sig.replace("v1,", "v2,"), b"{}", 1000).is_err());
        let two = format!("v1,AAAA {sig}");
        assert!(
            check("msg_1", "1000", &two, b"{}", 1000).is_ok(),
            "any listed signature"
        );
    }
}
