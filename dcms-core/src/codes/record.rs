//! What a [`CodeStore`] keeps for a code, and the store port itself.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ids::CustomerId;
use crate::money::CurrencyCode;

/// Where a code is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeState {
    /// Can be spent.
    Live,
    /// A spend with this idempotency key is writing to the ledger.
    Taken {
        /// The spend's key.
        spend_key: String,
    },
    /// Spent by the spend with this idempotency key.
    Spent {
        /// The spend's key.
        spend_key: String,
    },
    /// Too many wrong tries, or replaced by a newer code.
    Dead,
}

/// A stored code: its keyed hash, never the digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// The issuance's idempotency key.
    pub key: String,
    /// The account it is bound to.
    pub account: CustomerId,
    /// The currency it may spend.
    pub currency: CurrencyCode,
    /// The most points it may spend.
    pub max_points: i64,
    /// Keyed hash of the account and the digits.
    pub hash: [u8; 32],
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Wrong tries so far.
    pub attempts: u8,
    /// Where it is in its life.
    pub state: CodeState,
    /// Bumped by every change; [`CodeStore::replace`] compares it.
    pub version: u64,
}

/// Keeps codes, one live code per account. Every change is a compare-and-
/// swap on [`CodeRecord::version`], so concurrent spends and wrong tries
/// from several processes never lose a count or spend a code twice.
#[async_trait]
pub trait CodeStore: Send + Sync + Debug {
    /// Stores a new code for its account, replacing (killing) any earlier
    /// one, unless a code with the same issuance key exists: then that one
    /// is returned unchanged (a replay).
    async fn issue(&self, record: CodeRecord) -> Result<CodeRecord>;
    /// The account's current code, if any.
    async fn current(&self, account: CustomerId) -> Result<Option<CodeRecord>>;
    /// Replaces the account's current code with `next` if its version is
    /// still `expected`; `next.version` is set to `expected + 1`. Returns
    /// false when someone else changed it first.
    async fn replace(&self, expected: u64, next: CodeRecord) -> Result<bool>;
}

/// A shared code store.
pub type DynCodeStore = Arc<dyn CodeStore>;
