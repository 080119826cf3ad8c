//! Integration tests: each starts the real `dcms-server` binary on
//! 127.0.0.1 and talks HTTP to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod harness;

mod auth;
mod backends;
mod codes;
mod idempotency;
mod main_path;
mod openapi;
mod shutdown;
mod wire;
