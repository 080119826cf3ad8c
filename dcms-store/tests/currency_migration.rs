//! Issue 12: a ledger written before points carried their currency opens,
//! and every posting gets the currency of its transaction's vendor; a
//! vendor-less transaction (transfer, adjustment, expiry) takes the one
//! currency its accounts ever held. When that is ambiguous, opening fails
//! with an error that names the transactions, and nothing is changed.
//!
//! The fixtures were written by the store as it was before the change
//! (`tests/fixtures/pre_currency_*.json`, see `common::fixture`): two
//! vendors (USD, JPY), credits, a redemption, a captured hold and an open
//! one, a transfer, adjustments, an expiry and a reversal; the ambiguous
//! one adds a JPY credit to a USD customer who then makes a transfer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::fixture::{migrate_to, Fixture};
use common::{all_lines, journal_lines, options, usd, Kind, TestDb};
use dcms_core::store::AccountLine;
use dcms_core::{AccountRef, CreditChange, CurrencyCode, Ledger, LedgerConfig, PosRef, VendorId};
use rust_decimal::Decimal;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

/// The last migration the fixtures' version had.
const BEFORE_CURRENCY: i64 = 20261126000004;

fn jpy() -> CurrencyCode {
    CurrencyCode::new("JPY").unwrap()
}

/// A fresh database holding `fixture`, at the fixture's schema version.
async fn old_ledger(kind: Kind, fixture: &Fixture) -> Option<TestDb> {
    let db = TestDb::create(kind).await?;
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&db.url).await.unwrap();
    migrate_to(kind, &mut conn, BEFORE_CURRENCY).await;
    fixture.load(kind, &mut conn, &[]).await;
    let _ = conn.close().await;
    Some(db)
}

/// The statement lines of `old` (an account name without a currency) in
/// every currency, in journal order.
async fn lines_in_all_currencies(store: &dcms_core::DynLedgerStore, old: &str) -> Vec<AccountLine> {
    let mut lines = Vec::new();
    for currency in [usd(), jpy()] {
        let account = AccountRef::parse(&format!("{old}:{currency}")).unwrap();
        let (mine, _) = all_lines(store, &account).await;
        assert_eq!(mine, journal_lines(store, &account).await, "{account}");
        lines.extend(mine);
    }
    lines.sort_by_key(|l| l.tx);
    lines
}

async fn migrates(kind: Kind) {
    let fixture = Fixture::read("pre_currency_ledger.json");
    let Some(db) = old_ledger(kind, &fixture).await else {
        return;
    };
    let store = db.open(options(false)).await;
    let ledger = Ledger::open(store.clone(), LedgerConfig::default())
        .await
        .unwrap();
    let report = ledger.verify().await.unwrap();
    assert!(report.is_ok(), "{kind:?}: {:?}", report.problems);

    // Balances: each customer's points in the one currency they held, as
    // stored (the ledger's own reads would first release b's open hold,
    // which has expired since the fixture was written).
    for (who, currency) in [("a", usd()), ("b", usd()), ("j", jpy())] {
        let balances = store.balance(fixture.customer(who)).await.unwrap();
        let (available, held) = fixture.balance(who);
        assert_eq!(balances.0.len(), 1, "{kind:?} {who}: {balances:?}");
        let b = balances.get(currency);
        assert_eq!((b.available, b.held), (available, held), "{kind:?} {who}");
    }
    // Points were never held by "idle": no balance in any currency.
    let (_, customers) = fixture.rows("dcms_customers");
    let idle = customers
        .iter()
        .find(|r| r[2].as_str() == Some("idle"))
        .and_then(|r| r[0].as_i64())
        .unwrap();
    let idle = dcms_core::CustomerId::parse(&idle.to_string()).unwrap();
    assert!(store.balance(idle).await.unwrap().0.is_empty());

    // Vendor-less transactions took their accounts' currency.
    for (key, currency) in [
        ("t1", usd()),
        ("adj1", usd()),
        ("adj2", jpy()),
        ("exp1", usd()),
    ] {
        let tx = store.transaction_by_key(key).await.unwrap().unwrap();
        assert_eq!(tx.currency(), Some(currency), "{kind:?} {key}");
    }
    // Statement lines are unchanged, split by currency where an account
    // now has one per currency (the program's holds: a USD and a JPY hold).
    for old in [
        "vendor:v-usd",
        "vendor:v-jpy",
        "program:holds",
        "program:breakage",
        "program:adjustments",
    ]
    .into_iter()
    .map(String::from)
    .chain(["a", "b", "j"].map(|w| format!("customer:{}", fixture.customer(w))))
    {
        assert_eq!(
            lines_in_all_currencies(&store, &old).await,
            fixture.lines(&old),
            "{kind:?} {old}"
        );
    }

    // The migrated ledger takes new appends: a JPY credit to the USD
    // customer (a second currency), one to the JPY customer, a transfer.
    let a = fixture.customer("a");
    let j = fixture.customer("j");
    let credit = |key: &str, account| CreditChange {
        key: key.into(),
        vendor: VendorId::new("v-jpy").unwrap(),
        account,
        total: Decimal::new(1630, 0),
        tendered: Decimal::new(2000, 0),
        pos: PosRef::default(),
    };
    ledger.credit_change(&credit("new-1", a)).await.unwrap();
    ledger.credit_change(&credit("new-2", j)).await.unwrap();
    ledger.transfer("new-t", j, a, jpy(), 50).await.unwrap();
    let balances = ledger.balance(a).await.unwrap();
    assert_eq!(balances.get(jpy()).available, 370 + 50, "{kind:?}");
    assert_eq!(balances.get(usd()).available, fixture.balance("a").0);
    // b's hold has expired: the ledger released it.
    let b = ledger
        .balance(fixture.customer("b"))
        .await
        .unwrap()
        .get(usd());
    let (available, held) = fixture.balance("b");
    assert_eq!((b.available, b.held), (available + held, 0), "{kind:?}");
    let report = ledger.verify().await.unwrap();
    assert!(report.is_ok(), "{kind:?}: {:?}", report.problems);
    drop((ledger, store));

    // Opened again, nothing is migrated twice.
    let again = db.open(options(true)).await;
    let ledger = Ledger::open(again, LedgerConfig::default()).await.unwrap();
    assert!(ledger.verify().await.unwrap().is_ok());
    assert_eq!(ledger.balance(a).await.unwrap().get(jpy()).available, 420);
    drop(ledger);
    db.remove().await;
}

/// Every row of the ledger's tables and the applied migrations, as text.
async fn snapshot(url: &str) -> Vec<String> {
    let mut conn = AnyConnection::connect(url).await.unwrap();
    let mut out = Vec::new();
    for (table, order) in [
        ("_sqlx_migrations", "version"),
        ("dcms_meta", "meta_key"),
        ("dcms_counters", "name"),
        ("dcms_vendors", "id"),
        ("dcms_accounts", "account"),
        ("dcms_customers", "id"),
        ("dcms_balances", "account, slot"),
        ("dcms_journal", "id"),
        ("dcms_postings", "tx_id, leg"),
        ("dcms_open_holds", "tx_id, customer"),
    ] {
        let columns = match table {
            "_sqlx_migrations" => "version",
            "dcms_customers" => "id, account, balance, held",
            "dcms_postings" => "tx_id, leg, account, points",
            "dcms_balances" => "account, slot, balance",
            "dcms_journal" => "id, idem_key, body",
            _ => "*",
        };
        let sql = format!("SELECT {columns} FROM {table} ORDER BY {order}");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for row in &rows {
            let mut cells = vec![table.to_string()];
            for i in 0..row.len() {
                let cell = row
                    .try_get::<i64, _>(i)
                    .map(|v| v.to_string())
                    .or_else(|_| row.try_get::<String, _>(i))
                    .unwrap_or_else(|_| "?".into());
                cells.push(cell);
            }
            out.push(cells.join("|"));
        }
    }
    let new_table = sqlx::query("SELECT 1 FROM dcms_customer_balances")
        .fetch_all(&mut conn)
        .await;
    out.push(format!("new table exists: {}", new_table.is_ok()));
    let _ = conn.close().await;
    out
}

async fn refuses_ambiguous(kind: Kind) {
    let fixture = Fixture::read("pre_currency_ambiguous.json");
    let Some(db) = old_ledger(kind, &fixture).await else {
        return;
    };
    let before = snapshot(&db.url).await;
    assert!(before.iter().any(|r| r.starts_with("dcms_postings|")));
    let refused = dcms_store::open_with(&db.url, options(false)).await;
    let Err(dcms_core::Error::Storage(message)) = refused else {
        panic!("{kind:?}: opened an ambiguous ledger: {refused:?}");
    };
    // Customer a held USD and JPY: its transfers and expiry are named.
    for named in [
        "transaction 10 (transfer)",
        "transaction 13 (expiry)",
        "transaction 16 (transfer)",
    ] {
        assert!(message.contains(named), "{kind:?}: {named} in {message}");
    }
    assert!(message.contains("JPY and USD"), "{message}");
    assert!(!message.contains("transaction 11 "), "{message}");
    assert_eq!(snapshot(&db.url).await, before, "{kind:?}: nothing changed");
    db.remove().await;
}

#[tokio::test]
async fn sqlite_ledger_gets_currencies() {
    migrates(Kind::Sqlite).await;
}

#[tokio::test]
async fn postgres_ledger_gets_currencies() {
    migrates(Kind::Postgres).await;
}

#[tokio::test]
async fn mysql_ledger_gets_currencies() {
    migrates(Kind::Mysql).await;
}

#[tokio::test]
async fn sqlite_ambiguous_ledger_is_refused_unchanged() {
    refuses_ambiguous(Kind::Sqlite).await;
}

#[tokio::test]
async fn postgres_ambiguous_ledger_is_refused_unchanged() {
    refuses_ambiguous(Kind::Postgres).await;
}

#[tokio::test]
async fn mysql_ambiguous_ledger_is_refused_unchanged() {
    refuses_ambiguous(Kind::Mysql).await;
}
