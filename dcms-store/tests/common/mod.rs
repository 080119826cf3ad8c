//! Test databases: a fresh SQLite file, or a fresh database on the
//! PostgreSQL / MySQL server named by `DCMS_TEST_POSTGRES_URL` /
//! `DCMS_TEST_MYSQL_URL` (its user must be allowed to create databases).
//!
//! Without a URL the test prints a SKIPPED line and passes, unless
//! `DCMS_REQUIRE_SERVERS=1`, which turns a missing server into a failure.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod fixture;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dcms_core::DynLedgerStore;
use dcms_store::{GroupCommit, StoreOptions};

/// The engines the tests run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
    Mysql,
}

impl Kind {
    fn env(self) -> &'static str {
        match self {
            Kind::Sqlite => "",
            Kind::Postgres => "DCMS_TEST_POSTGRES_URL",
            Kind::Mysql => "DCMS_TEST_MYSQL_URL",
        }
    }

    fn built(self) -> bool {
        match self {
            Kind::Sqlite => cfg!(feature = "sqlite"),
            Kind::Postgres => cfg!(feature = "postgres"),
            Kind::Mysql => cfg!(feature = "mysql"),
        }
    }
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "dcms_test_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database made for one test, removed by [`TestDb::remove`].
#[derive(Debug)]
pub struct TestDb {
    pub kind: Kind,
    pub url: String,
    admin_url: String,
    name: String,
    path: Option<PathBuf>,
}

/// US dollars, the currency of the tests' vendors.
pub fn usd() -> dcms_core::CurrencyCode {
    dcms_core::CurrencyCode::new("USD").unwrap()
}

/// Store options with or without group commit.
pub fn options(group_commit: bool) -> StoreOptions {
    StoreOptions::default().with_group_commit(group_commit.then(GroupCommit::default))
}

impl TestDb {
    /// A fresh, empty database, or None when the server is not configured
    /// (and not required).
    pub async fn create(kind: Kind) -> Option<TestDb> {
        let require = std::env::var("DCMS_REQUIRE_SERVERS").as_deref() == Ok("1");
        if !kind.built() {
            assert!(!require, "dcms-store was built without {kind:?} support: run the tests with --features all-databases");
            eprintln!("SKIPPED: dcms-store built without {kind:?}; use --features all-databases");
            return None;
        }
        let name = unique_name();
        if kind == Kind::Sqlite {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            return Some(TestDb {
                kind,
                url,
                admin_url: String::new(),
                name,
                path: Some(path),
            });
        }
        let Ok(admin_url) = std::env::var(kind.env()) else {
            assert!(
                !require,
                "DCMS_REQUIRE_SERVERS=1 but {} is not set",
                kind.env()
            );
            eprintln!(
                "\n\n*** SKIPPED: set {} to run the {kind:?} tests ***\n",
                kind.env()
            );
            return None;
        };
        // PostgreSQL: from template0, which no session can be connected to
        // (a connection to template1 makes CREATE DATABASE fail).
        let template = if kind == Kind::Postgres {
            " TEMPLATE template0"
        } else {
            ""
        };
        admin(
            kind,
            &admin_url,
            &format!("CREATE DATABASE {name}{template}"),
        )
        .await;
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("a server URL ends in /database");
        let url = format!("{base}/{name}");
        Some(TestDb {
            kind,
            url,
            admin_url,
            name,
            path: None,
        })
    }

    /// Opens a store on this database.
    pub async fn open(&self, options: StoreOptions) -> DynLedgerStore {
        dcms_store::open_with(&self.url, options)
            .await
            .expect("open the test store")
    }

    /// Drops the database (or deletes the SQLite files).
    pub async fn remove(self) {
        match &self.path {
            Some(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            None => {
                let force = if self.kind == Kind::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                admin(
                    self.kind,
                    &self.admin_url,
                    &format!("DROP DATABASE IF EXISTS {}{force}", self.name),
                )
                .await;
            }
        }
    }
}

/// Runs one statement on the server with the admin URL, a few times if it
/// fails (other test suites create and drop databases on the same server).
async fn admin(kind: Kind, url: &str, sql: &str) {
    let mut last = String::new();
    for attempt in 0..5u64 {
        match admin_once(kind, url, sql).await {
            Ok(()) => return,
            Err(e) => last = e,
        }
        tokio::time::sleep(std::time::Duration::from_millis(200 * (attempt + 1))).await;
    }
    panic!("{kind:?}: {sql} failed: {last}");
}

#[allow(unused_variables)]
async fn admin_once(kind: Kind, url: &str, sql: &str) -> Result<(), String> {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match kind {
        #[cfg(feature = "postgres")]
        Kind::Postgres => {
            let mut c = sqlx::postgres::PgConnection::connect(url)
                .await
                .map_err(|e| e.to_string())?;
            let done = sqlx::raw_sql(sql)
                .execute(&mut c)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            let _ = c.close().await;
            done
        }
        #[cfg(feature = "mysql")]
        Kind::Mysql => {
            let mut c = sqlx::mysql::MySqlConnection::connect(url)
                .await
                .map_err(|e| e.to_string())?;
            let done = sqlx::raw_sql(sql)
                .execute(&mut c)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            let _ = c.close().await;
            done
        }
        _ => Err(format!("{kind:?} needs no admin statements")),
    }
}

/// Databases made during a test, removed together at its end.
#[derive(Debug, Clone, Default)]
pub struct Made(Arc<tokio::sync::Mutex<Vec<TestDb>>>);

impl Made {
    /// A fresh store on a fresh database, remembered for [`Made::remove_all`].
    pub async fn fresh(&self, kind: Kind, options: StoreOptions) -> DynLedgerStore {
        let db = TestDb::create(kind).await.expect("server checked before");
        let store = db.open(options).await;
        self.0.lock().await.push(db);
        store
    }

    pub async fn remove_all(&self) {
        for db in self.0.lock().await.drain(..) {
            db.remove().await;
        }
    }
}

/// All of time, as far as these tests write it.
pub fn all_time() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    use chrono::TimeZone;
    (
        chrono::Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
        chrono::Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).unwrap(),
    )
}

/// Every line of `account` from `account_lines` (all of time), with the
/// sizes of the chunks it came in.
pub async fn all_lines(
    store: &DynLedgerStore,
    account: &dcms_core::AccountRef,
) -> (Vec<dcms_core::store::AccountLine>, Vec<usize>) {
    let (from, to) = all_time();
    dcms_core::conformance::lines::read_lines(store.as_ref(), account, from, to).await
}

/// The same lines built from whole journal transactions: what
/// `account_lines` must agree with.
pub async fn journal_lines(
    store: &DynLedgerStore,
    account: &dcms_core::AccountRef,
) -> Vec<dcms_core::store::AccountLine> {
    let (from, to) = all_time();
    dcms_core::conformance::lines::journal_lines(store.as_ref(), account, from, to).await
}

/// Creates a USD vendor on UTC days, named by its id, and returns its id.
pub async fn usd_vendor(ledger: &dcms_core::Ledger, id: &str) -> dcms_core::VendorId {
    let vendor = dcms_core::Vendor::new(
        dcms_core::VendorId::new(id).unwrap(),
        id,
        dcms_core::Currency::builtin("USD").unwrap(),
        chrono_tz::UTC,
    );
    ledger.create_vendor(vendor).await.unwrap().id
}
