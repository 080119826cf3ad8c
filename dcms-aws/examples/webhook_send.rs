//! Sends one real "statement ready" notification with [`WebhookNotifier`],
//! so receivers written with the published Standard Webhooks libraries
//! (`tests/webhooks/`, run by `scripts/test-webhooks.sh`) check what DCMS
//! really sends.
//!
//! ```text
//! webhook_send --url URL --secret whsec_… [--age SECS] [--legacy] [--period yyyy-mm]
//! ```
//! `--age` signs as if sent SECS seconds ago: what a captured request
//! replayed that much later looks like. Prints `delivered <webhook-id>` and
//! exits 0 on a 2xx; prints the error and exits 1 when the receiver refuses.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use dcms_aws::{WebhookNotifier, WebhookSecret};
use dcms_core::{ManualClock, Result, StatementReady, VendorId};

struct Args {
    url: String,
    secret: String,
    age: i64,
    legacy: bool,
    period: String,
}

fn parse() -> std::result::Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        secret: String::new(),
        age: 0,
        legacy: false,
        period: "2026-01".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--secret" => args.secret = value()?,
            "--age" => args.age = value()?.parse().map_err(|_| "--age takes seconds")?,
            "--period" => args.period = value()?,
            "--legacy" => args.legacy = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.url.is_empty() || args.secret.is_empty() {
        return Err("--url and --secret are required".into());
    }
    Ok(args)
}

async fn send(args: &Args) -> Result<String> {
    let secret = WebhookSecret::parse(&args.secret)?;
    let sent_at = chrono::Utc::now() - chrono::Duration::seconds(args.age);
    let notifier = WebhookNotifier::builder(&args.url, secret)
        .legacy_headers(args.legacy)
        .clock(Arc::new(ManualClock::new(sent_at)))
        .max_attempts(1)
        .timeout(Duration::from_secs(10))
        .build()?;
    let statement = StatementReady {
        vendor: VendorId::new("corner-shop")?,
        period: args.period.clone(),
        objects: vec![format!("statements/corner-shop/{}.json", args.period)],
        digest: format!("sha256:example-{}", args.period),
    };
    let notification = notifier.notification(&statement);
    notifier.deliver(&notification).await?;
    Ok(notification.id())
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(why) => {
            eprintln!("webhook_send: {why}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("webhook_send: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(send(&args)) {
        Ok(id) => {
            println!("delivered {id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("webhook_send: {e}");
            ExitCode::FAILURE
        }
    }
}
