//! Reads: the change quote, balances, history, single transactions, verify.

use std::collections::HashMap;

use napi_derive::napi;

use super::Ledger;
use crate::convert::{account, amount, count, tx_id, vendor, Amount, PointCount, TxRef};
use crate::errors::CoreResult;
use crate::history::History;
use crate::types::{Balance, ChangeQuote, Transaction, VerifyReport};

/// Where `history` starts and what it lists.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// One currency (absent: all of them; each transaction names its own).
    pub currency: Option<String>,
    /// Transactions per page (default 50).
    pub page_size: Option<u32>,
    /// Start after this cursor (a page's `nextCursor`).
    pub after: Option<String>,
}

#[napi]
impl Ledger {
    /// What a sale's change would give at `vendorId` (what to hand back and
    /// what would be credited), before anything is written.
    #[napi]
    pub async fn quote_change(
        &self,
        vendor_id: String,
        total: Amount,
        tendered: Amount,
    ) -> napi::Result<ChangeQuote> {
        let (v, total, tendered) = (vendor(vendor_id)?, amount(total)?, amount(tendered)?);
        let q = self.inner.quote_change(&v, total, tendered).await.js()?;
        Ok(ChangeQuote::from(&q))
    }

    /// A customer's points in every currency the account has held, by
    /// code (`{ JPY: {...}, USD: {...} }`; empty for an account that never
    /// moved). A hold that expired uncaptured counts as available at once.
    #[napi]
    pub async fn balance(&self, account_id: String) -> napi::Result<HashMap<String, Balance>> {
        let all = self.inner.balance(account(&account_id)?).await.js()?;
        Ok(all
            .iter()
            .map(|(code, b)| (code.to_string(), Balance::from(&b)))
            .collect())
    }

    /// A customer's points in one currency (zero when never held).
    #[napi]
    pub async fn balance_in(&self, account_id: String, currency: String) -> napi::Result<Balance> {
        let code = self.currency(&currency)?;
        let b = self
            .inner
            .balance_in(account(&account_id)?, code)
            .await
            .js()?;
        Ok(Balance::from(&b))
    }

    /// What a vendor owes the program in points of its own currency:
    /// issued minus redeemed.
    #[napi]
    pub async fn vendor_liability(&self, vendor_id: String) -> napi::Result<PointCount> {
        let owed = self
            .inner
            .vendor_liability(&vendor(vendor_id)?)
            .await
            .js()?;
        Ok(count(owed))
    }

    /// A customer's transactions, newest first, as an async iterator of
    /// pages: `for await (const page of ledger.history(id)) { ... }`. Each
    /// page is read when the loop asks for it.
    #[napi]
    pub fn history(
        &self,
        account_id: String,
        options: Option<HistoryOptions>,
    ) -> napi::Result<History> {
        let o = options.unwrap_or_default();
        let currency = o.currency.map(|c| self.currency(&c)).transpose()?;
        Ok(History::new(
            self.inner.clone(),
            account(&account_id)?,
            currency,
            o.page_size.unwrap_or(50),
            o.after,
        ))
    }

    /// One transaction by id.
    #[napi]
    pub async fn transaction(&self, id: TxRef) -> napi::Result<Transaction> {
        let t = self.inner.transaction(tx_id(id)?).await.js()?;
        Ok(Transaction::from(&t))
    }

    /// Recomputes every balance from the journal and compares.
    #[napi]
    pub async fn verify(&self) -> napi::Result<VerifyReport> {
        let r = self.inner.verify().await.js()?;
        Ok(VerifyReport::from(&r))
    }
}
