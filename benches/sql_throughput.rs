//! Change credits per second on each SQL engine: a raw-SQL floor beside the
//! store committing each credit alone, the store with group commit and one
//! credit in flight per client, and the store with group commit and many
//! credits in flight per client (pipelined, as a back office forwarding a
//! store's sales does), for 1, 4 and 16 clients, at one hot vendor row or
//! spread over slot rows; and one client with 10,000 credits in flight (the
//! shape of a set-based batch of 10,000).
//!
//! ```sh
//! . ~/.cache/dcms/services.env   # DCMS_BENCH_POSTGRES_URL, DCMS_BENCH_MYSQL_URL
//! cargo bench -p dcms-store --features all-databases --bench sql_throughput
//! ```
//! Engines without a URL are left out. `DCMS_BENCH_SECS` sets the seconds
//! per cell (default 3); `DCMS_BENCH_ENGINES=sqlite,postgres` picks engines;
//! `DCMS_BENCH_CLIENTS=1,4,16` picks client counts; `DCMS_BENCH_INFLIGHT`
//! the credits each pipelined client keeps in flight (default 256);
//! `DCMS_BENCH_MODES=raw,one,group,pipelined,set` picks rows;
//! `DCMS_BENCH_WRITERS`, `DCMS_BENCH_WAIT_US` and `DCMS_BENCH_MAX_BATCH`
//! override the group-commit settings (defaults: [`GroupCommit::default`]).
//! Each cell starts on a fresh database; every client credits its own
//! customers (one, or up to 64 when pipelined) at the same vendor. After
//! each store cell `Ledger::verify` must find every credit and no problem,
//! or the run fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcms_core::{
    CreditChange, Currency, CustomerId, Ledger, LedgerConfig, PosRef, Vendor, VendorId,
};
use dcms_store::{GroupCommit, StoreOptions};
use futures::StreamExt;
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
                // An autovacuum worker on the database makes a forced drop
                // fail (it is not ours to terminate); it is gone soon.
                for attempt in 1.. {
                    let dropped =
                        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE {name}{force}")))
                            .execute(&mut c)
                            .await;
                    match dropped {
                        Ok(_) => break,
                        Err(e) if attempt < 20 => {
                            eprintln!("drop {name}: {e}; again");
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                        Err(e) => panic!("drop {name}: {e}"),
                    }
                }
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

/// Runs `clients * inflight` loops of `op(client, lane, i)` for `secs`:
/// each client keeps `inflight` operations going at once. Operations per
/// second, and how many completed.
async fn measure<F, Fut>(clients: usize, inflight: usize, secs: f64, op: F) -> (f64, u64)
where
    F: Fn(usize, usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients * inflight)
        .map(|t| {
            let (op, done) = (op.clone(), done.clone());
            let (c, lane) = (t / inflight, t % inflight);
            tokio::spawn(async move {
                let mut i = 0;
                while Instant::now() < until {
                    op(c, lane, i).await;
                    i += 1;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // Every operation started before the deadline is counted, and so is
    // the time it took to finish: no credit in flight is left out.
    let n = done.load(Ordering::Relaxed);
    (n as f64 / start.elapsed().as_secs_f64(), n)
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
    let (rate, _) = measure(clients, 1, secs, move |c, _, i| {
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
    .await;
    rate
}

/// How a store cell runs.
#[derive(Debug, Clone, Copy)]
struct Cell {
    clients: usize,
    /// Credits each client keeps in flight.
    inflight: usize,
    group_commit: Option<GroupCommit>,
    slots: u16,
}

/// Change credits through the ledger and the store; then `Ledger::verify`
/// on the cell's database, which must find every credit and no problem.
async fn store(db: &Db, cell: Cell, secs: f64) -> f64 {
    let options = StoreOptions::default()
        .with_group_commit(cell.group_commit)
        .with_balance_slots(cell.slots)
        .with_max_connections(cell.clients.max(4) as u32 + 4);
    let store = dcms_store::open_with(&db.url, options).await.unwrap();
    let ledger = Ledger::open(store, LedgerConfig::default()).await.unwrap();
    let vendor = Vendor::new(
        VendorId::new("hot-shop").unwrap(),
        "Hot Shop",
        Currency::builtin("USD").unwrap(),
        chrono_tz::UTC,
    );
    let vendor = ledger.create_vendor(vendor).await.unwrap().id;
    // One customer per client when it has one credit in flight; with
    // many in flight, a client forwards the sales of many customers (up
    // to 64 each), as a store's back office does.
    let per_client = cell.inflight.clamp(1, 64);
    let opens = (0..cell.clients * per_client).map(|n| {
        let ledger = ledger.clone();
        async move {
            let key = format!("client-{}/{}", n / per_client, n % per_client);
            ledger.open_account(&key).await.unwrap().id
        }
    });
    let accounts: Vec<CustomerId> = futures::stream::iter(opens).buffered(32).collect().await;
    let accounts = Arc::new(accounts);
    let credits = {
        let ledger = ledger.clone();
        move |c: usize, lane: usize, i: u64| {
            let (ledger, vendor, accounts) = (ledger.clone(), vendor.clone(), accounts.clone());
            async move {
                let credit = CreditChange {
                    key: format!("pos-{c}/{lane}/r-{i}"),
                    vendor,
                    account: accounts[c * per_client + lane % per_client],
                    total: Decimal::new(663, 2),
                    tendered: Decimal::new(1000, 2),
                    pos: PosRef::default(),
                };
                ledger.credit_change(&credit).await.unwrap();
            }
        }
    };
    let (rate, done) = measure(cell.clients, cell.inflight, secs, credits).await;
    let report = ledger.verify().await.unwrap();
    assert!(
        report.is_ok() && report.transactions == done,
        "verify after {cell:?}: {} transactions for {done} credits, problems {:?}",
        report.transactions,
        report.problems
    );
    rate
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
    let mut group = GroupCommit::default();
    if let Some(writers) = env_number("DCMS_BENCH_WRITERS") {
        group = group.with_writers(writers as usize);
    }
    if let Some(us) = env_number("DCMS_BENCH_WAIT_US") {
        group = group.with_max_wait(Duration::from_micros(us));
    }
    if let Some(batch) = env_number("DCMS_BENCH_MAX_BATCH") {
        group = group.with_max_batch(batch as usize);
    }
    let inflight = env_number("DCMS_BENCH_INFLIGHT").unwrap_or(256).max(1) as usize;
    let modes_wanted =
        std::env::var("DCMS_BENCH_MODES").unwrap_or_else(|_| "raw,one,group,pipelined,set".into());
    let mode_on = |m: &str| modes_wanted.split(',').any(|w| w.trim() == m);
    let pipelined = format!("store, group commit, pipelined: {inflight} in flight per client");
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
            for &clients in clients.iter().filter(|_| mode_on("raw")) {
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
            let modes = [
                ("one", "store, one commit per credit, 1 in flight per client", None, 1),
                ("group", "store, group commit, 1 in flight per client", Some(group), 1),
                ("pipelined", pipelined.as_str(), Some(group), inflight),
            ];
            for (short, mode, group_commit, inflight) in modes {
                if !mode_on(short) {
                    continue;
                }
                for (vendor, slots) in spreads {
                    for &clients in &clients {
                        n += 1;
                        let cell = Cell {
                            clients,
                            inflight,
                            group_commit,
                            slots: *slots,
                        };
                        let db = Db::fresh(engine, url.as_deref(), n).await;
                        let rate = store(&db, cell, secs).await;
                        db.drop().await;
                        println!("| {name} | {mode} | {vendor} | {clients} | {rate:.0} |");
                    }
                }
            }
            // The shape of a set-based batch of 10,000 credits: one client
            // with 10,000 in flight, batches up to the largest size.
            for (vendor, slots) in spreads.iter().take(1).filter(|_| mode_on("set")) {
                n += 1;
                let cell = Cell {
                    clients: 1,
                    inflight: 10_000,
                    group_commit: Some(group.with_max_batch(GroupCommit::MAX_BATCH)),
                    slots: *slots,
                };
                let db = Db::fresh(engine, url.as_deref(), n).await;
                let rate = store(&db, cell, secs).await;
                db.drop().await;
                println!(
                    "| {name} | store, group commit, 10000 in flight (max_batch {}) | {vendor} | 1 | {rate:.0} |",
                    GroupCommit::MAX_BATCH
                );
            }
        });
    }
}
