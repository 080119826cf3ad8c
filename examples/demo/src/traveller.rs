//! The demo's travelling customer: one account that shops in New York (USD)
//! and in Tokyo (JPY), so it holds two balances, one per currency, and its
//! yen points never pay for anything in dollars.

use chrono::{DateTime, Duration, Utc};
use dcms_core::{
    CreditChange, CustomerId, Error, Ledger, ManualClock, PosRef, Redeem, Result, Vendor,
};
use rust_decimal::Decimal;

use crate::simulate::Rng;

/// The stores the traveller shops at, by vendor id.
pub const STORES: [&str; 2] = ["corner-nyc", "konbini-tokyo"];

/// The traveller's idempotency key for opening the account.
pub const ACCOUNT_KEY: &str = "demo-traveller";

/// The traveller's largest sale and the banknote it is paid with, in minor
/// units of the store's currency: 20.00 USD, or 3,000 JPY paid with 5,000.
fn basket(v: &Vendor) -> (i64, i64) {
    match v.currency.code.as_str() {
        "JPY" => (3000, 5000),
        _ => (2000, 2000),
    }
}

/// One cash sale a day at each of the traveller's stores.
pub async fn shop(
    ledger: &Ledger,
    vendors: &[Vendor],
    who: CustomerId,
    day: &str,
    at: DateTime<Utc>,
    clock: &ManualClock,
    rng: &mut Rng,
) -> Result<()> {
    for (i, v) in vendors
        .iter()
        .filter(|v| STORES.contains(&v.id.as_str()))
        .enumerate()
    {
        clock.set(at + Duration::minutes(i as i64));
        let (max_total, note) = basket(v);
        let minor = 1 + rng.below(max_total as u64) as i64;
        let scale = u32::from(v.currency.exponent);
        let receipt = format!("{day}-traveller");
        ledger
            .credit_change(&CreditChange {
                key: format!("{}/{receipt}", v.id),
                vendor: v.id.clone(),
                account: who,
                total: Decimal::new(minor, scale),
                tendered: Decimal::new(note, scale),
                pos: PosRef {
                    store_id: Some("main".into()),
                    terminal_id: Some("till-0".into()),
                    receipt_no: Some(receipt),
                },
            })
            .await?;
    }
    Ok(())
}

/// Prints the traveller's balances, one per currency, and what happens
/// when the yen points are offered at the New York till.
pub async fn print(
    ledger: &Ledger,
    vendors: &[Vendor],
    who: CustomerId,
    month: &str,
) -> Result<()> {
    println!();
    println!("travelling customer {who} shops in New York and Tokyo:");
    for (currency, b) in ledger.balance(who).await?.iter() {
        println!("  {currency}: {} points available", b.available);
    }
    let (Some(nyc), Some(tokyo)) = (
        vendors.iter().find(|v| v.id.as_str() == STORES[0]),
        vendors.iter().find(|v| v.id.as_str() == STORES[1]),
    ) else {
        return Ok(());
    };
    let yen = ledger.balance_in(who, tokyo.currency.code).await?.available;
    let dollars = ledger.balance_in(who, nyc.currency.code).await?.available;
    // Only offered when the dollar points cannot cover it, so the refusal is
    // certain and nothing is ever written (re-runs stay identical).
    if yen > dollars {
        let spend = Redeem {
            key: format!("demo-traveller-{month}"),
            vendor: nyc.id.clone(),
            account: who,
            points: yen,
            pos: PosRef::default(),
        };
        match ledger.redeem(&spend).await {
            Err(e @ Error::InsufficientPoints { .. }) => {
                println!(
                    "  spending the {yen} yen points at {}: refused, {e}",
                    nyc.id
                );
            }
            Err(e) => return Err(e),
            Ok(_) => println!("  spent {yen} points at {}", nyc.id),
        }
    }
    Ok(())
}
