//! One-time redemption codes: a customer's consent to one spend.
//!
//! A vendor redeems points only with a code the customer asked for (in a
//! portal or app). The rule lives here, not in a server or binding, so every
//! way into DCMS enforces it the same way:
//!
//! - a code is [`CODE_DIGITS`] decimal digits drawn from a keyed hash (HMAC-
//!   SHA-256) of the customer's idempotency key under a program secret kept
//!   in the ledger store, so codes are spread uniformly over the whole space
//!   and one code says nothing about another; the same issuance key gives
//!   the same code back (a safe retry);
//! - it is bound to one account, one currency and a maximum of points, and
//!   expires after a TTL ([`CodeRules::ttl`], a few minutes);
//! - only a keyed hash of the code is stored ([`CodeRecord::hash`]);
//! - an account has at most one live code: asking for a new one kills the old;
//! - a wrong guess counts against the account's live code, which dies after
//!   [`CodeRules::max_attempts`] wrong tries (5 by default);
//! - it is spent once: a spend marks it taken before the ledger write and
//!   spent after it (a failed write gives it back), and a retry of the spend
//!   with the same idempotency key replays instead of being refused.
//!
//! Codes are kept by a [`CodeStore`]: `dcms_store::SqlStore` keeps them in
//! the ledger's own database (a restart or a second process loses none);
//! [`MemoryCodeStore`] keeps them in the process, for tests and embedding.

mod memory;
mod record;
mod spend;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::ledger::{Ledger, MAX_POINTS};
use crate::money::CurrencyCode;

pub use memory::MemoryCodeStore;
pub use record::{CodeRecord, CodeState, CodeStore, DynCodeStore};

/// Digits in a redemption code.
pub const CODE_DIGITS: usize = 8;

/// The ledger-store meta key of the program's code secret.
const SECRET_META_KEY: &str = "redemption_code_key";

/// How codes behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRules {
    /// How long a code lives after it is issued (default 5 minutes).
    pub ttl: Duration,
    /// Wrong tries after which the code dies (default 5).
    pub max_attempts: u8,
}

impl Default for CodeRules {
    fn default() -> Self {
        CodeRules {
            ttl: Duration::minutes(5),
            max_attempts: 5,
        }
    }
}

/// A request for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    /// Idempotency key: the same key returns the same code.
    pub key: String,
    /// The customer's account.
    pub account: CustomerId,
    /// The currency the code may spend.
    pub currency: CurrencyCode,
    /// The most points the code may spend.
    pub max_points: i64,
}

/// A code as shown to the customer, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The digits to show (and to encode in a QR code).
    pub code: String,
    /// The account it is bound to.
    pub account: CustomerId,
    /// The currency it may spend.
    pub currency: CurrencyCode,
    /// The most points it may spend.
    pub max_points: i64,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues and checks one-time redemption codes for a ledger.
#[derive(Clone)]
pub struct RedemptionCodes {
    store: DynCodeStore,
    secret: Arc<zeroize::Zeroizing<Vec<u8>>>,
    rules: CodeRules,
}

impl std::fmt::Debug for RedemptionCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedemptionCodes")
            .field("store", &self.store)
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl RedemptionCodes {
    /// Codes for `ledger`, kept in `store`. The secret that spreads and
    /// hashes codes is created on first use and kept in the ledger store, so
    /// every process of the program agrees on it.
    pub async fn open(ledger: &Ledger, store: DynCodeStore, rules: CodeRules) -> Result<Self> {
        if rules.ttl <= Duration::zero() || rules.max_attempts == 0 {
            return Err(Error::invalid_input(
                "code rules",
                "ttl and max attempts must be positive",
            ));
        }
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh)
            .map_err(|e| Error::Storage(format!("no randomness for the code secret: {e}")))?;
        let stored = ledger
            .store()
            .meta_get_or_insert(SECRET_META_KEY, &hex::encode(fresh))
            .await?;
        let secret = hex::decode(&stored)
            .map_err(|_| Error::Storage("stored redemption_code_key is not hex".into()))?;
        Ok(RedemptionCodes {
            store,
            secret: Arc::new(zeroize::Zeroizing::new(secret)),
            rules,
        })
    }

    /// The rules in force.
    pub fn rules(&self) -> CodeRules {
        self.rules
    }

    /// Issues a code (or returns the one this key issued). The account's
    /// earlier live code dies.
    pub async fn issue(&self, ledger: &Ledger, req: &CodeRequest) -> Result<IssuedCode> {
        crate::transaction::check_key(&req.key)?;
        if !(1..=MAX_POINTS).contains(&req.max_points) {
            return Err(Error::invalid_input(
                "max points",
                format!("must be 1 to {MAX_POINTS}, got {}", req.max_points),
            ));
        }
        ledger.currency(req.currency.as_str())?;
        ledger.account(req.account).await?;
        let code = self.derive_code(&req.key);
        let now = ledger.clock().now();
        let fresh = CodeRecord {
            key: req.key.clone(),
            account: req.account,
            currency: req.currency,
            max_points: req.max_points,
            hash: self.hash(req.account, &code),
            expires_at: now + self.rules.ttl,
            attempts: 0,
            state: CodeState::Live,
            version: 0,
        };
        let stored = self.store.issue(fresh).await?;
        if stored.account != req.account
            || stored.currency != req.currency
            || stored.max_points != req.max_points
        {
            return Err(Error::IdempotencyConflict {
                key: req.key.clone(),
            });
        }
        Ok(IssuedCode {
            code,
            account: stored.account,
            currency: stored.currency,
            max_points: stored.max_points,
            expires_at: stored.expires_at,
        })
    }

    /// The code for an issuance key: the first [`CODE_DIGITS`] digits of a
    /// keyed hash, reduced without bias worth measuring (a 64-bit value
    /// modulo 10^8).
    fn derive_code(&self, key: &str) -> String {
        let digest = self.mac(&[b"code", key.as_bytes()]);
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let n = u64::from_be_bytes(first) % 10u64.pow(CODE_DIGITS as u32);
        format!("{n:0width$}", width = CODE_DIGITS)
    }

    /// The stored form of a code: a keyed hash bound to its account.
    fn hash(&self, account: CustomerId, code: &str) -> [u8; 32] {
        let id = account.value().to_be_bytes();
        self.mac(&[b"hash", &id, code.as_bytes()])
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC takes a key of any length, so `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.secret) else {
            return [0u8; 32];
        };
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Compares a typed code with a stored hash in constant time.
    fn matches(&self, record: &CodeRecord, code: &str) -> bool {
        let typed = self.hash(record.account, code);
        typed
            .iter()
            .zip(record.hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// The error a refused code gives: never says whether a guess was close.
fn refused(reason: impl Into<String>) -> Error {
    Error::CodeRefused {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests;
