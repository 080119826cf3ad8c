//! The `Idempotency-Key` header (IETF httpapi draft), scoped to the caller.
//!
//! Every write takes the header. The key handed to the core is the
//! caller's scope plus the header (`v:<vendor>|<key>`, `c:<account>|<key>`,
//! `a:<subject>|<key>`), so one vendor can never replay, probe or collide
//! with another's keys. The core keeps the key with a fingerprint of the
//! request, so:
//! - a retry with the same key and body returns the first result, and the
//!   handler renders it as the first response, status included (the
//!   `Idempotent-Replayed: true` header says it was a replay);
//! - the same key with another body is the core's `idempotency_conflict`,
//!   422 as the draft says;
//! - a second request with a key whose first request is still running is
//!   409 (the draft's concurrent-request case);
//! - a write without the header is 400.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use parking_lot::Mutex;

use crate::auth::Caller;
use crate::problem::ApiError;
use crate::state::AppState;

/// The header's name.
pub const HEADER: &str = "idempotency-key";

/// Longest key accepted from a client.
pub const MAX_KEY: usize = 128;

/// Keys whose first request is still running.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashSet<String>>);

/// A scoped key, held for the request's lifetime.
#[derive(Debug)]
pub struct IdemKey {
    key: String,
    inflight: Arc<InFlight>,
}

impl IdemKey {
    /// The key to hand to the core.
    pub fn core_key(&self) -> &str {
        &self.key
    }
}

impl Drop for IdemKey {
    fn drop(&mut self) {
        self.inflight.0.lock().remove(&self.key);
    }
}

/// Reads the header's value: a structured-field string (`"abc"`) or a bare
/// token, 1 to [`MAX_KEY`] printable ASCII characters.
pub fn parse_header(raw: &[u8]) -> Result<String, ApiError> {
    let bad = || {
        ApiError::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key must be 1 to {MAX_KEY} printable ASCII characters"),
        )
    };
    let text = std::str::from_utf8(raw).map_err(|_| bad())?;
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if text.is_empty()
        || text.len() > MAX_KEY
        || !text.bytes().all(|b| b.is_ascii_graphic())
        || text.contains('"')
    {
        return Err(bad());
    }
    Ok(text.to_string())
}

impl FromRequestParts<AppState> for IdemKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let raw = parts.headers.get(HEADER).ok_or_else(|| {
            ApiError::bad_request(
                "missing_idempotency_key",
                "this write needs an Idempotency-Key header (a fresh unique value per request, reused only for retries)",
            )
        })?;
        let key = format!("{}|{}", caller.key_scope(), parse_header(raw.as_bytes())?);
        if !state.inflight.0.lock().insert(key.clone()) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "Request in progress",
                "a request with this Idempotency-Key is still being processed; retry later",
            ));
        }
        Ok(IdemKey {
            key,
            inflight: state.inflight.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_key_is_a_structured_string_or_a_bare_token() {
        assert_eq!(parse_header(b"\"abc-1\"").unwrap(), "abc-1");
        assert_eq!(parse_header(b"abc-1").unwrap(), "abc-1");
        for bad in [
            &b""[..],
            b"\"\"",
            b"a b",
            b"a\tb",
            &[0xff, 0x41],
            b"\"a\"b\"",
        ] {
            assert!(parse_header(bad).is_err(), "{bad:?}");
        }
        assert!(parse_header(&[b'a'; MAX_KEY + 1]).is_err());
    }
}
