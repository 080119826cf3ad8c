//! Reusable test suites every implementation of a port runs with one call.
//!
//! Enabled by the `conformance` feature. Each suite panics with the name of
//! the failed case, so a backend's test is one line:
//! `dcms_core::conformance::ledger::run_all(|| async { fresh_store().await }).await`.

// Test code, not library code: this module is compiled only with the
// `conformance` feature, which backends enable in their dev-dependencies to
// run it from `cargo test`. A failed expectation is a panic naming the case
// (and `unwrap` of a setup step that must succeed), which is how the test
// runner reports it; no caller of the library reaches this code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod ledger;
pub mod lines;
pub mod objects;
