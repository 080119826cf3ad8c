//! # dcms-server
//!
//! The DCMS example HTTP server: a thin layer of HTTP over [`dcms_core`].
//! Handlers convert a request to one core call and the result back; every
//! other step a request goes through lives in one place, in this order:
//!
//! 1. body size limit ([`app`]), request id and structured log ([`logging`]);
//! 2. the bearer token: signature, then claims ([`auth`]);
//! 3. role and ownership: the caller's own account or vendor ([`auth::caller`]);
//! 4. strict body decoding: amounts as decimal strings, unknown fields
//!    refused ([`wire`]);
//! 5. the `Idempotency-Key` header, scoped to the caller ([`idempotency`]);
//! 6. one core call, its error mapped to `application/problem+json` with
//!    the core's stable code ([`problem`]).
//!
//! `dcms-server` with no arguments serves the embedded default (SQLite and
//! a local object directory under `./dcms-data/`); `dcms-server dev-keys`
//! makes a development key pair, a JWKS and demo tokens ([`devkeys`]).

pub mod app;
pub mod auth;
pub mod backends;
pub mod config;
pub mod devkeys;
pub mod idempotency;
pub mod logging;
pub mod openapi;
pub mod problem;
pub mod route_table;
pub mod routes;
pub mod serve;
pub mod state;
pub mod tasks;
pub mod wire;
