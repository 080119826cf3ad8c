//! Reads: the change quote, balances, history, single transactions, verify.

use pyo3::prelude::*;

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

    /// A customer's available and held points.
    fn balance(&self, py: Python<'_>, account: AccountId) -> PyResult<Balance> {
        let inner = self.run(py, self.inner.balance(account.0))?;
        Ok(Balance { inner })
    }

    /// What a vendor owes the program in points: issued minus redeemed.
    fn vendor_liability(&self, py: Python<'_>, vendor: VendorKey) -> PyResult<i64> {
        self.run(py, self.inner.vendor_liability(&vendor.0))
    }

    /// A customer's transactions, newest first: an iterator over pages of
    /// up to `page_size` transactions, starting after cursor `after`.
    #[pyo3(signature = (account, *, page_size = 50, after = None))]
    fn history(&self, account: AccountId, page_size: u32, after: Option<String>) -> History {
        History::new(self.inner.clone(), account.0, page_size, after)
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
