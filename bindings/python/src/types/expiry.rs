//! What the expiry policy's calls return.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pyo3::prelude::*;

/// The result of `Ledger.expire_inactive`.
#[pyclass(module = "dcms", name = "ExpiryReport", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExpiryReport {
    pub(crate) inner: dcms_core::ledger::ExpiryReport,
}

#[pymethods]
impl ExpiryReport {
    /// Accounts (one per customer and currency) expired by this run.
    #[getter]
    fn expired(&self) -> u64 {
        self.inner.expired
    }

    /// Accounts an earlier run of the same day had expired already.
    #[getter]
    fn already_expired(&self) -> u64 {
        self.inner.already_expired
    }

    /// Accounts skipped because they moved while the run read them.
    #[getter]
    fn skipped(&self) -> u64 {
        self.inner.skipped
    }

    /// Points expired, by currency code.
    #[getter]
    fn points(&self) -> BTreeMap<String, i64> {
        self.inner
            .points
            .iter()
            .map(|(code, points)| (code.to_string(), *points))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "ExpiryReport(expired={}, already_expired={}, skipped={}, points={:?})",
            self.inner.expired,
            self.inner.already_expired,
            self.inner.skipped,
            self.points()
        )
    }
}

/// Points of one account and currency that will expire unless the account
/// moves first (`Ledger.expiring_within`).
#[pyclass(module = "dcms", name = "ExpiringPoints", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExpiringPoints {
    pub(crate) inner: dcms_core::ledger::ExpiringPoints,
}

#[pymethods]
impl ExpiringPoints {
    /// The customer's account id (the core's name: `customer`).
    #[getter]
    fn customer(&self) -> String {
        self.inner.customer.to_string()
    }

    /// The currency of the points.
    #[getter]
    fn currency(&self) -> &str {
        self.inner.currency.as_str()
    }

    /// Points that would expire (available ones; held points do not).
    #[getter]
    fn points(&self) -> i64 {
        self.inner.points
    }

    /// The account's last movement in this currency (UTC).
    #[getter]
    fn last_activity(&self) -> DateTime<Utc> {
        self.inner.last_activity
    }

    /// When the points expire: the last movement plus the policy's months (UTC).
    #[getter]
    fn expires_at(&self) -> DateTime<Utc> {
        self.inner.expires_at
    }

    fn __repr__(&self) -> String {
        format!(
            "ExpiringPoints(customer={:?}, currency={:?}, points={}, expires_at={})",
            self.customer(),
            self.currency(),
            self.inner.points,
            self.inner.expires_at.to_rfc3339()
        )
    }
}
