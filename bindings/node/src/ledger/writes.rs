//! Every operation that appends to the journal.

use dcms_core::PosRef;
use napi::Env;
use napi_derive::napi;

use super::Ledger;
use crate::convert::{
    account, amount, millis, points_in, points_opt_in, pos as to_pos, tx_id, vendor, Amount,
    Points, PosFields, TxRef,
};
use crate::errors::CoreResult;
use crate::run::{run, Js};
use crate::types::{Appended, ChangeCredited};

/// The options of `hold`: how long it lives and the POS fields.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HoldOptions {
    /// How long the hold lives, in milliseconds (absent: the program's default).
    pub ttl_ms: Option<f64>,
    /// The store, as the POS reports it.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
}

#[napi]
impl Ledger {
    /// Credits the change of a cash sale to a customer's account. `total`
    /// and `tendered` are decimal strings in the vendor's currency.
    #[napi(ts_return_type = "Promise<ChangeCredited>")]
    #[allow(clippy::too_many_arguments)]
    pub fn credit_change<'env>(
        &self,
        env: &'env Env,
        key: String,
        vendor_id: String,
        account_id: String,
        total: Amount,
        tendered: Amount,
        pos: Option<PosFields>,
    ) -> napi::Result<Js<'env, ChangeCredited>> {
        let ledger = self.inner.clone();
        let req = dcms_core::CreditChange {
            key,
            vendor: vendor(vendor_id)?,
            account: account(&account_id)?,
            total: amount(total)?,
            tendered: amount(tendered)?,
            pos: to_pos(pos),
        };
        run(env, async move {
            Ok(ChangeCredited::from(ledger.credit_change(&req).await.js()?))
        })
    }

    /// Spends points at a vendor in one step, from the customer's balance
    /// in the vendor's currency (points of other currencies never count).
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn redeem<'env>(
        &self,
        env: &'env Env,
        key: String,
        vendor_id: String,
        account_id: String,
        points: Points,
        pos: Option<PosFields>,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let req = dcms_core::Redeem {
            key,
            vendor: vendor(vendor_id)?,
            account: account(&account_id)?,
            points: points_in(points)?,
            pos: to_pos(pos),
        };
        run(env, async move {
            Ok(Appended::from(ledger.redeem(&req).await.js()?))
        })
    }

    /// Sets points of the vendor's currency aside for a two-phase
    /// redemption: the available balance drops at once; `capture`,
    /// `voidHold` or expiry after `ttlMs` settles it.
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn hold<'env>(
        &self,
        env: &'env Env,
        key: String,
        vendor_id: String,
        account_id: String,
        points: Points,
        options: Option<HoldOptions>,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let o = options.unwrap_or_default();
        let req = dcms_core::HoldRequest {
            key,
            vendor: vendor(vendor_id)?,
            account: account(&account_id)?,
            points: points_in(points)?,
            ttl: o.ttl_ms.map(|ms| millis(ms, "ttlMs")).transpose()?,
            pos: PosRef {
                store_id: o.store_id,
                terminal_id: o.terminal_id,
                receipt_no: o.receipt_no,
            },
        };
        run(env, async move {
            Ok(Appended::from(ledger.hold(&req).await.js()?))
        })
    }

    /// Captures `points` of an open hold (all of it when absent); the rest
    /// returns to the customer.
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn capture<'env>(
        &self,
        env: &'env Env,
        key: String,
        hold: TxRef,
        points: Option<Points>,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let (hold, pts) = (tx_id(hold)?, points_opt_in(points)?);
        run(env, async move {
            Ok(Appended::from(ledger.capture(&key, hold, pts).await.js()?))
        })
    }

    /// Cancels an open hold; all its points return to the customer.
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn void_hold<'env>(
        &self,
        env: &'env Env,
        key: String,
        hold: TxRef,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let hold = tx_id(hold)?;
        run(env, async move {
            Ok(Appended::from(ledger.void_hold(&key, hold).await.js()?))
        })
    }

    /// Releases every hold whose expiry has passed; resolves to how many.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn release_expired_holds<'env>(&self, env: &'env Env) -> napi::Result<Js<'env, f64>> {
        let ledger = self.inner.clone();
        run(env, async move {
            Ok(ledger.release_expired_holds().await.js()? as f64)
        })
    }

    /// Moves points of one currency from one customer to another. The
    /// currency is required: points of one currency never pay for another.
    /// The program's transfer limits of that currency apply.
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn transfer<'env>(
        &self,
        env: &'env Env,
        key: String,
        from_account: String,
        to_account: String,
        points: Points,
        currency: String,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let code = self.currency(&currency)?;
        let (from, to) = (account(&from_account)?, account(&to_account)?);
        let pts = points_in(points)?;
        run(env, async move {
            let done = ledger.transfer(&key, from, to, code, pts).await.js()?;
            Ok(Appended::from(done))
        })
    }

    /// Reverses a transaction once: exactly its opposite, pointing at it.
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn reverse<'env>(
        &self,
        env: &'env Env,
        key: String,
        tx: TxRef,
        reason: String,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let tx = tx_id(tx)?;
        run(env, async move {
            Ok(Appended::from(
                ledger.reverse(&key, tx, &reason).await.js()?,
            ))
        })
    }

    /// Corrects a customer's balance in one currency by hand (positive or
    /// negative points).
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn adjust<'env>(
        &self,
        env: &'env Env,
        key: String,
        account_id: String,
        points: Points,
        reason: String,
        currency: String,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let code = self.currency(&currency)?;
        let (id, pts) = (account(&account_id)?, points_in(points)?);
        run(env, async move {
            let done = ledger.adjust(&key, id, code, pts, &reason).await.js()?;
            Ok(Appended::from(done))
        })
    }

    /// Removes points of one currency from a customer's account (to the
    /// program's breakage).
    #[napi(ts_return_type = "Promise<Appended>")]
    pub fn expire<'env>(
        &self,
        env: &'env Env,
        key: String,
        account_id: String,
        points: Points,
        reason: String,
        currency: String,
    ) -> napi::Result<Js<'env, Appended>> {
        let ledger = self.inner.clone();
        let code = self.currency(&currency)?;
        let (id, pts) = (account(&account_id)?, points_in(points)?);
        run(env, async move {
            let done = ledger.expire(&key, id, code, pts, &reason).await.js()?;
            Ok(Appended::from(done))
        })
    }
}
