//! What the demo prints: per-vendor totals and customer balances.

use std::collections::BTreeMap;

use dcms_core::calendar::Month;
use dcms_core::{AccountRef, CurrencyCode, CustomerId, Ledger, Result, TxKind, Vendor};

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
            .activity(
                &AccountRef::Vendor(v.id.clone(), v.currency.code),
                &[start, end],
            )
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
    // Points of different currencies are never added together.
    let mut by_currency: BTreeMap<CurrencyCode, Vec<(i64, CustomerId)>> = BTreeMap::new();
    for c in customers {
        for (currency, b) in ledger.balance(*c).await?.iter() {
            by_currency
                .entry(currency)
                .or_default()
                .push((b.available, *c));
        }
    }
    println!();
    println!(
        "{} regular customers hold, per currency (never added across currencies):",
        customers.len()
    );
    for (currency, mut holders) in by_currency {
        holders.sort_by(|a, b| b.cmp(a));
        let total: i64 = holders.iter().map(|(b, _)| b).sum();
        let top = holders
            .iter()
            .take(3)
            .map(|(points, id)| format!("{id} holds {points}"))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "  {currency}: {total} points on {} accounts; top: {top}",
            holders.len()
        );
    }
    Ok(())
}
