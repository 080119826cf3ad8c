//! [`WebhookNotifier`]: POSTs each notification as JSON to a vendor's URL,
//! signed so the receiver knows it came from us and was not altered.
//!
//! Each request carries:
//! - `Content-Type: application/json` and the [`Notification`] JSON;
//! - `X-DCMS-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body with the
//!   shared secret (check it with [`verify`]);
//! - `X-DCMS-Timestamp`: Unix seconds, the same as `sent_at` in the body;
//! - `X-DCMS-Event`: e.g. `statement.ready`.
//!
//! Delivery: any 2xx is success. A 5xx, a 408 or 429 ("try later"), a
//! timeout or a connection error is retried with [`Backoff`], up to the
//! attempt limit; every attempt sends the same bytes, so a receiver can
//! de-duplicate on the statement's digest. Any other status (4xx: the
//! receiver refused this request, so it would refuse it again; 3xx: redirects
//! are not followed, a moved endpoint must be reconfigured) fails at once.

mod backoff;
mod signature;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use dcms_core::{Error, Notifier, Result, StatementReady};
use reqwest::header::CONTENT_TYPE;
use reqwest::{StatusCode, Url};

pub use backoff::Backoff;
pub use signature::{sign, verify, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

use crate::message::Notification;

/// Shortest shared secret accepted: 128 bits.
pub const MIN_SECRET_LEN: usize = 16;

/// Sends signed JSON notifications to one URL.
#[derive(Clone)]
pub struct WebhookNotifier {
    client: reqwest::Client,
    url: Url,
    secret: Vec<u8>,
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
    secret: Vec<u8>,
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

    /// Checks the URL and secret and makes the notifier.
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
        if self.secret.len() < MIN_SECRET_LEN {
            return Err(Error::InvalidInput {
                field: "webhook secret",
                reason: format!("at least {MIN_SECRET_LEN} bytes"),
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
            max_attempts: self.max_attempts,
            backoff: self.backoff,
        })
    }
}

impl WebhookNotifier {
    /// Starts configuring a notifier that posts to `url`, signing with `secret`
    /// (at least [`MIN_SECRET_LEN`] bytes, shared with the receiver).
    pub fn builder(url: impl Into<String>, secret: impl Into<Vec<u8>>) -> WebhookBuilder {
        WebhookBuilder {
            url: url.into(),
            secret: secret.into(),
            max_attempts: 4,
            backoff: Backoff::default(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Delivers one notification; returns how many attempts it took.
    pub async fn deliver(&self, notification: &Notification) -> Result<u32> {
        let body = notification.to_json()?;
        let signature = sign(&self.secret, &body)?;
        let host = self.url.host_str().unwrap_or_default();
        let mut attempt = 1;
        loop {
            let sent = self
                .client
                .post(self.url.clone())
                .header(CONTENT_TYPE, "application/json")
                .header(SIGNATURE_HEADER, &signature)
                .header(TIMESTAMP_HEADER, notification.sent_at.to_string())
                .header(EVENT_HEADER, &notification.event)
                .body(body.clone())
                .send()
                .await;
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
        self.deliver(&Notification::statement_ready(message))
            .await
            .map(drop)
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
