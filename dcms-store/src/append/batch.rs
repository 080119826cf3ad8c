//! One database transaction of appends: what it locks and reads first.
//!
//! Order of work, chosen so that concurrent batches cannot deadlock and
//! each check sees what it must:
//! 1. lock every customer row the batch touches, in id order (customers of
//!    open holds being settled included). A batch holding a customer's row
//!    is the only writer of that customer's balance, held points and
//!    daily-cap window, and reads (at READ COMMITTED) everything the
//!    previous holder committed;
//! 2. read, in one query each, the idempotency keys, vendors and `closes`
//!    targets the batch names;
//! 3. check each item in the contract's order against those reads plus the
//!    batch's own earlier items ([`super::check`]); a refused item changes
//!    nothing;
//! 4. write everything with a few multi-row statements ([`super::flush`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use dcms_core::{AccountRef, Appended, CustomerId, Error, NewTransaction, Result, VendorId};
use sqlx::{AnyConnection, Row};

use crate::codec;
use crate::engine::{in_list, Engine};
use crate::store::Inner;
use crate::write::Abort;

pub(super) type Step<T> = std::result::Result<T, Abort>;

/// A locked customer row as this batch has left it so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct Customer {
    pub balance: i64,
    pub held: i64,
    pub changed: bool,
}

/// A transaction that `closes` names.
#[derive(Debug, Default)]
pub(super) struct Target {
    pub closed: bool,
    /// Its open-hold rows: (customer, points).
    pub open_hold: Vec<(i64, i64)>,
}

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
    /// Locked customer rows; None for an id with no account.
    pub(super) customers: BTreeMap<i64, Option<Customer>>,
    /// Committed keys: key -> (fingerprint, id).
    pub(super) keys: HashMap<String, (String, i64)>,
    /// Keys of this batch's new transactions -> index in `fresh`.
    pub(super) pending: HashMap<String, usize>,
    pub(super) targets: HashMap<i64, Target>,
    /// Targets closed by this batch.
    pub(super) closed_here: HashSet<i64>,
    /// Committed credits per daily-cap window (customer, vendor, from, to),
    /// read once per batch: the customer's row is locked, so nothing but
    /// this batch (counted in `credits_here`) adds to them meanwhile.
    pub(super) cap_committed: HashMap<(i64, String, i64, i64), i64>,
    /// This batch's change credits: (customer, vendor, at, points).
    pub(super) credits_here: Vec<(CustomerId, VendorId, i64, i64)>,
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
            keys: HashMap::new(),
            pending: HashMap::new(),
            targets: HashMap::new(),
            closed_here: HashSet::new(),
            cap_committed: HashMap::new(),
            credits_here: Vec::new(),
            fresh: Vec::new(),
            deltas: BTreeMap::new(),
        };
        if !batch.lock_and_read_keys(conn, items).await? {
            batch.lock_customers(conn, items).await?;
            batch.read_keys(conn, items).await?;
        }
        batch.read_vendors(conn, items).await?;
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

    async fn lock_customers(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<()> {
        let mut ids = BTreeSet::new();
        for tx in items {
            for p in &tx.postings {
                if let AccountRef::Customer(c) = p.account {
                    ids.insert(codec::customer_key(c)?);
                }
            }
        }
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
        if ids.is_empty() {
            return Ok(());
        }
        for id in &ids {
            self.customers.insert(*id, None);
        }
        // Rows are locked in id order, the one order every batch uses.
        let (list, padded) = in_list(ids.iter().copied());
        if self.engine == Engine::Sqlite {
            // One row of JSON instead of a row per customer: the driver
            // hands each row from its worker thread to the caller's, and a
            // batch reads up to thousands (SQLite has one writer: no lock).
            let sql = format!(
                "SELECT json_group_array(json_array(id, balance, held)) FROM dcms_customers WHERE id IN ({list})"
            );
            let text: String = padded
                .iter()
                .fold(self.engine.query(&sql), |q, id| q.bind(*id))
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            let rows: Vec<(i64, i64, i64)> = serde_json::from_str(&text)
                .map_err(|e| Error::Storage(format!("cannot read customer rows: {e}")))?;
            for (id, balance, held) in rows {
                let customer = Customer {
                    balance,
                    held,
                    changed: false,
                };
                self.customers.insert(id, Some(customer));
            }
            return Ok(());
        }
        let sql = format!(
            "SELECT id, balance, held FROM dcms_customers WHERE id IN ({list}) ORDER BY id{}",
            self.engine.for_update()
        );
        let rows = padded
            .iter()
            .fold(self.engine.query(&sql), |q, id| q.bind(*id))
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            let customer = Customer {
                balance: row.try_get(1)?,
                held: row.try_get(2)?,
                changed: false,
            };
            self.customers.insert(row.try_get(0)?, Some(customer));
        }
        Ok(())
    }

    /// A customer row, locking it now if step 1 did not foresee it. Such a
    /// late lock can deadlock; the database then picks a victim, which runs
    /// again.
    pub(super) async fn customer(
        &mut self,
        conn: &mut AnyConnection,
        id: i64,
    ) -> Step<Option<Customer>> {
        if let Some(c) = self.customers.get(&id) {
            return Ok(*c);
        }
        let sql = format!(
            "SELECT balance, held FROM dcms_customers WHERE id = ?{}",
            self.engine.for_update()
        );
        let row = self
            .engine
            .query(&sql)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let customer = match row {
            Some(r) => Some(Customer {
                balance: r.try_get(0)?,
                held: r.try_get(1)?,
                changed: false,
            }),
            None => None,
        };
        self.customers.insert(id, customer);
        Ok(customer)
    }

    /// PostgreSQL, when no item settles a hold: steps 1 and 2 for customers
    /// and keys in one statement (one round trip less per batch, which a
    /// credit committed on its own feels). The customer rows are locked in
    /// id order first; the keys are read in the same statement, so from
    /// the snapshot taken before any lock wait: a key committed meanwhile
    /// by the previous holder of a lock is then not seen here, and the
    /// journal's unique key refuses the second insert, which runs the batch
    /// again (as for any key taken by a concurrent writer). Appends of one
    /// customer go to one group-commit writer, so that is rare. False when
    /// this does not apply and the separate steps must run.
    async fn lock_and_read_keys(
        &mut self,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<bool> {
        if self.engine != Engine::Postgres || items.iter().any(|t| t.closes.is_some()) {
            return Ok(false);
        }
        let mut ids = BTreeSet::new();
        for tx in items {
            for p in &tx.postings {
                if let AccountRef::Customer(c) = p.account {
                    ids.insert(codec::customer_key(c)?);
                }
            }
        }
        let keys: BTreeSet<&str> = items.iter().map(|t| t.key.as_str()).collect();
        // Arrays travel as text literals (`{1,2}`), cast on the server: one
        // statement text for every batch size, and `= ANY` uses the index.
        let sql = "WITH c AS (SELECT id, balance, held FROM dcms_customers \
                WHERE id = ANY(CAST(? AS bigint[])) ORDER BY id FOR UPDATE) \
            SELECT id, balance, held, NULL::text, NULL::text FROM c \
            UNION ALL \
            SELECT id, NULL, NULL, idem_key, fingerprint FROM dcms_journal \
                WHERE idem_key = ANY(CAST(? AS text[]))";
        let rows = self
            .engine
            .query(sql)
            .bind(pg_array(ids.iter().map(i64::to_string), false))
            .bind(pg_array(keys.iter().copied(), true))
            .fetch_all(&mut *conn)
            .await?;
        for id in &ids {
            self.customers.insert(*id, None);
        }
        for row in &rows {
            let id: i64 = row.try_get(0)?;
            match row.try_get::<Option<String>, _>(3)? {
                Some(key) => {
                    self.keys.insert(key, (row.try_get(4)?, id));
                }
                None => {
                    let customer = Customer {
                        balance: row.try_get(1)?,
                        held: row.try_get(2)?,
                        changed: false,
                    };
                    self.customers.insert(id, Some(customer));
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
                        AccountRef::Vendor(v) => Some(v),
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
        let sql =
            format!("SELECT tx_id, customer, points FROM dcms_open_holds WHERE tx_id IN ({list})");
        let rows = padded
            .iter()
            .fold(self.engine.query(&sql), |q, t| q.bind(*t))
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            let target = self.targets.entry(row.try_get(0)?).or_default();
            target.open_hold.push((row.try_get(1)?, row.try_get(2)?));
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
