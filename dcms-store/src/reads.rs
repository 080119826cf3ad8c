//! Reads: transactions, the journal, balances, open holds, dormant
//! balances, activity.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{DateTime, Utc};
use dcms_core::store::{
    check_boundaries, check_limit, Activity, Balance, Balances, Cursor, DormantBalance,
    JournalQuery, KindTotal, Order, Page,
};
use dcms_core::transaction::ALL_KINDS;
use dcms_core::{
    AccountRef, CurrencyCode, CustomerId, Error, Posting, Result, Transaction, TxId, TxKind,
    VendorId,
};
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::AnyConnection;
use sqlx::{Any, Row};

use crate::codec::{self, Body};
use crate::engine::{in_list, Engine};
use crate::error::{corrupt, db};
use crate::store::Inner;

/// Columns of a journal row, in the order [`decode_tx`] reads them.
const TX_COLUMNS: &str = "id, idem_key, kind, vendor, closes, expires_at_ns, at_ns, memo, body";

/// Loads whole transactions by id, in the order given (missing ids are
/// left out).
pub(crate) async fn load_txs(
    engine: Engine,
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<Transaction>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (list, padded) = in_list(ids.iter().copied());
    let sql = format!("SELECT {TX_COLUMNS} FROM dcms_journal WHERE id IN ({list})");
    let rows = padded
        .iter()
        .fold(engine.query(&sql), |q, id| q.bind(*id))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let sql = format!(
        "SELECT tx_id, account, points FROM dcms_postings WHERE tx_id IN ({list}) ORDER BY tx_id, leg"
    );
    let legs = padded
        .iter()
        .fold(engine.query(&sql), |q, id| q.bind(*id))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut postings: HashMap<i64, Vec<Posting>> = HashMap::new();
    for leg in &legs {
        let tx: i64 = leg.try_get(0).map_err(db)?;
        let account: String = leg.try_get(1).map_err(db)?;
        postings.entry(tx).or_default().push(Posting {
            account: codec::account(&account)?,
            points: leg.try_get(2).map_err(db)?,
        });
    }
    let mut by_id = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get(0).map_err(db)?;
        let tx = decode_tx(row, postings.remove(&id).unwrap_or_default())?;
        by_id.insert(id, tx);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One transaction by id.
pub(crate) async fn load_tx(
    engine: Engine,
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Transaction>> {
    Ok(load_txs(engine, conn, &[id]).await?.pop())
}

fn decode_tx(row: &AnyRow, postings: Vec<Posting>) -> Result<Transaction> {
    let kind: String = row.try_get(2).map_err(db)?;
    let vendor: Option<String> = row.try_get(3).map_err(db)?;
    let closes: Option<i64> = row.try_get(4).map_err(db)?;
    let expires: Option<i64> = row.try_get(5).map_err(db)?;
    let body: String = row.try_get(8).map_err(db)?;
    let body = Body::decode(&body)?;
    Ok(Transaction {
        id: codec::tx_id(row.try_get(0).map_err(db)?)?,
        key: row.try_get(1).map_err(db)?,
        kind: TxKind::parse(&kind)?,
        postings,
        balances_after: body.balances_after,
        vendor: vendor
            .map(VendorId::new)
            .transpose()
            .map_err(|e| corrupt("vendor id", e))?,
        pos: body.pos,
        cash: body.cash,
        closes: closes.map(codec::tx_id).transpose()?,
        expires_at: expires.map(codec::time),
        memo: row.try_get(7).map_err(db)?,
        at: codec::time(row.try_get(6).map_err(db)?),
    })
}

/// A value bound to a statement built at run time.
enum Bind {
    Int(i64),
    Text(String),
}

impl Inner {
    /// A connection for reading.
    pub(crate) async fn reader(&self) -> Result<PoolConnection<Any>> {
        self.read_pool.acquire().await.map_err(db)
    }

    pub(crate) async fn transaction(&self, id: TxId) -> Result<Option<Transaction>> {
        let Ok(id) = codec::tx_key(id) else {
            return Ok(None);
        };
        load_tx(self.engine, &mut *self.reader().await?, id).await
    }

    pub(crate) async fn closed_by(&self, id: TxId) -> Result<Option<TxId>> {
        let Ok(id) = codec::tx_key(id) else {
            return Ok(None);
        };
        let row = self
            .engine
            .query("SELECT id FROM dcms_journal WHERE closes = ?")
            .bind(id)
            .fetch_optional(&self.read_pool)
            .await
            .map_err(db)?;
        row.map(|r| r.try_get::<i64, _>(0).map_err(db).and_then(codec::tx_id))
            .transpose()
    }

    pub(crate) async fn transaction_by_key(&self, key: &str) -> Result<Option<Transaction>> {
        let mut conn = self.reader().await?;
        let row = self
            .engine
            .query("SELECT id FROM dcms_journal WHERE idem_key = ?")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        match row {
            Some(row) => load_tx(self.engine, &mut conn, row.try_get(0).map_err(db)?).await,
            None => Ok(None),
        }
    }

    pub(crate) async fn journal(&self, q: &JournalQuery) -> Result<Page<Transaction>> {
        let limit = check_limit(q.limit)?;
        let after = q
            .after
            .as_ref()
            .map(|c| {
                c.tx_id().and_then(|id| {
                    i64::try_from(id.0).map_err(|_| Error::InvalidCursor(c.0.clone()))
                })
            })
            .transpose()?;
        // Per-account listings read the postings, which carry each
        // transaction's time, so neither needs a join.
        let (table, id_col) = match q.account {
            Some(_) => ("dcms_postings", "tx_id"),
            None => ("dcms_journal", "id"),
        };
        let mut sql = format!("SELECT {id_col} FROM {table} WHERE 1 = 1");
        let mut binds = Vec::new();
        if let Some(account) = &q.account {
            sql.push_str(" AND account = ?");
            binds.push(Bind::Text(account.to_string()));
        }
        if let Some(from) = q.from {
            sql.push_str(" AND at_ns >= ?");
            binds.push(Bind::Int(codec::nanos(from)?));
        }
        if let Some(to) = q.to {
            sql.push_str(" AND at_ns < ?");
            binds.push(Bind::Int(codec::nanos(to)?));
        }
        let (after_op, direction) = match q.order {
            Order::OldestFirst => (">", "ASC"),
            Order::NewestFirst => ("<", "DESC"),
        };
        if let Some(after) = after {
            sql.push_str(&format!(" AND {id_col} {after_op} ?"));
            binds.push(Bind::Int(after));
        }
        // One row more than asked tells whether another page follows.
        sql.push_str(&format!(" ORDER BY {id_col} {direction} LIMIT ?"));
        binds.push(Bind::Int(limit as i64 + 1));
        let query = binds
            .into_iter()
            .fold(self.engine.query(&sql), |q, b| match b {
                Bind::Int(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            });
        let mut conn = self.reader().await?;
        let rows = query.fetch_all(&mut *conn).await.map_err(db)?;
        let mut ids = rows
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(db)?;
        let more = ids.len() > limit;
        ids.truncate(limit);
        let items = load_txs(self.engine, &mut conn, &ids).await?;
        let next = if more {
            items.last().map(|t| Cursor::after(t.id))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    pub(crate) async fn balance(&self, id: CustomerId) -> Result<Balances> {
        let rows = self
            .engine
            .query(
                "SELECT b.currency, b.balance, b.held FROM dcms_customers c \
                 LEFT JOIN dcms_customer_balances b ON b.customer = c.id WHERE c.id = ?",
            )
            .bind(codec::customer_key(id)?)
            .fetch_all(&self.read_pool)
            .await
            .map_err(db)?;
        if rows.is_empty() {
            return Err(Error::UnknownAccount(id));
        }
        let mut out = Balances::default();
        for row in &rows {
            let Some(currency) = row.try_get::<Option<String>, _>(0).map_err(db)? else {
                continue;
            };
            let balance = Balance {
                available: row.try_get(1).map_err(db)?,
                held: row.try_get(2).map_err(db)?,
            };
            out.0.insert(codec::currency(&currency)?, balance);
        }
        Ok(out)
    }

    pub(crate) async fn account_balance(&self, account: &AccountRef) -> Result<i64> {
        let row = match account {
            AccountRef::Customer(id, currency) => self
                .engine
                .query(
                    "SELECT balance FROM dcms_customer_balances WHERE customer = ? AND currency = ?",
                )
                .bind(codec::customer_key(*id)?)
                .bind(currency.as_str().to_string())
                .fetch_optional(&self.read_pool)
                .await
                .map_err(db)?,
            other => {
                let sql = format!(
                    "SELECT {} FROM dcms_balances WHERE account = ?",
                    self.engine.sum("balance")
                );
                self.engine
                    .query(&sql)
                    .bind(other.to_string())
                    .fetch_optional(&self.read_pool)
                    .await
                    .map_err(db)?
            }
        };
        row.map(|r| r.try_get::<i64, _>(0).map_err(db))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Every account that has moved: customers' per currency, then the
    /// others (summed over their slot rows).
    pub(crate) async fn all_balances(&self) -> Result<Vec<(AccountRef, i64)>> {
        let mut conn = self.reader().await?;
        let customers = self
            .engine
            .query("SELECT customer, currency, balance FROM dcms_customer_balances")
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        let sql = format!(
            "SELECT account, {} FROM dcms_balances GROUP BY account",
            self.engine.sum("balance")
        );
        let others = self
            .engine
            .query(&sql)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        let mut all = Vec::with_capacity(customers.len() + others.len());
        for row in &customers {
            let id = codec::customer_id(row.try_get(0).map_err(db)?)?;
            let currency = codec::currency(&row.try_get::<String, _>(1).map_err(db)?)?;
            all.push((
                AccountRef::Customer(id, currency),
                row.try_get(2).map_err(db)?,
            ));
        }
        for row in &others {
            let account: String = row.try_get(0).map_err(db)?;
            all.push((codec::account(&account)?, row.try_get(1).map_err(db)?));
        }
        all.sort();
        Ok(all)
    }

    pub(crate) async fn expired_holds(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Transaction>> {
        let limit = check_limit(limit)?;
        let mut conn = self.reader().await?;
        let rows = self
            .engine
            .query("SELECT DISTINCT tx_id FROM dcms_open_holds WHERE expires_at_ns <= ? ORDER BY tx_id LIMIT ?")
            .bind(codec::nanos(now)?)
            .bind(limit as i64)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        load_txs(self.engine, &mut conn, &first_column(&rows)?).await
    }

    /// One customer's open holds that have expired, oldest first.
    pub(crate) async fn expired_holds_of(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transaction>> {
        let mut conn = self.reader().await?;
        let rows = self
            .engine
            .query(
                "SELECT tx_id FROM dcms_open_holds WHERE customer = ? AND expires_at_ns <= ? \
                 ORDER BY tx_id",
            )
            .bind(codec::customer_key(customer)?)
            .bind(codec::nanos(now)?)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        load_txs(self.engine, &mut conn, &first_column(&rows)?).await
    }

    /// Customer accounts with points and no posting since `inactive_since`,
    /// by customer and currency after `after`. Each balance row with points
    /// is visited in key order and its last posting found in the
    /// statement index (a few index pages per row): a job for a nightly
    /// run, not for the hot path.
    pub(crate) async fn dormant_balances(
        &self,
        inactive_since: DateTime<Utc>,
        after: Option<(CustomerId, CurrencyCode)>,
        limit: u32,
    ) -> Result<Vec<DormantBalance>> {
        let limit = check_limit(limit)?;
        // Customer ids are positive: -1 starts before the first.
        let (after_id, after_currency) = match after {
            Some((c, cur)) => (codec::customer_key(c)?, cur.as_str().to_string()),
            None => (-1, String::new()),
        };
        let sql = "SELECT customer, currency, balance, last_ns FROM (\
                SELECT b.customer, b.currency, b.balance, \
                    (SELECT MAX(p.at_ns) FROM dcms_postings p WHERE p.account = b.account) AS last_ns \
                FROM dcms_customer_balances b \
                WHERE b.balance > 0 AND (b.customer > ? OR (b.customer = ? AND b.currency > ?))) d \
            WHERE last_ns < ? ORDER BY customer, currency LIMIT ?";
        let rows = self
            .engine
            .query(sql)
            .bind(after_id)
            .bind(after_id)
            .bind(after_currency)
            .bind(codec::nanos(inactive_since)?)
            .bind(limit as i64)
            .fetch_all(&mut *self.reader().await?)
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(DormantBalance {
                customer: codec::customer_id(row.try_get(0).map_err(db)?)?,
                currency: codec::currency(&row.try_get::<String, _>(1).map_err(db)?)?,
                available: row.try_get(2).map_err(db)?,
                last_activity: codec::time(row.try_get(3).map_err(db)?),
            });
        }
        Ok(out)
    }

    /// One statement per call: each posting of the account before the last
    /// boundary falls into a CASE bucket (-1: before the first boundary,
    /// summed into the opening balance; `i`: between boundaries `i` and
    /// `i + 1`), grouped by bucket and kind. The statement text depends only
    /// on the number of boundaries, so it stays in the prepared-statement
    /// cache; with the covering index of the `statement_index` migration it
    /// never reads the table.
    pub(crate) async fn activity(
        &self,
        account: &AccountRef,
        boundaries: &[DateTime<Utc>],
    ) -> Result<Activity> {
        check_boundaries(boundaries)?;
        let bounds = boundaries
            .iter()
            .map(|b| codec::nanos(*b))
            .collect::<Result<Vec<_>>>()?;
        let days = bounds.len() - 1;
        let mut case = String::with_capacity(32 + 24 * days);
        case.push_str("CASE WHEN at_ns < ? THEN -1");
        for i in 0..days {
            let _ = write!(case, " WHEN at_ns < ? THEN {i}");
        }
        case.push_str(" END");
        let int = match self.engine {
            Engine::Mysql => "SIGNED",
            Engine::Sqlite | Engine::Postgres => "BIGINT",
        };
        let sql = format!(
            "SELECT CAST({case} AS {int}), kind, COUNT(*), {} FROM dcms_postings \
             WHERE account = ? AND at_ns < ? GROUP BY 1, 2",
            self.engine.sum("points")
        );
        let last = bounds[days];
        let query = bounds[1..]
            .iter()
            .fold(self.engine.query(&sql).bind(bounds[0]), |q, b| q.bind(*b))
            .bind(account.to_string())
            .bind(last);
        let rows = query
            .fetch_all(&mut *self.reader().await?)
            .await
            .map_err(db)?;
        let mut opening = 0i64;
        let mut buckets: Vec<Vec<KindTotal>> = vec![Vec::new(); days];
        for row in &rows {
            let bucket: i64 = row.try_get(0).map_err(db)?;
            let kind: &str = row.try_get(1).map_err(db)?;
            let count: i64 = row.try_get(2).map_err(db)?;
            let points: i64 = row.try_get(3).map_err(db)?;
            if bucket < 0 {
                opening += points;
                continue;
            }
            let slot = usize::try_from(bucket)
                .ok()
                .and_then(|b| buckets.get_mut(b))
                .ok_or_else(|| corrupt("activity bucket", bucket))?;
            slot.push(KindTotal {
                kind: TxKind::parse(kind)?,
                count: u64::try_from(count).map_err(|e| corrupt("count", e))?,
                points,
            });
        }
        for totals in &mut buckets {
            totals.sort_by_key(|t| ALL_KINDS.iter().position(|k| *k == t.kind));
        }
        Ok(Activity { opening, buckets })
    }
}

/// The transaction ids in the first column of `rows`.
fn first_column(rows: &[sqlx::any::AnyRow]) -> Result<Vec<i64>> {
    rows.iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)
}
