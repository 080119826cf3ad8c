//! The `LedgerStore` port: the only way ledger state is read or written.
//!
//! A store is a dumb, atomic keeper of records: the [`crate::Ledger`] decides
//! what to append; the store guarantees that each append is all-or-nothing and
//! that the rules which must hold under concurrency hold *inside* the append:
//! idempotency keys are unique, a customer balance never goes below zero, a
//! transaction is closed (reversed or settled) at most once, and a per-day
//! cap is checked against what is committed.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, PosRef, TxId, VendorId};
use crate::money::CurrencyCode;
use crate::transaction::{Appended, NewTransaction, Transaction, TxKind};
use crate::vendor::{CustomerAccount, Vendor};

/// A store shared between tasks.
pub type DynLedgerStore = Arc<dyn LedgerStore>;

/// Which end of the journal a page starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// Highest transaction id first (what a customer's app shows).
    #[default]
    NewestFirst,
    /// Lowest transaction id first (statements, verification).
    OldestFirst,
}

/// An opaque position in a paginated listing, issued by the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor(pub String);

impl Cursor {
    /// A cursor positioned after transaction `id` (how the stores in this
    /// workspace encode theirs).
    pub fn after(id: TxId) -> Self {
        Cursor(id.0.to_string())
    }

    /// Decodes a cursor made by [`Cursor::after`].
    pub fn tx_id(&self) -> Result<TxId> {
        self.0
            .parse::<u64>()
            .map(TxId)
            .map_err(|_| Error::InvalidCursor(self.0.clone()))
    }
}

/// Largest page a store returns.
pub const MAX_PAGE: u32 = 1000;

/// A filtered, paginated read of the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalQuery {
    /// Only transactions with a posting on this account (None = all).
    pub account: Option<AccountRef>,
    /// Only transactions at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only transactions before this time.
    pub to: Option<DateTime<Utc>>,
    /// Order of the listing.
    pub order: Order,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size, 1 to [`MAX_PAGE`].
    pub limit: u32,
}

impl JournalQuery {
    /// The first page of the transactions with a posting on `account` at or
    /// after `from` and before `to`, oldest first, [`MAX_PAGE`] at a time:
    /// what a statement reads.
    pub fn account_range(account: &AccountRef, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        JournalQuery {
            account: Some(account.clone()),
            from: Some(from),
            to: Some(to),
            order: Order::OldestFirst,
            after: None,
            limit: MAX_PAGE,
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, or None at the end.
    pub next: Option<Cursor>,
}

/// Totals of one kind of transaction on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotal {
    /// The kind.
    pub kind: TxKind,
    /// How many transactions.
    pub count: u64,
    /// Sum of the account's points in them.
    pub points: i64,
}

/// An account's movements between consecutive time boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The account's balance just before the first boundary.
    pub opening: i64,
    /// For each pair of consecutive boundaries, the totals per kind (kinds
    /// with no transactions are left out), in kind order.
    pub buckets: Vec<Vec<KindTotal>>,
}

/// One transaction as a statement of one account shows it: only what a
/// statement line needs, so a store can read it without loading whole
/// transactions (see [`LedgerStore::account_lines`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    /// The transaction.
    pub tx: TxId,
    /// When it was appended.
    pub at: DateTime<Utc>,
    /// Its kind.
    pub kind: TxKind,
    /// The account's own points in it (the sum of its legs on the account).
    pub points: i64,
    /// The transaction it reverses or settles.
    pub closes: Option<TxId>,
    /// Its reason, for reversals and adjustments.
    pub memo: Option<String>,
    /// Where it happened, as the point of sale reported it.
    pub pos: PosRef,
}

impl AccountLine {
    /// The line of `tx` on `account`.
    pub fn of(tx: &Transaction, account: &AccountRef) -> AccountLine {
        AccountLine {
            tx: tx.id,
            at: tx.at,
            kind: tx.kind,
            points: tx.points_for(account),
            closes: tx.closes,
            memo: tx.memo.clone(),
            pos: tx.pos.clone(),
        }
    }
}

/// Receives the lines of [`LedgerStore::account_lines`], a chunk at a time.
pub type LineSink<'a> = dyn FnMut(&[AccountLine]) -> Result<()> + Send + 'a;

/// Outcome of trying to open a customer account with a candidate id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    /// The account was created.
    Opened(CustomerAccount),
    /// The idempotency key had opened this account before.
    Replayed(CustomerAccount),
    /// The candidate id is taken; try the next one.
    IdTaken,
}

/// A customer's points in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Points the customer can spend now.
    pub available: i64,
    /// Points set aside by open holds (not included in `available`).
    pub held: i64,
}

/// A customer's points in every currency they have ever held, by currency
/// code. A currency the account never held reads as zero
/// ([`Balances::get`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances(pub BTreeMap<CurrencyCode, Balance>);

impl Balances {
    /// The balance in one currency (zero when the account never held it).
    pub fn get(&self, currency: CurrencyCode) -> Balance {
        self.0.get(&currency).copied().unwrap_or_default()
    }

    /// Each currency with its balance, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (CurrencyCode, Balance)> + '_ {
        self.0.iter().map(|(c, b)| (*c, *b))
    }

    /// The currencies held, in code order.
    pub fn currencies(&self) -> impl Iterator<Item = CurrencyCode> + '_ {
        self.0.keys().copied()
    }
}

/// A customer's account in one currency with points and no movement since
/// a given time (see [`LedgerStore::dormant_balances`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DormantBalance {
    /// The customer.
    pub customer: CustomerId,
    /// The currency of the points.
    pub currency: CurrencyCode,
    /// Points available (held points are not counted).
    pub available: i64,
    /// When the account last moved in this currency.
    pub last_activity: DateTime<Utc>,
}

/// Where ledger state lives. Object safe; implementations map their own
/// failures into [`Error::StorageUnavailable`] (retryable) or [`Error::Storage`].
#[async_trait]
pub trait LedgerStore: Send + Sync + Debug {
    /// Returns the value stored under `key`, storing `value` first if absent.
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String>;

    /// Adds a vendor; [`Error::DuplicateVendor`] when the id exists.
    async fn insert_vendor(&self, vendor: &Vendor) -> Result<()>;
    /// Replaces a vendor's settings; [`Error::UnknownVendor`] when absent.
    async fn update_vendor(&self, vendor: &Vendor) -> Result<()>;
    /// A vendor by id.
    async fn vendor(&self, id: &VendorId) -> Result<Option<Vendor>>;
    /// Every vendor, ordered by id.
    async fn vendors(&self) -> Result<Vec<Vendor>>;

    /// Hands out the next number of the account-id sequence (never twice).
    async fn next_account_sequence(&self) -> Result<u64>;
    /// Opens `account` under idempotency key `key` (see [`OpenOutcome`]).
    async fn open_customer(&self, key: &str, account: &CustomerAccount) -> Result<OpenOutcome>;
    /// A customer account by id.
    async fn customer(&self, id: CustomerId) -> Result<Option<CustomerAccount>>;
    /// How many customer accounts exist.
    async fn customer_count(&self) -> Result<u64>;

    /// Appends a transaction atomically with its balance changes and its
    /// idempotency record. In one atomic step, checking in this order, the
    /// store must:
    /// replay (same key, same fingerprint) or refuse with
    /// [`Error::IdempotencyConflict`] (same key, other fingerprint);
    /// refuse a `closes` target that is unknown
    /// ([`Error::UnknownTransaction`]) or already closed
    /// ([`Error::AlreadyClosed`]); refuse unknown vendors
    /// ([`Error::UnknownVendor`]) and customer accounts
    /// ([`Error::UnknownAccount`]); refuse a customer balance below zero
    /// in the transaction's currency ([`Error::InsufficientPoints`], naming
    /// it); refuse a breached `daily_cap` ([`Error::LimitExceeded`],
    /// counting what [`crate::transaction::DailyCap::counted`] counts). On
    /// refusal nothing is written. A transaction whose legs are not all in
    /// one currency or do not sum to zero is refused before anything else
    /// ([`NewTransaction::check_legs`], [`Error::InvalidInput`]).
    async fn append(&self, tx: NewTransaction) -> Result<Appended>;

    /// A transaction by id.
    async fn transaction(&self, id: TxId) -> Result<Option<Transaction>>;
    /// The transaction that closed (reversed or settled) `id`, if any.
    async fn closed_by(&self, id: TxId) -> Result<Option<TxId>>;
    /// The transaction recorded under an idempotency key, if any.
    async fn transaction_by_key(&self, key: &str) -> Result<Option<Transaction>>;
    /// A page of the journal.
    async fn journal(&self, query: &JournalQuery) -> Result<Page<Transaction>>;

    /// A customer's stored balances, one per currency the account has ever
    /// held (an account that never moved has none);
    /// [`Error::UnknownAccount`] when absent.
    async fn balance(&self, id: CustomerId) -> Result<Balances>;
    /// The stored balance of any ledger account (0 when it never moved).
    async fn account_balance(&self, account: &AccountRef) -> Result<i64>;
    /// Every account's stored balance (for verification).
    async fn all_balances(&self) -> Result<Vec<(AccountRef, i64)>>;

    /// Open holds whose expiry is at or before `now`, oldest first.
    async fn expired_holds(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Transaction>>;

    /// One customer's open holds whose expiry is at or before `now`, oldest
    /// first (a customer has few open holds at once).
    async fn expired_holds_of(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transaction>>;

    /// Customer accounts (customer and currency) with available points
    /// whose last posting is before `inactive_since`, ordered by customer
    /// then currency, starting after `after`, at most `limit`
    /// (1 to [`MAX_PAGE`]).
    async fn dormant_balances(
        &self,
        inactive_since: DateTime<Utc>,
        after: Option<(CustomerId, CurrencyCode)>,
        limit: u32,
    ) -> Result<Vec<DormantBalance>>;

    /// An account's opening balance before `boundaries[0]` and its totals per
    /// kind between consecutive boundaries (which must be increasing).
    async fn activity(
        &self,
        account: &AccountRef,
        boundaries: &[DateTime<Utc>],
    ) -> Result<Activity>;

    /// Calls `sink` with every transaction that has a posting on `account`
    /// at or after `from` and before `to`, as [`AccountLine`]s, oldest
    /// (lowest id) first, in chunks of at most [`MAX_PAGE`] lines; returns
    /// how many lines it passed. An error from `sink` stops the read and is
    /// returned.
    ///
    /// The default pages through [`LedgerStore::journal`]. A store with a
    /// cheaper way to read only these fields (a statement of a month with a
    /// million transactions reads a million lines) should override it;
    /// either way, no more than a chunk needs to be in memory at once.
    async fn account_lines(
        &self,
        account: &AccountRef,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: &mut LineSink<'_>,
    ) -> Result<u64> {
        let mut query = JournalQuery::account_range(account, from, to);
        let mut lines = Vec::with_capacity(MAX_PAGE as usize);
        let mut total = 0u64;
        loop {
            let page = self.journal(&query).await?;
            lines.clear();
            lines.extend(page.items.iter().map(|t| AccountLine::of(t, account)));
            total += lines.len() as u64;
            if !lines.is_empty() {
                sink(&lines)?;
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => return Ok(total),
            }
        }
    }
}

/// Checks a journal query's page size (shared by store implementations).
pub fn check_limit(limit: u32) -> Result<usize> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(Error::invalid_input(
            "page size",
            format!("must be 1 to {MAX_PAGE}, got {limit}"),
        ));
    }
    Ok(limit as usize)
}

/// Checks activity boundaries (shared by store implementations).
pub fn check_boundaries(boundaries: &[DateTime<Utc>]) -> Result<()> {
    if boundaries.is_empty() || boundaries.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::invalid_input(
            "boundaries",
            "need at least one boundary, strictly increasing",
        ));
    }
    Ok(())
}
