//! Step 4 of a batch: everything it decided, written with a few multi-row
//! statements (whatever the batch size), then each item's result.

use std::collections::HashMap;

use dcms_core::{AccountRef, Appended, Error, Result, Transaction, TxKind};
use sqlx::{AnyConnection, Row};

use super::batch::{Batch, Outcome, Step};
use crate::codec;
use crate::engine::{in_list, marks, pow2_chunks};

/// Most rows per multi-row statement (their parameters stay well below
/// every engine's limit).
const MAX_ROWS: usize = 32;

/// Splits `rows` into the cached statement shapes of [`pow2_chunks`].
fn chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    pow2_chunks(rows.len(), MAX_ROWS)
        .into_iter()
        .map(move |size| {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            chunk
        })
}

fn values(row: &str, n: usize) -> String {
    vec![row; n].join(", ")
}

impl Batch<'_> {
    pub(super) async fn flush(&mut self, conn: &mut AnyConnection) -> Step<()> {
        self.insert_journal(conn).await?;
        self.insert_postings(conn).await?;
        self.write_holds(conn).await?;
        self.write_customers(conn).await?;
        self.write_deltas(conn).await
    }

    /// The journal rows, then their ids (matched by key: no reliance on the
    /// order rows come back in).
    async fn insert_journal(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let mut ids: HashMap<String, i64> = HashMap::new();
        let returning = self.engine.has_returning();
        for chunk in chunks(&self.fresh) {
            let mut sql = format!(
                "INSERT INTO dcms_journal (idem_key, fingerprint, kind, vendor, closes, expires_at_ns, at_ns, memo, body) VALUES {}",
                values("(?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk.len())
            );
            if returning {
                sql.push_str(" RETURNING idem_key, id");
            }
            let mut insert = self.engine.query(&sql);
            for f in chunk {
                insert = insert
                    .bind(f.tx.key.clone())
                    .bind(f.tx.fingerprint.clone())
                    .bind(f.tx.kind.as_str())
                    .bind(f.tx.vendor.as_ref().map(ToString::to_string))
                    .bind(f.tx.closes.map(codec::tx_key).transpose()?)
                    .bind(f.expires)
                    .bind(f.at)
                    .bind(f.tx.memo.clone())
                    .bind(f.body.clone());
            }
            if returning {
                for row in insert.fetch_all(&mut *conn).await? {
                    ids.insert(row.try_get(0)?, row.try_get(1)?);
                }
            } else {
                insert.execute(&mut *conn).await?;
            }
        }
        if !returning && !self.fresh.is_empty() {
            let (list, keys) = in_list(self.fresh.iter().map(|f| f.tx.key.clone()));
            let sql = format!("SELECT idem_key, id FROM dcms_journal WHERE idem_key IN ({list})");
            let rows = keys
                .into_iter()
                .fold(self.engine.query(&sql), |q, k| q.bind(k))
                .fetch_all(&mut *conn)
                .await?;
            for row in rows {
                ids.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
        for f in &mut self.fresh {
            let id = ids.get(&f.tx.key).ok_or_else(|| {
                Error::Storage(format!("no id came back for transaction {:?}", f.tx.key))
            })?;
            f.id = Some(*id);
        }
        Ok(())
    }

    async fn insert_postings(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let mut rows = Vec::new();
        for f in &self.fresh {
            let id =
                f.id.ok_or_else(|| Error::Storage("a new transaction got no id".into()))?;
            let vendor = f.tx.vendor.as_ref().map(ToString::to_string);
            for (leg, p) in f.tx.postings.iter().enumerate() {
                rows.push((
                    id,
                    leg as i64,
                    p.account.to_string(),
                    p.points,
                    f.tx.kind.as_str(),
                    vendor.clone(),
                    f.at,
                ));
            }
        }
        for chunk in chunks(&rows) {
            let sql = format!(
                "INSERT INTO dcms_postings (tx_id, leg, account, points, kind, vendor, at_ns) VALUES {}",
                values("(?, ?, ?, ?, ?, ?, ?)", chunk.len())
            );
            let insert = chunk.iter().fold(self.engine.query(&sql), |q, r| {
                q.bind(r.0)
                    .bind(r.1)
                    .bind(r.2.clone())
                    .bind(r.3)
                    .bind(r.4)
                    .bind(r.5.clone())
                    .bind(r.6)
            });
            insert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Settled holds leave the open-hold index; new holds with an expiry
    /// join it (one row per customer leg).
    async fn write_holds(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let settled: Vec<i64> = self
            .targets
            .iter()
            .filter(|(id, t)| !t.open_hold.is_empty() && self.closed_here.contains(*id))
            .map(|(id, _)| *id)
            .collect();
        if !settled.is_empty() {
            let (list, settled) = in_list(settled);
            let sql = format!("DELETE FROM dcms_open_holds WHERE tx_id IN ({list})");
            settled
                .into_iter()
                .fold(self.engine.query(&sql), |q, t| q.bind(t))
                .execute(&mut *conn)
                .await?;
        }
        let mut rows = Vec::new();
        for f in self.fresh.iter().filter(|f| f.tx.kind == TxKind::Hold) {
            let Some(expires) = f.expires else { continue };
            let id =
                f.id.ok_or_else(|| Error::Storage("a new transaction got no id".into()))?;
            let amount = f.tx.points_for(&AccountRef::Holds);
            for (c, _) in &f.balances_after {
                rows.push((id, codec::customer_key(*c)?, expires, amount));
            }
        }
        for chunk in chunks(&rows) {
            let sql = format!(
                "INSERT INTO dcms_open_holds (tx_id, customer, expires_at_ns, points) VALUES {}",
                values("(?, ?, ?, ?)", chunk.len())
            );
            let insert = chunk.iter().fold(self.engine.query(&sql), |q, r| {
                q.bind(r.0).bind(r.1).bind(r.2).bind(r.3)
            });
            insert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// The customers' new balances and held points: one UPDATE per chunk,
    /// `CASE id WHEN ... THEN ...` (portable to all three engines).
    async fn write_customers(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let changed: Vec<(i64, i64, i64)> = self
            .customers
            .iter()
            .filter_map(|(id, c)| c.filter(|c| c.changed).map(|c| (*id, c.balance, c.held)))
            .collect();
        for chunk in chunks(&changed) {
            let n = chunk.len();
            let sql = format!(
                "UPDATE dcms_customers SET balance = CASE id {} END, held = CASE id {} END WHERE id IN ({})",
                vec!["WHEN ? THEN ?"; n].join(" "),
                vec!["WHEN ? THEN ?"; n].join(" "),
                marks(n)
            );
            let mut update = self.engine.query(&sql);
            for (id, balance, _) in chunk {
                update = update.bind(*id).bind(*balance);
            }
            for (id, _, held) in chunk {
                update = update.bind(*id).bind(*held);
            }
            for (id, ..) in chunk {
                update = update.bind(*id);
            }
            update.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// The other accounts' movements, added onto this batch's slot row, in
    /// account order. Zero sums are written too: an account that moved has
    /// a balance row.
    async fn write_deltas(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let mut deltas = Vec::with_capacity(self.deltas.len());
        for (account, delta) in std::mem::take(&mut self.deltas) {
            let delta = i64::try_from(delta).map_err(|_| Error::InvalidAmount {
                value: delta.to_string(),
                reason: format!("the balance of {account} would overflow"),
            })?;
            deltas.push((account, delta));
        }
        for chunk in chunks(&deltas) {
            let upsert = chunk.iter().fold(
                self.engine.query(&self.engine.add_balances(chunk.len())),
                |q, (account, delta)| q.bind(account.clone()).bind(self.slot).bind(*delta),
            );
            upsert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Each item's result, now that the new transactions have ids.
    pub(super) fn results(&self, outcomes: Vec<Outcome>) -> Step<Vec<Result<Appended>>> {
        let stored = |i: usize| -> Result<Transaction> {
            let f = self
                .fresh
                .get(i)
                .ok_or_else(|| Error::Storage("a batch lost track of an item".into()))?;
            let id =
                f.id.ok_or_else(|| Error::Storage("a new transaction got no id".into()))?;
            Ok(Transaction::from_new(
                codec::tx_id(id)?,
                f.tx.clone(),
                f.balances_after.clone(),
            ))
        };
        outcomes
            .into_iter()
            .map(|o| {
                Ok(match o {
                    Outcome::Done(result) => *result,
                    Outcome::New(i) => Ok(Appended {
                        tx: stored(i)?,
                        replayed: false,
                    }),
                    Outcome::Replay(i) => Ok(Appended {
                        tx: stored(i)?,
                        replayed: true,
                    }),
                })
            })
            .collect()
    }
}
