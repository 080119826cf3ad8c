//! Customer accounts and vendors.

use napi::Env;
use napi_derive::napi;

use super::Ledger;
use crate::convert::{account, points_opt_in, vendor, zone, Points};
use crate::errors::CoreResult;
use crate::run::{run, Js};
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
    #[napi(ts_return_type = "Promise<Account>")]
    pub fn open_account<'env>(
        &self,
        env: &'env Env,
        key: String,
    ) -> napi::Result<Js<'env, Account>> {
        let ledger = self.inner.clone();
        run(env, async move {
            Ok(Account::from(&ledger.open_account(&key).await.js()?))
        })
    }

    /// A customer account by id.
    #[napi(ts_return_type = "Promise<Account>")]
    pub fn account<'env>(&self, env: &'env Env, id: String) -> napi::Result<Js<'env, Account>> {
        let ledger = self.inner.clone();
        run(env, async move {
            Ok(Account::from(&ledger.account(account(&id)?).await.js()?))
        })
    }

    /// Checks an account id typed at a till (digits, width, check digit)
    /// and returns it normalized.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn parse_account_id<'env>(
        &self,
        env: &'env Env,
        text: String,
    ) -> napi::Result<Js<'env, String>> {
        let ledger = self.inner.clone();
        run(env, async move {
            ledger.parse_account_id(&text).map(|id| id.to_string()).js()
        })
    }

    /// Adds a vendor. Creating the same vendor again with identical
    /// settings returns it; other settings reject with `duplicate_vendor`.
    #[napi(ts_return_type = "Promise<Vendor>")]
    pub fn create_vendor<'env>(
        &self,
        env: &'env Env,
        id: String,
        name: String,
        currency: String,
        time_zone: String,
        options: Option<VendorOptions>,
    ) -> napi::Result<Js<'env, Vendor>> {
        let ledger = self.inner.clone();
        let v = self.vendor_from_args(id, name, &currency, &time_zone, options);
        run(env, async move {
            Ok(Vendor::from(&ledger.create_vendor(v?).await.js()?))
        })
    }

    /// Replaces a vendor's settings (all of them, as `createVendor` takes them).
    #[napi(ts_return_type = "Promise<Vendor>")]
    pub fn update_vendor<'env>(
        &self,
        env: &'env Env,
        id: String,
        name: String,
        currency: String,
        time_zone: String,
        options: Option<VendorOptions>,
    ) -> napi::Result<Js<'env, Vendor>> {
        let ledger = self.inner.clone();
        let v = self.vendor_from_args(id, name, &currency, &time_zone, options);
        run(env, async move {
            Ok(Vendor::from(&ledger.update_vendor(v?).await.js()?))
        })
    }

    /// A vendor by id.
    #[napi(ts_return_type = "Promise<Vendor>")]
    pub fn vendor<'env>(&self, env: &'env Env, id: String) -> napi::Result<Js<'env, Vendor>> {
        let ledger = self.inner.clone();
        run(env, async move {
            Ok(Vendor::from(&ledger.vendor(&vendor(id)?).await.js()?))
        })
    }

    /// Every vendor, ordered by id.
    #[napi(ts_return_type = "Promise<Array<Vendor>>")]
    pub fn vendors<'env>(&self, env: &'env Env) -> napi::Result<Js<'env, Vec<Vendor>>> {
        let ledger = self.inner.clone();
        run(env, async move {
            Ok(ledger
                .vendors()
                .await
                .js()?
                .iter()
                .map(Vendor::from)
                .collect())
        })
    }
}
