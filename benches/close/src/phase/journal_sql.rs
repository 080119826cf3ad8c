//! The store's per-account `journal` page in raw SQL: today's three
//! statements (ids, then the journal rows and the postings by padded
//! `IN` lists), and the one-statement page this benchmark proposes. Both
//! fetch and decode the same columns as the store, but neither parses the
//! JSON body nor builds `Transaction`s: the difference between these and
//! the `journal_pages` phase is that Rust-side work.

use std::io::Write;

use futures::TryStreamExt;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::sql_vendors::{self, VendorMonth};
use super::Work;
use crate::args::PhaseArgs;
use crate::db::Engine;
use crate::totals;
use crate::Res;

/// Transactions per page, as the statement asks (`MAX_PAGE`).
const PAGE: usize = dcms_core::store::MAX_PAGE as usize;

const TX_COLUMNS: &str = "id, idem_key, kind, vendor, closes, expires_at_ns, at_ns, memo, body";

/// Reads a journal row's columns as the store's `decode_tx` does (the JSON
/// body stays text); returns the body's length.
fn read_tx(row: &sqlx::any::AnyRow) -> Res<usize> {
    let _id: i64 = row.try_get(0)?;
    let _key: String = row.try_get(1)?;
    let _kind: String = row.try_get(2)?;
    let _vendor: Option<String> = row.try_get(3)?;
    let _closes: Option<i64> = row.try_get(4)?;
    let _expires: Option<i64> = row.try_get(5)?;
    let _at: i64 = row.try_get(6)?;
    let _memo: Option<String> = row.try_get(7)?;
    let body: String = row.try_get(8)?;
    Ok(body.len())
}

/// `?, ?, ...` for `n` values, padded to a power of two like the store's.
fn padded(ids: &[i64]) -> (String, Vec<i64>) {
    let mut values = ids.to_vec();
    if let Some(last) = values.last().copied() {
        values.resize(values.len().next_power_of_two(), last);
    }
    (vec!["?"; values.len()].join(", "), values)
}

/// One page the way the store reads it today; returns (transactions, the
/// last id when another page follows).
async fn page_today(
    conn: &mut AnyConnection,
    e: Engine,
    v: &VendorMonth,
    after: Option<i64>,
) -> Res<(u64, Option<i64>)> {
    let mut sql = String::from(
        "SELECT tx_id FROM dcms_postings WHERE 1 = 1 AND account = ? AND at_ns >= ? AND at_ns < ?",
    );
    if after.is_some() {
        sql.push_str(" AND tx_id > ?");
    }
    sql.push_str(" ORDER BY tx_id ASC LIMIT ?");
    let mut q = sqlx::query(AssertSqlSafe(e.sql(&sql)))
        .bind(v.account.clone())
        .bind(v.from())
        .bind(v.to());
    if let Some(after) = after {
        q = q.bind(after);
    }
    let rows = q.bind(PAGE as i64 + 1).fetch_all(&mut *conn).await?;
    let mut ids = rows
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    let more = ids.len() > PAGE;
    ids.truncate(PAGE);
    if ids.is_empty() {
        return Ok((0, None));
    }
    let (list, values) = padded(&ids);
    let sql = format!("SELECT {TX_COLUMNS} FROM dcms_journal WHERE id IN ({list})");
    let txs = values
        .iter()
        .fold(sqlx::query(AssertSqlSafe(e.sql(&sql))), |q, id| q.bind(*id))
        .fetch_all(&mut *conn)
        .await?;
    for row in &txs {
        read_tx(row)?;
    }
    let sql = format!(
        "SELECT tx_id, account, points FROM dcms_postings WHERE tx_id IN ({list}) ORDER BY tx_id, leg"
    );
    let legs = values
        .iter()
        .fold(sqlx::query(AssertSqlSafe(e.sql(&sql))), |q, id| q.bind(*id))
        .fetch_all(&mut *conn)
        .await?;
    for leg in &legs {
        let _tx: i64 = leg.try_get(0)?;
        let _account: String = leg.try_get(1)?;
        let _points: i64 = leg.try_get(2)?;
    }
    Ok((txs.len() as u64, more.then(|| ids[PAGE - 1])))
}

/// The proposed page: one statement, the page's ids in a derived table
/// (portable: SQLite, PostgreSQL, MySQL), joined to the journal rows and
/// all their legs, streamed in id order. One row per leg.
pub fn proposed_page_sql(e: Engine) -> String {
    e.sql(&format!(
        "SELECT j.{}, l.account, l.points \
         FROM (SELECT tx_id FROM dcms_postings \
               WHERE account = ? AND at_ns >= ? AND at_ns < ? AND tx_id > ? \
               ORDER BY tx_id LIMIT ?) page \
         JOIN dcms_journal j ON j.id = page.tx_id \
         JOIN dcms_postings l ON l.tx_id = j.id \
         ORDER BY j.id, l.leg",
        TX_COLUMNS.replace(", ", ", j.")
    ))
}

async fn page_proposed(
    conn: &mut AnyConnection,
    e: Engine,
    v: &VendorMonth,
    after: Option<i64>,
) -> Res<(u64, Option<i64>)> {
    let sql = proposed_page_sql(e);
    let mut rows = sqlx::query(AssertSqlSafe(sql))
        .bind(v.account.clone())
        .bind(v.from())
        .bind(v.to())
        .bind(after.unwrap_or(0))
        .bind(PAGE as i64 + 1)
        .fetch(&mut *conn);
    let (mut txs, mut last, mut page_end) = (0u64, None::<i64>, None);
    while let Some(row) = rows.try_next().await? {
        let id: i64 = row.try_get(0)?;
        if last != Some(id) {
            if txs as usize == PAGE {
                // The extra transaction only says that another page follows.
                page_end = last;
                break;
            }
            txs += 1;
            last = Some(id);
            read_tx(&row)?;
        }
        let _account: String = row.try_get(9)?;
        let _points: i64 = row.try_get(10)?;
    }
    Ok((txs, page_end))
}

/// Every vendor's month, page by page, with today's statements or the
/// proposed one.
pub async fn run(conn: &mut AnyConnection, p: &PhaseArgs, proposed: bool) -> Res<Work> {
    let vendors = sql_vendors::read(conn, p.month).await?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(p.out.join(totals::LINES_FILE))?);
    let (mut total, mut pages) = (0u64, 0u64);
    for v in &vendors {
        let (mut n, mut after) = (0u64, None);
        loop {
            let (got, next) = if proposed {
                page_proposed(conn, p.engine, v, after).await?
            } else {
                page_today(conn, p.engine, v, after).await?
            };
            pages += 1;
            n += got;
            match next {
                Some(id) => after = Some(id),
                None => break,
            }
        }
        writeln!(out, "{}\t{n}", v.account)?;
        total += n;
    }
    out.flush()?;
    Ok(Work {
        vendors: vendors.len(),
        items: total,
        note: format!(
            "transactions in {pages} pages ({})",
            if proposed {
                "1 statement per page"
            } else {
                "3 statements per page"
            }
        ),
        ..Work::default()
    })
}
