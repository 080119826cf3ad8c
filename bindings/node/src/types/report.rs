//! What `verify()` and the expiry policy's calls return.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use napi_derive::napi;

use crate::convert::{count, PointCount};

/// The journal recomputed and compared with the stored balances.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    /// Transactions read.
    pub transactions: f64,
    /// Accounts compared.
    pub accounts: f64,
    /// Every difference found, in words (empty when the ledger is sound).
    pub problems: Vec<String>,
}

impl From<&dcms_core::VerifyReport> for VerifyReport {
    fn from(r: &dcms_core::VerifyReport) -> Self {
        VerifyReport {
            ok: r.is_ok(),
            transactions: r.transactions as f64,
            accounts: r.accounts as f64,
            problems: r.problems.clone(),
        }
    }
}

/// What `expireInactive` did.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ExpiryReport {
    /// Accounts (one per customer and currency) expired by this run.
    pub expired: f64,
    /// Accounts an earlier run of the same day had expired already.
    pub already_expired: f64,
    /// Accounts skipped because they moved while the run read them.
    pub skipped: f64,
    /// Points expired, by currency code.
    pub points: HashMap<String, PointCount>,
}

impl From<&dcms_core::ledger::ExpiryReport> for ExpiryReport {
    fn from(r: &dcms_core::ledger::ExpiryReport) -> Self {
        ExpiryReport {
            expired: r.expired as f64,
            already_expired: r.already_expired as f64,
            skipped: r.skipped as f64,
            points: r
                .points
                .iter()
                .map(|(code, p)| (code.to_string(), count(*p)))
                .collect(),
        }
    }
}

/// Points of one account and currency that will expire unless it moves first.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ExpiringPoints {
    /// The customer's account id.
    pub customer: String,
    /// The currency of the points.
    pub currency: String,
    /// Points that would expire (available ones; held points do not).
    pub points: PointCount,
    /// The account's last movement in this currency.
    pub last_activity: DateTime<Utc>,
    /// When the points expire: the last movement plus the policy's months.
    pub expires_at: DateTime<Utc>,
}

impl From<&dcms_core::ledger::ExpiringPoints> for ExpiringPoints {
    fn from(e: &dcms_core::ledger::ExpiringPoints) -> Self {
        ExpiringPoints {
            customer: e.customer.to_string(),
            currency: e.currency.to_string(),
            points: count(e.points),
            last_activity: e.last_activity,
            expires_at: e.expires_at,
        }
    }
}
