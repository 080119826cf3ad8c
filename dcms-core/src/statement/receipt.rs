//! Receipts: one per transaction, stored encrypted, shared through a
//! pre-signed URL that expires.

use std::fmt::Write;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::TxId;
use crate::ledger::Ledger;
use crate::money::Money;
use crate::object::{ObjectStore, PresignedUrl, PutOptions, Sse};
use crate::transaction::{Transaction, TxKind};
use crate::vendor::Vendor;

/// A line of the sale, as the POS sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineItem {
    /// What was sold (1 to 200 printable characters).
    pub description: String,
    /// How many (1 to 10,000).
    pub quantity: u32,
    /// The line's amount in the vendor's currency.
    pub amount: Decimal,
}

/// A stored receipt and the link that shares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The transaction.
    pub tx: TxId,
    /// Where it is stored.
    pub key: String,
    /// A pre-signed URL that expires.
    pub url: PresignedUrl,
}

/// Where a transaction's receipt is kept.
pub fn receipt_key(tx: &Transaction, vendor: Option<&Vendor>) -> String {
    let tz = vendor.map(|v| v.time_zone).unwrap_or(chrono_tz::UTC);
    let owner = vendor
        .map(|v| v.id.to_string())
        .unwrap_or_else(|| "program".into());
    format!(
        "receipts/{owner}/{}/tx-{}.txt",
        tx.at.with_timezone(&tz).format("%Y-%m-%d"),
        tx.id.0
    )
}

/// The receipt as text: vendor, store and till, local time, sale, cash,
/// change handed back, points and the balance after.
pub fn render_receipt(
    tx: &Transaction,
    vendor: Option<&Vendor>,
    items: &[LineItem],
) -> Result<String> {
    let mut r = String::new();
    let tz = vendor.map(|v| v.time_zone).unwrap_or(chrono_tz::UTC);
    let _ = writeln!(
        r,
        "{}",
        vendor.map(|v| v.name.as_str()).unwrap_or("DCMS points")
    );
    if let Some(s) = &tx.pos.store_id {
        let _ = writeln!(r, "Store {s}");
    }
    if let Some(t) = &tx.pos.terminal_id {
        let _ = writeln!(r, "Till {t}");
    }
    if let Some(n) = &tx.pos.receipt_no {
        let _ = writeln!(r, "Receipt {n}");
    }
    let _ = writeln!(
        r,
        "{}",
        tx.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z")
    );
    let _ = writeln!(r, "Transaction {} ({})", tx.id, tx.kind.as_str());
    r.push('\n');
    for item in items {
        let n = item.description.trim().chars().count();
        if n == 0 || n > 200 || item.description.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "line item",
                "description must be 1 to 200 printable characters",
            ));
        }
        if !(1..=10_000).contains(&item.quantity) {
            return Err(Error::invalid_input(
                "line item",
                "quantity must be 1 to 10,000",
            ));
        }
        let amount = match vendor {
            Some(v) => Money::from_decimal(item.amount, v.currency)?.to_decimal(),
            None => item.amount,
        };
        let _ = writeln!(
            r,
            "{:>5} x {:<30} {:>12}",
            item.quantity, item.description, amount
        );
    }
    if let Some(cash) = &tx.cash {
        let _ = writeln!(r, "{:<28}{:>20}", "Total", cash.total.to_string());
        if cash.cash_total != cash.total {
            let _ = writeln!(
                r,
                "{:<28}{:>20}",
                "Cash total (rounded)",
                cash.cash_total.to_string()
            );
        }
        let _ = writeln!(
            r,
            "{:<28}{:>20}",
            "Cash tendered",
            cash.tendered.to_string()
        );
        let _ = writeln!(r, "{:<28}{:>20}", "Change", cash.change.to_string());
        let _ = writeln!(r, "{:<28}{:>20}", "Handed back", cash.hand_back.to_string());
        let _ = writeln!(
            r,
            "{:<28}{:>20}",
            "Credited to account",
            cash.credit.to_string()
        );
    }
    for p in &tx.postings {
        if let Some(c) = p.account.customer() {
            let verb = if p.points >= 0 {
                "Points added"
            } else {
                "Points used"
            };
            let cur = p.account.currency();
            let _ = writeln!(
                r,
                "{:<28}{:>20}",
                format!("{verb} ({c})"),
                format!("{} {cur}", p.points.abs())
            );
            if let Some(b) = tx.balance_after(c) {
                let _ = writeln!(
                    r,
                    "{:<28}{:>20}",
                    format!("Balance after ({cur})"),
                    format!("{b} {cur}")
                );
            }
        }
    }
    if tx.kind == TxKind::Reversal {
        if let (Some(t), Some(m)) = (tx.closes, &tx.memo) {
            let _ = writeln!(r, "Reverses {t}: {m}");
        }
    }
    Ok(r)
}

/// Renders a transaction's receipt, stores it encrypted and returns a URL
/// that reads it until `expires_in` has passed.
pub async fn issue_receipt(
    ledger: &Ledger,
    objects: &dyn ObjectStore,
    tx: TxId,
    items: &[LineItem],
    expires_in: Duration,
    sse: Sse,
) -> Result<Receipt> {
    let t = ledger.transaction(tx).await?;
    let vendor = match &t.vendor {
        Some(v) => Some(ledger.vendor(v).await?),
        None => None,
    };
    let text = render_receipt(&t, vendor.as_ref(), items)?;
    let key = receipt_key(&t, vendor.as_ref());
    objects
        .put(
            &key,
            text.into_bytes(),
            &PutOptions {
                content_type: "text/plain; charset=utf-8".into(),
                sse,
            },
        )
        .await?;
    let url = objects.presign_get(&key, expires_in).await?;
    Ok(Receipt { tx, key, url })
}
