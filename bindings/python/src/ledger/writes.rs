//! Every operation that appends to the journal.

use chrono::Duration;
use pyo3::prelude::*;

use super::Ledger;
use crate::convert::{pos, AccountId, Amount, VendorKey};
use crate::types::{Appended, ChangeCredited};

#[pymethods]
impl Ledger {
    /// Credits the change of a cash sale to a customer's account. `total`
    /// and `tendered` are `decimal.Decimal`s in the vendor's currency.
    #[pyo3(signature = (key, vendor, account, total, tendered, *, store_id = None, terminal_id = None, receipt_no = None))]
    #[allow(clippy::too_many_arguments)]
    fn credit_change(
        &self,
        py: Python<'_>,
        key: String,
        vendor: VendorKey,
        account: AccountId,
        total: Amount,
        tendered: Amount,
        store_id: Option<String>,
        terminal_id: Option<String>,
        receipt_no: Option<String>,
    ) -> PyResult<ChangeCredited> {
        let req = dcms_core::CreditChange {
            key,
            vendor: vendor.0,
            account: account.0,
            total: total.0,
            tendered: tendered.0,
            pos: pos(store_id, terminal_id, receipt_no),
        };
        let inner = self.run(py, self.inner.credit_change(&req))?;
        Ok(ChangeCredited { inner })
    }

    /// Spends points at a vendor in one step, from the customer's balance
    /// in the vendor's currency (points of other currencies never count).
    #[pyo3(signature = (key, vendor, account, points, *, store_id = None, terminal_id = None, receipt_no = None))]
    #[allow(clippy::too_many_arguments)]
    fn redeem(
        &self,
        py: Python<'_>,
        key: String,
        vendor: VendorKey,
        account: AccountId,
        points: i64,
        store_id: Option<String>,
        terminal_id: Option<String>,
        receipt_no: Option<String>,
    ) -> PyResult<Appended> {
        let req = dcms_core::Redeem {
            key,
            vendor: vendor.0,
            account: account.0,
            points,
            pos: pos(store_id, terminal_id, receipt_no),
        };
        let inner = self.run(py, self.inner.redeem(&req))?;
        Ok(Appended { inner })
    }

    /// Sets points of the vendor's currency aside for a two-phase
    /// redemption: the available balance drops at once; `capture`, `void_hold` or expiry after `ttl` (a
    /// `timedelta`; None: the program's default) settles it.
    #[pyo3(signature = (key, vendor, account, points, *, ttl = None, store_id = None, terminal_id = None, receipt_no = None))]
    #[allow(clippy::too_many_arguments)]
    fn hold(
        &self,
        py: Python<'_>,
        key: String,
        vendor: VendorKey,
        account: AccountId,
        points: i64,
        ttl: Option<Duration>,
        store_id: Option<String>,
        terminal_id: Option<String>,
        receipt_no: Option<String>,
    ) -> PyResult<Appended> {
        let req = dcms_core::HoldRequest {
            key,
            vendor: vendor.0,
            account: account.0,
            points,
            ttl,
            pos: pos(store_id, terminal_id, receipt_no),
        };
        let inner = self.run(py, self.inner.hold(&req))?;
        Ok(Appended { inner })
    }

    /// Captures `points` of an open hold (all of it when None); the rest
    /// returns to the customer.
    #[pyo3(signature = (key, hold, points = None))]
    fn capture(
        &self,
        py: Python<'_>,
        key: &str,
        hold: u64,
        points: Option<i64>,
    ) -> PyResult<Appended> {
        let inner = self.run(py, self.inner.capture(key, dcms_core::TxId(hold), points))?;
        Ok(Appended { inner })
    }

    /// Cancels an open hold; all its points return to the customer.
    fn void_hold(&self, py: Python<'_>, key: &str, hold: u64) -> PyResult<Appended> {
        let inner = self.run(py, self.inner.void_hold(key, dcms_core::TxId(hold)))?;
        Ok(Appended { inner })
    }

    /// Releases every hold whose expiry has passed; returns how many.
    fn release_expired_holds(&self, py: Python<'_>) -> PyResult<u64> {
        self.run(py, self.inner.release_expired_holds())
    }

    /// Moves points of one currency from one customer to another. The
    /// currency is required: points of one currency never pay for another.
    /// The program's transfer limits of that currency apply
    /// (`LimitExceededError`, `limit` `"per-transfer"` or `"per-day transfer"`).
    #[pyo3(signature = (key, from_account, to_account, points, *, currency))]
    fn transfer(
        &self,
        py: Python<'_>,
        key: &str,
        from_account: AccountId,
        to_account: AccountId,
        points: i64,
        currency: &str,
    ) -> PyResult<Appended> {
        let code = self.currency(py, currency)?;
        let inner = self.run(
            py,
            self.inner
                .transfer(key, from_account.0, to_account.0, code, points),
        )?;
        Ok(Appended { inner })
    }

    /// Reverses a transaction once: exactly its opposite, pointing at it.
    fn reverse(&self, py: Python<'_>, key: &str, tx: u64, reason: &str) -> PyResult<Appended> {
        let inner = self.run(py, self.inner.reverse(key, dcms_core::TxId(tx), reason))?;
        Ok(Appended { inner })
    }

    /// Corrects a customer's balance in one currency by hand (positive or
    /// negative points).
    #[pyo3(signature = (key, account, points, reason, *, currency))]
    fn adjust(
        &self,
        py: Python<'_>,
        key: &str,
        account: AccountId,
        points: i64,
        reason: &str,
        currency: &str,
    ) -> PyResult<Appended> {
        let code = self.currency(py, currency)?;
        let inner = self.run(py, self.inner.adjust(key, account.0, code, points, reason))?;
        Ok(Appended { inner })
    }

    /// Removes points of one currency from a customer's account (to the
    /// program's breakage). `expire_inactive` does this for every account
    /// the expiry policy finds dormant.
    #[pyo3(signature = (key, account, points, reason, *, currency))]
    fn expire(
        &self,
        py: Python<'_>,
        key: &str,
        account: AccountId,
        points: i64,
        reason: &str,
        currency: &str,
    ) -> PyResult<Appended> {
        let code = self.currency(py, currency)?;
        let inner = self.run(py, self.inner.expire(key, account.0, code, points, reason))?;
        Ok(Appended { inner })
    }
}
