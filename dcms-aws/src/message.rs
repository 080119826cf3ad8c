//! The JSON document the SNS and webhook notifiers send, so a receiver parses
//! one format whichever way it is reached.
//!
//! ```json
//! {"event":"statement.ready","sent_at":1767225600,
//!  "statement":{"vendor":"corner-shop","period":"2026-01","objects":["…"],"digest":"…"}}
//! ```

use chrono::Utc;
use dcms_core::{Error, Result, StatementReady};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `event` of a [`StatementReady`] notification.
pub const STATEMENT_READY: &str = "statement.ready";

/// One notification as sent over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// What happened: [`STATEMENT_READY`].
    pub event: String,
    /// When it was first sent, Unix seconds. Inside the signed body, so a
    /// webhook receiver can refuse stale replays.
    pub sent_at: i64,
    /// The statement that is ready.
    pub statement: StatementReady,
}

impl Notification {
    /// A statement-ready notification stamped now.
    pub fn statement_ready(statement: &StatementReady) -> Self {
        Notification {
            event: STATEMENT_READY.to_owned(),
            sent_at: Utc::now().timestamp(),
            statement: statement.clone(),
        }
    }

    /// The message's id (`msg_` and 32 hex digits): a digest of the event
    /// and the statement (vendor, period, content digest), so every retry,
    /// and every later re-send of the same statement, has the same id and a
    /// receiver can drop what it has handled already. A changed statement
    /// has another digest, so another id.
    pub fn id(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.event.as_str(),
            self.statement.vendor.as_str(),
            self.statement.period.as_str(),
            self.statement.digest.as_str(),
        ] {
            // Length-prefixed: no two lists of parts hash alike.
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        format!("msg_{}", hex::encode(&hash.finalize()[..16]))
    }

    /// The exact bytes to send.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self)
            .map_err(|e| Error::NotifyFailed(format!("encode notification: {e}")))
    }
}
