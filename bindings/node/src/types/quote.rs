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
/// points were credited, the journal transaction.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ChangeCredited {
    /// What to hand back and what was credited.
    pub quote: ChangeQuote,
    /// Points credited (in the vendor's currency).
    pub points: PointCount,
    /// The transaction (null when nothing was credited).
    pub tx: Option<Transaction>,
    /// True when the key was seen before and nothing new was written.
    pub replayed: bool,
}

impl From<&dcms_core::ChangeCredited> for ChangeCredited {
    fn from(c: &dcms_core::ChangeCredited) -> Self {
        ChangeCredited {
            quote: ChangeQuote::from(&c.quote),
            points: count(c.points),
            tx: c.tx.as_deref().map(Transaction::from),
            replayed: c.replayed,
        }
    }
}
