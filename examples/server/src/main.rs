//! `dcms-server`: the DCMS example HTTP server (see the library docs).
//!
//! - `dcms-server [FLAGS]` serves (SQLite and a local object folder under
//!   `./dcms-data/` unless told otherwise; `--help` lists every flag and its
//!   environment variable);
//! - `dcms-server dev-keys` writes a development key pair and JWKS under
//!   `./dcms-data/jwt/` and prints demo tokens.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dcms_server::config::ServeArgs;
use dcms_server::devkeys::{self, DevKeysArgs};

#[derive(Debug, Parser)]
#[command(
    name = "dcms-server",
    version,
    about = "The DCMS example HTTP server",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve(Box<ServeArgs>),
    /// Make a development key pair, a JWKS and demo tokens.
    DevKeys(DevKeysArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("dcms-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::DevKeys(args)) => devkeys::run(&args).await,
            Some(Command::Serve(args)) => dcms_server::serve::run(*args).await,
            None => dcms_server::serve::run(cli.serve).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dcms-server: {e}");
            ExitCode::FAILURE
        }
    }
}
