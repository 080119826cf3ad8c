//! Step 4 of a batch: everything it decided, written with a few multi-row
//! statements (whatever the batch size), then each item's result.

use std::collections::{BTreeMap, HashMap};

use dcms_core::{AccountRef, Appended, CurrencyCode, Error, Result, Transaction, TxKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::batch::{Batch, Outcome, Step};
use crate::codec;
use crate::engine::{in_list, pow2_chunks, Engine};

/// Takes a batch's summed movements of the other accounts, each checked to
/// fit a balance column (they are summed wider to detect overflow).
fn take_deltas(deltas: &mut BTreeMap<String, i128>) -> Step<Vec<(String, i64)>> {
    let mut checked = Vec::with_capacity(deltas.len());
    for (account, delta) in std::mem::take(deltas) {
        let delta = i64::try_from(delta).map_err(|_| Error::InvalidAmount {
            value: delta.to_string(),
            reason: format!("the balance of {account} would overflow"),
        })?;
        checked.push((account, delta));
    }
    Ok(checked)
}

/// Most rows per multi-row statement: a big group-committed batch is then
/// written in a handful of statements, not one per 32 rows.
const MAX_ROWS: usize = 1024;

/// Most bind parameters per statement. The engines' limits are SQLite
/// 32766, MySQL and PostgreSQL 65535; this stays under all three.
const MAX_PARAMS: usize = 30_000;

/// Splits `rows` (each binding `params` values) into the cached statement
/// shapes of [`pow2_chunks`], none above [`MAX_ROWS`] rows or
/// [`MAX_PARAMS`] parameters.
fn chunks<T>(rows: &[T], params: usize) -> impl Iterator<Item = &[T]> {
    chunks_of(rows, params, MAX_ROWS)
}

/// [`chunks`] with a smaller row limit.
fn chunks_of<T>(rows: &[T], params: usize, max_rows: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    let max = (MAX_PARAMS / params.max(1)).min(max_rows);
    pow2_chunks(rows.len(), max).into_iter().map(move |size| {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        chunk
    })
}

/// Rows as one JSON array of arrays: on PostgreSQL a whole batch is one
/// parameter, unpacked by `jsonb_array_elements`, so each write is one
/// statement of one fixed text (parsed and planned once per connection)
/// whatever the batch size. Multi-row `VALUES` would need a statement per
/// chunk and, per connection, a slow prepare of each large shape.
fn json_rows<T: serde::Serialize>(rows: &[T]) -> Step<String> {
    serde_json::to_string(rows)
        .map_err(|e| Error::Storage(format!("cannot encode a batch: {e}")).into())
}

/// The name of a customer's account in one currency.
fn customer_account(id: i64, currency: CurrencyCode) -> Step<String> {
    Ok(AccountRef::Customer(codec::customer_id(id)?, currency).to_string())
}

fn values(row: &str, n: usize) -> String {
    vec![row; n].join(", ")
}

impl Batch<'_> {
    /// The holds this batch settles (captured, voided or released): they
    /// leave the open-hold index.
    fn settled_holds(&self) -> Vec<i64> {
        self.targets
            .iter()
            .filter(|(id, t)| !t.open_hold.is_empty() && self.closed_here.contains(*id))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Writes the batch: on PostgreSQL two statements, elsewhere multi-row
    /// statements per table.
    pub(super) async fn flush(&mut self, conn: &mut AnyConnection) -> Step<()> {
        if self.engine == Engine::Postgres {
            return self.flush_postgres(conn).await;
        }
        self.insert_accounts(conn).await?;
        self.insert_journal(conn).await?;
        self.insert_postings(conn).await?;
        self.write_holds(conn).await?;
        self.write_customers(conn).await?;
        self.write_deltas(conn).await
    }

    /// PostgreSQL: the whole batch in two statements, whatever its size and
    /// kinds (the slot rows' movements come second, see below). Each table's rows come as one JSON-array parameter and are
    /// written by a data-modifying `WITH` part; postings and new open holds
    /// take their transaction's id from the journal rows inserted by the
    /// same statement (joined on the key), so no id makes a round trip
    /// before they are written. Two statements instead of five save round
    /// trips, which is most of what a batch of one (a credit committed on
    /// its own) costs besides its flush.
    async fn flush_postgres(&mut self, conn: &mut AnyConnection) -> Step<()> {
        if self.fresh.is_empty() && self.deltas.is_empty() {
            return Ok(());
        }
        let mut journal = Vec::with_capacity(self.fresh.len());
        let mut postings = Vec::with_capacity(self.fresh.len() * 2);
        let mut holds = Vec::new();
        for f in &self.fresh {
            let vendor = f.tx.vendor.as_ref().map(ToString::to_string);
            let closes = f.tx.closes.map(codec::tx_key).transpose()?;
            journal.push((
                &f.tx.key,
                &f.tx.fingerprint,
                f.tx.kind.as_str(),
                vendor.clone(),
                closes,
                f.expires,
                f.at,
                &f.tx.memo,
                &f.body,
            ));
            for (leg, p) in f.tx.postings.iter().enumerate() {
                postings.push((
                    &f.tx.key,
                    leg as i64,
                    p.account.to_string(),
                    p.points,
                    f.tx.kind.as_str(),
                    vendor.clone(),
                    f.at,
                    closes,
                    &f.tx.memo,
                    &f.tx.pos.store_id,
                    &f.tx.pos.terminal_id,
                    &f.tx.pos.receipt_no,
                ));
            }
            if let (TxKind::Hold, Some(expires), Some(currency)) =
                (f.tx.kind, f.expires, f.tx.currency())
            {
                let amount = f.tx.points_for(&AccountRef::Holds(currency));
                for (c, _) in &f.balances_after {
                    holds.push((&f.tx.key, codec::customer_key(*c)?, expires, amount));
                }
            }
        }
        let settled = self.settled_holds();
        // Balance rows read under the customer's lock are updated; new ones
        // are inserted (a row created meanwhile by another writer, unseen
        // by the locking statement's snapshot, is then refused by the
        // primary key and the batch runs again).
        let (mut stored, mut created) = (Vec::new(), Vec::new());
        for ((id, currency), a) in self.accounts.iter().filter(|(_, a)| a.changed) {
            if a.stored {
                stored.push((*id, currency.as_str(), a.balance, a.held));
            } else {
                let name = customer_account(*id, *currency)?;
                created.push((*id, currency.as_str(), name, a.balance, a.held));
            }
        }
        let accounts = self.accounts_to_create(&created);
        let deltas = take_deltas(&mut self.deltas)?;
        // Rows in batch order (ORDER BY n), so ids increase in the order
        // appends were taken. Every part of a WITH runs to completion
        // whether or not the final SELECT reads it; the parts touch
        // disjoint rows, so their order does not matter.
        let sql = "WITH j AS (\
                INSERT INTO dcms_journal (idem_key, fingerprint, kind, vendor, closes, expires_at_ns, at_ns, memo, body) \
                SELECT v->>0, v->>1, v->>2, v->>3, (v->>4)::bigint, (v->>5)::bigint, (v->>6)::bigint, v->>7, v->>8 \
                FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(v, n) ORDER BY n \
                RETURNING idem_key, id), \
            p AS (\
                INSERT INTO dcms_postings (tx_id, leg, account, points, kind, vendor, at_ns, \
                    closes, memo, store_id, terminal_id, receipt_no) \
                SELECT j.id, (v->>1)::bigint, v->>2, (v->>3)::bigint, v->>4, v->>5, (v->>6)::bigint, \
                    (v->>7)::bigint, v->>8, v->>9, v->>10, v->>11 \
                FROM jsonb_array_elements(?::jsonb) AS e(v) JOIN j ON j.idem_key = v->>0), \
            h AS (\
                INSERT INTO dcms_open_holds (tx_id, customer, expires_at_ns, points) \
                SELECT j.id, (v->>1)::bigint, (v->>2)::bigint, (v->>3)::bigint \
                FROM jsonb_array_elements(?::jsonb) AS e(v) JOIN j ON j.idem_key = v->>0), \
            s AS (\
                DELETE FROM dcms_open_holds WHERE tx_id IN \
                (SELECT (v #>> '{}')::bigint FROM jsonb_array_elements(?::jsonb) AS e(v))), \
            a AS (\
                INSERT INTO dcms_accounts (account) \
                SELECT v FROM jsonb_array_elements_text(?::jsonb) AS e(v) \
                ON CONFLICT (account) DO NOTHING), \
            c AS (\
                UPDATE dcms_customer_balances AS c \
                SET balance = (v->>2)::bigint, held = (v->>3)::bigint \
                FROM jsonb_array_elements(?::jsonb) AS e(v) \
                WHERE c.customer = (v->>0)::bigint AND c.currency = v->>1), \
            n AS (\
                INSERT INTO dcms_customer_balances (customer, currency, account, balance, held) \
                SELECT (v->>0)::bigint, v->>1, v->>2, (v->>3)::bigint, (v->>4)::bigint \
                FROM jsonb_array_elements(?::jsonb) AS e(v)) \
            SELECT idem_key, id FROM j";
        let rows = self
            .engine
            .query(sql)
            .bind(json_rows(&journal)?)
            .bind(json_rows(&postings)?)
            .bind(json_rows(&holds)?)
            .bind(json_rows(&settled)?)
            .bind(json_rows(&accounts)?)
            .bind(json_rows(&stored)?)
            .bind(json_rows(&created)?)
            .fetch_all(&mut *conn)
            .await?;
        // The slot row last, in a statement of its own: a statement's
        // foreign-key checks run after all its parts, and a row locked
        // before them would stay locked through them too. Batches of
        // parallel writers that share a slot row (a hot vendor with one
        // row) then wait on each other only for this and the commit.
        if !deltas.is_empty() {
            let sql = "INSERT INTO dcms_balances (account, slot, balance) \
                SELECT v->>0, ?, (v->>1)::bigint FROM jsonb_array_elements(?::jsonb) AS e(v) \
                ON CONFLICT (account, slot) DO UPDATE SET balance = dcms_balances.balance + excluded.balance";
            self.engine
                .query(sql)
                .bind(self.slot)
                .bind(json_rows(&deltas)?)
                .execute(&mut *conn)
                .await?;
        }
        self.assign_ids(rows)
    }

    /// Gives each new transaction its journal id from `(idem_key, id)` rows.
    fn assign_ids(&mut self, rows: Vec<AnyRow>) -> Step<()> {
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for row in rows {
            ids.insert(row.try_get(0)?, row.try_get(1)?);
        }
        for f in &mut self.fresh {
            let id = ids.get(&f.tx.key).ok_or_else(|| {
                Error::Storage(format!("no id came back for transaction {:?}", f.tx.key))
            })?;
            f.id = Some(*id);
        }
        Ok(())
    }

    /// The journal rows, then their ids. SQLite: the batch holds the only
    /// write lock, so ids are handed out here, after the largest (rows are
    /// never deleted, so none is reused), and no row comes back from the
    /// insert (each returned row is a hand-off between threads in the
    /// driver). MySQL has no `RETURNING`: ids are read back by key.
    async fn insert_journal(&mut self, conn: &mut AnyConnection) -> Step<()> {
        if self.fresh.is_empty() {
            return Ok(());
        }
        let sqlite = self.engine == Engine::Sqlite;
        if sqlite {
            let last: i64 = self
                .engine
                .query("SELECT COALESCE(MAX(id), 0) FROM dcms_journal")
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            for (n, f) in (1..).zip(&mut self.fresh) {
                f.id = Some(last + n);
            }
        }
        let (columns, row) = if sqlite {
            ("id, ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        } else {
            ("", "(?, ?, ?, ?, ?, ?, ?, ?, ?)")
        };
        let params = if sqlite { 10 } else { 9 };
        for chunk in chunks(&self.fresh, params) {
            let sql = format!(
                "INSERT INTO dcms_journal ({columns}idem_key, fingerprint, kind, vendor, closes, expires_at_ns, at_ns, memo, body) VALUES {}",
                values(row, chunk.len())
            );
            let mut insert = self.engine.query(&sql);
            for f in chunk {
                if sqlite {
                    insert = insert.bind(f.id);
                }
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
            insert.execute(&mut *conn).await?;
        }
        if sqlite {
            return Ok(());
        }
        let (list, keys) = in_list(self.fresh.iter().map(|f| f.tx.key.clone()));
        let sql = format!("SELECT idem_key, id FROM dcms_journal WHERE idem_key IN ({list})");
        let rows = keys
            .into_iter()
            .fold(self.engine.query(&sql), |q, k| q.bind(k))
            .fetch_all(&mut *conn)
            .await?;
        self.assign_ids(rows)
    }

    async fn insert_postings(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let mut rows = Vec::new();
        for f in &self.fresh {
            let id =
                f.id.ok_or_else(|| Error::Storage("a new transaction got no id".into()))?;
            let vendor = f.tx.vendor.as_ref().map(ToString::to_string);
            let closes = f.tx.closes.map(codec::tx_key).transpose()?;
            for (leg, p) in f.tx.postings.iter().enumerate() {
                rows.push((id, leg as i64, p, f, vendor.clone(), closes));
            }
        }
        for chunk in chunks(&rows, 12) {
            let sql = format!(
                "INSERT INTO dcms_postings (tx_id, leg, account, points, kind, vendor, at_ns, \
                 closes, memo, store_id, terminal_id, receipt_no) VALUES {}",
                values("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk.len())
            );
            let insert = chunk.iter().fold(self.engine.query(&sql), |q, r| {
                let (tx_id, leg, posting, f, vendor, closes) = r;
                q.bind(*tx_id)
                    .bind(*leg)
                    .bind(posting.account.to_string())
                    .bind(posting.points)
                    .bind(f.tx.kind.as_str())
                    .bind(vendor.clone())
                    .bind(f.at)
                    .bind(*closes)
                    .bind(f.tx.memo.clone())
                    .bind(f.tx.pos.store_id.clone())
                    .bind(f.tx.pos.terminal_id.clone())
                    .bind(f.tx.pos.receipt_no.clone())
            });
            insert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Settled holds leave the open-hold index; new holds with an expiry
    /// join it (one row per customer leg).
    async fn write_holds(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let settled = self.settled_holds();
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
            let (Some(expires), Some(currency)) = (f.expires, f.tx.currency()) else {
                continue;
            };
            let id =
                f.id.ok_or_else(|| Error::Storage("a new transaction got no id".into()))?;
            let amount = f.tx.points_for(&AccountRef::Holds(currency));
            for (c, _) in &f.balances_after {
                rows.push((id, codec::customer_key(*c)?, expires, amount));
            }
        }
        for chunk in chunks(&rows, 4) {
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

    /// The accounts this batch adds to `dcms_accounts`: program and vendor
    /// accounts new in a currency, and the customer accounts of `created`
    /// balance rows.
    fn accounts_to_create<T>(&self, created: &[(i64, &str, String, i64, T)]) -> Vec<String> {
        let mut names: Vec<String> = self.new_accounts.iter().cloned().collect();
        names.extend(created.iter().map(|c| c.2.clone()));
        names
    }

    /// The accounts new in this batch, before the postings that name them
    /// (an account row may already exist: it is then kept).
    async fn insert_accounts(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let mut names: Vec<String> = self.new_accounts.iter().cloned().collect();
        for (&(id, currency), a) in &self.accounts {
            if a.changed && !a.stored {
                names.push(customer_account(id, currency)?);
            }
        }
        for chunk in chunks(&names, 1) {
            let sql = self.engine.insert_ignore(
                "dcms_accounts",
                "account",
                "account",
                &values("(?)", chunk.len()),
            );
            chunk
                .iter()
                .fold(self.engine.query(&sql), |q, a| q.bind(a.clone()))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The customers' new balances and held points, per currency: one
    /// upsert per chunk (the rows were read under the customers' locks, and
    /// on these engines that read saw every committed row).
    async fn write_customers(&mut self, conn: &mut AnyConnection) -> Step<()> {
        if self.engine == Engine::Mysql {
            return self.write_customers_mysql(conn).await;
        }
        let mut changed = Vec::new();
        for (&(id, currency), a) in self.accounts.iter().filter(|(_, a)| a.changed) {
            changed.push((
                id,
                currency,
                customer_account(id, currency)?,
                a.balance,
                a.held,
            ));
        }
        for chunk in chunks(&changed, 5) {
            let sql = self.engine.upsert_customer_balances(chunk.len());
            let upsert = chunk.iter().fold(self.engine.query(&sql), |q, r| {
                q.bind(r.0)
                    .bind(r.1.as_str().to_string())
                    .bind(r.2.clone())
                    .bind(r.3)
                    .bind(r.4)
            });
            upsert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// MySQL: rows that exist are updated (`CASE` per chunk, as one UPDATE
    /// statement per chunk, like the customer rows before currencies), new
    /// ones inserted. InnoDB's `INSERT ... ON DUPLICATE KEY UPDATE` checks
    /// for the duplicate with next-key locks, even at READ COMMITTED, and
    /// made appends several times slower there.
    async fn write_customers_mysql(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let (mut stored, mut created) = (Vec::new(), Vec::new());
        for ((id, currency), a) in self.accounts.iter().filter(|(_, a)| a.changed) {
            let row = (*id, currency.as_str().to_string(), a.balance, a.held);
            if a.stored {
                stored.push(row);
            } else {
                created.push((row, customer_account(*id, *currency)?));
            }
        }
        // `CASE` is a linear search per row, so a statement's cost grows
        // with the square of its rows: keep them short.
        for chunk in chunks_of(&stored, 8, 128) {
            let n = chunk.len();
            let when = vec!["WHEN customer = ? AND currency = ? THEN ?"; n].join(" ");
            let sql = format!(
                "UPDATE dcms_customer_balances SET balance = CASE {when} ELSE balance END, \
                 held = CASE {when} ELSE held END WHERE customer IN ({})",
                vec!["?"; n].join(", ")
            );
            let mut update = self.engine.query(&sql);
            for (id, currency, balance, _) in chunk {
                update = update.bind(*id).bind(currency.clone()).bind(*balance);
            }
            for (id, currency, _, held) in chunk {
                update = update.bind(*id).bind(currency.clone()).bind(*held);
            }
            for (id, ..) in chunk {
                update = update.bind(*id);
            }
            update.execute(&mut *conn).await?;
        }
        for chunk in chunks(&created, 5) {
            let sql = format!(
                "INSERT INTO dcms_customer_balances (customer, currency, account, balance, held) VALUES {}",
                values("(?, ?, ?, ?, ?)", chunk.len())
            );
            let insert = chunk.iter().fold(self.engine.query(&sql), |q, (r, name)| {
                q.bind(r.0)
                    .bind(r.1.clone())
                    .bind(name.clone())
                    .bind(r.2)
                    .bind(r.3)
            });
            insert.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// The other accounts' movements, added onto this batch's slot row, in
    /// account order. Zero sums are written too: an account that moved has
    /// a balance row.
    async fn write_deltas(&mut self, conn: &mut AnyConnection) -> Step<()> {
        let deltas = take_deltas(&mut self.deltas)?;
        for chunk in chunks(&deltas, 3) {
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
                        tx: stored(i)?.into(),
                        replayed: false,
                    }),
                    Outcome::Replay(i) => Ok(Appended {
                        tx: stored(i)?.into(),
                        replayed: true,
                    }),
                })
            })
            .collect()
    }
}
