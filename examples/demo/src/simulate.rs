//! One simulated month: vendors, customers, sales, spending.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use dcms_core::calendar::Month;
use dcms_core::{
    CreditChange, Currency, CustomerId, DynLedgerStore, Error, Ledger, LedgerConfig, ManualClock,
    PosRef, Redeem, Result, Vendor, VendorId,
};
use rust_decimal::Decimal;

use crate::{report, traveller};

/// A small deterministic generator (xorshift64*): the demo is repeatable.
pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A store of the demo.
struct Store {
    id: &'static str,
    name: &'static str,
    currency: &'static str,
    zone: &'static str,
    sales_per_day: u64,
    /// The largest sale, in minor units.
    max_total: i64,
    /// The banknotes customers pay with, in minor units, smallest first.
    notes: &'static [i64],
}

const STORES: &[Store] = &[
    Store {
        id: "corner-nyc",
        name: "Corner Shop, New York",
        currency: "USD",
        zone: "America/New_York",
        sales_per_day: 40,
        max_total: 2500,
        notes: &[500, 1000, 2000],
    },
    Store {
        id: "boulangerie-paris",
        name: "Boulangerie, Paris",
        currency: "EUR",
        zone: "Europe/Paris",
        sales_per_day: 30,
        max_total: 1800,
        notes: &[500, 1000, 2000],
    },
    Store {
        id: "konbini-tokyo",
        name: "Konbini, Tokyo",
        currency: "JPY",
        zone: "Asia/Tokyo",
        sales_per_day: 50,
        max_total: 3000,
        notes: &[1000, 5000, 10000],
    },
    Store {
        id: "depanneur-montreal",
        name: "Dépanneur, Montréal",
        currency: "CAD",
        zone: "America/Toronto",
        sales_per_day: 20,
        max_total: 3000,
        notes: &[500, 1000, 2000],
    },
];

const CUSTOMERS: usize = 60;

/// Where the demo keeps its ledger and objects: `$DCMS_DATA` or `./dcms-data`.
fn data_dir() -> std::path::PathBuf {
    std::env::var_os("DCMS_DATA")
        .map(Into::into)
        .unwrap_or_else(|| "dcms-data".into())
}

/// The embedded default: a SQLite file (WAL, durable commits) in the data folder.
async fn open_store() -> Result<DynLedgerStore> {
    let dir = data_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::StorageUnavailable(format!("cannot create {}: {e}", dir.display())))?;
    dcms_store::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.join("ledger.db").display()
    ))
    .await
}

/// The idempotency key of a month's last simulated sale.
fn last_sale_key(month: Month) -> Result<String> {
    let store = &STORES[STORES.len() - 1];
    let day = month
        .days()?
        .last()
        .copied()
        .ok_or_else(|| Error::Storage("empty month".into()))?;
    Ok(format!("{}/{day}-{}", store.id, store.sales_per_day - 1))
}

/// A customer who shops at store `store` (its regulars earn, spend and
/// share in that store's currency; the traveller shops in two).
fn local(customers: &[CustomerId], store: usize, pick: u64) -> CustomerId {
    let per_store = customers.len() / STORES.len();
    customers[store * per_store + (pick as usize % per_store)]
}

/// Runs the demo.
pub async fn run() -> Result<()> {
    let store = open_store().await?;
    // Each run simulates the first month whose last sale is not in the
    // ledger yet. A run that was interrupted is simply run again: its sales
    // replay under the same idempotency keys and nothing is credited twice.
    let mut month = Month::new(2026, 1)?;
    let mut index = 0u64;
    while store
        .transaction_by_key(&last_sale_key(month)?)
        .await?
        .is_some()
    {
        month = month.next();
        index += 1;
    }
    let (start, _) = month.bounds(chrono_tz::UTC)?;
    let clock = Arc::new(ManualClock::new(start));
    let ledger = Ledger::open(store.clone(), LedgerConfig::default())
        .await?
        .with_clock(clock.clone());

    let mut vendors = Vec::new();
    for store in STORES {
        let v = Vendor::new(
            VendorId::new(store.id)?,
            store.name,
            Currency::builtin(store.currency)?,
            Vendor::parse_time_zone(store.zone)?,
        );
        vendors.push(ledger.create_vendor(v).await?);
    }
    let mut customers: Vec<CustomerId> = Vec::new();
    for i in 0..CUSTOMERS {
        customers.push(ledger.open_account(&format!("demo-customer-{i}")).await?.id);
    }
    let traveller = ledger.open_account(traveller::ACCOUNT_KEY).await?.id;

    println!(
        "DCMS demo: simulating {month} at {} stores for {} customers",
        STORES.len(),
        CUSTOMERS
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (index + 1));
    // Its own generator, so the regulars' sales stay what they were.
    let mut travel_rng = Rng(0x2545_f491_4f6c_dd1d ^ (index + 1));
    let mut sales = 0u64;
    let mut spent = 0u64;
    for day in month.days()? {
        // Before the stores' sales: the month's last key stays the last write.
        let noon = Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap_or_default());
        traveller::shop(
            &ledger,
            &vendors,
            traveller,
            &day.to_string(),
            noon,
            &clock,
            &mut travel_rng,
        )
        .await?;
        sales += traveller::STORES.len() as u64;
        for (vi, (v, store)) in vendors.iter().zip(STORES).enumerate() {
            let (per_day, max_total, notes) = (store.sales_per_day, store.max_total, store.notes);
            let day_start = Utc.from_utc_datetime(&day.and_hms_opt(13, 0, 0).unwrap_or_default());
            for n in 0..per_day {
                clock.set(day_start + Duration::seconds((n * 600 / per_day) as i64 * 60));
                let minor = 1 + rng.below(max_total as u64) as i64;
                let note = notes
                    .iter()
                    .copied()
                    .find(|&n| n >= minor)
                    .unwrap_or(notes[notes.len() - 1]);
                let tendered = if note >= minor {
                    note
                } else {
                    (minor + note - 1) / note * note
                };
                let scale = u32::from(v.currency.exponent);
                let customer = local(&customers, vi, rng.below(CUSTOMERS as u64));
                let receipt = format!("{day}-{n}");
                ledger
                    .credit_change(&CreditChange {
                        key: format!("{}/{receipt}", v.id),
                        vendor: v.id.clone(),
                        account: customer,
                        total: Decimal::new(minor, scale),
                        tendered: Decimal::new(tendered, scale),
                        pos: PosRef {
                            store_id: Some("main".into()),
                            terminal_id: Some(format!("till-{}", n % 3)),
                            receipt_no: Some(receipt),
                        },
                    })
                    .await?;
                sales += 1;
            }
        }
        // A few customers spend or share their points each day.
        for k in 0..5 {
            let vi = rng.below(vendors.len() as u64) as usize;
            let who = local(&customers, vi, rng.below(CUSTOMERS as u64));
            // Drawn before looking at the balance, so a re-run draws the same.
            let points = 100 + rng.below(900) as i64;
            let to = local(&customers, vi, rng.below(CUSTOMERS as u64));
            // Points of the store's currency: the only ones it takes.
            let v = &vendors[vi];
            if ledger.balance_in(who, v.currency.code).await?.available < points {
                continue;
            }
            if k % 2 == 0 {
                ledger
                    .redeem(&Redeem {
                        key: format!("demo-redeem-{day}-{k}"),
                        vendor: v.id.clone(),
                        account: who,
                        points,
                        pos: PosRef::default(),
                    })
                    .await?;
            } else {
                if to != who {
                    ledger
                        .transfer(
                            &format!("demo-transfer-{day}-{k}"),
                            who,
                            to,
                            v.currency.code,
                            points,
                        )
                        .await?;
                }
            }
            spent += 1;
        }
    }
    store
        .meta_get_or_insert(&format!("demo_month_{month}"), "done")
        .await?;
    println!("{sales} cash sales, {spent} redemptions and transfers");
    report::print(&ledger, &vendors, &customers, month).await?;
    traveller::print(&ledger, &vendors, traveller, &month.to_string()).await?;
    crate::close::run(&ledger, month, &data_dir()).await?;
    let check = ledger.verify().await?;
    println!(
        "verify: {} transactions, {} accounts, {}",
        check.transactions,
        check.accounts,
        if check.is_ok() {
            "ledger balances".to_string()
        } else {
            format!("PROBLEMS: {:?}", check.problems)
        }
    );
    Ok(())
}
