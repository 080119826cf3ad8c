//! Reusable test suites every implementation of a port runs with one call.
//!
//! Enabled by the `conformance` feature. Each suite panics with the name of
//! the failed case, so a backend's test is one line:
//! `dcms_core::conformance::ledger::run_all(|| async { fresh_store().await }).await`.

// Test code: a failed expectation is a panic naming the case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod ledger;
pub mod objects;
