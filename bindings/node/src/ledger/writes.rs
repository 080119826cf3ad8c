//! Every operation that appends to the journal.

use dcms_core::PosRef;
use napi_derive::napi;

use super::Ledger;
use crate::convert::{
    account, amount, millis, points_in, points_opt_in, pos as to_pos, tx_id, vendor, Amount,
    Points, PosFields, TxRef,
};
use crate::errors::CoreResult;
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
    #[napi]
    pub async fn credit_change(
        &self,
        key: String,
        vendor_id: String,
        account_id: String,
        total: Amount,
        tendered: Amount,
        pos: Option<PosFields>,
    ) -> napi::Result<ChangeCredited> {
        let req = dcms_core::CreditChange {
            key,
            vendor: vendor(vendor_id)?,
            account: account(&account_id)?,
            total: amount(total)?,
            tendered: amount(tendered)?,
            pos: to_pos(pos),
        };
        let done = self.inner.credit_change(&req).await.js()?;
        Ok(ChangeCredited::from(&done))
    }

    /// Spends points at a vendor in one step, from the customer's balance
    /// in the vendor's currency (points of other currencies never count).
    #[napi]
    pub async fn redeem(
        &self,
        key: String,
        vendor_id: String,
        account_id: String,
        points: Points,
        pos: Option<PosFields>,
    ) -> napi::Result<Appended> {
        let req = dcms_core::Redeem {
            key,
            vendor: vendor(vendor_id)?,
            account: account(&account_id)?,
            points: points_in(points)?,
            pos: to_pos(pos),
        };
        let done = self.inner.redeem(&req).await.js()?;
        Ok(Appended::from(&done))
    }

    /// Sets points of the vendor's currency aside for a two-phase
    /// redemption: the available balance drops at once; `capture`,
    /// `voidHold` or expiry after `ttlMs` settles it.
    #[napi]
    pub async fn hold(
        &self,
        key: String,
        vendor_id: String,
        account_id: String,
        points: Points,
        options: Option<HoldOptions>,
    ) -> napi::Result<Appended> {
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
        let done = self.inner.hold(&req).await.js()?;
        Ok(Appended::from(&done))
    }

    /// Captures `points` of an open hold (all of it when absent); the rest
    /// returns to the customer.
    #[napi]
    pub async fn capture(
        &self,
        key: String,
        hold: TxRef,
        points: Option<Points>,
    ) -> napi::Result<Appended> {
        let (hold, pts) = (tx_id(hold)?, points_opt_in(points)?);
        let done = self.inner.capture(&key, hold, pts).await.js()?;
        Ok(Appended::from(&done))
    }

    /// Cancels an open hold; all its points return to the customer.
    #[napi]
    pub async fn void_hold(&self, key: String, hold: TxRef) -> napi::Result<Appended> {
        let done = self.inner.void_hold(&key, tx_id(hold)?).await.js()?;
        Ok(Appended::from(&done))
    }

    /// Releases every hold whose expiry has passed; resolves to how many.
    #[napi]
    pub async fn release_expired_holds(&self) -> napi::Result<f64> {
        let n = self.inner.release_expired_holds().await.js()?;
        Ok(n as f64)
    }

    /// Moves points of one currency from one customer to another. The
    /// currency is required: points of one currency never pay for another.
    /// The program's transfer limits of that currency apply.
    #[napi]
    pub async fn transfer(
        &self,
        key: String,
        from_account: String,
        to_account: String,
        points: Points,
        currency: String,
    ) -> napi::Result<Appended> {
        let code = self.currency(&currency)?;
        let (from, to) = (account(&from_account)?, account(&to_account)?);
        let done = self
            .inner
            .transfer(&key, from, to, code, points_in(points)?)
            .await
            .js()?;
        Ok(Appended::from(&done))
    }

    /// Reverses a transaction once: exactly its opposite, pointing at it.
    #[napi]
    pub async fn reverse(&self, key: String, tx: TxRef, reason: String) -> napi::Result<Appended> {
        let done = self.inner.reverse(&key, tx_id(tx)?, &reason).await.js()?;
        Ok(Appended::from(&done))
    }

    /// Corrects a customer's balance in one currency by hand (positive or
    /// negative points).
    #[napi]
    pub async fn adjust(
        &self,
        key: String,
        account_id: String,
        points: Points,
        reason: String,
        currency: String,
    ) -> napi::Result<Appended> {
        let code = self.currency(&currency)?;
        let (id, pts) = (account(&account_id)?, points_in(points)?);
        let done = self.inner.adjust(&key, id, code, pts, &reason).await.js()?;
        Ok(Appended::from(&done))
    }

    /// Removes points of one currency from a customer's account (to the
    /// program's breakage).
    #[napi]
    pub async fn expire(
        &self,
        key: String,
        account_id: String,
        points: Points,
        reason: String,
        currency: String,
    ) -> napi::Result<Appended> {
        let code = self.currency(&currency)?;
        let (id, pts) = (account(&account_id)?, points_in(points)?);
        let done = self.inner.expire(&key, id, code, pts, &reason).await.js()?;
        Ok(Appended::from(&done))
    }
}
