//! Rewrites a ledger written before accounts had a currency, following a
//! [`Plan`]: every posting's account gets its transaction's currency, the
//! program's and vendors' balances are summed again per currency, and each
//! customer's balance and held points move into one row per currency.
//!
//! Postings are append-only, so their trigger is lifted for the rewrite,
//! as migration 000004 did for its backfill. On SQLite and PostgreSQL the
//! whole rewrite, trigger included, is one transaction. On MySQL a trigger
//! cannot be dropped or created inside a transaction (DDL commits), so it
//! is dropped before and created again after the transaction that
//! rewrites the rows; the marker row then reads `converted` until the
//! trigger is back, and an open that finds it so creates it.

use std::collections::BTreeMap;

use dcms_core::{AccountRef, CurrencyCode, Error, Result};
use sqlx::{AnyConnection, AnyPool, Row};

use super::plan::Plan;
use super::MARKER;
use crate::engine::{in_list, marks, Engine};
use crate::error::db;

/// The rows a ledger starts with that have no currency.
const OLD_PROGRAM: [&str; 3] = ["program:holds", "program:breakage", "program:adjustments"];

/// MySQL's append-only trigger on postings, as migration 000001 made it.
const MYSQL_TRIGGER: &str = "CREATE TRIGGER IF NOT EXISTS dcms_postings_no_update \
    BEFORE UPDATE ON dcms_postings FOR EACH ROW \
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dcms: postings are append-only'";

/// Runs the conversion when the marker asks for it.
pub(super) async fn run(engine: Engine, pool: &AnyPool) -> Result<()> {
    let state = marker(engine, pool).await?;
    match state.as_deref() {
        Some("pending") => {}
        Some("converted") if engine == Engine::Mysql => return finish_mysql(pool).await,
        _ => return Ok(()),
    }
    if engine == Engine::Mysql {
        sqlx::raw_sql("DROP TRIGGER IF EXISTS dcms_postings_no_update")
            .execute(pool)
            .await
            .map_err(db)?;
    }
    let mut tx = pool.begin_with(engine.begin_write()).await.map_err(db)?;
    // Claims the work: a concurrent opener waits here, then finds it done.
    let claimed = engine
        .query("UPDATE dcms_meta SET meta_value = 'converting' WHERE meta_key = ? AND meta_value = 'pending'")
        .bind(MARKER)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
    if claimed == 1 {
        let plan = Plan::read(engine, &mut tx).await?;
        lift_trigger(engine, &mut tx, false).await?;
        rewrite(engine, &mut tx, &plan).await?;
        lift_trigger(engine, &mut tx, true).await?;
        let done = if engine == Engine::Mysql {
            "converted"
        } else {
            "done"
        };
        set_marker(engine, &mut tx, done).await?;
    }
    tx.commit().await.map_err(db)?;
    if engine == Engine::Mysql {
        finish_mysql(pool).await?;
    }
    Ok(())
}

async fn marker(engine: Engine, pool: &AnyPool) -> Result<Option<String>> {
    let row = engine
        .query("SELECT meta_value FROM dcms_meta WHERE meta_key = ?")
        .bind(MARKER)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    row.map(|r| r.try_get(0).map_err(db)).transpose()
}

async fn set_marker(engine: Engine, conn: &mut AnyConnection, value: &str) -> Result<()> {
    engine
        .query("UPDATE dcms_meta SET meta_value = ? WHERE meta_key = ?")
        .bind(value.to_string())
        .bind(MARKER)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// MySQL: the postings' trigger back, then the marker done.
async fn finish_mysql(pool: &AnyPool) -> Result<()> {
    sqlx::raw_sql(MYSQL_TRIGGER)
        .execute(pool)
        .await
        .map_err(db)?;
    let mut conn = pool.acquire().await.map_err(db)?;
    set_marker(Engine::Mysql, &mut conn, "done").await
}

/// Lifts (`back` false) or restores the append-only trigger on postings
/// inside the rewrite's transaction (MySQL: done outside, see the module).
async fn lift_trigger(engine: Engine, conn: &mut AnyConnection, back: bool) -> Result<()> {
    let sql = match (engine, back) {
        (Engine::Sqlite, false) => "DROP TRIGGER dcms_postings_no_update",
        (Engine::Sqlite, true) => {
            "CREATE TRIGGER dcms_postings_no_update BEFORE UPDATE ON dcms_postings \
             BEGIN SELECT RAISE(ABORT, 'dcms: postings are append-only'); END"
        }
        (Engine::Postgres, false) => {
            "ALTER TABLE dcms_postings DISABLE TRIGGER dcms_postings_append_only"
        }
        (Engine::Postgres, true) => {
            "ALTER TABLE dcms_postings ENABLE TRIGGER dcms_postings_append_only"
        }
        (Engine::Mysql, _) => return Ok(()),
    };
    sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(db)?;
    Ok(())
}

/// `account` with `suffix` appended, in the engine's syntax.
fn concat(engine: Engine) -> &'static str {
    match engine {
        Engine::Mysql => "CONCAT(account, ?)",
        Engine::Sqlite | Engine::Postgres => "account || ?",
    }
}

async fn rewrite(engine: Engine, conn: &mut AnyConnection, plan: &Plan) -> Result<()> {
    // 1. The new accounts, before the postings that will name them.
    let mut names: Vec<String> = plan
        .accounts
        .iter()
        .map(|(old, currency)| format!("{old}:{currency}"))
        .collect();
    for (vendor, currency) in &plan.vendors {
        names.push(format!("vendor:{vendor}:{currency}"));
    }
    names.sort();
    names.dedup();
    for name in &names {
        let sql = engine.insert_ignore("dcms_accounts", "account", "account", "(?)");
        engine
            .query(&sql)
            .bind(name.clone())
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    // 2. Postings: by vendor, then the vendor-less ones by transaction.
    let mut by_currency: BTreeMap<CurrencyCode, (Vec<String>, Vec<i64>)> = BTreeMap::new();
    for (vendor, currency) in &plan.vendors {
        by_currency
            .entry(*currency)
            .or_default()
            .0
            .push(vendor.clone());
    }
    for (tx, currency) in &plan.vendorless {
        by_currency.entry(*currency).or_default().1.push(*tx);
    }
    // Only names without a currency (kind:id) are rewritten, so a posting
    // is never given a currency twice.
    let set = format!(
        "UPDATE dcms_postings SET account = {} WHERE account NOT LIKE '%:%:%' AND",
        concat(engine)
    );
    for (currency, (vendors, txs)) in &by_currency {
        let suffix = format!(":{currency}");
        if !vendors.is_empty() {
            let sql = format!("{set} vendor IN ({})", marks(vendors.len()));
            vendors
                .iter()
                .fold(engine.query(&sql).bind(suffix.clone()), |q, v| {
                    q.bind(v.clone())
                })
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
        for chunk in txs.chunks(512) {
            let (list, ids) = in_list(chunk.iter().copied());
            let sql = format!("{set} vendor IS NULL AND tx_id IN ({list})");
            ids.iter()
                .fold(engine.query(&sql).bind(suffix.clone()), |q, id| q.bind(*id))
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
    }
    // 3. Program and vendor balances, per currency now (one slot row each).
    engine
        .query("DELETE FROM dcms_balances")
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let sql = format!(
        "INSERT INTO dcms_balances (account, slot, balance) \
         SELECT account, 0, {} FROM dcms_postings WHERE account NOT LIKE 'customer:%' GROUP BY account",
        engine.sum("points")
    );
    engine.query(&sql).execute(&mut *conn).await.map_err(db)?;
    // 4. Customer balances and held points, one row per currency.
    let sql = format!(
        "SELECT account, {} FROM dcms_postings WHERE account LIKE 'customer:%' GROUP BY account",
        engine.sum("points")
    );
    let rows = engine.query(&sql).fetch_all(&mut *conn).await.map_err(db)?;
    let mut customers: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for row in &rows {
        customers.insert(
            row.try_get(0).map_err(db)?,
            (row.try_get(1).map_err(db)?, 0),
        );
    }
    let rows = engine
        .query(
            "SELECT p.account, h.points FROM dcms_open_holds h \
             JOIN dcms_postings p ON p.tx_id = h.tx_id AND p.account LIKE 'customer:%'",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    for row in &rows {
        let account: String = row.try_get(0).map_err(db)?;
        let points: i64 = row.try_get(1).map_err(db)?;
        customers.entry(account).or_default().1 += points;
    }
    for (account, (balance, held)) in &customers {
        let AccountRef::Customer(id, currency) = crate::codec::account(account)? else {
            return Err(Error::Storage(format!(
                "{account} is not a customer account"
            )));
        };
        engine
            .query(
                "INSERT INTO dcms_customer_balances (customer, currency, account, balance, held) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(crate::codec::customer_key(id)?)
            .bind(currency.as_str().to_string())
            .bind(account.clone())
            .bind(*balance)
            .bind(*held)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    engine
        .query("UPDATE dcms_customers SET balance = 0, held = 0 WHERE balance <> 0 OR held <> 0")
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    // 5. The accounts without a currency, now named by nothing.
    let old: Vec<String> = OLD_PROGRAM
        .iter()
        .map(|a| a.to_string())
        .chain(plan.vendors.keys().map(|v| format!("vendor:{v}")))
        .collect();
    let sql = format!(
        "DELETE FROM dcms_accounts WHERE account IN ({})",
        marks(old.len())
    );
    old.into_iter()
        .fold(engine.query(&sql), |q, a| q.bind(a))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}
