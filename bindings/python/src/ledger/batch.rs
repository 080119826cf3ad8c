//! Batch change credits: many `CreditChange` requests in one call, so a
//! busy till pays the Python-to-Rust crossing once per batch, not per sale.

use pyo3::prelude::*;

use super::Ledger;
use crate::convert::{pos, AccountId, Amount, VendorKey};
use crate::errors::to_py;
use crate::runtime::block_on;
use crate::types::ChangeCredited;

/// One change credit for `Ledger.credit_change_many`; the arguments are
/// those of `Ledger.credit_change`, checked and converted when it is built.
#[pyclass(module = "dcms", name = "CreditChange", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct CreditChange {
    inner: dcms_core::CreditChange,
}

#[pymethods]
impl CreditChange {
    #[new]
    #[pyo3(signature = (key, vendor, account, total, tendered, *, store_id = None, terminal_id = None, receipt_no = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        key: String,
        vendor: VendorKey,
        account: AccountId,
        total: Amount,
        tendered: Amount,
        store_id: Option<String>,
        terminal_id: Option<String>,
        receipt_no: Option<String>,
    ) -> Self {
        CreditChange {
            inner: dcms_core::CreditChange {
                key,
                vendor: vendor.0,
                account: account.0,
                total: total.0,
                tendered: tendered.0,
                pos: pos(store_id, terminal_id, receipt_no),
            },
        }
    }

    /// The idempotency key.
    #[getter]
    fn key(&self) -> &str {
        &self.inner.key
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        format!(
            "CreditChange(key={:?}, vendor={:?}, account={:?}, total={}, tendered={})",
            r.key,
            r.vendor.as_str(),
            r.account.to_string(),
            r.total,
            r.tendered
        )
    }
}

#[pymethods]
impl Ledger {
    /// Credits many sales in one call, in order, with the GIL released
    /// throughout. Stops at the first refused request and raises its
    /// exception with `index` set to its position; the requests before it
    /// are written, so retrying the whole batch (same keys) replays them.
    fn credit_change_many(
        &self,
        py: Python<'_>,
        requests: Vec<Bound<'_, CreditChange>>,
    ) -> PyResult<Vec<ChangeCredited>> {
        let requests: Vec<dcms_core::CreditChange> =
            requests.iter().map(|r| r.get().inner.clone()).collect();
        let ledger = &self.inner;
        let (done, failed) = block_on(py, async move {
            let mut done = Vec::with_capacity(requests.len());
            for (i, req) in requests.iter().enumerate() {
                match ledger.credit_change(req).await {
                    Ok(c) => done.push(ChangeCredited { inner: c }),
                    Err(e) => return (done, Some((i, e))),
                }
            }
            (done, None)
        })?;
        match failed {
            None => Ok(done),
            Some((index, e)) => {
                let err = to_py(py, &e);
                err.value(py).setattr("index", index)?;
                Err(err)
            }
        }
    }
}
