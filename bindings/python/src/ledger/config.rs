//! The program settings `dcms.open()` takes as keyword arguments, turned
//! into a core `LedgerConfig`: points per minor unit (one int for every
//! currency, or a dict per currency), transfer limits per currency, the
//! expiry policy and the program's time zone.

use std::collections::BTreeMap;

use dcms_core::ledger::{ExpiryPolicy, TransferLimits};
use dcms_core::{CurrencyCode, CurrencyRegistry, LedgerConfig};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};
use pyo3::Borrowed;

use crate::errors::CoreResult;

/// The `points_per_minor` argument: one rate for every currency, or a rate
/// per currency code (currencies not listed earn 1 point per minor unit).
#[derive(Debug, Clone)]
pub(crate) enum Rates {
    /// The same rate in every currency.
    All(i64),
    /// A rate per currency code, as given.
    Each(BTreeMap<String, i64>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Rates {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        // A bool is an int to Python; as a rate it is always a mistake.
        if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
            return Ok(Rates::All(obj.extract()?));
        }
        if obj.is_instance_of::<PyDict>() {
            return Ok(Rates::Each(obj.extract()?));
        }
        Err(PyTypeError::new_err(
            "points_per_minor is an int (every currency) or a dict of currency code to int",
        ))
    }
}

/// A currency code the program's registry knows.
fn known(py: Python<'_>, registry: &CurrencyRegistry, code: &str) -> PyResult<CurrencyCode> {
    Ok(registry.get(code).py(py)?.code)
}

/// The rate of each currency, as `LedgerConfig::points_per_minor` holds it.
fn rates(
    py: Python<'_>,
    registry: &CurrencyRegistry,
    rates: Rates,
) -> PyResult<BTreeMap<CurrencyCode, i64>> {
    match rates {
        // 1 is the core's default for every currency: nothing to list.
        Rates::All(1) => Ok(BTreeMap::new()),
        Rates::All(rate) => Ok(registry
            .codes()
            .into_iter()
            .map(|code| (code, rate))
            .collect()),
        Rates::Each(each) => each
            .iter()
            .map(|(code, rate)| Ok((known(py, registry, code)?, *rate)))
            .collect(),
    }
}

/// The limit names a transfer-limits dict may hold.
const LIMIT_KEYS: [&str; 2] = ["per_transfer", "per_day"];

/// `{"USD": {"per_transfer": 5000, "per_day": 20000}, ...}` as core limits.
fn transfer_limits(
    py: Python<'_>,
    registry: &CurrencyRegistry,
    given: BTreeMap<String, BTreeMap<String, Option<i64>>>,
) -> PyResult<BTreeMap<CurrencyCode, TransferLimits>> {
    let mut out = BTreeMap::new();
    for (code, limits) in given {
        // A misspelt limit silently ignored would be no limit at all.
        if let Some(other) = limits.keys().find(|k| !LIMIT_KEYS.contains(&k.as_str())) {
            return Err(PyValueError::new_err(format!(
                "transfer_limits[{code:?}] has {other:?}; the limits are \"per_transfer\" and \"per_day\""
            )));
        }
        let get = |name: &str| limits.get(name).copied().flatten();
        out.insert(
            known(py, registry, &code)?,
            TransferLimits {
                per_transfer: get("per_transfer"),
                per_day: get("per_day"),
            },
        );
    }
    Ok(out)
}

/// The program settings of `dcms.open()` other than the store's.
#[derive(Debug)]
pub(crate) struct Settings {
    /// `points_per_minor`.
    pub(crate) points_per_minor: Rates,
    /// `account_id_width`.
    pub(crate) account_id_width: u8,
    /// `hold_ttl` (None: the core's default).
    pub(crate) hold_ttl: Option<chrono::Duration>,
    /// `time_zone` (None: UTC).
    pub(crate) time_zone: Option<chrono_tz::Tz>,
    /// `transfer_limits`.
    pub(crate) transfer_limits: Option<BTreeMap<String, BTreeMap<String, Option<i64>>>>,
    /// `expiry_months` (None: points never expire).
    pub(crate) expiry_months: Option<u32>,
}

impl Settings {
    /// The core configuration; the core checks the values themselves when
    /// the ledger opens (rates, limits and months in range).
    pub(crate) fn into_config(self, py: Python<'_>) -> PyResult<LedgerConfig> {
        let defaults = LedgerConfig::default();
        let registry = &defaults.currencies;
        Ok(LedgerConfig {
            points_per_minor: rates(py, registry, self.points_per_minor)?,
            account_id_width: self.account_id_width,
            hold_ttl: self.hold_ttl.unwrap_or(defaults.hold_ttl),
            time_zone: self.time_zone.unwrap_or(defaults.time_zone),
            transfer_limits: transfer_limits(
                py,
                registry,
                self.transfer_limits.unwrap_or_default(),
            )?,
            expiry: self
                .expiry_months
                .map(|inactive_months| ExpiryPolicy { inactive_months }),
            ..defaults
        })
    }
}
