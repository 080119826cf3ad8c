//! # dcms-node
//!
//! The native half of the `dcms` npm package: napi-rs bindings over
//! `dcms-core` (the ledger) and `dcms-store` (SQLite, PostgreSQL,
//! MySQL/MariaDB). `@napi-rs/cli` builds it into `dcms.<platform>.node` and
//! writes `index.d.ts` from the `#[napi]` items here; the package's
//! `index.cjs` / `index.mjs` add the JavaScript half (error classes, the
//! history's async iterator) over the generated loader `native.cjs`.
//!
//! The binding holds no business rules: each method converts its
//! arguments, calls one core function on napi's Tokio runtime (every
//! method returns a Promise, so the event loop never waits on a store), and
//! converts the result or error back. Money is a decimal string (a JS
//! number is refused), points are safe-integer numbers or bigints, times
//! are `Date`s, and core errors carry the core's stable `code`.

mod clock;
mod convert;
mod errors;
mod history;
mod ledger;
mod objects;
mod run;
mod types;

// The JavaScript-facing items, also public in Rust so every `#[napi]` item
// stays reachable when the macro's registration is compiled out (tests).
pub use clock::ManualClock;
pub use history::{History, Page};
pub use ledger::{open, Ledger, OpenOptions};
pub use objects::LocalDirStore;
