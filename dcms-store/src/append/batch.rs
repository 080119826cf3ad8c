//! One database transaction of appends: what it locks and reads first.
//!
//! Order of work, chosen so that concurrent batches cannot deadlock and
//! each check sees what it must:
//! 1. lock every customer row the batch touches, in id order (customers of
//!    open holds being settled included), and read the customers' balance
//!    rows (one per currency). A batch holding a customer's row is the
//!    only writer of that customer's balances, held points and daily-cap
//!    windows in every currency, and reads (at READ COMMITTED) everything
//!    the previous holder committed;
//! 2. read, in one query each, the idempotency keys, vendors and `closes`
//!    targets the batch names;
//! 3. check each item in the contract's order against those reads plus the
//!    batch's own earlier items ([`super::check`]); a refused item changes
//!    nothing;
//! 4. write everything with a few multi-row statements ([`super::flush`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use dcms_core::{
    AccountRef, Appended, CurrencyCode, CustomerId, Error, NewTransaction, Result, TxKind, VendorId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::codec;
use crate::engine::{in_list, Engine};
use crate::error::corrupt;
use crate::store::Inner;
use crate::write::Abort;

pub(super) type Step<T> = std::result::Result<T, Abort>;

/// A customer's balance row in one currency as this batch has left it so
/// far (its customer row is locked).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Account {
    pub balance: i64,
    pub held: i64,
    pub changed: bool,
    /// Whether the row exists in the database (false: this batch creates
    /// it, the customer's first movement in the currency).
    pub stored: bool,
}

/// A customer's account in one currency: (customer id as stored, currency).
pub(super) type AccountKey = (i64, CurrencyCode);

/// An open hold being settled: its customer, currency and points.
pub(super) type HoldRow = (i64, CurrencyCode, i64);

/// A transaction that `closes` names.
#[derive(Debug, Default)]
pub(super) struct Target {
    pub closed: bool,
    /// Its open-hold rows.
    pub open_hold: Vec<HoldRow>,
}

/// A posting on a customer account that a daily cap may count: kind,
/// vendor, time, points.
pub(super) type Counted = (TxKind, Option<VendorId>, i64, i64);

/// A new transaction waiting for [`super::flush`].
#[derive(Debug)]
pub(super) struct Fresh {
    pub tx: NewTransaction,
    pub at: i64,
    pub expires: Option<i64>,
    pub balances_after: Vec<(CustomerId, i64)>,
    pub body: String,
    /// Set by the flush.
    pub id: Option<i64>,
}

/// What became of one item.
#[derive(Debug)]
pub(super) enum Outcome {
    /// Refused, or replayed from a committed transaction (boxed: the other
    /// outcomes are an index).
    Done(Box<Result<Appended>>),
    /// New: `fresh[i]`.
    New(usize),
    /// The same key and request as `fresh[i]`, earlier in this batch.
    Replay(usize),
}

pub(crate) struct Batch<'a> {
    pub(super) inner: &'a Inner,
    pub(super) engine: Engine,
    /// The slot row that takes this batch's non-customer movements.
    pub(super) slot: i64,
    /// Locked customer rows: whether the customer exists.
    pub(super) customers: BTreeMap<i64, bool>,
    /// The locked customers' balance rows, per currency.
    pub(super) accounts: BTreeMap<AccountKey, Account>,
    /// Program and vendor accounts (by name) not yet in `dcms_accounts`.
    pub(super) new_accounts: BTreeSet<String>,
    /// Committed keys: key -> (fingerprint, id).
    pub(super) keys: HashMap<String, (String, i64)>,
    /// Keys of this batch's new transactions -> index in `fresh`.
    pub(super) pending: HashMap<String, usize>,
    pub(super) targets: HashMap<i64, Target>,
    /// Targets closed by this batch.
    pub(super) closed_here: HashSet<i64>,
    /// Committed points per daily-cap window (account, kind, vendor, from,
    /// to), read once per batch: the customer's row is locked, so nothing
    /// but this batch (counted in `counted_here`) adds to them meanwhile.
    pub(super) cap_committed: HashMap<(String, &'static str, Option<String>, i64, i64), i64>,
    /// This batch's movements that daily caps count, per customer account.
    pub(super) counted_here: HashMap<AccountRef, Vec<Counted>>,
    pub(super) fresh: Vec<Fresh>,
    /// Movements of non-customer accounts; i128 so that only the final sums
    /// can overflow.
    pub(super) deltas: BTreeMap<String, i128>,
}

/// A PostgreSQL array literal of `items` (`{1,2}`; quoted: `{"a","b"}`),
/// for a text parameter cast to an array type on the server.
pub(super) fn pg_array<S: AsRef<str>>(items: impl IntoIterator<Item = S>, quote: bool) -> String {
    let mut out = String::from("{");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if quote {
            out.push('"');
            for ch in item.as_ref().chars() {
                if ch == '"' || ch == '\\' {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
        } else {
            out.push_str(item.as_ref());
        }
    }
    out.push('}');
    out
}

/// The slot row of an append committed on its own: the next one round
/// robin. Appends in flight at the same moment then take different rows
/// as long as there are no more of them than slots (a hash of the key
/// makes two of 16 concurrent appends share a row most of the time, and
/// the second waits for the first's commit and flush).
pub(super) fn next_slot(slots: u16) -> i64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    (NEXT.fetch_add(1, Ordering::Relaxed) % u64::from(slots.max(1))) as i64
}

impl<'a> Batch<'a> {
    /// Runs the whole batch on `conn`, inside an open write transaction.
    /// A group-commit writer passes its index, which picks the slot row.
    pub(crate) async fn run(
        inner: &'a Inner,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
        writer: Option<usize>,
    ) -> Step<Vec<Result<Appended>>> {
        let slot = match writer {
            Some(w) => (w % usize::from(inner.slots.max(1))) as i64,
            None => next_slot(inner.slots),
        };
        let mut batch = Batch {
            inner,
            engine: inner.engine,
            slot,
            customers: BTreeMap::new(),
            accounts: BTreeMap::new(),
            new_accounts: BTreeSet::new(),
            keys: HashMap::new(),
            pending: HashMap::new(),
            targets: HashMap::new(),
            closed_here: HashSet::new(),
            cap_committed: HashMap::new(),
            counted_here: HashMap::new(),
            fresh: Vec::new(),
            deltas: BTreeMap::new(),
        };
        if !batch.lock_and_read_keys(conn, items).await? {
            batch.lock_customers(conn, items).await?;
            batch.read_keys(conn, items).await?;
        }
        batch.read_vendors(conn, items).await?;
        batch.read_accounts(conn, items).await?;
        batch.read_targets(conn, items).await?;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            outcomes.push(batch.check(conn, item).await?);
        }
        batch.flush(conn).await?;
        batch.results(outcomes)
    }

    fn targets_of(items: &[NewTransaction]) -> Vec<i64> {
        let set: BTreeSet<i64> = items
            .iter()
            .filter_map(|t| t.closes)
            .filter_map(|t| codec::tx_key(t).ok())
            .collect();
        set.into_iter().collect()
    }

    /// The customer ids the batch's postings name.
    fn customers_of(items: &[NewTransaction]) -> Step<BTreeSet<i64>> {
        let mut ids = BTreeSet::new();
        for tx in items {
            for p in &tx.postings {
                if let AccountRef::Customer(c, _) = p.account {
                    ids.insert(codec::customer_key(c)?);
                }
            }
        }
        Ok(ids)
    }

    /// Notes a customer's balance row as read.
    fn read_account(&mut self, id: i64, currency: &str, balance: i64, held: i64) -> Step<()> {
        let currency = CurrencyCode::new(currency).map_err(|e| corrupt("currency", e))?;
        let account = Account {
            balance,
            held,
            changed: false,
            stored: true,
        };
        self.accounts.insert((id, currency), account);
        Ok(())
    }

    async fn lock_customers(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<()> {
        let mut ids = Self::customers_of(items)?;
        // Settling a hold changes its customer's held points even when no
        // posting names the customer (a full capture).
        let targets = Self::targets_of(items);
        if !targets.is_empty() {
            let (list, targets) = in_list(targets);
            let sql = format!("SELECT customer FROM dcms_open_holds WHERE tx_id IN ({list})");
            let rows = targets
                .iter()
                .fold(self.engine.query(&sql), |q, t| q.bind(*t))
                .fetch_all(&mut *conn)
                .await?;
            for row in &rows {
                ids.insert(row.try_get::<i64, _>(0)?);
            }
        }
        self.lock_and_read(conn, &ids).await
    }

    /// Locks the customer rows of `ids` (in id order, the one order every
    /// batch uses) and reads their balance rows.
    async fn lock_and_read(&mut self, conn: &mut AnyConnection, ids: &BTreeSet<i64>) -> Step<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for id in ids {
            self.customers.insert(*id, false);
        }
        let (list, padded) = in_list(ids.iter().copied());
        match self.engine {
            Engine::Sqlite => {
                // One row of JSON instead of a row per customer: the driver
                // hands each row from its worker thread to the caller's, and
                // a batch reads up to thousands (SQLite has one writer: no
                // lock).
                let sql = format!(
                    "SELECT json_group_array(json_array(c.id, b.currency, b.balance, b.held)) \
                     FROM dcms_customers c LEFT JOIN dcms_customer_balances b ON b.customer = c.id \
                     WHERE c.id IN ({list})"
                );
                let text: String = padded
                    .iter()
                    .fold(self.engine.query(&sql), |q, id| q.bind(*id))
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get(0)?;
                type Row = (i64, Option<String>, Option<i64>, Option<i64>);
                let rows: Vec<Row> = serde_json::from_str(&text)
                    .map_err(|e| Error::Storage(format!("cannot read customer rows: {e}")))?;
                for (id, currency, balance, held) in rows {
                    self.customers.insert(id, true);
                    if let Some(currency) = currency {
                        self.read_account(id, &currency, balance.unwrap_or(0), held.unwrap_or(0))?;
                    }
                }
            }
            Engine::Postgres | Engine::Mysql => {
                // The balance rows are read by a statement of their own,
                // after the locks: at READ COMMITTED it sees what the
                // previous holders committed (on PostgreSQL a row read in
                // the locking statement would come from its snapshot, taken
                // before any lock wait). Every writer of a customer's
                // balance rows holds the customer's lock, so they need no
                // lock of their own.
                //
                // Not one statement joining the two tables: on a young
                // ledger MariaDB's statistics say the tables are nearly
                // empty, and it then runs such a join as a scan of every
                // customer row under `FOR UPDATE`, waiting for every other
                // writer's locks (appends were 40-50% slower). The locking
                // statement on one table, ordered by id, is always a range
                // read of the listed ids.
                let sql = format!(
                    "SELECT id FROM dcms_customers WHERE id IN ({list}) ORDER BY id FOR UPDATE"
                );
                let rows = padded
                    .iter()
                    .fold(self.engine.query(&sql), |q, id| q.bind(*id))
                    .fetch_all(&mut *conn)
                    .await?;
                for row in &rows {
                    self.customers.insert(row.try_get(0)?, true);
                }
                let sql = format!(
                    "SELECT customer, currency, balance, held FROM dcms_customer_balances \
                     WHERE customer IN ({list})"
                );
                let rows = padded
                    .iter()
                    .fold(self.engine.query(&sql), |q, id| q.bind(*id))
                    .fetch_all(&mut *conn)
                    .await?;
                self.read_joined(&rows)?;
            }
        }
        Ok(())
    }

    /// Rows of (customer id, currency, balance, held), the last three NULL
    /// for a customer without balance rows.
    fn read_joined(&mut self, rows: &[AnyRow]) -> Step<()> {
        for row in rows {
            let id: i64 = row.try_get(0)?;
            self.customers.insert(id, true);
            if let Some(currency) = row.try_get::<Option<String>, _>(1)? {
                self.read_account(id, &currency, row.try_get(2)?, row.try_get(3)?)?;
            }
        }
        Ok(())
    }

    /// Whether a customer exists, locking its row now if step 1 did not
    /// foresee it. Such a late lock can deadlock; the database then picks a
    /// victim, which runs again.
    pub(super) async fn customer(&mut self, conn: &mut AnyConnection, id: i64) -> Step<bool> {
        if let Some(exists) = self.customers.get(&id) {
            return Ok(*exists);
        }
        self.lock_and_read(conn, &BTreeSet::from([id])).await?;
        Ok(self.customers.get(&id).copied().unwrap_or(false))
    }

    /// PostgreSQL, when no item settles a hold: steps 1 and 2 for customers
    /// and keys in one statement (one round trip less per batch, which a
    /// credit committed on its own feels). The customer rows are locked in
    /// id order first, then their balance rows: a row locked by `FOR
    /// UPDATE` is read in its latest committed version, so the balances are
    /// those the previous holder of a customer's lock left. Rows and keys
    /// committed after the statement's snapshot (taken before any lock
    /// wait) are not seen: a balance row created meanwhile is then inserted
    /// again, and a key used again, both refused by a unique key, which
    /// runs the batch again (as for any key taken by a concurrent writer).
    /// Appends of one customer go to one group-commit writer, so that is
    /// rare. False when this does not apply and the separate steps must run.
    async fn lock_and_read_keys(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<bool> {
        if self.engine != Engine::Postgres || items.iter().any(|t| t.closes.is_some()) {
            return Ok(false);
        }
        let ids = Self::customers_of(items)?;
        let keys: BTreeSet<&str> = items.iter().map(|t| t.key.as_str()).collect();
        // Arrays travel as text literals (`{1,2}`), cast on the server: one
        // statement text for every batch size.
        //
        // Each row is locked through a lookup by key (a nested loop over the
        // ids, sorted, so locks are taken in id order): on the small tables
        // of a young ledger the planner otherwise chose a sequential scan of
        // every customer and balance row under `FOR UPDATE`, and such a
        // scan checks every row that the other writers hold locked or have
        // just updated. With 1,000 customers credited by 64 callers that
        // statement grew from 2 to 14-27 ms within 15 seconds of a fresh
        // database; by key it starts at 0.4 ms (benches/README.md, the
        // HTTP server's section). The keys are looked up by a function
        // that is planned on each call (migration 20261203000007): the
        // journal grows, and a cached plan for it would not follow.
        let sql = "WITH c AS (SELECT l.id FROM unnest(CAST(? AS bigint[])) AS u(id) \
                CROSS JOIN LATERAL (SELECT id FROM dcms_customers WHERE id = u.id FOR UPDATE) AS l), \
            b AS (SELECT l.customer, l.currency, l.balance, l.held FROM c \
                CROSS JOIN LATERAL (SELECT customer, currency, balance, held \
                    FROM dcms_customer_balances WHERE customer = c.id ORDER BY currency FOR UPDATE) AS l) \
            SELECT id, NULL::text, NULL::bigint, NULL::bigint, NULL::text, NULL::text FROM c \
            UNION ALL \
            SELECT customer, currency, balance, held, NULL, NULL FROM b \
            UNION ALL \
            SELECT id, NULL, NULL, NULL, idem_key, fingerprint \
                FROM dcms_journal_keys(CAST(? AS text[]))";
        let rows = self
            .engine
            .query(sql)
            .bind(pg_array(ids.iter().map(i64::to_string), false))
            .bind(pg_array(keys.iter().copied(), true))
            .fetch_all(&mut *conn)
            .await?;
        for id in &ids {
            self.customers.insert(*id, false);
        }
        for row in &rows {
            let id: i64 = row.try_get(0)?;
            match row.try_get::<Option<String>, _>(4)? {
                Some(key) => {
                    self.keys.insert(key, (row.try_get(5)?, id));
                }
                None => {
                    self.customers.insert(id, true);
                    if let Some(currency) = row.try_get::<Option<String>, _>(1)? {
                        self.read_account(id, &currency, row.try_get(2)?, row.try_get(3)?)?;
                    }
                }
            }
        }
        Ok(true)
    }

    async fn read_keys(&mut self, conn: &mut AnyConnection, items: &[NewTransaction]) -> Step<()> {
        let keys: BTreeSet<&str> = items.iter().map(|t| t.key.as_str()).collect();
        let (list, keys) = in_list(keys);
        let sql = format!(
            "SELECT idem_key, fingerprint, id FROM dcms_journal WHERE idem_key IN ({list})"
        );
        let rows = keys
            .iter()
            .fold(self.engine.query(&sql), |q, k| q.bind(k.to_string()))
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            self.keys
                .insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
        }
        Ok(())
    }

    async fn read_vendors(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<()> {
        let named: BTreeSet<&VendorId> = items
            .iter()
            .flat_map(|t| {
                t.vendor
                    .iter()
                    .chain(t.postings.iter().filter_map(|p| match &p.account {
                        AccountRef::Vendor(v, _) => Some(v),
                        _ => None,
                    }))
            })
            .collect();
        let unknown: Vec<&VendorId> = {
            let seen = self.inner.vendors_seen.lock();
            named.into_iter().filter(|v| !seen.contains(*v)).collect()
        };
        if unknown.is_empty() {
            return Ok(());
        }
        let (list, unknown) = in_list(unknown);
        let sql = format!("SELECT id FROM dcms_vendors WHERE id IN ({list})");
        let rows = unknown
            .iter()
            .fold(self.engine.query(&sql), |q, v| q.bind(v.to_string()))
            .fetch_all(&mut *conn)
            .await?;
        let mut seen = self.inner.vendors_seen.lock();
        for row in &rows {
            if let Ok(id) = VendorId::new(row.try_get::<String, _>(0)?) {
                seen.insert(id);
            }
        }
        Ok(())
    }

    /// The program and vendor accounts the batch names that are not yet in
    /// `dcms_accounts` (an account per currency is created by its first
    /// posting): the flush adds them. Accounts seen once are remembered,
    /// like vendors, so a busy store reads none of them again.
    async fn read_accounts(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<()> {
        let unknown: BTreeSet<String> = {
            let seen = self.inner.accounts_seen.lock();
            items
                .iter()
                .flat_map(|t| &t.postings)
                .filter(|p| p.account.customer().is_none())
                .map(|p| p.account.to_string())
                .filter(|a| !seen.contains(a))
                .collect()
        };
        if unknown.is_empty() {
            return Ok(());
        }
        let (list, padded) = in_list(unknown.iter().cloned());
        let sql = format!("SELECT account FROM dcms_accounts WHERE account IN ({list})");
        let rows = padded
            .into_iter()
            .fold(self.engine.query(&sql), |q, a| q.bind(a))
            .fetch_all(&mut *conn)
            .await?;
        let mut found = BTreeSet::new();
        for row in &rows {
            found.insert(row.try_get::<String, _>(0)?);
        }
        self.new_accounts = unknown.difference(&found).cloned().collect();
        self.inner.accounts_seen.lock().extend(found);
        Ok(())
    }

    /// The `closes` targets: whether each exists, is closed, is an open hold.
    /// Read after the locks, so a settlement committed by the previous
    /// holder of a customer's lock is seen.
    async fn read_targets(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<()> {
        let targets = Self::targets_of(items);
        if targets.is_empty() {
            return Ok(());
        }
        let (list, padded) = in_list(targets);
        let sql = format!(
            "SELECT t.id, (SELECT c.id FROM dcms_journal c WHERE c.closes = t.id) \
             FROM dcms_journal t WHERE t.id IN ({list})"
        );
        let rows = padded
            .iter()
            .fold(self.engine.query(&sql), |q, t| q.bind(*t))
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            let closer: Option<i64> = row.try_get(1)?;
            self.targets.insert(
                row.try_get(0)?,
                Target {
                    closed: closer.is_some(),
                    open_hold: Vec::new(),
                },
            );
        }
        // The hold's currency is its first leg's.
        let sql = format!(
            "SELECT h.tx_id, h.customer, h.points, p.account FROM dcms_open_holds h \
             JOIN dcms_postings p ON p.tx_id = h.tx_id AND p.leg = 0 WHERE h.tx_id IN ({list})"
        );
        let rows = padded
            .iter()
            .fold(self.engine.query(&sql), |q, t| q.bind(*t))
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            let account: String = row.try_get(3)?;
            let currency = codec::account(&account)?.currency();
            let target = self.targets.entry(row.try_get(0)?).or_default();
            target
                .open_hold
                .push((row.try_get(1)?, currency, row.try_get(2)?));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{next_slot, pg_array};

    #[test]
    fn slots_stay_in_range_and_spread() {
        let used: std::collections::HashSet<i64> = (0..32).map(|_| next_slot(16)).collect();
        assert!(used.iter().all(|s| (0..16).contains(s)));
        assert_eq!(used.len(), 16);
        assert_eq!(next_slot(1), 0);
    }

    #[test]
    fn array_literals_quote_and_escape() {
        assert_eq!(pg_array(["1", "2"], false), "{1,2}");
        assert_eq!(pg_array(["a", "b\"c\\d"], true), r#"{"a","b\"c\\d"}"#);
        assert_eq!(pg_array(Vec::<String>::new(), true), "{}");
    }
}
