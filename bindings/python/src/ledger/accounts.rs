//! Customer accounts and vendors.

use pyo3::prelude::*;

use super::Ledger;
use crate::convert::{policy, AccountId, VendorKey, Zone};
use crate::errors::CoreResult;
use crate::types::{Account, Vendor};

impl Ledger {
    /// Builds a core vendor from `create_vendor` / `update_vendor` arguments.
    #[allow(clippy::too_many_arguments)]
    fn vendor_from_args(
        &self,
        py: Python<'_>,
        id: VendorKey,
        name: String,
        currency: &str,
        time_zone: Zone,
        policy_name: &str,
        per_credit_cap: Option<i64>,
        per_day_cap: Option<i64>,
    ) -> PyResult<dcms_core::Vendor> {
        let currency = self.inner.config().currencies.get(currency).py(py)?;
        let mut vendor = dcms_core::Vendor::new(id.0, name, currency, time_zone.0);
        vendor.policy = policy(py, policy_name)?;
        vendor.per_credit_cap = per_credit_cap;
        vendor.per_day_cap = per_day_cap;
        Ok(vendor)
    }
}

#[pymethods]
impl Ledger {
    /// Opens a customer account with a fresh, non-sequential id; the same
    /// `key` returns the same account.
    fn open_account(&self, py: Python<'_>, key: &str) -> PyResult<Account> {
        let inner = self.run(py, self.inner.open_account(key))?;
        Ok(Account { inner })
    }

    /// A customer account by id.
    fn account(&self, py: Python<'_>, id: AccountId) -> PyResult<Account> {
        let inner = self.run(py, self.inner.account(id.0))?;
        Ok(Account { inner })
    }

    /// Checks an account id typed at a till (digits, width, check digit)
    /// and returns it normalized.
    fn parse_account_id(&self, py: Python<'_>, text: &str) -> PyResult<String> {
        self.inner
            .parse_account_id(text)
            .map(|id| id.to_string())
            .py(py)
    }

    /// Adds a vendor. Creating the same vendor again with identical
    /// settings returns it; other settings raise `DcmsError` (`duplicate_vendor`).
    #[pyo3(signature = (id, name, currency, time_zone, *, policy = "coin_part", per_credit_cap = None, per_day_cap = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_vendor(
        &self,
        py: Python<'_>,
        id: VendorKey,
        name: String,
        currency: &str,
        time_zone: Zone,
        policy: &str,
        per_credit_cap: Option<i64>,
        per_day_cap: Option<i64>,
    ) -> PyResult<Vendor> {
        let vendor = self.vendor_from_args(
            py,
            id,
            name,
            currency,
            time_zone,
            policy,
            per_credit_cap,
            per_day_cap,
        )?;
        let inner = self.run(py, self.inner.create_vendor(vendor))?;
        Ok(Vendor { inner })
    }

    /// Replaces a vendor's settings (all of them, as `create_vendor` takes them).
    #[pyo3(signature = (id, name, currency, time_zone, *, policy = "coin_part", per_credit_cap = None, per_day_cap = None))]
    #[allow(clippy::too_many_arguments)]
    fn update_vendor(
        &self,
        py: Python<'_>,
        id: VendorKey,
        name: String,
        currency: &str,
        time_zone: Zone,
        policy: &str,
        per_credit_cap: Option<i64>,
        per_day_cap: Option<i64>,
    ) -> PyResult<Vendor> {
        let vendor = self.vendor_from_args(
            py,
            id,
            name,
            currency,
            time_zone,
            policy,
            per_credit_cap,
            per_day_cap,
        )?;
        let inner = self.run(py, self.inner.update_vendor(vendor))?;
        Ok(Vendor { inner })
    }

    /// A vendor by id.
    fn vendor(&self, py: Python<'_>, id: VendorKey) -> PyResult<Vendor> {
        let inner = self.run(py, self.inner.vendor(&id.0))?;
        Ok(Vendor { inner })
    }

    /// Every vendor, ordered by id.
    fn vendors(&self, py: Python<'_>) -> PyResult<Vec<Vendor>> {
        let all = self.run(py, self.inner.vendors())?;
        Ok(all.into_iter().map(|inner| Vendor { inner }).collect())
    }
}
