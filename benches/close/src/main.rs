//! Month-close benchmark (issue 5, item 9): `close_month` for every vendor
//! over a seeded month, beside a plain SQL GROUP BY of the same totals,
//! measured in the same run on SQLite and PostgreSQL.
//!
//! ```sh
//! . ~/.cache/dcms/services.env      # DCMS_BENCH_POSTGRES_URL
//! cargo run --release -p dcms-bench-close -- --engine all --vendors 1000 --rows 1000000
//! ```
//!
//! The parent process seeds a fresh database through the `Ledger` API, then
//! runs each measured phase in a child process of this same binary (so each
//! phase's peak RSS, `VmHWM`, is its own) and prints a table. See
//! `benches/README.md` for what each phase does and the figures.

// Top level of a benchmark harness: a failure here should abort the run
// with a message, which is what `expect("why")` does.
#![allow(clippy::expect_used)]

mod args;
mod calendar;
mod child;
mod clock;
mod db;
mod machine;
mod phase;
mod procfs;
mod report;
mod rng;
mod run;
mod seed;
mod seed_ops;
mod totals;

/// Errors of the harness: whatever failed, with its message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// Results of the harness.
pub type Res<T> = Result<T, BoxError>;

fn main() {
    let cli = args::parse(std::env::args().skip(1)).unwrap_or_else(|e| {
        eprintln!("{e}\n\n{}", args::USAGE);
        std::process::exit(2)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("cannot start the Tokio runtime");
    match cli {
        args::Cli::Help => println!("{}", args::USAGE),
        args::Cli::Phase(p) => {
            let result = runtime.block_on(phase::run(&p)).expect("the phase failed");
            println!(
                "{}",
                serde_json::to_string(&result).expect("cannot encode the phase result")
            );
        }
        args::Cli::Bench(opts) => runtime
            .block_on(run::all(&opts))
            .expect("the benchmark failed"),
    }
}
