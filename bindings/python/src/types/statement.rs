//! Monthly statements and the month-close report.

use chrono::{DateTime, Utc};
use dcms_core::store::KindTotal;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::money_out;

/// Per-kind totals as dicts `{kind, count, points}`.
fn kind_totals<'py>(py: Python<'py>, totals: &[KindTotal]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for k in totals {
        let d = PyDict::new(py);
        d.set_item("kind", k.kind.as_str())?;
        d.set_item("count", k.count)?;
        d.set_item("points", k.points)?;
        list.append(d)?;
    }
    Ok(list)
}

/// A month's statement of a vendor (its liability: points owed, in its
/// currency) or of a customer (points held in one currency). Points are
/// from the owner's point of view.
#[pyclass(module = "dcms", name = "Statement", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) inner: dcms_core::statement::Statement,
}

#[pymethods]
impl Statement {
    /// `vendor` or `customer`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind
    }

    /// Whose statement: the vendor id or the account id.
    #[getter]
    fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// Display name (the vendor's name; the account id for customers).
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The currency of every point in it: the vendor's own, or the one
    /// currency of this section of a customer's statement.
    #[getter]
    fn currency(&self) -> &str {
        self.inner.currency.as_str()
    }

    /// The month, `yyyy-mm`.
    #[getter]
    fn month(&self) -> String {
        self.inner.month.to_string()
    }

    /// The IANA zone the month is taken in.
    #[getter]
    fn time_zone(&self) -> &str {
        &self.inner.time_zone
    }

    /// First instant of the month (UTC); `from` in the core.
    #[getter]
    fn from_(&self) -> DateTime<Utc> {
        self.inner.from
    }

    /// First instant of the next month (UTC).
    #[getter]
    fn to(&self) -> DateTime<Utc> {
        self.inner.to
    }

    /// Balance at the start of the month.
    #[getter]
    fn opening(&self) -> i64 {
        self.inner.opening
    }

    /// Balance at the end of the month.
    #[getter]
    fn closing(&self) -> i64 {
        self.inner.closing
    }

    /// Per-kind totals of the month: dicts `{kind, count, points}`.
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        kind_totals(py, &self.inner.totals)
    }

    /// One dict per local day with movements: `{date, kinds, net}`.
    #[getter]
    fn days<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for day in &self.inner.days {
            let d = PyDict::new(py);
            d.set_item("date", day.date)?;
            d.set_item("kinds", kind_totals(py, &day.kinds)?)?;
            d.set_item("net", day.net)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The daily totals as flat rows `{date, kind, count, points}`.
    fn day_rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for day in &self.inner.days {
            for k in &day.kinds {
                let d = PyDict::new(py);
                d.set_item("date", day.date)?;
                d.set_item("kind", k.kind.as_str())?;
                d.set_item("count", k.count)?;
                d.set_item("points", k.points)?;
                list.append(d)?;
            }
        }
        Ok(list)
    }

    /// For vendors: the month's net to settle, `{points, amount, currency,
    /// remainder_points}` (`amount` a `Decimal`); None for customers.
    #[getter]
    fn settlement<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(s) = &self.inner.settlement else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("points", s.points)?;
        d.set_item("amount", money_out(py, &s.amount)?)?;
        d.set_item("currency", s.amount.currency.code.as_str())?;
        d.set_item("remainder_points", s.remainder_points)?;
        Ok(Some(d))
    }

    /// The summary as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind())?;
        d.set_item("owner", self.owner())?;
        d.set_item("name", self.name())?;
        d.set_item("currency", self.currency())?;
        d.set_item("month", self.month())?;
        d.set_item("time_zone", self.time_zone())?;
        d.set_item("from", self.inner.from)?;
        d.set_item("to", self.inner.to)?;
        d.set_item("opening", self.inner.opening)?;
        d.set_item("totals", self.totals(py)?)?;
        d.set_item("days", self.days(py)?)?;
        d.set_item("closing", self.inner.closing)?;
        d.set_item("settlement", self.settlement(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Statement(kind={:?}, owner={:?}, currency={:?}, month=\"{}\", opening={}, closing={})",
            self.inner.kind,
            self.inner.owner,
            self.currency(),
            self.inner.month,
            self.inner.opening,
            self.inner.closing
        )
    }
}

/// What month close did for one vendor.
#[pyclass(module = "dcms", name = "VendorClose", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct VendorClose {
    pub(crate) inner: dcms_core::statement::VendorClose,
}

#[pymethods]
impl VendorClose {
    /// The vendor id.
    #[getter]
    fn vendor(&self) -> &str {
        self.inner.vendor.as_str()
    }

    /// `issued`, `reissued` or `unchanged`.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.inner.outcome
    }

    /// Keys of the stored documents (CSV, JSON, PDF).
    #[getter]
    fn objects(&self) -> Vec<String> {
        self.inner.objects.clone()
    }

    /// Lines in the statement.
    #[getter]
    fn lines(&self) -> u64 {
        self.inner.lines
    }

    /// Digest of the documents (changes when the month changed).
    #[getter]
    fn digest(&self) -> &str {
        &self.inner.digest
    }

    fn __repr__(&self) -> String {
        format!(
            "VendorClose(vendor={:?}, outcome={:?}, lines={})",
            self.inner.vendor.as_str(),
            self.inner.outcome,
            self.inner.lines
        )
    }
}

/// The result of `Ledger.close_month`: the vendors closed and those that
/// failed (re-run to retry them; the others are not repeated).
#[pyclass(module = "dcms", name = "CloseReport", frozen)]
#[derive(Debug)]
pub(crate) struct CloseReport {
    pub(crate) closed: Vec<VendorClose>,
    pub(crate) failed: Vec<(String, Py<PyAny>)>,
}

#[pymethods]
impl CloseReport {
    /// Vendors done, in id order.
    #[getter]
    fn closed(&self) -> Vec<VendorClose> {
        self.closed.clone()
    }

    /// `(vendor id, DcmsError)` for each vendor that failed.
    #[getter]
    fn failed(&self, py: Python<'_>) -> Vec<(String, Py<PyAny>)> {
        self.failed
            .iter()
            .map(|(v, e)| (v.clone(), e.clone_ref(py)))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "CloseReport(closed={}, failed={})",
            self.closed.len(),
            self.failed.len()
        )
    }
}
