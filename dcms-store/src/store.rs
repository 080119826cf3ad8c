//! [`SqlStore`]: the `LedgerStore` over a SQL database.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dcms_core::store::{
    Activity, Balances, DormantBalance, JournalQuery, LedgerStore, LineSink, OpenOutcome, Page,
};
use dcms_core::{
    AccountRef, Appended, CurrencyCode, CustomerAccount, CustomerId, NewTransaction, Result,
    Transaction, TxId, Vendor, VendorId,
};
use parking_lot::Mutex;
use sqlx::AnyPool;

use crate::engine::Engine;
use crate::group_commit::Queue;

/// What every part of a store shares.
#[derive(Debug)]
pub(crate) struct Inner {
    pub engine: Engine,
    /// Reads. On SQLite a pool of read-only connections; elsewhere the same
    /// pool as `write_pool`.
    pub read_pool: AnyPool,
    /// Write transactions. On SQLite exactly one connection.
    pub write_pool: AnyPool,
    pub retries: u32,
    pub slots: u16,
    /// Vendors known to exist. Vendors are never deleted, so a vendor seen
    /// once need not be looked up again.
    pub vendors_seen: Mutex<HashSet<VendorId>>,
    /// Program and vendor accounts (by name) known to be in `dcms_accounts`.
    /// Accounts are never deleted either; an account per currency is
    /// added by its first posting.
    pub accounts_seen: Mutex<HashSet<String>>,
    /// PostgreSQL: statement lines are read through sqlx's PostgreSQL
    /// driver itself (see [`crate::lines`]); connects on first use.
    #[cfg(feature = "postgres")]
    pub pg_lines: Option<sqlx::PgPool>,
}

/// A ledger store on SQLite, PostgreSQL or MySQL/MariaDB. Open one with
/// [`crate::open`], [`crate::open_with`] or [`SqlStore::connect`].
#[derive(Debug)]
pub struct SqlStore {
    pub(crate) inner: Arc<Inner>,
    /// Present when appends are group-committed.
    pub(crate) queue: Option<Queue>,
}

impl SqlStore {
    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.inner.engine
    }

    /// Whether appends are group-committed.
    pub fn group_commit(&self) -> bool {
        self.queue.is_some()
    }

    /// Closes the store's connections (waits for running queries).
    pub async fn close(&self) {
        self.inner.write_pool.close().await;
        self.inner.read_pool.close().await;
    }
}

#[async_trait]
impl LedgerStore for SqlStore {
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String> {
        self.inner.meta_get_or_insert(key, value).await
    }

    async fn insert_vendor(&self, vendor: &Vendor) -> Result<()> {
        self.inner.insert_vendor(vendor).await
    }

    async fn update_vendor(&self, vendor: &Vendor) -> Result<()> {
        self.inner.update_vendor(vendor).await
    }

    async fn vendor(&self, id: &VendorId) -> Result<Option<Vendor>> {
        self.inner.vendor(id).await
    }

    async fn vendors(&self) -> Result<Vec<Vendor>> {
        self.inner.vendors().await
    }

    async fn next_account_sequence(&self) -> Result<u64> {
        self.inner.next_account_sequence().await
    }

    async fn open_customer(&self, key: &str, account: &CustomerAccount) -> Result<OpenOutcome> {
        self.inner.open_customer(key, account).await
    }

    async fn customer(&self, id: CustomerId) -> Result<Option<CustomerAccount>> {
        self.inner.customer(id).await
    }

    async fn customer_count(&self) -> Result<u64> {
        self.inner.customer_count().await
    }

    async fn append(&self, tx: NewTransaction) -> Result<Appended> {
        tx.check()?;
        match &self.queue {
            Some(queue) => queue.append(&self.inner, tx).await,
            None => self.inner.append_one(tx).await,
        }
    }

    async fn transaction(&self, id: TxId) -> Result<Option<Transaction>> {
        self.inner.transaction(id).await
    }

    async fn closed_by(&self, id: TxId) -> Result<Option<TxId>> {
        self.inner.closed_by(id).await
    }

    async fn transaction_by_key(&self, key: &str) -> Result<Option<Transaction>> {
        self.inner.transaction_by_key(key).await
    }

    async fn journal(&self, query: &JournalQuery) -> Result<Page<Transaction>> {
        self.inner.journal(query).await
    }

    async fn balance(&self, id: CustomerId) -> Result<Balances> {
        self.inner.balance(id).await
    }

    async fn account_balance(&self, account: &AccountRef) -> Result<i64> {
        self.inner.account_balance(account).await
    }

    async fn all_balances(&self) -> Result<Vec<(AccountRef, i64)>> {
        self.inner.all_balances().await
    }

    async fn expired_holds(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Transaction>> {
        self.inner.expired_holds(now, limit).await
    }

    async fn expired_holds_of(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transaction>> {
        self.inner.expired_holds_of(customer, now).await
    }

    async fn dormant_balances(
        &self,
        inactive_since: DateTime<Utc>,
        after: Option<(CustomerId, CurrencyCode)>,
        limit: u32,
    ) -> Result<Vec<DormantBalance>> {
        self.inner
            .dormant_balances(inactive_since, after, limit)
            .await
    }

    async fn activity(
        &self,
        account: &AccountRef,
        boundaries: &[DateTime<Utc>],
    ) -> Result<Activity> {
        self.inner.activity(account, boundaries).await
    }

    async fn account_lines(
        &self,
        account: &AccountRef,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: &mut LineSink<'_>,
    ) -> Result<u64> {
        self.inner.account_lines(account, from, to, sink).await
    }
}
