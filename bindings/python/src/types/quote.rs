//! The coin-change quote and the result of a change credit.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::Transaction;
use crate::convert::money_out;

/// What a cash sale's change gives, before anything is written: every
/// amount is a `decimal.Decimal` in the vendor's currency.
#[pyclass(module = "dcms", name = "ChangeQuote", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChangeQuote {
    pub(crate) inner: dcms_core::ChangeQuote,
}

#[pymethods]
impl ChangeQuote {
    /// ISO 4217 currency code of every amount.
    #[getter]
    fn currency(&self) -> &str {
        self.inner.total.currency.code.as_str()
    }

    /// The sale total as rung up.
    #[getter]
    fn total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.total)
    }

    /// The total due in cash after the currency's cash rounding.
    #[getter]
    fn cash_total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.cash_total)
    }

    /// Cash the customer handed over.
    #[getter]
    fn tendered<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.tendered)
    }

    /// `tendered - cash_total`.
    #[getter]
    fn change<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.change)
    }

    /// The part of the change below the smallest banknote.
    #[getter]
    fn coin_part<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.coin_part)
    }

    /// What the cashier hands back.
    #[getter]
    fn hand_back<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.hand_back)
    }

    /// What is (or would be) credited, as money.
    #[getter]
    fn credit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        money_out(py, &self.inner.credit)
    }

    /// The quote as a plain dict.
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("currency", self.currency())?;
        d.set_item("total", self.total(py)?)?;
        d.set_item("cash_total", self.cash_total(py)?)?;
        d.set_item("tendered", self.tendered(py)?)?;
        d.set_item("change", self.change(py)?)?;
        d.set_item("coin_part", self.coin_part(py)?)?;
        d.set_item("hand_back", self.hand_back(py)?)?;
        d.set_item("credit", self.credit(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let q = &self.inner;
        format!(
            "ChangeQuote(currency={:?}, total={}, tendered={}, change={}, hand_back={}, credit={})",
            self.currency(),
            q.total.to_decimal(),
            q.tendered.to_decimal(),
            q.change.to_decimal(),
            q.hand_back.to_decimal(),
            q.credit.to_decimal()
        )
    }
}

/// The result of a change credit: the quote for the cashier and, when
/// points were credited, the journal transaction.
#[pyclass(module = "dcms", name = "ChangeCredited", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct ChangeCredited {
    pub(crate) inner: dcms_core::ChangeCredited,
}

#[pymethods]
impl ChangeCredited {
    /// What to hand back and what was credited.
    #[getter]
    fn quote(&self) -> ChangeQuote {
        ChangeQuote {
            inner: self.inner.quote,
        }
    }

    /// Points credited.
    #[getter]
    fn points(&self) -> i64 {
        self.inner.points
    }

    /// The transaction (None when nothing was credited).
    #[getter]
    fn tx(&self) -> Option<Transaction> {
        self.inner
            .tx
            .as_deref()
            .map(|t| Transaction { inner: t.clone() })
    }

    /// True when the key was seen before and nothing new was written.
    #[getter]
    fn replayed(&self) -> bool {
        self.inner.replayed
    }

    fn __repr__(&self) -> String {
        format!(
            "ChangeCredited(points={}, hand_back={}, tx={}, replayed={})",
            self.inner.points,
            self.inner.quote.hand_back.to_decimal(),
            self.inner
                .tx
                .as_ref()
                .map_or_else(|| "None".to_string(), |t| t.id.0.to_string()),
            if self.inner.replayed { "True" } else { "False" }
        )
    }
}
