//! A complete in-memory `LedgerStore`: the reference implementation the
//! conformance suite is written against, and the fastest store for tests,
//! simulations and benchmarks. One mutex guards all state, so every append
//! is trivially atomic.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Seeded (hash-flooding resistant) and much faster than SipHash for the
/// short keys here.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::ids::{AccountRef, CustomerId, TxId, VendorId};
use crate::memory_keys::{KeyEntry, KeyIndex};
use crate::money::CurrencyCode;
use crate::store::{
    check_boundaries, check_limit, Activity, Balance, Balances, Cursor, DormantBalance,
    JournalQuery, KindTotal, LedgerStore, OpenOutcome, Order, Page,
};
use crate::transaction::{Appended, DailyCap, NewTransaction, Transaction, TxKind, ALL_KINDS};
use crate::vendor::{CustomerAccount, Vendor};

/// Transactions in fixed-size chunks: appending never moves old ones (a
/// single growing `Vec` would copy the whole journal at each doubling).
#[derive(Debug, Default)]
struct Journal {
    chunks: Vec<Vec<Arc<Transaction>>>,
    len: u64,
}

const CHUNK: usize = 4096;

impl Journal {
    fn get(&self, index: u64) -> Option<&Arc<Transaction>> {
        let i = usize::try_from(index).ok()?;
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    fn len(&self) -> u64 {
        self.len
    }

    fn push(&mut self, tx: Arc<Transaction>) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(tx),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(tx);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }
}

#[derive(Debug, Default)]
struct State {
    meta: HashMap<String, String>,
    vendors: BTreeMap<VendorId, Vendor>,
    customers: HashMap<CustomerId, CustomerAccount>,
    account_keys: HashMap<String, CustomerId>,
    account_seq: u64,
    /// Every account that has a posting: its balance and its transactions.
    accounts: HashMap<AccountRef, Account>,
    /// Points held by open holds, per customer account (customer + currency).
    held: HashMap<AccountRef, i64>,
    /// The currencies each customer has held, in code order.
    currencies: HashMap<CustomerId, Vec<CurrencyCode>>,
    /// Journal; transaction id `n` is at index `n - 1`.
    journal: Journal,
    /// Idempotency key -> (transaction, fingerprint).
    keys: KeyIndex,
    closed_by: HashMap<TxId, TxId>,
    open_holds: BTreeMap<TxId, DateTime<Utc>>,
}

/// One account's balance and the transactions that touched it, in id
/// order. Kept in one map entry so that an append finds both with one hash
/// lookup per leg.
#[derive(Debug, Default)]
struct Account {
    balance: i64,
    txs: Vec<TxId>,
}

/// Transaction `id` of a journal (id `n` is at index `n - 1`).
fn journal_tx(journal: &Journal, id: TxId) -> Option<&Arc<Transaction>> {
    id.0.checked_sub(1).and_then(|i| journal.get(i))
}

impl State {
    /// An account's balance (0 for an account without postings).
    fn balance_of(&self, account: &AccountRef) -> i64 {
        self.accounts.get(account).map_or(0, |a| a.balance)
    }

    /// The transactions that touched an account, in id order.
    fn txs_of(&self, account: &AccountRef) -> &[TxId] {
        self.accounts.get(account).map_or(&[], |a| a.txs.as_slice())
    }

    /// Adds (`sign` 1) or removes (-1) a hold's points from its customer's
    /// held points.
    fn hold_moved(&mut self, hold: &Transaction, sign: i64) {
        let Some(currency) = hold.currency() else {
            return;
        };
        let amount = hold.points_for(&AccountRef::Holds(currency));
        for p in &hold.postings {
            if let AccountRef::Customer(..) = p.account {
                *self.held.entry(p.account.clone()).or_insert(0) += sign * amount;
            }
        }
    }

    fn tx(&self, id: TxId) -> Option<&Transaction> {
        journal_tx(&self.journal, id).map(|t| &**t)
    }

    /// Transaction `id` as shared with callers (no copy).
    fn tx_shared(&self, id: TxId) -> Option<&Arc<Transaction>> {
        journal_tx(&self.journal, id)
    }

    /// The idempotency key of transaction `id` (for the key index).
    fn key_of(&self, id: TxId) -> Option<&str> {
        self.tx(id).map(|t| t.key.as_str())
    }

    /// Points a daily cap counts in its window: a walk back through the
    /// account's own transactions (few per day).
    fn counted_today(&self, cap: &DailyCap) -> i128 {
        let mut used = 0i128;
        for id in self.txs_of(&cap.account).iter().rev() {
            let Some(t) = self.tx(*id) else { continue };
            if t.at < cap.from {
                break;
            }
            if t.at < cap.to {
                let points = t.points_for(&cap.account);
                used += i128::from(cap.counted(t.kind, t.vendor.as_ref(), points));
            }
        }
        used
    }

    /// Every check of an append, before anything is changed.
    fn check(&self, tx: &NewTransaction) -> Result<()> {
        tx.check_legs()?;
        if let Some(target) = tx.closes {
            if self.tx(target).is_none() {
                return Err(Error::UnknownTransaction(target));
            }
            if self.closed_by.contains_key(&target) {
                return Err(Error::AlreadyClosed(target));
            }
        }
        if let Some(v) = &tx.vendor {
            if !self.vendors.contains_key(v) {
                return Err(Error::UnknownVendor(v.clone()));
            }
        }
        for p in &tx.postings {
            match &p.account {
                AccountRef::Customer(c, currency) => {
                    if !self.customers.contains_key(c) {
                        return Err(Error::UnknownAccount(*c));
                    }
                    let balance = self.balance_of(&p.account);
                    let after =
                        balance
                            .checked_add(p.points)
                            .ok_or_else(|| Error::InvalidAmount {
                                value: p.points.to_string(),
                                reason: "balance would overflow".into(),
                            })?;
                    if after < 0 {
                        return Err(Error::InsufficientPoints {
                            account: *c,
                            currency: *currency,
                            available: balance,
                            requested: -p.points,
                        });
                    }
                }
                AccountRef::Vendor(v, _) if !self.vendors.contains_key(v) => {
                    return Err(Error::UnknownVendor(v.clone()))
                }
                other => {
                    let balance = self.balance_of(other);
                    balance
                        .checked_add(p.points)
                        .ok_or_else(|| Error::InvalidAmount {
                            value: p.points.to_string(),
                            reason: "balance would overflow".into(),
                        })?;
                }
            }
        }
        if let Some(cap) = &tx.daily_cap {
            let requested = tx.points_for(&cap.account).saturating_mul(cap.direction());
            if let Some(refusal) = cap.refusal(self.counted_today(cap), requested) {
                return Err(refusal);
            }
        }
        Ok(())
    }
}

/// The in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

#[async_trait]
impl LedgerStore for MemoryStore {
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String> {
        let mut s = self.state.lock();
        Ok(s.meta
            .entry(key.to_string())
            .or_insert_with(|| value.to_string())
            .clone())
    }

    async fn insert_vendor(&self, vendor: &Vendor) -> Result<()> {
        let mut s = self.state.lock();
        if s.vendors.contains_key(&vendor.id) {
            return Err(Error::DuplicateVendor(vendor.id.clone()));
        }
        s.vendors.insert(vendor.id.clone(), vendor.clone());
        Ok(())
    }

    async fn update_vendor(&self, vendor: &Vendor) -> Result<()> {
        let mut s = self.state.lock();
        match s.vendors.get_mut(&vendor.id) {
            Some(v) => {
                *v = vendor.clone();
                Ok(())
            }
            None => Err(Error::UnknownVendor(vendor.id.clone())),
        }
    }

    async fn vendor(&self, id: &VendorId) -> Result<Option<Vendor>> {
        Ok(self.state.lock().vendors.get(id).cloned())
    }

    async fn vendors(&self) -> Result<Vec<Vendor>> {
        Ok(self.state.lock().vendors.values().cloned().collect())
    }

    async fn next_account_sequence(&self) -> Result<u64> {
        let mut s = self.state.lock();
        let seq = s.account_seq;
        s.account_seq += 1;
        Ok(seq)
    }

    async fn open_customer(&self, key: &str, account: &CustomerAccount) -> Result<OpenOutcome> {
        let mut s = self.state.lock();
        if let Some(id) = s.account_keys.get(key) {
            let existing = s
                .customers
                .get(id)
                .cloned()
                .ok_or_else(|| Error::Storage("dangling account key".into()))?;
            return Ok(OpenOutcome::Replayed(existing));
        }
        if s.customers.contains_key(&account.id) {
            return Ok(OpenOutcome::IdTaken);
        }
        s.customers.insert(account.id, account.clone());
        s.account_keys.insert(key.to_string(), account.id);
        Ok(OpenOutcome::Opened(account.clone()))
    }

    async fn customer(&self, id: CustomerId) -> Result<Option<CustomerAccount>> {
        Ok(self.state.lock().customers.get(&id).cloned())
    }

    async fn customer_count(&self) -> Result<u64> {
        Ok(self.state.lock().customers.len() as u64)
    }

    async fn append(&self, mut tx: NewTransaction) -> Result<Appended> {
        let mut s = self.state.lock();
        if let Some(entry) = s.keys.get(&tx.key, |id| s.key_of(id)) {
            if entry.fingerprint != tx.fingerprint {
                return Err(Error::IdempotencyConflict { key: tx.key });
            }
            let first = s
                .tx_shared(entry.id)
                .cloned()
                .ok_or_else(|| Error::Storage("dangling idempotency key".into()))?;
            return Ok(Appended {
                tx: first,
                replayed: true,
            });
        }
        s.check(&tx)?;
        // All checks passed: apply. Nothing below can fail.
        let id = TxId(s.journal.len() + 1);
        let mut balances_after = Vec::new();
        for p in &tx.postings {
            // Look up before inserting: the entry API would clone the key
            // on every call.
            let (entry, first) = match s.accounts.get_mut(&p.account) {
                Some(entry) => (entry, false),
                None => (s.accounts.entry(p.account.clone()).or_default(), true),
            };
            // Overflow was ruled out by `check`.
            entry.balance = entry.balance.saturating_add(p.points);
            entry.txs.push(id);
            let after = entry.balance;
            if let AccountRef::Customer(c, currency) = p.account {
                balances_after.push((c, after));
                // A customer's first movement in a currency.
                if first {
                    let held = s.currencies.entry(c).or_default();
                    if let Err(at) = held.binary_search(&currency) {
                        held.insert(at, currency);
                    }
                }
            }
        }
        if let Some(target) = tx.closes {
            s.closed_by.insert(target, id);
            if s.open_holds.remove(&target).is_some() {
                if let Some(hold) = s.tx(target).cloned() {
                    s.hold_moved(&hold, -1);
                }
            }
        }
        let fingerprint = std::mem::take(&mut tx.fingerprint);
        let stored = Arc::new(Transaction::from_new(id, tx, balances_after));
        if stored.kind == TxKind::Hold {
            if let Some(expires) = stored.expires_at {
                s.open_holds.insert(id, expires);
            }
            s.hold_moved(&stored, 1);
        }
        let returned = Arc::clone(&stored);
        s.journal.push(stored);
        let State { keys, journal, .. } = &mut *s;
        let key_of = |id: TxId| journal_tx(journal, id).map(|t| t.key.as_str());
        keys.insert(&returned.key, KeyEntry { id, fingerprint }, key_of);
        Ok(Appended {
            tx: returned,
            replayed: false,
        })
    }

    async fn transaction(&self, id: TxId) -> Result<Option<Transaction>> {
        Ok(self.state.lock().tx(id).cloned())
    }

    async fn closed_by(&self, id: TxId) -> Result<Option<TxId>> {
        Ok(self.state.lock().closed_by.get(&id).copied())
    }

    async fn transaction_by_key(&self, key: &str) -> Result<Option<Transaction>> {
        let s = self.state.lock();
        Ok(s.keys
            .get(key, |id| s.key_of(id))
            .and_then(|e| s.tx(e.id))
            .cloned())
    }

    async fn journal(&self, q: &JournalQuery) -> Result<Page<Transaction>> {
        let limit = check_limit(q.limit)?;
        let after = q.after.as_ref().map(Cursor::tx_id).transpose()?;
        let s = self.state.lock();
        let in_range =
            |t: &Transaction| q.from.is_none_or(|f| t.at >= f) && q.to.is_none_or(|e| t.at < e);
        let ids: Box<dyn Iterator<Item = TxId> + '_> = match &q.account {
            Some(a) => {
                let list = s.txs_of(a);
                match q.order {
                    Order::OldestFirst => Box::new(list.iter().copied()),
                    Order::NewestFirst => Box::new(list.iter().rev().copied()),
                }
            }
            None => {
                let n = s.journal.len();
                match q.order {
                    Order::OldestFirst => Box::new((1..=n).map(TxId)),
                    Order::NewestFirst => Box::new((1..=n).rev().map(TxId)),
                }
            }
        };
        let mut items = Vec::new();
        let mut more = false;
        for id in ids {
            let past_cursor = match (after, q.order) {
                (None, _) => true,
                (Some(a), Order::OldestFirst) => id > a,
                (Some(a), Order::NewestFirst) => id < a,
            };
            if !past_cursor {
                continue;
            }
            let Some(t) = s.tx(id) else { continue };
            if !in_range(t) {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(t.clone());
        }
        let next = if more {
            items.last().map(|t: &Transaction| Cursor::after(t.id))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn balance(&self, id: CustomerId) -> Result<Balances> {
        let s = self.state.lock();
        if !s.customers.contains_key(&id) {
            return Err(Error::UnknownAccount(id));
        }
        let mut out = Balances::default();
        for currency in s.currencies.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
            let account = AccountRef::Customer(id, *currency);
            out.0.insert(
                *currency,
                Balance {
                    available: s.balance_of(&account),
                    held: s.held.get(&account).copied().unwrap_or(0),
                },
            );
        }
        Ok(out)
    }

    async fn account_balance(&self, account: &AccountRef) -> Result<i64> {
        Ok(self.state.lock().balance_of(account))
    }

    async fn all_balances(&self) -> Result<Vec<(AccountRef, i64)>> {
        let s = self.state.lock();
        let mut all: Vec<(AccountRef, i64)> = s
            .accounts
            .iter()
            .map(|(a, e)| (a.clone(), e.balance))
            .collect();
        all.sort();
        Ok(all)
    }

    async fn expired_holds(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Transaction>> {
        let limit = check_limit(limit)?;
        let s = self.state.lock();
        Ok(s.open_holds
            .iter()
            .filter(|(_, at)| **at <= now)
            .filter_map(|(id, _)| s.tx(*id).cloned())
            .take(limit)
            .collect())
    }

    async fn expired_holds_of(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transaction>> {
        let s = self.state.lock();
        Ok(s.open_holds
            .iter()
            .filter(|(_, at)| **at <= now)
            .filter_map(|(id, _)| s.tx(*id))
            .filter(|t| {
                t.postings
                    .iter()
                    .any(|p| p.account.customer() == Some(customer))
            })
            .cloned()
            .collect())
    }

    async fn dormant_balances(
        &self,
        inactive_since: DateTime<Utc>,
        after: Option<(CustomerId, CurrencyCode)>,
        limit: u32,
    ) -> Result<Vec<DormantBalance>> {
        let limit = check_limit(limit)?;
        let s = self.state.lock();
        let mut out: Vec<DormantBalance> = Vec::new();
        for (customer, currencies) in &s.currencies {
            for currency in currencies {
                if after.is_some_and(|a| (*customer, *currency) <= a) {
                    continue;
                }
                let account = AccountRef::Customer(*customer, *currency);
                let available = s.balance_of(&account);
                let last = s
                    .txs_of(&account)
                    .last()
                    .and_then(|id| s.tx(*id))
                    .map(|t| t.at);
                if let Some(last) = last {
                    if available > 0 && last < inactive_since {
                        out.push(DormantBalance {
                            customer: *customer,
                            currency: *currency,
                            available,
                            last_activity: last,
                        });
                    }
                }
            }
        }
        out.sort_by_key(|d| (d.customer, d.currency));
        out.truncate(limit);
        Ok(out)
    }

    async fn activity(
        &self,
        account: &AccountRef,
        boundaries: &[DateTime<Utc>],
    ) -> Result<Activity> {
        check_boundaries(boundaries)?;
        let s = self.state.lock();
        let mut opening = 0i64;
        let mut buckets: Vec<BTreeMap<TxKind, (u64, i64)>> =
            vec![BTreeMap::new(); boundaries.len().saturating_sub(1)];
        for id in s.txs_of(account) {
            let Some(t) = s.tx(*id) else { continue };
            let points = t.points_for(account);
            if t.at < boundaries[0] {
                opening += points;
                continue;
            }
            // Index of the bucket whose [start, end) holds `t.at`.
            let i = boundaries.partition_point(|b| *b <= t.at);
            if i < boundaries.len() {
                let e = buckets[i - 1].entry(t.kind).or_insert((0, 0));
                e.0 += 1;
                e.1 += points;
            }
        }
        Ok(Activity {
            opening,
            buckets: buckets
                .into_iter()
                .map(|b| {
                    ALL_KINDS
                        .iter()
                        .filter_map(|k| {
                            b.get(k).map(|&(count, points)| KindTotal {
                                kind: *k,
                                count,
                                points,
                            })
                        })
                        .collect()
                })
                .collect(),
        })
    }
}
