//! The one Tokio runtime that drives the async core, and the helper that
//! runs a core future on it with the GIL released.
//!
//! `block_on` polls the future on the calling Python thread (an in-memory
//! store answers without ever leaving it); the runtime's worker threads run
//! what the SQL stores spawn (connection pools, group-commit writers).
//! A process that forks after the first call must not use the ledger in
//! the child: the runtime's threads do not survive a fork.

use std::future::Future;
use std::sync::OnceLock;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared multi-thread runtime, built on first use.
fn runtime() -> PyResult<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .thread_name("dcms-runtime")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the DCMS runtime: {e}")))
}

/// Runs `fut` to completion with the GIL released, so other Python threads
/// run meanwhile.
pub(crate) fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime()?;
    Ok(py.detach(|| rt.block_on(fut)))
}
