//! Seeding a fresh database through the `Ledger` API: vendors in a few time
//! zones, customers, then transactions appended by many concurrent tasks so
//! the store's group commit batches them. Nothing is written behind the
//! store's back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Days;
use dcms_core::calendar::Month;
use dcms_core::{CustomerId, DynLedgerStore, Ledger, LedgerConfig, LedgerStore, Vendor, VendorId};
use dcms_store::{SqlStore, StoreOptions};
use futures::{StreamExt, TryStreamExt};

use crate::args::Options;
use crate::calendar::{nanos, previous};
use crate::clock::SeedClock;
use crate::db::Database;
use crate::seed_ops::{self, Counts, Owned, Shared, TaskState};
use crate::Res;

/// Vendors cycle through these zones (and currencies): UTC-8 to UTC+9,
/// a half-hour offset, and the October daylight-saving changes.
const ZONES: [(&str, &str); 6] = [
    ("America/New_York", "USD"),
    ("Europe/Berlin", "EUR"),
    ("Asia/Tokyo", "JPY"),
    ("America/Los_Angeles", "USD"),
    ("Europe/London", "GBP"),
    ("Asia/Kolkata", "USD"),
];

/// The key under which the seed records what it seeded.
pub const SEED_META: &str = "bench_close_seed";

/// One stretch of time filled with transactions.
#[derive(Debug, Clone)]
pub struct Segment {
    pub label: &'static str,
    pub counts: Counts,
    pub secs: f64,
}

/// How seeding went.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub vendors: usize,
    pub vendor_secs: f64,
    pub customers: usize,
    pub customer_secs: f64,
    pub segments: Vec<Segment>,
    /// `Ledger::verify`: seconds and whether it found the ledger sound.
    pub verify: Option<(f64, bool)>,
}

impl SeedReport {
    pub fn appended(&self) -> u64 {
        self.segments.iter().map(|s| s.counts.appended()).sum()
    }

    pub fn append_secs(&self) -> f64 {
        self.segments.iter().map(|s| s.secs).sum()
    }
}

/// Seeds `db` as `o` says.
pub async fn seed(db: &Database, o: &Options) -> Res<SeedReport> {
    let store = Arc::new(SqlStore::connect(&db.url, StoreOptions::default()).await?);
    let dyn_store: DynLedgerStore = store.clone();
    let marker =
        serde_json::json!({"month": o.month.to_string(), "vendors": o.vendors, "rows": o.rows})
            .to_string();
    let stored = dyn_store.meta_get_or_insert(SEED_META, &marker).await?;
    if stored != marker {
        return Err(format!("{} was seeded before: {stored}", db.shown_url()).into());
    }
    let clock = Arc::new(SeedClock::default());
    let ledger = Ledger::open(dyn_store, LedgerConfig::default())
        .await?
        .with_clock(clock.clone());
    let prev = previous(o.month)?;
    let (prev_from, month_from) = prev.bounds(chrono_tz::UTC)?;
    // Customers opened a day before the first transaction.
    let opened = nanos(prev_from - chrono::Duration::days(1))?;
    clock.spread(opened, opened + 1, 1);

    let started = Instant::now();
    let vendors = create_vendors(&ledger, o.vendors).await?;
    let vendor_secs = started.elapsed().as_secs_f64();
    eprintln!("  {} vendors in {vendor_secs:.1} s", vendors.len());

    let started = Instant::now();
    let customers = open_customers(&ledger, o.customers).await?;
    let customer_secs = started.elapsed().as_secs_f64();
    eprintln!("  {} customers in {customer_secs:.1} s", customers.len());

    let month_to = o.month.bounds(chrono_tz::UTC)?.1;
    let after_to = month_to
        .checked_add_days(Days::new(3))
        .ok_or("month out of range")?;
    let plan = [
        (
            "previous month",
            nanos(prev_from)?,
            nanos(month_from)?,
            o.rows.div_ceil(20),
        ),
        ("closed month", nanos(month_from)?, nanos(month_to)?, o.rows),
        (
            "next month, days 1-3",
            nanos(month_to)?,
            nanos(after_to)?,
            o.rows.div_ceil(100),
        ),
    ];
    let shared = Arc::new(Shared {
        ledger,
        clock: clock.clone(),
        vendors: vendors.iter().map(|v| (v.id.clone(), v.currency)).collect(),
        progress: Default::default(),
    });
    let tasks = o.tasks.min(customers.len()).max(1);
    let mut states: Vec<TaskState> = (0..tasks)
        .map(|t| {
            let mine = customers
                .iter()
                .skip(t)
                .step_by(tasks)
                .map(|id| Owned::new(*id))
                .collect();
            TaskState::new(t, mine)
        })
        .collect();
    let mut segments = Vec::new();
    for (label, from, to, planned) in plan {
        clock.spread(from, to, planned);
        let (next, segment) = fill(&shared, states, label, planned).await?;
        states = next;
        segments.push(segment);
    }
    let verify = if o.verify {
        let started = Instant::now();
        let report = shared.ledger.verify().await?;
        for p in report.problems.iter().take(5) {
            eprintln!("  verify: {p}");
        }
        Some((started.elapsed().as_secs_f64(), report.is_ok()))
    } else {
        None
    };
    drop(shared);
    store.close().await;
    Ok(SeedReport {
        vendors: vendors.len(),
        vendor_secs,
        customers: customers.len(),
        customer_secs,
        segments,
        verify,
    })
}

async fn create_vendors(ledger: &Ledger, n: usize) -> Res<Vec<Vendor>> {
    let width = n.to_string().len();
    let mut specs = Vec::with_capacity(n);
    for i in 0..n {
        let (zone, currency) = ZONES[i % ZONES.len()];
        let id = VendorId::new(format!("v{:0width$}", i + 1))?;
        let currency = ledger.config().currencies.get(currency)?;
        let zone = Vendor::parse_time_zone(zone)?;
        specs.push(Vendor::new(
            id.clone(),
            format!("Vendor {id}"),
            currency,
            zone,
        ));
    }
    let created: Vec<Vendor> = futures::stream::iter(specs)
        .map(|v| ledger.create_vendor(v))
        .buffered(16)
        .try_collect()
        .await?;
    Ok(created)
}

async fn open_customers(ledger: &Ledger, n: usize) -> Res<Vec<CustomerId>> {
    let accounts: Vec<CustomerId> = futures::stream::iter(0..n)
        .map(|i| async move {
            ledger
                .open_account(&format!("bench-customer-{i}"))
                .await
                .map(|a| a.id)
        })
        .buffered(32)
        .try_collect()
        .await?;
    Ok(accounts)
}

/// Appends `planned` operations with every task running at once.
async fn fill(
    shared: &Arc<Shared>,
    states: Vec<TaskState>,
    label: &'static str,
    planned: usize,
) -> Res<(Vec<TaskState>, Segment)> {
    shared.progress.store(0, Ordering::SeqCst);
    let tasks = states.len();
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let ticker = tokio::spawn(progress(shared.clone(), done.clone(), label, planned));
    let handles: Vec<_> = states
        .into_iter()
        .map(|st| {
            let ops = planned / tasks + usize::from(st.id < planned % tasks);
            tokio::spawn(seed_ops::run(shared.clone(), st, ops))
        })
        .collect();
    let mut states = Vec::with_capacity(tasks);
    let mut counts = Counts::default();
    for h in handles {
        let (st, c) = h.await?;
        counts.add(&c);
        states.push(st);
    }
    done.store(true, Ordering::SeqCst);
    ticker.await?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "  {label}: {} transactions in {secs:.1} s ({:.0}/s; {} credits, {} redemptions, {} reversals, {} failed)",
        counts.appended(),
        counts.appended() as f64 / secs,
        counts.credits,
        counts.redemptions,
        counts.reversals,
        counts.failed
    );
    if let Some(e) = &counts.first_error {
        eprintln!("  first failure: {e}");
    }
    if counts.failed * 100 > planned as u64 {
        return Err(format!("{label}: {} of {planned} operations failed", counts.failed).into());
    }
    Ok((
        states,
        Segment {
            label,
            counts,
            secs,
        },
    ))
}

/// A progress line every 20 seconds while a segment fills.
async fn progress(shared: Arc<Shared>, done: Arc<AtomicBool>, label: &str, planned: usize) {
    let started = Instant::now();
    let mut last = Instant::now();
    while !done.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if last.elapsed() >= Duration::from_secs(20) {
            last = Instant::now();
            let n = shared.progress.load(Ordering::Relaxed);
            eprintln!(
                "    {label}: {n}/{planned} ({:.0}/s)",
                n as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
}

/// The month an existing database was seeded for (checks `--existing`).
pub async fn seeded_month(url: &str) -> Res<Month> {
    let store = SqlStore::connect(url, StoreOptions::default().with_group_commit(None)).await?;
    let stored = store.meta_get_or_insert(SEED_META, "{}").await?;
    store.close().await;
    let v: serde_json::Value = serde_json::from_str(&stored)?;
    let month = v["month"]
        .as_str()
        .ok_or("this database was not seeded by dcms-bench-close")?;
    Ok(Month::parse(month)?)
}
