//! [`WebhookNotifier`]: POSTs each notification as JSON to a vendor's URL,
//! signed per the [Standard Webhooks](standard) specification, so the
//! receiver can check with a published verifier library that it came from
//! us, was not altered, and is not a replay.
//!
//! Each request carries:
//! - `Content-Type: application/json` and the [`Notification`] JSON;
//! - `webhook-id`: [`Notification::id`], the same on every retry;
//! - `webhook-timestamp`: Unix seconds when the attempt was signed;
//! - `webhook-signature`: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`,
//!   keyed with the [`WebhookSecret`] (`whsec_…`) shared with the receiver.
//!
//! # Moving from `X-DCMS-Signature`
//! DCMS 0.1 signed with headers of its own ([`legacy`]). They are still sent
//! when [`WebhookBuilder::legacy_headers`] is on, beside the Standard
//! Webhooks headers, for one version: turn it on, move each receiver to a
//! Standard Webhooks verifier with the same secret in its `whsec_` form
//! ([`WebhookSecret::from_bytes`] then [`WebhookSecret::to_whsec`]), then
//! turn it off. The next version removes it.
//!
//! # Delivery
//! Any 2xx is success. A 5xx, a 408 or 429 ("try later"), a timeout or a
//! connection error is retried with [`Backoff`], up to the attempt limit;
//! every attempt sends the same body and id, signed again with its own
//! timestamp (so a late retry is not refused as stale). Any other status
//! (4xx: the receiver refused this request, so it would refuse it again; 3xx:
//! redirects are not followed, a moved endpoint must be reconfigured) fails
//! at once.

mod backoff;
pub mod legacy;
mod secret;
pub mod standard;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use dcms_core::{Clock, Error, Notifier, Result, StatementReady, SystemClock};
use reqwest::header::CONTENT_TYPE;
use reqwest::{StatusCode, Url};

pub use backoff::Backoff;
pub use secret::{
    WebhookSecret, GENERATED_SECRET_LEN, MAX_SECRET_LEN, MIN_SECRET_LEN, SECRET_PREFIX,
};

use crate::message::Notification;

/// Sends signed JSON notifications to one URL.
#[derive(Clone)]
pub struct WebhookNotifier {
    client: reqwest::Client,
    url: Url,
    secret: WebhookSecret,
    legacy_headers: bool,
    clock: Arc<dyn Clock>,
    max_attempts: u32,
    backoff: Backoff,
}

impl fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the secret nor the URL's path and query (they may hold a token).
        f.debug_struct("WebhookNotifier")
            .field("host", &self.url.host_str())
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

/// Configures a [`WebhookNotifier`]; start with [`WebhookNotifier::builder`].
#[derive(Clone)]
pub struct WebhookBuilder {
    url: String,
    secret: WebhookSecret,
    legacy_headers: bool,
    clock: Arc<dyn Clock>,
    max_attempts: u32,
    backoff: Backoff,
    timeout: Duration,
}

impl fmt::Debug for WebhookBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookBuilder")
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .field("legacy_headers", &self.legacy_headers)
            .finish_non_exhaustive()
    }
}

impl WebhookBuilder {
    /// Attempts per notification, first one included (default 4).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Waits between attempts (default 250 ms doubling up to 8 s).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Time limit of one attempt, connecting included (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Also sends the DCMS 0.1 headers (`X-DCMS-Signature`,
    /// `X-DCMS-Timestamp`, `X-DCMS-Event`; see [`legacy`]) while receivers
    /// move to Standard Webhooks. Off by default; removed in the next version.
    pub fn legacy_headers(mut self, on: bool) -> Self {
        self.legacy_headers = on;
        self
    }

    /// Uses `clock` for `sent_at` and `webhook-timestamp` (tests: a clock in
    /// the past makes the stale message a replay would be).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Checks the URL and makes the notifier.
    pub fn build(self) -> Result<WebhookNotifier> {
        let url = Url::parse(&self.url).map_err(|e| Error::InvalidInput {
            field: "webhook URL",
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(Error::InvalidInput {
                field: "webhook URL",
                reason: "must be an http(s) URL with a host".into(),
            });
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dcms-webhook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::NotifyFailed(format!("webhook client: {e}")))?;
        Ok(WebhookNotifier {
            client,
            url,
            secret: self.secret,
            legacy_headers: self.legacy_headers,
            clock: self.clock,
            max_attempts: self.max_attempts,
            backoff: self.backoff,
        })
    }
}

impl WebhookNotifier {
    /// Starts configuring a notifier that posts to `url`, signing with
    /// `secret` (shared with the receiver in its `whsec_` form).
    pub fn builder(url: impl Into<String>, secret: WebhookSecret) -> WebhookBuilder {
        WebhookBuilder {
            url: url.into(),
            secret,
            legacy_headers: false,
            clock: Arc::new(SystemClock),
            max_attempts: 4,
            backoff: Backoff::default(),
            timeout: Duration::from_secs(10),
        }
    }

    /// A statement-ready notification stamped with this notifier's clock.
    pub fn notification(&self, statement: &StatementReady) -> Notification {
        let mut notification = Notification::statement_ready(statement);
        notification.sent_at = self.clock.now().timestamp();
        notification
    }

    /// Delivers one notification; returns how many attempts it took.
    pub async fn deliver(&self, notification: &Notification) -> Result<u32> {
        let body = notification.to_json()?;
        let id = notification.id();
        let legacy = if self.legacy_headers {
            Some(legacy::sign(self.secret.bytes(), &body)?)
        } else {
            None
        };
        let host = self.url.host_str().unwrap_or_default();
        let mut attempt = 1;
        loop {
            let timestamp = self.clock.now().timestamp();
            let mut request = self
                .client
                .post(self.url.clone())
                .header(CONTENT_TYPE, "application/json")
                .header(standard::ID_HEADER, &id)
                .header(standard::TIMESTAMP_HEADER, timestamp.to_string())
                .header(
                    standard::SIGNATURE_HEADER,
                    standard::sign(&self.secret, &id, timestamp, &body)?,
                );
            if let Some(signature) = &legacy {
                request = request
                    .header(legacy::SIGNATURE_HEADER, signature)
                    .header(legacy::TIMESTAMP_HEADER, notification.sent_at.to_string())
                    .header(legacy::EVENT_HEADER, &notification.event);
            }
            let sent = request.body(body.clone()).send().await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => return Ok(attempt),
                Ok(response) if is_retryable(response.status()) => {
                    format!("HTTP {}", response.status())
                }
                Ok(response) => {
                    let status = response.status();
                    let why = "not retried: the receiver refused the request";
                    return Err(Error::NotifyFailed(format!(
                        "webhook to {host}: HTTP {status} ({why})"
                    )));
                }
                Err(e) if e.is_builder() => {
                    return Err(Error::NotifyFailed(format!("webhook to {host}: {e}")))
                }
                Err(e) => describe(&e.without_url()),
            };
            if attempt >= self.max_attempts {
                return Err(Error::NotifyFailed(format!(
                    "webhook to {host}: {failure} after {attempt} attempts"
                )));
            }
            tokio::time::sleep(self.backoff.delay(attempt)).await;
            attempt += 1;
        }
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn statement_ready(&self, message: &StatementReady) -> Result<()> {
        self.deliver(&self.notification(message)).await.map(drop)
    }
}

/// 5xx, and the two 4xx that mean "later": 408 Request Timeout, 429 Too Many Requests.
fn is_retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// An error and its causes on one line ("error sending request: connection refused").
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
