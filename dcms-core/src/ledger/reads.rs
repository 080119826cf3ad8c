//! Reads: balances, history, single transactions.

use super::Ledger;
use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, TxId, VendorId};
use crate::store::{Balance, Cursor, JournalQuery, Order, Page};
use crate::transaction::Transaction;

impl Ledger {
    /// A customer's available and held points.
    pub async fn balance(&self, account: CustomerId) -> Result<Balance> {
        self.store.balance(account).await
    }

    /// What a vendor owes the program: points it issued minus points
    /// redeemed at its stores (positive while it owes).
    pub async fn vendor_liability(&self, vendor: &VendorId) -> Result<i64> {
        self.cached_vendor(vendor).await?;
        // Liability accounts carry credit (negative) balances.
        Ok(-self
            .store
            .account_balance(&AccountRef::Vendor(vendor.clone()))
            .await?)
    }

    /// A customer's transactions, newest first, one page at a time.
    pub async fn history(
        &self,
        account: CustomerId,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Transaction>> {
        self.account(account).await?;
        self.store
            .journal(&JournalQuery {
                account: Some(AccountRef::Customer(account)),
                order: Order::NewestFirst,
                after,
                limit,
                ..JournalQuery::default()
            })
            .await
    }

    /// One transaction by id.
    pub async fn transaction(&self, id: TxId) -> Result<Transaction> {
        self.store
            .transaction(id)
            .await?
            .ok_or(Error::UnknownTransaction(id))
    }
}
