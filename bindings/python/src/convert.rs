//! Argument and result conversions between Python values and core types.
//!
//! Money crosses as `decimal.Decimal` (an `int` is accepted as a whole
//! amount; a `float` is refused with a `TypeError`, since money is never a
//! float). Times cross as timezone-aware `datetime`s (a naive one is a
//! `TypeError`); results are in UTC. Account ids are the digit strings
//! printed on cards and receipts.

use chrono::{DateTime, Utc};
use dcms_core::calendar::Month;
use dcms_core::{CustomerId, Error, Money, PosRef, VendorId};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString, PyType, PyTzInfo};
use pyo3::Borrowed;
use rust_decimal::Decimal;

use crate::errors::to_py;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Python's `decimal.Decimal` class (imported once).
fn decimal_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// The name of a value's type, for error messages.
fn type_name(obj: &Borrowed<'_, '_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// An amount of money given by Python: a `decimal.Decimal` or an `int`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Amount(pub(crate) Decimal);

impl<'a, 'py> FromPyObject<'a, 'py> for Amount {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        if obj.is_instance(decimal_class(py)?)? {
            let text = obj.str()?;
            let text = text.to_cow()?;
            return Decimal::from_str_exact(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map(Amount)
                .map_err(|_| {
                    to_py(
                        py,
                        &Error::InvalidAmount {
                            value: text.to_string(),
                            reason: "not a finite decimal of at most 28 digits".into(),
                        },
                    )
                });
        }
        if obj.is_instance_of::<PyFloat>() {
            return Err(PyTypeError::new_err(format!(
                "money is never a float: pass decimal.Decimal(\"{}\") instead of the float {}",
                obj.str()?.to_cow()?,
                obj.repr()?.to_cow()?
            )));
        }
        if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
            let whole: i64 = obj.extract().map_err(|_| {
                to_py(
                    py,
                    &Error::InvalidAmount {
                        value: obj.str().map(|s| s.to_string()).unwrap_or_default(),
                        reason: "too large".into(),
                    },
                )
            })?;
            return Ok(Amount(Decimal::from(whole)));
        }
        Err(PyTypeError::new_err(format!(
            "an amount of money is a decimal.Decimal (or an int), not {}",
            type_name(&obj)
        )))
    }
}

/// A money amount as a `decimal.Decimal` with the currency's scale
/// (`Decimal("3.00")` for USD).
pub(crate) fn money_out<'py>(py: Python<'py>, money: &Money) -> PyResult<Bound<'py, PyAny>> {
    decimal_class(py)?.call1((money.to_decimal().to_string(),))
}

/// A customer account id given by Python: its digit string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AccountId(pub(crate) CustomerId);

impl<'a, 'py> FromPyObject<'a, 'py> for AccountId {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text = obj.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "an account id is a str of digits such as \"482137\", not {}",
                type_name(&obj)
            ))
        })?;
        CustomerId::parse(&text.to_cow()?)
            .map(AccountId)
            .map_err(|e| to_py(obj.py(), &e))
    }
}

/// A vendor id given by Python.
#[derive(Debug, Clone)]
pub(crate) struct VendorKey(pub(crate) VendorId);

impl<'a, 'py> FromPyObject<'a, 'py> for VendorKey {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text: String = obj.extract()?;
        VendorId::new(text)
            .map(VendorKey)
            .map_err(|e| to_py(obj.py(), &e))
    }
}

/// A timezone-aware `datetime`, as a UTC instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Instant(pub(crate) DateTime<Utc>);

impl<'a, 'py> FromPyObject<'a, 'py> for Instant {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        let offset = obj.call_method0("utcoffset").map_err(|_| {
            PyTypeError::new_err(format!(
                "a time is a timezone-aware datetime.datetime, not {}",
                type_name(&obj)
            ))
        })?;
        if offset.is_none() {
            return Err(PyTypeError::new_err(
                "a naive datetime has no time zone: pass a timezone-aware datetime (e.g. tzinfo=datetime.timezone.utc)",
            ));
        }
        let utc = obj.call_method1("astimezone", (PyTzInfo::utc(py)?,))?;
        Ok(Instant(utc.extract()?))
    }
}

/// A calendar month given as `"yyyy-mm"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MonthArg(pub(crate) Month);

impl<'a, 'py> FromPyObject<'a, 'py> for MonthArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text: String = obj.extract()?;
        Month::parse(&text)
            .map(MonthArg)
            .map_err(|e| to_py(obj.py(), &e))
    }
}

/// An IANA time zone name such as `"America/New_York"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Zone(pub(crate) chrono_tz::Tz);

impl<'a, 'py> FromPyObject<'a, 'py> for Zone {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text: String = obj.extract()?;
        dcms_core::Vendor::parse_time_zone(&text)
            .map(Zone)
            .map_err(|e| to_py(obj.py(), &e))
    }
}

/// Builds the POS reference from the optional keyword arguments.
pub(crate) fn pos(
    store_id: Option<String>,
    terminal_id: Option<String>,
    receipt_no: Option<String>,
) -> PosRef {
    PosRef {
        store_id,
        terminal_id,
        receipt_no,
    }
}

/// Parses a change policy name (`coin_part`, `all_change`, `nothing`).
pub(crate) fn policy(py: Python<'_>, text: &str) -> PyResult<dcms_core::ChangePolicy> {
    dcms_core::ChangePolicy::parse(text).map_err(|e| to_py(py, &e))
}
