//! Phases in plain SQL, issued with sqlx on one connection to the same
//! database: the baselines the ledger phases are compared with, and the
//! prototype of the query this benchmark recommends for the store.

use std::io::Write;
use std::time::Instant;

use futures::TryStreamExt;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

use super::sql_vendors::{self, VendorMonth};
use super::{since, Phase, Work};
use crate::args::PhaseArgs;
use crate::db::{install_drivers, Engine};
use crate::totals::{self, Writer};
use crate::Res;

/// Rows per multi-row INSERT into the temporary tables.
const INSERT_ROWS: usize = 200;

pub async fn run(p: &PhaseArgs, url: &str) -> Res<(f64, Work)> {
    install_drivers();
    let mut conn = AnyConnection::connect(url).await?;
    let started = Instant::now();
    let work = match p.phase {
        Phase::BaselineSql => Work {
            vendors: sql_vendors::read(&mut conn, p.month).await?.len(),
            ..Work::default()
        },
        Phase::PlainGroupBy => plain_group_by(&mut conn, p).await?,
        Phase::PlainLines => plain_lines(&mut conn, p).await?,
        Phase::ProposedActivity => proposed_activity(&mut conn, p).await?,
        Phase::JournalSqlToday => super::journal_sql::run(&mut conn, p, false).await?,
        Phase::JournalSqlProposed => super::journal_sql::run(&mut conn, p, true).await?,
        other => return Err(format!("{} is not a SQL phase", other.name()).into()),
    };
    let secs = since(started);
    let server_cpu = match p.engine {
        Engine::Postgres => crate::procfs::postgres_backends_cpu(url).await?,
        Engine::Sqlite => None,
    };
    conn.close().await?;
    Ok((secs, Work { server_cpu, ..work }))
}

/// Set (to anything) to print the plans of the plain GROUP BY to stderr.
pub const EXPLAIN_VAR: &str = "DCMS_BENCH_CLOSE_EXPLAIN";

async fn explain(conn: &mut AnyConnection, e: Engine, sql: &str) -> Res<()> {
    let (prefix, column) = match e {
        Engine::Sqlite => ("EXPLAIN QUERY PLAN ", 3),
        Engine::Postgres => ("EXPLAIN ", 0),
    };
    let rows = sqlx::query(AssertSqlSafe(format!("{prefix}{sql}")))
        .fetch_all(&mut *conn)
        .await?;
    eprintln!("plan of: {sql}");
    for row in &rows {
        eprintln!("  {}", row.try_get::<String, _>(column)?);
    }
    Ok(())
}

async fn exec(conn: &mut AnyConnection, sql: &str) -> Res<()> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// (c) The month's totals of every vendor in two GROUP BY queries: per
/// vendor, local day and kind (the days' UTC bounds come from a temporary
/// table, as the vendor's zone gives them), and the opening balances.
/// Timed: reading the vendors, filling the temporary tables, the queries.
async fn plain_group_by(conn: &mut AnyConnection, p: &PhaseArgs) -> Res<Work> {
    let e = p.engine;
    let vendors = sql_vendors::read(conn, p.month).await?;
    exec(
        conn,
        "CREATE TEMPORARY TABLE bench_days (account TEXT NOT NULL, day TEXT NOT NULL, lo BIGINT NOT NULL, hi BIGINT NOT NULL)",
    )
    .await?;
    exec(
        conn,
        "CREATE TEMPORARY TABLE bench_months (account TEXT NOT NULL, lo BIGINT NOT NULL)",
    )
    .await?;
    let days: Vec<(&str, String, i64, i64)> = vendors
        .iter()
        .flat_map(|v| {
            v.days
                .iter()
                .map(|d| (v.account.as_str(), d.date.to_string(), d.lo, d.hi))
        })
        .collect();
    exec(conn, "BEGIN").await?;
    for chunk in days.chunks(INSERT_ROWS) {
        let sql = format!(
            "INSERT INTO bench_days (account, day, lo, hi) VALUES {}",
            vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let sql = e.sql(&sql);
        let q = chunk
            .iter()
            .fold(sqlx::query(AssertSqlSafe(sql)), |q, (a, d, lo, hi)| {
                q.bind(a.to_string()).bind(d.clone()).bind(*lo).bind(*hi)
            });
        q.execute(&mut *conn).await?;
    }
    for chunk in vendors.chunks(INSERT_ROWS) {
        let sql = format!(
            "INSERT INTO bench_months (account, lo) VALUES {}",
            vec!["(?, ?)"; chunk.len()].join(", ")
        );
        let q = chunk
            .iter()
            .fold(sqlx::query(AssertSqlSafe(e.sql(&sql))), |q, v| {
                q.bind(v.account.clone()).bind(v.from())
            });
        q.execute(&mut *conn).await?;
    }
    exec(conn, "COMMIT").await?;
    if e == Engine::Postgres {
        // Temporary tables are never analysed automatically.
        exec(conn, "ANALYZE bench_days; ANALYZE bench_months").await?;
    }
    let days_sql = format!(
        "SELECT d.account, d.day, p.kind, COUNT(*), {} \
         FROM bench_days d JOIN dcms_postings p \
           ON p.account = d.account AND p.at_ns >= d.lo AND p.at_ns < d.hi \
         GROUP BY d.account, d.day, p.kind",
        e.sum("p.points")
    );
    let openings_sql = format!(
        "SELECT m.account, {} FROM bench_months m JOIN dcms_postings p \
           ON p.account = m.account AND p.at_ns < m.lo \
         GROUP BY m.account",
        e.sum("p.points")
    );
    if std::env::var_os(EXPLAIN_VAR).is_some() {
        explain(conn, e, &days_sql).await?;
        explain(conn, e, &openings_sql).await?;
    }
    let query_started = Instant::now();
    let rows = sqlx::query(AssertSqlSafe(days_sql))
        .fetch_all(&mut *conn)
        .await?;
    let openings = sqlx::query(AssertSqlSafe(openings_sql))
        .fetch_all(&mut *conn)
        .await?;
    let query_secs = since(query_started);

    let mut out = Writer::create(&p.out, totals::TOTALS_FILE)?;
    let mut opening: std::collections::BTreeMap<String, i64> =
        vendors.iter().map(|v| (v.account.clone(), 0)).collect();
    for row in &openings {
        opening.insert(row.try_get(0)?, row.try_get::<i64, _>(1)?);
    }
    for (account, points) in &opening {
        out.line(account, "opening", "-", 0, -points)?;
    }
    for row in &rows {
        let account: String = row.try_get(0)?;
        let day: String = row.try_get(1)?;
        let kind: String = row.try_get(2)?;
        let count: i64 = row.try_get(3)?;
        let points: i64 = row.try_get(4)?;
        out.line(&account, &day, &kind, u64::try_from(count)?, -points)?;
    }
    out.finish()?;
    Ok(Work {
        vendors: vendors.len(),
        items: rows.len() as u64,
        query_secs: Some(query_secs),
        server_cpu: None,
        note: "result rows (vendor, day, kind)".into(),
    })
}

/// (d) Every statement line in plain SQL: per vendor, its postings in the
/// month joined to their journal rows, streamed and decoded (the JSON body
/// is read as text, not parsed). The floor under reading lines.
async fn plain_lines(conn: &mut AnyConnection, p: &PhaseArgs) -> Res<Work> {
    let vendors = sql_vendors::read(conn, p.month).await?;
    let sql = p.engine.sql(
        "SELECT j.id, j.at_ns, j.kind, j.closes, j.memo, j.body, p.points \
         FROM dcms_postings p JOIN dcms_journal j ON j.id = p.tx_id \
         WHERE p.account = ? AND p.at_ns >= ? AND p.at_ns < ? ORDER BY p.tx_id",
    );
    let mut out = std::io::BufWriter::new(std::fs::File::create(p.out.join(totals::LINES_FILE))?);
    let (mut lines, mut bytes) = (0u64, 0u64);
    for v in &vendors {
        let mut rows = sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(v.account.clone())
            .bind(v.from())
            .bind(v.to())
            .fetch(&mut *conn);
        let mut n = 0u64;
        while let Some(row) = rows.try_next().await? {
            let _id: i64 = row.try_get(0)?;
            let _at: i64 = row.try_get(1)?;
            let kind: String = row.try_get(2)?;
            let _closes: Option<i64> = row.try_get(3)?;
            let memo: Option<String> = row.try_get(4)?;
            let body: String = row.try_get(5)?;
            let _points: i64 = row.try_get(6)?;
            bytes += (kind.len() + body.len() + memo.map_or(0, |m| m.len())) as u64;
            n += 1;
        }
        writeln!(out, "{}\t{n}", v.account)?;
        lines += n;
    }
    out.flush()?;
    Ok(Work {
        vendors: vendors.len(),
        items: lines,
        query_secs: None,
        server_cpu: None,
        note: format!("lines read, {:.1} MiB of text", bytes as f64 / 1048576.0),
    })
}

/// The `activity` query this benchmark proposes for the store: one
/// statement per vendor instead of one per day plus one for the opening.
/// The bucket of each posting is a CASE over the day boundaries (bucket -1
/// is everything before the month: the opening balance); portable to
/// SQLite, PostgreSQL and MySQL.
pub fn activity_sql(e: Engine, days: usize) -> String {
    let mut case = String::from("CASE WHEN at_ns < ? THEN -1");
    for i in 0..days {
        case.push_str(&format!(" WHEN at_ns < ? THEN {i}"));
    }
    case.push_str(" END");
    e.sql(&format!(
        "SELECT CAST({case} AS BIGINT) AS bucket, kind, COUNT(*), {} \
         FROM dcms_postings WHERE account = ? AND at_ns < ? GROUP BY 1, 2",
        e.sum("points")
    ))
}

/// (e) The proposed `activity` query, for every vendor, with the same
/// totals as (b) and (c).
async fn proposed_activity(conn: &mut AnyConnection, p: &PhaseArgs) -> Res<Work> {
    let vendors = sql_vendors::read(conn, p.month).await?;
    let mut out = Writer::create(&p.out, totals::TOTALS_FILE)?;
    let mut rows_seen = 0u64;
    for v in &vendors {
        let sql = activity_sql(p.engine, v.days.len());
        let q = sqlx::query(AssertSqlSafe(sql)).bind(v.from());
        let q = v.days.iter().fold(q, |q, d| q.bind(d.hi));
        let rows = q
            .bind(v.account.clone())
            .bind(v.to())
            .fetch_all(&mut *conn)
            .await?;
        rows_seen += rows.len() as u64;
        write_buckets(&mut out, v, &rows)?;
    }
    out.finish()?;
    Ok(Work {
        vendors: vendors.len(),
        items: rows_seen,
        query_secs: None,
        server_cpu: None,
        note: "result rows (bucket, kind)".into(),
    })
}

fn write_buckets(out: &mut Writer, v: &VendorMonth, rows: &[sqlx::any::AnyRow]) -> Res<()> {
    let mut opening = 0i64;
    for row in rows {
        let bucket: i64 = row.try_get(0)?;
        let kind: String = row.try_get(1)?;
        let count: i64 = row.try_get(2)?;
        let points: i64 = row.try_get(3)?;
        if bucket < 0 {
            opening += points;
            continue;
        }
        let day = v
            .days
            .get(usize::try_from(bucket)?)
            .ok_or_else(|| format!("bucket {bucket} out of range"))?;
        out.line(
            &v.account,
            &day.date.to_string(),
            &kind,
            u64::try_from(count)?,
            -points,
        )?;
    }
    out.line(&v.account, "opening", "-", 0, -opening)
}
