//! What every handler shares.

use std::ops::Deref;
use std::sync::Arc;

use dcms_core::codes::RedemptionCodes;
use dcms_core::object_local::LocalDirStore;
use dcms_core::{DynNotifier, DynObjectStore, Ledger};

use crate::auth::KeyRing;
use crate::idempotency::InFlight;

/// The server's shared state (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Inner {
    /// The ledger.
    pub ledger: Ledger,
    /// One-time redemption codes.
    pub codes: RedemptionCodes,
    /// Statements and receipts.
    pub objects: DynObjectStore,
    /// The same store when it is the local folder: the server then serves
    /// its `dcms-local://` pre-signed links itself, on `/objects/...`.
    pub local_objects: Option<Arc<LocalDirStore>>,
    /// Who is told a statement is ready.
    pub notifier: DynNotifier,
    /// Token verification.
    pub keys: Arc<KeyRing>,
    /// Idempotency keys in progress.
    pub inflight: Arc<InFlight>,
}

impl AppState {
    /// Wraps the parts.
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
