//! One database transaction of appends.
//!
//! Order of work, chosen so that concurrent batches cannot deadlock and
//! each check sees what it must:
//! 1. lock every customer row the batch touches, in id order (customers of
//!    open holds being settled included); a batch that holds a customer's
//!    row is the only writer of that customer's balance, held points and
//!    daily-cap window;
//! 2. read the idempotency keys and vendors the batch names in one query each;
//! 3. per item: check in the contract's order (key, closed target, vendor,
//!    accounts and balances, daily cap), then insert its journal row,
//!    postings and open-hold rows. A refused item has written nothing;
//! 4. write the new customer balances and add the other accounts' movements
//!    onto one slot row each, in account order, once for the whole batch.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dcms_core::{
    AccountRef, Appended, CustomerId, Error, NewTransaction, Result, Transaction, TxKind, VendorId,
};
use sqlx::AnyConnection;
use sqlx::Row;

use crate::codec::{self, Body};
use crate::engine::{in_list, pow2_chunks, Engine};
use crate::reads::load_tx;
use crate::store::Inner;
use crate::write::Abort;

/// A locked customer row as this batch has left it so far.
#[derive(Debug, Clone, Copy)]
struct Customer {
    balance: i64,
    held: i64,
    changed: bool,
}

/// An idempotency key already in the journal (or earlier in this batch).
#[derive(Debug)]
struct Seen {
    fingerprint: String,
    id: i64,
    /// Set when appended by this batch (not yet readable elsewhere).
    tx: Option<Transaction>,
}

/// What the checks found, for the writes.
struct Plan {
    at: i64,
    expires: Option<i64>,
    /// Open-hold rows of the target this transaction closes.
    closing: Vec<(i64, i64)>,
    balances_after: Vec<(CustomerId, i64)>,
}

/// Accounts are moved on this slot row for the whole batch.
fn slot_for(key: &str, slots: u16) -> i64 {
    // FNV-1a: cheap and stable; spreads concurrent batches over the slots.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % u64::from(slots.max(1))) as i64
}

pub(crate) struct Batch<'a> {
    inner: &'a Inner,
    engine: Engine,
    slot: i64,
    /// Locked customer rows; None for an id with no account.
    customers: BTreeMap<i64, Option<Customer>>,
    keys: HashMap<String, Seen>,
    /// Movements of non-customer accounts, applied to `slot` at the end;
    /// i128 so that only the final sums can overflow.
    deltas: BTreeMap<String, i128>,
}

type Step<T> = std::result::Result<T, Abort>;

impl<'a> Batch<'a> {
    /// Runs the whole batch on `conn`, inside an open write transaction.
    pub(crate) async fn run(
        inner: &'a Inner,
        conn: &mut AnyConnection,
        items: &[NewTransaction],
    ) -> Step<Vec<Result<Appended>>> {
        let mut batch = Batch {
            inner,
            engine: inner.engine,
            slot: slot_for(
                items.first().map(|t| t.key.as_str()).unwrap_or(""),
                inner.slots,
            ),
            customers: BTreeMap::new(),
            keys: HashMap::new(),
            deltas: BTreeMap::new(),
        };
        batch.lock_customers(conn, items).await?;
        batch.read_keys(conn, items).await?;
        batch.read_vendors(conn, items).await?;
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            results.push(batch.append(conn, item).await?);
        }
        batch.flush(conn).await?;
        Ok(results)
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
        let targets: Vec<i64> = items
            .iter()
            .filter_map(|t| t.closes)
            .filter_map(|t| codec::tx_key(t).ok())
            .collect();
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
        // Rows are locked in id order, the one order every batch uses.
        let (list, padded) = in_list(ids.iter().copied());
        let sql = format!(
            "SELECT id, balance, held FROM dcms_customers WHERE id IN ({list}) ORDER BY id{}",
            self.engine.for_update()
        );
        let rows = padded
            .iter()
            .fold(self.engine.query(&sql), |q, id| q.bind(*id))
            .fetch_all(&mut *conn)
            .await?;
        for id in &ids {
            self.customers.insert(*id, None);
        }
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

    /// A customer row, locking it now if the batch did not foresee it (a
    /// hold opened by a concurrent writer after step 1). Such a late lock
    /// can deadlock; the database then picks a victim, which runs again.
    async fn customer(&mut self, conn: &mut AnyConnection, id: i64) -> Step<Option<Customer>> {
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

    fn set_customer(&mut self, id: i64, balance: Option<i64>, held_delta: i64) {
        if let Some(Some(c)) = self.customers.get_mut(&id) {
            if let Some(b) = balance {
                c.balance = b;
            }
            c.held += held_delta;
            c.changed = true;
        }
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
            let seen = Seen {
                fingerprint: row.try_get(1)?,
                id: row.try_get(2)?,
                tx: None,
            };
            self.keys.insert(row.try_get(0)?, seen);
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
            let id: String = row.try_get(0)?;
            if let Ok(id) = VendorId::new(id) {
                seen.insert(id);
            }
        }
        Ok(())
    }

    fn vendor_exists(&self, id: &VendorId) -> bool {
        self.inner.vendors_seen.lock().contains(id)
    }

    /// One item: a replay, a refusal, or the new transaction.
    async fn append(
        &mut self,
        conn: &mut AnyConnection,
        tx: &NewTransaction,
    ) -> Step<Result<Appended>> {
        if let Some(seen) = self.keys.get(&tx.key) {
            if seen.fingerprint != tx.fingerprint {
                return Ok(Err(Error::IdempotencyConflict {
                    key: tx.key.clone(),
                }));
            }
            let first = match &seen.tx {
                Some(t) => t.clone(),
                None => load_tx(self.engine, conn, seen.id).await?.ok_or_else(|| {
                    Error::Storage(format!(
                        "idempotency key {:?} names a missing transaction",
                        tx.key
                    ))
                })?,
            };
            return Ok(Ok(Appended {
                tx: first,
                replayed: true,
            }));
        }
        let plan = match self.check(conn, tx).await? {
            Ok(plan) => plan,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(Ok(self.write(conn, tx, plan).await?))
    }

    /// The contract's checks, in its order. Nothing is written here.
    async fn check(&mut self, conn: &mut AnyConnection, tx: &NewTransaction) -> Step<Result<Plan>> {
        let (at, expires) = match (
            codec::nanos(tx.at),
            tx.expires_at.map(codec::nanos).transpose(),
        ) {
            (Ok(at), Ok(expires)) => (at, expires),
            (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
        };
        let mut closing = Vec::new();
        if let Some(target) = tx.closes {
            let Ok(id) = codec::tx_key(target) else {
                return Ok(Err(Error::UnknownTransaction(target)));
            };
            let row = self
                .engine
                .query("SELECT t.id, (SELECT c.id FROM dcms_journal c WHERE c.closes = t.id) FROM dcms_journal t WHERE t.id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            match row {
                None => return Ok(Err(Error::UnknownTransaction(target))),
                Some(r) if r.try_get::<Option<i64>, _>(1)?.is_some() => {
                    return Ok(Err(Error::AlreadyClosed(target)))
                }
                Some(_) => {}
            }
            let rows = self
                .engine
                .query("SELECT customer, points FROM dcms_open_holds WHERE tx_id = ?")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
            for r in &rows {
                closing.push((r.try_get(0)?, r.try_get(1)?));
            }
        }
        if let Some(v) = &tx.vendor {
            if !self.vendor_exists(v) {
                return Ok(Err(Error::UnknownVendor(v.clone())));
            }
        }
        let mut balances_after = Vec::new();
        for p in &tx.postings {
            match &p.account {
                AccountRef::Customer(c) => {
                    let Some(row) = self.customer(conn, codec::customer_key(*c)?).await? else {
                        return Ok(Err(Error::UnknownAccount(p.account.clone())));
                    };
                    let Some(after) = row.balance.checked_add(p.points) else {
                        return Ok(Err(Error::InvalidAmount {
                            value: p.points.to_string(),
                            reason: "balance would overflow".into(),
                        }));
                    };
                    if after < 0 {
                        return Ok(Err(Error::InsufficientPoints {
                            account: *c,
                            available: row.balance,
                            requested: p.points.saturating_neg(),
                        }));
                    }
                    balances_after.push((*c, after));
                }
                AccountRef::Vendor(v) if !self.vendor_exists(v) => {
                    return Ok(Err(Error::UnknownVendor(v.clone())))
                }
                _ => {}
            }
        }
        if let Some(cap) = &tx.daily_cap {
            let (from, to) = match (codec::nanos(cap.from), codec::nanos(cap.to)) {
                (Ok(f), Ok(t)) => (f, t),
                (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
            };
            // Counts this batch's earlier credits too: they are in the same
            // database transaction.
            let sql = format!(
                "SELECT {} FROM dcms_postings WHERE account = ? AND kind = ? AND vendor = ? AND at_ns >= ? AND at_ns < ?",
                self.engine.sum("points")
            );
            let used: i64 = self
                .engine
                .query(&sql)
                .bind(AccountRef::Customer(cap.customer).to_string())
                .bind(TxKind::ChangeCredit.as_str())
                .bind(cap.vendor.to_string())
                .bind(from)
                .bind(to)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            let requested = tx.points_for(&AccountRef::Customer(cap.customer));
            if i128::from(used) + i128::from(requested) > i128::from(cap.cap) {
                return Ok(Err(Error::LimitExceeded {
                    limit: "per-day",
                    cap: cap.cap,
                    requested,
                    remaining: cap.cap.saturating_sub(used).max(0),
                }));
            }
        }
        Ok(Ok(Plan {
            at,
            expires,
            closing,
            balances_after,
        }))
    }

    /// Inserts the journal row, postings and open-hold rows of a checked
    /// item and notes its balance movements for [`Batch::flush`].
    async fn write(
        &mut self,
        conn: &mut AnyConnection,
        tx: &NewTransaction,
        plan: Plan,
    ) -> Step<Appended> {
        let body = Body {
            pos: tx.pos.clone(),
            cash: tx.cash,
            balances_after: plan.balances_after.clone(),
        }
        .encode()?;
        let closes = tx.closes.map(codec::tx_key).transpose()?;
        let mut sql = String::from(
            "INSERT INTO dcms_journal (idem_key, fingerprint, kind, vendor, closes, expires_at_ns, at_ns, memo, body) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        );
        if self.engine.has_returning() {
            sql.push_str(" RETURNING id");
        }
        let insert = self
            .engine
            .query(&sql)
            .bind(tx.key.clone())
            .bind(tx.fingerprint.clone())
            .bind(tx.kind.as_str())
            .bind(tx.vendor.as_ref().map(VendorId::to_string))
            .bind(closes)
            .bind(plan.expires)
            .bind(plan.at)
            .bind(tx.memo.clone())
            .bind(body);
        let id: i64 = if self.engine.has_returning() {
            insert.fetch_one(&mut *conn).await?.try_get(0)?
        } else {
            insert
                .execute(&mut *conn)
                .await?
                .last_insert_id()
                .ok_or_else(|| {
                    Error::Storage("the database gave no id for a new transaction".into())
                })?
        };

        let sql = format!(
            "INSERT INTO dcms_postings (tx_id, leg, account, points, kind, vendor, at_ns) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?)"; tx.postings.len()].join(", ")
        );
        let vendor = tx.vendor.as_ref().map(VendorId::to_string);
        let mut insert = self.engine.query(&sql);
        for (leg, p) in tx.postings.iter().enumerate() {
            insert = insert
                .bind(id)
                .bind(leg as i64)
                .bind(p.account.to_string())
                .bind(p.points)
                .bind(tx.kind.as_str())
                .bind(vendor.clone())
                .bind(plan.at);
        }
        insert.execute(&mut *conn).await?;

        if let (Some(target), false) = (closes, plan.closing.is_empty()) {
            self.engine
                .query("DELETE FROM dcms_open_holds WHERE tx_id = ?")
                .bind(target)
                .execute(&mut *conn)
                .await?;
            for (customer, points) in &plan.closing {
                // Normally locked in step 1; `customer` locks it otherwise.
                self.customer(conn, *customer).await?;
                self.set_customer(*customer, None, -points);
            }
        }
        for (c, after) in &plan.balances_after {
            self.set_customer(codec::customer_key(*c)?, Some(*after), 0);
        }
        if tx.kind == TxKind::Hold {
            let amount = tx.points_for(&AccountRef::Holds);
            for (c, _) in &plan.balances_after {
                let customer = codec::customer_key(*c)?;
                self.set_customer(customer, None, amount);
                if let Some(expires) = plan.expires {
                    self.engine
                        .query("INSERT INTO dcms_open_holds (tx_id, customer, expires_at_ns, points) VALUES (?, ?, ?, ?)")
                        .bind(id)
                        .bind(customer)
                        .bind(expires)
                        .bind(amount)
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
        for p in &tx.postings {
            if p.account.customer().is_none() {
                *self.deltas.entry(p.account.to_string()).or_default() += i128::from(p.points);
            }
        }

        let stored = Transaction::from_new(codec::tx_id(id)?, tx.clone(), plan.balances_after);
        let seen = Seen {
            fingerprint: tx.fingerprint.clone(),
            id,
            tx: Some(stored.clone()),
        };
        self.keys.insert(tx.key.clone(), seen);
        Ok(Appended {
            tx: stored,
            replayed: false,
        })
    }

    /// Writes the batch's balance movements: customer rows in id order, then
    /// one slot row per other account, in account order.
    async fn flush(&mut self, conn: &mut AnyConnection) -> Step<()> {
        for (id, customer) in &self.customers {
            if let Some(c) = customer.filter(|c| c.changed) {
                self.engine
                    .query("UPDATE dcms_customers SET balance = ?, held = ? WHERE id = ?")
                    .bind(c.balance)
                    .bind(c.held)
                    .bind(*id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        // Zero sums are written too: an account that moved has a balance row.
        let deltas = std::mem::take(&mut self.deltas)
            .into_iter()
            .collect::<Vec<_>>();
        let mut rest = deltas.as_slice();
        for size in pow2_chunks(deltas.len(), 64) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let mut upsert = self.engine.query(&self.engine.add_balances(size));
            for (account, delta) in chunk {
                let delta = i64::try_from(*delta).map_err(|_| Error::InvalidAmount {
                    value: delta.to_string(),
                    reason: format!("the balance of {account} would overflow"),
                })?;
                upsert = upsert.bind(account.clone()).bind(self.slot).bind(delta);
            }
            upsert.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::slot_for;

    #[test]
    fn slots_stay_in_range_and_spread() {
        let used: std::collections::HashSet<i64> =
            (0..200).map(|i| slot_for(&format!("k{i}"), 16)).collect();
        assert!(used.iter().all(|s| (0..16).contains(s)));
        assert!(used.len() > 10);
        assert_eq!(slot_for("anything", 1), 0);
    }
}
