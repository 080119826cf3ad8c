//! What the demo prints: per-vendor totals and customer balances.

use dcms_core::calendar::Month;
use dcms_core::{AccountRef, CustomerId, Ledger, Result, TxKind, Vendor};

/// Prints the month's per-vendor totals and the customers' balances.
pub async fn print(
    ledger: &Ledger,
    vendors: &[Vendor],
    customers: &[CustomerId],
    month: Month,
) -> Result<()> {
    println!();
    println!(
        "{:<22} {:>4} {:>8} {:>10} {:>10} {:>12}",
        "vendor", "cur", "sales", "credited", "redeemed", "liability"
    );
    for v in vendors {
        let (start, end) = month.bounds(v.time_zone)?;
        let activity = ledger
            .store()
            .activity(&AccountRef::Vendor(v.id.clone()), &[start, end])
            .await?;
        let mut sales = 0;
        let mut credited = 0;
        let mut redeemed = 0;
        for t in activity.buckets.iter().flatten() {
            match t.kind {
                TxKind::ChangeCredit => {
                    sales += t.count;
                    credited -= t.points;
                }
                TxKind::Redemption | TxKind::HoldCapture => redeemed += t.points,
                _ => {}
            }
        }
        let liability = ledger.vendor_liability(&v.id).await?;
        println!(
            "{:<22} {:>4} {:>8} {:>10} {:>10} {:>12}",
            v.id.as_str(),
            v.currency.code,
            sales,
            credited,
            redeemed,
            liability
        );
    }
    let mut balances = Vec::new();
    for c in customers {
        balances.push((ledger.balance(*c).await?.available, *c));
    }
    balances.sort_by(|a, b| b.cmp(a));
    let total: i64 = balances.iter().map(|(b, _)| b).sum();
    println!();
    println!(
        "{} customers hold {total} points; the top five:",
        balances.len()
    );
    for (points, id) in balances.iter().take(5) {
        println!("  account {id}: {points} points");
    }
    Ok(())
}
