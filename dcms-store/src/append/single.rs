//! PostgreSQL, an append committed on its own: a credit to one customer
//! (a change credit, a positive adjustment) as one statement, which the
//! server runs as its own transaction. One round trip and one flush, where
//! the general path takes five round trips (BEGIN, the locking read, the
//! writes, COMMIT). A plain `UPDATE` plus `INSERT` transaction takes four.
//!
//! The statement writes only when the key is new and the customer already
//! has a balance row in the credit's currency: it adds the points to that
//! row (locking it; the general path locks it too, after the customer's
//! row; the `CHECK` and the 64-bit column refuse what the checks would),
//! inserts the journal row with the balance after, its postings and the
//! other accounts' movements. Anything else (a replayed key, an unknown
//! customer, a first credit in a currency, an account not yet known to
//! exist, a lost race, a database error) writes nothing and the append
//! goes the general way ([`super::batch`]), which decides it with every
//! check of the contract. So this path never refuses anything itself; it
//! only takes the case where nothing is refused.

use std::collections::BTreeMap;

use dcms_core::{AccountRef, Appended, CustomerId, NewTransaction, Transaction};
use sqlx::Row;

use super::batch::{next_slot, pg_array};
use crate::codec::{self, Body};
use crate::engine::Engine;
use crate::store::Inner;

/// Stands for the customer's balance after the credit in the encoded body,
/// which the statement fills in. Never a real balance (those are >= 0).
const BALANCE_MARK: i64 = i64::MIN;

/// What the statement needs of a credit it can take.
struct Credit {
    customer: i64,
    currency: String,
    customer_id: CustomerId,
    points: i64,
    at: i64,
    body_head: String,
    body_tail: String,
    /// Every leg in order: (account, points).
    legs: (Vec<String>, Vec<i64>),
    /// The other accounts' movements, summed per account.
    moves: BTreeMap<String, i64>,
}

impl Inner {
    /// The credit's result, or None when it must go the general way.
    pub(super) async fn append_credit_fast(&self, tx: &NewTransaction) -> Option<Appended> {
        if self.engine != Engine::Postgres {
            return None;
        }
        let credit = self.fast_credit(tx)?;
        // Postings carry the line fields of their transaction; `closes` is
        // left NULL because this path takes no transaction that closes one.
        let sql = "WITH k AS (SELECT 1 FROM dcms_journal WHERE idem_key = ?), \
            c AS (UPDATE dcms_customer_balances SET balance = balance + ? \
                WHERE customer = ? AND currency = ? AND NOT EXISTS (SELECT 1 FROM k) \
                RETURNING balance), \
            j AS (INSERT INTO dcms_journal (idem_key, fingerprint, kind, vendor, at_ns, memo, body) \
                SELECT ?, ?, ?, ?, ?, ?, ? || c.balance || ? FROM c RETURNING id), \
            p AS (INSERT INTO dcms_postings (tx_id, leg, account, points, kind, vendor, at_ns, \
                    memo, store_id, terminal_id, receipt_no) \
                SELECT j.id, l.n - 1, l.account, l.points, ?, ?, ?, ?, ?, ?, ? FROM j, \
                unnest(CAST(? AS text[]), CAST(? AS bigint[])) WITH ORDINALITY AS l(account, points, n)), \
            b AS (INSERT INTO dcms_balances (account, slot, balance) \
                SELECT m.account, ?, m.points FROM j, \
                unnest(CAST(? AS text[]), CAST(? AS bigint[])) AS m(account, points) \
                ON CONFLICT (account, slot) DO UPDATE SET balance = dcms_balances.balance + excluded.balance) \
            SELECT j.id, c.balance FROM j, c";
        let kind = tx.kind.as_str();
        let vendor = tx.vendor.as_ref().map(ToString::to_string);
        let (accounts, points) = &credit.legs;
        let row = self
            .engine
            .query(sql)
            .bind(tx.key.clone())
            .bind(credit.points)
            .bind(credit.customer)
            .bind(credit.currency)
            .bind(tx.key.clone())
            .bind(tx.fingerprint.clone())
            .bind(kind)
            .bind(vendor.clone())
            .bind(credit.at)
            .bind(tx.memo.clone())
            .bind(credit.body_head)
            .bind(credit.body_tail)
            .bind(kind)
            .bind(vendor)
            .bind(credit.at)
            .bind(tx.memo.clone())
            .bind(tx.pos.store_id.clone())
            .bind(tx.pos.terminal_id.clone())
            .bind(tx.pos.receipt_no.clone())
            .bind(pg_array(accounts, true))
            .bind(pg_array(points.iter().map(i64::to_string), false))
            .bind(next_slot(self.slots))
            .bind(pg_array(credit.moves.keys(), true))
            .bind(pg_array(credit.moves.values().map(i64::to_string), false))
            .fetch_optional(&self.write_pool)
            .await
            .ok()??;
        let id: i64 = row.try_get(0).ok()?;
        let balance: i64 = row.try_get(1).ok()?;
        let stored = Transaction::from_new(
            codec::tx_id(id).ok()?,
            tx.clone(),
            vec![(credit.customer_id, balance)],
        );
        Some(Appended {
            tx: stored.into(),
            replayed: false,
        })
    }

    /// The credit, when `tx` is one this path takes: exactly one customer
    /// leg and it adds points; no daily cap, hold, expiry or transaction it
    /// closes; every vendor and program account it names known to exist.
    fn fast_credit(&self, tx: &NewTransaction) -> Option<Credit> {
        if tx.daily_cap.is_some() || tx.closes.is_some() || tx.expires_at.is_some() {
            return None;
        }
        let mut customer = None;
        let mut moves: BTreeMap<String, i64> = BTreeMap::new();
        let mut legs = (
            Vec::with_capacity(tx.postings.len()),
            Vec::with_capacity(tx.postings.len()),
        );
        {
            let seen = self.vendors_seen.lock();
            let accounts = self.accounts_seen.lock();
            if tx.vendor.as_ref().is_some_and(|v| !seen.contains(v)) {
                return None;
            }
            for p in &tx.postings {
                match &p.account {
                    AccountRef::Customer(c, currency) => {
                        if customer.is_some() || p.points <= 0 {
                            return None;
                        }
                        customer = Some((*c, *currency, p.points));
                    }
                    AccountRef::Vendor(v, _) if !seen.contains(v) => return None,
                    other => {
                        let name = other.to_string();
                        if !accounts.contains(&name) {
                            return None;
                        }
                        let sum = moves.entry(name).or_default();
                        *sum = sum.checked_add(p.points)?;
                    }
                }
                legs.0.push(p.account.to_string());
                legs.1.push(p.points);
            }
        }
        let (customer_id, currency, points) = customer?;
        let body = Body {
            pos: tx.pos.clone(),
            cash: tx.cash,
            balances_after: vec![(customer_id, BALANCE_MARK)],
        }
        .encode()
        .ok()?;
        // The balance is the last field written, so the last occurrence
        // of the mark is it (a POS field could hold the same digits).
        let (head, tail) = body.rsplit_once(&BALANCE_MARK.to_string())?;
        Some(Credit {
            customer: codec::customer_key(customer_id).ok()?,
            currency: currency.as_str().to_string(),
            customer_id,
            points,
            at: codec::nanos(tx.at).ok()?,
            body_head: head.to_string(),
            body_tail: tail.to_string(),
            legs,
            moves,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::BALANCE_MARK;
    use crate::codec::Body;
    use dcms_core::{CustomerId, PosRef};

    #[test]
    fn the_balance_mark_splits_the_body_where_the_balance_goes() {
        let customer = CustomerId::from_payload(48213);
        let pos = PosRef {
            receipt_no: Some(BALANCE_MARK.to_string()),
            ..PosRef::default()
        };
        let body = |balance| {
            Body {
                pos: pos.clone(),
                cash: None,
                balances_after: vec![(customer, balance)],
            }
            .encode()
            .unwrap()
        };
        let marked = body(BALANCE_MARK);
        let (head, tail) = marked.rsplit_once(&BALANCE_MARK.to_string()).unwrap();
        assert_eq!(format!("{head}37{tail}"), body(37));
    }
}
