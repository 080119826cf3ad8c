//! Reads: the change quote, balances, history, single transactions, verify.

use std::collections::HashMap;

use dcms_core::AccountRef;
use napi::bindgen_prelude::{BigInt, Either, Either3};
use napi::Env;
use napi_derive::napi;

use super::Ledger;
use crate::convert::{account, amount, count, tx_id, vendor, Amount, PointCount, TxRef};
use crate::errors::CoreResult;
use crate::history::History;
use crate::run::{run, spawn, Js};
use crate::types::{Balance, ChangeQuote, Transaction, VerifyReport};

/// A transaction given as an object: only its `id` is read.
#[napi(object, object_to_js = false)]
pub struct TxIdOf {
    /// The transaction id.
    #[napi(ts_type = "TxRef")]
    pub id: TxRef,
}

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
    #[napi(ts_return_type = "Promise<ChangeQuote>")]
    pub fn quote_change<'env>(
        &self,
        env: &'env Env,
        vendor_id: String,
        total: Amount,
        tendered: Amount,
    ) -> napi::Result<Js<'env, ChangeQuote>> {
        let ledger = self.inner.clone();
        let (v, total, tendered) = (vendor(vendor_id)?, amount(total)?, amount(tendered)?);
        run(env, async move {
            let q = ledger.quote_change(&v, total, tendered).await.js()?;
            Ok(ChangeQuote::from(&q))
        })
    }

    /// A customer's points in every currency the account has held, by
    /// code (`{ JPY: {...}, USD: {...} }`; empty for an account that never
    /// moved). A hold that expired uncaptured counts as available at once.
    #[napi(ts_return_type = "Promise<Record<string, Balance>>")]
    pub fn balance<'env>(
        &self,
        env: &'env Env,
        account_id: String,
    ) -> napi::Result<Js<'env, HashMap<String, Balance>>> {
        let ledger = self.inner.clone();
        let id = account(&account_id)?;
        run(env, async move {
            let all = ledger.balance(id).await.js()?;
            Ok(all
                .iter()
                .map(|(code, b)| (code.to_string(), Balance::from(&b)))
                .collect())
        })
    }

    /// A customer's points in one currency (zero when never held).
    #[napi(ts_return_type = "Promise<Balance>")]
    pub fn balance_in<'env>(
        &self,
        env: &'env Env,
        account_id: String,
        currency: String,
    ) -> napi::Result<Js<'env, Balance>> {
        let ledger = self.inner.clone();
        let (id, code) = (account(&account_id)?, self.currency(&currency)?);
        run(env, async move {
            Ok(Balance::from(&ledger.balance_in(id, code).await.js()?))
        })
    }

    /// What a vendor owes the program in points of its own currency:
    /// issued minus redeemed.
    #[napi(ts_return_type = "Promise<PointCount>")]
    pub fn vendor_liability<'env>(
        &self,
        env: &'env Env,
        vendor_id: String,
    ) -> napi::Result<Js<'env, PointCount>> {
        let ledger = self.inner.clone();
        let v = vendor(vendor_id)?;
        run(env, async move {
            Ok(count(ledger.vendor_liability(&v).await.js()?))
        })
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
    #[napi(ts_return_type = "Promise<Transaction>")]
    pub fn transaction<'env>(
        &self,
        env: &'env Env,
        id: TxRef,
    ) -> napi::Result<Js<'env, Transaction>> {
        let ledger = self.inner.clone();
        let id = tx_id(id)?;
        run(env, async move {
            Ok(Transaction::from(&ledger.transaction(id).await.js()?))
        })
    }

    /// The points transaction `tx` (its id, or a `Transaction` whose `id`
    /// is read) moved on `account` (e.g. `"customer:482137:USD"`), 0 when
    /// not involved: Python's `Transaction.points_for`. The transaction is
    /// read from the journal by id, since JavaScript transactions are plain
    /// objects; a malformed account is `invalid_input`.
    #[napi(
        ts_args_type = "tx: TxRef | Pick<Transaction, 'id'>, account: string",
        ts_return_type = "Promise<PointCount>"
    )]
    pub fn points_for<'env>(
        &self,
        env: &'env Env,
        tx: Either3<f64, BigInt, TxIdOf>,
        account: String,
    ) -> napi::Result<Js<'env, PointCount>> {
        let ledger = self.inner.clone();
        let id = tx_id(match tx {
            Either3::A(n) => Either::A(n),
            Either3::B(b) => Either::B(b),
            Either3::C(t) => t.id,
        })?;
        let account = AccountRef::parse(&account).js()?;
        run(env, async move {
            let t = ledger.transaction(id).await.js()?;
            Ok(count(t.points_for(&account)))
        })
    }

    /// Recomputes every balance from the journal and compares.
    #[napi(ts_return_type = "Promise<VerifyReport>")]
    pub fn verify<'env>(&self, env: &'env Env) -> napi::Result<Js<'env, VerifyReport>> {
        let ledger = self.inner.clone();
        spawn(env, async move {
            Ok(VerifyReport::from(&ledger.verify().await.js()?))
        })
    }
}
