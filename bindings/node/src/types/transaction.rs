//! Journal transactions, their postings, and what a write returns.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use napi_derive::napi;

use super::ChangeQuote;
use crate::convert::{count, tx_out, PointCount};

/// One leg of a transaction: an account and the signed points it moved.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Posting {
    /// The account, its currency last: `customer:<id>:<CUR>`,
    /// `vendor:<id>:<CUR>`, `program:holds:<CUR>`, `program:breakage:<CUR>`
    /// or `program:adjustments:<CUR>`.
    pub account: String,
    /// The currency of the points moved (the account's).
    pub currency: String,
    /// Signed points: positive raises the account's balance.
    pub points: PointCount,
}

/// A transaction in the journal (never edited; undone by a reversal).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Transaction {
    /// Transaction id, increasing in append order.
    pub id: f64,
    /// The caller's idempotency key.
    pub key: String,
    /// What it did.
    #[napi(ts_type = "TxKindName")]
    pub kind: String,
    /// The one currency it moved.
    pub currency: Option<String>,
    /// The legs; they sum to zero.
    pub postings: Vec<Posting>,
    /// Each customer's balance right after it, by account id (in `currency`).
    pub balances_after: HashMap<String, PointCount>,
    /// The vendor involved, if any.
    pub vendor: Option<String>,
    /// The store, as the POS reported it.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
    /// The cash sale behind a change credit.
    pub cash: Option<ChangeQuote>,
    /// The transaction this one reverses or settles.
    pub closes: Option<f64>,
    /// For holds: when an uncaptured hold is released.
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text (the reason of a reversal or adjustment).
    pub memo: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl From<&dcms_core::Transaction> for Transaction {
    fn from(t: &dcms_core::Transaction) -> Self {
        Transaction {
            id: tx_out(t.id),
            key: t.key.clone(),
            kind: t.kind.as_str().to_string(),
            currency: t.currency().map(|c| c.to_string()),
            postings: t
                .postings
                .iter()
                .map(|p| Posting {
                    account: p.account.to_string(),
                    currency: p.account.currency().to_string(),
                    points: count(p.points),
                })
                .collect(),
            balances_after: t
                .balances_after
                .iter()
                .map(|(c, b)| (c.to_string(), count(*b)))
                .collect(),
            vendor: t.vendor.as_ref().map(|v| v.as_str().to_string()),
            store_id: t.pos.store_id.clone(),
            terminal_id: t.pos.terminal_id.clone(),
            receipt_no: t.pos.receipt_no.clone(),
            cash: t.cash.as_ref().map(ChangeQuote::from),
            closes: t.closes.map(tx_out),
            expires_at: t.expires_at,
            memo: t.memo.clone(),
            at: t.at,
        }
    }
}

/// What a write returns: the transaction as stored (the first one, for a
/// replayed key) and whether it was a replay. A class whose `tx` is
/// converted when read; `toJSON()` gives both as one plain object.
#[napi]
#[derive(Debug, Clone)]
pub struct Appended {
    pub(crate) inner: dcms_core::Appended,
}

impl From<dcms_core::Appended> for Appended {
    fn from(inner: dcms_core::Appended) -> Self {
        Appended { inner }
    }
}

/// `Appended` as a plain object (`toJSON()`).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct AppendedData {
    /// The transaction as stored.
    pub tx: Transaction,
    /// True when the key was seen before and nothing new was written.
    pub replayed: bool,
}

#[napi]
impl Appended {
    /// The transaction as stored.
    #[napi(getter)]
    pub fn tx(&self) -> Transaction {
        Transaction::from(self.inner.tx.as_ref())
    }

    /// True when the key was seen before and nothing new was written.
    #[napi(getter)]
    pub fn replayed(&self) -> bool {
        self.inner.replayed
    }

    /// Both fields as one plain object.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> AppendedData {
        AppendedData {
            tx: self.tx(),
            replayed: self.inner.replayed,
        }
    }
}
