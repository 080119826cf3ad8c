//! # dcms-python
//!
//! The `dcms` Python package: pyo3 bindings over `dcms-core` (the ledger)
//! and `dcms-store` (SQLite, PostgreSQL, MySQL/MariaDB). Built by maturin
//! into an abi3 wheel (CPython 3.9+); the native part is the module
//! `dcms._dcms`, re-exported by `dcms/__init__.py`.
//!
//! The binding holds no business rules: each function converts its
//! arguments, calls one core function with the GIL released (on one shared
//! Tokio runtime), and converts the result or error back. Money is
//! `decimal.Decimal` (never a float), times are timezone-aware `datetime`s,
//! and core errors become `dcms.DcmsError` subclasses carrying the core's
//! machine-readable `code`.
//!
//! This file only registers the module's contents.

mod clock;
mod convert;
mod errors;
mod history;
mod ledger;
mod objects;
mod runtime;
mod types;

use pyo3::prelude::*;

/// The native module `dcms._dcms`.
#[pymodule]
#[pyo3(name = "_dcms")]
fn dcms_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(ledger::open, m)?)?;
    m.add_class::<ledger::Ledger>()?;
    m.add_class::<ledger::CreditChange>()?;
    m.add_class::<clock::ManualClock>()?;
    m.add_class::<history::History>()?;
    m.add_class::<history::Page>()?;
    m.add_class::<types::Vendor>()?;
    m.add_class::<types::Account>()?;
    m.add_class::<types::Balance>()?;
    m.add_class::<types::ChangeQuote>()?;
    m.add_class::<types::ChangeCredited>()?;
    m.add_class::<types::Transaction>()?;
    m.add_class::<types::Posting>()?;
    m.add_class::<types::Appended>()?;
    m.add_class::<types::VerifyReport>()?;
    m.add_class::<types::ExpiryReport>()?;
    m.add_class::<types::ExpiringPoints>()?;
    m.add_class::<types::Statement>()?;
    m.add_class::<types::VendorClose>()?;
    m.add_class::<types::CloseReport>()?;
    m.add_class::<objects::LocalDirStore>()?;
    errors::register(m)?;
    Ok(())
}
