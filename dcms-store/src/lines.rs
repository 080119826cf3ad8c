//! Statement lines: `LedgerStore::account_lines`.
//!
//! A month's lines are the account's postings in the range, which carry
//! every field a line shows (migration `..._posting_lines`), read from the
//! statement index. A task of their own reads and decodes them, a chunk at
//! a time, while the caller renders the chunks before (on a multi-thread
//! runtime the two run on two cores; a month close was otherwise one task
//! doing both in turn).
//!
//! How each engine is read, the cheapest way measured on a month close
//! (benches/README.md):
//! - PostgreSQL: a row per line on sqlx's own PostgreSQL driver. Through
//!   the `Any` driver every value of every row was first copied into an
//!   `AnyValue`, the largest single cost of the close.
//! - SQLite: pages of many lines, each page one row holding a JSON array
//!   built by SQLite. sqlx hands every SQLite row from its worker thread to
//!   the caller through a channel, a thread wake-up each, which cost more
//!   than the read itself.
//! - MySQL: a row per line.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use dcms_core::store::{AccountLine, LineSink, MAX_PAGE};
use dcms_core::{AccountRef, Error, PosRef, Result, TxKind};
use futures::TryStreamExt;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use tokio::sync::mpsc;

use crate::codec;
use crate::engine::Engine;
use crate::error::{corrupt, db};
use crate::store::Inner;

/// Lines per chunk handed to the caller (the most `account_lines` allows).
const CHUNK: usize = MAX_PAGE as usize;

/// Chunks in the channel between the reading task and the caller: the
/// reader runs at most this far ahead, so memory stays a few chunks.
const CHUNKS_AHEAD: usize = 4;

/// SQLite: lines of the first page; each next page is twice the one before,
/// up to [`LAST_PAGE`]. Most accounts have their month in the first page.
/// A page is found by its range and the last line before it (lines are in
/// id order, the index in time order), so each page reads the month's
/// index range again: pages that grow keep that to about 20 reads even for
/// a month of a million lines, while a page never holds more than
/// [`LAST_PAGE`] lines.
const FIRST_PAGE: i64 = 4 * MAX_PAGE as i64;
const LAST_PAGE: i64 = 65_536;

/// A line's columns, in the order every statement here reads them.
const LINE_COLUMNS: &str =
    "tx_id, at_ns, kind, points, closes, memo, store_id, terminal_id, receipt_no";

/// Where the reading task sends its chunks.
struct Out(mpsc::Sender<Result<Vec<AccountLine>>>);

impl Out {
    /// Sends the lines in `chunk` (at most [`CHUNK`], none is fine) and
    /// leaves it empty. False when the caller has stopped listening.
    async fn send(&self, chunk: &mut Vec<AccountLine>) -> bool {
        if chunk.is_empty() {
            return true;
        }
        let full = std::mem::replace(chunk, Vec::with_capacity(CHUNK));
        self.0.send(Ok(full)).await.is_ok()
    }
}

/// One line of a SQLite page as the database wrote it into the JSON array.
#[derive(Deserialize)]
struct PageLine<'a>(
    i64,
    i64,
    #[serde(borrow)] Cow<'a, str>,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl PageLine<'_> {
    fn into_line(self) -> Result<AccountLine> {
        let PageLine(tx, at, kind, points, closes, memo, store_id, terminal_id, receipt_no) = self;
        line(
            tx,
            at,
            &kind,
            points,
            closes,
            memo,
            [store_id, terminal_id, receipt_no],
        )
    }
}

/// A line from its stored columns.
fn line(
    tx: i64,
    at: i64,
    kind: &str,
    points: i64,
    closes: Option<i64>,
    memo: Option<String>,
    [store_id, terminal_id, receipt_no]: [Option<String>; 3],
) -> Result<AccountLine> {
    Ok(AccountLine {
        tx: codec::tx_id(tx)?,
        at: codec::time(at),
        kind: TxKind::parse(kind)?,
        points,
        closes: closes.map(codec::tx_id).transpose()?,
        memo,
        pos: PosRef {
            store_id,
            terminal_id,
            receipt_no,
        },
    })
}

/// A row of [`LINE_COLUMNS`], on any driver.
fn decode_row<'r, R>(row: &'r R) -> Result<AccountLine>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    line(
        row.try_get(0).map_err(db)?,
        row.try_get(1).map_err(db)?,
        row.try_get::<&str, _>(2).map_err(db)?,
        row.try_get(3).map_err(db)?,
        row.try_get(4).map_err(db)?,
        row.try_get(5).map_err(db)?,
        [
            row.try_get(6).map_err(db)?,
            row.try_get(7).map_err(db)?,
            row.try_get(8).map_err(db)?,
        ],
    )
}

/// SQLite, the statement that reads one page: `(number of lines, JSON
/// array)`. SQLite would rather walk the (account, tx_id) index, which gives
/// the order without a sort but has no line fields: a table lookup per line
/// of the account's whole history. The statement index has them all; it
/// is in time order, so `in_id_order` sorts the range (a temporary B-tree
/// in SQLite) before taking the page.
fn page_sql(in_id_order: bool) -> String {
    let order = if in_id_order { " ORDER BY tx_id" } else { "" };
    format!(
        "SELECT count(*), json_group_array(json_array({LINE_COLUMNS})) FROM (\
         SELECT {LINE_COLUMNS} FROM dcms_postings INDEXED BY dcms_postings_account_lines \
         WHERE account = ? AND at_ns >= ? AND at_ns < ? AND tx_id > ?{order} LIMIT ?) AS page"
    )
}

/// The statement that reads every line as a row, `?` placeholders.
fn rows_sql() -> String {
    format!(
        "SELECT {LINE_COLUMNS} FROM dcms_postings \
         WHERE account = ? AND at_ns >= ? AND at_ns < ? ORDER BY tx_id"
    )
}

/// Sends the rows of `rows` as lines, in chunks.
async fn send_rows<'r, R, S>(mut rows: S, out: &Out) -> Result<()>
where
    S: futures::Stream<Item = std::result::Result<R, sqlx::Error>> + Unpin,
    R: Row + 'r,
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let mut chunk = Vec::with_capacity(CHUNK);
    while let Some(row) = rows.try_next().await.map_err(db)? {
        chunk.push(decode_row(&row)?);
        if chunk.len() == CHUNK && !out.send(&mut chunk).await {
            return Ok(());
        }
    }
    out.send(&mut chunk).await;
    Ok(())
}

impl Inner {
    /// Every line of `account` in `[from, to)`, oldest (lowest id) first,
    /// to `sink` in chunks of at most [`MAX_PAGE`]. The lines are read by a
    /// task of their own (see the module's documentation).
    pub(crate) async fn account_lines(
        self: &Arc<Self>,
        account: &AccountRef,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: &mut LineSink<'_>,
    ) -> Result<u64> {
        let (from, to) = (codec::nanos(from)?, codec::nanos(to)?);
        if from >= to {
            return Ok(0);
        }
        let (tx, mut rx) = mpsc::channel(CHUNKS_AHEAD);
        let inner = self.clone();
        let account = account.to_string();
        let reader = tokio::spawn(async move {
            let out = Out(tx);
            if let Err(e) = inner.read_lines(&account, from, to, &out).await {
                // Nobody to tell if the caller has stopped listening.
                let _ = out.0.send(Err(e)).await;
            }
        });
        let mut total = 0u64;
        while let Some(chunk) = rx.recv().await {
            let chunk = chunk?;
            total += chunk.len() as u64;
            sink(&chunk)?;
        }
        // The channel also closes when the reading task panicked or was
        // cancelled: lines would be missing, so that is an error too.
        reader
            .await
            .map_err(|e| Error::Storage(format!("reading statement lines failed: {e}")))?;
        Ok(total)
    }

    /// The lines, in chunks, to `out`.
    async fn read_lines(&self, account: &str, from: i64, to: i64, out: &Out) -> Result<()> {
        #[cfg(feature = "postgres")]
        if let Some(pool) = &self.pg_lines {
            let sql = self.engine.sql(&rows_sql()).into_owned();
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(account)
                .bind(from)
                .bind(to)
                .fetch(pool);
            return send_rows(rows, out).await;
        }
        if self.engine == Engine::Sqlite {
            return self.lines_in_pages(account, from, to, out).await;
        }
        let mut conn = self.reader().await?;
        let rows = self
            .engine
            .query(&rows_sql())
            .bind(account.to_string())
            .bind(from)
            .bind(to)
            .fetch(&mut *conn);
        send_rows::<AnyRow, _>(rows, out).await
    }

    /// SQLite: pages of lines, each one row of JSON.
    ///
    /// The first read takes the range in the index's (time) order, without
    /// a sort in SQLite: when it holds the whole range (most months of most
    /// accounts), it is sorted here and that is all. Otherwise the range is
    /// read again in id order, a page at a time.
    async fn lines_in_pages(&self, account: &str, from: i64, to: i64, out: &Out) -> Result<()> {
        let (whole, in_id_order) = (page_sql(false), page_sql(true));
        let mut conn = self.reader().await?;
        let mut after = i64::MIN;
        let mut size = FIRST_PAGE;
        let mut first = true;
        loop {
            let sql = if first { &whole } else { &in_id_order };
            let row = self
                .engine
                .query(sql)
                .bind(account.to_string())
                .bind(from)
                .bind(to)
                .bind(after)
                .bind(size)
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
            let count: i64 = row.try_get(0).map_err(db)?;
            let json: &str = row.try_get(1).map_err(db)?;
            let mut page: Vec<PageLine<'_>> =
                serde_json::from_str(json).map_err(|e| corrupt("statement lines", e))?;
            if i64::try_from(page.len()).ok() != Some(count) {
                return Err(corrupt(
                    "statement lines",
                    format!("{count} lines counted, {} in the page", page.len()),
                ));
            }
            if first && count == size {
                // More than one page: read again in id order.
                first = false;
                size = (size * 2).min(LAST_PAGE);
                continue;
            }
            // The first read is in time order. Later pages are selected in
            // id order and SQLite aggregates an ordered subquery in its
            // order, but SQL does not promise it (an ORDER BY inside the
            // aggregate would sort every page a second time): checked here,
            // sorted if ever needed.
            if page.windows(2).any(|w| w[0].0 > w[1].0) {
                page.sort_unstable_by_key(|l| l.0);
            }
            let next = match page.last() {
                Some(last) if count == size && !first => Some(last.0),
                _ => None,
            };
            let mut chunk = Vec::with_capacity(CHUNK);
            for line in page {
                chunk.push(line.into_line()?);
                if chunk.len() == CHUNK && !out.send(&mut chunk).await {
                    return Ok(());
                }
            }
            if !out.send(&mut chunk).await {
                return Ok(());
            }
            match next {
                Some(last) => {
                    after = last;
                    size = (size * 2).min(LAST_PAGE);
                }
                None => return Ok(()),
            }
        }
    }
}
