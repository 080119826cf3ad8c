//! The coin-change quote and the result of a change credit.

use napi_derive::napi;

use super::Transaction;
use crate::convert::{count, money_out, PointCount};

/// What a cash sale's change gives, before anything is written: every
/// amount a decimal string in the vendor's currency.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ChangeQuote {
    /// ISO 4217 currency code of every amount.
    pub currency: String,
    /// The sale total as rung up.
    pub total: String,
    /// The total due in cash after the currency's cash rounding.
    pub cash_total: String,
    /// Cash the customer handed over.
    pub tendered: String,
    /// `tendered - cashTotal`.
    pub change: String,
    /// The part of the change below the smallest banknote.
    pub coin_part: String,
    /// What the cashier hands back.
    pub hand_back: String,
    /// What is (or would be) credited, as money.
    pub credit: String,
}

impl From<&dcms_core::ChangeQuote> for ChangeQuote {
    fn from(q: &dcms_core::ChangeQuote) -> Self {
        ChangeQuote {
            currency: q.total.currency.code.to_string(),
            total: money_out(&q.total),
            cash_total: money_out(&q.cash_total),
            tendered: money_out(&q.tendered),
            change: money_out(&q.change),
            coin_part: money_out(&q.coin_part),
            hand_back: money_out(&q.hand_back),
            credit: money_out(&q.credit),
        }
    }
}

/// The result of a change credit: the quote for the cashier and, when
/// points were credited, the journal transaction. A class whose fields are
/// converted when read (each read of `quote` or `tx` builds a fresh
/// object), so a till that only looks at `points` pays for nothing else;
/// `toJSON()` gives them all as one plain object.
#[napi]
#[derive(Debug, Clone)]
pub struct ChangeCredited {
    pub(crate) inner: dcms_core::ChangeCredited,
}

impl From<dcms_core::ChangeCredited> for ChangeCredited {
    fn from(inner: dcms_core::ChangeCredited) -> Self {
        ChangeCredited { inner }
    }
}

/// `ChangeCredited` as a plain object (`toJSON()`).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ChangeCreditedData {
    /// What to hand back and what was credited.
    pub quote: ChangeQuote,
    /// Points credited (in the vendor's currency).
    pub points: PointCount,
    /// The transaction (absent when nothing was credited).
    pub tx: Option<Transaction>,
    /// True when the key was seen before and nothing new was written.
    pub replayed: bool,
}

#[napi]
impl ChangeCredited {
    /// What to hand back and what was credited.
    #[napi(getter)]
    pub fn quote(&self) -> ChangeQuote {
        ChangeQuote::from(&self.inner.quote)
    }

    /// Points credited (in the vendor's currency).
    #[napi(getter)]
    pub fn points(&self) -> PointCount {
        count(self.inner.points)
    }

    /// The transaction (null when nothing was credited).
    #[napi(getter, ts_return_type = "Transaction | null")]
    pub fn tx(&self) -> Option<Transaction> {
        self.inner.tx.as_deref().map(Transaction::from)
    }

    /// True when the key was seen before and nothing new was written.
    #[napi(getter)]
    pub fn replayed(&self) -> bool {
        self.inner.replayed
    }

    /// Every field as one plain object.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> ChangeCreditedData {
        ChangeCreditedData {
            quote: self.quote(),
            points: self.points(),
            tx: self.tx(),
            replayed: self.inner.replayed,
        }
    }
}
