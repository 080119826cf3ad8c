//! The end of the demo's month: statements and receipts in the local object
//! directory (the embedded default), vendors told through the log notifier.

use std::path::Path;
use std::time::Duration;

use dcms_core::calendar::Month;
use dcms_core::notify_log::LogNotifier;
use dcms_core::object_local::LocalDirStore;
use dcms_core::statement::{close_month, issue_receipt, CloseOptions, LineItem};
use dcms_core::{JournalQuery, Ledger, Order, Result, Sse, TxKind};
use rust_decimal::Decimal;

/// Closes `month` and issues a receipt for the month's last sale.
pub async fn run(ledger: &Ledger, month: Month, data_dir: &Path) -> Result<()> {
    let objects = LocalDirStore::open(data_dir.join("objects"))?;
    let notifier = LogNotifier::quiet();
    println!();
    println!("closing {month}:");
    let opts = CloseOptions {
        month,
        vendors: None,
        sse: Sse::S3,
    };
    let report = close_month(ledger, &objects, &notifier, &opts, &mut |i, n, v| {
        println!("  [{i}/{n}] {} {}: {} lines", v.vendor, v.outcome, v.lines);
    })
    .await?;
    for (vendor, e) in &report.failed {
        println!("  {vendor} FAILED: {e}");
    }
    for v in &report.closed {
        for key in &v.objects {
            println!("  {}", objects.root().join("objects").join(key).display());
        }
    }
    let last_sale = ledger
        .store()
        .journal(&JournalQuery {
            order: Order::NewestFirst,
            limit: 100,
            ..JournalQuery::default()
        })
        .await?
        .items
        .into_iter()
        .find(|t| t.kind == TxKind::ChangeCredit);
    if let Some(tx) = last_sale {
        let items = [LineItem {
            description: "Groceries".into(),
            quantity: 1,
            amount: tx
                .cash
                .map(|c| c.total.to_decimal())
                .unwrap_or(Decimal::ZERO),
        }];
        let receipt = issue_receipt(
            ledger,
            &objects,
            tx.id,
            &items,
            Duration::from_secs(3600),
            Sse::S3,
        )
        .await?;
        println!(
            "receipt of {}: {}",
            tx.id,
            objects.root().join("objects").join(&receipt.key).display()
        );
        println!(
            "  shared as {} (expires {})",
            receipt.url.url,
            receipt.url.expires_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    Ok(())
}
