//! Change credits per second on each SQL engine: a raw-SQL floor beside the
//! store committing each credit alone and the store with group commit, for
//! 1, 4 and 16 clients, at one hot vendor row or spread over slot rows.
//!
//! ```sh
//! . ~/.cache/dcms/services.env   # DCMS_BENCH_POSTGRES_URL, DCMS_BENCH_MYSQL_URL
//! cargo bench -p dcms-store --features all-databases --bench sql_throughput
//! ```
//! Engines without a URL are left out. `DCMS_BENCH_SECS` sets the seconds
//! per cell (default 3); `DCMS_BENCH_ENGINES=sqlite,postgres` picks engines;
//! `DCMS_BENCH_CLIENTS=1,4,16` picks client counts;
//! `DCMS_BENCH_WRITERS` and `DCMS_BENCH_WAIT_US` override the group-commit
//! writers and wait (defaults: [`GroupCommit::default`]).
//! Each cell starts on a fresh database; every client credits its own
//! customer account at the same vendor, so the vendor's liability is the
//! one row all clients share.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcms_core::{
    CreditChange, Currency, CustomerId, Ledger, LedgerConfig, PosRef, Vendor, VendorId,
};
use dcms_store::{GroupCommit, StoreOptions};
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Connection};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Engine {
    Sqlite,
    Postgres,
    Mysql,
}

/// A database for one cell, dropped afterwards.
struct Db {
    engine: Engine,
    url: String,
    admin: Option<(String, String)>,
}

impl Db {
    async fn fresh(engine: Engine, server: Option<&str>, n: usize) -> Db {
        let name = format!("dcms_bench_{}_{n}", std::process::id());
        match server {
            None => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                Db {
                    engine,
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    admin: None,
                }
            }
            Some(url) => {
                let mut c = sqlx::AnyConnection::connect(url)
                    .await
                    .expect("connect to the bench server");
                sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut c)
                    .await
                    .unwrap();
                let _ = c.close().await;
                let base = url.rsplit_once('/').unwrap().0;
                Db {
                    engine,
                    url: format!("{base}/{name}"),
                    admin: Some((url.to_string(), name)),
                }
            }
        }
    }

    async fn drop(self) {
        match self.admin {
            Some((url, name)) => {
                let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
                let force = if self.engine == Engine::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {name}{force}")))
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            None => {
                let path = self
                    .url
                    .trim_start_matches("sqlite://")
                    .trim_end_matches("?mode=rwc");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs `clients` loops of `op` for `secs`; operations per second.
async fn measure<F, Fut>(clients: usize, secs: f64, op: F) -> f64
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (op, done) = (op.clone(), done.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while Instant::now() < until {
                    op(c, i).await;
                    i += 1;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// The floor: per credit, one UPDATE of a balance and one INSERT of a
/// journal row in one durable transaction, straight through sqlx.
async fn raw(db: &Db, clients: usize, secs: f64) -> f64 {
    let sqlite = db.engine == Engine::Sqlite;
    let pool = sqlx::any::AnyPoolOptions::new()
        // SQLite: one writer connection, as in the store.
        .max_connections(if sqlite { 1 } else { clients as u32 })
        .after_connect(move |c, _| {
            Box::pin(async move {
                if sqlite {
                    sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
                        .execute(&mut *c)
                        .await?;
                }
                Ok(())
            })
        })
        .connect(&db.url)
        .await
        .unwrap();
    let id = match db.engine {
        Engine::Sqlite => "id INTEGER PRIMARY KEY",
        Engine::Postgres => "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        Engine::Mysql => "id BIGINT AUTO_INCREMENT PRIMARY KEY",
    };
    let setup = format!(
        "CREATE TABLE raw_balances (account BIGINT PRIMARY KEY, balance BIGINT NOT NULL); \
         CREATE TABLE raw_journal ({id}, account BIGINT NOT NULL, points BIGINT NOT NULL, at_ns BIGINT NOT NULL)"
    );
    sqlx::raw_sql(AssertSqlSafe(setup))
        .execute(&pool)
        .await
        .unwrap();
    let p = |n: usize| {
        if db.engine == Engine::Postgres {
            format!("${n}")
        } else {
            "?".into()
        }
    };
    for c in 0..clients {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO raw_balances (account, balance) VALUES ({}, 0)",
            p(1)
        )))
        .bind(c as i64)
        .execute(&pool)
        .await
        .unwrap();
    }
    let update = Arc::new(format!(
        "UPDATE raw_balances SET balance = balance + {} WHERE account = {}",
        p(1),
        p(2)
    ));
    let insert = Arc::new(format!(
        "INSERT INTO raw_journal (account, points, at_ns) VALUES ({}, {}, {})",
        p(1),
        p(2),
        p(3)
    ));
    let begin = if sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
    measure(clients, secs, move |c, i| {
        let (pool, update, insert) = (pool.clone(), update.clone(), insert.clone());
        async move {
            let mut tx = pool.begin_with(begin).await.unwrap();
            sqlx::query(AssertSqlSafe(update.as_str()))
                .bind(37i64)
                .bind(c as i64)
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(AssertSqlSafe(insert.as_str()))
                .bind(c as i64)
                .bind(37i64)
                .bind(i as i64)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    })
    .await
}

/// Change credits through the ledger and the store.
async fn store(db: &Db, clients: usize, secs: f64, group_commit: bool, slots: u16) -> f64 {
    let mut group = GroupCommit::default();
    if let Some(writers) = env_number("DCMS_BENCH_WRITERS") {
        group.writers = writers as usize;
    }
    if let Some(us) = env_number("DCMS_BENCH_WAIT_US") {
        group.max_wait = Duration::from_micros(us);
    }
    let options = StoreOptions::default()
        .with_group_commit(group_commit.then_some(group))
        .with_balance_slots(slots)
        .with_max_connections(clients.max(4) as u32 + 4);
    let store = dcms_store::open_with(&db.url, options).await.unwrap();
    let ledger = Ledger::open(store, LedgerConfig::default()).await.unwrap();
    let vendor = Vendor::new(
        VendorId::new("hot-shop").unwrap(),
        "Hot Shop",
        Currency::builtin("USD").unwrap(),
        chrono_tz::UTC,
    );
    let vendor = ledger.create_vendor(vendor).await.unwrap().id;
    let mut accounts: Vec<CustomerId> = Vec::new();
    for c in 0..clients {
        accounts.push(
            ledger
                .open_account(&format!("client-{c}"))
                .await
                .unwrap()
                .id,
        );
    }
    let accounts = Arc::new(accounts);
    measure(clients, secs, move |c, i| {
        let (ledger, vendor, accounts) = (ledger.clone(), vendor.clone(), accounts.clone());
        async move {
            let credit = CreditChange {
                key: format!("pos-{c}/r-{i}"),
                vendor,
                account: accounts[c],
                total: Decimal::new(663, 2),
                tendered: Decimal::new(1000, 2),
                pos: PosRef::default(),
            };
            ledger.credit_change(&credit).await.unwrap();
        }
    })
    .await
}

fn main() {
    // Before the store registers its drivers: this one must be first.
    sqlx::any::install_default_drivers();
    let secs: f64 = std::env::var("DCMS_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let wanted =
        std::env::var("DCMS_BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres,mysql".into());
    let server =
        |bench: &str, test: &str| std::env::var(bench).or_else(|_| std::env::var(test)).ok();
    let engines = [
        (Engine::Sqlite, "sqlite", Some(None)),
        (
            Engine::Postgres,
            "postgres",
            server("DCMS_BENCH_POSTGRES_URL", "DCMS_TEST_POSTGRES_URL").map(Some),
        ),
        (
            Engine::Mysql,
            "mysql",
            server("DCMS_BENCH_MYSQL_URL", "DCMS_TEST_MYSQL_URL").map(Some),
        ),
    ];
    let clients: Vec<usize> = std::env::var("DCMS_BENCH_CLIENTS")
        .unwrap_or_else(|_| "1,4,16".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    println!("| engine | mode | vendor balance | clients | credits/s |");
    println!("|---|---|---|---:|---:|");
    let mut n = 0;
    for (engine, name, url) in engines {
        if !wanted.split(',').any(|w| w == name) {
            continue;
        }
        let Some(url) = url else {
            eprintln!(
                "{name}: no URL (set DCMS_BENCH_{}_URL), left out",
                name.to_uppercase()
            );
            continue;
        };
        rt.block_on(async {
            for &clients in &clients {
                n += 1;
                let db = Db::fresh(engine, url.as_deref(), n).await;
                let rate = raw(&db, clients, secs).await;
                db.drop().await;
                println!("| {name} | raw SQL (UPDATE + INSERT) | - | {clients} | {rate:.0} |");
            }
            // SQLite has one writer: spreading the vendor's row changes nothing.
            let spreads: &[(&str, u16)] = if engine == Engine::Sqlite {
                &[("one row", 1)]
            } else {
                &[("one hot row", 1), ("16 slot rows", 16)]
            };
            for (group_commit, mode) in [
                (false, "store, one commit per credit"),
                (true, "store, group commit"),
            ] {
                for (vendor, slots) in spreads {
                    for &clients in &clients {
                        n += 1;
                        let db = Db::fresh(engine, url.as_deref(), n).await;
                        let rate = store(&db, clients, secs, group_commit, *slots).await;
                        db.drop().await;
                        println!("| {name} | {mode} | {vendor} | {clients} | {rate:.0} |");
                    }
                }
            }
        });
    }
}
