//! What `verify()` found.

use pyo3::prelude::*;

/// The result of `Ledger.verify()`: the journal recomputed and compared
/// with the stored balances.
#[pyclass(module = "dcms", name = "VerifyReport", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct VerifyReport {
    pub(crate) inner: dcms_core::VerifyReport,
}

#[pymethods]
impl VerifyReport {
    /// True when no problem was found.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.is_ok()
    }

    /// Transactions read.
    #[getter]
    fn transactions(&self) -> u64 {
        self.inner.transactions
    }

    /// Accounts compared.
    #[getter]
    fn accounts(&self) -> u64 {
        self.inner.accounts
    }

    /// Every difference found, in words (empty when the ledger is sound).
    #[getter]
    fn problems(&self) -> Vec<String> {
        self.inner.problems.clone()
    }

    fn __bool__(&self) -> bool {
        self.inner.is_ok()
    }

    fn __repr__(&self) -> String {
        format!(
            "VerifyReport(ok={}, transactions={}, accounts={}, problems={:?})",
            if self.inner.is_ok() { "True" } else { "False" },
            self.inner.transactions,
            self.inner.accounts,
            self.inner.problems
        )
    }
}
