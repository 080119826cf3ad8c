//! Customer accounts and vendors.

use napi_derive::napi;

use super::Ledger;
use crate::convert::{account, points_opt_in, vendor, zone, Points};
use crate::errors::CoreResult;
use crate::types::{Account, Vendor};

/// A vendor's settings besides its id, name, currency and zone.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct VendorOptions {
    /// What is credited from a sale's change (default `coin_part`).
    #[napi(ts_type = "PolicyName")]
    pub policy: Option<String>,
    /// Largest credit, in points, of one sale (absent: no cap).
    pub per_credit_cap: Option<Points>,
    /// Most points one account may be credited here per local day (absent: no cap).
    pub per_day_cap: Option<Points>,
}

impl Ledger {
    /// Builds a core vendor from `createVendor` / `updateVendor` arguments.
    fn vendor_from_args(
        &self,
        id: String,
        name: String,
        currency: &str,
        time_zone: &str,
        options: Option<VendorOptions>,
    ) -> napi::Result<dcms_core::Vendor> {
        let options = options.unwrap_or_default();
        let currency = self.inner.config().currencies.get(currency).js()?;
        let mut v = dcms_core::Vendor::new(vendor(id)?, name, currency, zone(Some(time_zone))?);
        if let Some(p) = options.policy {
            v.policy = dcms_core::ChangePolicy::parse(&p).js()?;
        }
        v.per_credit_cap = points_opt_in(options.per_credit_cap)?;
        v.per_day_cap = points_opt_in(options.per_day_cap)?;
        Ok(v)
    }
}

#[napi]
impl Ledger {
    /// Opens a customer account with a fresh, non-sequential id; the same
    /// `key` returns the same account.
    #[napi]
    pub async fn open_account(&self, key: String) -> napi::Result<Account> {
        let a = self.inner.open_account(&key).await.js()?;
        Ok(Account::from(&a))
    }

    /// A customer account by id.
    #[napi]
    pub async fn account(&self, id: String) -> napi::Result<Account> {
        let a = self.inner.account(account(&id)?).await.js()?;
        Ok(Account::from(&a))
    }

    /// Checks an account id typed at a till (digits, width, check digit)
    /// and returns it normalized.
    #[napi]
    pub async fn parse_account_id(&self, text: String) -> napi::Result<String> {
        self.inner
            .parse_account_id(&text)
            .map(|id| id.to_string())
            .js()
    }

    /// Adds a vendor. Creating the same vendor again with identical
    /// settings returns it; other settings reject with `duplicate_vendor`.
    #[napi]
    pub async fn create_vendor(
        &self,
        id: String,
        name: String,
        currency: String,
        time_zone: String,
        options: Option<VendorOptions>,
    ) -> napi::Result<Vendor> {
        let v = self.vendor_from_args(id, name, &currency, &time_zone, options)?;
        let created = self.inner.create_vendor(v).await.js()?;
        Ok(Vendor::from(&created))
    }

    /// Replaces a vendor's settings (all of them, as `createVendor` takes them).
    #[napi]
    pub async fn update_vendor(
        &self,
        id: String,
        name: String,
        currency: String,
        time_zone: String,
        options: Option<VendorOptions>,
    ) -> napi::Result<Vendor> {
        let v = self.vendor_from_args(id, name, &currency, &time_zone, options)?;
        let updated = self.inner.update_vendor(v).await.js()?;
        Ok(Vendor::from(&updated))
    }

    /// A vendor by id.
    #[napi]
    pub async fn vendor(&self, id: String) -> napi::Result<Vendor> {
        let v = self.inner.vendor(&vendor(id)?).await.js()?;
        Ok(Vendor::from(&v))
    }

    /// Every vendor, ordered by id.
    #[napi]
    pub async fn vendors(&self) -> napi::Result<Vec<Vendor>> {
        let all = self.inner.vendors().await.js()?;
        Ok(all.iter().map(Vendor::from).collect())
    }
}
