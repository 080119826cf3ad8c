//! The DCMS demo: simulates a month of cash sales at a few stores, credits
//! each sale's coin change to customers' accounts, lets some customers spend
//! and share their points, and prints balances and per-vendor totals. One
//! customer travels between New York and Tokyo and ends with two balances,
//! one per currency.
//!
//! `cargo run --release -p dcms-demo` keeps the ledger in `./dcms-data/`;
//! each run simulates the month after the previous run's.

mod close;
mod report;
mod simulate;
mod traveller;

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match simulate::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e} (code {})", e.code());
            ExitCode::FAILURE
        }
    }
}
