//! The rows of `journalRows`: one per posting of a month's journal, ready
//! for a CSV writer or a data frame, with the same columns as Python's
//! `Ledger.journal_rows` (in camelCase).

use chrono::{DateTime, Utc};
use dcms_core::AccountRef;
use napi_derive::napi;

use crate::convert::{count, money_out, tx_out, PointCount};

/// One posting of the journal with its transaction's fields. Every column
/// is present in every row (null when it does not apply), so rows line up
/// as a table. Money is a decimal string, as everywhere in the package.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone)]
pub struct JournalRow {
    /// The transaction id.
    pub tx_id: f64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The transaction's kind.
    #[napi(ts_type = "TxKindName")]
    pub kind: String,
    /// The caller's idempotency key.
    pub key: String,
    /// The vendor involved, if any.
    pub vendor: Option<String>,
    /// The store, as the POS reported it.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
    /// The transaction this one reverses or settles.
    pub closes: Option<f64>,
    /// For holds: when an uncaptured hold is released.
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text (the reason of a reversal or adjustment).
    pub memo: Option<String>,
    /// The transaction's currency (every kind has one).
    pub currency: Option<String>,
    /// Change credits: the sale total as rung up.
    pub total: Option<String>,
    /// Change credits: the total due in cash after cash rounding.
    pub cash_total: Option<String>,
    /// Change credits: cash the customer handed over.
    pub tendered: Option<String>,
    /// Change credits: `tendered - cashTotal`.
    pub change: Option<String>,
    /// Change credits: the part of the change below the smallest banknote.
    pub coin_part: Option<String>,
    /// Change credits: what the cashier handed back.
    pub hand_back: Option<String>,
    /// Change credits: what was credited, as money.
    pub credit: Option<String>,
    /// This row's account: `customer:<id>:<CUR>`, `vendor:<id>:<CUR>`,
    /// `program:holds:<CUR>`, ...
    pub account: String,
    /// The signed points this posting moved on `account`.
    pub points: PointCount,
    /// For a customer's posting: that account's balance right after (in
    /// `currency`); null for other accounts.
    pub balance_after: Option<PointCount>,
}

/// The rows of one transaction, one per posting, in posting order.
pub(crate) fn rows_of(t: &dcms_core::Transaction) -> impl Iterator<Item = JournalRow> + '_ {
    let cash = t.cash.as_ref();
    let money =
        move |f: fn(&dcms_core::ChangeQuote) -> &dcms_core::Money| cash.map(|q| money_out(f(q)));
    let header = JournalRow {
        tx_id: tx_out(t.id),
        at: t.at,
        kind: t.kind.as_str().to_string(),
        key: t.key.clone(),
        vendor: t.vendor.as_ref().map(|v| v.as_str().to_string()),
        store_id: t.pos.store_id.clone(),
        terminal_id: t.pos.terminal_id.clone(),
        receipt_no: t.pos.receipt_no.clone(),
        closes: t.closes.map(tx_out),
        expires_at: t.expires_at,
        memo: t.memo.clone(),
        currency: t.currency().map(|c| c.to_string()),
        total: money(|q| &q.total),
        cash_total: money(|q| &q.cash_total),
        tendered: money(|q| &q.tendered),
        change: money(|q| &q.change),
        coin_part: money(|q| &q.coin_part),
        hand_back: money(|q| &q.hand_back),
        credit: money(|q| &q.credit),
        account: String::new(),
        points: count(0),
        balance_after: None,
    };
    t.postings.iter().map(move |p| JournalRow {
        account: p.account.to_string(),
        points: count(p.points),
        balance_after: match p.account {
            AccountRef::Customer(c, _) => t.balance_after(c).map(count),
            _ => None,
        },
        ..header.clone()
    })
}
