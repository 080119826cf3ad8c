//! The currency of every transaction of a ledger written before accounts
//! had one, decided by reading only (so a ledger that cannot be migrated is
//! refused before anything changes).
//!
//! The rule (issue 12): a transaction at a vendor moved the vendor's
//! currency. A transaction without one (a transfer, an adjustment, an
//! expiry, a reversal of those) moved the one currency its customer
//! accounts ever held, which is what the vendor transactions on those
//! accounts say; when they say nothing, the one currency of the whole
//! ledger. When there are two (or none), the transaction is named in the
//! refusal. The stored balances are checked against the postings too: a
//! ledger whose balances do not follow from its journal is not rewritten.

use std::collections::{BTreeMap, BTreeSet};

use dcms_core::{CurrencyCode, Error, Result};
use sqlx::{AnyConnection, Row};

use crate::engine::Engine;
use crate::error::db;

/// Where every old-form posting goes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Each vendor's currency, by vendor id.
    pub vendors: BTreeMap<String, CurrencyCode>,
    /// Each vendor-less transaction's currency, by transaction id.
    pub vendorless: BTreeMap<i64, CurrencyCode>,
    /// Every (old account name, currency) a posting will have.
    pub accounts: BTreeSet<(String, CurrencyCode)>,
}

/// A vendor-less transaction and the customer accounts it touches.
#[derive(Debug, Default)]
struct Loose {
    kind: String,
    accounts: Vec<String>,
}

impl Plan {
    /// Reads the plan, or refuses the ledger naming what stands in the way.
    pub(super) async fn read(engine: Engine, conn: &mut AnyConnection) -> Result<Plan> {
        let mut plan = Plan::default();
        let rows = engine
            .query("SELECT id, body FROM dcms_vendors")
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        for row in &rows {
            let id: String = row.try_get(0).map_err(db)?;
            let body: String = row.try_get(1).map_err(db)?;
            plan.vendors
                .insert(id.clone(), vendor_currency(&id, &body)?);
        }
        // Currencies each customer account held, from its vendor postings.
        let rows = engine
            .query(
                "SELECT DISTINCT account, vendor FROM dcms_postings \
                 WHERE vendor IS NOT NULL",
            )
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        let mut held: BTreeMap<String, BTreeSet<CurrencyCode>> = BTreeMap::new();
        for row in &rows {
            let account: String = row.try_get(0).map_err(db)?;
            let vendor: String = row.try_get(1).map_err(db)?;
            let currency = *plan.vendors.get(&vendor).ok_or_else(|| {
                Error::Storage(format!(
                    "a posting names vendor {vendor:?}, which has no row"
                ))
            })?;
            plan.accounts.insert((account.clone(), currency));
            held.entry(account).or_default().insert(currency);
        }
        let ledger: BTreeSet<CurrencyCode> = {
            let used: BTreeSet<CurrencyCode> = held.values().flatten().copied().collect();
            if used.is_empty() {
                plan.vendors.values().copied().collect()
            } else {
                used
            }
        };
        let rows = engine
            .query(
                "SELECT tx_id, account, kind FROM dcms_postings WHERE vendor IS NULL \
                 ORDER BY tx_id, leg",
            )
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        let mut loose: BTreeMap<i64, Loose> = BTreeMap::new();
        for row in &rows {
            let tx = loose.entry(row.try_get(0).map_err(db)?).or_default();
            tx.accounts.push(row.try_get(1).map_err(db)?);
            tx.kind = row.try_get(2).map_err(db)?;
        }
        let mut refused = Vec::new();
        for (id, tx) in &loose {
            let mut currencies: BTreeSet<CurrencyCode> = tx
                .accounts
                .iter()
                .filter(|a| a.starts_with("customer:"))
                .filter_map(|a| held.get(a))
                .flatten()
                .copied()
                .collect();
            if currencies.is_empty() {
                currencies.clone_from(&ledger);
            }
            match currencies.iter().next() {
                Some(only) if currencies.len() == 1 => {
                    plan.vendorless.insert(*id, *only);
                    for account in &tx.accounts {
                        plan.accounts.insert((account.clone(), *only));
                    }
                }
                _ => refused.push(format!(
                    "transaction {id} ({}) on {}: {}",
                    tx.kind,
                    tx.accounts.join(", "),
                    if currencies.is_empty() {
                        "no currency known".to_string()
                    } else {
                        let codes: Vec<&str> = currencies.iter().map(|c| c.as_str()).collect();
                        format!("its accounts held {}", codes.join(" and "))
                    }
                )),
            }
        }
        if !refused.is_empty() {
            return Err(Error::Storage(format!(
                "cannot give this ledger's postings a currency, so it was not migrated and \
                 nothing was changed; a transaction without a vendor takes the one currency \
                 its accounts held, and these have none or several: {}",
                refused.join("; ")
            )));
        }
        check_balances(engine, conn).await?;
        Ok(plan)
    }
}

/// A vendor's currency from its stored settings (read as plain JSON, so
/// any version of the vendor's fields will do).
fn vendor_currency(id: &str, body: &str) -> Result<CurrencyCode> {
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| Error::Storage(format!("vendor {id:?} is stored unreadably: {e}")))?;
    let code = value
        .pointer("/currency/code")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| Error::Storage(format!("vendor {id:?} is stored without a currency")))?;
    CurrencyCode::new(code)
        .map_err(|e| Error::Storage(format!("vendor {id:?} has currency {code:?}: {e}")))
}

/// Refuses a ledger whose stored balances are not the sums of its
/// postings (customers' balance and held points included): rewriting it
/// would hide that.
async fn check_balances(engine: Engine, conn: &mut AnyConnection) -> Result<()> {
    let postings = sums(
        engine,
        conn,
        &format!(
            "SELECT account, {} FROM dcms_postings GROUP BY account",
            engine.sum("points")
        ),
    )
    .await?;
    let mut stored = sums(
        engine,
        conn,
        &format!(
            "SELECT account, {} FROM dcms_balances GROUP BY account",
            engine.sum("balance")
        ),
    )
    .await?;
    stored.extend(sums(engine, conn, "SELECT account, balance FROM dcms_customers").await?);
    let mut wrong = Vec::new();
    for (account, sum) in &postings {
        let kept = stored.get(account).copied().unwrap_or(0);
        if kept != *sum {
            wrong.push(format!("{account} keeps {kept}, its postings sum to {sum}"));
        }
    }
    for (account, kept) in &stored {
        if *kept != 0 && !postings.contains_key(account) {
            wrong.push(format!("{account} keeps {kept} and has no postings"));
        }
    }
    let held = sums(
        engine,
        conn,
        &format!(
            "SELECT c.account, {} FROM dcms_customers c \
             JOIN dcms_open_holds h ON h.customer = c.id GROUP BY c.account",
            engine.sum("h.points")
        ),
    )
    .await?;
    let kept = sums(
        engine,
        conn,
        "SELECT account, held FROM dcms_customers WHERE held <> 0",
    )
    .await?;
    if held != kept {
        wrong.push(format!(
            "held points are {kept:?}, the open holds sum to {held:?}"
        ));
    }
    if !wrong.is_empty() {
        return Err(Error::Storage(format!(
            "this ledger's balances do not follow from its journal, so it was not \
             migrated and nothing was changed: {}",
            wrong.join("; ")
        )));
    }
    Ok(())
}

/// (account, integer) rows as a map.
async fn sums(
    engine: Engine,
    conn: &mut AnyConnection,
    sql: &str,
) -> Result<BTreeMap<String, i64>> {
    let rows = engine.query(sql).fetch_all(&mut *conn).await.map_err(db)?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(db)
}
