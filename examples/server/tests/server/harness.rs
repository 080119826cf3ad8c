//! Starts the real `dcms-server` binary on 127.0.0.1 (port 0) for a test,
//! with its own data folder, key pair and JWKS, on SQLite or on a fresh
//! PostgreSQL or MariaDB database (`DCMS_TEST_POSTGRES_URL`,
//! `DCMS_TEST_MYSQL_URL`). A test whose service variables are unset prints
//! SKIPPED and passes, unless `DCMS_REQUIRE_SERVERS=1` (the test command),
//! where it fails: a missing server must never look like a pass.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dcms_server::auth::{Claims, Role};
use dcms_server::devkeys::{jwks, DevKey};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Which ledger store the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
    Mysql,
}

pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}{}x{nanos}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The values of the environment variables `names`, or None (after
/// printing SKIPPED) when one is unset; with `DCMS_REQUIRE_SERVERS=1` an
/// unset one fails the test instead.
pub fn env_or_skip(test: &str, names: &[&str]) -> Option<Vec<String>> {
    let values: Vec<Option<String>> = names
        .iter()
        .map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
        .collect();
    let missing: Vec<&str> = names
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        return Some(values.into_iter().flatten().collect());
    }
    let require = std::env::var("DCMS_REQUIRE_SERVERS").as_deref() == Ok("1");
    assert!(
        !require,
        "DCMS_REQUIRE_SERVERS=1 but {} is not set ({test})",
        missing.join(", ")
    );
    // Straight to the stderr handle: eprintln! output is captured, and so
    // hidden, for a test that passes.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "\n*** SKIPPED: set {} to run {test} ***\n",
            missing.join(", ")
        )
        .as_bytes(),
    );
    None
}

/// The engine's admin URL variable and how it makes a database.
fn engine(db: Db) -> Option<(&'static str, &'static str, &'static str)> {
    match db {
        Db::Sqlite => None,
        Db::Postgres => Some((
            "DCMS_TEST_POSTGRES_URL",
            "the PostgreSQL server tests",
            "TEMPLATE template0",
        )),
        Db::Mysql => Some((
            "DCMS_TEST_MYSQL_URL",
            "the MariaDB server tests",
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        )),
    }
}

/// Runs one statement on the server behind `admin` (a PostgreSQL or MySQL URL).
async fn admin_sql(admin: &str, sql: String) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql);
    if admin.starts_with("postgres") {
        let mut c = sqlx::postgres::PgConnection::connect(admin).await?;
        sqlx::raw_sql(sql).execute(&mut c).await?;
        c.close().await
    } else {
        let mut c = sqlx::mysql::MySqlConnection::connect(admin).await?;
        sqlx::raw_sql(sql).execute(&mut c).await?;
        c.close().await
    }
}

/// The database URL of a fresh database on `db` (None for SQLite, which the
/// server keeps in its data folder), or Err(()) when that engine is not
/// configured and the test is skipped.
async fn fresh_db(db: Db) -> Result<Option<String>, ()> {
    let Some((var, what, options)) = engine(db) else {
        return Ok(None);
    };
    let admin = env_or_skip(what, &[var]).ok_or(())?.remove(0);
    let name = unique("dcms_srv_");
    admin_sql(&admin, format!("CREATE DATABASE {name} {options}"))
        .await
        .expect("create the test database");
    let (base, _) = admin.rsplit_once('/').expect("a URL ending in /database");
    Ok(Some(format!("{base}/{name}")))
}

/// Drops a database `fresh_db` made (best effort: a leftover is harmless).
async fn drop_db(url: &str) {
    let Some((_, name)) = url.rsplit_once('/') else {
        return;
    };
    let (db, force) = if url.starts_with("postgres") {
        (Db::Postgres, " WITH (FORCE)")
    } else if url.starts_with("mysql") {
        (Db::Mysql, "")
    } else {
        return;
    };
    let Some(admin) = engine(db).and_then(|(var, _, _)| std::env::var(var).ok()) else {
        return;
    };
    let _ = admin_sql(&admin, format!("DROP DATABASE IF EXISTS {name}{force}")).await;
}

/// A running server.
pub struct Server {
    pub base: String,
    /// The PostgreSQL or MariaDB database made for this server (dropped by
    /// `finish`).
    made_db: Option<String>,
    pub dir: PathBuf,
    pub key: DevKey,
    child: Option<Child>,
    http: reqwest::Client,
    opts: Opts,
}

/// Spawns the binary and waits for its "listening" line.
async fn launch(dir: &std::path::Path, opts: &Opts, log: &str) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dcms-server"));
    cmd.arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--jwks")
        .arg(dir.join("jwks.json"))
        .args(&opts.args)
        .env_remove("DCMS_DATABASE_URL")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join(log)).unwrap())
        .kill_on_drop(true);
    if let Some(url) = &opts.database_url {
        cmd.arg("--database-url").arg(url);
    }
    for (k, v) in &opts.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start dcms-server");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("dcms-server listening on ") {
                return url.to_string();
            }
        }
        panic!(
            "the server exited before listening:\n{}",
            std::fs::read_to_string(dir.join(log)).unwrap_or_default()
        );
    })
    .await
    .expect("the server starts within 60 s");
    // Keep reading stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

/// Options of a test server.
#[derive(Default, Clone)]
pub struct Opts {
    pub database_url: Option<String>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Server {
    /// A server on SQLite.
    pub async fn sqlite() -> Server {
        Server::start(Opts::default()).await
    }

    /// A server on the store `db`, or None when that engine is not configured.
    pub async fn on(db: Db) -> Option<Server> {
        Server::on_with(db, Opts::default()).await
    }

    /// A server on a fresh database of `db` with the other options of
    /// `opts`, or None when that engine is not configured.
    pub async fn on_with(db: Db, mut opts: Opts) -> Option<Server> {
        let url = fresh_db(db).await.ok()?;
        opts.database_url = url.clone();
        let mut s = Server::start(opts).await;
        s.made_db = url;
        Some(s)
    }

    pub async fn start(opts: Opts) -> Server {
        let dir = std::env::temp_dir().join(unique("dcms-server-test-"));
        std::fs::create_dir_all(&dir).unwrap();
        let key = DevKey::generate().unwrap();
        std::fs::write(
            dir.join("jwks.json"),
            serde_json::to_vec(&jwks(&[&key])).unwrap(),
        )
        .unwrap();
        let (child, base) = launch(&dir, &opts, "server.log").await;
        Server {
            base,
            made_db: None,
            dir,
            key,
            child: Some(child),
            // A hung request fails its test instead of stalling the suite.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            opts,
        }
    }

    /// Starts the server again on the same data, keys and options (after
    /// `terminate`); its log goes to `server-2.log`.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "terminate first");
        let (child, base) = launch(&self.dir, &self.opts, "server-2.log").await;
        self.child = Some(child);
        self.base = base;
    }

    /// Stops the server and drops its database, if the harness made one.
    pub async fn finish(mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
        if let Some(url) = self.made_db.take() {
            drop_db(&url).await;
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().and_then(|c| c.id()).expect("running")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.pid();
        let ok = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(ok.success());
        let mut child = self.child.take().unwrap();
        tokio::time::timeout(Duration::from_secs(60), child.wait())
            .await
            .unwrap()
            .unwrap()
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Claims with valid defaults.
    pub fn claims(&self, role: Role, account: Option<&str>, vendor: Option<&str>) -> Claims {
        let now = jsonwebtoken::get_current_timestamp();
        Claims {
            sub: format!("{role:?}-test"),
            role,
            account: account.map(str::to_string),
            vendor: vendor.map(str::to_string),
            exp: now + 3600,
            nbf: now - 5,
            iss: "dcms-dev".into(),
            aud: "dcms-api".into(),
        }
    }

    pub fn token(&self, claims: &Claims) -> String {
        self.key.sign(claims).unwrap()
    }

    pub fn admin(&self) -> String {
        self.token(&self.claims(Role::Admin, None, None))
    }

    pub fn vendor(&self, id: &str) -> String {
        self.token(&self.claims(Role::Vendor, None, Some(id)))
    }

    pub fn customer(&self, account: &str) -> String {
        self.token(&self.claims(Role::Customer, Some(account), None))
    }

    /// Sends a request; `key` becomes the Idempotency-Key header.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Resp::from(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None, None).await
    }

    /// A POST with a fresh idempotency key.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(
            Method::POST,
            path,
            Some(token),
            Some(&unique("k")),
            Some(body),
        )
        .await
    }

    /// Registers a USD vendor (unique id) and returns its id.
    pub async fn new_vendor(&self, currency: &str) -> String {
        let id = unique("v");
        let r = self
            .post(
                "/v1/admin/vendors",
                &self.admin(),
                json!({"id": id, "name": "Test Shop", "currency": currency, "time_zone": "America/New_York"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        id
    }

    /// Opens an account and returns its id.
    pub async fn new_account(&self) -> String {
        let r = self
            .post("/v1/admin/accounts", &self.admin(), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json["id"].as_str().unwrap().to_string()
    }

    /// Credits a sale's change (total, tendered) and returns the points.
    pub async fn credit(&self, vendor: &str, account: &str, total: &str, tendered: &str) -> i64 {
        let r = self
            .post(
                &format!("/v1/vendors/{vendor}/credits"),
                &self.vendor(vendor),
                json!({"account": account, "total": total, "tendered": tendered}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json["points"].as_i64().unwrap()
    }

    /// Available points of an account in a currency.
    pub async fn available(&self, account: &str, currency: &str) -> i64 {
        let r = self
            .get(
                &format!("/v1/accounts/{account}/balances"),
                &self.customer(account),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json["balances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == currency)
            .map(|b| b["available"].as_i64().unwrap())
            .unwrap_or(0)
    }

    /// Runs verify as admin and asserts the ledger is sound.
    pub async fn assert_verified(&self) -> Value {
        let r = self.get("/v1/admin/verify", &self.admin()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["ok"], true, "{}", r.text);
        r.json
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    async fn from(r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }

    /// Asserts a problem+json error with this status and code.
    pub fn problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.json["code"], code, "{}", self.text);
        let ct = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(ct, "application/problem+json");
        assert_eq!(
            self.json["status"].as_u64(),
            Some(u64::from(status.as_u16()))
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
