//! `open()` and the `Ledger` class: one core `dcms_core::Ledger` behind
//! each JavaScript object. The methods live in the sibling files, one file
//! per group of core operations; each converts its arguments, awaits one
//! core call on the Tokio runtime, and converts the result back.

mod accounts;
mod analytics;
mod batch;
mod columns;
mod config;
mod expiry;
mod reads;
mod statements;
mod writes;

use std::collections::HashMap;
use std::sync::Arc;

use dcms_core::{CurrencyCode, DynLedgerStore, MemoryStore};
use dcms_store::StoreOptions;
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

pub use config::OpenOptions;

use crate::convert::{count, millis, PointCount};
use crate::errors::{type_error, CoreResult};
use crate::run::{run, Js};

/// The points ledger of one program. Every method returns a Promise; many
/// calls may be in flight at once.
#[napi]
#[derive(Debug, Clone)]
pub struct Ledger {
    pub(crate) inner: dcms_core::Ledger,
    backend: &'static str,
}

impl Ledger {
    /// A currency code the program uses (`unknown_currency` otherwise).
    pub(crate) fn currency(&self, code: &str) -> napi::Result<CurrencyCode> {
        Ok(self.inner.currency(code).js()?.code)
    }
}

#[napi]
impl Ledger {
    /// Which store keeps this ledger: `memory`, `sqlite`, `postgres` or `mysql`.
    #[napi(
        getter,
        ts_return_type = "'memory' | 'sqlite' | 'postgres' | 'mysql' | 'unknown'"
    )]
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The rates set per currency: points per minor unit of change, by
    /// currency code. A currency not listed earns 1 point per minor unit.
    #[napi(getter)]
    pub fn points_per_minor(&self) -> HashMap<String, PointCount> {
        self.inner
            .config()
            .points_per_minor
            .iter()
            .map(|(code, rate)| (code.to_string(), count(*rate)))
            .collect()
    }

    /// The program's time zone (the day of the per-day transfer limit and
    /// the date in expiry keys).
    #[napi(getter)]
    pub fn time_zone(&self) -> String {
        self.inner.config().time_zone.name().to_string()
    }

    /// Points per minor unit of change in `currency` (e.g. `"JPY"`).
    #[napi(ts_return_type = "Promise<PointCount>")]
    pub fn points_per_minor_in<'env>(
        &self,
        env: &'env Env,
        currency: String,
    ) -> napi::Result<Js<'env, PointCount>> {
        let rate = self
            .currency(&currency)
            .map(|code| count(self.inner.config().points_per_minor_in(code)));
        run(env, async move { rate })
    }
}

/// Where a ledger is kept, as `open` was told.
enum Backend {
    /// The in-memory store (lost when the process ends).
    Memory,
    /// A `dcms_store` URL.
    Url(String),
}

/// The store a `url` argument names: absent or `"memory:"`, a URL, or a
/// SQLite file path.
fn backend_of(url: Option<String>) -> napi::Result<Backend> {
    let Some(text) = url else {
        return Ok(Backend::Memory);
    };
    if text == "memory:" {
        return Ok(Backend::Memory);
    }
    if text.contains("://") || text.starts_with("sqlite:") {
        return Ok(Backend::Url(text));
    }
    if text.is_empty() || text.contains(['?', '#', '%']) {
        return Err(type_error(format!(
            "{text:?} is not a usable SQLite file path; pass a sqlite:// URL instead"
        )));
    }
    // A plain file path: the embedded SQLite default, created if absent.
    Ok(Backend::Url(format!("sqlite://{text}?mode=rwc")))
}

/// Opens a ledger.
///
/// `url` is absent or `"memory:"` (in memory), a SQLite file path (created
/// if absent), or a URL: `sqlite://file.db?mode=rwc`,
/// `postgres://user:pass@host/db`, `mysql://user:pass@host/db`. `options`
/// holds the program's settings (see `OpenOptions`).
#[napi(ts_return_type = "Promise<Ledger>")]
pub fn open<'env>(
    env: &'env Env,
    url: Option<String>,
    options: Option<OpenOptions>,
) -> napi::Result<PromiseRaw<'env, Ledger>> {
    let options = options.unwrap_or_default();
    let backend = backend_of(url)?;
    let mut store_options = StoreOptions::default();
    if let Some(n) = options.max_connections {
        store_options = store_options.with_max_connections(n);
    }
    if let Some(ms) = options.acquire_timeout_ms {
        let t = millis(ms, "acquireTimeoutMs")?
            .to_std()
            .map_err(|_| type_error("acquireTimeoutMs must not be negative"))?;
        store_options = store_options.with_acquire_timeout(t);
    }
    if matches!(backend, Backend::Memory) && store_options != StoreOptions::default() {
        return Err(type_error(
            "maxConnections and acquireTimeoutMs apply to SQL stores, not to the in-memory one",
        ));
    }
    // The clock is read here, on the JavaScript thread; only its Arc moves on.
    let clock = options.clock.as_ref().map(|c| c.inner.clone());
    let config = options.into_config()?;
    let name = match &backend {
        Backend::Memory => "memory",
        Backend::Url(u) => dcms_store::Engine::from_url(u).map_or("unknown", |e| e.name()),
    };
    env.spawn_future(async move {
        let store: DynLedgerStore = match backend {
            Backend::Memory => Arc::new(MemoryStore::new()),
            Backend::Url(url) => dcms_store::open_with(&url, store_options).await.js()?,
        };
        let opened = dcms_core::Ledger::open(store, config).await.js()?;
        let inner = match clock {
            Some(c) => opened.with_clock(c),
            None => opened,
        };
        Ok(Ledger {
            inner,
            backend: name,
        })
    })
}
