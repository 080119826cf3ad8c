//! Step 3 of a batch: each item checked in the contract's order against
//! the batch's reads and its own earlier items, then noted for the flush.
//! Nothing is written here, so a refused item leaves no trace.

use dcms_core::{AccountRef, Appended, DailyCap, Error, NewTransaction, Result, TxKind};
use sqlx::{AnyConnection, Row};

use super::batch::{Account, AccountKey, Batch, Fresh, HoldRow, Outcome, Step};
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
    ) -> Step<Result<(Fresh, Vec<HoldRow>)>> {
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
                AccountRef::Customer(c, currency) => {
                    let id = codec::customer_key(*c)?;
                    if !self.customer(conn, id).await? {
                        return Ok(Err(Error::UnknownAccount(*c)));
                    }
                    let balance = self.accounts.get(&(id, *currency)).map_or(0, |a| a.balance);
                    let Some(after) = balance.checked_add(p.points) else {
                        return Ok(Err(Error::InvalidAmount {
                            value: p.points.to_string(),
                            reason: "balance would overflow".into(),
                        }));
                    };
                    if after < 0 {
                        return Ok(Err(Error::InsufficientPoints {
                            account: *c,
                            currency: *currency,
                            available: balance,
                            requested: p.points.saturating_neg(),
                        }));
                    }
                    balances_after.push((*c, after));
                }
                AccountRef::Vendor(v, _) if !self.vendor_exists(v) => {
                    return Ok(Err(Error::UnknownVendor(v.clone())))
                }
                _ => {}
            }
        }
        if let Some(refusal) = self.check_cap(conn, tx).await? {
            return Ok(Err(refusal));
        }
        for (customer, ..) in &closing {
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

    /// The daily cap: what it counts of the committed postings in its
    /// window plus this batch's. The cap's account belongs to a customer
    /// whose row this batch holds, so the sum cannot change meanwhile.
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
        if let Some(c) = cap.account.customer() {
            // Normally locked in step 1 (the cap's account is one of the
            // transaction's legs); this locks it otherwise.
            self.customer(conn, codec::customer_key(c)?).await?;
        }
        let committed = self.cap_committed_sum(conn, cap, from, to).await?;
        let here: i128 = self
            .counted_here
            .get(&cap.account)
            .into_iter()
            .flatten()
            .filter(|(.., at, _)| (from..to).contains(at))
            .map(|(kind, vendor, _, points)| {
                i128::from(cap.counted(*kind, vendor.as_ref(), *points))
            })
            .sum();
        let requested = tx.points_for(&cap.account).saturating_mul(cap.direction());
        Ok(cap.refusal(i128::from(committed) + here, requested))
    }

    /// The committed points `cap` counts in `[from, to)`, read once per
    /// batch and window: postings of its kind (and vendor) on its account
    /// whose sign is its direction.
    async fn cap_committed_sum(
        &mut self,
        conn: &mut AnyConnection,
        cap: &DailyCap,
        from: i64,
        to: i64,
    ) -> Step<i64> {
        let account = cap.account.to_string();
        let kind = cap.kind().as_str();
        let vendor = cap.vendor().map(ToString::to_string);
        let window = (account.clone(), kind, vendor.clone(), from, to);
        if let Some(sum) = self.cap_committed.get(&window) {
            return Ok(*sum);
        }
        let sign = if cap.direction() > 0 { ">" } else { "<" };
        let by_vendor = if vendor.is_some() {
            " AND vendor = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {} FROM dcms_postings WHERE account = ? AND kind = ?{by_vendor} \
             AND at_ns >= ? AND at_ns < ? AND points {sign} 0",
            self.engine.sum("points")
        );
        let mut query = self.engine.query(&sql).bind(account).bind(kind);
        if let Some(v) = vendor {
            query = query.bind(v);
        }
        let sum: i64 = query
            .bind(from)
            .bind(to)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let sum = sum.saturating_mul(cap.direction());
        self.cap_committed.insert(window, sum);
        Ok(sum)
    }

    /// Records a checked transaction's effects for the items after it and
    /// for the flush; returns its index in `fresh`.
    fn note(&mut self, fresh: Fresh, closing: Vec<HoldRow>) -> usize {
        let tx = &fresh.tx;
        if let Some(target) = tx.closes.and_then(|t| codec::tx_key(t).ok()) {
            self.closed_here.insert(target);
            for (customer, currency, points) in &closing {
                self.account_mut((*customer, *currency)).held -= points;
            }
        }
        let held = match (tx.kind, tx.currency()) {
            (TxKind::Hold, Some(currency)) => tx.points_for(&AccountRef::Holds(currency)),
            _ => 0,
        };
        for p in &tx.postings {
            match &p.account {
                AccountRef::Customer(c, currency) => {
                    let Ok(id) = codec::customer_key(*c) else {
                        continue;
                    };
                    let after = fresh
                        .balances_after
                        .iter()
                        .find(|(b, _)| b == c)
                        .map(|(_, after)| *after);
                    let account = self.account_mut((id, *currency));
                    if let Some(after) = after {
                        account.balance = after;
                    }
                    account.held += held;
                    if matches!(tx.kind, TxKind::ChangeCredit | TxKind::Transfer) {
                        self.counted_here
                            .entry(p.account.clone())
                            .or_default()
                            .push((tx.kind, tx.vendor.clone(), fresh.at, p.points));
                    }
                }
                other => {
                    *self.deltas.entry(other.to_string()).or_default() += i128::from(p.points);
                }
            }
        }
        let i = self.fresh.len();
        self.pending.insert(tx.key.clone(), i);
        self.fresh.push(fresh);
        i
    }

    /// A customer's balance row in one currency, marked changed (created
    /// when this is the customer's first movement in the currency).
    fn account_mut(&mut self, key: AccountKey) -> &mut Account {
        let account = self.accounts.entry(key).or_default();
        account.changed = true;
        account
    }

    fn vendor_exists(&self, id: &dcms_core::VendorId) -> bool {
        self.inner.vendors_seen.lock().contains(id)
    }
}
