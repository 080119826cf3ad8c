//! `dcms.open()` and the `Ledger` class: one core `dcms_core::Ledger`
//! behind each Python object. The methods live in the sibling files, one
//! file per group of core operations; each converts its arguments, calls
//! one core function with the GIL released, and converts the result back.

mod accounts;
mod analytics;
mod batch;
mod config;
mod expiry;
mod reads;
mod statements;
mod writes;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Duration;
use dcms_core::{CurrencyCode, DynLedgerStore, MemoryStore};
use dcms_store::StoreOptions;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::Borrowed;

pub(crate) use batch::CreditChange;
use config::{Rates, Settings};

use crate::clock::ManualClock;
use crate::convert::Zone;
use crate::errors::CoreResult;
use crate::runtime::block_on;

/// The points ledger of one program. Safe to share between threads: every
/// call releases the GIL while the core works.
#[pyclass(module = "dcms", name = "Ledger", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct Ledger {
    pub(crate) inner: dcms_core::Ledger,
    backend: &'static str,
}

impl Ledger {
    /// Runs a core future with the GIL released and converts its error.
    pub(crate) fn run<T, F>(&self, py: Python<'_>, fut: F) -> PyResult<T>
    where
        F: Future<Output = dcms_core::Result<T>> + Send,
        T: Send,
    {
        block_on(py, fut)?.py(py)
    }

    /// A currency code the program uses (`unknown_currency` otherwise).
    pub(crate) fn currency(&self, py: Python<'_>, code: &str) -> PyResult<CurrencyCode> {
        Ok(self.inner.currency(code).py(py)?.code)
    }
}

#[pymethods]
impl Ledger {
    /// Which store keeps this ledger: `memory`, `sqlite`, `postgres` or `mysql`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.backend
    }

    /// The rates set per currency: points per minor unit of change, by
    /// currency code. A currency not listed earns 1 point per minor unit.
    #[getter]
    fn points_per_minor(&self) -> BTreeMap<String, i64> {
        self.inner
            .config()
            .points_per_minor
            .iter()
            .map(|(code, rate)| (code.to_string(), *rate))
            .collect()
    }

    /// Points per minor unit of change in `currency` (e.g. `"JPY"`).
    fn points_per_minor_in(&self, py: Python<'_>, currency: &str) -> PyResult<i64> {
        let code = self.currency(py, currency)?;
        Ok(self.inner.config().points_per_minor_in(code))
    }

    /// The program's time zone (the day of the per-day transfer limit and
    /// the date in expiry keys).
    #[getter]
    fn time_zone(&self) -> &str {
        self.inner.config().time_zone.name()
    }

    fn __repr__(&self) -> String {
        format!("Ledger(backend={:?})", self.backend)
    }
}

/// Where a ledger is kept, as `dcms.open` was told.
pub(crate) enum Backend {
    /// The in-memory store (lost when the process ends).
    Memory,
    /// A `dcms_store` URL.
    Url(String),
}

/// The `url` argument of `dcms.open`: a URL, a file path, or None.
pub(crate) struct StoreArg(Backend);

impl<'a, 'py> FromPyObject<'a, 'py> for StoreArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text = match obj.extract::<String>() {
            Ok(text) => text,
            Err(_) => {
                let path: PathBuf = obj.extract().map_err(|_| {
                    PyTypeError::new_err("url is a str (a URL or a file path) or an os.PathLike")
                })?;
                path.to_str()
                    .ok_or_else(|| PyValueError::new_err("the path is not valid UTF-8"))?
                    .to_string()
            }
        };
        if text == "memory:" {
            return Ok(StoreArg(Backend::Memory));
        }
        if text.contains("://") || text.starts_with("sqlite:") {
            return Ok(StoreArg(Backend::Url(text)));
        }
        if text.is_empty() || text.contains(['?', '#', '%']) {
            return Err(PyValueError::new_err(format!(
                "{text:?} is not a usable SQLite file path; pass a sqlite:// URL instead"
            )));
        }
        // A plain file path: the embedded SQLite default, created if absent.
        Ok(StoreArg(Backend::Url(format!("sqlite://{text}?mode=rwc"))))
    }
}

/// Opens a ledger.
///
/// `url` is None or `"memory:"` (in memory), a SQLite file path (created if
/// absent), or a URL: `sqlite://file.db?mode=rwc`, `postgres://user:pass@host/db`,
/// `mysql://user:pass@host/db`.
///
/// The program's settings: `points_per_minor` is one int for every
/// currency or a dict per currency code (`{"JPY": 1, "USD": 10}`; a
/// currency not listed earns 1 point per minor unit); `transfer_limits`
/// maps a currency code to `{"per_transfer": int, "per_day": int}` (either
/// may be left out or None: no limit); `expiry_months` makes points expire
/// after that many months without activity (None: never); `time_zone` is
/// the program's IANA zone (the day of the per-day transfer limit; UTC by
/// default); `account_id_width` and `hold_ttl` as in the core; `clock`
/// replaces the system clock (tests, simulations). For SQL stores,
/// `max_connections` sizes the pool and `acquire_timeout` (a `timedelta`)
/// is how long a call waits for a connection before
/// `StorageUnavailableError`.
#[pyfunction]
#[pyo3(signature = (url = None, *, points_per_minor = Rates::All(1), account_id_width = 6, hold_ttl = None, time_zone = None, transfer_limits = None, expiry_months = None, clock = None, max_connections = None, acquire_timeout = None), text_signature = "(url=None, *, points_per_minor=1, account_id_width=6, hold_ttl=None, time_zone=None, transfer_limits=None, expiry_months=None, clock=None, max_connections=None, acquire_timeout=None)")]
#[allow(clippy::too_many_arguments)]
pub(crate) fn open(
    py: Python<'_>,
    url: Option<StoreArg>,
    points_per_minor: Rates,
    account_id_width: u8,
    hold_ttl: Option<Duration>,
    time_zone: Option<Zone>,
    transfer_limits: Option<BTreeMap<String, BTreeMap<String, Option<i64>>>>,
    expiry_months: Option<u32>,
    clock: Option<Bound<'_, ManualClock>>,
    max_connections: Option<u32>,
    acquire_timeout: Option<Duration>,
) -> PyResult<Ledger> {
    let config = Settings {
        points_per_minor,
        account_id_width,
        hold_ttl,
        time_zone: time_zone.map(|z| z.0),
        transfer_limits,
        expiry_months,
    }
    .into_config(py)?;
    let backend = url.map_or(Backend::Memory, |u| u.0);
    let mut options = StoreOptions::default();
    if let Some(n) = max_connections {
        options = options.with_max_connections(n);
    }
    if let Some(t) = acquire_timeout {
        let t = t
            .to_std()
            .map_err(|_| PyValueError::new_err("acquire_timeout must not be negative"))?;
        options = options.with_acquire_timeout(t);
    }
    if matches!(backend, Backend::Memory) && options != StoreOptions::default() {
        return Err(PyValueError::new_err(
            "max_connections and acquire_timeout apply to SQL stores, not to the in-memory one",
        ));
    }
    let name = match &backend {
        Backend::Memory => "memory",
        Backend::Url(u) => dcms_store::Engine::from_url(u).map_or("unknown", |e| e.name()),
    };
    let opened = block_on(py, async move {
        let store: DynLedgerStore = match backend {
            Backend::Memory => Arc::new(MemoryStore::new()),
            Backend::Url(url) => dcms_store::open_with(&url, options).await?,
        };
        dcms_core::Ledger::open(store, config).await
    })?
    .py(py)?;
    let inner = match clock {
        Some(c) => opened.with_clock(c.get().inner.clone()),
        None => opened,
    };
    Ok(Ledger {
        inner,
        backend: name,
    })
}
