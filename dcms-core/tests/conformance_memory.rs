//! The in-memory store passes the ledger conformance suite.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use dcms_core::{DynLedgerStore, MemoryStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_conforms() {
    dcms_core::conformance::ledger::run_all(|| async {
        Arc::new(MemoryStore::new()) as DynLedgerStore
    })
    .await;
}
