//! The Python exceptions and the one place core errors become them.
//!
//! Every exception is a `DcmsError` carrying the core's stable machine code
//! (`code`, see `dcms_core::Error::code`) and whether a retry with the same
//! idempotency key may succeed (`retryable`). The errors a caller acts on
//! have their own subclass; the rest are plain `DcmsError`s.

use dcms_core::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    dcms,
    DcmsError,
    PyException,
    "Base class of every DCMS error. `code` is the stable machine-readable code, `retryable` tells whether retrying with the same idempotency key may succeed."
);
create_exception!(
    dcms,
    InsufficientPointsError,
    DcmsError,
    "The account does not hold enough available points in the currency spent (code `insufficient_points`). `account`, `currency`, `available` and `requested` say which account, which currency and how many points."
);
create_exception!(
    dcms,
    UnknownAccountError,
    DcmsError,
    "No account has this id (`unknown_account`), or the id fails its check digit or width: most likely a typing mistake (`invalid_account_id`)."
);
create_exception!(
    dcms,
    InvalidAmountError,
    DcmsError,
    "An amount DCMS refuses rather than round (`invalid_amount`), or less cash tendered than the total (`insufficient_cash`)."
);
create_exception!(
    dcms,
    LimitExceededError,
    DcmsError,
    "A limit would be exceeded (`limit_exceeded`): a vendor's change cap (`limit` \"per-credit\" or \"per-day\"; hand the change back in coins) or the program's transfer limit (\"per-transfer\" or \"per-day transfer\"). `cap`, `requested` and `remaining` are points."
);
create_exception!(
    dcms,
    IdempotencyConflictError,
    DcmsError,
    "The idempotency key was used before for a different request (`idempotency_conflict`)."
);
create_exception!(
    dcms,
    StorageUnavailableError,
    DcmsError,
    "The store cannot be reached or timed out (`storage_unavailable`); retry with the same idempotency key."
);

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DcmsError", py.get_type::<DcmsError>())?;
    m.add(
        "InsufficientPointsError",
        py.get_type::<InsufficientPointsError>(),
    )?;
    m.add("UnknownAccountError", py.get_type::<UnknownAccountError>())?;
    m.add("InvalidAmountError", py.get_type::<InvalidAmountError>())?;
    m.add("LimitExceededError", py.get_type::<LimitExceededError>())?;
    m.add(
        "IdempotencyConflictError",
        py.get_type::<IdempotencyConflictError>(),
    )?;
    m.add(
        "StorageUnavailableError",
        py.get_type::<StorageUnavailableError>(),
    )?;
    Ok(())
}

/// The fields a caller acts on, as attributes of the exception: which
/// currency a spend lacked, which limit refused.
fn details(value: &Bound<'_, PyAny>, error: &Error) -> PyResult<()> {
    match error {
        Error::InsufficientPoints {
            account,
            currency,
            available,
            requested,
        } => {
            value.setattr("account", account.to_string())?;
            value.setattr("currency", currency.as_str())?;
            value.setattr("available", available)?;
            value.setattr("requested", requested)?;
        }
        Error::LimitExceeded {
            limit,
            cap,
            requested,
            remaining,
        } => {
            value.setattr("limit", limit)?;
            value.setattr("cap", cap)?;
            value.setattr("requested", requested)?;
            value.setattr("remaining", remaining)?;
        }
        _ => {}
    }
    Ok(())
}

/// Converts a core error into its Python exception, with `code`,
/// `retryable` and the error's own details set on the instance.
pub(crate) fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    let message = error.to_string();
    let err = match error {
        Error::InsufficientPoints { .. } => InsufficientPointsError::new_err(message),
        Error::UnknownAccount(_) | Error::InvalidAccountId { .. } => {
            UnknownAccountError::new_err(message)
        }
        Error::InvalidAmount { .. } | Error::InsufficientCash { .. } => {
            InvalidAmountError::new_err(message)
        }
        Error::LimitExceeded { .. } => LimitExceededError::new_err(message),
        Error::IdempotencyConflict { .. } => IdempotencyConflictError::new_err(message),
        Error::StorageUnavailable(_) => StorageUnavailableError::new_err(message),
        _ => DcmsError::new_err(message),
    };
    let value = err.value(py);
    // Setting an attribute on a fresh exception instance cannot fail short
    // of memory exhaustion; the exception is still raised if it does.
    let _ = value.setattr("code", error.code());
    let _ = value.setattr("retryable", error.is_retryable());
    let _ = details(value.as_any(), error);
    err
}

/// `?` for core results inside binding functions.
pub(crate) trait CoreResult<T> {
    /// Converts the error side into the matching Python exception.
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> CoreResult<T> for Result<T, Error> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}
