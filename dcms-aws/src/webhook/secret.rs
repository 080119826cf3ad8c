//! [`WebhookSecret`]: the key a sender and a receiver share, written the
//! Standard Webhooks way: `whsec_` and the key's bytes in base64.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dcms_core::{Error, Result};
use zeroize::Zeroizing;

/// Shortest secret accepted: 128 bits.
pub const MIN_SECRET_LEN: usize = 16;
/// Longest secret accepted: Standard Webhooks' upper bound.
pub const MAX_SECRET_LEN: usize = 64;
/// Bytes in a [`WebhookSecret::generate`]d secret.
pub const GENERATED_SECRET_LEN: usize = 32;
/// How a Standard Webhooks secret is written: `whsec_<base64>`.
pub const SECRET_PREFIX: &str = "whsec_";

/// A webhook signing key. Wiped from memory when dropped; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Zeroizing<Vec<u8>>);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// A fresh random 32-byte secret.
    pub fn generate() -> Result<Self> {
        let mut bytes = Zeroizing::new(vec![0u8; GENERATED_SECRET_LEN]);
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::NotifyFailed(format!("no randomness for a webhook secret: {e}")))?;
        Ok(WebhookSecret(bytes))
    }

    /// A secret from its `whsec_<base64>` text (the prefix may be left out,
    /// as the published verifiers allow). The error never echoes the text.
    pub fn parse(text: &str) -> Result<Self> {
        let encoded = text.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        let bytes = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| Error::InvalidInput {
            field: "webhook secret",
            reason: format!("must be {SECRET_PREFIX} followed by base64"),
        })?);
        Self::from_bytes(&bytes)
    }

    /// A secret from its raw bytes: how a secret of the legacy
    /// `X-DCMS-Signature` scheme carries over (its `whsec_` form is
    /// [`to_whsec`](Self::to_whsec)).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&bytes.len()) {
            return Err(Error::InvalidInput {
                field: "webhook secret",
                reason: format!("must be {MIN_SECRET_LEN} to {MAX_SECRET_LEN} bytes"),
            });
        }
        Ok(WebhookSecret(Zeroizing::new(bytes.to_vec())))
    }

    /// The `whsec_<base64>` text to give the receiver.
    pub fn to_whsec(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{SECRET_PREFIX}{}",
            STANDARD.encode(self.0.as_slice())
        ))
    }

    /// The key bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_through_whsec_text() {
        let secret = WebhookSecret::generate().unwrap();
        let text = secret.to_whsec();
        assert!(text.starts_with("whsec_"));
        assert_eq!(WebhookSecret::parse(&text).unwrap(), secret);
        assert_eq!(WebhookSecret::parse(&text[6..]).unwrap(), secret);
        assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
    }

    #[test]
    fn refuses_short_long_and_malformed_secrets() {
        let short = format!("whsec_{}", STANDARD.encode([7u8; 15]));
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        for text in [short.as_str(), long.as_str(), "whsec_not base64!", ""] {
            let err = WebhookSecret::parse(text).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{text}: {err:?}");
        }
    }
}
