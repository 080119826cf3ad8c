//! Vendors, customer accounts and balances.

use chrono::{DateTime, Utc};
use pyo3::prelude::*;

/// A vendor: the business whose tills credit change.
#[pyclass(module = "dcms", name = "Vendor", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Vendor {
    pub(crate) inner: dcms_core::Vendor,
}

#[pymethods]
impl Vendor {
    /// The vendor id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id.as_str()
    }

    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// ISO 4217 currency code of its tills.
    #[getter]
    fn currency(&self) -> &str {
        self.inner.currency.code.as_str()
    }

    /// IANA time zone of its statement months and cap days.
    #[getter]
    fn time_zone(&self) -> &str {
        self.inner.time_zone.name()
    }

    /// What is credited from a sale's change: `coin_part`, `all_change` or `nothing`.
    #[getter]
    fn policy(&self) -> &'static str {
        self.inner.policy.as_str()
    }

    /// Largest credit, in points, of one sale (None: no cap).
    #[getter]
    fn per_credit_cap(&self) -> Option<i64> {
        self.inner.per_credit_cap
    }

    /// Most points one account may be credited here per local day (None: no cap).
    #[getter]
    fn per_day_cap(&self) -> Option<i64> {
        self.inner.per_day_cap
    }

    fn __repr__(&self) -> String {
        format!(
            "Vendor(id={:?}, name={:?}, currency={:?}, time_zone={:?}, policy={:?}, per_credit_cap={:?}, per_day_cap={:?})",
            self.id(),
            self.name(),
            self.currency(),
            self.time_zone(),
            self.policy(),
            self.inner.per_credit_cap,
            self.inner.per_day_cap
        )
    }
}

/// A customer's points account.
#[pyclass(module = "dcms", name = "Account", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Account {
    pub(crate) inner: dcms_core::CustomerAccount,
}

#[pymethods]
impl Account {
    /// The account number, check digit last (e.g. `"482137"`).
    #[getter]
    fn id(&self) -> String {
        self.inner.id.to_string()
    }

    /// When it was opened (UTC).
    #[getter]
    fn opened_at(&self) -> DateTime<Utc> {
        self.inner.opened_at
    }

    fn __repr__(&self) -> String {
        format!(
            "Account(id={:?}, opened_at={})",
            self.id(),
            self.inner.opened_at.to_rfc3339()
        )
    }
}

/// A customer's points: what can be spent now, and what open holds set aside.
#[pyclass(module = "dcms", name = "Balance", frozen, eq)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Balance {
    pub(crate) inner: dcms_core::Balance,
}

#[pymethods]
impl Balance {
    /// Points the customer can spend now.
    #[getter]
    fn available(&self) -> i64 {
        self.inner.available
    }

    /// Points set aside by open holds (not included in `available`).
    #[getter]
    fn held(&self) -> i64 {
        self.inner.held
    }

    fn __repr__(&self) -> String {
        format!(
            "Balance(available={}, held={})",
            self.inner.available, self.inner.held
        )
    }
}
