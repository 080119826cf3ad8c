//! Journal transactions, their postings, and what a write returns.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::ChangeQuote;
use crate::errors::CoreResult;

/// One leg of a transaction: an account and the signed points it moved.
#[pyclass(module = "dcms", name = "Posting", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Posting {
    pub(crate) inner: dcms_core::Posting,
}

#[pymethods]
impl Posting {
    /// The account, its currency last: `customer:<id>:<CUR>`,
    /// `vendor:<id>:<CUR>`, `program:holds:<CUR>`, `program:breakage:<CUR>`
    /// or `program:adjustments:<CUR>`.
    #[getter]
    fn account(&self) -> String {
        self.inner.account.to_string()
    }

    /// The currency of the points moved (the account's).
    #[getter]
    fn currency(&self) -> String {
        self.inner.account.currency().to_string()
    }

    /// Signed points: positive raises the account's balance.
    #[getter]
    fn points(&self) -> i64 {
        self.inner.points
    }

    fn __repr__(&self) -> String {
        format!(
            "Posting(account={:?}, points={})",
            self.account(),
            self.inner.points
        )
    }
}

/// A transaction in the journal (never edited; undone by a reversal).
#[pyclass(module = "dcms", name = "Transaction", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transaction {
    pub(crate) inner: dcms_core::Transaction,
}

#[pymethods]
impl Transaction {
    /// Transaction id, increasing in append order.
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id.0
    }

    /// The caller's idempotency key.
    #[getter]
    fn key(&self) -> &str {
        &self.inner.key
    }

    /// What it did: `change_credit`, `redemption`, `hold`, `hold_capture`,
    /// `hold_void`, `hold_release`, `transfer`, `reversal`, `adjustment`, `expiry`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }

    /// The one currency every leg moves (e.g. `"JPY"`).
    #[getter]
    fn currency(&self) -> Option<String> {
        currency_of(&self.inner)
    }

    /// The legs; their points sum to zero.
    #[getter]
    fn postings(&self) -> Vec<Posting> {
        self.inner
            .postings
            .iter()
            .map(|p| Posting { inner: p.clone() })
            .collect()
    }

    /// Customer balances right after this transaction, by account id, in
    /// the transaction's currency.
    #[getter]
    fn balances_after(&self) -> BTreeMap<String, i64> {
        self.inner
            .balances_after
            .iter()
            .map(|(c, b)| (c.to_string(), *b))
            .collect()
    }

    /// The vendor involved, if any.
    #[getter]
    fn vendor(&self) -> Option<&str> {
        self.inner.vendor.as_ref().map(|v| v.as_str())
    }

    /// The vendor's store, as the POS reported it.
    #[getter]
    fn store_id(&self) -> Option<&str> {
        self.inner.pos.store_id.as_deref()
    }

    /// The till, as the POS reported it.
    #[getter]
    fn terminal_id(&self) -> Option<&str> {
        self.inner.pos.terminal_id.as_deref()
    }

    /// The POS's receipt number.
    #[getter]
    fn receipt_no(&self) -> Option<&str> {
        self.inner.pos.receipt_no.as_deref()
    }

    /// The cash sale behind a change credit.
    #[getter]
    fn cash(&self) -> Option<ChangeQuote> {
        self.inner.cash.map(|inner| ChangeQuote { inner })
    }

    /// The transaction this one reverses or settles.
    #[getter]
    fn closes(&self) -> Option<u64> {
        self.inner.closes.map(|t| t.0)
    }

    /// For holds: when an uncaptured hold is released (UTC).
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.inner.expires_at
    }

    /// Free text (the reason of a reversal or adjustment).
    #[getter]
    fn memo(&self) -> Option<&str> {
        self.inner.memo.as_deref()
    }

    /// When it happened (UTC).
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }

    /// The points this transaction moved on `account` (e.g.
    /// `"customer:482137:USD"`), 0 when not involved.
    fn points_for(&self, py: Python<'_>, account: &str) -> PyResult<i64> {
        let account = dcms_core::AccountRef::parse(account).py(py)?;
        Ok(self.inner.points_for(&account))
    }

    /// The transaction as a plain dict (postings as a list of dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        tx_dict(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        let t = &self.inner;
        format!(
            "Transaction(id={}, kind={:?}, key={:?}, currency={:?}, postings=[{}], at={})",
            t.id.0,
            t.kind.as_str(),
            t.key,
            currency_of(t).unwrap_or_default(),
            t.postings
                .iter()
                .map(|p| format!("{}: {}", p.account, p.points))
                .collect::<Vec<_>>()
                .join(", "),
            t.at.to_rfc3339()
        )
    }
}

/// The transaction's currency code. Every stored transaction has legs, all
/// in one currency; None would mean a transaction without any.
fn currency_of(t: &dcms_core::Transaction) -> Option<String> {
    t.currency().map(|c| c.to_string())
}

/// A transaction's header fields (everything but the postings) into `d`;
/// `currency` is the transaction's, for every kind.
pub(crate) fn header_into(
    py: Python<'_>,
    t: &dcms_core::Transaction,
    d: &Bound<'_, PyDict>,
) -> PyResult<()> {
    d.set_item("tx_id", t.id.0)?;
    d.set_item("at", t.at)?;
    d.set_item("kind", t.kind.as_str())?;
    d.set_item("key", &t.key)?;
    d.set_item("vendor", t.vendor.as_ref().map(|v| v.as_str()))?;
    d.set_item("store_id", t.pos.store_id.as_deref())?;
    d.set_item("terminal_id", t.pos.terminal_id.as_deref())?;
    d.set_item("receipt_no", t.pos.receipt_no.as_deref())?;
    d.set_item("closes", t.closes.map(|c| c.0))?;
    d.set_item("expires_at", t.expires_at)?;
    d.set_item("memo", t.memo.as_deref())?;
    // Every kind names its currency; a sale's cash fields below repeat it.
    d.set_item("currency", currency_of(t))?;
    match &t.cash {
        Some(q) => {
            let q = ChangeQuote { inner: *q }.to_dict(py)?;
            d.update(q.as_mapping())?;
        }
        None => {
            for k in [
                "total",
                "cash_total",
                "tendered",
                "change",
                "coin_part",
                "hand_back",
                "credit",
            ] {
                d.set_item(k, py.None())?;
            }
        }
    }
    Ok(())
}

/// A transaction as a dict: its header and its postings.
pub(crate) fn tx_dict<'py>(
    py: Python<'py>,
    t: &dcms_core::Transaction,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    header_into(py, t, &d)?;
    let postings = t
        .postings
        .iter()
        .map(|p| {
            let leg = PyDict::new(py);
            leg.set_item("account", p.account.to_string())?;
            leg.set_item("currency", p.account.currency().to_string())?;
            leg.set_item("points", p.points)?;
            Ok(leg)
        })
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("postings", postings)?;
    let after = PyDict::new(py);
    for (c, b) in &t.balances_after {
        after.set_item(c.to_string(), b)?;
    }
    d.set_item("balances_after", after)?;
    Ok(d)
}

/// What a write returns: the transaction as stored (the first one, for a
/// replayed key) and whether it was a replay.
#[pyclass(module = "dcms", name = "Appended", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct Appended {
    pub(crate) inner: dcms_core::Appended,
}

#[pymethods]
impl Appended {
    /// The transaction as stored.
    #[getter]
    fn tx(&self) -> Transaction {
        Transaction {
            inner: dcms_core::Transaction::clone(&self.inner.tx),
        }
    }

    /// True when the key was seen before and nothing new was written.
    #[getter]
    fn replayed(&self) -> bool {
        self.inner.replayed
    }

    fn __repr__(&self) -> String {
        format!(
            "Appended(tx={}, kind={:?}, replayed={})",
            self.inner.tx.id.0,
            self.inner.tx.kind.as_str(),
            if self.inner.replayed { "True" } else { "False" }
        )
    }
}
