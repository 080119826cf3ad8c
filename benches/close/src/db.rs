//! The database a run measures: a fresh SQLite file in a temporary
//! directory, or a fresh PostgreSQL database on the bench server.

use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection};

use crate::Res;

/// Environment variable with the PostgreSQL server to create databases on.
pub const POSTGRES_VAR: &str = "DCMS_BENCH_POSTGRES_URL";

/// The engines this benchmark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "sqlite" => Ok(Engine::Sqlite),
            "postgres" => Ok(Engine::Postgres),
            _ => Err(format!("engine {s:?}: sqlite, postgres or all")),
        }
    }

    pub fn from_url(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Engine::Postgres)
        } else {
            Err("--existing: a sqlite:// or postgres:// URL".into())
        }
    }

    /// `SUM(expr)` as a 64-bit integer, as the store writes it (PostgreSQL
    /// widens a sum of BIGINT to NUMERIC).
    pub fn sum(self, expr: &str) -> String {
        match self {
            Engine::Sqlite => format!("COALESCE(SUM({expr}), 0)"),
            Engine::Postgres => format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)"),
        }
    }

    /// Rewrites `?` placeholders into the engine's syntax.
    pub fn sql(self, sql: &str) -> String {
        if self == Engine::Sqlite {
            return sql.to_string();
        }
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// What to remove when the run is over.
#[derive(Debug)]
enum Owned {
    Dir(PathBuf),
    Postgres { admin: String, name: String },
    Nothing,
}

/// A database under test.
#[derive(Debug)]
pub struct Database {
    pub engine: Engine,
    pub url: String,
    owned: Owned,
}

/// Registers sqlx's drivers for `Any` connections. sqlx takes one
/// registration per process; when the store registered first, its list
/// (which has both engines) stands.
pub fn install_drivers() {
    let _already_installed =
        sqlx::any::install_drivers(&[sqlx::sqlite::any::DRIVER, sqlx::postgres::any::DRIVER]);
}

impl Database {
    /// An already seeded database, left in place afterwards.
    pub fn existing(url: &str) -> Res<Database> {
        Ok(Database {
            engine: Engine::from_url(url)?,
            url: url.to_string(),
            owned: Owned::Nothing,
        })
    }

    /// A new, empty database.
    pub async fn fresh(engine: Engine) -> Res<Database> {
        let tag = format!("dcms_close_{}", std::process::id());
        match engine {
            Engine::Sqlite => {
                let dir = std::env::temp_dir().join(&tag);
                std::fs::create_dir_all(&dir)?;
                let url = format!("sqlite://{}?mode=rwc", dir.join("ledger.db").display());
                Ok(Database {
                    engine,
                    url,
                    owned: Owned::Dir(dir),
                })
            }
            Engine::Postgres => {
                let admin = std::env::var(POSTGRES_VAR).map_err(|_| {
                    format!("{POSTGRES_VAR} is not set: `. ~/.cache/dcms/services.env` first")
                })?;
                install_drivers();
                let mut c = sqlx::AnyConnection::connect(&admin).await?;
                sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {tag}")))
                    .execute(&mut c)
                    .await?;
                c.close().await?;
                let base = admin
                    .split('?')
                    .next()
                    .and_then(|u| u.rsplit_once('/'))
                    .map(|(base, _)| base)
                    .ok_or("the PostgreSQL URL has no database name")?;
                Ok(Database {
                    engine,
                    url: format!("{base}/{tag}"),
                    owned: Owned::Postgres { admin, name: tag },
                })
            }
        }
    }

    /// The URL with any password hidden, for messages.
    pub fn shown_url(&self) -> String {
        match (self.url.find("://"), self.url.rfind('@')) {
            (Some(s), Some(at)) if at > s => match self.url[s + 3..at].split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &self.url[..s + 3], &self.url[at..]),
                None => self.url.clone(),
            },
            _ => self.url.clone(),
        }
    }

    /// Removes what this run created (unless `keep`).
    pub async fn finish(self, keep: bool) -> Res<()> {
        if keep {
            if !matches!(self.owned, Owned::Nothing) {
                eprintln!("kept {} database: {}", self.engine.name(), self.shown_url());
            }
            return Ok(());
        }
        match self.owned {
            Owned::Dir(dir) => std::fs::remove_dir_all(dir)?,
            Owned::Postgres { admin, name } => {
                let mut c = sqlx::AnyConnection::connect(&admin).await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut c)
                .await?;
                c.close().await?;
            }
            Owned::Nothing => {}
        }
        Ok(())
    }
}
