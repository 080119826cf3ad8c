//! Step 3 of a batch: each item checked in the contract's order against
//! the batch's reads and its own earlier items, then noted for the flush.
//! Nothing is written here, so a refused item leaves no trace.

use dcms_core::{AccountRef, Appended, Error, NewTransaction, Result, TxKind};
use sqlx::{AnyConnection, Row};

use super::batch::{Batch, Fresh, Outcome, Step};
use crate::codec::{self, Body};
use crate::reads::load_tx;

impl Batch<'_> {
    /// One item: a replay, a refusal, or a new transaction.
    pub(super) async fn check(
        &mut self,
        conn: &mut AnyConnection,
        tx: &NewTransaction,
    ) -> Step<Outcome> {
        let conflict = || {
            Outcome::Done(Box::new(Err(Error::IdempotencyConflict {
                key: tx.key.clone(),
            })))
        };
        if let Some(&i) = self.pending.get(&tx.key) {
            let same = self
                .fresh
                .get(i)
                .is_some_and(|f| f.tx.fingerprint == tx.fingerprint);
            return Ok(if same { Outcome::Replay(i) } else { conflict() });
        }
        if let Some((fingerprint, id)) = self.keys.get(&tx.key) {
            if *fingerprint != tx.fingerprint {
                return Ok(conflict());
            }
            let first = load_tx(self.engine, conn, *id).await?.ok_or_else(|| {
                Error::Storage(format!(
                    "idempotency key {:?} names a missing transaction",
                    tx.key
                ))
            })?;
            let replay = Appended {
                tx: first.into(),
                replayed: true,
            };
            return Ok(Outcome::Done(Box::new(Ok(replay))));
        }
        match self.plan(conn, tx).await? {
            Ok((fresh, closing)) => Ok(Outcome::New(self.note(fresh, closing))),
            Err(refusal) => Ok(Outcome::Done(Box::new(Err(refusal)))),
        }
    }

    /// The refusals, in the contract's order; or the new transaction and
    /// the open-hold rows it settles.
    async fn plan(
        &mut self,
        conn: &mut AnyConnection,
        tx: &NewTransaction,
    ) -> Step<Result<(Fresh, Vec<(i64, i64)>)>> {
        let (at, expires) = match (
            codec::nanos(tx.at),
            tx.expires_at.map(codec::nanos).transpose(),
        ) {
            (Ok(at), Ok(expires)) => (at, expires),
            (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
        };
        let mut closing = Vec::new();
        if let Some(target) = tx.closes {
            let found = codec::tx_key(target)
                .ok()
                .and_then(|id| self.targets.get(&id).map(|t| (id, t)));
            let Some((id, t)) = found else {
                return Ok(Err(Error::UnknownTransaction(target)));
            };
            if t.closed || self.closed_here.contains(&id) {
                return Ok(Err(Error::AlreadyClosed(target)));
            }
            closing = t.open_hold.clone();
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
        if let Some(refusal) = self.check_cap(conn, tx).await? {
            return Ok(Err(refusal));
        }
        for (customer, _) in &closing {
            // Normally locked in step 1; this locks it otherwise.
            self.customer(conn, *customer).await?;
        }
        let body = Body {
            pos: tx.pos.clone(),
            cash: tx.cash,
            balances_after: balances_after.clone(),
        }
        .encode()?;
        let fresh = Fresh {
            tx: tx.clone(),
            at,
            expires,
            balances_after,
            body,
            id: None,
        };
        Ok(Ok((fresh, closing)))
    }

    /// The daily cap: committed credits in the window plus this batch's.
    async fn check_cap(
        &mut self,
        conn: &mut AnyConnection,
        tx: &NewTransaction,
    ) -> Step<Option<Error>> {
        let Some(cap) = &tx.daily_cap else {
            return Ok(None);
        };
        let (from, to) = match (codec::nanos(cap.from), codec::nanos(cap.to)) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(e), _) | (_, Err(e)) => return Ok(Some(e)),
        };
        let window = (
            codec::customer_key(cap.customer)?,
            cap.vendor.to_string(),
            from,
            to,
        );
        let committed = match self.cap_committed.get(&window) {
            Some(sum) => *sum,
            None => {
                let sql = format!(
                    "SELECT {} FROM dcms_postings WHERE account = ? AND kind = ? AND vendor = ? AND at_ns >= ? AND at_ns < ?",
                    self.engine.sum("points")
                );
                let sum: i64 = self
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
                self.cap_committed.insert(window, sum);
                sum
            }
        };
        let here: i128 = self
            .credits_here
            .iter()
            .filter(|(c, v, at, _)| {
                *c == cap.customer && *v == cap.vendor && (from..to).contains(at)
            })
            .map(|(.., points)| i128::from(*points))
            .sum();
        let used = i128::from(committed) + here;
        let requested = tx.points_for(&AccountRef::Customer(cap.customer));
        if used + i128::from(requested) > i128::from(cap.cap) {
            let remaining = (i128::from(cap.cap) - used).clamp(0, i128::from(i64::MAX));
            return Ok(Some(Error::LimitExceeded {
                limit: "per-day",
                cap: cap.cap,
                requested,
                remaining: i64::try_from(remaining).unwrap_or(i64::MAX),
            }));
        }
        Ok(None)
    }

    /// Records a checked transaction's effects for the items after it and
    /// for the flush; returns its index in `fresh`.
    fn note(&mut self, fresh: Fresh, closing: Vec<(i64, i64)>) -> usize {
        let tx = &fresh.tx;
        if let Some(target) = tx.closes.and_then(|t| codec::tx_key(t).ok()) {
            self.closed_here.insert(target);
            for (customer, points) in &closing {
                self.change_customer(*customer, None, -points);
            }
        }
        for (c, after) in &fresh.balances_after {
            if let Ok(id) = codec::customer_key(*c) {
                self.change_customer(id, Some(*after), 0);
            }
        }
        if tx.kind == TxKind::Hold {
            let amount = tx.points_for(&AccountRef::Holds);
            for (c, _) in &fresh.balances_after {
                if let Ok(id) = codec::customer_key(*c) {
                    self.change_customer(id, None, amount);
                }
            }
        }
        if let (TxKind::ChangeCredit, Some(vendor)) = (tx.kind, &tx.vendor) {
            for p in &tx.postings {
                if let AccountRef::Customer(c) = p.account {
                    self.credits_here
                        .push((c, vendor.clone(), fresh.at, p.points));
                }
            }
        }
        for p in &tx.postings {
            if p.account.customer().is_none() {
                *self.deltas.entry(p.account.to_string()).or_default() += i128::from(p.points);
            }
        }
        let i = self.fresh.len();
        self.pending.insert(tx.key.clone(), i);
        self.fresh.push(fresh);
        i
    }

    fn change_customer(&mut self, id: i64, balance: Option<i64>, held_delta: i64) {
        if let Some(Some(c)) = self.customers.get_mut(&id) {
            if let Some(b) = balance {
                c.balance = b;
            }
            c.held += held_delta;
            c.changed = true;
        }
    }

    fn vendor_exists(&self, id: &dcms_core::VendorId) -> bool {
        self.inner.vendors_seen.lock().contains(id)
    }
}
