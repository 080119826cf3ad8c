//! Reads: the change quote, balances, history, single transactions, verify.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use super::Ledger;
use crate::convert::{AccountId, Amount, VendorKey};
use crate::history::History;
use crate::types::{Balance, ChangeQuote, Transaction, VerifyReport};

#[pymethods]
impl Ledger {
    /// What a sale's change would give at `vendor` (what to hand back and
    /// what would be credited), before anything is written.
    fn quote_change(
        &self,
        py: Python<'_>,
        vendor: VendorKey,
        total: Amount,
        tendered: Amount,
    ) -> PyResult<ChangeQuote> {
        let inner = self.run(py, self.inner.quote_change(&vendor.0, total.0, tendered.0))?;
        Ok(ChangeQuote { inner })
    }

    /// A customer's points. Without `currency`: a dict of every currency
    /// the account has held, by code (`{"JPY": Balance(...), ...}`; empty
    /// for an account that never moved). With `currency` (e.g. `"USD"`):
    /// that currency's `Balance`, zero when the account never held it.
    /// A hold that expired uncaptured counts as available at once.
    #[pyo3(signature = (account, currency = None))]
    fn balance<'py>(
        &self,
        py: Python<'py>,
        account: AccountId,
        currency: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(code) = currency {
            let code = self.currency(py, code)?;
            let inner = self.run(py, self.inner.balance_in(account.0, code))?;
            return Balance { inner }.into_bound_py_any(py);
        }
        let all = self.run(py, self.inner.balance(account.0))?;
        let by_code: BTreeMap<String, Balance> = all
            .iter()
            .map(|(code, inner)| (code.to_string(), Balance { inner }))
            .collect();
        by_code.into_bound_py_any(py)
    }

    /// What a vendor owes the program in points of its own currency:
    /// issued minus redeemed.
    fn vendor_liability(&self, py: Python<'_>, vendor: VendorKey) -> PyResult<i64> {
        self.run(py, self.inner.vendor_liability(&vendor.0))
    }

    /// A customer's transactions, newest first: an iterator over pages of
    /// up to `page_size` transactions, starting after cursor `after`; in
    /// one currency, or in all of them when `currency` is None (each
    /// transaction names its own: `Transaction.currency`).
    #[pyo3(signature = (account, *, currency = None, page_size = 50, after = None))]
    fn history(
        &self,
        py: Python<'_>,
        account: AccountId,
        currency: Option<&str>,
        page_size: u32,
        after: Option<String>,
    ) -> PyResult<History> {
        let currency = currency.map(|c| self.currency(py, c)).transpose()?;
        Ok(History::new(
            self.inner.clone(),
            account.0,
            currency,
            page_size,
            after,
        ))
    }

    /// One transaction by id.
    fn transaction(&self, py: Python<'_>, id: u64) -> PyResult<Transaction> {
        let inner = self.run(py, self.inner.transaction(dcms_core::TxId(id)))?;
        Ok(Transaction { inner })
    }

    /// Recomputes every balance from the journal and compares.
    fn verify(&self, py: Python<'_>) -> PyResult<VerifyReport> {
        let inner = self.run(py, self.inner.verify())?;
        Ok(VerifyReport { inner })
    }
}
